// Responses for the import API that give every data-driven analysis something to find: six units
// whose staff climate rises from the first to the last, customers whose verdict (the headline) rests
// mostly on two items, "easy" and "promises", and a customer mood that follows the unit's staff
// climate. Seeded, so every run (and both databases) get the same answers.
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

type Row = { side: 'staff' | 'customer'; unit: string; answers: Record<string, number> }

export function analyticsResponses(seed = 14): Row[] {
  const random = seededRandom(seed)
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  const rows: Row[] = []
  ANALYTICS_UNITS.forEach((unit, u) => {
    const climate = 0.35 + 0.1 * u
    for (let i = 0; i < STAFF_PER_UNIT; i++) {
      const answers: Record<string, number> = {}
      for (const item of ITEMS) answers[item.key] = random() < climate ? 4 + Math.floor(random() * 2) : 1 + Math.floor(random() * 3)
      rows.push({ side: 'staff', unit, answers })
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
