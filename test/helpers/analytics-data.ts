// Responses for the import API that give every data-driven analysis something to find: six units
// whose staff climate rises from the first to the last, customers whose verdict (the headline) rests
// mostly on two items, "easy" and "promises", and a customer mood that follows the unit's staff
// climate; staff predict customers (for a wave whose `predictions` are 'all'), most optimistic in the
// first unit and closest in the last. Seeded, so every run (and both databases) get the same answers.
import { seededRandom } from '../../server/domain/analytics/random.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'

export const ANALYTICS_UNITS = ['Harbour Street', 'Riverside', 'Station', 'Market <Hall>', 'Airport', 'Online']
export const STAFF_PER_UNIT = 25
export const CUSTOMERS_PER_UNIT = 40

const ITEMS = SERVICE_GAP_INDEX_V1.items
const HEADLINE = ITEMS.find((item) => item.headline)!.key
const PREDICTORS = ITEMS.filter((item) => !item.headline).map((item) => item.key)
/** What customers' verdict rests on: the weight of each predictor (the rest share a little). */
const VERDICT: Record<string, number> = { easy: 0.55, promises: 0.35, trust: 0.1 }

const clamp = (value: number) => Math.min(5, Math.max(1, Math.round(value)))

/** How far each unit's staff overrate customers' agreement when they predict it (a share). */
const OPTIMISM = [0.4, 0.15, 0.25, 0.1, 0.2, 0.02]

type Row = { side: 'staff' | 'customer'; unit: string; answers: Record<string, number>; predictions?: Record<string, number> }

/** The rows; with `predictions`, each staff row predicts every item (out of 10 customers). */
export function analyticsResponses(options: { predictions?: boolean; seed?: number } = {}): Row[] {
  const { predictions = false, seed = 14 } = options
  const random = seededRandom(seed)
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  const rows: Row[] = []
  ANALYTICS_UNITS.forEach((unit, u) => {
    const climate = 0.35 + 0.1 * u
    for (let i = 0; i < STAFF_PER_UNIT; i++) {
      const answers: Record<string, number> = {}
      for (const item of ITEMS) answers[item.key] = random() < climate ? 4 + Math.floor(random() * 2) : 1 + Math.floor(random() * 3)
      const guess = (key: string) => Math.min(10, Math.max(0, Math.round(10 * (0.1 + 0.1 * u + OPTIMISM[u]! + (VERDICT[key] ?? 0) * 0.2) + normal())))
      rows.push({ side: 'staff', unit, answers, ...(predictions ? { predictions: Object.fromEntries(ITEMS.map((item) => [item.key, guess(item.key)])) } : {}) })
    }
    const mood = -0.9 + 0.3 * u
    for (let i = 0; i < CUSTOMERS_PER_UNIT; i++) {
      const person = mood + normal() * 0.6
      const answers: Record<string, number> = {}
      for (const key of PREDICTORS) answers[key] = clamp(3 + person + normal())
      const verdict = PREDICTORS.reduce((sum, key) => sum + (VERDICT[key] ?? 0) * (answers[key]! - 3), 0)
      answers[HEADLINE] = clamp(3 + 1.2 * verdict + 0.5 * normal())
      rows.push({ side: 'customer', unit, answers })
    }
  })
  return rows
}
