// The report's `units` (the heat map's rows) and the dashboard's heat map, on both databases. Two waves
// of known numbers go in through the import API: units North, South and East large enough to show and
// a Tiny one of three staff and four customers; staff carry a role, customers a tier. Each row must be
// exactly the API's own single-unit report under the same attribute filters (the reference), hidden
// where it hides; the change since the earlier wave must match a MOVER interval computed here from the
// counts both waves' reports show; a unit manager gets only their units; the dashboard prints the same.
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import * as format from '../../server/format.js'
import { findUserByEmail } from '../../server/repositories/organizations.js'
import { setManagedUnits } from '../../server/repositories/unit-managers.js'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, signedIn, type Browser, type TestContext } from '../helpers/app.js'

/** The heat map's and fix first's plan marks and "Plan" links (action plans) are not figures. */
const withoutPlanLinks = (html: string) => html.replace(/<a class="plan-(?:add|mark)[^"]*"[^>]*>[\s\S]*?<\/a>/g, '')

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const UNITS = ['North', 'South', 'East', 'Tiny'] as const
type UnitName = (typeof UNITS)[number]
/** Respondents per unit and side. */
const SIZES: Record<UnitName, [staff: number, customer: number]> = { North: [30, 40], South: [25, 35], East: [20, 30], Tiny: [3, 4] }
/** Share agreeing on the headline per unit and side, now and in the earlier wave; other items drift from it. */
const NOW: Record<UnitName, [number, number]> = { North: [0.9, 0.2], South: [0.6, 0.5], East: [0.5, 0.45], Tiny: [0.7, 0.25] }
const BEFORE: Record<UnitName, [number, number]> = { North: [0.9, 0.6], South: [0.6, 0.45], East: [0.55, 0.4], Tiny: [0.7, 0.5] }

type Row = { side: 'staff' | 'customer'; unit: string; attributes: Record<string, string>; answers: Record<string, number> }

function responses(shares: Record<UnitName, [number, number]>): Row[] {
  const rows: Row[] = []
  for (const unit of UNITS) {
    for (const [s, side] of (['staff', 'customer'] as const).entries()) {
      const n = SIZES[unit][s]!
      for (let i = 0; i < n; i++) {
        const answers: Record<string, number> = {}
        KEYS.forEach((key, j) => {
          const share = Math.min(1, Math.max(0, shares[unit][s]! + (j === 0 ? 0 : ((j * 7) % 5 - 2) * 0.08)))
          answers[key] = (i + 5 * j) % n < Math.round(share * n) ? (i % 2 ? 5 : 4) : (i % 3) + 1
        })
        const attributes: Record<string, string> = side === 'staff' ? { role: i % 3 === 0 ? 'lead' : 'agent' } : { tier: i % 4 === 0 ? 'gold' : 'standard' }
        rows.push({ side, unit, attributes, answers })
      }
    }
  }
  return rows
}

type Share = { suppressed: true } | { n: number; agree: number; share: number; ci95: [number, number] }
type Gap = { points: number; ci95: [number, number]; pValue: number; qValue: number; significant: boolean }
type ReportRow = { key: string; staff: Share; customer: Share; gap: Gap | null; classification: string }
type UnitRow = {
  id: string; name: string; respondents: { staff: number | null; customer: number | null }
  staff: Share; customer: Share; gap: Gap | null; classification: string
  items: Array<{ key: string; gap: Gap | null; classification: string }>
  change: (Omit<Gap, 'ci95'> & { ci95: [number, number]; since: { id: string; name: string } }) | null
}
type Report = { headline: ReportRow; items: ReportRow[]; units: UnitRow[] }
const shown = (s: Share) => ('suppressed' in s ? null : s)

// An independent reference for the gap's change: Wilson intervals, MOVER (Zou & Donner 2008), Wald z, BH.
const Z = 1.959963984540054
function wilsonInterval(k: number, n: number): [number, number] {
  const p = k / n
  const centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
  const half = (Z / (1 + Z * Z / n)) * Math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
  return [centre - half, centre + half]
}
/** erfc by the continued fraction / series of Numerical Recipes' erfcc (fractional error < 1.2e-7). */
function erfc(x: number) {
  const t = 1 / (1 + 0.5 * Math.abs(x))
  const r = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
  return x >= 0 ? r : 2 - r
}
type C = { agree: number; n: number }
function moverChange(now: { staff: C; customer: C }, before: { staff: C; customer: C }) {
  const p = (c: C) => c.agree / c.n
  const w = (c: C) => wilsonInterval(c.agree, c.n)
  const estimate = p(now.staff) - p(now.customer) - p(before.staff) + p(before.customer)
  // Added shares lower the lower limit by their distance to their own lower limit; subtracted ones by the distance to their upper.
  const down = (p(now.staff) - w(now.staff)[0]) ** 2 + (w(now.customer)[1] - p(now.customer)) ** 2 + (w(before.staff)[1] - p(before.staff)) ** 2 + (p(before.customer) - w(before.customer)[0]) ** 2
  const up = (w(now.staff)[1] - p(now.staff)) ** 2 + (p(now.customer) - w(now.customer)[0]) ** 2 + (p(before.staff) - w(before.staff)[0]) ** 2 + (w(before.customer)[1] - p(before.customer)) ** 2
  const se = Math.sqrt([now.staff, now.customer, before.staff, before.customer].reduce((sum, c) => sum + p(c) * (1 - p(c)) / c.n, 0))
  return { points: estimate * 100, ci95: [(estimate - Math.sqrt(down)) * 100, (estimate + Math.sqrt(up)) * 100], pValue: erfc(Math.abs(estimate) / se / Math.SQRT2) }
}
function bh(p: number[]) {
  const order = p.map((value, i) => ({ value, i })).sort((a, b) => a.value - b.value)
  const q = new Array<number>(p.length)
  let running = 1
  for (let r = order.length - 1; r >= 0; r--) {
    running = Math.min(running, (order[r]!.value * p.length) / (r + 1))
    q[order[r]!.i] = running
  }
  return q
}

const decode = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')
const text = (html: string) => decode(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim()
function section(html: string, block: string) {
  const start = html.indexOf(`data-block="${block}"`)
  expect(start, block).toBeGreaterThan(-1)
  return html.slice(html.lastIndexOf('<section', start), html.indexOf('</section>', start))
}
const bodyRows = (html: string) => [...(html.split('<tbody>')[1] ?? '').split('</tbody>')[0]!.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => m[0]!)
const rowName = (row: string) => text(row.match(/<th[^>]*>([\s\S]*?)<\/th>/)![1]!).replace(' (chosen)', '')
const gapCells = (row: string) => [...row.matchAll(/<td class="(gap-[^" ]*|hidden-cell)[^"]*"[^>]*>([\s\S]*?)<\/td>/g)].map((m) => ({ shade: m[1]!, text: text(m[2]!).replace(/ significant \*$/, '') }))

const FILTERS = ['', '?unit=North', '?customer.tier=gold', '?staff.role=lead', '?unit=South&customer.tier=gold']
const attributesOf = (query: string) => new URLSearchParams(query).toString().split('&').filter((p) => p.startsWith('staff.') || p.startsWith('customer.')).join('&')

describeEachDatabase('the heat map of gaps by unit', (ctx: TestContext) => {
  let token: string
  let waveId: string
  let previousId: string
  let owner: Browser
  let organizationId: string
  const unitIds = new Map<string, string>()

  const api = async (method: 'GET' | 'POST', url: string, payload?: unknown, as = token) => {
    const response = await ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(as), ...(payload === undefined ? {} : { payload: payload as object }) })
    if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`)
    return response.json()
  }
  const report = (wave: string, query: string, as = token): Promise<Report> => api('GET', `/waves/${wave}/report${query}`, undefined, as)

  it('loads an earlier and a current wave with four units and an attribute on each side', async () => {
    const tenant = await createTenant(ctx, 'Acme')
    organizationId = tenant.organizationId
    token = await apiToken(ctx, tenant.owner.email)
    for (const name of UNITS) unitIds.set(name, (await api('POST', '/units', { name })).id)
    previousId = (await api('POST', '/waves', { name: '2026-Q3', templateKey: 'service-gap-index' })).id
    await api('POST', `/waves/${previousId}/responses`, responses(BEFORE))
    waveId = (await api('POST', '/waves', { name: '2026-Q4', templateKey: 'service-gap-index' })).id
    await api('POST', `/waves/${waveId}/responses`, responses(NOW))
    owner = await signedIn(ctx, tenant.owner.email)
    const whole = await report(waveId, '')
    expect(whole.units.map((u) => u.name)).toEqual(['East', 'North', 'South', 'Tiny'])
  })

  it('gives every unit the figures of its own single-unit report under the same attribute filters, hidden where that hides', async () => {
    for (const query of FILTERS) {
      const { units } = await report(waveId, query)
      // The unit filter never narrows the rows: the heat map compares units.
      expect(units.map((u) => u.name), query).toEqual(['East', 'North', 'South', 'Tiny'])
      const attributes = attributesOf(query)
      for (const row of units) {
        const single = await report(waveId, `?unit=${row.id}${attributes ? `&${attributes}` : ''}`)
        const label = `${query} ${row.name}`
        expect(row.staff, label).toEqual(single.headline.staff)
        expect(row.customer, label).toEqual(single.headline.customer)
        expect(row.gap, label).toEqual(single.headline.gap)
        expect(row.classification, label).toBe(single.headline.classification)
        expect(row.items, label).toEqual(single.items.map((i) => ({ key: i.key, gap: i.gap, classification: i.classification })))
        // A side's respondents are shown exactly where its figures are.
        for (const side of ['staff', 'customer'] as const) {
          if (row.respondents[side] === null) expect(row[side], `${label} ${side}`).toEqual({ suppressed: true })
          else expect(shown(single.headline[side])?.n ?? 0, `${label} ${side}`).toBeLessThanOrEqual(row.respondents[side]!)
        }
      }
    }
  })

  it('counts the respondents of the filtered group, and hides the small unit and whatever would give it away', async () => {
    const none = (await report(waveId, '')).units
    const byName = (rows: UnitRow[], name: string) => rows.find((u) => u.name === name)!
    expect(byName(none, 'North').respondents).toEqual({ staff: 30, customer: 40 })
    expect(byName(none, 'Tiny').respondents).toEqual({ staff: null, customer: null })
    expect(byName(none, 'Tiny').gap).toBeNull()
    expect(byName(none, 'Tiny').items.every((i) => i.gap === null && i.classification === 'insufficient_data')).toBe(true)
    // North's gold customers: i = 0, 4, …, 36 of 40.
    const gold = (await report(waveId, '?customer.tier=gold')).units
    expect(byName(gold, 'North').respondents).toEqual({ staff: 30, customer: 10 })
    expect(shown(byName(gold, 'North').customer)!.n).toBe(10)
    expect(byName(gold, 'Tiny').respondents.customer).toBeNull()
    // Never a count of 1 … 4 anywhere.
    for (const query of FILTERS) {
      for (const row of (await report(waveId, query)).units) {
        for (const n of [row.respondents.staff, row.respondents.customer]) expect(n === null || n === 0 || n >= 5, `${query} ${row.name}`).toBe(true)
      }
    }
  })

  it('gives the headline gap\'s change since the earlier wave, a MOVER interval with BH over the units, each wave under its own release', async () => {
    for (const query of ['', '?customer.tier=gold', '?unit=North']) {
      const { units } = await report(waveId, query)
      const attributes = attributesOf(query)
      const expected = new Map<string, ReturnType<typeof moverChange>>()
      for (const row of units) {
        const suffix = `?unit=${row.id}${attributes ? `&${attributes}` : ''}`
        const [now, before] = await Promise.all([report(waveId, suffix), report(previousId, suffix)])
        const counts = [now.headline.staff, now.headline.customer, before.headline.staff, before.headline.customer].map(shown)
        if (counts.some((c) => c === null)) continue
        const [ns, nc, bs, bc] = counts as Array<{ agree: number; n: number }>
        expected.set(row.id, moverChange({ staff: ns!, customer: nc! }, { staff: bs!, customer: bc! }))
      }
      expect(expected.size, query).toBeGreaterThanOrEqual(2)
      const ids = [...expected.keys()]
      const q = bh(ids.map((id) => expected.get(id)!.pValue))
      for (const row of units) {
        const want = expected.get(row.id)
        if (!want) {
          expect(row.change, `${query} ${row.name}`).toBeNull()
          continue
        }
        const got = row.change!
        expect(got.since).toEqual({ id: previousId, name: '2026-Q3' })
        expect(got.points).toBeCloseTo(want.points, 9)
        expect(got.ci95[0]).toBeCloseTo(want.ci95[0]!, 9)
        expect(got.ci95[1]).toBeCloseTo(want.ci95[1]!, 9)
        expect(Math.abs(got.pValue - want.pValue), `${query} ${row.name} p`).toBeLessThan(1e-6)
        const qi = q[ids.indexOf(row.id)]!
        expect(Math.abs(got.qValue - qi)).toBeLessThan(1e-6)
        expect(got.significant).toBe(qi < 0.05)
      }
    }
    // North's customers fell from 24 of 40 to 8 of 40 while its staff stayed: the gap widened by 40 points, clearly.
    const north = (await report(waveId, '')).units.find((u) => u.name === 'North')!
    expect(north.change!.points).toBeCloseTo(40, 9)
    expect(north.change!.significant).toBe(true)
    expect((await report(waveId, '')).units.find((u) => u.name === 'Tiny')!.change).toBeNull()
  })

  it('gives a unit manager only their units, with the same figures an owner reads for them', async () => {
    const email = await addPerson(ctx, { organizationId, owner: { email: '', userId: '' } }, 'unit_manager')
    const manager = (await findUserByEmail(ctx.database.db, email))!
    await setManagedUnits(ctx.database.db, organizationId, manager.id, [unitIds.get('North')!, unitIds.get('East')!])
    const managerToken = await apiToken(ctx, email)
    for (const query of ['?unit=North', '?unit=North&customer.tier=gold']) {
      const mine = await report(waveId, query, managerToken)
      expect(mine.units.map((u) => u.name), query).toEqual(['East', 'North'])
      const owners = await report(waveId, query)
      // The same figures; only the change's q differs: BH runs over the units compared, here theirs,
      // so nothing of the other units' changes reaches them through it.
      const withoutQ = (row: UnitRow) => ({ ...row, change: row.change && { ...row.change, qValue: 0, significant: false } })
      for (const row of mine.units) expect(withoutQ(row), `${query} ${row.name}`).toEqual(withoutQ(owners.units.find((u) => u.id === row.id)!))
      const compared = mine.units.filter((u) => u.change)
      const q = bh(compared.map((u) => u.change!.pValue))
      compared.forEach((u, i) => expect(u.change!.qValue).toBeCloseTo(q[i]!, 12))
      expect(JSON.stringify(mine.units)).not.toContain('South')
    }
    const page = (await (await signedIn(ctx, email)).get(`/waves/${waveId}`)).body
    const heat = section(page, 'heatmap')
    expect(bodyRows(heat).map(rowName).sort()).toEqual(['East', 'North'])
    expect(heat).not.toContain('South')
    expect(text(heat)).toContain('All your units, for comparison; East is highlighted.')
  })

  it('prints the same numbers in the dashboard, widest gap first, with the legend and sort links that work without script', async () => {
    for (const query of ['', '?customer.tier=gold']) {
      const api = (await report(waveId, query)).units
      const page = withoutPlanLinks((await owner.get(`/waves/${waveId}${query}`)).body)
      const heat = section(page, 'heatmap')
      expect(heat, query).toContain('data-answers="filter"')
      const rows = bodyRows(heat)
      // Default order: the widest headline gap first, hidden ones last.
      const widest = [...api].sort((a, b) => (b.gap ? Math.abs(b.gap.points) : -1) - (a.gap ? Math.abs(a.gap.points) : -1) || a.name.localeCompare(b.name))
      expect(rows.map(rowName), query).toEqual(widest.map((u) => u.name))
      for (const row of rows) {
        const unit = api.find((u) => u.name === rowName(row))!
        const cellsShown = gapCells(row)
        expect(cellsShown.map((c) => c.text), `${query} ${unit.name}`).toEqual([unit.gap, ...unit.items.map((i) => i.gap)].map((g) => (g ? format.gapNumber(g.points) : '—')))
        expect(row).toContain(`${unit.respondents.staff === null ? 'hidden' : unit.respondents.staff} / ${unit.respondents.customer === null ? 'hidden' : unit.respondents.customer}`)
        if (unit.change) expect(text(row)).toContain(format.points(unit.change.points))
      }
      const legend = text(heat.slice(heat.indexOf('heat-legend')))
      for (const label of ['+70 or more', '+30 to +49', '−4 to +4', '−70 or more', 'hidden: fewer than 5 answers here, or kept back so that a smaller group cannot be worked out', 'significant: a gap unlikely to be chance (q < 0.05)']) expect(legend, label).toContain(label)
    }
    const page = (await owner.get(`/waves/${waveId}?customer.tier=gold`)).body
    const links = [...section(page, 'heatmap').matchAll(/<nav class="heat-sort[\s\S]*?<\/nav>/g)][0]![0]
    const hrefs = [...links.matchAll(/href="([^"]+)"/g)].map((m) => decode(m[1]!))
    expect(hrefs).toEqual(['?customer.tier=gold', '?customer.tier=gold&sort=name', '?customer.tier=gold&sort=n'])
    const byName = bodyRows(section((await owner.get(`/waves/${waveId}?customer.tier=gold&sort=name`)).body, 'heatmap')).map(rowName)
    expect(byName).toEqual(['East', 'North', 'South', 'Tiny'])
    const api = (await report(waveId, '?customer.tier=gold')).units
    const byN = bodyRows(section((await owner.get(`/waves/${waveId}?customer.tier=gold&sort=n`)).body, 'heatmap')).map(rowName)
    const count = (n: number | null) => n ?? -1
    expect(byN).toEqual([...api].sort((a, b) => count(b.respondents.customer) - count(a.respondents.customer) || count(b.respondents.staff) - count(a.respondents.staff) || a.name.localeCompare(b.name)).map((u) => u.name))
    expect(byN).not.toEqual(byName)
    // `sort` is the page's, not a report filter: no notice, and the CSV link works with it.
    const sortedPage = (await owner.get(`/waves/${waveId}?sort=name`)).body
    expect(sortedPage).not.toContain('class="notice"')
    expect((await owner.get(`/waves/${waveId}/report.csv?sort=name`)).statusCode).toBe(200)
    expect((await owner.get(`/waves/${waveId}?sort=%3Cb%3E`)).statusCode).toBe(200)
  })

  it('says under a unit filter that it shows all units for comparison, the chosen one highlighted', async () => {
    const page = (await owner.get(`/waves/${waveId}?unit=South&customer.tier=gold`)).body
    const heat = section(page, 'heatmap')
    expect(heat).toContain('data-answers="other"')
    expect(heat).toMatch(/<p class="scope-note" role="note">All units, for comparison, under the same attribute filters; South is highlighted\.<\/p>/)
    const chosen = bodyRows(heat).filter((row) => row.startsWith('<tr class="chosen"'))
    expect(chosen.map(rowName)).toEqual(['South'])
    expect(bodyRows(heat)).toHaveLength(4)
    // Links to another unit keep the attribute filter.
    expect(heat).toContain('href="?unit=North&amp;customer.tier=gold"')
    const plain = section((await owner.get(`/waves/${waveId}?unit=South`)).body, 'heatmap')
    expect(plain).toContain('All units, for comparison; South is highlighted.')
  })

  it('counts the filtered group in the respondents table and the planner', async () => {
    const api = (await report(waveId, '?customer.tier=gold')).units
    const page = (await owner.get(`/waves/${waveId}?customer.tier=gold`)).body
    const block = section(page, 'respondents')
    expect(block).toContain('data-answers="filter"')
    expect(text(block)).toContain('Respondents of the group the attribute filters above choose')
    const rows = bodyRows(block).map((row) => [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((m) => text(m[1]!)))
    for (const unit of api) {
      const printed = rows.find((r) => r[0] === unit.name)!
      expect(printed.slice(1), unit.name).toEqual([unit.respondents.staff, unit.respondents.customer].map((n) => (n === null ? 'hidden' : String(n))))
    }
    // The total is the gold group's: 10 + 9 + 8 + 1 customers, all 78 staff.
    expect(rows.at(-1)).toEqual(['All', '78', '28'])
    expect(text(section(page, 'planning'))).toContain('You have 78 staff and 28 customers (customers with tier gold).')
    const northPage = (await owner.get(`/waves/${waveId}?unit=North&customer.tier=gold`)).body
    expect(section(northPage, 'respondents')).toContain('data-answers="other"')
    const planning = section(northPage, 'planning')
    expect(planning).toContain('data-answers="filter"')
    expect(text(planning)).toContain('You have 30 staff and 10 customers (unit North, customers with tier gold).')
  })
})
