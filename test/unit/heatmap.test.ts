// The heat map's colour scale and order (server/presenters/heatmap.ts): steps that keep a gap of 30
// apart from one of 76, zero neutral, the two signs mirror images; rows sorted by what was shown only.
import { describe, expect, it } from 'vitest'
import type { UnitRow } from '../../server/domain/report-parts.js'
import { gapStep, heatmapSort, presentHeatmap } from '../../server/presenters/heatmap.js'
import { gapNumber } from '../../server/format.js'

describe('gapStep', () => {
  it('puts 30 and 76 in different steps, and every step boundary where the legend says', () => {
    expect(gapStep(30)).toBe('gap-o3')
    expect(gapStep(76)).toBe('gap-o5')
    expect(gapStep(31)).not.toBe(gapStep(76))
    const expected: Array<[number, string]> = [[0, 'gap-0'], [4.4, 'gap-0'], [4.6, 'gap-o1'], [14, 'gap-o1'], [15, 'gap-o2'], [29, 'gap-o2'], [49, 'gap-o3'], [50, 'gap-o4'], [69, 'gap-o4'], [70, 'gap-o5'], [100, 'gap-o5']]
    for (const [points, step] of expected) expect(gapStep(points), String(points)).toBe(step)
  })

  it('is neutral at zero and symmetric in sign', () => {
    expect(gapStep(0)).toBe('gap-0')
    expect(gapStep(-0)).toBe('gap-0')
    for (let points = 0.5; points <= 100; points += 0.5) {
      const over = gapStep(points)
      const under = gapStep(-points)
      expect(under.replace('gap-u', 'gap-o'), String(points)).toBe(over)
      if (over !== 'gap-0') expect(under.startsWith('gap-u'), String(points)).toBe(true)
    }
  })

  it('prints gaps with a sign and a true minus, no unit', () => {
    expect([gapNumber(72.4), gapNumber(-40), gapNumber(0.3), gapNumber(-0.4)]).toEqual(['+72', '−40', '0', '0'])
  })
})

const row = (name: string, gap: number | null, customers: number | null, staff: number | null = 10): UnitRow => ({
  id: name, name, respondents: { staff, customer: customers },
  staff: { suppressed: true }, customer: { suppressed: true },
  gap: gap === null ? null : { points: gap, ci95: [gap - 5, gap + 5], pValue: 0.01, qValue: 0.02, significant: true },
  classification: 'insufficient_data', items: [], change: null,
})

describe('presentHeatmap', () => {
  const units = [row('Beta', 31, 40), row('Alpha', -76, null), row('Gamma', null, 90), row('Delta', 5, 40, null)]
  const view = (sort: string) => presentHeatmap(units, { filters: { unit: null, staff: {}, customer: { tier: 'gold' } }, itemKeys: [], whole: true, sort: heatmapSort(sort), hidden: 'hidden: why' })!

  it('sorts by the widest gap by default, by name, or by respondents (hidden counts last)', () => {
    expect(view('').rows.map((r) => r.unit)).toEqual(['Alpha', 'Beta', 'Delta', 'Gamma'])
    expect(view('gap').rows.map((r) => r.unit)).toEqual(['Alpha', 'Beta', 'Delta', 'Gamma'])
    expect(view('name').rows.map((r) => r.unit)).toEqual(['Alpha', 'Beta', 'Delta', 'Gamma'].sort())
    expect(view('n').rows.map((r) => r.unit)).toEqual(['Gamma', 'Beta', 'Delta', 'Alpha'])
    expect(view('<script>').sorts.find((s) => s.current)!.key).toBe('gap')
  })

  it('links each sort with the filters kept, and a legend naming every step, the hidden cells and the mark', () => {
    expect(view('n').sorts.map((s) => s.href)).toEqual(['?customer.tier=gold', '?customer.tier=gold&sort=name', '?customer.tier=gold&sort=n'])
    const legend = view('gap').legend
    expect(legend.map((s) => s.shade)).toEqual(['gap-o5', 'gap-o4', 'gap-o3', 'gap-o2', 'gap-o1', 'gap-0', 'gap-u1', 'gap-u2', 'gap-u3', 'gap-u4', 'gap-u5'])
    expect(legend.map((s) => s.label)).toEqual(['+70 or more', '+50 to +69', '+30 to +49', '+15 to +29', '+5 to +14', '−4 to +4', '−5 to −14', '−15 to −29', '−30 to −49', '−50 to −69', '−70 or more'])
    expect(view('gap').hiddenNote).toBe('hidden: why')
    expect(view('gap').scope).toEqual({ answers: 'filter' })
  })
})
