// The trend of the gap across waves (report API `trend`, the dashboard's "Over time" block and the
// items table's "Since" column), on both databases. Three waves of the same template with known
// numbers are loaded through the import API: two units, a customer attribute 'tier' that the first
// wave does not know ('gold' appears from the second wave on, only three of them in South there), and
// a South staff group of three in the first wave (hidden there). The trend's points must equal each wave's own report under the same
// filters; the change since the previous wave must equal a MOVER computation written here from the
// four counts, with Benjamini–Hochberg q-values computed here too.
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { findUserByEmail } from '../../server/repositories/organizations.js'
import { setManagedUnits } from '../../server/repositories/unit-managers.js'
import * as format from '../../server/format.js'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, signedIn, type Browser, type TestContext } from '../helpers/app.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const WAVES = ['2026-Q2', '2026-Q3', '2026-Q4 <b>&"now"']
const Z = 1.959963984540054

type Side = 'staff' | 'customer'
type Row = { side: Side; unit: string; attributes: Record<string, string>; answers: Record<string, number> }
/** Per wave: respondents per side and unit, and how many of a unit's customers are 'gold'. */
const SIZES: Array<{ staff: Record<string, number>; customer: Record<string, number>; gold: Record<string, number> }> = [
  { staff: { North: 40, South: 3 }, customer: { North: 60, South: 60 }, gold: { North: 0, South: 0 } },
  { staff: { North: 40, South: 40 }, customer: { North: 50, South: 50 }, gold: { North: 10, South: 3 } },
  { staff: { North: 40, South: 40 }, customer: { North: 50, South: 50 }, gold: { North: 10, South: 10 } },
]
/** The share agreeing on item j: staff steady, customers closing the gap on the even items in the last wave. */
const fraction = (side: Side, wave: number, j: number, unit: string) => (side === 'staff'
  ? 0.5 + 0.04 * j + (unit === 'South' ? 0.05 : 0)
  : 0.2 + 0.03 * j + (wave === 2 && j % 2 === 0 ? 0.25 : 0) + (unit === 'South' ? -0.05 : 0))

/** Respondent i of a unit agrees on item j when (37·i + 11·j) mod n < round(fraction·n): exactly that many agree. */
function rows(wave: number): Row[] {
  const out: Row[] = []
  for (const side of ['staff', 'customer'] as const) {
    for (const [unit, n] of Object.entries(SIZES[wave]![side])) {
      for (let i = 0; i < n; i++) {
        const answers: Record<string, number> = {}
        KEYS.forEach((key, j) => {
          const agrees = (37 * i + 11 * j) % n < Math.round(fraction(side, wave, j, unit) * n)
          answers[key] = agrees ? 4 + (i % 2) : 1 + (i % 3)
        })
        const attributes: Record<string, string> = side === 'customer' ? { tier: i < SIZES[wave]!.gold[unit]! ? 'gold' : 'standard' } : { role: 'agent' }
        out.push({ side, unit, attributes, answers })
      }
    }
  }
  return out
}

// An independent reference: Wilson's interval, MOVER for the change of a gap, the Wald test, BH.
function wilson(k: number, n: number): [number, number] {
  const p = k / n
  const denominator = 1 + Z * Z / n
  const centre = (p + Z * Z / (2 * n)) / denominator
  const half = (Z / denominator) * Math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
  return [centre - half, centre + half]
}
/** P(Z > z) for z ≥ 0, by Simpson's rule over the tail, fine enough for a relative error far below 1e-8. */
function upperTail(z: number): number {
  const steps = 20000
  const width = 12
  const h = width / steps
  const density = (t: number) => Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI)
  let sum = density(z) + density(z + width)
  for (let i = 1; i < steps; i++) sum += density(z + i * h) * (i % 2 ? 4 : 2)
  return (sum * h) / 3
}
type Count = { agree: number; n: number }
function mover(s1: Count, c1: Count, s0: Count, c0: Count) {
  const p = (c: Count) => c.agree / c.n
  const d = p(s1) - p(c1) - p(s0) + p(c0)
  const [ws1, wc1, ws0, wc0] = [wilson(s1.agree, s1.n), wilson(c1.agree, c1.n), wilson(s0.agree, s0.n), wilson(c0.agree, c0.n)]
  // Added shares (s1, c0) reach down to their lower limits, subtracted ones (c1, s0) up to their upper.
  const lower = d - Math.hypot(p(s1) - ws1[0], wc1[1] - p(c1), ws0[1] - p(s0), p(c0) - wc0[0])
  const upper = d + Math.hypot(ws1[1] - p(s1), p(c1) - wc1[0], p(s0) - ws0[0], wc0[1] - p(c0))
  const se = Math.sqrt([s1, c1, s0, c0].reduce((sum, c) => sum + p(c) * (1 - p(c)) / c.n, 0))
  return { points: d * 100, ci95: [lower * 100, upper * 100] as [number, number], pValue: Math.min(1, 2 * upperTail(Math.abs(d) / se)) }
}
function bh(ps: Array<number | null>): Array<number | null> {
  const present = ps.flatMap((p, i) => (p === null ? [] : [{ p, i }]))
  const m = present.length
  return ps.map((p) => (p === null ? null : Math.min(1, ...present.filter((e) => e.p >= p).map((e) => {
    const rank = present.filter((o) => o.p <= e.p).length
    return (e.p * m) / rank
  }))))
}

type ApiShare = { suppressed: true } | { n: number; agree: number; share: number; ci95: [number, number] }
type ApiItem = { key: string; staff: ApiShare; customer: ApiShare; gap: { points: number; ci95: [number, number] } | null }
type Point = { wave: { id: string; name: string }; staff: { share: number; agree: number; n: number; ci95: [number, number] } | null; customer: Point['staff']; gap: { points: number; ci95: [number, number] } | null }
type Change = { points: number; ci95: [number, number]; pValue: number; qValue: number; significant: boolean }
type ApiTrend = { waves: Array<{ id: string; name: string }>; headline: string; items: Array<{ key: string; points: Point[] }>; change: { since: { id: string; name: string }; items: Array<{ key: string; change: Change | null }> } | null }
type ApiReport = { items: ApiItem[]; trend: ApiTrend }

const asTrendShare = (s: ApiShare) => ('suppressed' in s ? null : { share: s.share, agree: s.agree, n: s.n, ci95: s.ci95 })
const decode = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')
const text = (html: string) => decode(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim()
const tables = (html: string) => [...html.matchAll(/<tbody>([\s\S]*?)<\/tbody>/g)].map((m) => [...m[1]!.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)]
  .map((r) => [...r[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => text(c[1]!))))
function trendSection(html: string) {
  const start = html.indexOf('data-block="trend"')
  expect(start).toBeGreaterThan(-1)
  return html.slice(html.lastIndexOf('<section', start), html.indexOf('</section>', start))
}

const QUERIES = ['', '?unit=North', '?unit=South', '?customer.tier=gold', '?unit=North&customer.tier=gold', '?unit=South&customer.tier=gold', '?unit=South&customer.tier=standard', '?customer.tier=standard']

describeEachDatabase('the trend of the gap across waves', (ctx: TestContext) => {
  let token: string
  let owner: Browser
  let managerToken: string
  const ids: string[] = []

  const get = (url: string, bearerToken = token) => ctx.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: bearer(bearerToken) })
  const report = async (wave: string, query: string, bearerToken = token): Promise<ApiReport> => {
    const response = await get(`/waves/${wave}/report${query}`, bearerToken)
    expect(response.statusCode, `${wave}${query}: ${response.body}`).toBe(200)
    return response.json()
  }
  const page = async (query: string) => {
    const response = await owner.get(`/waves/${ids[2]}${query}`)
    expect(response.statusCode, query).toBe(200)
    return response.body
  }

  it('loads three waves of the same template through the import API', async () => {
    const tenant = await createTenant(ctx, 'Acme')
    token = await apiToken(ctx, tenant.owner.email)
    const units: Record<string, string> = {}
    for (const name of ['North', 'South']) units[name] = (await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(token), payload: { name } })).json().id
    for (const [w, name] of WAVES.entries()) {
      const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name, templateKey: 'service-gap-index' } })
      expect(created.statusCode, created.body).toBe(201)
      ids.push(created.json().id)
      const stored = await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${ids[w]}/responses`, headers: bearer(token), payload: rows(w) })
      expect(stored.statusCode, stored.body).toBe(201)
    }
    owner = await signedIn(ctx, tenant.owner.email)
    const manager = await addPerson(ctx, tenant, 'unit_manager')
    await setManagedUnits(ctx.database.db, tenant.organizationId, (await findUserByEmail(ctx.database.db, manager))!.id, [units.North!])
    managerToken = await apiToken(ctx, manager)
  }, 240_000)

  it('holds the known counts: the headline of the last wave and the waves in order', async () => {
    const { trend } = await report(ids[2]!, '')
    expect(trend.waves.map((w) => w.name)).toEqual(WAVES)
    expect(trend.waves.map((w) => w.id)).toEqual(ids)
    expect(trend.headline).toBe('excellent_service')
    const headline = trend.items.find((i) => i.key === 'excellent_service')!.points
    // Staff 0.5·40 = 20 (North) + 0.55·40 = 22 (South); customers 0.45·50 = 22.5 → 23 (North) + 0.40·50 = 20 (South).
    expect(headline[2]!.staff).toMatchObject({ agree: 42, n: 80 })
    expect(headline[2]!.customer).toMatchObject({ agree: 23 + 20, n: 100 })
    expect(headline[1]!.customer).toMatchObject({ agree: 10 + 8, n: 100 })
    expect(headline[0]!.customer).toMatchObject({ agree: 12 + 9, n: 120 })
  }, 240_000)

  it('gives in each wave the figures of that wave\'s own report under the same filters, hidden where it hides them', async () => {
    let hiddenPoints = 0
    let shownPoints = 0
    for (const query of QUERIES) {
      const { trend } = await report(ids[2]!, query)
      expect(trend.items.map((i) => i.key), query).toEqual(KEYS)
      for (const [w, id] of ids.entries()) {
        const response = await get(`/waves/${id}/report${query}`)
        let reference: ApiItem[]
        let customerRefused = false
        if (response.statusCode === 400) {
          // That wave does not offer the attribute value: its report refuses the filter, the trend hides that side there.
          expect(response.json().message, query).toContain('cannot be chosen')
          customerRefused = true
          reference = (await report(id, query.replace(/[?&]customer\.tier=[a-z]+/, '').replace(/^&/, '?'))).items
        } else {
          expect(response.statusCode, `${w} ${query}`).toBe(200)
          reference = response.json().items
        }
        for (const item of trend.items) {
          const point = item.points[w]!
          const ref = reference.find((r) => r.key === item.key)!
          expect(point.wave).toEqual({ id, name: WAVES[w] })
          expect(point.staff, `${query} ${w} ${item.key}`).toEqual(asTrendShare(ref.staff))
          expect(point.customer, `${query} ${w} ${item.key}`).toEqual(customerRefused ? null : asTrendShare(ref.customer))
          expect(point.gap, `${query} ${w} ${item.key}`).toEqual(customerRefused || !ref.gap ? null : { points: ref.gap.points, ci95: ref.gap.ci95 })
          if (point.gap) shownPoints++
          else hiddenPoints++
        }
      }
    }
    // Each case is met: 'gold' unknown in the first wave, South's three staff there, South's three gold customers in the second.
    expect(hiddenPoints).toBeGreaterThanOrEqual(3 * KEYS.length)
    expect(shownPoints).toBeGreaterThan(hiddenPoints)
    const gold = (await report(ids[2]!, '?customer.tier=gold')).trend.items[0]!.points
    expect(gold[0]!.customer).toBeNull()
    expect(gold[2]!.customer).toMatchObject({ n: 20 })
    expect((await report(ids[2]!, '?unit=South')).trend.items[0]!.points[0]!.staff).toBeNull()
    expect((await report(ids[2]!, '?unit=South&customer.tier=gold')).trend.items[0]!.points[1]!.customer).toBeNull()
  }, 240_000)

  it('measures each item\'s gap change since the previous wave by MOVER from the four counts, with BH q-values', async () => {
    let significant = 0
    for (const query of QUERIES) {
      const { trend } = await report(ids[2]!, query)
      expect(trend.change!.since, query).toEqual({ id: ids[1], name: WAVES[1] })
      const expected = trend.items.map((item) => {
        const [before, now] = [item.points[1]!, item.points[2]!]
        return before.staff && before.customer && now.staff && now.customer ? mover(now.staff, now.customer, before.staff, before.customer) : null
      })
      const q = bh(expected.map((e) => e?.pValue ?? null))
      trend.change!.items.forEach(({ key, change }, i) => {
        expect(key).toBe(KEYS[i])
        const e = expected[i]
        if (!e) return expect(change, `${query} ${key}`).toBeNull()
        expect(change!.points).toBeCloseTo(e.points, 9)
        expect(change!.ci95[0]).toBeCloseTo(e.ci95[0], 9)
        expect(change!.ci95[1]).toBeCloseTo(e.ci95[1], 9)
        expect(Math.abs(change!.pValue - e.pValue)).toBeLessThanOrEqual(1e-9 + 1e-6 * e.pValue)
        expect(Math.abs(change!.qValue - q[i]!)).toBeLessThanOrEqual(1e-9 + 1e-6 * q[i]!)
        expect(change!.significant).toBe(q[i]! < 0.05)
        if (change!.significant) significant++
      })
    }
    // The even items' customers moved by 25 points in the last wave: some changes are significant, the odd items' are not.
    expect(significant).toBeGreaterThan(0)
    expect((await report(ids[2]!, '?unit=South&customer.tier=gold')).trend.change!.items.every((c) => c.change === null)).toBe(true)
    const whole = (await report(ids[2]!, '')).trend.change!.items
    expect(whole.filter((c) => c.change!.significant).map((c) => c.key)).toEqual(KEYS.filter((_, j) => j % 2 === 0))
    expect(whole[0]!.change!.points).toBeLessThan(0)
  }, 240_000)

  it('gives a unit manager the trend of their unit, the same as an owner\'s for that unit', async () => {
    const mine = await report(ids[2]!, '?unit=North', managerToken)
    expect(mine.trend).toEqual((await report(ids[2]!, '?unit=North')).trend)
    expect((await report(ids[2]!, '?unit=North&customer.tier=gold', managerToken)).trend).toEqual((await report(ids[2]!, '?unit=North&customer.tier=gold')).trend)
    expect((await get(`/waves/${ids[2]}/report`, managerToken)).statusCode).toBe(403)
  }, 240_000)

  it('prints in the "Over time" block the numbers of the API, for the group the page is filtered to', async () => {
    const query = '?unit=North&customer.tier=gold'
    const { trend } = await report(ids[2]!, query)
    const html = trendSection(await page(query))
    expect(html).toContain('data-answers="filter"')
    expect(text(html)).toContain('It follows unit North · customers with tier gold , each wave under its own anonymity rules')
    expect(text(html)).toContain('The gap on Excellent service (the headline) in each wave')
    // The chart: the headline's gap per wave, hidden as null, with the texts the table prints.
    const spec = JSON.parse(decode(html.match(/data-chart="([^"]*)"/)![1]!))
    const headline = trend.items[0]!.points
    expect(spec).toEqual({
      kind: 'gap', item: 'Excellent service', labels: WAVES,
      gap: headline.map((p) => (p.gap ? [p.gap.points, ...p.gap.ci95] : null)),
      text: headline.map((p) => (p.gap ? format.points(p.gap.points) : null)),
      range: headline.map((p) => (p.gap ? format.pointsRange(p.gap.ci95) : null)),
      breaks: [],
    })
    expect(spec.gap[0]).toBeNull()
    expect(spec.gap[2]).not.toBeNull()
    const [perWave, changes] = tables(html)
    expect(perWave).toHaveLength(KEYS.length)
    perWave!.forEach((row, i) => {
      expect(row[0]).toBe(format.itemLabel(KEYS[i]!))
      trend.items[i]!.points.forEach((p, w) => {
        const shares = `staff ${p.staff ? format.percent(p.staff.share) : '—'} · customers ${p.customer ? format.percent(p.customer.share) : '—'}`
        expect(row[w + 1]).toBe(p.gap ? `${format.points(p.gap.points)} ${format.pointsRange(p.gap.ci95)} ${shares}` : `— ${p.staff || p.customer ? shares : ''}`.trim())
      })
    })
    expect(changes).toHaveLength(KEYS.length)
    changes!.forEach((row, i) => {
      const change = trend.change!.items[i]!.change
      const [before, now] = [trend.items[i]!.points[1]!, trend.items[i]!.points[2]!]
      expect(row.slice(0, 3)).toEqual([format.itemLabel(KEYS[i]!), before.gap ? format.points(before.gap.points) : '—', now.gap ? format.points(now.gap.points) : '—'])
      if (!change) return expect(row.slice(3)).toEqual(['—', '—', 'hidden in one of the two waves'])
      expect(row[3]).toBe(`${format.points(change.points)} ${format.pointsRange(change.ci95)}`)
      expect(row[4]).toBe(format.pValue(change.qValue))
      const words = change.qValue < 0.001 ? 'very unlikely to be chance' : change.qValue < 0.05 ? 'unlikely to be chance' : 'could be chance'
      expect(row[5]).toMatch(new RegExp(`^(narrowed|widened|reversed|no change)(, ${words})?$`))
    })
    // South's three gold customers in the second wave hide North's gold there too (else South's could be worked out).
    expect(trend.change!.items.every((c) => c.change === null)).toBe(true)
  }, 240_000)

  it('says in plain words whether the whole wave\'s gap narrowed, and shows the change in the items table', async () => {
    const { trend } = await report(ids[2]!, '')
    const body = await page('')
    const [, changes] = tables(trendSection(body))
    // Excellent service: customers up 25 points, staff steady: narrowed, unlikely to be chance.
    const c = trend.change!.items[0]!.change!
    expect(changes![0]![5]).toBe(`narrowed, ${c.qValue < 0.001 ? 'very unlikely' : 'unlikely'} to be chance`)
    expect(changes![1]![5]).toMatch(/could be chance|no change/)
    // The exact q on hover.
    const q = c.qValue < 0.001 ? c.qValue.toExponential(2) : c.qValue.toFixed(3)
    expect(trendSection(body)).toContain(`<td title="q = ${q} (Benjamini–Hochberg over the items compared)">${format.pValue(c.qValue)}</td>`)
    const items = body.slice(body.indexOf('data-block="items"'), body.indexOf('</section>', body.indexOf('data-block="items"')))
    expect(items).toContain(`<th scope="col">Since ${WAVES[1]}</th>`)
    const rows = tables(items)[0]!
    // The items table is in its own order (widest gap first): each row is found by its item.
    trend.change!.items.forEach(({ key, change }) => {
      const row = rows.find((cells) => cells[0]!.startsWith(format.itemLabel(key)))
      expect(row, key).toBeDefined()
      expect(row!.at(-1)).toBe(change ? `${format.points(change.points)} ${format.pointsRange(change.ci95)}${change.significant ? ` ${change.points < 0 ? '▼' : '▲'} significant` : ''}` : '—')
    })
  }, 240_000)

  it('switches the chart to the item asked for, keeping the filters, and ignores a key it does not know', async () => {
    const html = trendSection(await page('?unit=North&customer.tier=gold'))
    const link = decode(html.match(/<a href="([^"]*trend=valued[^"]*)"/)![1]!)
    expect(link).toBe('?unit=North&customer.tier=gold&trend=valued#trend-title')
    const switched = await page(link.replace('#trend-title', ''))
    expect(switched).not.toContain('class="notice"')
    const block = trendSection(switched)
    const spec = JSON.parse(decode(block.match(/data-chart="([^"]*)"/)![1]!))
    const { trend } = await report(ids[2]!, '?unit=North&customer.tier=gold')
    expect(spec.item).toBe('Valued')
    expect(spec.gap).toEqual(trend.items.find((i) => i.key === 'valued')!.points.map((p) => (p.gap ? [p.gap.points, ...p.gap.ci95] : null)))
    expect(block).toContain('<a href="?unit=North&amp;customer.tier=gold&amp;trend=valued#trend-title" aria-current="true">Valued</a>')
    expect(text(block)).toContain('The gap on Valued in each wave')
    expect(text(switched)).toContain('Filtered to unit North')
    for (const bad of ['?trend=nope', '?trend=%3Cscript%3E', '?trend=&trend=x', '?trend=valued&trend=fit', `?trend=${'x'.repeat(5000)}`]) {
      const body = await page(bad)
      expect(body, bad).not.toContain('class="notice"')
      expect(JSON.parse(decode(trendSection(body).match(/data-chart="([^"]*)"/)![1]!)).item, bad).toBe('Excellent service')
    }
  }, 240_000)

  it('draws no trend for the first wave of a template', async () => {
    const { trend } = await report(ids[0]!, '')
    expect(trend.waves.map((w) => w.id)).toEqual([ids[0]])
    expect(trend.change).toBeNull()
    const body = (await owner.get(`/waves/${ids[0]}`)).body
    expect(body).not.toContain('data-block="trend"')
    expect(body).not.toContain('Since ')
  }, 240_000)
})
