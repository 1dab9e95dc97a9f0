// The order of the dashboard's item table, on both databases: by gap, widest first (the default), by
// the fix-first ranks the report API returns, or as the questionnaire asks; switched with plain links
// (?order=…) that keep the page's filters, the chart drawn in the table's order. Each order is
// worked out here from the API's own report, not from the page. A bad value is the default order,
// never a 500 nor a filter; where the report has no fix-first ranking the switch says why.
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import * as format from '../../server/format.js'
import { ANALYTICS_UNITS, analyticsResponses } from '../helpers/analytics-data.js'
import { apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type TestContext } from '../helpers/app.js'

type ApiItem = { key: string; gap: { points: number } | null }
type ApiReport = {
  items: ApiItem[]
  fixFirst: { items: Array<{ key: string; rank: number }> } | null
  unavailable: Record<string, { message: string }>
}

const decode = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')
/** The items block's HTML. */
const itemsBlock = (html: string) => {
  const start = html.indexOf('data-block="items"')
  expect(start).toBeGreaterThan(-1)
  return html.slice(start, html.indexOf('</section>', start))
}
/** The item keys of the table's rows, top to bottom (each row names its item by its label). */
const tableOrder = (html: string) => [...itemsBlock(html).matchAll(/<span class="item-key">([^<]+)<\/span>/g)].map((m) => decode(m[1]!))
/** The items chart's spec, as public/dashboard.js reads it. */
const chartOf = (html: string) => JSON.parse(decode(itemsBlock(html).match(/data-chart="([^"]*)"/)![1]!))
/** The switch: label, address and whether it is the current order (no address: not available). */
const switchOf = (html: string) => [...itemsBlock(html).matchAll(/<li>(?:<a href="([^"]+)"( aria-current="true")?>([^<]+)<\/a>|<span class="unavailable-choice">([^<]+)<\/span>)<\/li>/g)]
  .map((m) => ({ label: m[3] ?? m[4]!, href: m[1] ? decode(m[1]) : null, current: m[2] !== undefined }))

const INSTRUMENT = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const label = (key: string) => format.itemLabel(key)

/** Widest gap first (staff − customers, highest first), items without a gap last; ties in questionnaire order. */
function byGap(items: readonly ApiItem[]): string[] {
  const withGap = items.filter((item) => item.gap !== null)
  const without = items.filter((item) => item.gap === null)
  return [...withGap.map((item, i) => ({ item, i })).sort((a, b) => b.item.gap!.points - a.item.gap!.points || INSTRUMENT.indexOf(a.item.key) - INSTRUMENT.indexOf(b.item.key)).map(({ item }) => item.key),
    ...without.map((item) => item.key)]
}
/** By the API's fix-first rank; the items it does not rank (the headline) after them, by gap. */
function byFixFirst(report: ApiReport): string[] {
  const ranks = new Map(report.fixFirst!.items.map((item) => [item.key, item.rank]))
  const ranked = [...ranks.keys()].sort((a, b) => ranks.get(a)! - ranks.get(b)!)
  return [...ranked, ...byGap(report.items.filter((item) => !ranks.has(item.key)))]
}

describeEachDatabase('the order of the item table', (ctx: TestContext) => {
  let owner: Browser
  let token: string
  let waveId: string
  let smallWave: string
  let report: ApiReport

  const api = async (url: string, method: 'GET' | 'POST' = 'GET', payload?: unknown) => {
    const response = await ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) })
    if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`)
    return response.json()
  }
  const page = async (query: string, wave = waveId) => {
    const response = await owner.get(`/waves/${wave}${query}`)
    expect(response.statusCode, query).toBe(200)
    return response.body
  }

  it('loads a wave with a fix-first ranking and one too small for it', async () => {
    const tenant = await createTenant(ctx, 'Order & Co')
    token = await apiToken(ctx, tenant.owner.email)
    for (const name of ANALYTICS_UNITS) await api('/units', 'POST', { name })
    waveId = (await api('/waves', 'POST', { name: '2026-Q4', templateKey: 'service-gap-index' })).id
    await api(`/waves/${waveId}/responses`, 'POST', analyticsResponses())
    report = await api(`/waves/${waveId}/report`)
    expect(report.fixFirst).not.toBeNull()
    smallWave = (await api('/waves', 'POST', { name: 'Small', templateKey: 'service-gap-index' })).id
    await api(`/waves/${smallWave}/responses`, 'POST', analyticsResponses().filter((row, i) => row.side === 'staff' || i % 4 === 0).slice(0, 200))
    expect((await api(`/waves/${smallWave}/report`)).fixFirst).toBeNull()
    owner = await signedIn(ctx, tenant.owner.email)
    // The three orders differ on this wave, so each check below can tell them apart.
    expect(byGap(report.items)).not.toEqual(INSTRUMENT)
    expect(byFixFirst(report)).not.toEqual(byGap(report.items))
  })

  it('orders by gap, widest first, when the address asks for no order or for order=gap; the chart follows', async () => {
    const expected = byGap(report.items).map(label)
    for (const query of ['', '?order=gap']) {
      const html = await page(query)
      expect(tableOrder(html), query).toEqual(expected)
      const chart = chartOf(html)
      expect(chart.labels).toEqual(expected)
      // Each pair's gap as the table prints it, in the same order.
      expect(chart.gaps).toEqual(byGap(report.items).map((key) => format.points(report.items.find((item) => item.key === key)!.gap!.points)))
      expect(switchOf(html)).toEqual([
        { label: 'Widest gap first', href: `/waves/${waveId}#items-title`, current: true },
        { label: 'Fix first', href: `/waves/${waveId}?order=fix-first#items-title`, current: false },
        { label: 'Questionnaire order', href: `/waves/${waveId}?order=instrument#items-title`, current: false },
      ])
      expect(itemsBlock(html)).toContain('<caption>Agreement per item, staff and customers, widest gap first</caption>')
    }
  })

  it('orders by the report\'s fix-first ranks, the headline the drivers explain last', async () => {
    const html = await page('?order=fix-first')
    const expected = byFixFirst(report).map(label)
    expect(tableOrder(html)).toEqual(expected)
    expect(chartOf(html).labels).toEqual(expected)
    expect(expected.at(-1)).toBe(label('excellent_service'))
    expect(switchOf(html).map((choice) => [choice.label, choice.current])).toEqual([['Widest gap first', false], ['Fix first', true], ['Questionnaire order', false]])
    expect(itemsBlock(html)).toContain('Fix-first ranks as in the Fix first section below (the whole wave)')
    // The fix-first section's own ranking reads the same.
    const ranking = html.slice(html.indexOf('Fix-first ranking, largest index first'), html.indexOf('</table>', html.indexOf('Fix-first ranking, largest index first')))
    expect([...ranking.matchAll(/<span class="item-key">([^<]+)<\/span>/g)].map((m) => decode(m[1]!))).toEqual(expected.slice(0, report.fixFirst!.items.length))
  })

  it('orders as the questionnaire asks with order=instrument', async () => {
    const html = await page('?order=instrument')
    expect(tableOrder(html)).toEqual(INSTRUMENT.map(label))
    expect(tableOrder(html)).toEqual(report.items.map((item) => label(item.key)))
    expect(chartOf(html).labels).toEqual(INSTRUMENT.map(label))
  })

  it('keeps the filters in the switch and the order in the filter form, and does not take the order for a filter', async () => {
    const unit = ANALYTICS_UNITS[3]!
    const filtered = await api(`/waves/${waveId}/report?unit=${encodeURIComponent(unit)}`) as ApiReport
    const html = await page(`?unit=${encodeURIComponent(unit)}&order=fix-first`)
    expect(html).toContain(`<strong>Filtered to</strong> unit ${unit.replace('<', '&lt;').replace('>', '&gt;')}`)
    expect(html).not.toContain('class="notice"')
    const query = `unit=${encodeURIComponent(unit).replaceAll('%20', '+')}`
    expect(switchOf(html).map((choice) => choice.href)).toEqual([
      `/waves/${waveId}?${query}#items-title`,
      `/waves/${waveId}?${query}&order=fix-first#items-title`,
      `/waves/${waveId}?${query}&order=instrument#items-title`,
    ])
    expect(tableOrder(html)).toEqual((filtered.fixFirst ? byFixFirst(filtered) : byGap(filtered.items)).map(label))
    // The filter form sends the order along, so applying another filter keeps it.
    const form = html.slice(html.indexOf('<form class="filters'), html.indexOf('</form>', html.indexOf('<form class="filters')))
    expect(form).toContain('<input type="hidden" name="order" value="fix-first">')
    expect(await page('')).not.toContain('name="order"')
    // The report table download is the same with or without an order.
    const csv = async (q: string) => (await owner.get(`/waves/${waveId}/report.csv${q}`)).body
    expect(await csv('?order=instrument')).toBe(await csv(''))
  })

  it('ignores a bad order: the default order, no 500, no filter problem', async () => {
    const expected = byGap(report.items).map(label)
    for (const query of ['?order=', '?order=nonsense', '?order=GAP', '?order=gap&order=fix-first', '?order[$gt]=', '?order=%00', `?order=${'x'.repeat(5000)}`, '?order=__proto__']) {
      const html = await page(query)
      expect(tableOrder(html), query).toEqual(expected)
      expect(html, query).not.toContain('class="notice"')
      expect(html, query).not.toContain('Filtered to')
    }
  })

  it('says beside the switch why there is no fix-first order, and keeps the gap order', async () => {
    const small = await api(`/waves/${smallWave}/report`) as ApiReport
    const reason = small.unavailable.fixFirst!.message
    for (const query of ['', '?order=fix-first']) {
      const html = await page(query, smallWave)
      expect(tableOrder(html), query).toEqual(byGap(small.items).map(label))
      const choices = switchOf(html)
      expect(choices.find((choice) => choice.label === 'Fix first'), query).toEqual({ label: 'Fix first', href: null, current: false })
      expect(choices.find((choice) => choice.current)?.label).toBe('Widest gap first')
      const note = decode(itemsBlock(html).match(/<p class="hint order-note">([^<]+)<\/p>/)![1]!)
      expect(note).toBe(`${query ? 'Shown by gap: no fix-first order. ' : 'No fix-first order: '}${reason}`)
    }
  })
})
