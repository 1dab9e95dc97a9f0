// Random 0–10 (and 1–5) answer sets: the product's gap report (domain/report.ts, from counts) against
// the independent reference (test/helpers/reference-report.ts, from the raw answers), figure by figure.
import { describe, expect, it } from 'vitest'
import { buildReport, type ReportItem, type SideCounts } from '../../server/domain/report.js'
import { xorshift } from '../helpers/reference-numerics.js'
import { referenceReport, type ReferenceItem, type ReferenceRow } from '../helpers/reference-report.js'

const ITEMS: ReferenceItem[] = [
  { key: 'nps', dimension: 'overall', headline: true, scale: 'likelihood11' },
  { key: 'kind', dimension: 'care', headline: false, scale: 'agree5' },
  { key: 'back', dimension: 'care', headline: false, scale: 'likelihood11' },
  { key: 'again', dimension: 'loyal', headline: false, scale: 'likelihood11' },
]

/** What the rollups would hold for these rows: counts per scale point, and the dimension sums of 1–5 items. */
function counts(rows: readonly ReferenceRow[]): SideCounts {
  const distributions = new Map<string, number[]>()
  const dimensions = new Map<string, { n: number; agree: number; meanSum: number }>()
  for (const item of ITEMS) {
    const lowest = item.scale === 'agree5' ? 1 : 0
    const row = Array.from({ length: item.scale === 'agree5' ? 5 : 11 }, () => 0)
    for (const r of rows) { const v = r.answers[item.key]; if (v !== null && v !== undefined) row[v - lowest]!++ }
    distributions.set(item.key, row)
  }
  for (const r of rows) {
    const values = [r.answers.kind].filter((v): v is number => v !== null && v !== undefined)
    if (values.length === 0) continue
    const mean = values.reduce((s, x) => s + x, 0) / values.length
    const d = dimensions.get('care') ?? { n: 0, agree: 0, meanSum: 0 }
    dimensions.set('care', { n: d.n + 1, agree: d.agree + (mean >= 4 ? 1 : 0), meanSum: d.meanSum + mean })
  }
  return { respondents: rows.length, distributions, dimensions, shown: () => true }
}

const close = (a: number, b: number, label: string) => expect(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${label}: ${a} vs ${b}`).toBe(true)

describe('0–10 report, product against reference', () => {
  it('agrees on shares, intervals, means, distributions, gaps, p, q and classification for 300 random waves', () => {
    const random = xorshift(1017)
    for (let trial = 0; trial < 300; trial++) {
      const rows: ReferenceRow[] = []
      const lean = Math.floor(random() * 5)
      for (const side of ['staff', 'customer'] as const) {
        const size = 1 + Math.floor(random() * 60)
        for (let i = 0; i < size; i++) {
          const pick = (n: number, from: number) => (random() < 0.1 ? null : from + Math.floor(random() * n))
          rows.push({ side, answers: { nps: side === 'staff' ? Math.min(10, lean + Math.floor(random() * 11)) : Math.floor(random() * 11), kind: pick(5, 1), back: pick(11, 0), again: pick(11, 0) } })
        }
      }
      const expected = referenceReport(ITEMS, rows)
      const items: ReportItem[] = ITEMS.map((item) => ({ ...item, staffText: item.key, customerText: item.key }))
      const got = buildReport({ items, sides: { staff: counts(rows.filter((r) => r.side === 'staff')), customer: counts(rows.filter((r) => r.side === 'customer')) } })
      expect(got.dimensions.map((d) => d.key)).toEqual(expected.dimensions.map((d) => d.key))
      for (const [i, want] of [...expected.items, ...expected.dimensions].entries()) {
        const result = i < expected.items.length ? got.items[i]! : got.dimensions[i - expected.items.length]!
        for (const side of ['staff', 'customer'] as const) {
          const share = result[side]
          const ref = want[side]
          if (!ref) { expect('suppressed' in share).toBe(true); continue }
          if ('suppressed' in share) throw new Error(`${want.key} ${side} suppressed`)
          expect([share.n, share.agree]).toEqual([ref.n, ref.agree])
          close(share.ci95[0], ref.ci95[0], `${trial} ${want.key} ${side} low`)
          close(share.ci95[1], ref.ci95[1], `${trial} ${want.key} ${side} high`)
          close(share.mean!, ref.mean, `${trial} ${want.key} ${side} mean`)
          if ('distribution' in ref) expect(share.distribution).toEqual(ref.distribution)
        }
        expect(result.gap === null).toBe(want.gap === null)
        if (result.gap && want.gap) {
          close(result.gap.points, want.gap.points, `${trial} ${want.key} points`)
          close(result.gap.ci95[0], want.gap.ci95[0], `${trial} ${want.key} gap low`)
          close(result.gap.ci95[1], want.gap.ci95[1], `${trial} ${want.key} gap high`)
          expect(Math.abs(result.gap.pValue - want.gap.pValue), `${trial} ${want.key} p`).toBeLessThan(1e-10 * Math.max(1e-6, want.gap.pValue) + 1e-15)
          expect(Math.abs(result.gap.qValue - want.gap.qValue), `${trial} ${want.key} q`).toBeLessThan(1e-10 * Math.max(1e-6, want.gap.qValue) + 1e-15)
        }
        expect(result.classification, `${trial} ${want.key}`).toBe(want.classification)
      }
    }
  })
})
