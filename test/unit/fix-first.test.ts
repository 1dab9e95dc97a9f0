// Fix first (server/domain/analytics/fix-first.ts): the index, its ranking and ties, the
// importance–performance quadrant at the mean cuts, and the sentences of the top three.
import { describe, expect, it } from 'vitest'
import { fixFirst, itemLabel, type FixFirstInput } from '../../server/domain/analytics/fix-first.js'
import type { DriverWeight, Drivers } from '../../server/domain/analytics/types.js'

function weight(key: string, value: number, rank: number): DriverWeight {
  return {
    key, dimension: `${key} dimension`, correlation: 0.5, raw: value / 2, rawCi95: [0, 1],
    weight: value, weightCi95: [value / 2, Math.min(1, value * 1.5)], rank,
  }
}

function result(weights: DriverWeight[]): Omit<Drivers, 'scope'> {
  return {
    outcome: 'excellent_service', n: 500, minimum: 110, r2: 0.5, r2Ci95: [0.4, 0.6], weights,
    method: { correlations: 'pairwise', bootstrap: { replicates: 1000, seed: 1, scheme: 'respondents', confidence: 0.95 } },
  }
}

function item(key: string, points: number | null, customerShare: number | null): FixFirstInput {
  return {
    key, dimension: `${key} dimension`, customerText: `About ${key}.`,
    gap: points === null ? null : { points, ci95: [points - 10, points + 10] },
    staffShare: customerShare === null || points === null ? null : customerShare + points / 100,
    customerShare,
  }
}

describe('the fix-first index', () => {
  const drivers = result([weight('easy', 0.4, 1), weight('promises', 0.3, 2), weight('trust', 0.2, 3), weight('asks', 0.1, 4)])
  const answer = fixFirst(drivers, [
    item('easy', 41, 0.3),
    item('promises', 10, 0.5),
    item('trust', -20, 0.9),
    item('asks', 60, 0.4),
  ])

  it('is the weight times the staff over-rating, 0 where customers think better of it', () => {
    const index = Object.fromEntries(answer.items.map((entry) => [entry.key, entry.index]))
    expect(index.easy).toBeCloseTo(0.164, 12)
    expect(index.promises).toBeCloseTo(0.03, 12)
    expect(index.trust).toBe(0)
    expect(index.asks).toBeCloseTo(0.06, 12)
  })

  it('ranks by the index, largest first', () => {
    expect(answer.items.map((entry) => [entry.key, entry.rank])).toEqual([['easy', 1], ['asks', 2], ['promises', 3], ['trust', 4]])
  })

  it('carries the weight, the gap and their intervals', () => {
    expect(answer.items[0]).toMatchObject({
      key: 'easy', dimension: 'easy dimension', customerText: 'About easy.', weight: 0.4, weightCi95: [0.2, expect.closeTo(0.6, 12)],
      gapPoints: 41, gapCi95: [31, 51], customerShare: 0.3, staffShare: expect.closeTo(0.71, 12),
    })
  })

  it('breaks ties by the weight and then by the key, and gives an item without a gap index 0', () => {
    const tied = fixFirst(result([weight('b', 0.2, 1), weight('a', 0.2, 2), weight('c', 0.4, 3), weight('d', 0.2, 4)]), [
      item('a', 0, 0.5), item('b', 0, 0.5), item('c', 0, 0.5), item('d', null, null),
    ])
    expect(tied.items.map((entry) => entry.key)).toEqual(['c', 'a', 'b', 'd'])
    expect(tied.items[3]).toMatchObject({ index: 0, gapPoints: null, gapCi95: null })
    expect(tied.top).toEqual([])
  })

  it('leaves out items that are not drivers', () => {
    const only = fixFirst(result([weight('easy', 1, 1)]), [item('easy', 10, 0.5), item('excellent_service', 30, 0.5)])
    expect(only.items.map((entry) => entry.key)).toEqual(['easy'])
  })
})

describe('the importance–performance quadrant', () => {
  it('splits at the mean weight and the mean customer share', () => {
    const answer = fixFirst(result([weight('a', 0.4, 1), weight('b', 0.3, 2), weight('c', 0.2, 3), weight('d', 0.1, 4)]), [
      item('a', 5, 0.2), // important, customers unhappy
      item('b', 5, 0.8), // important, customers happy
      item('c', 5, 0.3), // less important, customers unhappy
      item('d', 5, 0.9), // less important, customers happy
    ])
    expect(answer.cuts.weight).toBeCloseTo(0.25, 12)
    expect(answer.cuts.customerShare).toBeCloseTo(0.55, 12)
    const quadrants = Object.fromEntries(answer.items.map((entry) => [entry.key, entry.quadrant]))
    expect(quadrants).toEqual({ a: 'fix_first', b: 'keep_up', c: 'low_priority', d: 'possible_overkill' })
  })

  it('places an item without a customer share by its weight alone, never as fix first', () => {
    const answer = fixFirst(result([weight('a', 0.5, 1), weight('b', 0.3, 2), weight('c', 0.2, 3)]), [
      item('a', 10, null), item('b', 10, 0.4), item('c', 10, 0.6),
    ])
    // The cuts use only the items with a customer share: weight (0.3 + 0.2)/2, share 0.5.
    expect(answer.cuts.weight).toBeCloseTo(0.25, 12)
    expect(answer.cuts.customerShare).toBeCloseTo(0.5, 12)
    expect(answer.items.find((entry) => entry.key === 'a')!.quadrant).toBe('keep_up')
    expect(answer.items.find((entry) => entry.key === 'b')!.quadrant).toBe('fix_first')
  })
})

describe('the top three, in words', () => {
  const answer = fixFirst(result([weight('easy', 0.24, 1), weight('promises', 0.2, 2), weight('custom_item', 0.3, 3), weight('trust', 0.26, 4)]), [
    item('easy', 41.2, 0.3),
    item('promises', 12.6, 0.5),
    item('custom_item', 0.4, 0.6),
    item('trust', -5, 0.8),
  ])

  it('are the first three with a positive index', () => {
    expect(answer.top.map((entry) => entry.key)).toEqual(['easy', 'promises', 'custom_item'])
    expect(answer.top[0]).toMatchObject({ rank: 1, weight: 0.24, gapPoints: 41.2 })
  })

  it('say what the verdict depends on most, then what comes next', () => {
    expect(answer.top.map((entry) => entry.sentence)).toEqual([
      "Customers' overall verdict depends most on ease (24% of what we can explain), and staff overrate it by 41 points.",
      'Next comes keeping promises (20%), which staff overrate by 13 points.',
      'Then custom item (30%), overrated by less than 1 point.',
    ])
  })

  it('name the built-in items briefly and any other item by its key', () => {
    expect(itemLabel('easy')).toBe('ease')
    expect(itemLabel('promises')).toBe('keeping promises')
    expect(itemLabel('lead_time_ok')).toBe('lead time ok')
    expect(itemLabel('toString')).toBe('toString')
  })

  it('say "1 point" and "less than 1%" where the numbers are that small', () => {
    const small = fixFirst(result([weight('easy', 0.004, 1)]), [item('easy', 1.2, 0.5)])
    expect(small.top[0]!.sentence).toBe("Customers' overall verdict depends most on ease (less than 1% of what we can explain), and staff overrate it by 1 point.")
  })
})
