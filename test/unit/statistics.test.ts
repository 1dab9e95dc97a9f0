// Worked examples with known answers. Reference values come from SciPy 1.17 (binomtest(...)
// .proportion_ci(method='wilson'), norm.sf, norm.ppf) and from working the formulas by hand.
import { describe, expect, it } from 'vitest'
import {
  agreesOnDimension, benjaminiHochberg, classify, erfc, gap, gapChange, newcombe, normalUpperTail, sampleSizePerSide,
  share, summarize, twoProportionPValue, wilson, Z80, Z95,
} from '../../server/domain/statistics.js'

const close = (actual: number, expected: number, digits = 12) => expect(actual).toBeCloseTo(expected, digits)
const relClose = (actual: number, expected: number, tolerance = 1e-9) => expect(Math.abs(actual - expected) / expected).toBeLessThan(tolerance)

describe('the normal distribution', () => {
  it('matches the complementary error function to double precision, near zero and far in the tail', () => {
    const reference: Array<[number, number]> = [
      [0.1, 0.8875370839817152], [1, 0.15729920705028513], [2.4, 0.0006885138966450789],
      [2.6, 0.00023603441652934908], [5, 1.5374597944280351e-12], [10, 2.088487583762545e-45],
    ]
    for (const [x, expected] of reference) relClose(erfc(x), expected, 1e-13)
    close(erfc(0), 1, 15)
    close(erfc(-1), 2 - 0.15729920705028513, 15)
  })

  it('gives the usual critical values', () => {
    close(normalUpperTail(Z95), 0.025, 14)
    close(normalUpperTail(Z80), 0.2, 14)
  })
})

describe('Wilson intervals', () => {
  it('80 of 100 and 8 of 100', () => {
    const staff = wilson(80, 100)!
    const customers = wilson(8, 100)!
    close(staff[0], 0.711170834406841)
    close(staff[1], 0.8666330666689674)
    close(customers[0], 0.04109346148438061)
    close(customers[1], 0.14998107700948735)
  })

  it('0 of n starts at exactly 0 and n of n ends at exactly 1', () => {
    expect(wilson(0, 10)).toEqual([0, expect.closeTo(0.27753279986288926, 12)])
    expect(wilson(10, 10)).toEqual([expect.closeTo(0.7224672001371109, 12), 1])
  })

  it('n = 1', () => {
    expect(wilson(1, 1)).toEqual([expect.closeTo(0.20654931437723745, 12), 1])
    expect(wilson(0, 1)).toEqual([0, expect.closeTo(0.7934506856227626, 12)])
  })

  it('has no interval without answers', () => {
    expect(wilson(0, 0)).toBeNull()
    expect(share(0, 0)).toBeNull()
  })

  it('always contains the share', () => {
    for (let n = 1; n <= 40; n++) {
      for (let k = 0; k <= n; k++) {
        const [lo, hi] = wilson(k, n)!
        expect(lo).toBeLessThanOrEqual(k / n)
        expect(hi).toBeGreaterThanOrEqual(k / n)
        expect(lo).toBeGreaterThanOrEqual(0)
        expect(hi).toBeLessThanOrEqual(1)
      }
    }
  })
})

describe('gaps', () => {
  it('the headline: 80% of staff against 8% of customers is a 72-point blind spot', () => {
    const g = gap({ agree: 80, n: 100 }, { agree: 8, n: 100 })!
    close(g.points, 72, 10)
    close(g.ci95[0], 60.69160851430025, 9)
    close(g.ci95[1], 79.71601212607811, 9)
    relClose(g.pValue, 1.1069972132181755e-24, 1e-8)
  })

  it('unequal group sizes', () => {
    const g = gap({ agree: 45, n: 60 }, { agree: 30, n: 150 })!
    close(g.points, 55, 10)
    close(g.ci95[0], 40.84957852758767, 9)
    close(g.ci95[1], 65.7986608573926, 9)
    relClose(g.pValue, 5.715917719692329e-14, 1e-8)
    const small = gap({ agree: 7, n: 9 }, { agree: 2, n: 11 })!
    close(small.ci95[0], 15.679152797626866, 9)
    close(small.ci95[1], 80.16229458626991, 9)
    relClose(small.pValue, 0.007693972527542967, 1e-9)
  })

  it('n of n against 3 of 12', () => {
    const g = gap({ agree: 10, n: 10 }, { agree: 3, n: 12 })!
    close(g.ci95[0], 35.4120274411928, 9)
    close(g.ci95[1], 91.10583316059453, 9)
    relClose(g.pValue, 0.00036716286346143607, 1e-9)
  })

  it('n = 1 on both sides', () => {
    const g = gap({ agree: 1, n: 1 }, { agree: 0, n: 1 })!
    close(g.points, 100, 10)
    close(g.ci95[0], -12.210872068194178, 9)
    close(g.ci95[1], 100, 9)
    relClose(g.pValue, 0.15729920705028516, 1e-9)
  })

  it('0 of n on both sides: no variance, no evidence of a difference', () => {
    const g = gap({ agree: 0, n: 10 }, { agree: 0, n: 12 })!
    expect(g.points).toBe(0)
    expect(g.pValue).toBe(1)
    close(g.ci95[0], -24.249400665524085, 9)
    close(g.ci95[1], 27.7532799862889, 9)
    expect(twoProportionPValue(5, 5, 7, 7)).toBe(1)
  })

  it('needs answers on both sides', () => {
    expect(gap({ agree: 0, n: 0 }, { agree: 3, n: 10 })).toBeNull()
    expect(newcombe(3, 10, 0, 0)).toBeNull()
    expect(twoProportionPValue(3, 10, 0, 0)).toBeNull()
  })

  it('swapping the sides negates the gap and mirrors the interval', () => {
    const ab = gap({ agree: 45, n: 60 }, { agree: 30, n: 150 })!
    const ba = gap({ agree: 30, n: 150 }, { agree: 45, n: 60 })!
    close(ba.points, -ab.points, 10)
    close(ba.ci95[0], -ab.ci95[1], 10)
    close(ba.ci95[1], -ab.ci95[0], 10)
    close(ba.pValue, ab.pValue, 15)
  })
})

describe('Benjamini–Hochberg', () => {
  it('adjusts in the order given and keeps the q-values monotone', () => {
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.005])
    expect(q.map((v) => Number(v!.toFixed(12)))).toEqual([0.02, 0.04, 0.04, 0.02])
  })

  it('leaves items without both sides out of the family', () => {
    const q = benjaminiHochberg([0.01, null, 0.04])
    expect(q[1]).toBeNull()
    close(q[0]!, 0.02)
    close(q[2]!, 0.04)
  })

  it('never exceeds 1 and handles an empty family', () => {
    expect(benjaminiHochberg([0.9, 0.95, 1])).toEqual([1, 1, 1])
    expect(benjaminiHochberg([])).toEqual([])
    expect(benjaminiHochberg([null, null])).toEqual([null, null])
  })
})

describe('classification', () => {
  it('calls a significant positive gap a blind spot and a significant negative one a hidden strength', () => {
    expect(classify(0.8, 0.08, 72, 1e-20)).toBe('blind_spot')
    expect(classify(0.3, 0.6, -30, 0.001)).toBe('hidden_strength')
  })

  it('describes the rest by both shares', () => {
    expect(classify(0.75, 0.7, 5, 0.3)).toBe('shared_strength')
    expect(classify(0.45, 0.2, 25, 0.06)).toBe('shared_weakness')
    expect(classify(0.5, 0.49, 1, 0.9)).toBe('aligned')
    expect(classify(0.7, 0.69, 1, 0.9)).toBe('aligned')
  })

  it('needs both sides', () => {
    expect(classify(null, 0.5, null, null)).toBe('insufficient_data')
    expect(classify(0.5, null, null, null)).toBe('insufficient_data')
  })
})

describe('distributions and dimensions', () => {
  it('counts the top two boxes, the mean and n from a 5-point distribution', () => {
    expect(summarize([1, 2, 3, 10, 4], 'agree5')).toEqual({ n: 20, agree: 14, mean: (1 + 4 + 9 + 40 + 20) / 20 })
    expect(summarize([0, 0, 0, 0, 0], 'agree5')).toEqual({ n: 0, agree: 0, mean: null })
  })

  it('counts 9 and 10 on the 0–10 scale', () => {
    const distribution = [1, 0, 0, 0, 0, 0, 2, 3, 0, 4, 5]
    expect(summarize(distribution, 'likelihood11')).toMatchObject({ n: 15, agree: 9 })
  })

  it('a respondent agrees on a dimension when the mean of their answered items is at least 4', () => {
    expect(agreesOnDimension([4, 4])).toBe(true)
    expect(agreesOnDimension([5, 3])).toBe(true)
    expect(agreesOnDimension([5, 2])).toBe(false)
    expect(agreesOnDimension([4, null])).toBe(true)
    expect(agreesOnDimension([null, null])).toBeNull()
  })
})

describe('sample size planner', () => {
  it('asks 388 respondents per side to see 50% against 60% with 80% power', () => {
    expect(sampleSizePerSide(0.5, 10)).toBe(388)
  })

  it('asks fewer for a larger gap and refuses impossible plans', () => {
    expect(sampleSizePerSide(0.1, 20)!).toBeLessThan(sampleSizePerSide(0.1, 10)!)
    expect(sampleSizePerSide(0.95, 10)).toBeNull()
    expect(sampleSizePerSide(0.5, 0)).toBeNull()
  })
})

describe('gap change between two waves (MOVER)', () => {
  // Worked by hand from the four Wilson intervals: now 40/50 staff and 30/100 customers (gap +50),
  // before 45/50 and 10/100 (gap +80): the gap narrowed by 30 points.
  it('a gap that narrowed from +80 to +50', () => {
    const c = gapChange({ staff: { agree: 40, n: 50 }, customer: { agree: 30, n: 100 } }, { staff: { agree: 45, n: 50 }, customer: { agree: 10, n: 100 } })!
    expect(c.points).toBeCloseTo(-30, 10)
    expect(c.ci95[0]).toBeCloseTo(-47.71524096968826, 9)
    expect(c.ci95[1]).toBeCloseTo(-11.92454225773929, 9)
    expect(c.pValue).toBeCloseTo(0.0007962301575908095, 12)
  })

  it('swapping the waves negates the change and mirrors the interval', () => {
    const a = { staff: { agree: 12, n: 20 }, customer: { agree: 7, n: 31 } }
    const b = { staff: { agree: 18, n: 22 }, customer: { agree: 5, n: 40 } }
    const forward = gapChange(a, b)!
    const back = gapChange(b, a)!
    expect(back.points).toBeCloseTo(-forward.points, 10)
    expect(back.ci95[0]).toBeCloseTo(-forward.ci95[1], 10)
    expect(back.ci95[1]).toBeCloseTo(-forward.ci95[0], 10)
    expect(back.pValue).toBeCloseTo(forward.pValue, 12)
  })

  it('needs answers in all four groups, and an unchanged extreme gap is no evidence', () => {
    expect(gapChange({ staff: { agree: 1, n: 2 }, customer: { agree: 0, n: 0 } }, { staff: { agree: 1, n: 2 }, customer: { agree: 1, n: 2 } })).toBeNull()
    const same = gapChange({ staff: { agree: 5, n: 5 }, customer: { agree: 0, n: 5 } }, { staff: { agree: 9, n: 9 }, customer: { agree: 0, n: 7 } })!
    expect(same.points).toBe(0)
    expect(same.pValue).toBe(1)
  })
})

