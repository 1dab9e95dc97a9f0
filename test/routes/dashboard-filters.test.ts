// Every block of the wave dashboard answers the filter it says it answers (issue 15, item 2). The page
// is rendered under every kind of filter — none, a unit, a staff attribute, a customer attribute, a
// unit with an attribute — and each <section data-block> is read: it either declares
// data-answers="filter" and its figures are the API report's under the same filters (the report of a
// single group is checked against independent formulas elsewhere), or it declares "other" and says in
// a .scope-note what it shows instead. A block that ignored a filter would print the unfiltered
// figures, which differ in this data by construction.
import { parse, type HTMLElement } from 'node-html-parser'
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import * as f from '../../server/format.js'
import { gapDrift } from '../../server/domain/gap-drift.js'
import { apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type TestContext } from '../helpers/app.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const UNITS = ['North', 'South', 'West']
const BLOCKS = ['summary', 'alerts', 'items', 'dimensions', 'heatmap', 'plans', 'respondents', 'trend', 'fix-first', 'drivers', 'prediction', 'linkage', 'comments', 'planning', 'spread']
const FILTERS = ['', '?unit=North', '?staff.role=lead', '?customer.tier=gold', '?unit=South&customer.tier=gold', '?unit=West&staff.role=agent']

type Row = { side: 'staff' | 'customer'; unit: string; attributes: Record<string, string>; answers: Record<string, number>; comment?: string }

/**
 * 40 staff and 40 customers per unit. Whether respondent i agrees on item j depends on the unit, the
 * attribute and the wave, so that every filter moves the figures: gold customers and lead staff are
 * kinder than the rest, North's customers harsher than West's.
 */
function rows(wave: number): Row[] {
  const out: Row[] = []
  UNITS.forEach((unit, u) => {
    for (const side of ['staff', 'customer'] as const) {
      for (let i = 0; i < 40; i++) {
        const special = side === 'staff' ? i % 2 === 0 : i % 3 === 0
        const attributes: Record<string, string> = side === 'staff' ? { role: special ? 'lead' : 'agent' } : { tier: special ? 'gold' : 'standard' }
        const base = side === 'staff' ? 70 - 8 * u : 20 + 12 * u + 6 * wave
        const answers: Record<string, number> = {}
        KEYS.forEach((key, j) => {
          const target = Math.min(95, base + (special ? 20 : 0) - 3 * j)
          answers[key] = (i * 37 + j * 11 + u * 7 + wave * 5) % 100 < target ? (i % 2 ? 5 : 4) : (i % 3) + 1
        })
        const comment = i >= 1 && i <= 3 ? `${side} ${unit} ${special ? 'special' : 'plain'} wave ${wave}` : undefined
        out.push({ side, unit, attributes, answers, ...(comment ? { comment } : {}) })
      }
    }
  })
  return out
}

type Share = { suppressed: true } | { n: number; share: number; distribution: number[] }
type Gap = { points: number } | null
type ReportRow = { key: string; staff: Share; customer: Share; gap: Gap }
type Report = {
  headline: ReportRow; items: ReportRow[]; dimensions: ReportRow[]
  units: Array<{ name: string; gap: Gap; items: Array<{ key: string; gap: Gap }> }>
  trend: { waves: Array<{ name: string }>; items: Array<{ key: string; points: Array<{ gap: Gap }> }> } | null
}

const percentOf = (share: Share) => ('suppressed' in share ? 'hidden' : f.percent(share.share))
const textOf = (el: HTMLElement | null) => (el?.text ?? '').replace(/\s+/g, ' ').trim()

describeEachDatabase('every dashboard block answers its filter', (ctx: TestContext) => {
  let owner: Browser
  let token: string
  let waveId: string

  const api = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const response = await ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) })
    if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`)
    return response.json()
  }

  it('loads two waves of three units with a staff and a customer attribute', async () => {
    const tenant = await createTenant(ctx, 'Filters Inc')
    token = await apiToken(ctx, tenant.owner.email)
    for (const name of UNITS) await api('POST', '/units', { name })
    const previous = (await api('POST', '/waves', { name: 'Q3', templateKey: 'service-gap-index' })).id
    await api('POST', `/waves/${previous}/responses`, rows(0))
    waveId = (await api('POST', '/waves', { name: 'Q4', templateKey: 'service-gap-index' })).id
    expect((await api('POST', `/waves/${waveId}/responses`, rows(1))).ids).toHaveLength(240)
    // An alert each for North and West, stored as the alert pass stores them, so the Alerts block has something to narrow.
    const [drift] = gapDrift([{ unitId: '', itemKey: 'trust', before: { staff: { agree: 20, n: 40 }, customer: { agree: 20, n: 40 } }, now: { staff: { agree: 36, n: 40 }, customer: { agree: 10, n: 40 } } }])
    const unitIds = new Map((await api('GET', '/units')).map((u: { id: string; name: string }) => [u.name, u.id]))
    await ctx.database.db.insertInto('alerts').values(['North', 'West'].map((name) => ({
      organization_id: tenant.organizationId, wave_id: waveId, previous_wave_id: previous, unit_id: unitIds.get(name) as string,
      item_key: 'trust', rule: 'gap_drift' as const, figures: JSON.stringify(drift!.figures), release_seq: 1,
    }))).execute()
    // An action plan for North and one for South, for the plans block.
    const units = await api('GET', '/units') as Array<{ id: string; name: string }>
    for (const name of ['North', 'South']) {
      await api('POST', '/plans', { waveId, unitId: units.find((unit) => unit.name === name)!.id, itemKey: KEYS[2], owner: `${name} lead`, change: `Plan of ${name}` })
    }
    owner = await signedIn(ctx, tenant.owner.email)
  })

  for (const query of FILTERS) {
    it(`under ${query || 'no filter'}, every block answers the filter or says what it shows`, async () => {
      const [page, report, whole] = await Promise.all([
        owner.get(`/waves/${waveId}${query}`), api('GET', `/waves/${waveId}/report${query}`) as Promise<Report>, api('GET', `/waves/${waveId}/report`) as Promise<Report>,
      ])
      expect(page.statusCode).toBe(200)
      const root = parse(page.body)
      expect(textOf(root.querySelector('.notice[role=status]')), 'the filter was accepted as it is').toBe('')
      const sections = new Map(root.querySelectorAll('section[data-block]').map((s) => [s.getAttribute('data-block')!, s]))
      expect([...sections.keys()].sort()).toEqual([...BLOCKS].sort())
      const params = new URLSearchParams(query)
      const unit = params.get('unit')

      for (const [name, section] of sections) {
        const answers = section.getAttribute('data-answers')
        expect(['filter', 'other'], name).toContain(answers)
        const note = section.querySelector('.scope-note')
        if (answers === 'other') {
          expect(query, `${name} may differ from the filter only when there is one`).not.toBe('')
          expect(textOf(note).length, `${name} says what it shows instead`).toBeGreaterThan(20)
        } else {
          expect(note, `${name} answers the filter and has no note saying otherwise`).toBeNull()
        }
      }
      // The heat map compares units: under a unit filter it says so and marks the unit.
      const heat = sections.get('heatmap')!
      if (unit) {
        expect(heat.getAttribute('data-answers')).toBe('other')
        expect(textOf(heat.querySelector('.scope-note'))).toContain(unit)
        expect(textOf(heat.querySelector('tr.chosen th'))).toContain(unit)
      } else {
        expect(heat.getAttribute('data-answers')).toBe('filter')
      }

      // Alerts: about whole units, the unit filter's only; an attribute filter does not narrow them, and the block says so.
      const alerts = sections.get('alerts')!.querySelectorAll('li').map((li) => textOf(li))
      expect(alerts.map((text) => /^The gap widened: In (\w+),/.exec(text)?.[1]).sort()).toEqual(unit ? [unit].filter((u) => u !== 'South') : ['North', 'West'])
      if ([...params.keys()].some((name) => name !== 'unit')) expect(textOf(sections.get('alerts')!.querySelector('.scope-note'))).toContain('whole units')
      // Plans: the filtered unit's, or every unit's; under attribute filters it says they are the whole unit's.
      const plans = sections.get('plans')!
      for (const name of ['North', 'South']) expect(textOf(plans).includes(`Plan of ${name}`), `${name}'s plan under ${query}`).toBe(!unit || unit === name)
      const attributeFilters = [...params.keys()].some((name) => name !== 'unit')
      expect(plans.getAttribute('data-answers')).toBe(attributeFilters ? 'other' : 'filter')
      if (attributeFilters) expect(textOf(plans.querySelector('.scope-note'))).toContain('whole unit')

      // Summary: the headline of the filtered group.
      const summary = textOf(sections.get('summary')!)
      for (const side of ['staff', 'customer'] as const) expect(summary, side).toContain(percentOf(report.headline[side]))

      // Items and dimensions: every row's shares are the filtered report's.
      const tableRows = (block: string) => new Map(sections.get(block)!.querySelectorAll('tbody tr').map((tr) => {
        const cells = tr.querySelectorAll('th, td')
        return [textOf(cells[0]!.querySelector('.item-key') ?? cells[0]!), cells.slice(1).map((c) => textOf(c))]
      }))
      const items = tableRows('items')
      for (const item of report.items) {
        const row = items.get(f.itemLabel(item.key))
        expect(row, item.key).toBeDefined()
        expect(row![0]!.startsWith(percentOf(item.staff)), `${item.key} staff`).toBe(true)
        expect(row![1]!.startsWith(percentOf(item.customer)), `${item.key} customers`).toBe(true)
      }
      const dimensions = tableRows('dimensions')
      for (const dimension of report.dimensions) {
        const row = dimensions.get(f.dimension(dimension.key))!
        expect(row[0]!.startsWith(percentOf(dimension.staff)), dimension.key).toBe(true)
        expect(row[1]!.startsWith(percentOf(dimension.customer)), dimension.key).toBe(true)
      }

      // Spread: each item's counts per point of its scale are the filtered report's distribution, or hidden with it.
      const spread = sections.get('spread')!
      for (const item of report.items) {
        const rows = spread.querySelectorAll(`#spread-${item.key} tbody tr`)
        expect(rows, item.key).toHaveLength(2)
        ;(['staff', 'customer'] as const).forEach((side, i) => {
          const share = item[side]
          const cells = rows[i]!.querySelectorAll('td').map((td) => textOf(td))
          if ('suppressed' in share) expect(cells, `${item.key} ${side} hidden`).toHaveLength(1)
          else expect(cells, `${item.key} ${side}`).toEqual([...share.distribution.map((count) => f.count(count)), f.count(share.n)])
        })
      }

      // Heat map: each unit's overall and item cells are that unit's own report under the same attribute filters.
      const attributes = [...params].filter(([name]) => name !== 'unit').map(([name, value]) => `&${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('')
      // The cells' plan marks and "Plan" links are not figures.
      for (const link of heat.querySelectorAll('a.plan-mark, a.plan-add')) link.remove()
      const heatRows = new Map(heat.querySelectorAll('tbody tr').map((tr) => [textOf(tr.querySelector('th a')), tr.querySelectorAll('td').filter((td) => !td.classList.contains('n-col') && !td.classList.contains('since'))]))
      for (const name of UNITS) {
        const own = await api('GET', `/waves/${waveId}/report?unit=${name}${attributes}`) as Report
        const cells = heatRows.get(name)!
        const cellText = (gap: Gap) => (gap ? f.gapNumber(gap.points) : '—')
        expect(textOf(cells[0]!).replace(/ significant|\*/g, ''), `${name} overall`).toBe(cellText(own.headline.gap))
        own.items.forEach((item, i) => expect(textOf(cells[i + 1]!).replace(/ significant|\*/g, ''), `${name} ${item.key}`).toBe(cellText(item.gap)))
      }

      // Trend: this wave's point is the filtered headline gap.
      const trendRows = sections.get('trend')!.querySelectorAll('.trend-table tbody tr')
      const headlineRow = trendRows.find((tr) => textOf(tr.querySelector('th')) === f.itemLabel(report.headline.key))!
      const lastCell = headlineRow.querySelectorAll('td').at(-1)!
      expect(textOf(lastCell).startsWith(report.headline.gap ? f.points(report.headline.gap.points) : '—'), 'trend ends at the filtered gap').toBe(true)

      // Comments: only the filtered group's.
      const comments = textOf(sections.get('comments')!)
      const tier = params.get('customer.tier')
      const role = params.get('staff.role')
      for (const u of UNITS) {
        for (const kind of ['special', 'plain']) {
          const customerShown = comments.includes(`customer ${u} ${kind} wave 1`)
          const staffShown = comments.includes(`staff ${u} ${kind} wave 1`)
          if (unit && u !== unit) expect(customerShown || staffShown, `${u}'s comments under unit ${unit}`).toBe(false)
          if (tier) expect(customerShown && (kind === 'special') !== (tier === 'gold'), `customer ${u} ${kind} under tier ${tier}`).toBe(false)
          if (role) expect(staffShown && (kind === 'special') !== (role === 'lead'), `staff ${u} ${kind} under role ${role}`).toBe(false)
        }
      }
      expect(comments).not.toContain('wave 0')
      // Planning: the filtered group's respondents.
      const planning = textOf(sections.get('planning')!)
      for (const side of ['staff', 'customer'] as const) {
        const share = report.headline[side]
        if (!('suppressed' in share)) expect(planning, side).toContain(`${f.count(share.n)} ${side === 'staff' ? 'staff' : 'customers'}`)
      }
      // …and shows some of them, so that the checks above are not vacuous.
      const expectedCustomer = `customer ${unit ?? 'North'} ${tier === 'gold' ? 'special' : 'plain'} wave 1`
      expect(comments, 'a comment of the filtered customers').toContain(expectedCustomer)
      const expectedStaff = `staff ${unit ?? 'North'} ${role === 'lead' ? 'special' : 'plain'} wave 1`
      expect(comments, 'a comment of the filtered staff').toContain(expectedStaff)

      // The filter changes what the blocks print: a block that ignored it would print these instead.
      if (query !== '') {
        const differs = ['staff', 'customer'].some((side) => percentOf(report.headline[side as 'staff']) !== percentOf(whole.headline[side as 'staff']))
        expect(differs, 'the data moves under this filter').toBe(true)
      }
    })
  }
})
