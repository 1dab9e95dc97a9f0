// An outsider's attacks on what issue 15 added to the report (the heat map's `units`, the `trend`,
// the waves list's `overview`) together with what was there: subtracting released views from each
// other, reading the same views before and after one staff answer, and reading the export beside
// them. Nothing of a group below the minimum group size may come out.
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { apiToken, bearer, Browser, createTenant, describeEachDatabase, type TestContext } from '../helpers/app.js'
import { answers, hidden, post, tokenOf } from '../helpers/survey.js'

const K = 5
const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
// Staff per unit and role: Tiny has three staff, and South's leads are two.
const STAFF: Array<[unit: string, role: string, n: number]> = [['North', 'lead', 8], ['North', 'agent', 12], ['South', 'lead', 2], ['South', 'agent', 10], ['Tiny', 'agent', 3]]
const CUSTOMERS: Array<[unit: string, tier: string, n: number]> = [['North', 'gold', 6], ['North', 'standard', 20], ['South', 'gold', 3], ['South', 'standard', 15], ['Tiny', 'standard', 4]]

type Share = { suppressed: true } | { n: number; agree: number }
type Report = {
  headline: { staff: Share; customer: Share }
  units: Array<{ name: string; staff: Share; customer: Share; respondents: { staff: number | null; customer: number | null } }>
  trend: unknown
  release: { staffWaiting: number | null }
}
const n = (share: Share) => ('suppressed' in share ? null : share.n)

function rows(wave: number) {
  const out: Array<Record<string, unknown>> = []
  let i = 0
  for (const [unit, role, count] of STAFF) {
    for (let j = 0; j < count; j++, i++) {
      out.push({ side: 'staff', unit, attributes: { role }, answers: Object.fromEntries(KEYS.map((key, x) => [key, j === 0 && x === 0 ? null : ((i + x + wave) % 5) + 1])) })
    }
  }
  for (const [unit, tier, count] of CUSTOMERS) {
    for (let j = 0; j < count; j++, i++) out.push({ side: 'customer', unit, attributes: { tier }, answers: Object.fromEntries(KEYS.map((key, x) => [key, ((i * 3 + x + wave) % 5) + 1])) })
  }
  return out
}

describeEachDatabase('attacks on the heat map, the trend and the waves overview', (ctx: TestContext) => {
  let token: string
  let waveId: string
  let staffLink: string
  const api = async (url: string, init: { method?: 'GET' | 'POST'; payload?: unknown } = {}) => {
    const response = await ctx.app.inject({ method: init.method ?? 'GET', url: `/api/v1${url}`, headers: bearer(token), ...(init.payload === undefined ? {} : { payload: init.payload as object }) })
    if (response.statusCode >= 300) throw new Error(`${url}: ${response.statusCode} ${response.body}`)
    return response.headers['content-type']?.toString().startsWith('text/csv') ? response.body : response.json()
  }
  const report = (query = ''): Promise<Report> => api(`/waves/${waveId}/report${query}`)

  it('loads two waves with a tiny unit and small attribute groups', async () => {
    const tenant = await createTenant(ctx, 'Attack Co')
    token = await apiToken(ctx, tenant.owner.email)
    for (const name of ['North', 'South', 'Tiny']) await api('/units', { method: 'POST', payload: { name } })
    const earlier = (await api('/waves', { method: 'POST', payload: { name: 'Q3', templateKey: 'service-gap-index' } })).id
    await api(`/waves/${earlier}/responses`, { method: 'POST', payload: rows(0) })
    const created = await api('/waves', { method: 'POST', payload: { name: 'Q4', templateKey: 'service-gap-index' } })
    waveId = created.id
    staffLink = tokenOf(created.links.staff)
    await api(`/waves/${waveId}/responses`, { method: 'POST', payload: rows(1) })
  })

  it('leaves no group of 1…k−1 between a released group and its released units, under every filter', async () => {
    for (const [side, filter] of [['staff', ''], ['customer', ''], ['staff', 'staff.role=lead'], ['staff', 'staff.role=agent'], ['customer', 'customer.tier=gold'], ['customer', 'customer.tier=standard']] as const) {
      let whole: Report
      try {
        whole = await report(filter ? `?${filter}` : '')
      } catch {
        continue // a value the release does not offer cannot be read at all
      }
      // The heat map's rows, and each unit's own report under the same filter, against the whole.
      const rowsN = whole.units.map((u) => n(u[side]))
      const ownN = await Promise.all(whole.units.map(async (u) => report(`?unit=${u.name}${filter ? `&${filter}` : ''}`).then((r) => n(r.headline[side])).catch(() => null)))
      expect(ownN, `${side} ${filter}: the heat map shows what each unit's report shows`).toEqual(rowsN)
      const total = n(whole.headline[side])
      if (total === null) continue
      const rest = total - rowsN.reduce<number>((sum, v) => sum + (v ?? 0), 0)
      expect(rest === 0 || rest >= K, `${side} ${filter}: hidden units hold ${rest}`).toBe(true)
      for (const v of rowsN) if (v !== null) expect(v, `${side} ${filter}: a shown unit`).toBeGreaterThanOrEqual(K)
      // Respondent counts per unit obey the same rule.
      const counts = whole.units.map((u) => u.respondents[side])
      for (const c of counts) if (c !== null && c > 0) expect(c).toBeGreaterThanOrEqual(K)
    }
  })

  it('changes nothing a reader sees — report, heat map, trend, waves overview, export — after one staff answer, until its release step', async () => {
    const queries = ['', '?unit=North', '?unit=South', '?customer.tier=standard', '?unit=North&customer.tier=standard', '?staff.role=agent']
    const read = async () => {
      // A refused filter must stay refused: its refusal is part of what a reader sees.
      const reports = await Promise.all(queries.map(async (q) => {
        try {
          const { release, ...rest } = await report(q)
          return { rest, waiting: release.staffWaiting }
        } catch (error) {
          return { rest: { refused: String(error).replace(/\/waves\/[^/]+\//, '') }, waiting: null }
        }
      }))
      const waves = (await api('/waves')) as Array<{ id: string; overview: unknown }>
      const csv = (await api(`/waves/${waveId}/export.csv`)) as string
      const staffRows = csv.split('\r\n').filter((line) => line.includes(',staff,')).sort()
      return { reports: reports.map((r) => r.rest), waiting: reports[0]!.waiting, overview: waves.map((w) => w.overview), staffRows }
    }
    const before = await read()
    for (let i = 1; i < K; i++) {
      const browser = new Browser(ctx.app)
      const form = await browser.get(`/s/${staffLink}`)
      expect((await post(browser, staffLink, { submission: hidden(form.body, 'submission')!, ...answers() })).statusCode).toBe(303)
      const after = await read()
      expect(after.waiting, 'the answers wait for a step').toBe((before.waiting ?? 0) + i)
      expect(after.reports, `after ${i} staff answer(s)`).toEqual(before.reports)
      expect(after.overview).toEqual(before.overview)
      expect(after.staffRows).toEqual(before.staffRows)
    }
    // The k-th makes a step: the headline's staff n moves by k at once, never by less.
    const browser = new Browser(ctx.app)
    const form = await browser.get(`/s/${staffLink}`)
    expect((await post(browser, staffLink, { submission: hidden(form.body, 'submission')!, ...answers() })).statusCode).toBe(303)
    const stepped = await report()
    const moved = (n(stepped.headline.staff) ?? 0) - (n((before.reports[0] as unknown as Report).headline.staff) ?? 0)
    expect(moved === 0 || moved >= K, `moved by ${moved}`).toBe(true)
  })
})
