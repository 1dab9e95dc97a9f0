// Seeded data sets for the outside checks of the leadership analytics (test/routes/analytics-reference.test.ts):
// a realistic wave (seven units, correlated customer answers with "not applicable", staff with
// predictions of every item) and one whose driver weights are known in closed form (orthogonal
// predictors, from a 12-run Plackett–Burman design).
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import type { PostedRow } from './reference-analytics.js'
import { xorshift } from './reference-numerics.js'

export const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
export const HEADLINE = SERVICE_GAP_INDEX_V1.items.find((item) => item.headline)!.key
export const PREDICTORS = KEYS.filter((key) => key !== HEADLINE)

/** Per unit: how customers feel (latent mean), staff climate, staff optimism about customers (share points /100), staff with gaps in their answers. */
export const UNITS = [
  { name: 'Harbour', customers: 0.6, climate: 0.5, optimism: 0.0, gaps: false },
  { name: 'Hill', customers: -0.5, climate: -0.3, optimism: 0.25, gaps: false },
  { name: 'Market', customers: 0.1, climate: 0.1, optimism: 0.1, gaps: true },
  { name: 'Mill', customers: -0.2, climate: -0.1, optimism: 0.15, gaps: false },
  { name: 'Quay', customers: 0.3, climate: 0.2, optimism: 0.05, gaps: true },
  { name: 'Station', customers: -0.8, climate: -0.5, optimism: 0.35, gaps: false },
  { name: 'Wharf', customers: 0.0, climate: 0.3, optimism: -0.1, gaps: false },
]

/** How strongly each predictor carries the customer's general feeling, and how much it moves the headline. */
const LOADING: Record<string, number> = {
  want_to_help: 0.7, valued: 0.6, can_solve: 0.5, easy: 0.4, promises: 0.6, individual: 0.5,
  anticipates: 0.3, trust: 0.7, fit: 0.4, asks: 0.5, supported: 0.6,
}
const EFFECT: Record<string, number> = { easy: 0.55, can_solve: 0.35, promises: 0.3, valued: 0.15, trust: 0.1 }
/** Customers think better of these than staff do (a hidden strength: index 0, ranked by weight). */
const CUSTOMER_LIFT: Record<string, number> = { anticipates: 1.2, fit: 1.0 }

const clamp = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(x)))

function normal(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

/**
 * The realistic wave: 50 customers and 12 staff per unit, every staff row predicting every item. A
 * later wave moves each unit's customers by `lead` × its staff climate (staff climate leading).
 */
export function realisticWave(seed = 14, lead = 0): PostedRow[] {
  const random = xorshift(seed)
  const noise = normal(random)
  const rows: PostedRow[] = []
  UNITS.forEach((unit, u) => {
    const customers: PostedRow[] = []
    for (let i = 0; i < 50; i++) {
      const general = unit.customers + lead * unit.climate + noise()
      const latent = Object.fromEntries(PREDICTORS.map((key) => [key, LOADING[key]! * general + Math.sqrt(1 - LOADING[key]! ** 2) * noise()]))
      const answers: Record<string, number | null> = {}
      const drive = Object.entries(EFFECT).reduce((s, [key, b]) => s + b * latent[key]!, 0)
      answers[HEADLINE] = random() < 0.03 ? null : clamp(3.2 + 1.1 * drive + 0.5 * noise(), 1, 5)
      // One customer a unit answers nothing but the headline, so the drivers leave them out.
      const silent = i === 7
      for (const key of PREDICTORS) answers[key] = silent || random() < 0.06 ? null : clamp(3.1 + (CUSTOMER_LIFT[key] ?? 0) + 1.1 * latent[key]!, 1, 5)
      customers.push({ side: 'customer', unit: unit.name, answers })
    }
    const actual = (key: string) => {
      const values = customers.map((row) => row.answers[key]).filter((v): v is number => v !== null && v !== undefined)
      return values.filter((v) => v >= 4).length / values.length
    }
    for (let i = 0; i < 12; i++) {
      const answers: Record<string, number | null> = {}
      const predictions: Record<string, number | null> = {}
      const mood = unit.climate + 0.5 * noise()
      for (const key of KEYS) {
        answers[key] = unit.gaps && (i + key.length + u) % 9 === 0 ? null : clamp(3.7 + mood + 0.8 * noise(), 1, 5)
        // A few staff leave a prediction out, a few answer "I can't say".
        if ((i * 5 + key.length) % 23 !== 0) predictions[key] = clamp(10 * (actual(key) + unit.optimism + 0.12 * noise()), 0, 10)
        else if (i % 2 === 0) predictions[key] = null
      }
      rows.push({ side: 'staff', unit: unit.name, answers, predictions })
    }
    rows.push(...customers)
  })
  return rows
}

/** ±1 columns of the 12-run Plackett–Burman design: 11 balanced, mutually orthogonal columns. */
export function plackettBurman12(): number[][] {
  const generator = [1, 1, -1, 1, 1, 1, -1, -1, -1, 1, -1]
  const rows = Array.from({ length: 11 }, (_, shift) => generator.map((_, j) => generator[(j + shift) % 11]!))
  rows.push(generator.map(() => -1))
  return rows
}

/** 120 customers (the design ten times) whose predictors are exactly uncorrelated: raw weights are squared correlations. */
export function orthogonalCustomers(seed = 2000): PostedRow[] {
  const random = xorshift(seed)
  const noise = normal(random)
  const design = plackettBurman12()
  const effects = [0.9, 0.6, 0.4, -0.3, 0.2, 0, 0.1, 0, 0.5, 0, 0.05]
  return Array.from({ length: 10 }, (_, rep) => design.map((levels, r) => {
    const answers: Record<string, number | null> = {}
    PREDICTORS.forEach((key, j) => { answers[key] = levels[j]! > 0 ? 4 : 2 })
    answers[HEADLINE] = clamp(3 + levels.reduce((s, x, j) => s + effects[j]! * x, 0) + 0.7 * noise(), 1, 5)
    return { side: 'customer' as const, unit: UNITS[(rep + r) % UNITS.length]!.name, answers }
  })).flat()
}
