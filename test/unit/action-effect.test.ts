// The arithmetic of an action plan's effect (server/domain/action-effect.ts): worked examples whose
// answers were computed outside the product, edge cases, and properties on generated counts.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  differenceInDifferences, differenceOf, effectAt, meanChange, planEffectOf, shareChange, verdictOf,
  type Change, type Counted,
} from '../../server/domain/action-effect.js'

const near = (actual: number, expected: number, tolerance = 1e-9) => expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance)
const nearChange = (actual: { points: number; ci95: [number, number] } | null, expected: [number, number, number], tolerance = 1e-9) => {
  expect(actual).not.toBeNull()
  near(actual!.points, expected[0], tolerance)
  near(actual!.ci95[0], expected[1], tolerance)
  near(actual!.ci95[1], expected[2], tolerance)
}
const c = (agree: number, n: number): Counted => ({ agree, n })
const WAVE = { id: 'w1', name: '2026-Q4' }

describe('the change of a customer share (Newcombe 1998, method 10)', () => {
  it("reproduces Newcombe's published intervals (1998, Table II, method 10), in points", () => {
    // Newcombe RG (1998) Stat Med 17:873–890, Table II, method 10 (hybrid score), to four decimals:
    // 56/70 − 48/80 = 0.2000 [0.0524, 0.3339]; 9/10 − 3/10 = 0.6 [0.1705, 0.8090];
    // 5/56 − 0/29 = 0.0893 [−0.0381, 0.1926]; 0/10 − 0/20 = 0 [−0.1611, 0.2775]; 10/10 − 0/20 = 1 [0.6791, 1].
    // "Now" is the first share, "before" the second.
    nearChange(shareChange(c(48, 80), c(56, 70)), [20, 5.24, 33.39], 0.005)
    nearChange(shareChange(c(3, 10), c(9, 10)), [60, 17.05, 80.90], 0.005)
    nearChange(shareChange(c(0, 29), c(5, 56)), [8.93, -3.81, 19.26], 0.005)
    nearChange(shareChange(c(0, 20), c(0, 10)), [0, -16.11, 27.75], 0.005)
    nearChange(shareChange(c(0, 20), c(10, 10)), [100, 67.91, 100], 0.005)
  })

  it('gives the exact figures of an independent computation', () => {
    // Computed in Python from the closed-form Wilson interval (z = 1.959963984540054), then
    // L = d − √((p₁ − l₁)² + (u₀ − p₀)²), U = d + √((u₁ − p₁)² + (p₀ − l₀)²):
    // Wilson 10/20 = [0.2992980081982123, 0.7007019918017877], 16/20 = [0.5839825677481065, 0.9193423374202019].
    nearChange(shareChange(c(10, 20), c(16, 20)), [30, 0.5135928689325997, 53.35034967920655])
    nearChange(shareChange(c(12, 30), c(13, 30)), [3.3333333333333326, -20.48176144314428, 26.62769464609809])
  })

  it('handles the edges: one respondent, shares of 0 and 1, no respondents', () => {
    // 1 of 1 → 0 of 1: Wilson 0/1 = [0, w] and 1/1 = [1 − w, 1] with w = z²/(1 + z²) = 0.7934; so
    // L = −1 − √((0 − 0)² + (1 − 1)²) = −1 and U = −1 + √(w² + w²) = −1 + √2·w.
    const w = 1.959963984540054 ** 2 / (1 + 1.959963984540054 ** 2)
    nearChange(shareChange(c(1, 1), c(0, 1)), [-100, -100, (-1 + Math.sqrt(2) * w) * 100])
    // 0 of 5 both times: no change, an interval symmetric about it, as wide as Wilson 0/5 on each side.
    const u5 = 1.959963984540054 ** 2 / (5 + 1.959963984540054 ** 2)
    nearChange(shareChange(c(0, 5), c(0, 5)), [0, -u5 * 100, u5 * 100])
    nearChange(shareChange(c(5, 5), c(5, 5)), [0, -u5 * 100, u5 * 100])
    expect(shareChange(c(0, 0), c(3, 5))).toBeNull()
    expect(shareChange(c(3, 5), c(0, 0))).toBeNull()
  })
})

describe("the controls' mean change and the difference-in-differences (MOVER, Zou & Donner 2008)", () => {
  it('gives the exact figures of an independent computation', () => {
    // Python, as above: controls 12/30 → 13/30 and 20/40 → 22/40 change by
    // 3.3333 [−20.4818, 26.6277] and 5.0 [−16.1946, 25.5765]; their mean 4.1667 with
    // L = D̄ − √Σ(d−l)²/2 = −11.773606212514686, U = D̄ + √Σ(u−d)²/2 = 19.707093758157942; the unit's
    // 10/20 → 16/20 change minus it = 25.8333 with L = −7.497629444315592, U = 54.10577803845189.
    const controls = [shareChange(c(12, 30), c(13, 30))!, shareChange(c(20, 40), c(22, 40))!]
    nearChange(meanChange(controls), [4.166666666666669, -11.773606212514686, 19.707093758157942])
    const did = differenceInDifferences(shareChange(c(10, 20), c(16, 20)), controls)
    nearChange(did, [25.833333333333336, -7.497629444315592, 54.10577803845189])
    expect(did!.controls).toBe(2)
  })

  it('is null without controls or without the unit’s change', () => {
    expect(meanChange([])).toBeNull()
    expect(differenceInDifferences({ points: 5, ci95: [1, 9] }, [])).toBeNull()
    expect(differenceInDifferences(null, [{ points: 5, ci95: [1, 9] }])).toBeNull()
  })

  it('of hand-made intervals: distances combine in quadrature, divided by m', () => {
    // Two changes 10 [4, 18] and −2 [−5, 0]: mean 4, L = 4 − √(6² + 3²)/2 = 4 − √45/2, U = 4 + √(8² + 2²)/2 = 4 + √68/2.
    nearChange(meanChange([{ points: 10, ci95: [4, 18] }, { points: -2, ci95: [-5, 0] }]), [4, 4 - Math.sqrt(45) / 2, 4 + Math.sqrt(68) / 2])
    // 10 [4, 18] minus 4 [1, 6]: 6, L = 6 − √(6² + 2²) = 6 − √40, U = 6 + √(8² + 3²) = 6 + √73.
    nearChange(differenceOf({ points: 10, ci95: [4, 18] }, { points: 4, ci95: [1, 6] }), [6, 6 - Math.sqrt(40), 6 + Math.sqrt(73)])
  })
})

describe('the verdict (design §4)', () => {
  it('worked: customers up beyond chance and the gap narrowed', () => {
    // Customers 10/20 → 16/20 (CI from 0.51 up), staff 18/20 both times: the gap −30 points.
    const point = effectAt(WAVE, { before: { staff: c(18, 20), customer: c(10, 20) }, now: { staff: c(18, 20), customer: c(16, 20) } }, [])
    // Python: gap change −30 [−61.645166149107055, 6.4091460482449625] (MOVER over four Wilson intervals).
    nearChange(point.gapChange, [-30, -61.645166149107055, 6.4091460482449625])
    expect(point.verdict).toBe('worked')
  })

  it('worse: customers down beyond chance, whatever the gap', () => {
    const point = effectAt(WAVE, { before: { staff: c(18, 20), customer: c(16, 20) }, now: { staff: c(10, 20), customer: c(10, 20) } }, [])
    nearChange(point.customerChange, [-30, -53.35034967920655, -0.5135928689325997])
    expect(point.gapChange!.points).toBeLessThan(0)
    expect(point.verdict).toBe('worse')
  })

  it('no effect yet: the interval spans 0; or customers rose while the gap widened or is hidden', () => {
    expect(effectAt(WAVE, { before: { staff: c(18, 20), customer: c(12, 30) }, now: { staff: c(18, 20), customer: c(13, 30) } }, []).verdict).toBe('no_effect_yet')
    // Customers 10/20 → 16/20 but staff 10/20 → 20/20: the gap widened by 20 points.
    const widened = effectAt(WAVE, { before: { staff: c(10, 20), customer: c(10, 20) }, now: { staff: c(20, 20), customer: c(16, 20) } }, [])
    expect(widened.gapChange!.points).toBeCloseTo(20, 9)
    expect(widened.verdict).toBe('no_effect_yet')
    const staffHidden = effectAt(WAVE, { before: { staff: null, customer: c(10, 20) }, now: { staff: c(18, 20), customer: c(16, 20) } }, [])
    expect(staffHidden.gapChange).toBeNull()
    expect(staffHidden.customerChange).not.toBeNull()
    expect(staffHidden.verdict).toBe('no_effect_yet')
  })

  it('none while the customer change is hidden, and then no difference-in-differences either', () => {
    const controls = [{ before: c(12, 30), now: c(13, 30) }]
    for (const unit of [
      { before: { staff: c(18, 20), customer: null }, now: { staff: c(18, 20), customer: c(16, 20) } },
      { before: { staff: c(18, 20), customer: c(10, 20) }, now: { staff: c(18, 20), customer: null } },
    ]) {
      expect(effectAt(WAVE, unit, controls)).toEqual({ wave: WAVE, customerChange: null, gapChange: null, differenceInDifferences: null, verdict: null })
    }
    expect(verdictOf(null, { points: -10, ci95: [-20, -1] })).toBeNull()
  })

  it("the plan's verdict is the latest judged wave's, null before any later wave or when none can be judged", () => {
    const since = { id: 'w0', name: '2026-Q3' }
    expect(planEffectOf(since, [])).toEqual({ since, points: [], verdict: null })
    const worked = effectAt(WAVE, { before: { staff: c(18, 20), customer: c(10, 20) }, now: { staff: c(18, 20), customer: c(16, 20) } }, [])
    const hidden = effectAt({ id: 'w2', name: '2027-Q1' }, { before: { staff: c(18, 20), customer: c(10, 20) }, now: { staff: null, customer: null } }, [])
    // A wave just opened, its customers still hidden, keeps the verdict the wave before it gave.
    expect(planEffectOf(since, [worked, hidden]).verdict).toBe('worked')
    expect(planEffectOf(since, [hidden, worked]).verdict).toBe('worked')
    expect(planEffectOf(since, [hidden]).verdict).toBeNull()
    const worse = effectAt({ id: 'w3', name: '2027-Q2' }, { before: { staff: c(18, 20), customer: c(16, 20) }, now: { staff: c(18, 20), customer: c(4, 20) } }, [])
    expect(worse.verdict).toBe('worse')
    expect(planEffectOf(since, [worked, worse, hidden]).verdict, 'the latest judged, not the best').toBe('worse')
  })
})

// ---------------------------------------------------------------------------------------------
// Properties

const counts = fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 5000 }))
  .chain((n) => fc.record({ n: fc.constant(n), agree: fc.oneof(fc.constant(0), fc.constant(n), fc.integer({ min: 0, max: n })) }))
const pair = fc.record({ before: counts, now: counts })
const change: fc.Arbitrary<Change> = fc.record({
  points: fc.double({ min: -100, max: 100, noNaN: true }),
  below: fc.double({ min: 0, max: 100, noNaN: true }),
  above: fc.double({ min: 0, max: 100, noNaN: true }),
}).map(({ points, below, above }) => ({ points, ci95: [points - below, points + above] }))
const EPS = 1e-9
const contains = (x: Change) => {
  expect(x.ci95[0]).toBeLessThanOrEqual(x.points + EPS)
  expect(x.ci95[1]).toBeGreaterThanOrEqual(x.points - EPS)
}

describe('properties of the effect, for any counts', () => {
  it('every interval contains its estimate, and the customer change lies within ±100 points', () => {
    fc.assert(fc.property(pair, fc.array(pair, { maxLength: 6 }), pair, (unit, controls, staff) => {
      const point = effectAt(WAVE, { before: { staff: staff.before, customer: unit.before }, now: { staff: staff.now, customer: unit.now } }, controls)
      for (const x of [point.customerChange!, point.gapChange!]) contains(x)
      expect(point.customerChange!.ci95[0]).toBeGreaterThanOrEqual(-100 - EPS)
      expect(point.customerChange!.ci95[1]).toBeLessThanOrEqual(100 + EPS)
      if (controls.length === 0) expect(point.differenceInDifferences).toBeNull()
      else {
        contains(point.differenceInDifferences!)
        expect(point.differenceInDifferences!.controls).toBe(controls.length)
      }
    }))
  })

  it('swapping the waves flips the change and its interval', () => {
    fc.assert(fc.property(pair, ({ before, now }) => {
      const forward = shareChange(before, now)!
      const back = shareChange(now, before)!
      expect(Math.abs(forward.points + back.points)).toBeLessThanOrEqual(EPS)
      expect(Math.abs(forward.ci95[0] + back.ci95[1])).toBeLessThanOrEqual(EPS)
      expect(Math.abs(forward.ci95[1] + back.ci95[0])).toBeLessThanOrEqual(EPS)
    }))
  })

  it('swapping the unit and its single control flips the difference-in-differences', () => {
    fc.assert(fc.property(pair, pair, (a, b) => {
      const [da, db] = [shareChange(a.before, a.now)!, shareChange(b.before, b.now)!]
      const forward = differenceInDifferences(da, [db])!
      const back = differenceInDifferences(db, [da])!
      expect(Math.abs(forward.points + back.points)).toBeLessThanOrEqual(EPS)
      expect(Math.abs(forward.ci95[0] + back.ci95[1])).toBeLessThanOrEqual(EPS)
      expect(Math.abs(forward.ci95[1] + back.ci95[0])).toBeLessThanOrEqual(EPS)
    }))
  })

  it("equals the unit's change when the controls' change is 0 with zero width", () => {
    fc.assert(fc.property(change, fc.integer({ min: 1, max: 20 }), (unit, m) => {
      const still = Array.from({ length: m }, (): Change => ({ points: 0, ci95: [0, 0] }))
      const did = differenceInDifferences(unit, still)!
      expect(Math.abs(did.points - unit.points)).toBeLessThanOrEqual(EPS)
      expect(Math.abs(did.ci95[0] - unit.ci95[0])).toBeLessThanOrEqual(EPS)
      expect(Math.abs(did.ci95[1] - unit.ci95[1])).toBeLessThanOrEqual(EPS)
    }))
  })

  it('a mean of m copies keeps the estimate and narrows each side by √m; a mean of one is that one', () => {
    fc.assert(fc.property(change, fc.integer({ min: 1, max: 50 }), (x, m) => {
      const mean = meanChange(Array.from({ length: m }, () => x))!
      expect(Math.abs(mean.points - x.points)).toBeLessThanOrEqual(EPS)
      expect(Math.abs((mean.points - mean.ci95[0]) - (x.points - x.ci95[0]) / Math.sqrt(m))).toBeLessThanOrEqual(EPS)
      expect(Math.abs((mean.ci95[1] - mean.points) - (x.ci95[1] - x.points) / Math.sqrt(m))).toBeLessThanOrEqual(EPS)
    }))
    fc.assert(fc.property(change, (x) => {
      const one = meanChange([x])!
      expect(Math.abs(one.points - x.points)).toBeLessThanOrEqual(EPS)
      expect(Math.abs(one.ci95[0] - x.ci95[0]) + Math.abs(one.ci95[1] - x.ci95[1])).toBeLessThanOrEqual(EPS)
    }))
  })

  it('a unit changing exactly as its controls has a difference-in-differences of 0 whose interval holds 0', () => {
    fc.assert(fc.property(pair, fc.integer({ min: 1, max: 8 }), (p, m) => {
      const did = differenceInDifferences(shareChange(p.before, p.now), Array.from({ length: m }, () => shareChange(p.before, p.now)!))!
      expect(Math.abs(did.points)).toBeLessThanOrEqual(EPS)
      expect(did.ci95[0]).toBeLessThanOrEqual(EPS)
      expect(did.ci95[1]).toBeGreaterThanOrEqual(-EPS)
    }))
  })

  it('the verdict follows the rule exactly', () => {
    fc.assert(fc.property(fc.option(change), fc.option(change), (customer, gap) => {
      const verdict = verdictOf(customer, gap)
      const expected = !customer ? null : customer.ci95[0] > 0 && gap !== null && gap.points < 0 ? 'worked' : customer.ci95[1] < 0 ? 'worse' : 'no_effect_yet'
      expect(verdict).toBe(expected)
    }))
  })
})
