// What an instrument is, and the rules every instrument must follow before it can be stored.
import type { LocalizedText, Scale } from './types.js'

export const LOCALES = ['en', 'es', 'de'] as const
export type Locale = (typeof LOCALES)[number]
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

/** Returns the problems that keep a definition from being a valid instrument; empty when it is fine. */
export function instrumentProblems(def: InstrumentDefinition): string[] {
  const problems: string[] = []
  if (!/^[a-z][a-z0-9-]*$/.test(def.key)) problems.push(`key "${def.key}" must be lowercase letters, digits and dashes`)
  if (!Number.isInteger(def.version) || def.version < 1) problems.push('version must be a positive whole number')
  if (def.locales.length === 0) problems.push('at least one locale is needed')
  for (const locale of def.locales) {
    if (!(LOCALES as readonly string[]).includes(locale)) problems.push(`locale "${locale}" is not supported`)
  }
  const headlines = def.items.filter((item) => item.headline).length
  if (headlines !== 1) problems.push(`exactly one item must be the headline (found ${headlines})`)
  const seen = new Set<string>()
  const texts: Array<[string, LocalizedText | null]> = [
    ['staff question', def.staffQuestion],
    ['customer question', def.customerQuestion],
  ]
  for (const item of def.items) {
    if (!/^[a-z][a-z0-9_]*$/.test(item.key)) problems.push(`item key "${item.key}" must be lowercase letters, digits and underscores`)
    if (seen.has(item.key)) problems.push(`item key "${item.key}" is used twice`)
    seen.add(item.key)
    texts.push([`${item.key} staff text`, item.staffText], [`${item.key} customer text`, item.customerText])
    if (item.staffPredictText) texts.push([`${item.key} staff prediction text`, item.staffPredictText])
  }
  for (const [what, text] of texts) {
    for (const locale of def.locales) {
      if (!text?.[locale]?.trim()) problems.push(`${what} is missing in "${locale}"`)
    }
  }
  return problems
}

/** Picks the text for a locale (falling back to English) and puts the organization's name in. */
export function localize(text: LocalizedText, locale: string, orgName: string): string {
  return (text[locale] ?? text.en ?? Object.values(text)[0] ?? '').replaceAll(ORG_PLACEHOLDER, () => orgName)
}
