// The product's words as the admin pages print them, in one place: each side's name and each
// language's name in itself.
import { LANGUAGES, languageOf, type Locale } from './languages.js'
import type { Side } from './types.js'

/** One side's name for one person or row, e.g. a contact's side. */
export const SIDE_NAMES: Readonly<Record<Side, string>> = Object.freeze({ staff: 'Staff', customer: 'Customer' })

/** A side as a group of people, e.g. a report's heading. */
export const SIDE_GROUP_NAMES: Readonly<Record<Side, string>> = Object.freeze({ staff: 'Staff', customer: 'Customers' })

/** Each language's name in that language, as a respondent looks for it. */
export const LANGUAGE_NAMES: Readonly<Record<Locale, string>> = Object.freeze(Object.fromEntries(LANGUAGES.map((l) => [l.code, l.endonym])) as Record<Locale, string>)

/** A language's name, or its code when it is not one the product speaks. */
export const languageName = (code: string): string => languageOf(code)?.endonym ?? code

/** A side's name, or the value itself when it is not a side. */
export const sideName = (value: string): string => (Object.hasOwn(SIDE_NAMES, value) ? SIDE_NAMES[value as Side] : value)


/** The board pack's file name for a wave, safe in a Content-Disposition header (the download and the digest's attachment). */
export const packFileName = (wave: string) => `${wave.normalize('NFKD').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'wave'}-board-pack.pdf`
