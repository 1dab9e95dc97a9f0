// The report presenter: what the dashboard template prints, from a dashboard built by hand, so each
// rule of presentation (hidden shares, counts under the minimum, the charts' shape) is seen directly.
import { describe, expect, it } from 'vitest'
import type { Share } from '../../server/domain/report.js'
import { presentDashboard } from '../../server/presenters/report.js'
import { chanceWords, direction } from '../../server/presenters/trend.js'
import type { WaveDashboard } from '../../server/services/dashboard.js'
import { noAnalytics } from '../helpers/analytics.js'

const shown = (share: number, n: number, ci95: [number, number]): Share => ({ n, agree: Math.round(share * n), share, ci95, mean: 3.5, distribution: [] })
const hidden: Share = { suppressed: true }
const gap = { points: 42.4, ci95: [30, 55] as [number, number], pValue: 0.0001, qValue: 0.0002, significant: true }

function dashboard(): WaveDashboard {
  const headline = { key: 'excellent_service', dimension: 'overall', scale: 'agree5' as const, headline: true, staffText: 'We serve well.', customerText: 'I am served well.', staff: shown(0.8, 40, [0.65, 0.9]), customer: shown(0.375, 1200, [0.25, 0.5]), gap, classification: 'blind_spot' as const }
  const other = { ...headline, key: 'want_to_help', headline: false, customer: hidden, gap: null, classification: 'insufficient_data' as const }
  const waves = [{ id: 'a', name: 'Q3' }, { id: 'w', name: 'Q4' }]
  const trendShare = (share: number, n: number, ci95: [number, number]) => ({ share, agree: Math.round(share * n), n, ci95 })
  const same = { wordingChanged: false, scaleChanged: false }
  const trend = {
    waves,
    headline: 'excellent_service',
    items: [
      { key: 'excellent_service', points: [
        { wave: waves[0], staff: trendShare(0.8, 50, [0.67, 0.89]), customer: trendShare(0.324, 1000, [0.3, 0.35]), gap: { points: 47.6, ci95: [34, 59] }, ...same },
        { wave: waves[1], staff: trendShare(0.8, 40, [0.65, 0.9]), customer: trendShare(0.375, 1200, [0.25, 0.5]), gap: { points: 42.4, ci95: [30, 55] }, ...same },
      ] },
      { key: 'want_to_help', points: [
        { wave: waves[0], staff: trendShare(0.7, 50, [0.5, 0.75]), customer: null, gap: null, ...same },
        { wave: waves[1], staff: trendShare(0.8, 40, [0.65, 0.9]), customer: null, gap: null, ...same },
      ] },
    ],
    change: { since: waves[0], items: [
      { key: 'excellent_service', change: { points: -5.2, ci95: [-12.4, 2.1], pValue: 0.2, qValue: 0.2, significant: false } },
      { key: 'want_to_help', change: null },
    ] },
  }
  return {
    report: {
      wave: { id: 'w', name: 'Q4' }, minGroupSize: 5, release: { at: '2026-12-03T09:00:00.000Z', staffWaiting: 0 }, filters: { unit: null, staff: {}, customer: { tier: 'gold' } },
      ...noAnalytics(), trend, headline,
      units: [{
        id: 'u1', name: 'North & <South>', respondents: { staff: null, customer: 1200 }, staff: hidden, customer: shown(0.375, 1200, [0.25, 0.5]), gap, classification: 'blind_spot' as const,
        items: [{ key: 'excellent_service', gap, classification: 'blind_spot' as const }, { key: 'want_to_help', gap: null, classification: 'insufficient_data' as const }], change: null,
      }], items: [headline, other], dimensions: [{ key: 'overall', staff: shown(0.8, 40, [0.65, 0.9]), customer: hidden, gap: null, classification: 'insufficient_data' as const }],
    },
    alerts: [],
    units: [{ id: 'u1', name: 'North & <South>' }],
    respondents: { staff: 40, customer: 1200, perUnit: [{ unit: { id: 'u1', name: 'North & <South>' }, staff: { n: 3, shown: false }, customer: { n: 1200, shown: true } }] },
    group: { staff: { shown: true, n: 40, needed: null }, customer: { shown: true, n: 1200, needed: null } },
    comments: { staff: null, customer: [{ comment: 'Call me back.', times: 3 }, { comment: 'Fine.', times: 1 }] },
    attributeOptions: { staff: new Map(), customer: new Map([['tier', ['gold', 'silver']]]) },
    planner: { gapPoints: 10, expectedShare: 0.375, perSide: 1234 },
    plans: { plans: [], names: { units: new Map(), waves: new Map(), wordings: new Map() }, plannable: new Set() },
  } as unknown as WaveDashboard
}

describe('presentDashboard', () => {
  const view = presentDashboard(dashboard(), 'w')

  it('gives the charts the shape public/dashboard.js draws: labels, and [share, low, high] or null per side', () => {
    expect(JSON.parse(view.items.chart)).toEqual({
      kind: 'pairs', labels: ['Excellent service', 'Want to help'],
      staff: [[0.8, 0.65, 0.9], [0.8, 0.65, 0.9]], customer: [[0.375, 0.25, 0.5], null],
      // The texts it prints, as the table prints them: the gap at each pair's end, each bar's tooltip.
      gaps: ['+42 pts', null],
      tips: { staff: ['80%, 95% interval 65–90%', '80%, 95% interval 65–90%'], customer: ['38%, 95% interval 25–50%', null] },
    })
    expect(JSON.parse(view.trend!.chart)).toEqual({
      kind: 'gap', item: 'Excellent service', labels: ['Q3', 'Q4'],
      gap: [[47.6, 34, 59], [42.4, 30, 55]], text: ['+48 pts', '+42 pts'], range: ['+34 to +59', '+30 to +55'], breaks: [],
    })
    // Another item, picked by ?trend=: hidden where a side is.
    const other = presentDashboard(dashboard(), 'w', { trend: 'want_to_help' })
    expect(JSON.parse(other.trend!.chart)).toMatchObject({ item: 'Want to help', gap: [null, null], text: [null, null] })
    expect(presentDashboard(dashboard(), 'w', { trend: 'no_such_item' }).trend!.item).toBe('Excellent service')
  })

  it('prints the gap\'s change since the previous wave with its interval and a plain-words verdict', () => {
    expect(view.items.previousName).toBe('Q3')
    expect(view.items.rows[0]!.since).toMatchObject({ text: '−5 pts', range: '−12 to +2', q: '0.200', significant: false, verdict: 'narrowed, could be chance' })
    expect(view.items.rows[1]!.since).toBeNull()
    expect(view.trend!.change!.rows[1]).toEqual({ label: 'Want to help', before: '—', now: '—', change: null, missing: 'hidden in one of the two waves', revision: null })
    expect(view.trend!.group).toBe('customers with tier gold')
    expect(view.trend!.picker[0]).toEqual({ label: 'Excellent service', href: '?customer.tier=gold&trend=excellent_service#trend-title', current: true })
  })

  it('formats every number it prints and says "hidden" for a suppressed side', () => {
    expect(view.summary.headline.ways.map((way) => way.value)).toEqual(['80%', '38%'])
    expect(view.summary.headline.ways[1]!.detail).toBe('95%: 25–50% · n = 1,200')
    expect(view.summary.headline.gap).toMatchObject({ points: '+42 pts', chance: 'very unlikely to be chance', title: '95% interval +30 to +55 pts, q < 0.001 (p < 0.001)' })
    expect(view.summary.release).toBe('Staff figures as of 3 Dec 2026')
    expect(view.items.rows[1]!.customer).toEqual({ text: 'hidden', detail: null })
    expect(view.items.rows[1]!.q).toBe('—')
    expect(view.planner.perSide).toBe('1,234')
  })

  it('prints a unit count under the minimum group size as "fewer than k", and a hidden heat-map cell as a dash', () => {
    expect(view.respondents.rows).toEqual([{ unit: 'North & <South>', chosen: false, staff: 'hidden', customer: '1,200' }])
    expect(view.heatmap!.rows[0]!.cells).toEqual([
      { shade: 'gap-o3', title: null, text: '+42', significant: true, plan: null, newPlan: null, about: 'North & <South>, Excellent service' },
      { shade: 'hidden-cell', title: 'A side is hidden: fewer than 5 answers here, or kept back so that a smaller group cannot be worked out', text: '—', significant: false, plan: null, newPlan: null, about: 'North & <South>, Want to help' },
    ])
    // The link to a unit keeps the attribute filters in force.
    expect(view.heatmap!.rows[0]!.href).toBe('?unit=North+%26+%3CSouth%3E&customer.tier=gold')
  })

  it('marks the chosen filter and lists the filters in force', () => {
    expect(view.filterForm.attributes).toEqual([{
      id: 'f-customer-tier', label: 'Customers: tier', name: 'customer.tier',
      options: [{ value: 'gold', selected: true }, { value: 'silver', selected: false }],
    }])
    expect(view.activeFilters).toBe('customers with tier gold')
    expect(view.filterForm.clearable).toBe(true)
  })

  it('shows comments only where the service released them, repeated ones with how often', () => {
    expect(view.comments).toEqual([
      { heading: 'Staff', hidden: true, list: [] },
      { heading: 'Customers', hidden: false, list: [{ comment: 'Call me back.', times: '3' }, { comment: 'Fine.', times: null }] },
    ])
  })

  it('words a change by the size of the gap, and chance by its q', () => {
    expect(direction(40, 20)).toBe('narrowed')
    expect(direction(-40, -20)).toBe('narrowed')
    expect(direction(-20, -40)).toBe('widened')
    expect(direction(10, -12)).toBe('reversed')
    expect(direction(0.2, 15)).toBe('widened')
    expect(direction(12.2, 11.9)).toBe('no change')
    expect([0.0004, 0.01, 0.049, 0.05, 0.3].map(chanceWords)).toEqual(['very unlikely to be chance', 'unlikely to be chance', 'unlikely to be chance', 'could be chance', 'could be chance'])
  })
})
