// Worked examples for key drivers (server/domain/analytics/drivers.ts, relative-weights.ts,
// pairwise.ts): relative weights with known answers, the pairwise handling of missing answers
// against a hand computation, the minimum-answers rule at its boundary, and the bootstrap's method.
import { describe, expect, it } from 'vitest'
import { driverMinimum, FULL_BOOTSTRAP_LIMIT, keyDrivers, relativeWeights, type DriverRows } from '../../server/domain/analytics/drivers.js'
import { groupByPattern, PairwiseSums } from '../../server/domain/analytics/pairwise.js'
import { ANALYTICS_SEED, BOOTSTRAP_REPLICATES } from '../../server/domain/analytics/random.js'
import type { Drivers, Unavailable } from '../../server/domain/analytics/types.js'
import { driverAnswers } from '../helpers/driver-answers.js'

const close = (actual: number, expected: number, digits = 12) => expect(actual).toBeCloseTo(expected, digits)
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0)

function drivers(result: Omit<Drivers, 'scope'> | Unavailable): Omit<Drivers, 'scope'> {
  if ('code' in result) throw new Error(`expected drivers, got ${result.code}: ${result.message}`)
  return result
}

/** Pearson r of two columns over the rows that answer both, the textbook way. */
function pairwiseR(xs: number[], ys: number[]): number {
  const pairs = xs.map((x, i) => [x, ys[i]!] as const).filter(([x, y]) => !Number.isNaN(x) && !Number.isNaN(y))
  const mx = sum(pairs.map(([x]) => x)) / pairs.length
  const my = sum(pairs.map(([, y]) => y)) / pairs.length
  const sxy = sum(pairs.map(([x, y]) => (x - mx) * (y - my)))
  const sxx = sum(pairs.map(([x]) => (x - mx) ** 2))
  const syy = sum(pairs.map(([, y]) => (y - my) ** 2))
  return sxy / Math.sqrt(sxx * syy)
}

const survey = (n: number, effects: number[], seed: number, missing = 0) => driverAnswers({ n, effects, seed, missing })

const column = (rows: DriverRows, j: number) => Array.from({ length: rows.n }, (_, i) => rows.values[i * (1 + rows.predictors.length) + j]!)

describe('relative weights with known answers', () => {
  it('orthogonal predictors: each raw weight is the squared correlation, and they sum to R²', () => {
    const { r2, raw } = relativeWeights([
      [1, 0.3, 0.4, 0.5],
      [0.3, 1, 0, 0],
      [0.4, 0, 1, 0],
      [0.5, 0, 0, 1],
    ])
    close(raw[0]!, 0.09)
    close(raw[1]!, 0.16)
    close(raw[2]!, 0.25)
    close(r2, 0.5)
  })

  it('two correlated predictors, derived by hand', () => {
    // R_xx = [[1, ρ], [ρ, 1]] has eigenvalues 1 ± ρ with vectors (1, ±1)/√2, so with s = √(1 − ρ²)
    // Λ* = [[a, c], [c, a]], a² = (1 + s)/2, c² = (1 − s)/2, and Λ*⁻¹ = [[d, e], [e, d]] with
    // d, e = (1/√(1 + ρ) ± 1/√(1 − ρ))/2. For ρ = 0.6, r = (0.5, 0.4): s = 0.8, a² = 0.9, c² = 0.1,
    // β* = (0.43481…, 0.27670…), ε₁ = 0.9 β₁² + 0.1 β₂² = 0.1778125, ε₂ = 0.1 β₁² + 0.9 β₂² = 0.0878125,
    // and ε₁ + ε₂ = (r₁² + r₂² − 2ρ r₁ r₂)/(1 − ρ²) = 0.265625, the R² of the regression.
    const { r2, raw } = relativeWeights([
      [1, 0.5, 0.4],
      [0.5, 1, 0.6],
      [0.4, 0.6, 1],
    ])
    close(raw[0]!, 0.1778125)
    close(raw[1]!, 0.0878125)
    close(r2, 0.265625)
  })

  it('a duplicated predictor (a singular R_xx) shares its weight equally with its copy', () => {
    const { r2, raw } = relativeWeights([
      [1, 0.6, 0.6],
      [0.6, 1, 1],
      [0.6, 1, 1],
    ])
    close(raw[0]!, 0.18)
    close(raw[1]!, 0.18)
    close(r2, 0.36)
  })

  it('an impossible pairwise matrix (not positive semi-definite) still gives non-negative weights with R² ≤ 1', () => {
    const { r2, raw } = relativeWeights([
      [1, 0.9, -0.9],
      [0.9, 1, 0.9],
      [-0.9, 0.9, 1],
    ])
    for (const value of raw) {
      expect(Number.isFinite(value)).toBe(true)
      expect(value).toBeGreaterThanOrEqual(0)
    }
    expect(r2).toBeLessThanOrEqual(1 + 1e-9)
    close(sum(raw), r2)
  })

  it('refuses a matrix that is not square or not finite', () => {
    expect(() => relativeWeights([[1, 0.5], [0.5]])).toThrow(RangeError)
    expect(() => relativeWeights([[1, NaN], [NaN, 1]])).toThrow(RangeError)
  })
})

describe('pairwise-complete correlations', () => {
  it('each pair uses the respondents who answered both, as by hand', () => {
    const x = [1, 2, 3, 4, 5, 2, NaN, 4]
    const y = [2, 1, 4, 3, 5, NaN, 3, 5]
    const z = [5, NaN, 3, 2, 1, 4, 2, NaN]
    const values = Float64Array.from(x.flatMap((_, i) => [x[i]!, y[i]!, z[i]!]))
    const out = new Float64Array(9)
    new PairwiseSums(3).correlations(groupByPattern(values, 3, [0, 1, 2, 3, 4, 5, 6, 7]), null, out)
    // x–y over rows 0–4 and 7: x = 1 2 3 4 5 4, y = 2 1 4 3 5 5, so x̄ = 19/6, ȳ = 10/3,
    // Σ(x−x̄)(y−ȳ) = 73 − 6·x̄·ȳ = 29/3, Σ(x−x̄)² = 71 − 6·x̄² = 65/6, Σ(y−ȳ)² = 80 − 6·ȳ² = 40/3.
    close(out[1]!, (29 / 3) / Math.sqrt((65 / 6) * (40 / 3)))
    close(out[1]!, pairwiseR(x, y))
    close(out[2]!, pairwiseR(x, z))
    close(out[5]!, pairwiseR(y, z))
    expect(out[3]).toBe(out[1])
    expect([out[0], out[4], out[8]]).toEqual([1, 1, 1])
  })

  it('counting a row twice in a replicate is the same as listing it twice', () => {
    const rows = survey(40, [0.5, 0.3], 3, 0.2)
    const weights = Float64Array.from({ length: 40 }, (_, i) => i % 3)
    const grouped = groupByPattern(rows.values, 3, Array.from({ length: 40 }, (_, i) => i), true)
    // Weights follow the blocks' order: write block row i out weights[block.start + i] times.
    const listed: number[][] = []
    for (const block of grouped.blocks) {
      for (let i = 0; i < block.rows; i++) {
        const row = [NaN, NaN, NaN]
        block.present.forEach((j, a) => { row[j] = block.values[i * block.present.length + a]! })
        for (let copy = 0; copy < weights[block.start + i]!; copy++) listed.push(row)
      }
    }
    const repeated = Float64Array.from(listed.flat())
    const weighted = new PairwiseSums(3).correlations(grouped, weights, new Float64Array(9))
    const expanded = new PairwiseSums(3).correlations(groupByPattern(repeated, 3, listed.map((_, i) => i)), null, new Float64Array(9))
    for (let cell = 0; cell < 9; cell++) close(weighted[cell]!, expanded[cell]!)
  })

  it('key drivers use the pairwise correlations of the answers as given, missing answers and all', () => {
    const rows = survey(300, [0.6, 0.4, 0.2], 11, 0.15)
    const result = drivers(keyDrivers(rows, { replicates: 50 }))
    const outcome = column(rows, 0)
    const columns = [1, 2, 3].map((j) => column(rows, j))
    const matrix = [outcome, ...columns].map((a) => [outcome, ...columns].map((b) => (a === b ? 1 : pairwiseR(a, b))))
    const expected = relativeWeights(matrix)
    close(result.r2, expected.r2, 10)
    for (const weight of result.weights) {
      const j = Number(weight.key.split('_')[1]) - 1
      close(weight.raw, expected.raw[j]!, 10)
      close(weight.weight, expected.raw[j]! / expected.r2, 10)
      close(weight.correlation, pairwiseR(outcome, columns[j]!), 10)
    }
  })
})

describe('how many answers key drivers need', () => {
  it('ten per predictor, and never fewer than 100', () => {
    expect(driverMinimum(1)).toBe(100)
    expect(driverMinimum(10)).toBe(100)
    expect(driverMinimum(11)).toBe(110)
    expect(driverMinimum(25)).toBe(250)
  })

  it('is not enough one below the minimum and enough at it, counting only respondents with the headline and another answer', () => {
    const effects = Array.from({ length: 11 }, (_, j) => 0.1 + j / 20)
    const full = survey(112, effects, 5)
    // Respondent 110 skipped the headline, respondent 111 answered only the headline: neither counts.
    full.values[110 * 12] = NaN
    for (let j = 1; j < 12; j++) full.values[111 * 12 + j] = NaN
    const below = { ...full, values: full.values.slice(1 * 12), n: 111 }
    const unavailable = keyDrivers(below, { replicates: 20 })
    expect(unavailable).toEqual({ code: 'not_enough_answers', message: expect.stringContaining('at least 110 customers') })
    expect((unavailable as Unavailable).message).toContain('there are 109')
    const enough = drivers(keyDrivers(full, { replicates: 20 }))
    expect(enough.n).toBe(110)
    expect(enough.minimum).toBe(110)
  })

  it('has nothing to explain when every customer gave the headline the same answer', () => {
    const rows = survey(150, [0.5, 0.5], 2)
    for (let i = 0; i < 150; i++) rows.values[i * 3] = 4
    expect(keyDrivers(rows)).toEqual({ code: 'not_enough_answers', message: expect.stringContaining('same answer') })
  })

  it('refuses values that do not match n × (1 + predictors)', () => {
    const rows = survey(150, [0.5, 0.5], 2)
    expect(() => keyDrivers({ ...rows, n: 149 })).toThrow(RangeError)
  })
})

describe('the result and its method', () => {
  it('ranks the strongest driver first, with weights that sum to 1 and raw weights that sum to R²', () => {
    const result = drivers(keyDrivers(survey(600, [0.1, 0.8, 0.4], 9), { replicates: 100 }))
    expect(result.weights.map((weight) => [weight.key, weight.rank])).toEqual([['item_2', 1], ['item_3', 2], ['item_1', 3]])
    close(sum(result.weights.map((weight) => weight.weight)), 1)
    close(sum(result.weights.map((weight) => weight.raw)), result.r2)
    expect(result.weights[0]!.dimension).toBe('dimension_2')
  })

  it('resamples every respondent up to the limit, with the product seed and 1,000 replicates by default', () => {
    const result = drivers(keyDrivers(survey(FULL_BOOTSTRAP_LIMIT, [0.5, 0.3], 4)))
    expect(result.method).toEqual({
      correlations: 'pairwise',
      bootstrap: { replicates: BOOTSTRAP_REPLICATES, seed: ANALYTICS_SEED, scheme: 'respondents', confidence: 0.95 },
    })
  })

  it('above the limit, says it used the bag of little bootstraps, with its subsets', () => {
    const n = FULL_BOOTSTRAP_LIMIT + 1
    const result = drivers(keyDrivers(survey(n, [0.5, 0.3], 4), { replicates: 200 }))
    expect(result.method.bootstrap).toEqual({
      replicates: 200, seed: ANALYTICS_SEED, scheme: 'bag_of_little_bootstraps', confidence: 0.95, subsets: 10, subsetSize: 1000,
    })
    expect(result.n).toBe(n)
  })

  it('gives little-bootstrap intervals that narrow like 1/√n against the full bootstrap', () => {
    // The full bootstrap at the limit, the little ones at eight times as many respondents (subsets of
    // 1,000, an eighth of the data): on the same kind of data the R² interval should be about √8 ≈ 2.8
    // times narrower.
    const effects = [0.5, 0.3, 0.2]
    const full = drivers(keyDrivers(survey(FULL_BOOTSTRAP_LIMIT, effects, 8), { replicates: 400 }))
    const little = drivers(keyDrivers(survey(8 * FULL_BOOTSTRAP_LIMIT, effects, 8), { replicates: 400 }))
    expect(full.method.bootstrap.scheme).toBe('respondents')
    expect(little.method.bootstrap.scheme).toBe('bag_of_little_bootstraps')
    const width = ([low, high]: [number, number]) => high - low
    const ratio = width(full.r2Ci95) / width(little.r2Ci95)
    expect(ratio).toBeGreaterThan(2)
    expect(ratio).toBeLessThan(4)
    expect(little.r2Ci95[0]).toBeLessThan(little.r2)
    expect(little.r2Ci95[1]).toBeGreaterThan(little.r2)
  })

  it('another seed gives other intervals around the same estimates', () => {
    const rows = survey(400, [0.5, 0.3], 6)
    const one = drivers(keyDrivers(rows, { replicates: 100 }))
    const other = drivers(keyDrivers(rows, { replicates: 100, seed: 7 }))
    expect(other.r2).toBe(one.r2)
    expect(other.r2Ci95).not.toEqual(one.r2Ci95)
    expect(other.method.bootstrap.seed).toBe(7)
  })

  it('gives a predictor everyone answered alike weight 0, never NaN', () => {
    const rows = survey(200, [0.5, 0.3, 0.4], 12)
    for (let i = 0; i < 200; i++) rows.values[i * 4 + 2] = 3
    const result = drivers(keyDrivers(rows, { replicates: 50 }))
    const flat = result.weights.find((weight) => weight.key === 'item_2')!
    expect(flat).toMatchObject({ correlation: 0, raw: 0, weight: 0, rawCi95: [0, 0], weightCi95: [0, 0], rank: 3 })
    expect(JSON.stringify(result)).not.toContain('null')
  })
})

describe('key drivers when a predictor is the headline itself', () => {
  // An item that repeats the headline explains all of it: R² is 1, and round-off must not carry it,
  // or its interval, past 1 (found by test/routes/analytics-robustness.test.ts: R² 1.0000000000000016).
  it('gives R² and its interval at most 1', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rows = survey(150, [0.5, 0.3, 0.2, 0.1], seed)
      const q = 1 + rows.predictors.length
      for (let i = 0; i < rows.n; i++) rows.values[i * q + 2] = rows.values[i * q]!
      const result = drivers(keyDrivers(rows, { seed: ANALYTICS_SEED, replicates: 200 }))
      expect(result.r2, `seed ${seed}`).toBeLessThanOrEqual(1)
      close(result.r2, 1, 9)
      expect(result.r2Ci95[1], `seed ${seed}`).toBeLessThanOrEqual(1)
    }
  })
})
