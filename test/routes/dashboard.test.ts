// The wave dashboard at /waves/:id and its two CSV exports, on both databases. A wave with known
// numbers is loaded through the import API: 100 staff and 100 customers, 80 against 8 agreeing that
// service is excellent; two units large enough to show and one with three staff (named with markup,
// to see it escaped everywhere); a small 'gold' group of three customers; comments that try script
// injection and spreadsheet formulas; and an earlier wave of the same template to compare with.
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { benjaminiHochberg, gap, gapChange, sampleSizePerSide } from '../../server/domain/statistics.js'
import * as format from '../../server/format.js'
import { addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type TestContext } from '../helpers/app.js'

/** The heat map's and fix first's plan marks and "Plan" links (action plans) are not figures. */
const withoutPlanLinks = (html: string) => html.replace(/<a class="plan-(?:add|mark)[^"]*"[^>]*>[\s\S]*?<\/a>/g, '')

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const DIMENSIONS = ['attitude', 'ability', 'structure', 'focus', 'fit', 'listening', 'care']
const TINY = 'Kiosk <b>&"7"'
const PREVIOUS = 'Q3 <i>"before"</i> & co'
const CURRENT = '2026-Q4'
const XSS_SCRIPT = '<script>alert(1)</script>'
const XSS_ATTRIBUTE = '"><img src=x onerror=alert(1)>'
const FORMULA = '=HYPERLINK("x")'

/** Agreeing staff and customers out of 100 per item, in instrument order, for the current wave. */
const TARGETS: Record<string, [staff: number, customer: number]> = {
  excellent_service: [80, 8], // blind spot
  want_to_help: [90, 40],
  valued: [75, 30],
  can_solve: [70, 45],
  easy: [60, 20],
  promises: [80, 35],
  individual: [75, 20],
  anticipates: [55, 15],
  trust: [82, 80], // shared strength
  fit: [60, 58], // aligned
  asks: [30, 28], // shared weakness
  supported: [30, 70], // hidden strength
}

type Row = { side: 'staff' | 'customer'; unit?: string; attributes?: Record<string, string>; answers: Record<string, number | null>; comment?: string }

/** 100 staff and 100 customers; respondent i agrees on item j when (i + step·j) mod 100 < target. */
function wave(targets: Record<string, [number, number]>, comments: Partial<Record<'staff' | 'customer', Record<number, string>>> = {}): Row[] {
  const rows: Row[] = []
  for (const side of ['staff', 'customer'] as const) {
    for (let i = 0; i < 100; i++) {
      const answers: Record<string, number> = {}
      KEYS.forEach((key, j) => {
        const target = targets[key]![side === 'staff' ? 0 : 1]
        const agrees = (i + (side === 'staff' ? 7 : 11) * j) % 100 < target
        answers[key] = agrees ? (i % 2 ? 5 : 4) : (i % 3) + 1
      })
      const unit = side === 'staff' ? (i < 50 ? 'North' : i < 97 ? 'South' : TINY) : i < 60 ? 'North' : 'South'
      const attributes: Record<string, string> = side === 'staff' ? { role: i % 2 ? 'role-agent' : 'role-lead' } : { tier: i >= 97 ? 'gold' : 'standard' }
      const comment = comments[side]?.[i]
      rows.push({ side, unit, attributes, answers, ...(comment ? { comment } : {}) })
    }
  }
  return rows
}

const CURRENT_COMMENTS = {
  staff: { 0: XSS_SCRIPT, 1: FORMULA, 2: 'More people on Saturdays.', 3: 'More people on Saturdays.', 98: 'only the three of us in the kiosk' },
  customer: { 5: XSS_ATTRIBUTE, 6: 'Nobody called me back.', 98: 'gold secret: I spend the most' },
}
// The earlier wave: the same except that 30 customers (not 8) found the service excellent.
const PREVIOUS_TARGETS = { ...TARGETS, excellent_service: [80, 30] as [number, number] }

const decode = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')
const text = (html: string) => decode(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim()
/** The HTML of the section labelled by the heading with this id. */
function section(html: string, headingId: string) {
  const start = html.indexOf(`aria-labelledby="${headingId}"`)
  expect(start, headingId).toBeGreaterThan(-1)
  return html.slice(start, html.indexOf('</section>', start))
}
const bodyRows = (html: string) => [...(html.split('<tbody>')[1] ?? '').split('</tbody>')[0]!.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!)
const cells = (row: string) => [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((m) => text(m[1]!))
const charts = (html: string) => [...html.matchAll(/data-chart="([^"]*)"/g)].map((m) => ({ raw: m[1]!, spec: JSON.parse(decode(m[1]!)) }))

type ApiShare = { suppressed: true } | { n: number; agree: number; share: number; ci95: [number, number] }
type ApiRow = { key: string; staff: ApiShare; customer: ApiShare; gap: { points: number; ci95: [number, number]; qValue: number; significant: boolean } | null; classification: string }
type ApiReport = { headline: ApiRow; items: ApiRow[]; dimensions: ApiRow[] }
/** The items as the page lists them by default: widest gap first (every item here has a gap; ties in questionnaire order). */
const byGap = (items: ApiRow[]) => items.map((item, i) => ({ item, i })).sort((a, b) => b.item.gap!.points - a.item.gap!.points || a.i - b.i).map(({ item }) => item)
const shown = (s: ApiShare) => ('suppressed' in s ? null : s)

/** Parses a CSV body (BOM, CRLF, quoted cells) into rows of cells. */
function parseCsv(body: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  const s = body.replace(/^\ufeff/, '')
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') { cell += '"'; i++ } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') { row.push(cell); cell = '' }
    else if (c === '\r' && s[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++ }
    else cell += c
  }
  if (cell !== '' || row.length > 0) { row.push(cell); rows.push(row) }
  return rows
}


describeEachDatabase('the wave dashboard', (ctx: TestContext) => {
  let owner: Browser
  let token: string
  let waveId: string
  let previousId: string
  let report: ApiReport
  let page: string
  let analyst: string
  let viewer: string

  const api = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const response = await ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) })
    if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`)
    return response.json()
  }
  const dashboard = async (query = '') => {
    const response = await owner.get(`/waves/${waveId}${query}`)
    expect(response.statusCode, query).toBe(200)
    return response.body
  }
  const apiReport = async (query = ''): Promise<ApiReport> => api('GET', `/waves/${waveId}/report${query}`)
  const api0 = async (query = ''): Promise<ApiReport> => api('GET', `/waves/${previousId}/report${query}`)

  it('loads an earlier and a current wave through the import API', async () => {
    const tenant = await createTenant(ctx, 'Acme')
    token = await apiToken(ctx, tenant.owner.email)
    for (const name of ['North', 'South', TINY]) await api('POST', '/units', { name })
    previousId = (await api('POST', '/waves', { name: PREVIOUS, templateKey: 'service-gap-index' })).id
    expect((await api('POST', `/waves/${previousId}/responses`, wave(PREVIOUS_TARGETS))).ids).toHaveLength(200)
    waveId = (await api('POST', '/waves', { name: CURRENT, templateKey: 'service-gap-index' })).id
    expect((await api('POST', `/waves/${waveId}/responses`, wave(TARGETS, CURRENT_COMMENTS))).ids).toHaveLength(200)
    report = await apiReport()
    expect(report.headline).toMatchObject({ key: 'excellent_service', staff: { n: 100, agree: 80 }, customer: { n: 100, agree: 8 }, classification: 'blind_spot' })
    expect(report.items.find((i) => i.key === 'supported')!.classification).toBe('hidden_strength')
    owner = await signedIn(ctx, tenant.owner.email)
    analyst = await addPerson(ctx, tenant, 'analyst')
    viewer = await addPerson(ctx, tenant, 'viewer')
    page = await dashboard()
  })

  it('leads with 80% of staff against 8% of customers, their intervals and the gap in points and words', () => {
    const card = section(page, 'summary-title')
    expect(card).toContain('data-block="summary" data-answers="filter"')
    expect(text(card)).toContain('80% of staff say')
    expect(text(card)).toContain('8% of customers say')
    const h = report.headline
    const staff = shown(h.staff)!
    const customer = shown(h.customer)!
    expect(text(card)).toContain(`95%: ${format.percentRange(staff.ci95)} · n = 100`)
    expect(text(card)).toContain(`95%: ${format.percentRange(customer.ci95)} · n = 100`)
    expect(format.percentRange(staff.ci95)).toBe('71–87%')
    expect(text(card)).toMatch(/Gap \+72 pts ?: staff think better of the service than customers do, very unlikely to be chance ?\./)
    // The statistics behind the words, one hover away.
    expect(decode(card)).toContain(`title="95% interval ${format.pointsRange(h.gap!.ci95)} pts, q < 0.001`)
    expect(card).toContain('<span class="badge b-blind_spot">Blind spot</span>')
    expect(text(card)).toContain('I receive excellent service from Acme.')
  })

  it('has a row for each of the twelve items and seven dimensions, with gap, interval and reading', () => {
    const items = bodyRows(section(page, 'items-title')).map(cells)
    expect(items).toHaveLength(12)
    // Widest gap first (the page's default order).
    items.forEach((row, i) => {
      const api = byGap(report.items)[i]!
      expect(row[0]).toContain(format.itemLabel(api.key))
      expect(row[1]).toContain(`${format.percent(shown(api.staff)!.share)} ${format.percentRange(shown(api.staff)!.ci95)}`)
      expect(row[2]).toContain(`${format.percent(shown(api.customer)!.share)} ${format.percentRange(shown(api.customer)!.ci95)}`)
      expect(row[3]).toBe(`${format.points(api.gap!.points)} ${format.pointsRange(api.gap!.ci95)}`)
      expect(row[5]).toBe(format.classification(api.classification))
    })
    const readings = new Set(items.map((row) => row[5]))
    for (const reading of ['Blind spot', 'Hidden strength', 'Shared strength', 'Shared weakness', 'Aligned']) expect(readings, reading).toContain(reading)
    const dims = bodyRows(section(page, 'dims-title')).map(cells)
    expect(dims.map((row) => row[0])).toEqual(DIMENSIONS.map(format.dimension))
    dims.forEach((row, i) => {
      const api = report.dimensions[i]!
      expect(row[1]!.startsWith(format.percent(shown(api.staff)!.share)), row[0]).toBe(true)
      expect(row[2]!.startsWith(format.percent(shown(api.customer)!.share)), row[0]).toBe(true)
      expect(row[3]).toBe(`${format.points(api.gap!.points)} ${format.pointsRange(api.gap!.ci95)}`)
      expect(row[4]).toBe(format.classification(api.classification))
    })
  })

  it('follows the gap over the waves, every gap with its interval, and says which item and group the chart shows', () => {
    // The items' spread charts (one per item, 5 points each here) sit between the items and the dimensions.
    const all = charts(page)
    expect(all.filter((c) => c.spec.kind === 'spread').map((c) => c.spec.labels.length)).toEqual(Array(12).fill(5))
    const found = all.filter((c) => c.spec.kind !== 'spread')
    expect(found.map((c) => c.spec.kind)).toEqual(['pairs', 'pairs', 'gap'])
    // The trend's labels are wave names: the earlier one is full of markup and survives intact.
    const trendChart = found[2]!.spec
    expect(trendChart.labels).toEqual([PREVIOUS, CURRENT])
    const before = gap({ agree: 80, n: 100 }, { agree: 30, n: 100 })!
    const now = gap({ agree: 80, n: 100 }, { agree: 8, n: 100 })!
    expect(trendChart.gap[0][0]).toBeCloseTo(50, 9)
    expect(trendChart.gap[1]).toEqual([report.headline.gap!.points, ...report.headline.gap!.ci95])
    expect(trendChart.gap[0]).toEqual([before.points, ...before.ci95])
    const trend = section(page, 'trend-title')
    expect(text(trend)).toContain('The gap on Excellent service (the headline) in each wave')
    expect(text(trend)).toContain('It follows all respondents of each wave')
    const rows = bodyRows(trend).map(cells)
    expect(rows).toHaveLength(12)
    expect(rows[0]).toEqual(['Excellent service',
      `${format.points(before.points)} ${format.pointsRange(before.ci95)} staff 80% · customers 30%`,
      `${format.points(now.points)} ${format.pointsRange(now.ci95)} staff 80% · customers 8%`])
  })

  it('lets a keyboard reach every table that may scroll sideways', () => {
    const wraps = [...page.matchAll(/<div class="table-wrap"([^>]*)>/g)].map((m) => m[1]!)
    expect(wraps.length).toBe((page.match(/<table class="table (numbers|heatmap)[^"]*"/g) ?? []).length)
    expect(wraps.length).toBeGreaterThanOrEqual(4)
    for (const attributes of wraps) expect(attributes).toMatch(/tabindex="0" role="region" aria-label="[^"]+"/)
  })

  it('draws its charts from escaped data-chart attributes that hold the same shares as the API', () => {
    const found = charts(page)
    expect(found.filter((c) => c.spec.kind !== 'spread').map((c) => c.spec.kind).slice(0, 2)).toEqual(['pairs', 'pairs'])
    for (const { raw } of found) {
      expect(raw).not.toContain('<')
      expect(raw).not.toContain('"')
      expect(raw).toContain('&quot;')
    }
    const [items, dims] = found.filter((c) => c.spec.kind !== 'spread').map((c) => c.spec)
    const triple = (s: ApiShare) => (shown(s) ? [shown(s)!.share, ...shown(s)!.ci95] : null)
    // In the table's order: widest gap first.
    expect(items.labels).toEqual(byGap(report.items).map((i) => format.itemLabel(i.key)))
    expect(items.staff).toEqual(byGap(report.items).map((i) => triple(i.staff)))
    expect(items.customer).toEqual(byGap(report.items).map((i) => triple(i.customer)))
    expect(dims.labels).toEqual(report.dimensions.map((d) => format.dimension(d.key)))
    expect(dims.staff).toEqual(report.dimensions.map((d) => triple(d.staff)))
    expect(dims.customer).toEqual(report.dimensions.map((d) => triple(d.customer)))
    expect(page).not.toContain('<i>"before"</i>')
    expect(page).toContain('Q3 &lt;i&gt;&quot;before&quot;&lt;/i&gt; &amp; co')
  })

  it('marks the three-person unit as hidden in the heat map and never prints its numbers', async () => {
    const heat = section(withoutPlanLinks(page), 'heat-title')
    const rows = bodyRows(heat)
    expect(rows).toHaveLength(3)
    const tiny = rows.find((row) => row.includes('Kiosk &lt;b&gt;&amp;&quot;7&quot;'))!
    expect(tiny).toBeDefined()
    // Overall, the respondents, the twelve items and the change since the earlier wave.
    const tinyCells = [...tiny.matchAll(/<td class="([^"]*)"[^>]*>([\s\S]*?)<\/td>/g)]
    expect(tinyCells).toHaveLength(15)
    const gapCells = tinyCells.filter(([, cls]) => cls !== 'n-col' && cls !== 'since')
    expect(gapCells).toHaveLength(13)
    for (const [, cls, content] of gapCells) {
      expect(cls!.split(' ')[0]).toBe('hidden-cell')
      expect(text(content!)).toBe('—')
    }
    // Only its respondents, as the respondents table shows them: three staff are too few, no customers answered.
    expect(tinyCells.filter(([, cls]) => cls !== 'n-col').map(([, , content]) => text(content!)).join(' ')).not.toMatch(/\d/)
    expect(text(tinyCells.find(([, cls]) => cls === 'n-col')![2]!)).toBe('hidden / 0')
    const north = rows.find((row) => row.includes('>North</a>'))!
    const northApi = await apiReport('?unit=North')
    const northCells = [...north.matchAll(/<td class="gap-[^"]*"[^>]*>([\s\S]*?)<\/td>/g)].map((m) => text(m[1]!).replace(/ significant \*$/, ''))
    expect(northCells).toEqual([northApi.headline, ...northApi.items].map((i) => format.gapNumber(i.gap!.points)))
    // The report table's numbers per unit: the kiosk's three staff are "fewer than 5", and South's
    // staff are hidden too, or 100 − 50 − 47 would give the kiosk's three.
    const responses = bodyRows(section(page, 'resp-title')).map(cells)
    expect(responses).toContainEqual([TINY, 'hidden', '0'])
    expect(responses).toContainEqual(['North', '50', '60'])
    expect(responses).toContainEqual(['South', 'hidden', '40'])
    expect(responses.at(-1)).toEqual(['All', '100', '100'])
  })

  it('shows comments escaped, never as markup, counting repeated ones once', () => {
    const comments = section(page, 'comments-title')
    expect(comments).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(comments).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;')
    expect(page).not.toContain(XSS_SCRIPT)
    expect(page).not.toContain('<img src=x')
    expect(comments).toContain('=HYPERLINK(&quot;x&quot;)')
    expect(text(comments)).toContain('More people on Saturdays. × 2')
    // In the whole wave a comment stands among 100 people of its side, without its unit.
    expect(comments).toContain('gold secret')
    expect(comments).toContain('only the three of us')
  })

  it('hides the shares and comments of a side that a filter narrows below the minimum', async () => {
    // Standard is held by 97 customers, so gold's 3 are the rest: standard is hidden to protect them,
    // and a value whose group is hidden is not offered as a filter: the page shows the whole wave.
    const standard = await dashboard('?customer.tier=standard')
    expect(standard).toMatch(/<p class="notice" role="status">[^<]+Showing the whole wave instead\.<\/p>/)
    expect(standard).not.toContain('<option value="standard"')
    expect(standard).not.toContain('<option value="gold"')

    const tiny = await dashboard(`?unit=${encodeURIComponent(TINY)}`)
    expect(tiny).toContain(`<option value="Kiosk &lt;b&gt;&amp;&quot;7&quot;" selected>`)
    expect(text(section(tiny, 'summary-title'))).toContain('Staff: Hidden for this filter: fewer than 5 answers here, or kept back so that a smaller group cannot be worked out')
    // The kiosk has no customers at all: the headline says so rather than giving a reason for hiding.
    expect(text(section(tiny, 'summary-title'))).toContain('Customers: No customer answers for this filter yet')
    const tinyComments = section(tiny, 'comments-title')
    expect(tinyComments.match(/Comments are shown only where the group's figures are shown\./g)).toHaveLength(2)
    expect(tiny).not.toContain('only the three of us')
    expect(tiny).not.toContain('&lt;script&gt;')
    for (const row of bodyRows(section(tiny, 'items-title')).map(cells)) expect(row.slice(1, 4)).toEqual(['hidden', 'hidden', '—'])
  })

  it('keeps filters in the URL: ?unit= selects the unit in the form and changes the numbers', async () => {
    const north = await dashboard('?unit=North')
    expect(north).toContain('<option value="North" selected>North</option>')
    expect(north).toContain('<option value="South">South</option>')
    expect(north).toContain(`href="/waves/${waveId}">Clear filters</a>`)
    expect(north).toContain('<p class="active-filters"><strong>Filtered to</strong> unit North</p>')
    expect(page).not.toContain('active-filters')
    const api = await apiReport('?unit=North')
    const staff = shown(api.headline.staff)!
    expect(staff).toMatchObject({ n: 50, agree: 50 })
    const card = text(section(north, 'summary-title'))
    expect(card).toContain('100% of staff say')
    expect(card).toContain(`${format.percent(shown(api.headline.customer)!.share)} of customers say`)
    expect(card).toContain(`95%: ${format.percentRange(staff.ci95)} · n = 50`)
    expect(card).toContain('n = 60')
    expect(north).toContain(`href="/waves/${waveId}/report.csv?unit=North"`)
  })

  it('shows the whole wave with a notice for a filter it does not know, not an error page', async () => {
    for (const query of ['?colour=blue', '?unit=Atlantis', '?staff.tier=gold', '?unit=North&unit=South']) {
      const body = await dashboard(query)
      expect(body, query).toMatch(/<p class="notice" role="status">[^<]+Showing the whole wave instead\.<\/p>/)
      expect(text(section(body, 'summary-title')), query).toContain('80% of staff say')
      expect(body, query).not.toContain(' selected>')
    }
  })

  // The filter form sends every select, including those left at "All" (an empty value):
  // ?unit=North&staff.role=&customer.tier= . The page should read an empty filter as "all", as a
  // person means it; instead parseReportFilters (server/domain/report.ts) refuses the empty value,
  // and dashboardFor in server/routes/pages/waves.ts shows the whole wave with a notice.
  it('reads a filter left at "All" in the form as no filter', async () => {
    const body = await dashboard('?unit=North&staff.role=&customer.tier=')
    expect(body).not.toContain('class="notice"')
    expect(body).toContain('<option value="North" selected>North</option>')
    expect(text(section(body, 'summary-title'))).toContain('100% of staff say')
  })

  it('shows the gap\'s change since the earlier wave with its interval, flagged only where BH over the items finds it', () => {
    const items = section(page, 'items-title')
    expect(items).toContain('<th scope="col">Since Q3 &lt;i&gt;&quot;before&quot;&lt;/i&gt; &amp; co</th>')
    const rows = bodyRows(items).map(cells)
    // The headline's customers fell from 30 to 8 of 100, staff stayed at 80: the gap widened by 22 points.
    const headline = gapChange({ staff: { agree: 80, n: 100 }, customer: { agree: 8, n: 100 } }, { staff: { agree: 80, n: 100 }, customer: { agree: 30, n: 100 } })!
    // Every other item did not move (p = 1), so BH over the twelve puts the headline's q at 12·p: p < 0.05
    // alone, but not once the twelve items are compared (the per-side column used to flag it).
    const q = benjaminiHochberg([headline.pValue, ...Array.from({ length: 11 }, () => 1)])[0]!
    expect(headline.pValue).toBeLessThan(0.05)
    expect(q).toBeCloseTo(12 * headline.pValue, 12)
    expect(q).toBeGreaterThan(0.05)
    expect(format.points(headline.points)).toBe('+22 pts')
    expect(rows[0]!.at(-1)).toBe(`${format.points(headline.points)} ${format.pointsRange(headline.ci95)}`)
    const change = bodyRows(section(page, 'trend-title').slice(section(page, 'trend-title').indexOf('change-table'))).map(cells)[0]!
    expect(change).toEqual(['Excellent service', '+50 pts', '+72 pts', `+22 pts ${format.pointsRange(headline.ci95)}`, format.pValue(q), 'widened, could be chance'])
    // Items that did not move are not flagged.
    for (const row of rows.slice(1)) expect(row.at(-1)).toMatch(/^±0 pts −\d+ to \+\d+$/)
  })

  it('compares the same unit in the earlier wave when a unit filter is applied', async () => {
    const north = await dashboard('?unit=North')
    const row = bodyRows(section(north, 'items-title')).map(cells)[0]!
    // North: staff 50 of 50 in both waves (their first 50 answered), customers 30 of 60 before, 8 of 60 now.
    const api = await apiReport('?unit=North')
    const previous = await api0('?unit=North')
    const counts = (r: ApiReport) => ({ staff: shown(r.headline.staff)!, customer: shown(r.headline.customer)! })
    const expected = gapChange(counts(api), counts(previous))!
    expect(row.at(-1)!.startsWith(`${format.points(expected.points)} ${format.pointsRange(expected.ci95)}`)).toBe(true)
  })

  it('gives the change under attribute filters too, from the same group in the earlier wave', async () => {
    const agents = await dashboard('?staff.role=role-agent')
    const row = bodyRows(section(agents, 'items-title')).map(cells)[0]!
    const counts = (r: ApiReport) => ({ staff: shown(r.headline.staff)!, customer: shown(r.headline.customer)! })
    const expected = gapChange(counts(await apiReport('?staff.role=role-agent')), counts(await api0('?staff.role=role-agent')))!
    expect(shown((await api0('?staff.role=role-agent')).headline.staff)!.n).toBe(50)
    expect(row.at(-1)!.startsWith(`${format.points(expected.points)} ${format.pointsRange(expected.ci95)}`)).toBe(true)
  })

  it('plans the responses per side needed to detect a 10-point gap at the customer share shown', async () => {
    const planner = text(page.match(/<p class="planner">([\s\S]*?)<\/p>/)![1]!)
    const needed = sampleSizePerSide(0.08, 10)!
    expect(needed).toBeGreaterThan(100)
    expect(planner).toContain(`To tell a 10-point gap from chance (80% power, 5% significance) when about 8% of customers agree, you need about ${format.count(needed)} respondents on each side`)
    expect(planner).toContain('You have 100 staff and 100 customers.')
    const north = text((await dashboard('?unit=North')).match(/<p class="planner">([\s\S]*?)<\/p>/)![1]!)
    const share = shown((await apiReport('?unit=North')).headline.customer)!.share
    expect(north).toContain(`when about ${format.percent(share)} of customers agree, you need about ${format.count(sampleSizePerSide(share, 10)!)} respondents`)
  })

  it('exports the report table as CSV with the same numbers as the API, hidden cells written as suppressed', async () => {
    const response = await owner.get(`/waves/${waveId}/report.csv`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(response.headers['content-disposition']).toBe('attachment; filename="service-gap-2026-Q4-report.csv"')
    const [header, ...rows] = parseCsv(response.body)
    expect(header).toEqual(['kind', 'key', 'staff_n', 'staff_share', 'staff_ci95', 'staff_mean', 'customer_n', 'customer_share', 'customer_ci95', 'customer_mean', 'gap_points', 'gap_ci95', 'p_value', 'q_value', 'significant', 'classification'])
    expect(rows.filter((r) => r[0] === 'item').map((r) => r[1])).toEqual(KEYS)
    expect(rows.filter((r) => r[0] === 'dimension').map((r) => r[1])).toEqual(DIMENSIONS)
    expect(rows).toHaveLength(19)
    const col = (name: string) => header!.indexOf(name)
    for (const [i, api] of [...report.items, ...report.dimensions].entries()) {
      const row = rows[i]!
      const staff = shown(api.staff)!
      const customer = shown(api.customer)!
      expect(Number(row[col('staff_n')])).toBe(staff.n)
      expect(Number(row[col('staff_share')])).toBeCloseTo(staff.share, 4)
      expect(Number(row[col('customer_n')])).toBe(customer.n)
      expect(Number(row[col('customer_share')])).toBeCloseTo(customer.share, 4)
      const [lo, hi] = row[col('customer_ci95')]!.replace(/^\[|\]$/g, '').split(', ').map(Number)
      expect(lo).toBeCloseTo(customer.ci95[0], 4)
      expect(hi).toBeCloseTo(customer.ci95[1], 4)
      expect(Number(row[col('q_value')])).toBeCloseTo(api.gap!.qValue, 10)
      expect(row[col('significant')]).toBe(String(api.gap!.significant))
      expect(row[col('classification')]).toBe(api.classification)
    }
    const headline = rows[0]!
    expect(headline.slice(0, 4)).toEqual(['item', 'excellent_service', '100', '0.8000'])
    expect(headline[col('gap_points')]).toBe('72.00')

    const tiny = parseCsv((await owner.get(`/waves/${waveId}/report.csv?unit=${encodeURIComponent(TINY)}`)).body).slice(1)
    expect(tiny).toHaveLength(19)
    for (const row of tiny) {
      expect(row.filter((c) => c === 'suppressed'), row[1]).toHaveLength(2)
      expect(row[col('staff_n')]).toBe('')
      expect(row[col('staff_share')]).toBe('')
      expect(row[col('gap_points')]).toBe('')
      expect(row[col('classification')]).toBe('insufficient_data')
    }
  })

  // gap_points and gap_ci95 are written as strings (toFixed) in server/routes/pages/waves.ts (the
  // report.csv route), so csvCell protects every negative one against formula injection: a hidden
  // strength's gap comes out as "'-40.00", which a spreadsheet reads as text, not as −40.
  it('writes negative gaps in the report CSV as numbers a spreadsheet can add up', async () => {
    const rows = parseCsv((await owner.get(`/waves/${waveId}/report.csv`)).body)
    const header = rows[0]!
    const supported = rows.find((r) => r[1] === 'supported')!
    const api = report.items.find((i) => i.key === 'supported')!
    expect(api.gap!.points).toBeCloseTo(-40, 6)
    expect(supported[header.indexOf('gap_points')]).toBe('-40.00')
    expect(supported[header.indexOf('gap_ci95')]!.startsWith("'")).toBe(false)
  })

  it('exports responses formula-safe and with nothing that identifies staff', async () => {
    const response = await owner.get(`/waves/${waveId}/responses.csv`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(response.body).toContain(`"'=HYPERLINK(""x"")"`)
    expect(response.body).not.toMatch(/(^|,)=HYPERLINK/m)
    expect(response.body).not.toContain('role-lead')
    expect(response.body).not.toContain('role-agent')
    const [header, ...rows] = parseCsv(response.body)
    expect(header).toEqual(['response', 'side', 'unit', 'submitted', 'language', 'channel', ...KEYS, 'comment', 'customer.tier', 'anonymity'])
    const tier = header!.indexOf('customer.tier')
    expect(rows).toHaveLength(200)
    const staff = rows.filter((r) => r[1] === 'staff')
    expect(staff).toHaveLength(100)
    for (const row of staff) {
      expect(row[0]).toBe('')
      expect(row[3]).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      expect(row[tier]).toBe('')
      expect(row.at(-1)).toMatch(/^k-anonymous, k=5;/)
      expect(row[2]).not.toBe(TINY)
    }
    expect(staff.filter((r) => r[2] === 'North')).toHaveLength(50)
    const customers = rows.filter((r) => r[1] === 'customer')
    expect(customers.every((r) => /^[0-9a-f-]{36}$/.test(r[0]!))).toBe(true)
    expect(customers.filter((r) => r[tier] === 'gold')).toHaveLength(3)
    expect(customers.map((r) => r[header!.indexOf('comment')])).toContain(XSS_ATTRIBUTE)
    expect(customers.every((r) => r.at(-1) === '')).toBe(true)
  })

  // The kiosk's unit name is withheld from its three staff rows, but they are the only staff rows
  // without a unit (nobody answered without one), so anyone with the unit list knows these three
  // rows, with their answers and comment ("only the three of us in the kiosk"), are the kiosk's —
  // the subtraction that complementary suppression (design §5) is meant to stop. responsesCsv in
  // server/services/export.ts should withhold units until the rows without one are at least the
  // minimum group (or none).
  it('never leaves fewer staff rows without a unit than the minimum group size', async () => {
    const rows = parseCsv((await owner.get(`/waves/${waveId}/responses.csv`)).body).slice(1)
    const withheld = rows.filter((r) => r[1] === 'staff' && r[2] === '')
    expect(withheld.length === 0 || withheld.length >= 5, `${withheld.length} staff rows without a unit`).toBe(true)
  })

  it('lets a viewer read the dashboard but not export; an analyst may export', async () => {
    const asViewer = await signedIn(ctx, viewer)
    expect((await asViewer.get(`/waves/${waveId}`)).statusCode).toBe(200)
    const viewerPage = (await asViewer.get(`/waves/${waveId}`)).body
    expect(viewerPage).not.toContain('report.csv')
    expect(viewerPage).not.toContain('responses.csv')
    expect((await asViewer.get(`/waves/${waveId}/report.csv`)).statusCode).toBe(403)
    expect((await asViewer.get(`/waves/${waveId}/responses.csv`)).statusCode).toBe(403)
    const asAnalyst = await signedIn(ctx, analyst)
    expect((await asAnalyst.get(`/waves/${waveId}`)).statusCode).toBe(200)
    expect((await asAnalyst.get(`/waves/${waveId}/report.csv`)).statusCode).toBe(200)
    const responses = await asAnalyst.get(`/waves/${waveId}/responses.csv`)
    expect(responses.statusCode).toBe(200)
    expect(parseCsv(responses.body)).toHaveLength(201)
    const anonymous = new Browser(ctx.app)
    const refused = await anonymous.get(`/waves/${waveId}/report.csv`)
    expect([302, 303, 401]).toContain(refused.statusCode)
  })

  it('shows "No answers yet" and no chart for a wave without responses', async () => {
    const empty = (await api('POST', '/waves', { name: '2027-Q1', templateKey: 'service-gap-index' })).id
    const response = await owner.get(`/waves/${empty}`)
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('No answers yet.')
    expect(response.body).not.toContain('<canvas')
    expect(response.body).not.toContain('dashboard.js')
    expect(response.body).not.toContain('class="filters')
  })
})
