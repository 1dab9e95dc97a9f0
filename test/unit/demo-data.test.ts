// The demo's model (server/cli/demo-data.ts): its normal distribution against known values, and the
// promises the demo makes to the analytics: enough customers everywhere, predictions where asked.
import { describe, expect, it } from 'vitest'
import { normalCdf, normalQuantile, PREDICTIONS, QUARTERS, responsesFor, UNITS } from '../../server/cli/demo-data.js'
import { seededRandom } from '../../server/domain/analytics/random.js'
import { predictionKey } from '../../server/domain/predictions.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'

describe('the normal distribution of the demo model', () => {
  it('matches tabulated values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7)
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 6)
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 6)
  })
  it('inverts', () => {
    for (const p of [0.09, 0.18, 0.5, 0.61, 0.975]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6)
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5)
  })
})

describe('a demo wave', () => {
  const unitIds = UNITS.map((_, i) => `unit-${i}`)
  const headline = SERVICE_GAP_INDEX_V1.items.find((item) => item.headline)!
  it.each(QUARTERS.map((_, q) => q))('quarter %i has enough customers for the drivers in the wave and in every unit, and predictions as asked', (quarter) => {
    const rows = responsesFor(quarter, unitIds, seededRandom(2026 + quarter))
    const customers = rows.filter((row) => row.side === 'customer')
    expect(customers.length).toBeGreaterThanOrEqual(1000)
    for (const unitId of unitIds) expect(customers.filter((row) => row.unitId === unitId).length).toBeGreaterThanOrEqual(110)
    const staff = rows.filter((row) => row.side === 'staff')
    const predicted = (key: string) => staff.some((row) => Object.hasOwn(row.answers, predictionKey(key)))
    expect(predicted(headline.key)).toBe(true)
    for (const item of SERVICE_GAP_INDEX_V1.items.filter((i) => !i.headline)) expect(predicted(item.key)).toBe(PREDICTIONS[quarter] === 'all')
    for (const row of staff) {
      for (const [key, value] of Object.entries(row.answers)) {
        if (key.startsWith('predict:') && value !== null) expect(value >= 0 && value <= 10 && Number.isInteger(value)).toBe(true)
      }
    }
  })
  it('tells the delivery gap: staff agree with the headline far more often than customers', () => {
    const rows = responsesFor(3, unitIds, seededRandom(7))
    const share = (side: string) => {
      const values = rows.filter((row) => row.side === side).map((row) => row.answers[headline.key]).filter((v): v is number => v !== null && v !== undefined)
      return values.filter((v) => v >= 4).length / values.length
    }
    expect(share('staff')).toBeGreaterThan(0.7)
    expect(share('customer')).toBeLessThan(0.25)
  })
})
