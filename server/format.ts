// How numbers and dates look on pages: one place, so every page says it the same way.
import { LOCALES } from './domain/languages.js'
import { languageName, SIDE_GROUP_NAMES } from './domain/names.js'
import type { Side } from './domain/types.js'
const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' })

export const date = (value: Date | null | undefined) => (value ? dateFormat.format(value) : '—')
export const dateTime = (value: Date | null | undefined) => (value ? dateTimeFormat.format(value) : '—')
/** yyyy-mm-dd, the value a date input expects. */
export const count = (n: number) => n.toLocaleString('en-GB')

export const side = (value: Side) => SIDE_GROUP_NAMES[value]
export const locale = languageName
/** Every language the product speaks, in the table's order (the pickers list them). */
export const locales = LOCALES

/** A share (0–1) as a whole percentage. */
export const percent = (share: number) => `${Math.round(share * 100)}%`
/** An interval of shares as "71–87%". */
export const percentRange = ([lo, hi]: [number, number]) => `${Math.round(lo * 100)}–${Math.round(hi * 100)}%`
/** Percentage points with a sign: "+72 pts", "−5 pts". */
export const points = (value: number) => `${signed(value, '±')} pts`
/** An interval in points, each limit signed as it reads once rounded: "+30 to +52", "−23 to 0". */
export const pointsRange = ([lo, hi]: [number, number]) => `${signed(lo, '')} to ${signed(hi, '')}`
/** A whole number of points with its sign decided after rounding, so that −0.3 reads "0", never "−0". */
function signed(value: number, zero: string) {
  const whole = Math.round(Math.abs(value)) * Math.sign(value)
  return whole > 0 ? `+${whole}` : whole < 0 ? `−${-whole}` : `${zero}0`
}
/** A p- or q-value the way a reader expects: "< 0.001" rather than 1.2e-24. */
export const pValue = (value: number) => (value < 0.001 ? '< 0.001' : value.toFixed(3))
/**
 * A p- or q-value in plain words, for readers who do not read statistics; the exact value goes beside
 * it (a title, the tables). Thresholds: below 0.001 and below 0.05 (the report's significance level).
 */
export const chanceLevel = (value: number) => (value < 0.001 ? 'very_unlikely' as const : value < 0.05 ? 'unlikely' as const : 'could_be' as const)
const CHANCE = { very_unlikely: 'very unlikely to be chance', unlikely: 'unlikely to be chance', could_be: 'could be chance' } as const
export const chance = (value: number) => CHANCE[chanceLevel(value)]
export const mean = (value: number | null) => (value === null ? '—' : value.toFixed(2))
/** A signed decimal with a true minus: "0.62", "−0.12" (a correlation, a coefficient). */
export const decimal = (value: number, digits = 2) => {
  const text = Math.abs(value).toFixed(digits)
  return value < 0 && Number(text) !== 0 ? `−${text}` : text
}
export const decimalRange = ([lo, hi]: [number, number], digits = 2) => `${decimal(lo, digits)} to ${decimal(hi, digits)}`

const CLASSIFICATIONS: Record<string, string> = {
  blind_spot: 'Blind spot',
  hidden_strength: 'Hidden strength',
  shared_strength: 'Shared strength',
  shared_weakness: 'Shared weakness',
  aligned: 'Aligned',
  insufficient_data: 'Not enough answers',
}
export const classification = (value: string) => CLASSIFICATIONS[value] ?? value

const DIMENSIONS: Record<string, string> = {
  overall: 'Overall', attitude: 'Attitude', ability: 'Ability', structure: 'Structure', focus: 'Focus on the person',
  fit: 'Fit', listening: 'Listening', care: 'Care for staff',
}
export const dimension = (value: string) => DIMENSIONS[value] ?? value

/** Whole percentage points with a sign and a true minus, without the unit (a heat-map cell): "+72", "−5", "0". */
export const gapNumber = (value: number) => {
  const rounded = Math.round(Math.abs(value))
  return rounded === 0 ? '0' : `${value > 0 ? '+' : '−'}${rounded}`
}

/** A short label for an item key: "excellent_service" → "Excellent service". */
export const itemLabel = (key: string) => key.charAt(0).toUpperCase() + key.slice(1).replaceAll('_', ' ')
