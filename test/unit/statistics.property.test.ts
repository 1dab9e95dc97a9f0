// Properties of the report's statistics (server/domain/statistics.ts) that must hold for every count
// a wave can produce, checked with fast-check on generated counts: n from 1 to 100,000 and every k
// from 0 to n, the edges 0 and n included. The worked examples with known answers are in
// statistics.test.ts; these catch what no handful of examples would.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  benjaminiHochberg, classify, erfc, gap, newcombe, normalUpperTail, sampleSizePerSide, SIGNIFICANCE, summarize,
  twoProportionPValue, wilson, Z80, Z95,
} from '../../server/domain/statistics.js'
import { agreeThreshold } from '../../server/domain/scale.js'

/** Rounding noise allowed where two computations of one number may differ in the last bits. */
const EPS = 1e-12
const near = (actual: number, expected: number, tolerance = EPS) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance)
const relNear = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(EPS * Math.max(Math.abs(actual), Math.abs(expected)))

const MAX_N = 100_000

/** A side's n: small samples (where the edges bite) as often as large ones. */
const sampleSize = fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: MAX_N }))

/** A side's counts: `agree` of `n`, with 0 and n drawn as often as any value between. */
const counts = sampleSize.chain((n) => fc.record({
  n: fc.constant(n),
  agree: fc.oneof(fc.constant(0), fc.constant(n), fc.integer({ min: 0, max: n })),
}))

const width = ([lower, upper]: [number, number]) => upper - lower

describe('Wilson intervals, for any counts', () => {
  it('contain the share, lie in [0, 1], and touch 0 or 1 only at 0 of n or n of n', () => {
    fc.assert(fc.property(counts, ({ agree, n }) => {
      const [lower, upper] = wilson(agree, n)!
      const p = agree / n
      expect(lower).toBeGreaterThanOrEqual(0)
      expect(lower).toBeLessThanOrEqual(p)
      expect(upper).toBeGreaterThanOrEqual(p)
      expect(upper).toBeLessThanOrEqual(1)
      expect(lower === 0).toBe(agree === 0)
      expect(upper === 1).toBe(agree === n)
    }))
  })

  it('are mirror images for agree and disagree: k of n gives [1 − upper, 1 − lower] of n − k of n', () => {
    fc.assert(fc.property(counts, ({ agree, n }) => {
      const [lower, upper] = wilson(agree, n)!
      const [mirrorLower, mirrorUpper] = wilson(n - agree, n)!
      near(mirrorLower, 1 - upper)
      near(mirrorUpper, 1 - lower)
    }))
  })

  it('move up with every further agreement out of the same n', () => {
    fc.assert(fc.property(counts.filter(({ agree, n }) => agree < n), ({ agree, n }) => {
      const [lower, upper] = wilson(agree, n)!
      const [nextLower, nextUpper] = wilson(agree + 1, n)!
      expect(nextLower).toBeGreaterThan(lower)
      expect(nextUpper).toBeGreaterThan(upper)
    }))
  })

  it('narrow as n grows with the same share', () => {
    const scaled = counts.chain(({ agree, n }) =>
      fc.record({ agree: fc.constant(agree), n: fc.constant(n), factor: fc.integer({ min: 2, max: Math.max(2, Math.floor(MAX_N / n)) }) }))
    fc.assert(fc.property(scaled, ({ agree, n, factor }) => {
      expect(width(wilson(agree * factor, n * factor)!)).toBeLessThan(width(wilson(agree, n)!))
    }))
  })

  it('nest: a lower confidence level gives an interval inside the higher one', () => {
    const levels = fc.tuple(fc.double({ min: 0.1, max: 4, noNaN: true }), fc.double({ min: 0.1, max: 4, noNaN: true }))
      .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const)
    fc.assert(fc.property(counts, levels, ({ agree, n }, [zNarrow, zWide]) => {
      const [narrowLower, narrowUpper] = wilson(agree, n, zNarrow)!
      const [wideLower, wideUpper] = wilson(agree, n, zWide)!
      expect(wideLower).toBeLessThanOrEqual(narrowLower + EPS)
      expect(wideUpper).toBeGreaterThanOrEqual(narrowUpper - EPS)
    }))
    // The 80% interval of the planner's z lies inside the report's 95% one.
    fc.assert(fc.property(counts, ({ agree, n }) => {
      const [lower80, upper80] = wilson(agree, n, Z80)!
      const [lower95, upper95] = wilson(agree, n, Z95)!
      expect(lower95).toBeLessThanOrEqual(lower80)
      expect(upper95).toBeGreaterThanOrEqual(upper80)
    }))
  })
})

describe('gaps between two sides, for any counts', () => {
  it('the Newcombe interval contains the gap and lies in [−1, 1], inside the difference of the Wilson bounds', () => {
    fc.assert(fc.property(counts, counts, (a, b) => {
      const [lower, upper] = newcombe(a.agree, a.n, b.agree, b.n)!
      const d = a.agree / a.n - b.agree / b.n
      expect(lower).toBeLessThanOrEqual(d)
      expect(upper).toBeGreaterThanOrEqual(d)
      expect(lower).toBeGreaterThanOrEqual(-1 - EPS)
      expect(upper).toBeLessThanOrEqual(1 + EPS)
      const [aLower, aUpper] = wilson(a.agree, a.n)!
      const [bLower, bUpper] = wilson(b.agree, b.n)!
      expect(lower).toBeGreaterThanOrEqual(aLower - bUpper - EPS)
      expect(upper).toBeLessThanOrEqual(aUpper - bLower + EPS)
    }))
  })

  it('swapping the sides negates the gap, mirrors its interval and keeps its p-value', () => {
    fc.assert(fc.property(counts, counts, (staff, customer) => {
      const forward = gap(staff, customer)!
      const backward = gap(customer, staff)!
      near(backward.points, -forward.points)
      near(backward.ci95[0], -forward.ci95[1])
      near(backward.ci95[1], -forward.ci95[0])
      relNear(backward.pValue, forward.pValue)
      // The interval in points is the Newcombe interval × 100, around the gap in points.
      expect(forward.ci95[0]).toBeLessThanOrEqual(forward.points)
      expect(forward.ci95[1]).toBeGreaterThanOrEqual(forward.points)
    }))
  })

  it('the p-value is in [0, 1], and exactly 1 when the two shares are equal', () => {
    fc.assert(fc.property(counts, counts, (a, b) => {
      const p = twoProportionPValue(a.agree, a.n, b.agree, b.n)!
      expect(p).toBeGreaterThanOrEqual(0)
      expect(p).toBeLessThanOrEqual(1)
    }))
    const sameShare = fc.record({ agree: fc.integer({ min: 0, max: 300 }), n: fc.integer({ min: 1, max: 300 }), a: fc.integer({ min: 1, max: 300 }), b: fc.integer({ min: 1, max: 300 }) })
      .filter(({ agree, n }) => agree <= n)
    fc.assert(fc.property(sameShare, ({ agree, n, a, b }) => {
      expect(twoProportionPValue(agree * a, n * a, agree * b, n * b)).toBe(1)
    }))
  })

  it('the z-test is Pearson\'s chi-square test of the 2 × 2 table', () => {
    fc.assert(fc.property(counts, counts, (a, b) => {
      const [agreeA, disagreeA, agreeB, disagreeB] = [a.agree, a.n - a.agree, b.agree, b.n - b.agree]
      const total = a.n + b.n
      const margins = a.n * b.n * (agreeA + agreeB) * (disagreeA + disagreeB)
      const chiSquare = margins === 0 ? 0 : (total * (agreeA * disagreeB - disagreeA * agreeB) ** 2) / margins
      // The z-test subtracts the two shares as rounded numbers; where they are close (both near 0 or
      // 1), z carries their rounding, ε·(p1 + p2)/|p1 − p2| relative, and p at most half of that.
      const [shareA, shareB] = [a.agree / a.n, b.agree / b.n]
      const rounding = shareA === shareB ? 0 : (Number.EPSILON * (shareA + shareB)) / Math.abs(shareA - shareB)
      near(twoProportionPValue(a.agree, a.n, b.agree, b.n)!, erfc(Math.sqrt(chiSquare / 2)), EPS + rounding)
    }))
  })

  it('a significant gap decides the class by its sign, and one that is not never does', () => {
    const share = fc.double({ min: 0, max: 1, noNaN: true })
    const qValue = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(SIGNIFICANCE))
    fc.assert(fc.property(share, share, qValue, (staff, customer, q) => {
      const points = (staff - customer) * 100
      const kind = classify(staff, customer, points, q)
      if (q < SIGNIFICANCE && points > 0) expect(kind).toBe('blind_spot')
      else if (q < SIGNIFICANCE && points < 0) expect(kind).toBe('hidden_strength')
      else expect(['shared_strength', 'shared_weakness', 'aligned']).toContain(kind)
    }))
  })
})

describe('Benjamini–Hochberg q-values, for any family of p-values', () => {
  /** p-values with ties, the edges 0 and 1, tiny ones, and items without both sides (null). */
  const pValue = fc.oneof(
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.constantFrom(0, 1e-300, 0.001, 0.01, 0.05, 0.5, 1),
  )
  const family = fc.array(fc.option(pValue, { nil: null, freq: 5 }), { maxLength: 60 })

  it('are at least the raw p, at most 1, and null exactly where p is', () => {
    fc.assert(fc.property(family, (ps) => {
      const qs = benjaminiHochberg(ps)
      expect(qs).toHaveLength(ps.length)
      ps.forEach((p, i) => {
        const q = qs[i]!
        if (p === null) return expect(qs[i]).toBeNull()
        expect(q).toBeGreaterThanOrEqual(p * (1 - EPS))
        expect(q).toBeLessThanOrEqual(1)
      })
    }))
  })

  it('keep the order of the raw p-values, and equal p-values get equal q-values', () => {
    fc.assert(fc.property(family, (ps) => {
      const qs = benjaminiHochberg(ps)
      ps.forEach((pi, i) => ps.forEach((pj, j) => {
        if (pi === null || pj === null) return
        if (pi < pj) expect(qs[i]!).toBeLessThanOrEqual(qs[j]!)
        if (pi === pj) expect(qs[i]).toBe(qs[j])
      }))
    }))
  })

  it('give the largest p-value its own value as q', () => {
    fc.assert(fc.property(family, (ps) => {
      const present = ps.filter((p): p is number => p !== null)
      fc.pre(present.length > 0)
      const largest = Math.max(...present)
      const qs = benjaminiHochberg(ps).filter((q): q is number => q !== null)
      relNear(Math.max(...qs), largest)
    }))
  })

  it('do not depend on the order of the items, nor on items without both sides', () => {
    const shuffled = family.chain((ps) => fc.record({
      ps: fc.constant(ps),
      order: fc.shuffledSubarray(ps.map((_, i) => i), { minLength: ps.length, maxLength: ps.length }),
    }))
    fc.assert(fc.property(shuffled, ({ ps, order }) => {
      const qs = benjaminiHochberg(ps)
      expect(benjaminiHochberg(order.map((i) => ps[i]!))).toEqual(order.map((i) => qs[i]))
      expect(benjaminiHochberg(ps.filter((p) => p !== null))).toEqual(qs.filter((q) => q !== null))
    }))
  })
})

describe('the normal distribution, anywhere', () => {
  const x = fc.double({ min: -30, max: 30, noNaN: true })

  it('erfc falls from 2 to 0 and P(Z > z) + P(Z > −z) = 1', () => {
    // Points at least 1e-9 apart: near 2.5, where the series hands over to the continued fraction,
    // neighbours a few ulps apart may differ by their ~1e-12 relative rounding either way.
    fc.assert(fc.property(x, fc.double({ min: 1e-9, max: 10, noNaN: true }), (low, step) => {
      const high = low + step
      expect(erfc(low)).toBeGreaterThanOrEqual(0)
      expect(erfc(low)).toBeLessThanOrEqual(2)
      expect(erfc(high)).toBeLessThanOrEqual(erfc(low))
      near(normalUpperTail(low) + normalUpperTail(-low), 1)
    }))
  })
})

describe('distributions, for any counts', () => {
  it('n is the number of answers, agree at most n, and the mean within the scale', () => {
    const scales = [
      { scale: 'agree5' as const, points: 5, lowest: 1, highest: 5 },
      { scale: 'likelihood11' as const, points: 11, lowest: 0, highest: 10 },
    ]
    for (const { scale, points, lowest, highest } of scales) {
      fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: MAX_N }), { minLength: points, maxLength: points }), (distribution) => {
        const { n, agree, mean } = summarize(distribution, scale)
        expect(n).toBe(distribution.reduce((a, b) => a + b, 0))
        expect(agree).toBeGreaterThanOrEqual(0)
        expect(agree).toBeLessThanOrEqual(n)
        if (n === 0) return expect(mean).toBeNull()
        expect(mean!).toBeGreaterThanOrEqual(lowest)
        expect(mean!).toBeLessThanOrEqual(highest)
        // The same answers from twice as many people: twice the n and agree, the same mean.
        const doubled = summarize(distribution.map((count) => 2 * count), scale)
        expect(doubled).toEqual({ n: 2 * n, agree: 2 * agree, mean: expect.closeTo(mean!, 12) })
      }))
      // Everyone giving one answer: that answer is the mean, and all or none of them agree.
      fc.assert(fc.property(fc.integer({ min: 0, max: points - 1 }), fc.integer({ min: 1, max: MAX_N }), (index, count) => {
        const distribution = Array.from({ length: points }, (_, i) => (i === index ? count : 0))
        const { n, agree, mean } = summarize(distribution, scale)
        expect(n).toBe(count)
        expect(mean).toBe(lowest + index)
        expect(agree).toBe(lowest + index >= agreeThreshold(scale) ? count : 0)
      }))
    }
  })
})

describe('the sample size planner, for any expected share and gap', () => {
  /** The lower share in tenths of a percent, and a gap in tenths of a point that keeps the higher one ≤ 100%. */
  const plan = fc.integer({ min: 0, max: 999 }).chain((permille) => fc.record({
    expectedShare: fc.constant(permille / 1000),
    smaller: fc.integer({ min: 1, max: 1000 - permille }),
    larger: fc.integer({ min: 1, max: 1000 - permille }),
  })).filter(({ smaller, larger }) => smaller < larger)

  it('asks fewer respondents (or as many) for a larger gap', () => {
    fc.assert(fc.property(plan, ({ expectedShare, smaller, larger }) => {
      const forSmaller = sampleSizePerSide(expectedShare, smaller / 10)
      const forLarger = sampleSizePerSide(expectedShare, larger / 10)
      fc.pre(forSmaller !== null && forLarger !== null)
      expect(forLarger!).toBeLessThanOrEqual(forSmaller!)
    }))
  })

  it('asks enough: the planned n, answering exactly as expected, makes the gap significant', () => {
    fc.assert(fc.property(plan, ({ expectedShare, larger }) => {
      const n = sampleSizePerSide(expectedShare, larger / 10)
      fc.pre(n !== null)
      expect(Number.isInteger(n)).toBe(true)
      expect(n!).toBeGreaterThanOrEqual(1)
      const higherShare = expectedShare + larger / 1000
      expect(twoProportionPValue(higherShare * n!, n!, expectedShare * n!, n!)!).toBeLessThan(SIGNIFICANCE)
    }))
  })
})
