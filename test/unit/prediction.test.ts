// Worked examples for "staff predict the customer" (server/domain/analytics/prediction.ts), each
// worked by hand from the formulas of design §4; t(0.975, 3) = 3.182446305284263 (tables, SciPy).
import { describe, expect, it } from 'vitest'
import { predictedShare, predictionError, simpleShare, unitPrediction } from '../../server/domain/analytics/prediction.js'

const close = (actual: number, expected: number, digits = 10) => expect(actual).toBeCloseTo(expected, digits)

/** Counts of the answers 0 … 10 from a list of answers. */
const distributionOf = (answers: number[]) => {
  const counts = new Array<number>(11).fill(0)
  for (const k of answers) counts[k]!++
  return counts
}

describe('the predicted share', () => {
  // Four staff answer 6, 6, 8 and 9 of 10: q̄ = 2.9/4 = 0.725; deviations −0.125, −0.125, 0.075, 0.175,
  // squares sum to 0.0675, sd = √(0.0675/3) = 0.15; half-width = 3.182446305284263 · 0.15/√4 = 0.238683472…
  const predicted = predictedShare(distributionOf([6, 6, 8, 9]))!

  it('is the mean of k/10 with the sample sd and the t-interval', () => {
    expect(predicted.n).toBe(4)
    close(predicted.share, 0.725)
    close(predicted.sd, 0.15)
    close(predicted.ci95[0], 0.725 - 0.2386834728963197)
    close(predicted.ci95[1], 0.725 + 0.2386834728963197)
    expect(predicted.distribution).toEqual([0, 0, 0, 0, 0, 0, 2, 0, 1, 1, 0])
  })

  it('clips the interval to [0, 1]', () => {
    // 10, 10, 10, 2: q̄ = 0.8, sd = 0.4, half-width = 3.1824 · 0.4/2 = 0.636 → upper 1.436, clipped.
    const high = predictedShare(distributionOf([10, 10, 10, 2]))!
    close(high.share, 0.8)
    close(high.sd, 0.4)
    expect(high.ci95[1]).toBe(1)
    close(high.ci95[0], 0.8 - 3.182446305284263 * 0.2)
    const low = predictedShare(distributionOf([0, 0, 0, 8]))!
    expect(low.ci95[0]).toBe(0)
  })

  it('is a point when every staff member gives the same answer', () => {
    const same = predictedShare(distributionOf([7, 7, 7]))!
    close(same.share, 0.7)
    expect(same.sd).toBe(0)
    expect(same.ci95).toEqual([same.share, same.share])
  })

  it('needs two staff, and exactly eleven counts', () => {
    expect(predictedShare(distributionOf([5]))).toBeNull()
    expect(predictedShare(distributionOf([]))).toBeNull()
    expect(() => predictedShare([1, 2, 3])).toThrow(RangeError)
  })
})

describe('the prediction error', () => {
  it('is q̄ − p in points with the MOVER interval', () => {
    // q̄ = 0.725 (above), customers 12 of 20: p = 0.6, Wilson [0.3865815007622532, 0.7811934676271829].
    // e = 0.125; L = e − √(0.2386835² + (0.7811935 − 0.6)²) = −0.1746679…; U = e + √(0.2386835² + (0.6 − 0.3865815)²) = 0.4451832…
    const error = predictionError(predictedShare(distributionOf([6, 6, 8, 9]))!, { agree: 12, n: 20 })!
    close(error.points, 12.5)
    close(error.ci95[0], -17.466793779884288, 8)
    close(error.ci95[1], 44.5183160161087, 8)
  })

  it('is null without customers', () => {
    expect(predictionError(predictedShare(distributionOf([6, 6]))!, { agree: 0, n: 0 })).toBeNull()
  })
})

describe('a simple share', () => {
  it('is agree / n with its Wilson interval', () => {
    const s = simpleShare(12, 20)!
    expect(s.n).toBe(20)
    close(s.share, 0.6)
    close(s.ci95[0], 0.3865815007622532)
    close(s.ci95[1], 0.7811934676271829)
    expect(simpleShare(0, 0)).toBeNull()
  })
})

describe('a unit\'s predictions', () => {
  it('gives the optimism bias, the mean absolute error and the tracking over items', () => {
    // Errors 0.2, −0.05, 0.2: bias = 0.35/3 = 11.67 points, MAE = 0.45/3 = 15 points. In points,
    // predicted 80, 70, 90 against actual 60, 75, 70: deviations (0, −10, 10) and (−25/3, 20/3, 5/3),
    // Σxy = −50, Σx² = 200, Σy² = 1050/9, r = −50/√(200 · 1050/9) = −√(3/28).
    const unit = unitPrediction([
      { predicted: 0.8, actual: 0.6 },
      { predicted: 0.7, actual: 0.75 },
      { predicted: 0.9, actual: 0.7 },
    ])!
    expect(unit.items).toBe(3)
    close(unit.optimismBias, 35 / 3)
    close(unit.meanAbsoluteError, 15)
    close(unit.tracking!, -Math.sqrt(3 / 28))
  })

  it('has no tracking with fewer than three items or no spread, and nothing without items', () => {
    const two = unitPrediction([{ predicted: 0.8, actual: 0.6 }, { predicted: 0.5, actual: 0.7 }])!
    close(two.optimismBias, 0)
    close(two.meanAbsoluteError, 20)
    expect(two.tracking).toBeNull()
    const flat = unitPrediction([0.5, 0.6, 0.7].map((actual) => ({ predicted: 0.9, actual })))!
    expect(flat.tracking).toBeNull()
    close(flat.optimismBias, 30)
    expect(unitPrediction([])).toBeNull()
  })
})
