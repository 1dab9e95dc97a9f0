// The demo's responses, drawn from a small model of a company so that every view of the report tells a
// story that is true of the data behind it:
// - The delivery gap: most staff think customers get excellent service, few customers agree, and it
//   slowly improves quarter by quarter.
// - What drives customers: each customer has a latent view of each item (a shared impression plus the
//   item's own part), and their overall verdict rests mostly on ease and on promises kept, with solving
//   problems behind them: not on the goodwill and trust staff are proudest of.
// - Do staff know their customers: staff predict "out of 10 customers, how many agree" from a blend of
//   what customers really say and what they think themselves, plus some optimism. Phone support hears
//   customers all day and knows them; the delivery team never meets them and is the most optimistic.
// - Does climate move customers: each unit's customers feel the staff climate of the quarter before
//   (customers' latent view moves with the climate one wave later), so climate and customers go together
//   across units and the climate leads.
import type { PredictionMode } from '../domain/types.js'
import type { Answers, ImportedResponse } from '../domain/responses.js'
import { SERVICE_GAP_INDEX_V1 } from '../domain/service-gap-index.js'
import { isPredicted, predictionKey } from '../domain/predictions.js'

export const QUARTERS = ['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4']
/** What each wave asks staff to predict: the headline at first, every item once the company wants the detail. */
export const PREDICTIONS: PredictionMode[] = ['headline', 'headline', 'all', 'all']

/** How likely each side is to agree with each item before unit and quarter effects. */
const BASE: Record<string, { staff: number; customer: number }> = {
  excellent_service: { staff: 0.8, customer: 0.09 },
  want_to_help: { staff: 0.86, customer: 0.34 },
  valued: { staff: 0.78, customer: 0.22 },
  can_solve: { staff: 0.74, customer: 0.41 },
  easy: { staff: 0.62, customer: 0.18 },
  promises: { staff: 0.81, customer: 0.29 },
  individual: { staff: 0.77, customer: 0.16 },
  anticipates: { staff: 0.58, customer: 0.12 },
  trust: { staff: 0.83, customer: 0.61 },
  fit: { staff: 0.71, customer: 0.52 },
  asks: { staff: 0.49, customer: 0.11 },
  supported: { staff: 0.38, customer: 0.47 },
}

/** How much of customers' overall verdict rests on their view of each item (the latent model's weights). */
const VERDICT: Record<string, number> = { easy: 0.55, promises: 0.45, can_solve: 0.22, individual: 0.1 }
const OTHER_ITEMS_VERDICT = 0.04
/** How much of a customer's view of any item is one shared impression (the rest is the item's own). */
const SHARED_IMPRESSION = 0.45
/** The share of the verdict's variance the items explain, before rounding to a 5-point answer. */
const VERDICT_EXPLAINED = 0.6
/** Customers' quarterly improvement shared by every unit (probit units). */
const CUSTOMER_DRIFT = 0.1
/**
 * How a unit's customers follow its staff climate: each wave they keep CUSTOMER_MEMORY of where they
 * stood and move the rest of the way towards CLIMATE_TO_CUSTOMERS × the climate of the wave before
 * (probit units per point of staff agreement).
 */
const CLIMATE_TO_CUSTOMERS = 5
const CUSTOMER_MEMORY = 0.3

export interface UnitStory {
  name: string
  /** Staff climate each quarter: added to every staff item's chance of agreeing. */
  climate: [number, number, number, number]
  /** The climate in the quarters before the first wave, which customers in the first wave have come to feel. */
  before: number
  /** 0 … 1: how closely staff predictions follow what customers really say, rather than staff's own view. */
  knows: number
  /** Added to what staff predict, beyond their own view. */
  optimism: number
  /** Customers a wave, about (each wave draws a few more or fewer). */
  customerCount: number
}

export const UNITS: UnitStory[] = [
  { name: 'Harbour Street store', before: 0.0, climate: [0.04, 0.09, 0.05, 0.1], knows: 0.45, optimism: 0.05, customerCount: 340 },
  { name: 'Riverside store', before: 0.02, climate: [-0.02, -0.07, 0.01, 0], knows: 0.35, optimism: 0.06, customerCount: 300 },
  { name: 'Online shop', before: -0.1, climate: [-0.08, 0, 0.02, -0.04], knows: 0.3, optimism: 0.08, customerCount: 420 },
  // Phone support hears customers all day: they know what customers think.
  { name: 'Phone support', before: 0.08, climate: [0.06, 0.05, -0.02, 0.06], knows: 0.92, optimism: 0.01, customerCount: 360 },
  // The delivery team never meets a customer and believes they are delighted.
  { name: 'Delivery team', before: -0.09, climate: [-0.12, -0.1, -0.02, 0.04], knows: 0, optimism: 0.12, customerCount: 300 },
  { name: 'Trade counter', before: 0.05, climate: [0.02, -0.04, -0.05, -0.09], knows: 0.4, optimism: 0.05, customerCount: 280 },
]

const COMMENTS = {
  staff: [
    'Give us the stock system on the shop floor so we stop saying "I will check and call you back".',
    'We are too few on Saturdays; customers wait and we rush.',
    'Let us refund small amounts without asking a manager.',
    'Ask customers what they think more often, not only when they complain.',
    'Training on the new products came after the launch, not before.',
    'The delivery promise on the website is shorter than what we can do.',
  ],
  customer: [
    'The person at the counter was kind but could not tell me when my order would arrive.',
    'I had to explain my problem three times to three different people.',
    'Delivery was late again and nobody told me.',
    'Friendly staff, but the returns process takes far too long.',
    'Nobody has ever asked me what I need before today.',
    'Quick, helpful, knew exactly what I meant. More of this please.',
    'The website said it was in stock; the store said it was not.',
  ],
}

/** The standard normal distribution function (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2
  const t = 1 / (1 + 0.3275911 * x)
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x)
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2
}

/** Its inverse, by bisection: the demo needs a dozen of them, so exactness beats speed. */
export function normalQuantile(p: number): number {
  let low = -8
  let high = 8
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2
    if (normalCdf(mid) < p) low = mid
    else high = mid
  }
  return (low + high) / 2
}

/** A standard normal draw (Box–Muller) from a uniform generator. */
function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value))

/** A staff answer: agrees with the given chance, otherwise disagrees or is unsure; 3 % "not applicable". */
function staffAnswer(rand: () => number, agreeProbability: number): number | null {
  const r = rand()
  if (r < 0.03) return null
  if (rand() < clamp(agreeProbability, 0.02, 0.97)) return rand() < 0.45 ? 5 : 4
  const low = rand()
  return low < 0.2 ? 1 : low < 0.55 ? 2 : 3
}

/** A customer's latent view on the 5-point scale: above 0 agrees; 3 % "not applicable". */
function customerAnswer(rand: () => number, latent: number): number | null {
  if (rand() < 0.03) return null
  if (latent > 0) return latent > 0.8 ? 5 : 4
  return latent < -1.3 ? 1 : latent < -0.55 ? 2 : 3
}

const ITEMS = SERVICE_GAP_INDEX_V1.items
const HEADLINE = ITEMS.find((item) => item.headline)!
const PREDICTORS = ITEMS.filter((item) => !item.headline)
/** Each item's customer threshold: its base share is the chance a latent view of mean 0 clears it. */
const CUSTOMER_MEAN = new Map(ITEMS.map((item) => [item.key, normalQuantile(BASE[item.key]!.customer)]))
const VERDICT_WEIGHTS = PREDICTORS.map((item) => VERDICT[item.key] ?? OTHER_ITEMS_VERDICT)
/** The spread of the weighted sum of item views, so the verdict can be scaled back to a standard normal. */
const VERDICT_SPREAD = (() => {
  const shared = SHARED_IMPRESSION ** 2 * VERDICT_WEIGHTS.reduce((sum, w) => sum + w, 0) ** 2
  const own = (1 - SHARED_IMPRESSION ** 2) * VERDICT_WEIGHTS.reduce((sum, w) => sum + w * w, 0)
  return Math.sqrt(shared + own)
})()

/** How a unit's customers stand in a quarter (probit units): the climate they felt, remembered over the waves, plus the drift. */
export function customerLevel(unit: UnitStory, quarter: number): number {
  let level = CLIMATE_TO_CUSTOMERS * unit.before
  for (let q = 0; q < quarter; q++) level = CUSTOMER_MEMORY * level + (1 - CUSTOMER_MEMORY) * CLIMATE_TO_CUSTOMERS * unit.climate[q]!
  return level + CUSTOMER_DRIFT * quarter
}

/** The share of a unit's customers who agree with an item, as the model has it (what well-informed staff would predict). */
export function customerShare(unit: UnitStory, quarter: number, itemKey: string): number {
  return normalCdf(CUSTOMER_MEAN.get(itemKey)! + customerLevel(unit, quarter))
}

/** The chance a unit's staff agree with an item (their own view of the service). */
export const staffShare = (unit: UnitStory, quarter: number, itemKey: string) => BASE[itemKey]!.staff + unit.climate[quarter]! + quarter * 0.005

function customer(rand: () => number, unit: UnitStory, quarter: number): Answers {
  const level = customerLevel(unit, quarter)
  const impression = normal(rand)
  const own = Math.sqrt(1 - SHARED_IMPRESSION ** 2)
  const answers: Answers = {}
  let verdict = 0
  PREDICTORS.forEach((item, i) => {
    const view = SHARED_IMPRESSION * impression + own * normal(rand)
    verdict += VERDICT_WEIGHTS[i]! * view
    answers[item.key] = customerAnswer(rand, CUSTOMER_MEAN.get(item.key)! + level + view)
  })
  // The verdict: the weighted views scaled to explain VERDICT_EXPLAINED of a standard normal, plus the unexplained rest.
  const explained = Math.sqrt(VERDICT_EXPLAINED) * (verdict / VERDICT_SPREAD)
  const rest = Math.sqrt(1 - VERDICT_EXPLAINED) * normal(rand)
  answers[HEADLINE.key] = customerAnswer(rand, CUSTOMER_MEAN.get(HEADLINE.key)! + level + explained + rest)
  return answers
}

function staff(rand: () => number, unit: UnitStory, quarter: number, predictions: PredictionMode): Answers {
  const answers: Answers = {}
  for (const item of ITEMS) {
    // Staff stay about as confident whatever customers say.
    answers[item.key] = staffAnswer(rand, staffShare(unit, quarter, item.key) + (rand() - 0.5) * 0.06)
    if (isPredicted(predictions, item)) {
      const believed = unit.knows * customerShare(unit, quarter, item.key) + (1 - unit.knows) * staffShare(unit, quarter, item.key) + unit.optimism
      answers[predictionKey(item.key)] = rand() < 0.04 ? null : Math.round(10 * clamp(believed + 0.15 * normal(rand), 0, 1))
    }
  }
  return answers
}

/** One respondent of a unit in a quarter, with their attributes and now and then a comment. */
export function respondent(rand: () => number, side: 'staff' | 'customer', unit: UnitStory, unitId: string, quarter: number, predictions: PredictionMode): ImportedResponse {
  const pool = COMMENTS[side]
  return {
    side,
    unitId,
    attributes: side === 'customer'
      ? { tier: rand() < 0.7 ? 'standard' : rand() < 0.8 ? 'gold' : 'trade' }
      : { role: rand() < 0.65 ? 'frontline' : rand() < 0.7 ? 'back office' : 'manager' },
    answers: side === 'customer' ? customer(rand, unit, quarter) : staff(rand, unit, quarter, predictions),
    comment: rand() < 0.12 ? pool[Math.floor(rand() * pool.length)]! : null,
  }
}

/** One wave's responses, every unit, both sides. */
export function responsesFor(quarter: number, unitIds: readonly string[], rand: () => number): ImportedResponse[] {
  const rows: ImportedResponse[] = []
  UNITS.forEach((unit, u) => {
    for (const side of ['staff', 'customer'] as const) {
      const count = side === 'staff' ? 55 + Math.floor(rand() * 25) : Math.round(unit.customerCount * (0.9 + rand() * 0.2))
      for (let i = 0; i < count; i++) rows.push(respondent(rand, side, unit, unitIds[u]!, quarter, PREDICTIONS[quarter]!))
    }
  })
  return rows
}
