// The gap-drift rule (design §4 "Gap drift"): worked examples whose figures were computed apart from
// the product (Python, from the textbook formulas: Wilson intervals, MOVER for the change of a gap,
// Newcombe for the change of one share, the Wald z-test and Benjamini–Hochberg by hand), and
// properties that must hold for any counts.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { gapDrift, type DriftCell } from '../../server/domain/gap-drift.js'

const cell = (unitId: string, before: [number, number, number, number], now: [number, number, number, number]): DriftCell => ({
  unitId, itemKey: 'trust',
  before: { staff: { agree: before[0], n: before[1] }, customer: { agree: before[2], n: before[3] } },
  now: { staff: { agree: now[0], n: now[1] }, customer: { agree: now[2], n: now[3] } },
})

// Four cells, one family:
// - widened: staff 180/300 → 243/300, customers 144/300 → 150/300; gap +12 → +31, change +19.
//   MOVER from the four Wilson intervals: +8.27 to +29.56; se = √Σ p(1−p)/n = 0.05480, z = 3.467,
//   p = 0.000499; BH rank 1 of 4: q = 0.000499·4/1 = 0.001994.
// - fell: staff 30/40 → 31/40, customers 80/100 → 55/100. Customers' change −25, Newcombe −36.81 to
//   −12.08 (upper below −5); staff's +2.5, −15.99 to +20.79 (spans 0). The gap's change +27.5 has
//   q = 0.0164·4/2 = 0.0327 < 0.10 but its lower limit +4.94 is under the practical minimum: no drift.
// - steady: 30/40 → 30/40, 60/100 → 58/100; change +2, p = 0.867, q = 0.867.
// - small: 12/20 → 16/20, 10/20 → 8/20; change +30 but −10.66 to +66.46, p = 0.155, q = 0.155·4/3 = 0.2066.
const FAMILY = [
  cell('widened', [180, 300, 144, 300], [243, 300, 150, 300]),
  cell('fell', [30, 40, 80, 100], [31, 40, 55, 100]),
  cell('steady', [30, 40, 60, 100], [30, 40, 58, 100]),
  cell('small', [12, 20, 10, 20], [16, 20, 8, 20]),
]

describe('gap drift', () => {
  it('raises gap_drift where the gap widened clearly and by more than 5 points, and customers_fell where customers fell while staff did not move', () => {
    const alerts = gapDrift(FAMILY)
    expect(alerts.map((a) => `${a.unitId}:${a.rule}`)).toEqual(['widened:gap_drift', 'fell:customers_fell'])
    const [widened, fell] = alerts
    expect(widened!.figures.gap.before).toBeCloseTo(12, 9)
    expect(widened!.figures.gap.now).toBeCloseTo(31, 9)
    expect(widened!.figures.change.points).toBeCloseTo(19, 9)
    expect(widened!.figures.change.ci95[0]).toBeCloseTo(8.271561502807048, 8)
    expect(widened!.figures.change.ci95[1]).toBeCloseTo(29.559897807634528, 8)
    expect(widened!.figures.change.pValue).toBeCloseTo(0.0004986055671285822, 8)
    expect(widened!.figures.change.qValue).toBeCloseTo(0.001994422268514329, 8)
    expect(widened!.figures.staff).toMatchObject({ before: 0.6, now: 0.81 })
    expect(fell!.figures.customerChange.points).toBeCloseTo(-25, 9)
    expect(fell!.figures.customerChange.ci95[0]).toBeCloseTo(-36.81386585392884, 8)
    expect(fell!.figures.customerChange.ci95[1]).toBeCloseTo(-12.077418836091933, 8)
    expect(fell!.figures.staffChange.ci95[0]).toBeCloseTo(-15.993547933917174, 8)
    expect(fell!.figures.staffChange.ci95[1]).toBeCloseTo(20.791212633017246, 8)
    expect(fell!.figures.change.qValue).toBeCloseTo(0.0327290472749318, 8)
    expect(fell!.figures.change.ci95[0]).toBeCloseTo(4.938873717788741, 8)
  })

  it('takes its thresholds as parameters: a looser practical minimum lets the fallen unit drift too, a stricter q stops both', () => {
    expect(gapDrift(FAMILY, { minimumPoints: 4 }).map((a) => `${a.unitId}:${a.rule}`)).toEqual(['widened:gap_drift', 'fell:gap_drift', 'fell:customers_fell'])
    expect(gapDrift(FAMILY, { q: 0.001 }).filter((a) => a.rule === 'gap_drift')).toEqual([])
  })

  it('corrects for the number of cells compared: the fallen unit alone would be q = p = 0.0164, with three more q = 0.0327', () => {
    const alone = gapDrift([FAMILY[1]!], { minimumPoints: 4 })
    expect(alone.find((a) => a.rule === 'gap_drift')!.figures.change.qValue).toBeCloseTo(0.0163645236374659, 8)
  })

  it('leaves out a cell with an empty side, and it does not count in the family', () => {
    const withEmpty = [...FAMILY, cell('empty', [0, 0, 10, 20], [5, 10, 1, 20])]
    expect(gapDrift(withEmpty)).toEqual(gapDrift(FAMILY))
  })

  it('never raises gap_drift for a narrowing gap nor customers_fell when customers rose (any counts)', () => {
    const side = fc.integer({ min: 1, max: 200 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)))
    const arbitraryCell = fc.tuple(side, side, side, side).map(([s0, c0, s1, c1]) => cell('u', [s0[0], s0[1], c0[0], c0[1]], [s1[0], s1[1], c1[0], c1[1]]))
    fc.assert(fc.property(fc.array(arbitraryCell, { minLength: 1, maxLength: 6 }), (cells) => {
      for (const alert of gapDrift(cells)) {
        const f = alert.figures
        if (alert.rule === 'gap_drift') {
          expect(f.change.points).toBeGreaterThan(5)
          expect(f.change.ci95[0]).toBeGreaterThan(5)
          expect(f.change.qValue).toBeLessThan(0.1)
          // BH never lowers a p-value (up to rounding: p·m/m need not give p back exactly).
          expect(f.change.qValue).toBeGreaterThanOrEqual(f.change.pValue * (1 - 1e-12))
        } else {
          expect(f.customer.now).toBeLessThan(f.customer.before - 0.05)
          expect(f.staffChange.ci95[0]).toBeLessThanOrEqual(0)
          expect(f.staffChange.ci95[1]).toBeGreaterThanOrEqual(0)
        }
      }
    }), { numRuns: 300 })
  })

  it('gives the same alerts whatever the order of the cells (BH does not depend on it)', () => {
    const key = (a: { unitId: string; rule: string }) => `${a.unitId}:${a.rule}`
    fc.assert(fc.property(fc.shuffledSubarray(FAMILY, { minLength: FAMILY.length }), (shuffled) => {
      expect(gapDrift(shuffled).map(key).sort()).toEqual(gapDrift(FAMILY).map(key).sort())
    }), { numRuns: 50 })
  })
})
