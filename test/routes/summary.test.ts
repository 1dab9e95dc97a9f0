// The summary block of the wave page (the report's first screen) against the report API, on both
// databases. Two waves of known numbers go in through the import API: four units of 25 staff and 40
// customers, staff predicting the headline, and in the earlier wave fewer customers agreeing in
// three of the units. Every figure the summary prints is checked against a hand count (design §4)
// and against the API's own fields (headline, prediction, trend, fixFirst, units, release), so the
// dashboard shows nothing the API does not return.
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { gapChange } from '../../server/domain/statistics.js'
import * as f from '../../server/format.js'
import { findUserByEmail } from '../../server/repositories/organizations.js'
import { setManagedUnits } from '../../server/repositories/unit-managers.js'
import { addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type TestContext } from '../helpers/app.js'

/** The heat map's and fix first's plan marks and "Plan" links (action plans) are not figures. */
const withoutPlanLinks = (html: string) => html.replace(/<a class="plan-(?:add|mark)[^"]*"[^>]*>[\s\S]*?<\/a>/g, '')

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const HEADLINE = 'excellent_service'
const PREVIOUS = '2026-Q3'
const CURRENT = '2026-Q4'
const STAFF = 25
const CUSTOMERS = 40

/** Per unit: staff and customers agreeing on the headline now, and customers agreeing in the earlier wave (staff the same). */
const UNITS = {
  North: { staff: 24, customer: 4, before: 4 }, // 96% − 10% = +86, unchanged
  South: { staff: 20, customer: 8, before: 2 }, // 80% − 20% = +60, from +75
  East: { staff: 18, customer: 12, before: 12 }, // 72% − 30% = +42, unchanged
  'West & <Co>': { staff: 18, customer: 16, before: 0 }, // 72% − 40% = +32, from +72
} as const
type UnitName = keyof typeof UNITS
const NAMES = Object.keys(UNITS) as UnitName[]
/** Other items: agreeing out of 100 on each side, as in the dashboard test. */
const OTHERS: Record<string, [number, number]> = {
  want_to_help: [90, 40], valued: [75, 30], can_solve: [70, 45], easy: [60, 20], promises: [80, 35], individual: [75, 20],
  anticipates: [55, 15], trust: [82, 80], fit: [60, 58], asks: [30, 28], supported: [30, 70],
}
/** What staff member s of a unit predicts for the headline, out of 10. */
const guess = (u: number, s: number) => (s * 3 + u) % 11

type Row = { side: 'staff' | 'customer'; unit: string; answers: Record<string, number>; predictions?: Record<string, number> }

function rows(before: boolean): Row[] {
  const out: Row[] = []
  NAMES.forEach((name, u) => {
    const unit = UNITS[name]
    for (const side of ['staff', 'customer'] as const) {
      const n = side === 'staff' ? STAFF : CUSTOMERS
      const agreeing = side === 'staff' ? unit.staff : before ? unit.before : unit.customer
      for (let i = 0; i < n; i++) {
        const g = u * n + i // respondent's number across the side
        const answers: Record<string, number> = {}
        for (const [j, key] of KEYS.entries()) {
          const agrees = key === HEADLINE ? i < agreeing : (g + (side === 'staff' ? 7 : 11) * j) % 100 < OTHERS[key]![side === 'staff' ? 0 : 1]!
          answers[key] = agrees ? (g % 2 ? 5 : 4) : (g % 3) + 1
        }
        out.push({ side, unit: name, answers, ...(side === 'staff' && !before ? { predictions: { [HEADLINE]: guess(u, i) } } : {}) })
      }
    }
  })
  return out
}

type Share = { suppressed: true } | { n: number; agree: number; share: number; ci95: [number, number] }
type Gap = { points: number; ci95: [number, number]; pValue: number; qValue: number; significant: boolean }
type Change = Gap & { since?: { id: string; name: string } }
type UnitRow = { id: string; name: string; gap: Gap | null; change: Change | null }
type ApiReport = {
  headline: { key: string; staff: Share; customer: Share; gap: Gap | null }
  release: { at: string | null }
  prediction: { headline: { predicted: { n: number; share: number } | null; error: { points: number; ci95: [number, number] } | null } } | null
  fixFirst: { top: Array<{ key: string; gapPoints: number | null; weight: number }> } | null
  units: UnitRow[]
  trend: { change: { since: { name: string }; items: Array<{ key: string; change: Gap | null }> } | null } | null
}
const counted = (s: Share) => ('suppressed' in s ? null : s)

const decode = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')
const text = (html: string) => decode(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').replace(/ ([.,:])/g, '$1').trim()
function summaryOf(html: string) {
  const start = html.indexOf('data-block="summary"')
  expect(start).toBeGreaterThan(-1)
  return html.slice(start, html.indexOf('</section>', start))
}
/** The rule of the summary, applied to the API's unit rows: significant gaps with staff above, widest first. */
const widest = (units: UnitRow[]) => units.filter((u) => u.gap?.significant && u.gap.points > 0).sort((a, b) => b.gap!.points - a.gap!.points).slice(0, 3)

describeEachDatabase('the summary block', (ctx: TestContext) => {
  let token: string
  let owner: Browser
  let waveId: string
  let report: ApiReport
  let html: string

  const api = async (method: 'GET' | 'POST', url: string, payload?: unknown, auth = token) => {
    const response = await ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(auth), ...(payload === undefined ? {} : { payload: payload as object }) })
    if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`)
    return response.json()
  }
  const page = async (browser: Browser, query = '') => {
    const response = await browser.get(`/waves/${waveId}${query}`)
    expect(response.statusCode, query).toBe(200)
    return summaryOf(response.body)
  }

  it('loads an earlier and a current wave through the import API', async () => {
    const tenant = await createTenant(ctx, 'Acme')
    token = await apiToken(ctx, tenant.owner.email)
    const unitIds: Record<string, string> = {}
    for (const name of NAMES) unitIds[name] = (await api('POST', '/units', { name })).id
    const previous = (await api('POST', '/waves', { name: PREVIOUS, templateKey: 'service-gap-index' })).id
    expect((await api('POST', `/waves/${previous}/responses`, rows(true))).ids).toHaveLength(260)
    waveId = (await api('POST', '/waves', { name: CURRENT, templateKey: 'service-gap-index', predictions: 'headline' })).id
    expect((await api('POST', `/waves/${waveId}/responses`, rows(false))).ids).toHaveLength(260)
    report = await api('GET', `/waves/${waveId}/report`)
    owner = await signedIn(ctx, tenant.owner.email)
    html = withoutPlanLinks(await page(owner))
    const manager = await addPerson(ctx, tenant, 'unit_manager')
    await setManagedUnits(ctx.database.db, tenant.organizationId, (await findUserByEmail(ctx.database.db, manager))!.id, [unitIds.South!, unitIds.East!])
    ;(ctx as TestContext & { manager: string }).manager = manager
  })

  it('reads the headline three ways with the gap in points and words, as counted by hand and as the API gives it', () => {
    const words = text(html)
    // 80 of 100 staff, 40 of 160 customers; staff predict the mean of k/10 over their 100 guesses.
    const predicted = NAMES.reduce((sum, _, u) => sum + Array.from({ length: STAFF }, (_, s) => guess(u, s) / 10).reduce((a, b) => a + b, 0), 0) / 100
    expect(counted(report.headline.staff)).toMatchObject({ n: 100, agree: 80 })
    expect(counted(report.headline.customer)).toMatchObject({ n: 160, agree: 40 })
    expect(report.prediction!.headline.predicted!.share).toBeCloseTo(predicted, 12)
    expect(words).toContain('80% of staff say')
    expect(words).toContain(`${f.percent(predicted)} is what staff predict customers say`)
    expect(words).toContain('25% of customers say')
    expect(report.headline.gap!.points).toBeCloseTo(55, 9)
    expect(words).toContain('Gap +55 pts: staff think better of the service than customers do, very unlikely to be chance.')
    expect(decode(html)).toContain(`title="95% interval ${f.pointsRange(report.headline.gap!.ci95)} pts, q < 0.001`)
    const error = report.prediction!.headline.error!
    expect(error.points).toBeCloseTo((predicted - 0.25) * 100, 9)
    expect(words).toContain(`Staff expect ${f.percent(predicted)} of customers to agree; 25% do`)
    expect(words).toContain(`Staff figures as of ${f.date(new Date(report.release.at!))}`)
  })

  it('gives the change of the headline gap since the earlier wave, its interval and q from the API', () => {
    // Before: 80 of 100 staff, 18 of 160 customers: +68.75; now +55.
    const hand = gapChange({ staff: { agree: 80, n: 100 }, customer: { agree: 40, n: 160 } }, { staff: { agree: 80, n: 100 }, customer: { agree: 18, n: 160 } })!
    expect(hand.points).toBeCloseTo(-13.75, 9)
    const change = report.trend!.change!.items.find((item) => item.key === HEADLINE)!.change!
    expect(change.points).toBeCloseTo(hand.points, 9)
    expect(change.ci95[0]).toBeCloseTo(hand.ci95[0], 9)
    expect(change.ci95[1]).toBeCloseTo(hand.ci95[1], 9)
    expect(report.trend!.change!.since.name).toBe(PREVIOUS)
    expect(text(html)).toContain(`The gap narrowed by 14 pts since ${PREVIOUS}, ${f.chance(change.qValue)}.`)
    expect(decode(html)).toContain(`Change −14 pts, 95% interval ${f.pointsRange(change.ci95)} pts, q `)
  })

  it('lists the API\'s fix-first top three with their gap and weight', () => {
    const top = report.fixFirst!.top
    expect(top.length).toBeGreaterThan(0)
    const listed = [...html.matchAll(/<li><a href="#fix-first">([^<]+)<\/a> ([\s\S]*?)<\/li>/g)].map((m) => [m[1], text(m[2]!)])
    expect(listed).toEqual(top.map((item) => [f.itemLabel(item.key), `gap ${f.points(item.gapPoints!)} · weight ${f.percent(item.weight)}`]))
  })

  it('names the widest significant unit gaps and the most improved unit, each linked to its page', async () => {
    // Each unit's gap in the API's rows is the unit's own report's, and the hand count's.
    for (const name of NAMES) {
      const row = report.units.find((u) => u.name === name)!
      const own = await api('GET', `/waves/${waveId}/report?unit=${encodeURIComponent(name)}`) as ApiReport
      expect(row.gap!.points).toBeCloseTo(own.headline.gap!.points, 9)
      expect(row.gap!.points).toBeCloseTo((UNITS[name].staff / STAFF - UNITS[name].customer / CUSTOMERS) * 100, 9)
    }
    const expected = widest(report.units)
    expect(expected.map((u) => u.name).slice(0, 2)).toEqual(['North', 'South'])
    const links = [...html.matchAll(/<li><a href="([^"]+)">([^<]+)<\/a> <span class="facts"[^>]*>([^<]+)<\/span><\/li>/g)].filter((m) => m[1] !== '#fix-first')
    expect(links.map((m) => [decode(m[1]!), decode(m[2]!), decode(m[3]!)])).toEqual(expected.map((u) => [`/waves/${waveId}?${new URLSearchParams({ unit: u.name }).toString()}`, u.name, f.points(u.gap!.points)]))
    // West narrowed from +72 to +32 (−40), South from +75 to +60 (−15); North and East held.
    const west = report.units.find((u) => u.name === 'West & <Co>')!
    expect(west.change!.points).toBeCloseTo(-40, 9)
    expect(west.change!.significant).toBe(true)
    const improved = report.units.filter((u) => u.change?.significant && Math.abs(u.gap!.points) < Math.abs(u.gap!.points - u.change.points))
      .sort((a, b) => (Math.abs(b.gap!.points - b.change!.points) - Math.abs(b.gap!.points)) - (Math.abs(a.gap!.points - a.change!.points) - Math.abs(a.gap!.points)))[0]!
    expect(improved.name).toBe('West & <Co>')
    expect(text(html)).toContain(`Most improved West & <Co>: gap narrowed by 40 pts since ${PREVIOUS}, ${f.chance(west.change!.qValue)}.`)
    expect(html).toContain(`href="/waves/${waveId}?unit=West+%26+%3CCo%3E">West &amp; &lt;Co&gt;</a>`)
    expect(text(html)).toContain('Among all units.')
  })

  it('under a unit filter gives the unit\'s place among the units, and its own figures', async () => {
    const south = await page(owner, '?unit=South')
    const api1 = await api('GET', `/waves/${waveId}/report?unit=South`) as ApiReport
    const ranked = [...api1.units].filter((u) => u.gap).sort((a, b) => b.gap!.points - a.gap!.points).map((u) => u.name)
    expect(ranked.indexOf('South')).toBe(1)
    expect(text(south)).toContain(`South has the 2nd widest gap of the ${ranked.length} units compared.`)
    expect(text(south)).toContain('Compares South with all units.')
    expect(text(south)).toContain('80% of staff say')
    expect(text(south)).toContain('20% of customers say')
    expect(text(south)).toContain(`Its gap narrowed by 15 pts since ${PREVIOUS}`)
    expect(south).toContain('data-answers="filter"')
  })

  it('shows a unit manager the place among their own units only', async () => {
    const manager = await signedIn(ctx, (ctx as TestContext & { manager: string }).manager)
    const east = await page(manager, '?unit=East')
    // South +60, East +42: East is the narrower of the two units the manager has.
    expect(text(east)).toContain('East has the narrowest gap of the 2 units compared.')
    expect(text(east)).toContain('Compares East with your units.')
    expect(east).not.toContain('North')
    expect(east).not.toContain('West')
  })
})
