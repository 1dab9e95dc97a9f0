// Staff predictions of what customers say (design §4, "Staff predict the customer"). A prediction is an
// answer of the staff response like any other, 0 … 10 ("out of 10 of our customers, how many would
// agree"), kept under the item key `predict:<key>`: item keys are [a-z][a-z0-9_]*, so the colon can
// never meet a real item. Which items are predicted is the wave's choice (PredictionMode).
import type { PredictionMode } from './types.js'

export const PREDICTION_PREFIX = 'predict:'

/** The answer key of the prediction for an item. */
export const predictionKey = (itemKey: string) => `${PREDICTION_PREFIX}${itemKey}`

/** The item a prediction answer key is about, or null when the key is not a prediction's. */
export function predictedItemOf(answerKey: string): string | null {
  return answerKey.startsWith(PREDICTION_PREFIX) ? answerKey.slice(PREDICTION_PREFIX.length) : null
}

/** Whether staff predict an item under a mode: the headline under 'headline', every item under 'all'. */
export function isPredicted(mode: PredictionMode, item: { headline: boolean }): boolean {
  return mode === 'all' || (mode === 'headline' && item.headline)
}

/** The items staff predict, in the order given. */
export function predictedItems<T extends { headline: boolean }>(mode: PredictionMode, items: readonly T[]): T[] {
  return items.filter((item) => isPredicted(mode, item))
}

/** The lowest and highest prediction: how many out of 10 customers would agree. */
export const PREDICTION_MIN = 0
export const PREDICTION_MAX = 10
