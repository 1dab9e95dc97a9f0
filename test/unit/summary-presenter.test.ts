// The summary presenter (the report's first screen) on report objects built by hand: the headline
// three ways or two, the change since the previous wave or "first wave", fix first or its short
// reason, and where — the widest significant unit gaps and the most improved — or, under a unit
// filter, that unit's place among the units. Each expectation is read off the fixture by hand.
import { describe, expect, it } from 'vitest'
import type { Gap, ItemResult, Share } from '../../server/domain/report.js'
import type { GapChange, Trend, UnitRow } from '../../server/domain/report-parts.js'
import * as f from '../../server/format.js'
import { changeWords, presentSummary, type SummaryReport } from '../../server/presenters/summary.js'
import { analytics, noAnalytics } from '../helpers/analytics.js'

const shown = (share: number, n: number, ci95: [number, number]): Share => ({ n, agree: Math.round(share * n), share, ci95, mean: 3.5, distribution: [] })
const hidden: Share = { suppressed: true }
const gapOf = (points: number, qValue: number, ci95: [number, number] = [points - 8, points + 8]): Gap => ({ points, ci95, pValue: qValue / 2, qValue, significant: qValue < 0.05 })
const changeOf = (points: number, qValue: number): GapChange => ({ points, ci95: [points - 6, points + 6], pValue: qValue / 2, qValue, significant: qValue < 0.05 })

const headline: ItemResult = {
  key: 'excellent_service', dimension: 'overall', scale: 'agree5', headline: true, staffText: 'Our customers get excellent service.', customerText: 'I get excellent service.',
  staff: shown(0.8, 80, [0.7, 0.87]), customer: shown(0.14, 400, [0.11, 0.18]), gap: gapOf(66, 0.00001, [59.5, 72.4]), classification: 'blind_spot',
}

const unit = (id: string, name: string, gap: Gap | null, change: GapChange | null = null): UnitRow => ({
  id, name, respondents: { staff: 20, customer: 80 }, staff: shown(0.8, 20, [0.6, 0.9]), customer: shown(0.2, 80, [0.1, 0.3]), gap,
  classification: gap?.significant ? 'blind_spot' : 'aligned', items: [], change: change && { ...change, since: { id: 'q3', name: '2026-Q3' } },
})

const UNITS: UnitRow[] = [
  unit('a', 'Alpha', gapOf(40, 0.001), changeOf(-3, 0.4)),
  unit('b', 'Bravo & Co', gapOf(72, 0.0001), changeOf(-15, 0.004)),
  unit('c', 'Charlie', gapOf(55, 0.002), changeOf(-9, 0.03)),
  unit('d', 'Delta', gapOf(80, 0.2)), // the widest, but could be chance
  unit('e', 'Echo', gapOf(61, 0.01), changeOf(4, 0.01)),
  unit('h', 'Hidden', null),
]

const trend = (change: GapChange | null): Trend => ({
  waves: [{ id: 'q3', name: '2026-Q3' }, { id: 'q4', name: '2026-Q4' }],
  headline: 'excellent_service',
  items: [],
  change: { since: { id: 'q3', name: '2026-Q3' }, items: [{ key: 'excellent_service', change }] },
})

function report(over: Partial<SummaryReport> = {}): SummaryReport {
  return {
    minGroupSize: 5,
    filters: { unit: null, staff: {}, customer: {} },
    release: { at: '2026-12-03T08:15:00.000Z' },
    headline,
    ...analytics(),
    units: UNITS,
    trend: trend(changeOf(-7.4, 0.0004)),
    ...over,
  }
}
const context = { waveUrl: '/waves/w1', whole: true }

describe('format.chance', () => {
  it('turns a p or q value into words at 0.001 and 0.05', () => {
    expect([0.00001, 0.000999, 0.001, 0.0499, 0.05, 0.5].map(f.chance)).toEqual([
      'very unlikely to be chance', 'very unlikely to be chance', 'unlikely to be chance', 'unlikely to be chance', 'could be chance', 'could be chance',
    ])
  })
})

describe('presentSummary', () => {
  it('reads the headline three ways when the wave asks staff predictions, with the gap in points and words', () => {
    const { headline: h, release } = presentSummary(report(), context)
    expect(h.ways.map((way) => [way.side, way.value, way.label])).toEqual([
      ['staff', '80%', 'of staff say'], ['predicted', '62%', 'is what staff predict customers say'], ['customer', '14%', 'of customers say'],
    ])
    expect(h.ways[0]!.quote).toBe('Our customers get excellent service.')
    expect(h.ways[1]!.detail).toBe('95%: 58–66% · n = 80')
    expect(h.gap).toMatchObject({ points: '+66 pts', verdict: 'staff think better of the service than customers do', chance: 'very unlikely to be chance' })
    // The statistics one hover away: the interval and the exact q (and p).
    expect(h.gap!.title).toBe('95% interval +60 to +72 pts, q < 0.001 (p < 0.001)')
    expect(h.prediction).toBe('Staff expect 62% of customers to agree; 14% do: they overestimate by 48 points (95%: 41 to 55).')
    expect(release).toBe('Staff figures as of 3 Dec 2026')
  })

  it('reads it two ways when the wave asks no predictions, and says when no release has happened', () => {
    const view = presentSummary(report({ ...noAnalytics(), release: { at: null } }), context)
    expect(view.headline.ways.map((way) => way.side)).toEqual(['staff', 'customer'])
    expect(view.headline.prediction).toBeNull()
    expect(view.release).toBe('Staff figures not released yet')
  })

  it('gives the change since the previous wave with its interval and q, in words', () => {
    const { change } = presentSummary(report(), context)
    expect(change).toEqual({
      fact: { text: 'narrowed by 7 pts since 2026-Q3', chance: 'very unlikely to be chance', title: 'Change −7 pts, 95% interval −13 to −1 pts, q < 0.001', significant: true },
      note: null,
    })
    const small = presentSummary(report({ trend: trend(changeOf(2.4, 0.3)) }), context).change!.fact!
    expect([small.text, small.chance, small.title]).toEqual(['widened by 2 pts since 2026-Q3', 'could be chance', 'Change +2 pts, 95% interval −4 to +8 pts, q = 0.300'])
  })

  it('says "first wave" without a previous wave, and leaves the part out where the report has no trend field', () => {
    expect(presentSummary(report({ trend: { ...trend(null), waves: [{ id: 'q4', name: '2026-Q4' }], change: null } }), context).change)
      .toEqual({ fact: null, note: 'First wave of this survey: nothing to compare with yet.' })
    expect(presentSummary(report({ trend: null }), context).change).toEqual({ fact: null, note: 'No comparison with earlier waves for this view.' })
    expect(presentSummary(report({ trend: trend(null) }), context).change!.note).toBe('No change since 2026-Q3 can be given: a side is hidden in one of the two waves.')
    const { trend: _, ...withoutTrend } = report()
    expect(presentSummary(withoutTrend, context).change).toBeNull()
  })

  it('names a gap that crossed zero by both ends, and a steady one as steady', () => {
    expect(changeWords(-5, -15)).toBe('moved from +10 pts to −5 pts')
    expect(changeWords(20, 0.3)).toBe('held steady')
    expect(changeWords(-20, -6)).toBe('widened by 6 pts')
    expect(changeWords(-20, 6)).toBe('narrowed by 6 pts')
  })

  it('lists fix first with gap and weight, the intervals in the title', () => {
    const { fixFirst } = presentSummary(report(), context)
    expect(fixFirst.items.map((item) => [item.label, item.gap, item.weight])).toEqual([['Easy', 'gap +41 pts', 'weight 24%'], ['Promises', 'gap +20 pts', 'weight 15%']])
    expect(fixFirst.items[0]!.title).toBe('Gap 95% interval +30 to +52 pts; weight in customers\' verdict 95% interval 18–30%')
    expect(fixFirst.note).toBeNull()
  })

  it('gives the short reason when fix first is null', () => {
    const { fixFirst } = presentSummary(report(noAnalytics()), context)
    expect(fixFirst).toEqual({ items: [], note: 'Too few customers here to weigh the items against their verdict.', empty: null })
    const other = noAnalytics()
    other.unavailable = { fixFirst: { code: 'no_drivers', message: 'Fix first needs driver weights: something unusual.' } }
    expect(presentSummary(report(other), context).fixFirst.note).toBe('Fix first needs driver weights: something unusual.')
  })

  it('says when fix first borrows the whole wave\'s weights under a unit filter', () => {
    const a = analytics()
    a.fixFirst!.scope = { unit: { id: 'b', name: 'Bravo & Co' }, staff: {}, customer: {}, wholeWave: true, note: 'The driver weights are the whole wave\'s…' }
    expect(presentSummary(report({ ...a, filters: { unit: { id: 'b', name: 'Bravo & Co' }, staff: {}, customer: {} } }), context).fixFirst.note)
      .toBe('Weights from the whole wave (too few customers here for their own); gaps from this view.')
  })

  it('names the three widest significant unit gaps and the most improved, each a link to its unit\'s page', () => {
    const where = presentSummary(report(), context).where!
    expect(where.kind).toBe('units')
    // Delta is widest but could be chance; Hidden has no gap.
    expect(where.units!.widest.map((u) => [u.name, u.points, u.href])).toEqual([
      ['Bravo & Co', '+72 pts', '/waves/w1?unit=Bravo+%26+Co'], ['Echo', '+61 pts', '/waves/w1?unit=Echo'], ['Charlie', '+55 pts', '/waves/w1?unit=Charlie'],
    ])
    expect(where.units!.widest[0]!.title).toBe('95% interval +64 to +80 pts, q < 0.001')
    // Bravo narrowed by 15 (significant), Charlie by 9, Alpha by 3 (could be chance), Echo widened.
    expect(where.units!.improved).toMatchObject({ name: 'Bravo & Co', text: 'narrowed by 15 pts since 2026-Q3', chance: 'unlikely to be chance' })
    expect(where.scope).toBe('Among all units.')
  })

  it('keeps the attribute filters in the unit links and says the units are compared under them', () => {
    const where = presentSummary(report({ filters: { unit: null, staff: { tenure: '1-3 years' }, customer: { tier: 'gold' } } }), context).where!
    expect(where.units!.widest[0]!.href).toBe('/waves/w1?unit=Bravo+%26+Co&staff.tenure=1-3+years&customer.tier=gold')
    expect(where.scope).toBe('Among all units, under the same attribute filters.')
  })

  it('says so when no unit gap is significant and none narrowed significantly', () => {
    const units = [unit('a', 'Alpha', gapOf(40, 0.2), changeOf(-20, 0.09)), unit('b', 'Bravo', gapOf(-30, 0.01), changeOf(-5, 0.01))]
    const where = presentSummary(report({ units }), context).where!
    expect(where.units!.widest).toEqual([])
    expect(where.units!.widestNote).toBe('No unit has a gap (staff above customers) that is unlikely to be chance.')
    expect(where.units!.improved).toBeNull()
    expect(where.units!.improvedNote).toBe('No unit\'s gap narrowed by more than chance since the previous wave.')
    const first = presentSummary(report({ units: [unit('a', 'Alpha', gapOf(40, 0.001))] }), context).where!
    expect(first.units!.improvedNote).toBe('No unit can be compared with a previous wave.')
  })

  it('under a unit filter gives that unit\'s place among the units instead, and says what it compares', () => {
    const filters = { unit: { id: 'c', name: 'Charlie' }, staff: {}, customer: {} }
    const where = presentSummary(report({ filters }), context).where!
    expect(where.kind).toBe('place')
    expect(where.units).toBeNull()
    // Gaps ranked: Delta 80, Bravo 72, Echo 61, Charlie 55, Alpha 40 (Hidden has none).
    expect(where.place!.text).toBe('Charlie has the 4th widest gap of the 5 units compared.')
    expect(where.place!.change).toMatchObject({ text: 'narrowed by 9 pts since 2026-Q3', chance: 'unlikely to be chance' })
    expect(where.scope).toBe('Compares Charlie with all units.')
    // A unit manager compares with their own units only.
    const manager = presentSummary(report({ filters, units: UNITS.filter((u) => ['a', 'c'].includes(u.id)) }), { ...context, whole: false }).where!
    expect(manager.place!.text).toBe('Charlie has the widest gap of the 2 units compared.')
    expect(manager.scope).toBe('Compares Charlie with your units.')
    const hiddenUnit = presentSummary(report({ filters: { ...filters, unit: { id: 'h', name: 'Hidden' } } }), context).where!
    expect(hiddenUnit.place!.text).toBe('Hidden cannot be placed among the units: a side of its gap is hidden.')
  })

  it('shows a hidden side as its reason, with no gap, and the predicted share hidden where the release hides it', () => {
    const a = analytics()
    a.prediction!.headline = { ...a.prediction!.headline, predicted: null, error: null }
    const view = presentSummary(report({ ...a, headline: { ...headline, customer: hidden, gap: null, classification: 'insufficient_data' } }), { ...context, hidden: { customer: 'Hidden for this filter: for a reason' } })
    expect(view.headline.ways.map((way) => [way.value, way.hidden])).toEqual([
      ['80%', null], [null, 'Staff predictions are hidden here by the anonymity rules'], [null, 'Hidden for this filter: for a reason'],
    ])
    expect(view.headline.gap).toBeNull()
    expect(view.headline.noGap).toBe('No gap can be given: one side is hidden here.')
    // No gap now: the change cannot be placed either.
    expect(view.change!.fact).toBeNull()
    // Without a reason from the dashboard, the summary gives the general one.
    const plain = presentSummary(report({ headline: { ...headline, staff: hidden, gap: null } }), context)
    expect(plain.headline.ways[0]!.hidden).toBe('Hidden here: fewer than 5 answers, or kept back so that a smaller group cannot be worked out')
  })
})
