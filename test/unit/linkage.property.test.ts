// Properties of the prediction and linkage statistics that must hold for any data, checked with
// fast-check: correlations bounded, symmetric and blind to affine (Pearson) or monotone (Spearman)
// changes of scale; ICC(2) ≥ ICC(1) when ICC(1) > 0; the MOVER interval around its estimate; the
// bootstrap reproducible from its seed; the cross-lag exact on noiseless data. The worked examples
// are in linkage.test.ts and prediction.test.ts.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { crossLagged, fisherInterval, icc, iccGroup, pearson, spearman } from '../../server/domain/analytics/linkage.js'
import { predictedShare, predictionError } from '../../server/domain/analytics/prediction.js'

const near = (actual: number, expected: number, tolerance = 1e-9) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance)

/** Paired integer samples of 2 … 40 values (integers keep ties common and sums exact). */
const pairs = fc.integer({ min: 2, max: 40 }).chain((n) => fc.tuple(
  fc.array(fc.integer({ min: -50, max: 50 }), { minLength: n, maxLength: n }),
  fc.array(fc.integer({ min: -50, max: 50 }), { minLength: n, maxLength: n }),
))

const nonZero = fc.oneof(fc.integer({ min: -20, max: -1 }), fc.integer({ min: 1, max: 20 }))

describe('correlations, for any data', () => {
  it('Pearson lies in [−1, 1], is symmetric, and is null exactly when a side is constant', () => {
    fc.assert(fc.property(pairs, ([x, y]) => {
      const r = pearson(x, y)
      const constant = (v: number[]) => v.every((e) => e === v[0])
      expect(r === null).toBe(constant(x) || constant(y))
      if (r === null) return
      expect(Math.abs(r)).toBeLessThanOrEqual(1)
      expect(pearson(y, x)).toBe(r)
    }))
  })

  it('Pearson is unchanged by a · x + b and c · y + d, up to the sign of a · c', () => {
    fc.assert(fc.property(pairs, nonZero, fc.integer({ min: -100, max: 100 }), nonZero, fc.double({ min: -5, max: 5, noNaN: true }),
      ([x, y], a, b, c, d) => {
        const r = pearson(x, y)
        fc.pre(r !== null)
        const moved = pearson(x.map((v) => a * v + b), y.map((v) => c * v + d))!
        near(moved, Math.sign(a * c) * r!)
      }))
  })

  it('Spearman lies in [−1, 1] and is unchanged by strictly increasing transforms', () => {
    fc.assert(fc.property(pairs, ([x, y]) => {
      const rho = spearman(x, y)
      fc.pre(rho !== null)
      expect(Math.abs(rho!)).toBeLessThanOrEqual(1)
      near(spearman(x.map((v) => v ** 3 + 7 * v), y.map((v) => Math.exp(v / 10)))!, rho!)
    }))
  })

  it('the Fisher interval contains r and lies in [−1, 1]', () => {
    fc.assert(fc.property(fc.double({ min: -1, max: 1, noNaN: true }), fc.integer({ min: 4, max: 10_000 }), (r, units) => {
      const [lower, upper] = fisherInterval(r, units)!
      expect(lower).toBeGreaterThanOrEqual(-1)
      expect(upper).toBeLessThanOrEqual(1)
      expect(lower).toBeLessThanOrEqual(r + 1e-15)
      expect(upper).toBeGreaterThanOrEqual(r - 1e-15)
    }))
  })
})

/** 2 … 8 units of 1 … 12 respondents, each scoring 0 … 10. */
const unitScores = fc.array(fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 12 }), { minLength: 2, maxLength: 8 })

describe('ICCs, for any units', () => {
  it('ICC(2) ≥ ICC(1) whenever ICC(1) > 0 and the average unit has more than one respondent', () => {
    fc.assert(fc.property(unitScores, (units) => {
      const result = icc(units.map(iccGroup))
      fc.pre(result !== null && result.icc1 > 0)
      const n = units.reduce((a, u) => a + u.length, 0)
      const kBar = (n - units.reduce((a, u) => a + u.length ** 2, 0) / n) / (units.length - 1)
      fc.pre(kBar > 1)
      expect(result!.icc2).toBeGreaterThanOrEqual(result!.icc1 - 1e-12)
      expect(result!.icc1).toBeLessThanOrEqual(1 + 1e-12)
    }))
  })

  it('do not change when every score is rescaled and shifted', () => {
    fc.assert(fc.property(unitScores, nonZero, fc.integer({ min: -10, max: 10 }), (units, a, b) => {
      const result = icc(units.map(iccGroup))
      fc.pre(result !== null)
      const moved = icc(units.map((u) => iccGroup(u.map((s) => a * s + b))))!
      near(moved.icc1, result!.icc1, 1e-8)
      near(moved.icc2, result!.icc2, 1e-8 * Math.max(1, Math.abs(result!.icc2)))
    }))
  })
})

/** Counts of the answers 0 … 10 from 2 … 200 staff. */
const distribution = fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 2, maxLength: 200 }).map((answers) => {
  const counts = new Array<number>(11).fill(0)
  for (const k of answers) counts[k]!++
  return counts
})
const customers = fc.integer({ min: 1, max: 5_000 }).chain((n) => fc.record({ n: fc.constant(n), agree: fc.integer({ min: 0, max: n }) }))

describe('predictions, for any answers', () => {
  it('the predicted share lies in its interval, inside [0, 1]', () => {
    fc.assert(fc.property(distribution, (counts) => {
      const predicted = predictedShare(counts)!
      expect(predicted.ci95[0]).toBeGreaterThanOrEqual(0)
      expect(predicted.ci95[0]).toBeLessThanOrEqual(predicted.share + 1e-15)
      expect(predicted.ci95[1]).toBeGreaterThanOrEqual(predicted.share - 1e-15)
      expect(predicted.ci95[1]).toBeLessThanOrEqual(1)
    }))
  })

  it('the MOVER interval contains the prediction error and lies within ±100 points', () => {
    fc.assert(fc.property(distribution, customers, (counts, customer) => {
      const error = predictionError(predictedShare(counts)!, customer)!
      expect(error.ci95[0]).toBeLessThanOrEqual(error.points + 1e-12)
      expect(error.ci95[1]).toBeGreaterThanOrEqual(error.points - 1e-12)
      expect(error.ci95[0]).toBeGreaterThanOrEqual(-100 - 1e-9)
      expect(error.ci95[1]).toBeLessThanOrEqual(100 + 1e-9)
    }))
  })
})

/** 5 … 20 units with shares at two waves. */
const share = fc.integer({ min: 0, max: 1000 }).map((k) => k / 1000)
const waves = fc.array(fc.record({ staff0: share, customer0: share, staff1: share, customer1: share }), { minLength: 5, maxLength: 20 })
const coefficient = fc.integer({ min: -20, max: 20 }).map((k) => k / 10)

describe('the cross-lag, for any units', () => {
  it('gives the same result for the same seed, and never NaN', () => {
    fc.assert(fc.property(waves, fc.integer({ min: 0, max: 2 ** 31 }), (units, seed) => {
      const first = crossLagged(units, { seed, replicates: 50 })
      expect(crossLagged(units, { seed, replicates: 50 })).toEqual(first)
      if (!first) return
      for (const value of [first.staffLeads.estimate, ...first.staffLeads.ci95, first.customersLead.estimate, ...first.customersLead.ci95]) {
        expect(Number.isFinite(value)).toBe(true)
      }
    }), { numRuns: 50 })
  })

  it('recovers the coefficients of noiseless data, in the estimate and in every replicate', () => {
    fc.assert(fc.property(waves, coefficient, coefficient, coefficient, coefficient, (units, a, b, c, d) => {
      const exact = units.map((u) => ({
        ...u,
        customer1: 0.1 + a * u.customer0 + b * u.staff0,
        staff1: 0.2 + c * u.staff0 + d * u.customer0,
      }))
      const result = crossLagged(exact, { seed: 3, replicates: 30 })
      // Only collinear predictors (rare with random shares) leave nothing to recover.
      fc.pre(result !== null)
      near(result!.staffLeads.estimate, b, 1e-6)
      near(result!.customersLead.estimate, d, 1e-6)
      for (const limit of result!.staffLeads.ci95) near(limit, b, 1e-4)
      for (const limit of result!.customersLead.ci95) near(limit, d, 1e-4)
    }), { numRuns: 60 })
  })
})
