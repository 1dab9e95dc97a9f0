// The analytics section of the wave dashboard, on both databases: six units loaded through the import
// API (test/helpers/analytics-data.ts), so that drivers, fix first and linkage have answers and the
// wave's missing predictions give a reason; the page says what the API's report holds, each block
// naming the group it answers, and a unit filter turns linkage into its reason.
import { expect, it } from 'vitest'
import { ANALYTICS_UNITS, analyticsResponses } from '../helpers/analytics-data.js'
import { apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type TestContext } from '../helpers/app.js'

const decode = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')
const text = (html: string) => decode(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim()
function section(html: string, headingId: string) {
  const start = html.indexOf(`aria-labelledby="${headingId}"`)
  expect(start, headingId).toBeGreaterThan(-1)
  return html.slice(html.indexOf('>', start) + 1, html.indexOf('</section>', start))
}
const percent = (share: number) => `${Math.round(share * 100)}%`

type Reason = { code: string; message: string }
type ApiAnalytics = {
  drivers: { r2: number; n: number; weights: Array<{ key: string }> } | null
  fixFirst: { top: Array<{ sentence: string }>; items: unknown[] } | null
  prediction: unknown
  linkage: { units: number; points: Array<{ unit: { name: string } }> } | null
  unavailable: Record<string, Reason>
}

describeEachDatabase('the dashboard\'s analytics section', (ctx: TestContext) => {
  let owner: Browser
  let token: string
  let waveId: string
  let report: ApiAnalytics
  let page: string

  const api = async (url: string, method: 'GET' | 'POST' = 'GET', payload?: unknown) => {
    const response = await ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) })
    if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`)
    return response.json()
  }
  const dashboard = async (query = '') => {
    const response = await owner.get(`/waves/${waveId}${query}`)
    expect(response.statusCode, query).toBe(200)
    return response.body
  }

  it('loads six units through the import API, and the report has drivers, fix first and linkage', async () => {
    const tenant = await createTenant(ctx, 'Harbour & Co')
    token = await apiToken(ctx, tenant.owner.email)
    for (const name of ANALYTICS_UNITS) await api('/units', 'POST', { name })
    waveId = (await api('/waves', 'POST', { name: '2026-Q4', templateKey: 'service-gap-index' })).id
    await api(`/waves/${waveId}/responses`, 'POST', analyticsResponses())
    report = await api(`/waves/${waveId}/report`)
    expect(report.drivers).not.toBeNull()
    expect(report.fixFirst).not.toBeNull()
    expect(report.linkage?.units).toBe(6)
    expect(report.prediction).toBeNull()
    owner = await signedIn(ctx, tenant.owner.email)
    page = await dashboard()
  })

  it('puts the four blocks after the units and before the comments, in order', () => {
    const at = (id: string) => page.indexOf(`aria-labelledby="${id}"`)
    const order = ['heat-title', 'resp-title', 'fix-first-title', 'drivers-title', 'prediction-title', 'linkage-title', 'comments-title', 'planning-title'].map(at)
    for (const position of order) expect(position).toBeGreaterThan(-1)
    expect(order).toEqual([...order].sort((a, b) => a - b))
  })

  it('says what to fix first in the report\'s own sentences, with every item in the ranked table', () => {
    const block = section(page, 'fix-first-title')
    expect(text(block)).toContain('The whole wave')
    for (const top of report.fixFirst!.top) expect(text(block)).toContain(top.sentence)
    const rows = (block.split('<tbody>')[1] ?? '').match(/<tr>/g) ?? []
    expect(rows).toHaveLength(report.fixFirst!.items.length)
  })

  it('gives R² in words, n and the method, and draws the weights and the quadrant from the report', () => {
    const block = section(page, 'drivers-title')
    expect(text(block)).toContain(`These items explain ${percent(report.drivers!.r2)} of the differences in customers' overall verdict`)
    expect(text(block)).toContain(`${report.drivers!.n} customers`)
    const charts = [...block.matchAll(/data-chart="([^"]*)"/g)].map((m) => JSON.parse(decode(m[1]!)))
    expect(charts.map((c) => c.kind)).toEqual(['weights', 'scatter'])
    expect(charts[0].labels).toHaveLength(report.drivers!.weights.length)
  })

  it('shows the reason in place of the staff predictions the wave does not ask for', () => {
    expect(text(section(page, 'prediction-title'))).toBe(`Do staff know their customers? ${report.unavailable.prediction!.message}`)
  })

  it('links staff climate with customers across the six units, unit names escaped', () => {
    const block = section(page, 'linkage-title')
    expect(text(block)).toMatch(/Across 6 units/)
    expect(text(block)).toMatch(/ICC\(1\) .* ICC\(2\)/)
    expect(block).toContain('Market &lt;Hall&gt;')
    expect(block).not.toContain('Market <Hall>')
  })

  it('reads the headline three ways and compares the units, for a wave whose staff predict every item', async () => {
    const predicted = (await api('/waves', 'POST', { name: '2026-Q4 with predictions', templateKey: 'service-gap-index', predictions: 'all' })).id
    await api(`/waves/${predicted}/responses`, 'POST', analyticsResponses({ predictions: true }))
    const response = await owner.get(`/waves/${predicted}`)
    const block = text(section(response.body, 'prediction-title'))
    expect(block).toMatch(/Staff expect \d+% of customers to agree; \d+% do: they (over|under)estimate by \d+ points? \(95%: /)
    expect(block).toMatch(/Staff say \d+% .* Staff predict customers say \d+% .* Customers say \d+%/)
    expect(block).toMatch(/Staff in .+ know their customers best .+; staff in .+ are the most optimistic/)
    const units = section(response.body, 'prediction-title').split('Per unit, most optimistic first')[1]!
    expect((units.split('<tbody>')[1]!.split('</tbody>')[0]!.match(/<tr>/g) ?? [])).toHaveLength(6)
  })

  it('under a unit filter, each block names its group or gives its reason, never a blank', async () => {
    const filtered = await dashboard('?unit=Riverside')
    const api = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/report?unit=Riverside`, headers: bearer(token) })
    const unitReport = api.json() as ApiAnalytics
    expect(unitReport.linkage).toBeNull()
    expect(text(section(filtered, 'linkage-title'))).toBe(`Does staff climate move customers? ${unitReport.unavailable.linkage!.message}`)
    for (const [name, id] of [['drivers', 'drivers-title'], ['fixFirst', 'fix-first-title']] as const) {
      const block = text(section(filtered, id))
      if (unitReport[name] === null) expect(block).toContain(unitReport.unavailable[name]!.message)
      else expect(block).toMatch(/The whole wave|For unit Riverside/)
    }
  })
})
