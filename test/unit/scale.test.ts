// The answer scales (server/domain/scale.ts): the one definition the form, the checks, the report's
// distributions and the agreement SQL derive from.
import { describe, expect, it } from 'vitest'
import {
  agreeThreshold, DIMENSION_AGREE_MEAN, highestValue, isOnScale, lowestValue, SCALE_VALUES, SCALES, scaleIndex, scaleLength, scaleValues,
} from '../../server/domain/scale.js'

describe('answer scales', () => {
  it('are 1–5 and 0–10', () => {
    expect(scaleValues('agree5')).toEqual([1, 2, 3, 4, 5])
    expect(scaleValues('likelihood11')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(SCALE_VALUES).toEqual({ agree5: scaleValues('agree5'), likelihood11: scaleValues('likelihood11') })
  })

  it('agree from the top two boxes of 1–5 and from 9 on 0–10', () => {
    expect(agreeThreshold('agree5')).toBe(4)
    expect(agreeThreshold('likelihood11')).toBe(9)
    expect(DIMENSION_AGREE_MEAN).toBe(4)
  })

  it('place each value at its index in the distribution, and refuse values off the scale', () => {
    for (const scale of SCALES) {
      const values = scaleValues(scale)
      expect(values).toHaveLength(scaleLength(scale))
      expect(values[0]).toBe(lowestValue(scale))
      expect(values.at(-1)).toBe(highestValue(scale))
      values.forEach((value, index) => {
        expect(scaleIndex(scale, value)).toBe(index)
        expect(isOnScale(scale, value)).toBe(true)
      })
      for (const off of [lowestValue(scale) - 1, highestValue(scale) + 1, 2.5, Number.NaN]) {
        expect(scaleIndex(scale, off)).toBeNull()
        expect(isOnScale(scale, off)).toBe(false)
      }
    }
  })
})
