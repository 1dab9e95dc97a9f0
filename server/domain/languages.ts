// The languages the product speaks to respondents and in mail, in one table. Everything that lists,
// checks or names a language reads it from here: the Locale type, the pickers, the "choose one of"
// messages, the survey's language switch. Adding a language is one row here plus its texts; every
// text record is typed Record<Locale, …>, so the compiler asks for each of them.

export interface Language {
  /** The code stored and sent (?lang=, Accept-Language, contacts' locale): ISO 639-1. */
  code: string
  /** Its name in English, as the admin pages and messages say it. */
  english: string
  /** Its name in itself, as a respondent looks for it. */
  endonym: string
  /** The Intl locale its numbers and dates are formatted in (Portuguese is European Portuguese). */
  intl: string
}

export const LANGUAGES = [
  { code: 'en', english: 'English', endonym: 'English', intl: 'en-GB' },
  { code: 'es', english: 'Spanish', endonym: 'Español', intl: 'es-ES' },
  { code: 'de', english: 'German', endonym: 'Deutsch', intl: 'de-DE' },
  { code: 'fr', english: 'French', endonym: 'Français', intl: 'fr-FR' },
  { code: 'pt', english: 'Portuguese', endonym: 'Português', intl: 'pt-PT' },
] as const satisfies readonly Language[]

export type Locale = (typeof LANGUAGES)[number]['code']

export const LOCALES: readonly Locale[] = Object.freeze(LANGUAGES.map((language) => language.code))

export const isLocale = (value: unknown): value is Locale => typeof value === 'string' && (LOCALES as readonly string[]).includes(value)

/** The row of a language code, or undefined when the product does not speak it. */
export const languageOf = (code: string): Language | undefined => LANGUAGES.find((language) => language.code === code)

/** "English, Spanish, German, French or Portuguese": the languages in English, for messages. */
export function languageList(codes: readonly string[] = LOCALES, joiner = 'or'): string {
  const names = codes.map((code) => languageOf(code)?.english ?? code)
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} ${joiner} ${names.at(-1)}`
}

/** The Intl locale to format numbers and dates for a language (British English for any other). */
export const intlLocale = (code: string): string => languageOf(code)?.intl ?? 'en-GB'

/**
 * The language a page for one wave is in when a person asks for `requested` (a poster's ?lang=): that
 * one when the wave offers it, otherwise the wave's first language the product speaks, English last.
 */
export function offeredLocale(offered: readonly string[], requested: unknown): Locale {
  if (isLocale(requested) && offered.includes(requested)) return requested
  return offered.find(isLocale) ?? 'en'
}
