// The waves list as an overview (/waves, and the `overview` of every wave object of the API), on both
// databases. Five waves of one template go in through the import API, oldest first: "Small" (ten staff,
// three customers: the customer side is hidden), three waves with known headline counts (the last
// named with markup), and a draft without answers. Each wave's figures must be its report's headline;
// the change is checked against a MOVER interval computed here from the four counts; a staff answer
// sent through the survey form waits for its release step and leaves the list alone until then; a unit
// manager sees their unit's figures and nothing of the whole wave; another organization's waves never
// show.
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import * as format from '../../server/format.js'
import { findUserByEmail } from '../../server/repositories/organizations.js'
import { setManagedUnits } from '../../server/repositories/unit-managers.js'
import { addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type TestContext } from '../helpers/app.js'
import { answers, escapeHtml, hidden, post, tokenOf } from '../helpers/survey.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const HEADLINE = 'excellent_service'
const XSS = 'Q4 <script>alert(1)</script> & "co"'
/** Headline agreement per wave: [staff agreeing of 40, customers agreeing of 60]. */
const WAVES: Array<{ name: string; agree: [number, number] }> = [
  { name: '2026-Q2', agree: [32, 15] },
  { name: '2026-Q3', agree: [30, 20] },
  { name: XSS, agree: [28, 36] },
]
const Z = 1.959963984540054

type Row = { side: 'staff' | 'customer'; unit?: string; answers: Record<string, number> }

/** 40 staff (20 North, 20 South) and 60 customers (30 and 30); the first `agree` of each side agree on the headline. */
function rows([staffAgree, customerAgree]: [number, number], withUnits = true): Row[] {
  const out: Row[] = []
  for (const [side, n, agree] of [['staff', 40, staffAgree], ['customer', 60, customerAgree]] as const) {
    for (let i = 0; i < n; i++) {
      const values = Object.fromEntries(KEYS.map((key, j) => [key, key === HEADLINE ? (i < agree ? 4 + (i % 2) : (i % 3) + 1) : ((i + j) % 5) + 1]))
      out.push({ side, ...(withUnits ? { unit: i < n / 2 ? 'North' : 'South' } : {}), answers: values })
    }
  }
  return out
}

// An independent computation of the figures, from counts, by the formulas of design §4.
function wilson(k: number, n: number): [number, number] {
  const p = k / n
  const denominator = 1 + (Z * Z) / n
  const centre = (p + (Z * Z) / (2 * n)) / denominator
  const half = (Z * Math.sqrt((p * (1 - p)) / n + (Z * Z) / (4 * n * n))) / denominator
  return [centre - half, centre + half]
}
/** Standard normal upper tail, by the complementary error function (W. J. Cody's rational approximation is not needed: erfc by continued fraction). */
function upperTail(z: number): number {
  // Numerical Recipes' erfc (Chebyshev fit, relative error below 1.2e-7).
  const x = z / Math.SQRT2
  const t = 1 / (1 + 0.5 * x)
  const erfc = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807
    + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
  return erfc / 2
}
type Count = { agree: number; n: number }
/** (staff − customers now) − (staff − customers before): MOVER interval from the four Wilson intervals, Wald p. */
function moverChange(now: { staff: Count; customer: Count }, before: { staff: Count; customer: Count }) {
  const terms: Array<[1 | -1, Count]> = [[1, now.staff], [-1, now.customer], [-1, before.staff], [1, before.customer]]
  let d = 0
  let lower = 0
  let upper = 0
  let variance = 0
  for (const [sign, { agree, n }] of terms) {
    const p = agree / n
    const [l, u] = wilson(agree, n)
    d += sign * p
    lower += sign === 1 ? (p - l) ** 2 : (u - p) ** 2
    upper += sign === 1 ? (u - p) ** 2 : (p - l) ** 2
    variance += (p * (1 - p)) / n
  }
  const pValue = Math.min(1, 2 * upperTail(Math.abs(d) / Math.sqrt(variance)))
  return { points: d * 100, ci95: [(d - Math.sqrt(lower)) * 100, (d + Math.sqrt(upper)) * 100] as [number, number], pValue }
}

type ApiShare = { suppressed: true } | { n: number; agree: number; share: number; ci95: [number, number] }
type ApiHeadline = { key: string; staff: ApiShare; customer: ApiShare; gap: { points: number; ci95: [number, number]; significant: boolean; qValue: number } | null }
type Overview = {
  unit: { id: string; name: string } | null
  responses: { staff: number | null; customer: number | null }
  headline: { key: string; staff: number | null; customer: number | null; gap: { points: number; ci95: [number, number]; significant: boolean } | null }
  change: { since: { id: string; name: string }; points: number; ci95: [number, number]; pValue: number; significant: boolean } | null
}
type ApiWave = { id: string; name: string; overview: Overview | null; links: { staff: string } }

const decode = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')
const text = (html: string) => decode(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim()
const bodyRows = (html: string) => [...(html.split('<tbody>')[1] ?? '').split('</tbody>')[0]!.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!)
const shareOf = (s: ApiShare) => ('suppressed' in s ? null : s)
/** The list's row of a wave, as text. */
const rowOf = (html: string, name: string) => {
  const row = bodyRows(html).find((r) => r.includes(`>${escapeHtml(name)}</a>`))
  expect(row, name).toBeDefined()
  return text(row!)
}

describeEachDatabase('the waves list as an overview', (ctx: TestContext) => {
  let token: string
  let owner: Browser
  const ids: Record<string, string> = {}
  let staffLink: string
  let managerToken: string
  let managerEmail: string
  let northId: string
  let organizationId: string
  let managerId: string

  const api = async (method: 'GET' | 'POST', url: string, payload?: unknown, key = token) => {
    const response = await ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(key), ...(payload === undefined ? {} : { payload: payload as object }) })
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300)
    return response.json()
  }
  const listed = async (key = token): Promise<ApiWave[]> => api('GET', '/waves', undefined, key)
  const overviewOf = async (name: string, key = token) => (await listed(key)).find((w) => w.name === name)!.overview!
  const reportHeadline = async (name: string, query = '', key = token): Promise<ApiHeadline> => (await api('GET', `/waves/${ids[name]}/report${query}`, undefined, key)).headline

  /** The list's overview of a wave equals the report's headline of the same group. */
  async function expectReportHeadline(name: string, query = '', key = token) {
    const overview = await overviewOf(name, key)
    const headline = await reportHeadline(name, query, token)
    expect(overview.headline.key).toBe(headline.key)
    expect(overview.headline.staff).toBe(shareOf(headline.staff)?.share ?? null)
    expect(overview.headline.customer).toBe(shareOf(headline.customer)?.share ?? null)
    expect(overview.headline.gap).toEqual(headline.gap ? { points: headline.gap.points, ci95: headline.gap.ci95, significant: headline.gap.significant } : null)
    return { overview, headline }
  }

  it('loads a small wave, three waves with known numbers and a draft through the import API', async () => {
    const tenant = await createTenant(ctx, 'Acme')
    token = await apiToken(ctx, tenant.owner.email)
    for (const name of ['North', 'South']) await api('POST', '/units', { name })
    ids.Small = (await api('POST', '/waves', { name: 'Small', templateKey: 'service-gap-index' })).id
    const small = [...Array.from({ length: 10 }, () => ({ side: 'staff', answers: Object.fromEntries(KEYS.map((k) => [k, 4])) })),
      ...Array.from({ length: 3 }, () => ({ side: 'customer', answers: Object.fromEntries(KEYS.map((k) => [k, 2])) }))]
    await api('POST', `/waves/${ids.Small}/responses`, small)
    for (const wave of WAVES) {
      const created = await api('POST', '/waves', { name: wave.name, templateKey: 'service-gap-index' })
      ids[wave.name] = created.id
      staffLink = tokenOf(created.links.staff)
      expect((await api('POST', `/waves/${created.id}/responses`, rows(wave.agree))).ids).toHaveLength(100)
    }
    const draft = await api('POST', '/waves', { name: 'Next quarter', templateKey: 'service-gap-index', status: 'draft' })
    ids.Draft = draft.id
    // A new wave's object carries its overview too, and reading it back gives the same object.
    expect(draft.overview).toMatchObject({ unit: null, responses: { staff: 0, customer: 0 }, headline: { key: HEADLINE, staff: null, customer: null, gap: null }, change: null })
    expect(await api('GET', `/waves/${draft.id}`)).toEqual(draft)
    owner = await signedIn(ctx, tenant.owner.email)
    managerEmail = await addPerson(ctx, tenant, 'unit_manager')
    const units = await api('GET', '/units') as Array<{ id: string; name: string }>
    northId = units.find((u) => u.name === 'North')!.id
    organizationId = tenant.organizationId
    managerId = (await findUserByEmail(ctx.database.db, managerEmail))!.id
    await setManagedUnits(ctx.database.db, organizationId, managerId, [northId])
    managerToken = await apiToken(ctx, managerEmail)
  })

  it('gives every wave its released counts and the headline its report has, newest first', async () => {
    const list = await listed()
    expect(list.map((w) => w.name)).toEqual(['Next quarter', XSS, '2026-Q3', '2026-Q2', 'Small'])
    for (const [i, wave] of WAVES.entries()) {
      const { overview, headline } = await expectReportHeadline(wave.name)
      expect(overview.unit).toBeNull()
      expect(overview.responses).toEqual({ staff: 40, customer: 60 })
      expect(shareOf(headline.staff)).toMatchObject({ n: 40, agree: wave.agree[0] })
      expect(shareOf(headline.customer)).toMatchObject({ n: 60, agree: wave.agree[1] })
      // GET /waves/:id carries the same overview as the list.
      expect((await api('GET', `/waves/${ids[wave.name]}`)).overview, wave.name).toEqual(overview)
      if (i === 0) expect(overview.change, 'the earlier wave hides its customers').toBeNull()
    }
    expect(await overviewOf('Next quarter')).toEqual({ unit: null, responses: { staff: 0, customer: 0 }, headline: { key: HEADLINE, staff: null, customer: null, gap: null }, change: null })
  })

  it('gives the change of the gap since the previous wave as an independent MOVER computation from the four counts', async () => {
    for (const [i, wave] of WAVES.entries()) {
      if (i === 0) continue
      const before = WAVES[i - 1]!
      const overview = await overviewOf(wave.name)
      const expected = moverChange(
        { staff: { agree: wave.agree[0], n: 40 }, customer: { agree: wave.agree[1], n: 60 } },
        { staff: { agree: before.agree[0], n: 40 }, customer: { agree: before.agree[1], n: 60 } },
      )
      const change = overview.change!
      expect(change.since).toEqual({ id: ids[before.name], name: before.name })
      expect(change.points).toBeCloseTo(expected.points, 9)
      expect(change.ci95[0]).toBeCloseTo(expected.ci95[0], 9)
      expect(change.ci95[1]).toBeCloseTo(expected.ci95[1], 9)
      expect(change.pValue).toBeCloseTo(expected.pValue, 6)
      // The verdict is the report's: its trend's change of the headline, BH over the items compared.
      const reported = (await api('GET', `/waves/${ids[wave.name]}/report`)).trend.change.items.find((c: { key: string }) => c.key === 'excellent_service').change
      expect(change.significant).toBe(reported.significant)
      expect(change.pValue).toBeCloseTo(reported.pValue, 12)
      // Independently: the other eleven items do not move (p = 1), so BH makes the headline's q = 12 p.
      expect(change.significant).toBe(Math.min(1, KEYS.length * expected.pValue) < 0.05)
    }
    // −13 points from Q2 to Q3 could be chance; −32 from Q3 to Q4 has p < 0.05 on its own, but not
    // once adjusted over the twelve items the report compares, and the list says what the report says.
    expect((await overviewOf('2026-Q3')).change!.significant).toBe(false)
    const q4 = (await overviewOf(XSS)).change!
    expect(q4.pValue).toBeLessThan(0.05)
    expect(q4.significant).toBe(KEYS.length * q4.pValue < 0.05)
  })

  it('gives each wave on a page of one the overview it has in the whole list: the previous wave is looked up off the page', async () => {
    for (const key of [token, managerToken]) {
      const whole = await listed(key)
      const paged: ApiWave[] = []
      let url: string | null = '/api/v1/waves?limit=1'
      while (url !== null) {
        const response = await ctx.app.inject({ method: 'GET', url, headers: bearer(key) })
        expect(response.statusCode, response.body).toBe(200)
        paged.push(...(response.json() as ApiWave[]))
        const cursor = response.headers['next-cursor'] as string | undefined
        url = cursor === undefined ? null : `/api/v1/waves?limit=1&cursor=${cursor}`
      }
      expect(paged).toEqual(whole)
      expect(paged.filter((wave) => wave.overview?.change).length, 'changes read across pages').toBeGreaterThanOrEqual(key === token ? 2 : 0)
    }
  })

  it('prints the same figures on the page, in plain words, with the latest wave with answers on a card', async () => {
    const page = await owner.get('/waves')
    expect(page.statusCode).toBe(200)
    const html = page.body
    for (const wave of WAVES) {
      const { overview } = await expectReportHeadline(wave.name)
      const row = rowOf(html, wave.name)
      const gap = overview.headline.gap!
      expect(row).toContain('40 staff 60 customers')
      expect(row).toContain(`Staff ${format.percent(overview.headline.staff!)} Customers ${format.percent(overview.headline.customer!)}`)
      expect(row).toContain(`${format.points(gap.points)} 95% interval ${format.pointsRange(gap.ci95)} ${gap.significant ? 'a real difference' : 'could be chance'}`)
      if (overview.change) {
        expect(row).toContain(`${format.points(overview.change.points)} since ${overview.change.since.name} 95% interval ${format.pointsRange(overview.change.ci95)}`)
        expect(row).toContain(overview.change.significant ? 'the gap narrowed, a real change' : 'could be chance')
      } else {
        expect(row).toContain('not comparable with Small')
      }
    }
    expect(rowOf(html, 'Next quarter')).toContain('Draft: no answers yet')
    // The card: the newest wave with answers (the draft has none).
    const card = text(html.slice(html.indexOf('data-block="latest"'), html.indexOf('</section>', html.indexOf('data-block="latest"'))))
    const q4 = await overviewOf(XSS)
    expect(card).toContain(`Latest wave with answers ${XSS}`)
    expect(card).toContain(`${format.percent(q4.headline.staff!)} of staff say`)
    expect(card).toContain(`${format.percent(q4.headline.customer!)} of customers say`)
    expect(card).toContain(`Gap ${format.points(q4.headline.gap!.points)}`)
    expect(card).toContain(`Change ${format.points(q4.change!.points)} since 2026-Q3`)
  })

  it('shows a side below the minimum group size as hidden, in the list and in the API', async () => {
    const small = await overviewOf('Small')
    expect(small).toEqual({ unit: null, responses: { staff: 10, customer: null }, headline: { key: HEADLINE, staff: 1, customer: null, gap: null }, change: null })
    await expectReportHeadline('Small')
    const html = (await owner.get('/waves')).body
    const row = rowOf(html, 'Small')
    expect(row).toContain('10 staff Customers: hidden')
    expect(row).toContain('Customers hidden')
    expect(row).not.toMatch(/\b3 customers\b/)
    expect(text(html)).toContain('Hidden: fewer than 5 answers here, or kept back so that a smaller group cannot be worked out.')
  })

  it('escapes a wave name with markup everywhere it is printed', async () => {
    const html = (await owner.get('/waves')).body
    expect(html).not.toContain('<script>alert(1)</script>')
    expect(html).toContain(escapeHtml(XSS))
  })

  it('gives a unit manager their unit\'s figures, the report of that unit, and nothing of the whole wave', async () => {
    const list = await listed(managerToken)
    for (const wave of WAVES) {
      const overview = list.find((w) => w.name === wave.name)!.overview!
      expect(overview.unit).toEqual({ id: northId, name: 'North' })
      expect(overview.responses).toEqual({ staff: 20, customer: 30 })
      await expectReportHeadline(wave.name, '?unit=North', managerToken)
    }
    // North's change is North's own, each wave under its own release.
    const q3 = list.find((w) => w.name === '2026-Q3')!.overview!
    const expected = moverChange({ staff: { agree: 20, n: 20 }, customer: { agree: 20, n: 30 } }, { staff: { agree: 20, n: 20 }, customer: { agree: 15, n: 30 } })
    expect(q3.change!.points).toBeCloseTo(expected.points, 9)
    expect(q3.change!.ci95[0]).toBeCloseTo(expected.ci95[0], 9)
    expect(q3.change!.ci95[1]).toBeCloseTo(expected.ci95[1], 9)
    expect(list.find((w) => w.name === 'Small')!.overview).toMatchObject({ responses: { staff: 0, customer: 0 }, headline: { staff: null, customer: null, gap: null } })
    expect((await api('GET', `/waves/${ids[XSS]}`, undefined, managerToken)).overview).toEqual(list.find((w) => w.name === XSS)!.overview)

    const manager = await signedIn(ctx, managerEmail)
    const html = (await manager.get('/waves')).body
    const all = text(html)
    expect(all).toContain('Figures for North, one of your units')
    expect(all).not.toMatch(/\b40 staff\b|\b60 customers\b|\b10 staff\b/)
    for (const wave of WAVES) {
      const whole = await overviewOf(wave.name)
      const row = rowOf(html, wave.name)
      expect(row).toContain('20 staff 30 customers')
      expect(row).not.toContain(format.points(whole.headline.gap!.points))
      if (whole.change) expect(row).not.toContain(format.points(whole.change.points))
    }
    expect(rowOf(html, 'Small')).toContain('No answers from North yet')

    // A unit manager without units sees no figures at all.
    await setManagedUnits(ctx.database.db, organizationId, managerId, [])
    expect((await listed(managerToken)).every((w) => w.overview === null)).toBe(true)
    const none = text((await manager.get('/waves')).body)
    expect(none).toContain('No units are assigned to you yet')
    expect(none).not.toMatch(/\d+ staff/)
    await setManagedUnits(ctx.database.db, organizationId, managerId, [northId])
  })

  it('keeps the counts of a staff answer sent through the survey form out of the list until its release step', async () => {
    const before = await listed()
    const beforeRow = rowOf((await owner.get('/waves')).body, XSS)
    const send = async () => {
      const browser = new Browser(ctx.app)
      const form = await browser.get(`/s/${staffLink}`)
      expect(form.statusCode).toBe(200)
      expect((await post(browser, staffLink, { submission: hidden(form.body, 'submission')!, ...answers() })).statusCode).toBe(303)
    }
    for (let i = 1; i <= 4; i++) {
      await send()
      const report = await api('GET', `/waves/${ids[XSS]}/report`)
      expect(report.release.staffWaiting, 'the answer waits').toBe(i)
      expect(await listed(), `after ${i} waiting`).toEqual(before)
      expect(rowOf((await owner.get('/waves')).body, XSS)).toBe(beforeRow)
    }
    // The fifth makes a step: all five join at once.
    await send()
    expect((await api('GET', `/waves/${ids[XSS]}/report`)).release.staffWaiting).toBe(0)
    const after = await overviewOf(XSS)
    expect(after.responses).toEqual({ staff: 45, customer: 60 })
    await expectReportHeadline(XSS)
    expect(rowOf((await owner.get('/waves')).body, XSS)).toContain('45 staff 60 customers')
  })

  it('shows an organization only its own waves', async () => {
    const beta = await createTenant(ctx, 'Beta')
    const betaToken = await apiToken(ctx, beta.owner.email)
    const betaWave = await api('POST', '/waves', { name: 'Beta secret wave', templateKey: 'service-gap-index' }, betaToken)
    await api('POST', `/waves/${betaWave.id}/responses`, rows([10, 50], false), betaToken)
    expect((await listed()).map((w) => w.name)).not.toContain('Beta secret wave')
    expect((await owner.get('/waves')).body).not.toContain('Beta secret wave')
    const betaList = await listed(betaToken)
    expect(betaList.map((w) => w.name)).toEqual(['Beta secret wave'])
    expect(betaList[0]!.overview).toMatchObject({ responses: { staff: 40, customer: 60 }, change: null })
    const betaPage = (await signedIn(ctx, beta.owner.email).then((b) => b.get('/waves'))).body
    expect(betaPage).not.toContain('2026-Q3')
    expect(betaPage).not.toContain(escapeHtml(XSS))
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${ids[XSS]}`, headers: bearer(betaToken) })).statusCode).toBe(404)
  })
})
