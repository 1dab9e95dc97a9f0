// The measure vector of one respondent (domain/measures.ts): what each staff answer adds to its
// profile's counts, which the release steps and the profile rollups both use.
import { describe, expect, it } from 'vitest'
import { dimensionMeasures, measureKeys, measureVector } from '../../server/domain/measures.js'
import { dimensionKeys } from '../../server/domain/report.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'

const ITEMS = [
  { key: 'overall', dimension: 'overall', headline: true, scale: 'agree5' as const },
  { key: 'a1', dimension: 'attitude', headline: false, scale: 'agree5' as const },
  { key: 'b1', dimension: 'ability', headline: false, scale: 'agree5' as const },
  { key: 'a2', dimension: 'attitude', headline: false, scale: 'agree5' as const },
]

describe('measureKeys', () => {
  it('names the respondent, every item in order, then the non-headline dimensions in first-appearance order', () => {
    expect(measureKeys(ITEMS)).toEqual(['respondents', 'overall', 'a1', 'b1', 'a2', 'dimension:attitude', 'dimension:ability'])
  })

  it('gives the built-in instrument 1 + 12 items + 7 dimensions', () => {
    const keys = measureKeys(SERVICE_GAP_INDEX_V1.items)
    expect(keys).toHaveLength(20)
    expect(keys.slice(-7)).toEqual(['attitude', 'ability', 'structure', 'focus', 'fit', 'listening', 'care'].map((d) => `dimension:${d}`))
  })
})

describe('measureVector', () => {
  it('counts the respondent, each answered item and each dimension with an opinion', () => {
    expect(measureVector(ITEMS, { overall: 4, a1: 5, b1: 2, a2: 1 })).toEqual([1, 1, 1, 1, 1, 1, 1])
  })

  it('treats null and missing answers alike, and a dimension counts once however many of its items are answered', () => {
    expect(measureVector(ITEMS, { overall: null, a1: null, a2: 3 })).toEqual([1, 0, 0, 0, 1, 1, 0])
    expect(measureVector(ITEMS, {})).toEqual([1, 0, 0, 0, 0, 0, 0])
  })

  it('does not count the headline towards any dimension, even one sharing its name', () => {
    const items = [...ITEMS, { key: 'o2', dimension: 'overall', headline: false, scale: 'agree5' as const }]
    expect(measureVector(items, { overall: 5 })).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0])
    expect(measureVector(items, { o2: 5 })).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 1])
  })

  it('ignores answers to keys the instrument does not have, inherited names included', () => {
    const answers = Object.assign(Object.create(null), { constructor: 3, a1: 0 }) as Record<string, number>
    expect(measureVector(ITEMS, answers)).toEqual([1, 0, 1, 0, 0, 1, 0])
    expect(measureVector([{ key: 'constructor', dimension: 'x', headline: false, scale: 'agree5' as const }], {})).toEqual([1, 0, 0])
  })

  it('always has one entry per measure key', () => {
    for (const answers of [{}, { overall: 1 }, { a1: 1, b1: 1 }]) expect(measureVector(ITEMS, answers)).toHaveLength(measureKeys(ITEMS).length)
  })
})

describe('0–10 items and dimensions', () => {
  const MIXED = [
    { key: 'recommend', dimension: 'overall', headline: true, scale: 'likelihood11' as const },
    { key: 'kind', dimension: 'attitude', headline: false, scale: 'agree5' as const },
    { key: 'return', dimension: 'attitude', headline: false, scale: 'likelihood11' as const },
    { key: 'again', dimension: 'loyalty', headline: false, scale: 'likelihood11' as const },
  ]

  it('keeps a slot for every non-headline dimension, so stored vectors keep their layout', () => {
    expect(measureKeys(MIXED)).toEqual(['respondents', 'recommend', 'kind', 'return', 'again', 'dimension:attitude', 'dimension:loyalty'])
  })

  it('counts a respondent in a dimension only through its 1–5 items', () => {
    expect(measureVector(MIXED, { kind: 4 })).toEqual([1, 0, 1, 0, 0, 1, 0])
    expect(measureVector(MIXED, { return: 10, again: 9 })).toEqual([1, 0, 0, 1, 1, 0, 0])
  })

  it('lets the release compare a dimension with its 1–5 items only', () => {
    expect(dimensionMeasures(MIXED)).toEqual([{ measure: 5, items: [2] }, { measure: 6, items: [] }])
  })

  it('reports only the dimensions that have a 1–5 item', () => {
    expect(dimensionKeys(MIXED)).toEqual(['attitude'])
  })
})
