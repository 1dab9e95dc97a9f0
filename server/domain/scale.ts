// The answer scales, defined once: their values, their length, where agreement starts and where a
// value sits in a distribution. The survey form, the checks on imported answers, the report's
// distributions and the SQL that counts agreement all derive from here.
import type { Scale } from './types.js'

export const SCALES: readonly Scale[] = ['agree5', 'likelihood11']

const RANGE: Record<Scale, { lowest: number; highest: number; agreeFrom: number }> = {
  // The top two boxes of 1–5 agree; on 0–10, 9 and 10 do (the promoters).
  agree5: { lowest: 1, highest: 5, agreeFrom: 4 },
  likelihood11: { lowest: 0, highest: 10, agreeFrom: 9 },
}

/** The lowest value of a scale: index 0 of its distribution. */
export const lowestValue = (scale: Scale): number => RANGE[scale].lowest

export const highestValue = (scale: Scale): number => RANGE[scale].highest

/** How many points the scale has: the length of its distribution. */
export const scaleLength = (scale: Scale): number => RANGE[scale].highest - RANGE[scale].lowest + 1

/** The values of a scale, lowest first. */
export function scaleValues(scale: Scale): number[] {
  return Array.from({ length: scaleLength(scale) }, (_, index) => RANGE[scale].lowest + index)
}

/** Every scale's values, for a page that prints them. */
export const SCALE_VALUES: Readonly<Record<Scale, readonly number[]>> = Object.freeze({
  agree5: Object.freeze(scaleValues('agree5')),
  likelihood11: Object.freeze(scaleValues('likelihood11')),
})

/** The values that count as agreeing are this and above. */
export const agreeThreshold = (scale: Scale): number => RANGE[scale].agreeFrom

/** Whether a number is one of the scale's values. */
export const isOnScale = (scale: Scale, value: number): boolean =>
  Number.isInteger(value) && value >= RANGE[scale].lowest && value <= RANGE[scale].highest

/** Where a value sits in the scale's distribution (0 for the lowest), or null when it is not on the scale. */
export const scaleIndex = (scale: Scale, value: number): number | null =>
  isOnScale(scale, value) ? value - RANGE[scale].lowest : null

/**
 * The scale a dimension's figures are counted on. A respondent's dimension score is the mean of their
 * answered items in it, and "agrees" means that mean reaches where agreement starts on this scale, so
 * only items of this scale can be averaged into it: a 0–10 item sits in its dimension for the reader
 * (its own item result, its unit and trend rows) but adds nothing to the dimension's n, agree or mean.
 * Rescaling 0–10 onto 1–5 was rejected: an 8 would become 4.2 and agree on the dimension while it does
 * not agree on its own item (only 9 and 10 do). A dimension with no 1–5 item has no dimension result.
 */
export const DIMENSION_SCALE: Scale = 'agree5'

/** A respondent agrees on a dimension when the mean of their answered 1–5 items in it is at least this (4.0). */
export const DIMENSION_AGREE_MEAN = agreeThreshold(DIMENSION_SCALE)
