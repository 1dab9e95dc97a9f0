// The report presenter: what the dashboard template prints, from a dashboard built by hand, so each
// rule of presentation (hidden shares, counts under the minimum, the charts' shape) is seen directly.
import { describe, expect, it } from 'vitest'
import type { Share } from '../../server/domain/report.js'
import { presentDashboard } from '../../server/presenters/report.js'
import type { WaveDashboard } from '../../server/services/dashboard.js'
import { noAnalytics } from '../helpers/analytics.js'

const shown = (share: number, n: number, ci95: [number, number]): Share => ({ n, agree: Math.round(share * n), share, ci95, mean: 3.5, distribution: [] })
const hidden: Share = { suppressed: true }
const gap = { points: 42.4, ci95: [30, 55] as [number, number], pValue: 0.0001, qValue: 0.0002, significant: true }

function dashboard(): WaveDashboard {
  const headline = { key: 'excellent_service', dimension: 'overall', headline: true, staffText: 'We serve well.', customerText: 'I am served well.', staff: shown(0.8, 40, [0.65, 0.9]), customer: shown(0.375, 1200, [0.25, 0.5]), gap, classification: 'blind_spot' as const }
  const other = { ...headline, key: 'want_to_help', headline: false, customer: hidden, gap: null, classification: 'insufficient_data' as const }
  const trendShares = (share: number, ci95: [number, number]) => new Map([['excellent_service', { staff: { share, ci95, n: 50 }, customer: null }]])
  return {
    report: {
      wave: { id: 'w', name: 'Q4' }, minGroupSize: 5, filters: { unit: null, staff: {}, customer: { tier: 'gold' } },
      ...noAnalytics(), headline, items: [headline, other], dimensions: [{ key: 'overall', staff: shown(0.8, 40, [0.65, 0.9]), customer: hidden, gap: null, classification: 'insufficient_data' as const }],
    },
    units: [{ id: 'u1', name: 'North & <South>' }],
    respondents: { staff: 40, customer: 1200, perUnit: [{ unit: { id: 'u1', name: 'North & <South>' }, staff: { n: 3, shown: false }, customer: { n: 1200, shown: true } }] },
    heatmap: [{ unit: { id: 'u1', name: 'North & <South>' }, items: [{ key: 'excellent_service', gap, classification: 'blind_spot' as const }, { key: 'want_to_help', gap: null, classification: 'insufficient_data' as const }] }],
    comments: { staff: null, customer: [{ comment: 'Call me back.', times: 3 }, { comment: 'Fine.', times: 1 }] },
    attributeOptions: { staff: new Map(), customer: new Map([['tier', ['gold', 'silver']]]) },
    planner: { gapPoints: 10, expectedShare: 0.375, perSide: 1234 },
    previous: null,
    trend: [{ wave: { id: 'a', name: 'Q3' }, shares: trendShares(0.7, [0.5, 0.75]) }, { wave: { id: 'w', name: 'Q4' }, shares: trendShares(0.8, [0.625, 0.875]) }],
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
    expect(JSON.parse(view.trend!.chart)).toEqual({ kind: 'trend', labels: ['Q3', 'Q4'], staff: [[0.7, 0.5, 0.75], [0.8, 0.625, 0.875]], customer: [null, null] })
  })

  it('formats every number it prints and says "hidden" for a suppressed side', () => {
    expect(view.headline).toMatchObject({ staff: '80%', customer: '38%', gap: { points: '+42 pts', range: '+30 to +55', verdict: ', a real difference' } })
    expect(view.headline.facts.customer).toBe('25–50%, n = 1,200')
    expect(view.items.rows[1]!.customer).toEqual({ text: 'hidden', detail: null })
    expect(view.items.rows[1]!.q).toBe('—')
    expect(view.planner.perSide).toBe('1,234')
  })

  it('prints a unit count under the minimum group size as "fewer than k", and a hidden heat-map cell as a dash', () => {
    expect(view.respondents.rows).toEqual([{ unit: 'North & <South>', staff: 'hidden', customer: '1,200' }])
    expect(view.heatmap!.rows[0]!.cells).toEqual([
      { shade: 'g3', title: null, text: '42', significant: true },
      { shade: 'hidden-cell', title: 'A side is hidden: fewer than 5 answers here, or kept back so that a smaller group cannot be worked out', text: '—', significant: false },
    ])
    expect(view.heatmap!.rows[0]!.href).toBe('?unit=North%20%26%20%3CSouth%3E')
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
})
