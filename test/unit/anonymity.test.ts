// The export's unit suppression (staffUnitsShownInExport in domain/anonymity.ts): worked examples,
// and the property that the staff rows left without their unit are never a small, identifiable group.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SMALLEST_MIN_GROUP_SIZE, staffUnitsShownInExport, tooSmall } from '../../server/domain/anonymity.js'

const shown = (rows: Array<[string | null, number]>, min = 5) =>
  [...staffUnitsShownInExport(rows.map(([unitId, n]) => ({ unitId, n })), min)].sort()

describe('staffUnitsShownInExport', () => {
  it('shows every unit when each has at least the minimum and no staff are without a unit', () => {
    expect(shown([['a', 5], ['b', 8]])).toEqual(['a', 'b'])
  })

  it('hides a small unit, and the smallest shown unit too when the small one alone could be picked out', () => {
    // 'c' (2) alone would be two people without a unit; hiding 'a' (6) as well makes eight.
    expect(shown([['a', 6], ['b', 9], ['c', 2]])).toEqual(['b'])
  })

  it('counts staff without a unit among the hidden rows', () => {
    expect(shown([[null, 1], ['a', 7], ['b', 10]])).toEqual(['b'])
    expect(shown([[null, 6], ['a', 7]])).toEqual(['a'])
  })

  it('hides the smallest unit still shown, never a larger one, and no more than it takes', () => {
    // One hidden person is too few for a minimum of 7; adding 'b' (8) makes nine, enough.
    expect(shown([['x', 1], ['c', 20], ['b', 8], ['d', 9]], 7)).toEqual(['c', 'd'])
  })

  it('breaks a tie between equally small units by unit id, whatever the order given', () => {
    expect(shown([['b', 5], ['a', 5], ['c', 1], ['d', 9]])).toEqual(['b', 'd'])
    expect(shown([['c', 1], ['d', 9], ['a', 5], ['b', 5]])).toEqual(['b', 'd'])
  })

  it('shows no unit when the whole side is too small', () => {
    expect(shown([['a', 2], ['b', 2]])).toEqual([])
    expect(shown([])).toEqual([])
  })

  it('never goes below the smallest minimum the product allows', () => {
    expect(shown([['a', 2], ['b', 3], ['c', 4]], 1)).toEqual(['c'])
    expect(SMALLEST_MIN_GROUP_SIZE).toBe(3)
  })

  it('keeps the hidden rows at zero or at least the minimum, and every shown unit at least the minimum', () => {
    const units = fc.uniqueArray(fc.record({ unitId: fc.option(fc.stringMatching(/^[a-f]{1,3}$/), { nil: null, freq: 6 }), n: fc.integer({ min: 1, max: 40 }) }), {
      selector: (row) => row.unitId, maxLength: 12,
    })
    fc.assert(fc.property(units, fc.integer({ min: 1, max: 20 }), (rows, min) => {
      const result = staffUnitsShownInExport(rows, min)
      const total = rows.reduce((sum, row) => sum + row.n, 0)
      const hidden = rows.filter((row) => row.unitId === null || !result.has(row.unitId)).reduce((sum, row) => sum + row.n, 0)
      for (const unitId of result) {
        const row = rows.find((r) => r.unitId === unitId)!
        expect(tooSmall(row.n, min)).toBe(false)
      }
      if (tooSmall(total, min)) expect(result.size).toBe(0)
      else expect(hidden === 0 || !tooSmall(hidden, min)).toBe(true)
      // Same answer whatever the order the database returns the units in.
      expect([...staffUnitsShownInExport([...rows].reverse(), min)].sort()).toEqual([...result].sort())
    }), { numRuns: 500 })
  })
})
