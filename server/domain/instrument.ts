// What an instrument is, and the rules every instrument must follow before it can be stored.
import { SCALES } from './scale.js'
import type { LocalizedText, Scale } from './types.js'
import { isLocale, LOCALES } from './languages.js'

export { LOCALES, type Locale } from './languages.js'
export const ORG_PLACEHOLDER = '{org}'

export interface ItemDefinition {
  key: string
  dimension: string
  scale: Scale
  headline: boolean
  /** Whether a respondent must answer it; one that is not may be skipped, stored as null like "Not applicable". */
  required: boolean
  staffText: LocalizedText
  customerText: LocalizedText
  staffPredictText: LocalizedText | null
}

export interface InstrumentDefinition {
  key: string
  version: number
  name: string
  locales: string[]
  staffQuestion: LocalizedText
  customerQuestion: LocalizedText
  items: ItemDefinition[]
}

/** The limits of an instrument, shared by the builder's pages, the API and the checks below. */
export const INSTRUMENT_LIMITS = Object.freeze({ keyLength: 40, nameLength: 100, items: 40, itemKeyLength: 40, dimensionLength: 40, textLength: 300 })
const INSTRUMENT_KEY = /^[a-z][a-z0-9-]{0,39}$/
const ITEM_KEY = /^[a-z][a-z0-9_]{0,39}$/

/** A field's problem, keyed by its path: `name`, `locales`, `headline`, `items`, `items.3.key`, `items.3.customerText.fr`, `staffQuestion.en`. */
export type FieldProblems = Record<string, string>

const isText = (value: unknown): value is string => typeof value === 'string'
const filled = (value: unknown) => isText(value) && value.trim() !== ''

/**
 * Every problem that keeps a definition from being a valid instrument, one message per field path
 * (the first problem found for that field); empty when it is fine. Safe on any input: a value of the
 * wrong type is a problem of its field, never an exception. The pages put each message beside its
 * field, the API returns them as details, and instrumentProblems lists them: one set of rules.
 */
export function instrumentFieldProblems(def: InstrumentDefinition): FieldProblems {
  const problems: FieldProblems = Object.create(null)
  const add = (path: string, message: string) => { if (!(path in problems)) problems[path] = message }
  const L = INSTRUMENT_LIMITS

  if (!filled(def.key)) add('key', 'Enter a key, such as branch-survey.')
  else if (!INSTRUMENT_KEY.test(def.key)) add('key', `Use 1 to ${L.keyLength} lowercase letters, digits and dashes, starting with a letter (such as branch-survey).`)
  if (!Number.isInteger(def.version) || def.version < 1) add('version', 'The version must be a whole number from 1 up.')
  if (!filled(def.name)) add('name', 'Enter a name for the instrument.')
  else if (def.name.trim().length > L.nameLength) add('name', `The name must be at most ${L.nameLength} characters (it has ${def.name.trim().length}).`)

  const locales: string[] = Array.isArray(def.locales) ? def.locales.filter(isText) : []
  if (!Array.isArray(def.locales) || locales.length === 0) add('locales', 'Choose at least one language.')
  for (const locale of Array.isArray(def.locales) ? def.locales : []) {
    if (!isLocale(locale)) add('locales', `"${String(locale)}" is not a supported language: choose from ${LOCALES.join(', ')}.`)
  }
  if (new Set(locales).size !== locales.length) add('locales', 'Name each language once.')
  const languages = locales.filter(isLocale)

  /** A text every language of the instrument needs, at most L.textLength characters. */
  const needText = (path: string, text: unknown, what: string) => {
    const record = text !== null && typeof text === 'object' ? text as Record<string, unknown> : {}
    for (const locale of languages) {
      const value = Object.hasOwn(record, locale) ? record[locale] : undefined
      if (!filled(value)) add(`${path}.${locale}`, `Enter ${what} in "${locale}".`)
      else if ((value as string).trim().length > L.textLength) add(`${path}.${locale}`, `At most ${L.textLength} characters (this has ${(value as string).trim().length}).`)
    }
  }
  needText('staffQuestion', def.staffQuestion, 'the open question for staff')
  needText('customerQuestion', def.customerQuestion, 'the open question for customers')

  const items = Array.isArray(def.items) ? def.items : []
  if (items.length === 0) add('items', 'Add at least one statement.')
  else if (items.length > L.items) add('items', `An instrument has at most ${L.items} statements (this one has ${items.length}).`)
  const headlines = items.filter((item) => item?.headline === true).length
  if (items.length > 0 && headlines !== 1) {
    add('headline', headlines === 0 ? 'Mark one statement as the headline.' : `Mark exactly one statement as the headline (${headlines} are marked).`)
  }
  const firstUse = new Map<string, number>()
  items.forEach((raw, index) => {
    const path = `items.${index}`
    const item = (raw !== null && typeof raw === 'object' ? raw : {}) as Partial<ItemDefinition>
    if (!filled(item.key)) add(`${path}.key`, 'Enter a key for this statement, such as can_solve.')
    else if (!ITEM_KEY.test(item.key!)) add(`${path}.key`, `Use 1 to ${L.itemKeyLength} lowercase letters, digits and underscores, starting with a letter (such as can_solve).`)
    else if (firstUse.has(item.key!)) add(`${path}.key`, `Statement ${firstUse.get(item.key!)! + 1} already uses the key "${item.key}": give each statement its own key.`)
    else firstUse.set(item.key!, index)
    if (!filled(item.dimension)) add(`${path}.dimension`, 'Enter a dimension, such as attitude.')
    else if (item.dimension!.trim().length > L.dimensionLength) add(`${path}.dimension`, `The dimension must be at most ${L.dimensionLength} characters.`)
    if (!(SCALES as readonly unknown[]).includes(item.scale)) add(`${path}.scale`, `Choose a scale: ${SCALES.join(' or ')}.`)
    if (typeof item.headline !== 'boolean') add(`${path}.headline`, 'Say whether this statement is the headline (true or false).')
    if (typeof item.required !== 'boolean') add(`${path}.required`, 'Say whether an answer is required (true or false).')
    needText(`${path}.staffText`, item.staffText, 'the staff wording')
    needText(`${path}.customerText`, item.customerText, 'the customer wording')
    // The prediction wording is optional; given in one language, it is needed in all of them.
    if (item.staffPredictText !== null && item.staffPredictText !== undefined) {
      needText(`${path}.staffPredictText`, item.staffPredictText, 'the prediction wording (or leave it empty in every language)')
    }
  })
  return problems
}

/** The same problems as one list of sentences ("items.3.key: …"); empty when the definition is fine. */
export function instrumentProblems(def: InstrumentDefinition): string[] {
  return Object.entries(instrumentFieldProblems(def)).map(([path, message]) => `${path}: ${message}`)
}

const trimmedTexts = (text: unknown, locales: readonly string[]): LocalizedText => {
  const record = text !== null && typeof text === 'object' ? text as Record<string, unknown> : {}
  const out: LocalizedText = {}
  for (const locale of locales) {
    const value = Object.hasOwn(record, locale) ? record[locale] : undefined
    if (isText(value)) out[locale] = value.trim()
  }
  return out
}

/**
 * A definition as it is stored: texts trimmed and kept only in the instrument's languages, a
 * prediction wording left empty in every language read as none. Run before instrumentFieldProblems
 * on what a person typed, so blanks and stray languages are not errors of their own.
 */
export function cleanDefinition(def: InstrumentDefinition): InstrumentDefinition {
  const locales = Array.isArray(def.locales) ? def.locales.filter(isText).map((locale) => locale.trim()) : []
  const trim = (value: unknown) => (isText(value) ? value.trim() : value) as string
  // Only the fields of a definition, in one order: a stray field is dropped, and two cleaned
  // definitions with the same content compare equal as JSON.
  return {
    key: trim(def.key),
    version: def.version,
    name: trim(def.name),
    locales,
    staffQuestion: trimmedTexts(def.staffQuestion, locales),
    customerQuestion: trimmedTexts(def.customerQuestion, locales),
    items: Array.isArray(def.items) ? def.items.map((item) => {
      const predict = item?.staffPredictText ? trimmedTexts(item.staffPredictText, locales) : null
      return {
        key: trim(item?.key),
        dimension: trim(item?.dimension),
        scale: item?.scale,
        headline: item?.headline,
        required: item?.required,
        staffText: trimmedTexts(item?.staffText, locales),
        customerText: trimmedTexts(item?.customerText, locales),
        staffPredictText: predict && Object.values(predict).some((text) => text !== '') ? predict : null,
      }
    }) : def.items,
  }
}

/** Picks the text for a locale (falling back to English) and puts the organization's name in. */
export function localize(text: LocalizedText, locale: string, orgName: string): string {
  return (text[locale] ?? text.en ?? Object.values(text)[0] ?? '').replaceAll(ORG_PLACEHOLDER, () => orgName)
}
