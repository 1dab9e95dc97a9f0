// Properties of key drivers (server/domain/analytics/drivers.ts and relative-weights.ts) that must
// hold for any data, checked with fast-check: weights are non-negative and sum to R² (which is the
// regression's R²), they do not depend on an item's scale or zero point or on the order of the
// predictors, the bootstrap intervals contain the estimates on data with real drivers, and the same
// seed gives the same report. The multinomial counts the bootstraps draw are checked here too.
import fc from 'fast-check'
import { Matrix, solve } from 'ml-matrix'
import { describe, expect, it } from 'vitest'
import { keyDrivers, relativeWeights } from '../../server/domain/analytics/drivers.js'
import { seededRandom } from '../../server/domain/analytics/random.js'
import { logFactorial, multinomialCounts, poisson } from '../../server/domain/analytics/resample.js'
import type { Drivers, Unavailable } from '../../server/domain/analytics/types.js'
import { driverAnswers } from '../helpers/driver-answers.js'

const sum = (values: ArrayLike<number>) => Array.from(values).reduce((total, value) => total + value, 0)
const near = (actual: number, expected: number, tolerance = 1e-9) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance)

function drivers(result: Omit<Drivers, 'scope'> | Unavailable): Omit<Drivers, 'scope'> {
  if ('code' in result) throw new Error(`expected drivers, got ${result.code}: ${result.message}`)
  return result
}

/** The correlation matrix of random data: `columns` columns, each a mix of a shared factor and noise. */
const correlationMatrix = fc.record({
  columns: fc.integer({ min: 2, max: 8 }),
  seed: fc.integer(),
  shared: fc.double({ min: 0, max: 0.95, noNaN: true }),
}).map(({ columns, seed, shared }) => {
  const random = seededRandom(seed)
  const rows = 3 * columns + 5
  const data = Array.from({ length: rows }, () => {
    const factor = random() - 0.5
    return Array.from({ length: columns }, () => shared * factor + (1 - shared) * (random() - 0.5))
  })
  const means = Array.from({ length: columns }, (_, j) => sum(data.map((row) => row[j]!)) / rows)
  const cross = (j: number, k: number) => sum(data.map((row) => (row[j]! - means[j]!) * (row[k]! - means[k]!)))
  return Array.from({ length: columns }, (_, j) => Array.from({ length: columns }, (_, k) => (j === k ? 1 : cross(j, k) / Math.sqrt(cross(j, j) * cross(k, k)))))
})

/** Respondents answering 1–5 with real drivers (every effect at least 0.3), some answers missing. */
const surveyData = fc.record({
  seed: fc.integer(),
  effects: fc.array(fc.double({ min: 0.3, max: 1, noNaN: true }), { minLength: 2, maxLength: 4 }),
  missing: fc.double({ min: 0, max: 0.15, noNaN: true }),
  n: fc.integer({ min: 150, max: 400 }),
}).map(({ seed, effects, missing, n }) => driverAnswers({ n, effects, seed, missing, shared: 0, outcomeWeight: 0.5, outcomeNoise: 0.5 }))

const REPLICATES = 60

describe('relative weights, for any correlation matrix', () => {
  it('are non-negative, sum to R², and R² is the regression R² r_xyᵀ R_xx⁻¹ r_xy', () => {
    fc.assert(fc.property(correlationMatrix, (matrix) => {
      const { r2, raw } = relativeWeights(matrix)
      for (const value of raw) expect(value).toBeGreaterThanOrEqual(0)
      near(sum(raw), r2, 1e-12)
      const p = matrix.length - 1
      const rxx = new Matrix(matrix.slice(1).map((row) => row.slice(1)))
      const rxy = Matrix.columnVector(matrix.slice(1).map((row) => row[0]!))
      const beta = solve(rxx, rxy)
      let regression = 0
      for (let j = 0; j < p; j++) regression += beta.get(j, 0) * rxy.get(j, 0)
      near(r2, regression, 1e-9)
      expect(r2).toBeLessThanOrEqual(1 + 1e-9)
    }))
  })

  it('follow their predictors when the predictors are reordered', () => {
    fc.assert(fc.property(correlationMatrix, fc.integer(), (matrix, seed) => {
      const p = matrix.length - 1
      const order = Array.from({ length: p }, (_, j) => j)
      const random = seededRandom(seed)
      for (let j = p - 1; j > 0; j--) {
        const k = Math.floor(random() * (j + 1));
        [order[j], order[k]] = [order[k]!, order[j]!]
      }
      const index = [0, ...order.map((j) => j + 1)]
      const permuted = index.map((a) => index.map((b) => matrix[a]![b]!))
      const original = relativeWeights(matrix)
      const reordered = relativeWeights(permuted)
      order.forEach((j, position) => near(reordered.raw[position]!, original.raw[j]!))
      near(reordered.r2, original.r2)
    }))
  })
})

describe('key drivers, for any survey', () => {
  it('weights are non-negative, the raw ones sum to R² and the shares to 1', () => {
    fc.assert(fc.property(surveyData, (rows) => {
      const result = drivers(keyDrivers(rows, { replicates: REPLICATES }))
      for (const weight of result.weights) {
        expect(weight.raw).toBeGreaterThanOrEqual(0)
        expect(weight.rawCi95[0]).toBeLessThanOrEqual(weight.rawCi95[1])
      }
      near(sum(result.weights.map((weight) => weight.raw)), result.r2)
      near(sum(result.weights.map((weight) => weight.weight)), 1)
    }), { numRuns: 25 })
  })

  it('do not change when an item is rescaled or shifted (intervals included)', () => {
    fc.assert(fc.property(
      surveyData, fc.nat(), fc.double({ min: 0.01, max: 1000, noNaN: true }), fc.double({ min: -1e4, max: 1e4, noNaN: true }),
      (rows, pick, scale, shift) => {
        const q = 1 + rows.predictors.length
        const j = pick % q
        const values = rows.values.map((value, cell) => (cell % q === j ? scale * value + shift : value))
        const original = drivers(keyDrivers(rows, { replicates: REPLICATES }))
        const transformed = drivers(keyDrivers({ ...rows, values }, { replicates: REPLICATES }))
        near(transformed.r2, original.r2)
        near(transformed.r2Ci95[0], original.r2Ci95[0], 1e-8)
        near(transformed.r2Ci95[1], original.r2Ci95[1], 1e-8)
        original.weights.forEach((weight, position) => {
          const other = transformed.weights[position]!
          expect(other.key).toBe(weight.key)
          near(other.raw, weight.raw)
          near(other.correlation, weight.correlation)
          near(other.weightCi95[0], weight.weightCi95[0], 1e-8)
          near(other.weightCi95[1], weight.weightCi95[1], 1e-8)
        })
      },
    ), { numRuns: 15 })
  })

  it('do not depend on the order of the predictors', () => {
    fc.assert(fc.property(surveyData, (rows) => {
      const q = 1 + rows.predictors.length
      // Reverse the predictors (the outcome stays in column 0).
      const source = (j: number) => (j === 0 ? 0 : q - j)
      const values = rows.values.map((_, cell) => rows.values[cell - (cell % q) + source(cell % q)]!)
      const predictors = [...rows.predictors].reverse()
      const original = drivers(keyDrivers(rows, { replicates: REPLICATES }))
      const reversed = drivers(keyDrivers({ ...rows, predictors, values }, { replicates: REPLICATES }))
      near(reversed.r2, original.r2)
      for (const weight of original.weights) {
        const other = reversed.weights.find((candidate) => candidate.key === weight.key)!
        near(other.raw, weight.raw)
        near(other.rawCi95[0], weight.rawCi95[0], 1e-8)
        near(other.rawCi95[1], weight.rawCi95[1], 1e-8)
      }
    }), { numRuns: 15 })
  })

  it('have bootstrap intervals that contain the estimates', () => {
    fc.assert(fc.property(surveyData, (rows) => {
      const result = drivers(keyDrivers(rows, { replicates: 200 }))
      const inside = (value: number, [low, high]: [number, number]) => {
        expect(low).toBeLessThanOrEqual(value)
        expect(high).toBeGreaterThanOrEqual(value)
      }
      inside(result.r2, result.r2Ci95)
      for (const weight of result.weights) {
        inside(weight.raw, weight.rawCi95)
        inside(weight.weight, weight.weightCi95)
      }
    }), { numRuns: 10 })
  })

  it('give the same report for the same seed', () => {
    fc.assert(fc.property(surveyData, fc.integer(), (rows, seed) => {
      expect(keyDrivers(rows, { seed, replicates: REPLICATES })).toEqual(keyDrivers(rows, { seed, replicates: REPLICATES }))
    }), { numRuns: 10 })
  })
})

describe('the counts a bootstrap draws', () => {
  it('always add up to the draws', () => {
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 200_000 }), (seed, cells, draws) => {
      const counts = multinomialCounts(seededRandom(seed), draws, new Float64Array(cells))
      expect(sum(counts)).toBe(draws)
      for (const count of counts) expect(Number.isInteger(count) && count >= 0).toBe(true)
    }), { numRuns: 50 })
  })

  it('are multinomial: each cell has mean n/k and variance n/k · (1 − 1/k)', () => {
    for (const [cells, draws] of [[50, 100_000], [1000, 1000]] as const) {
      const random = seededRandom(3)
      const counts = new Float64Array(cells)
      let total = 0
      let squares = 0
      const rounds = 400
      for (let round = 0; round < rounds; round++) {
        multinomialCounts(random, draws, counts)
        total += counts[0]!
        squares += counts[0]! ** 2
      }
      const mean = total / rounds
      const variance = squares / rounds - mean ** 2
      const expectedVariance = (draws / cells) * (1 - 1 / cells)
      // Four standard errors of the mean; the variance within 25%.
      expect(Math.abs(mean - draws / cells)).toBeLessThan(4 * Math.sqrt(expectedVariance / rounds))
      expect(variance / expectedVariance).toBeGreaterThan(0.75)
      expect(variance / expectedVariance).toBeLessThan(1.25)
    }
  })

  it('come from Poisson draws with mean and variance λ, small λ and large', () => {
    for (const lambda of [0.7, 4, 12, 100, 3000]) {
      const random = seededRandom(11)
      const draws = Array.from({ length: 20_000 }, () => poisson(random, lambda))
      const mean = sum(draws) / draws.length
      const variance = sum(draws.map((value) => (value - mean) ** 2)) / (draws.length - 1)
      expect(Math.abs(mean - lambda)).toBeLessThan(4 * Math.sqrt(lambda / draws.length))
      expect(variance / lambda).toBeGreaterThan(0.94)
      expect(variance / lambda).toBeLessThan(1.06)
    }
  })

  it('use ln k! exact from the table and from Stirling beyond it', () => {
    let exact = 0
    for (let k = 1; k <= 400; k++) {
      exact += Math.log(k)
      expect(Math.abs(logFactorial(k) - exact)).toBeLessThanOrEqual(1e-12 * exact)
    }
  })
})
