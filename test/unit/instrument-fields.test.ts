// The rules of an instrument definition, field by field (domain/instrument.ts instrumentFieldProblems,
// cleanDefinition) and what changed in the wording between two versions (domain/wording-changes.ts):
// worked examples, then properties over generated definitions.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  cleanDefinition, INSTRUMENT_LIMITS, instrumentFieldProblems, instrumentProblems, LOCALES, type InstrumentDefinition, type ItemDefinition,
} from '../../server/domain/instrument.js'
import { SCALES } from '../../server/domain/scale.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { itemRevisions, wordingChanges } from '../../server/domain/wording-changes.js'

const copy = (): InstrumentDefinition => structuredClone({ ...SERVICE_GAP_INDEX_V1, key: 'branch-survey', name: 'Branch survey' })
const problemsOf = (change: (def: InstrumentDefinition) => void) => {
  const def = copy()
  change(def)
  return { ...instrumentFieldProblems(def) }
}

describe('instrumentFieldProblems: worked examples', () => {
  it('finds nothing wrong with the built-in instrument under an own key', () => {
    expect(problemsOf(() => {})).toEqual({})
  })

  it('checks the key: present, lowercase letters, digits and dashes, at most 40', () => {
    expect(problemsOf((d) => { d.key = '' })).toEqual({ key: 'Enter a key, such as branch-survey.' })
    for (const key of ['Branch', '1st', 'branch_survey', 'a'.repeat(41), 'branch survey']) {
      expect(Object.keys(problemsOf((d) => { d.key = key })), key).toEqual(['key'])
    }
    expect(problemsOf((d) => { d.key = 'a'.repeat(40) })).toEqual({})
  })

  it('checks the name: 1 to 100 characters after trimming', () => {
    expect(problemsOf((d) => { d.name = '   ' })).toEqual({ name: 'Enter a name for the instrument.' })
    expect(problemsOf((d) => { d.name = 'x'.repeat(101) })).toEqual({ name: 'The name must be at most 100 characters (it has 101).' })
    expect(problemsOf((d) => { d.name = 'x'.repeat(100) })).toEqual({})
  })

  it('checks the languages against the supported list, once each', () => {
    expect(problemsOf((d) => { d.locales = [] })).toEqual({ locales: 'Choose at least one language.' })
    expect(problemsOf((d) => { d.locales = ['en', 'xx'] })).toEqual({ locales: `"xx" is not a supported language: choose from ${LOCALES.join(', ')}.` })
    expect(problemsOf((d) => { d.locales = ['en', 'en'] })).toEqual({ locales: 'Name each language once.' })
  })

  it('asks for every text in every language of the instrument, at most 300 characters', () => {
    expect(problemsOf((d) => { delete d.items[3]!.customerText.es; d.items[0]!.staffText.de = ' ' })).toEqual({
      'items.0.staffText.de': 'Enter the staff wording in "de".',
      'items.3.customerText.es': 'Enter the customer wording in "es".',
    })
    expect(problemsOf((d) => { d.items[1]!.staffText.en = 'x'.repeat(301) })).toEqual({ 'items.1.staffText.en': 'At most 300 characters (this has 301).' })
    expect(problemsOf((d) => { delete d.staffQuestion.de; d.customerQuestion.en = '' })).toEqual({
      'staffQuestion.de': 'Enter the open question for staff in "de".',
      'customerQuestion.en': 'Enter the open question for customers in "en".',
    })
  })

  it('takes a prediction wording or none, but a given one in every language', () => {
    expect(problemsOf((d) => { d.items[0]!.staffPredictText = { en: 'Out of 10 customers, how many say they get excellent service?' } })).toEqual({
      'items.0.staffPredictText.es': 'Enter the prediction wording (or leave it empty in every language) in "es".',
      'items.0.staffPredictText.de': 'Enter the prediction wording (or leave it empty in every language) in "de".',
    })
  })

  it('wants 1 to 40 statements and exactly one headline', () => {
    expect(problemsOf((d) => { d.items = [] })).toEqual({ items: 'Add at least one statement.' })
    const many = problemsOf((d) => {
      d.items = Array.from({ length: 41 }, (_, i) => ({ ...structuredClone(d.items[1]!), key: `item_${i}`, headline: i === 0 }))
    })
    expect(many).toEqual({ items: 'An instrument has at most 40 statements (this one has 41).' })
    expect(problemsOf((d) => { d.items[0]!.headline = false })).toEqual({ headline: 'Mark one statement as the headline.' })
    expect(problemsOf((d) => { d.items[4]!.headline = true; d.items[5]!.headline = true })).toEqual({ headline: 'Mark exactly one statement as the headline (3 are marked).' })
  })

  it('checks item keys (format, unique), dimensions and scales', () => {
    expect(problemsOf((d) => { d.items[2]!.key = 'want_to_help' })).toEqual({ 'items.2.key': 'Statement 2 already uses the key "want_to_help": give each statement its own key.' })
    expect(Object.keys(problemsOf((d) => { d.items[2]!.key = 'Valued' }))).toEqual(['items.2.key'])
    expect(Object.keys(problemsOf((d) => { d.items[2]!.key = `v${'a'.repeat(40)}` }))).toEqual(['items.2.key'])
    expect(problemsOf((d) => { d.items[2]!.key = `v${'a'.repeat(39)}` })).toEqual({})
    expect(problemsOf((d) => { d.items[5]!.dimension = '' })).toEqual({ 'items.5.dimension': 'Enter a dimension, such as attitude.' })
    expect(problemsOf((d) => { d.items[5]!.dimension = 'd'.repeat(41) })).toEqual({ 'items.5.dimension': 'The dimension must be at most 40 characters.' })
    expect(problemsOf((d) => { (d.items[6] as { scale: string }).scale = 'stars7' })).toEqual({ 'items.6.scale': `Choose a scale: ${SCALES.join(' or ')}.` })
    expect(problemsOf((d) => { d.items[6]!.scale = 'likelihood11' })).toEqual({})
  })

  it('never throws on values of the wrong type, naming their fields instead', () => {
    const junk = { key: 7, version: 1, name: null, locales: 'en', staffQuestion: 3, customerQuestion: null, items: [null, { key: 'x' }] } as unknown as InstrumentDefinition
    const problems = instrumentFieldProblems(junk)
    expect(Object.keys(problems)).toEqual(expect.arrayContaining(['key', 'name', 'locales', 'headline', 'items.0.key', 'items.1.dimension', 'items.1.scale', 'items.1.required']))
  })

  it('is what instrumentProblems lists', () => {
    const def = copy()
    def.name = ''
    expect(instrumentProblems(def)).toEqual(['name: Enter a name for the instrument.'])
  })
})

describe('cleanDefinition', () => {
  it('trims texts, keeps only the instrument\'s languages and reads an empty prediction wording as none', () => {
    const def = copy()
    def.locales = ['en']
    def.name = '  Branch survey  '
    def.items[0]!.staffText = { en: '  Spaced.  ', xx: 'stray' }
    def.items[0]!.staffPredictText = { en: '   ' }
    ;(def.items[0] as unknown as Record<string, unknown>).extra = 'dropped'
    const clean = cleanDefinition(def)
    expect(clean.name).toBe('Branch survey')
    expect(clean.items[0]!.staffText).toEqual({ en: 'Spaced.' })
    expect(clean.items[0]!.staffPredictText).toBeNull()
    expect(Object.keys(clean.items[0]!)).not.toContain('extra')
    expect(instrumentFieldProblems(clean)).toEqual({})
  })
})

describe('itemRevisions', () => {
  it('flags, per wave, a wording or scale that differs from the latest earlier wave with the item', () => {
    const [a, b, c] = [copy(), copy(), copy()]
    b.items[1]!.customerText.de = 'Neue Worte.' // want_to_help: new words in b
    b.items = b.items.filter((item) => item.key !== 'fit') // fit: skips b
    c.items[9]!.staffText.en = 'Fit, reworded.' // fit: compared with a across the gap
    c.items[2]!.scale = 'likelihood11' // valued: new scale in c
    const d = structuredClone(c) // the same as c
    c.items[1]!.customerText.de = b.items[1]!.customerText.de!
    const revisions = itemRevisions(['want_to_help', 'fit', 'valued', 'trust', 'nowhere'], [a, b, c, d])
    const flags = (key: string) => revisions.get(key)!.map((r) => [r.wordingChanged, r.scaleChanged])
    // Kept in c; back to the first words in d: that is a change too.
    expect(flags('want_to_help')).toEqual([[false, false], [true, false], [false, false], [true, false]])
    expect(flags('fit')).toEqual([[false, false], [false, false], [true, false], [false, false]])
    expect(flags('valued')).toEqual([[false, false], [false, false], [false, true], [false, false]])
    expect(flags('trust').flat().some(Boolean)).toBe(false)
    expect(flags('nowhere').flat().some(Boolean)).toBe(false)
    expect(itemRevisions(['trust'], [])).toEqual(new Map([['trust', []]]))
  })
})

describe('wordingChanges', () => {
  it('says per shared key whether a wording changed, and which keys came and went', () => {
    const before = copy()
    const after = copy()
    after.items[1]!.customerText.es = 'Otra frase.'
    after.items = after.items.filter((item) => item.key !== 'fit')
    after.items.push({ ...structuredClone(after.items[2]!), key: 'new_one', headline: false })
    after.items[3]!.dimension = 'renamed' // not a wording
    after.items[4]!.staffText.en = `  ${after.items[4]!.staffText.en!}  ` // spaces do not count
    const changes = wordingChanges(before, after)
    expect(changes.added).toEqual(['new_one'])
    expect(changes.removed).toEqual(['fit'])
    expect([...changes.changed].filter(([, changed]) => changed).map(([key]) => key)).toEqual(['want_to_help'])
    expect(changes.changed.get('can_solve')).toBe(false)
    expect(changes.changed.has('fit')).toBe(false)
  })

  it('compares only the languages both versions have', () => {
    const before = copy()
    const after = copy()
    after.locales = ['en']
    for (const item of after.items) { item.staffText = { en: item.staffText.en! }; item.customerText = { en: item.customerText.en! } }
    expect([...wordingChanges(before, after).changed.values()].some(Boolean)).toBe(false)
  })
})

// -- properties --

const locales = fc.subarray([...LOCALES], { minLength: 1 })
const text = fc.string({ minLength: 1, maxLength: INSTRUMENT_LIMITS.textLength }).filter((s) => s.trim() === s && s !== '')
const localized = (langs: string[]) => fc.record(Object.fromEntries(langs.map((l) => [l, text]))) as fc.Arbitrary<Record<string, string>>
const itemKey = fc.stringMatching(/^[a-z][a-z0-9_]{0,39}$/)
const validDefinition: fc.Arbitrary<InstrumentDefinition> = locales.chain((langs) => fc.record({
  key: fc.stringMatching(/^[a-z][a-z0-9-]{0,39}$/),
  version: fc.integer({ min: 1, max: 1000 }),
  name: fc.string({ minLength: 1, maxLength: 100 }).filter((s) => s.trim() === s && s !== ''),
  locales: fc.constant(langs),
  staffQuestion: localized(langs),
  customerQuestion: localized(langs),
  items: fc.uniqueArray(itemKey, { minLength: 1, maxLength: INSTRUMENT_LIMITS.items }).chain((keys) => fc.tuple(
    ...keys.map((key) => fc.record({
      key: fc.constant(key),
      dimension: fc.stringMatching(/^[a-z]{1,40}$/),
      scale: fc.constantFrom(...SCALES),
      headline: fc.constant(false),
      required: fc.boolean(),
      staffText: localized(langs),
      customerText: localized(langs),
      staffPredictText: fc.option(localized(langs), { nil: null }),
    }) as fc.Arbitrary<ItemDefinition>),
  ).chain((items) => fc.nat({ max: items.length - 1 }).map((h) => items.map((item, i) => ({ ...item, headline: i === h }))))),
}))

describe('instrumentFieldProblems: properties', () => {
  it('accepts every definition built within the rules, and cleaning it changes nothing', () => {
    fc.assert(fc.property(validDefinition, (def) => {
      expect(instrumentFieldProblems(def)).toEqual({})
      expect(cleanDefinition(def)).toEqual(def)
    }), { numRuns: 40 })
  })

  it('names exactly the text that was removed, in its language', () => {
    fc.assert(fc.property(validDefinition, fc.nat(), fc.constantFrom('staffText', 'customerText'), fc.nat(), (def, i, side, l) => {
      const index = i % def.items.length
      const locale = def.locales[l % def.locales.length]!
      delete def.items[index]![side as 'staffText'][locale]
      expect(Object.keys(instrumentFieldProblems(def))).toEqual([`items.${index}.${side}.${locale}`])
    }), { numRuns: 40 })
  })

  it('names the second statement of a repeated key, and only it', () => {
    fc.assert(fc.property(validDefinition.filter((d) => d.items.length >= 2), fc.nat(), (def, i) => {
      const second = 1 + (i % (def.items.length - 1))
      def.items[second]!.key = def.items[0]!.key
      expect(Object.keys(instrumentFieldProblems(def))).toEqual([`items.${second}.key`])
    }), { numRuns: 40 })
  })

  it('finds no wording change between a definition and itself, and every key shared', () => {
    fc.assert(fc.property(validDefinition, (def) => {
      const changes = wordingChanges(def, structuredClone(def))
      expect([...changes.changed.values()].some(Boolean)).toBe(false)
      expect(changes.added).toEqual([])
      expect(changes.removed).toEqual([])
      expect([...changes.changed.keys()]).toEqual(def.items.map((item) => item.key))
    }), { numRuns: 40 })
  })
})
