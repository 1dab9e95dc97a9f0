// The language table and every text record it drives: each record has every language, no text is
// empty, a translation names the organization (or any other placeholder) wherever English does, and
// French puts a narrow no-break space, never a plain one, before : ; ? ! and inside « ».
import { describe, expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1, SERVICE_GAP_INDEX_V2 } from '../../server/domain/built-in-instruments.js'
import { intlLocale, isLocale, LANGUAGES, languageList, LOCALES, offeredLocale } from '../../server/domain/languages.js'
import { LANGUAGE_NAMES, languageName } from '../../server/domain/names.js'
import { textChanged, wordingChanges } from '../../server/domain/wording-changes.js'
import { ALERT_TEXT } from '../../server/i18n/alert-mail.js'
import { MAIL_TEXT, renderMessage, UNSUBSCRIBE_TEXT } from '../../server/i18n/mail.js'
import { POSTER_TEXT } from '../../server/i18n/poster.js'
import { RESPONDENT_TEXT } from '../../server/i18n/respondent.js'

const ORG = '<<ORG>>'
const UNIT = '<<UNIT>>'

/**
 * Every string a text record makes, by path: strings as they are, functions called with markers for
 * their string arguments (an organization, a unit, a wording) and small numbers for the rest, so a
 * translation that drops the organization's name shows as a missing marker.
 */
function strings(value: unknown, path = ''): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (v: unknown, p: string) => {
    if (typeof v === 'string') out.set(p, v)
    else if (typeof v === 'function') {
      // One call per argument shape the records use: (org), (unit), (count, count), (side, count), (org, reminder).
      const tries: unknown[][] = v.length === 2 ? [[ORG, false], [ORG, true], [3, 0], [3, 2], ['staff', 3], ['customer', 3]] : [[ORG], [1], [3]]
      tries.forEach((args, i) => {
        try {
          const result = (v as (...a: unknown[]) => unknown)(...args)
          if (typeof result === 'string') out.set(`${p}(${i})`, result)
        } catch { /* a call shape this function does not take */ }
      })
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${p}[${i}]`))
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, p ? `${p}.${k}` : k)
  }
  walk(value, path)
  return out
}

const RECORDS: Record<string, Record<string, unknown>> = {
  respondent: RESPONDENT_TEXT, mail: MAIL_TEXT, unsubscribe: UNSUBSCRIBE_TEXT, poster: POSTER_TEXT,
}

describe('the language table', () => {
  it('lists English, Spanish, German, French and Portuguese, each with its own name and an Intl locale that formats', () => {
    expect(LANGUAGES.map((l) => l.code)).toEqual(['en', 'es', 'de', 'fr', 'pt'])
    expect([...LOCALES]).toEqual(LANGUAGES.map((l) => l.code))
    expect(LANGUAGES.map((l) => l.endonym)).toEqual(['English', 'Español', 'Deutsch', 'Français', 'Português'])
    for (const language of LANGUAGES) {
      expect(Intl.NumberFormat.supportedLocalesOf(language.intl), language.code).toEqual([language.intl])
      expect(intlLocale(language.code)).toBe(language.intl)
      expect(LANGUAGE_NAMES[language.code]).toBe(language.endonym)
      expect(languageName(language.code)).toBe(language.endonym)
    }
    expect(languageName('it')).toBe('it')
    expect(intlLocale('it')).toBe('en-GB')
  })

  it('says the languages in English for messages, and knows only its own codes', () => {
    expect(languageList()).toBe('English, Spanish, German, French or Portuguese')
    expect(languageList(['fr'])).toBe('French')
    expect(LOCALES.every(isLocale)).toBe(true)
    for (const other of ['it', 'EN', 'fr-FR', '', null, 3, '__proto__']) expect(isLocale(other), String(other)).toBe(false)
  })

  it('picks a wave\'s language for a page: the one asked for when offered, else the wave\'s first', () => {
    expect(offeredLocale(['en', 'fr', 'pt'], 'pt')).toBe('pt')
    expect(offeredLocale(['de', 'fr'], 'es')).toBe('de')
    expect(offeredLocale(['de', 'fr'], undefined)).toBe('de')
    expect(offeredLocale(['fr'], ['fr'])).toBe('fr')
    expect(offeredLocale(['xx', 'pt'], 'xx')).toBe('pt')
    expect(offeredLocale([], 'fr')).toBe('en')
  })
})

describe('every text record', () => {
  for (const [name, record] of Object.entries({ ...RECORDS, alert: ALERT_TEXT })) {
    it(`${name} texts exist in every language of the table and in no other`, () => {
      expect(Object.keys(record).sort()).toEqual([...LOCALES].sort())
    })
  }

  for (const [name, record] of Object.entries(RECORDS)) {
    it(`${name} texts: every path English has, no empty text, and the same placeholders (organization, unit, numbers) as English`, () => {
      const english = strings(record.en)
      for (const locale of LOCALES) {
        const texts = strings(record[locale])
        expect([...texts.keys()].sort(), locale).toEqual([...english.keys()].sort())
        for (const [path, en] of english) {
          const text = texts.get(path)!
          expect(text.trim(), `${name} ${locale} ${path}`).not.toBe('')
          expect(text.includes(ORG), `${name} ${locale} ${path} names the organization`).toBe(en.includes(ORG))
          expect(text.includes('{n}') || text.includes('{org}'), `${name} ${locale} ${path}`).toBe(en.includes('{n}') || en.includes('{org}'))
          // A count English gives (3 statements, 2 predictions) is in the translation too.
          for (const number of ['3', '2']) if (/\b[23]\b/.test(en) && en.includes(number)) expect(text, `${name} ${locale} ${path}`).toContain(number)
        }
      }
    })
  }

  it('respondent texts name the unit in both "about" lines', () => {
    for (const locale of LOCALES) {
      expect(RESPONDENT_TEXT[locale].aboutUnitCustomer(UNIT)).toContain(UNIT)
      expect(RESPONDENT_TEXT[locale].aboutUnitStaff(UNIT)).toContain(UNIT)
      expect(RESPONDENT_TEXT[locale].predictStatement(UNIT)).toContain(UNIT)
      expect(RESPONDENT_TEXT[locale].languageName).toBe(LANGUAGE_NAMES[locale])
      expect(RESPONDENT_TEXT[locale].scale).toHaveLength(5)
      expect(new Set(RESPONDENT_TEXT[locale].scale).size).toBe(5)
    }
  })

  it('French puts a narrow no-break space (U+202F) before : ; ? ! and inside « », never a plain or other space', () => {
    const french = [...Object.values(RECORDS).flatMap((record) => [...strings(record.fr).values()]),
      ...SERVICE_GAP_INDEX_V2.items.flatMap((item) => [item.staffText.fr!, item.customerText.fr!]), SERVICE_GAP_INDEX_V2.staffQuestion.fr!, SERVICE_GAP_INDEX_V2.customerQuestion.fr!]
    for (const text of french) {
      expect(text, text).not.toMatch(/[ \u00a0][:;?!»]/)
      expect(text, text).not.toMatch(/«[ \u00a0]/)
      expect(text, text).not.toMatch(/[^\u202f][;?!»]|«[^\u202f]/)
    }
  })

  it('renders an invitation in French and Portuguese with the same link, the name and the organization', () => {
    for (const locale of ['fr', 'pt']) {
      const message = renderMessage({ locale, organization: 'Acme', side: 'customer', kind: 'reminder', name: 'Ana', surveyUrl: 'https://sg.example/s/abc', unsubscribeUrl: 'https://sg.example/u/xyz', itemCount: 12 })
      expect(message.html).toContain(`<html lang="${locale}">`)
      for (const part of ['Acme', 'Ana', 'https://sg.example/s/abc', 'https://sg.example/u/xyz', '12']) expect(message.text, `${locale} ${part}`).toContain(part)
      expect(message.subject).toBe(MAIL_TEXT[locale as 'fr'].subject('Acme', true))
    }
  })
})

describe('wording changes across Service Gap Index v1 → v2', () => {
  it('flags no item: the languages v2 adds are not changed wording', () => {
    const changes = wordingChanges(SERVICE_GAP_INDEX_V1, SERVICE_GAP_INDEX_V2)
    expect(changes.added).toEqual([])
    expect(changes.removed).toEqual([])
    expect([...changes.changed.keys()]).toEqual(SERVICE_GAP_INDEX_V1.items.map((item) => item.key))
    expect([...changes.changed.values()].some(Boolean)).toBe(false)
  })

  it('compares only the languages both texts have, and still sees a changed one', () => {
    expect(textChanged({ en: 'A.', es: 'B.' }, { en: 'A.', es: 'B.', fr: 'C.', pt: 'D.' })).toBe(false)
    expect(textChanged({ en: 'A.', fr: 'C.' }, { en: 'A.' })).toBe(false)
    expect(textChanged({ en: 'A.', es: 'B.' }, { en: 'A.', es: 'Otra.', fr: 'C.' })).toBe(true)
  })
})
