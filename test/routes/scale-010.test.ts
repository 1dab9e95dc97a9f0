// 0–10 items end to end (issue 17): an organization's own instrument with a 0–10 headline and a mix of
// 1–5 and 0–10 items runs through a wave. Answers arrive through the survey page (POST /s/:token) and
// the import API; the report API is then compared figure by figure with the independent reference
// (test/helpers/reference-report.ts) computed from the very values sent, and the CSV export's rows
// with those values.
import { parse } from 'csv-parse/sync'
import { beforeAll, expect, it } from 'vitest'
import { createInstrumentFrom } from '../../server/services/instruments.js'
import { apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type TestContext } from '../helpers/app.js'
import { xorshift } from '../helpers/reference-numerics.js'
import { drivers, fixFirst, predicted, type PostedRow } from '../helpers/reference-analytics.js'
import { itemShare, referenceReport, type ReferenceItem, type ReferenceRow } from '../helpers/reference-report.js'
import { hidden, post, tokenOf } from '../helpers/survey.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
type Interval = [number, number]

const en = (text: string) => ({ en: text })
const ITEMS: Array<ReferenceItem & { required: boolean }> = [
  { key: 'recommend', dimension: 'overall', headline: true, scale: 'likelihood11', required: true },
  { key: 'kind', dimension: 'care', headline: false, scale: 'agree5', required: false },
  { key: 'come_back', dimension: 'care', headline: false, scale: 'likelihood11', required: false },
  { key: 'easy', dimension: 'ease', headline: false, scale: 'agree5', required: false },
  { key: 'tell_friend', dimension: 'loyalty', headline: false, scale: 'likelihood11', required: false },
]

const definition = {
  key: 'likelihood-check',
  name: 'Likelihood check',
  locales: ['en'],
  staffQuestion: en('How do you see our service?'),
  customerQuestion: en('How do you see {org}?'),
  items: ITEMS.map((item) => ({
    key: item.key, dimension: item.dimension, scale: item.scale, headline: item.headline, required: item.required,
    staffText: en(`Staff: ${item.key.replace('_', ' ')}`), customerText: en(`Customer: ${item.key.replace('_', ' ')}`), staffPredictText: null,
  })),
}

/**
 * Answers of one respondent: staff lean higher on the 0–10 items (a blind spot to find). Customers leave
 * optional items out here and there; staff do so in blocks of five, so that every release step of five
 * staff adds 0 or 5 to each measure and the whole pool can join (domain/release.ts).
 */
function answersFor(random: () => number, side: 'staff' | 'customer', i: number): Record<string, number | null> {
  const answers: Record<string, number | null> = {}
  const skipped = side === 'customer' ? (key: string) => (i * 7 + key.length) % 6 === 0 : (key: string) => STAFF_SKIPS[Math.floor(i / 5) % STAFF_SKIPS.length]!.includes(key)
  for (const item of ITEMS) {
    if (!item.required && skipped(item.key)) { answers[item.key] = null; continue }
    if (item.scale === 'agree5') answers[item.key] = 1 + Math.floor(random() * 5)
    else answers[item.key] = side === 'staff' ? 7 + Math.floor(random() * 4) : Math.floor(random() * 10)
  }
  return answers
}
const STAFF_SKIPS = [[], ['kind', 'tell_friend'], ['come_back'], ['easy']]

function near(actual: number, expected: number, label: string, digits = 12) {
  expect(actual, label).toBeTypeOf('number')
  expect(Math.abs(actual - expected) <= 10 ** -digits * Math.max(1, Math.abs(expected)), `${label}: API ${actual}, reference ${expected}`).toBe(true)
}
const nearInterval = (actual: Interval, expected: Interval, label: string) => {
  near(actual[0], expected[0], `${label} low`)
  near(actual[1], expected[1], `${label} high`)
}

function sameShare(actual: Json, expected: { n: number; agree: number; share: number; ci95: Interval; mean: number; distribution?: number[] } | null, label: string) {
  expect(expected, label).not.toBeNull()
  expect(actual.suppressed, label).toBeUndefined()
  expect(actual.n, `${label} n`).toBe(expected!.n)
  expect(actual.agree, `${label} agree`).toBe(expected!.agree)
  near(actual.share, expected!.share, `${label} share`)
  nearInterval(actual.ci95, expected!.ci95, `${label} ci95`)
  near(actual.mean, expected!.mean, `${label} mean`)
  if (expected!.distribution) expect(actual.distribution, `${label} distribution`).toEqual(expected!.distribution)
}

function sameGap(actual: Json | null, expected: Json | null, label: string) {
  expect(actual === null, `${label} gap present`).toBe(expected === null)
  if (!actual || !expected) return
  near(actual.points, expected.points, `${label} points`)
  nearInterval(actual.ci95, expected.ci95, `${label} gap ci95`)
  near(actual.pValue, expected.pValue, `${label} p`, 10)
  near(actual.qValue, expected.qValue, `${label} q`, 10)
  expect(actual.significant, `${label} significant`).toBe(expected.significant)
}

async function owner(ctx: TestContext) {
  const tenant = await createTenant(ctx, 'Likely Ltd')
  const token = await apiToken(ctx, tenant.owner.email)
  const principal = { userId: tenant.owner.userId, organizationId: tenant.organizationId, email: tenant.owner.email, name: 'Owner', role: 'owner' as const, organizationName: 'Likely Ltd', via: 'session' as const }
  return { tenant, token, caller: { principal, ip: '127.0.0.1' } }
}

/** Opens the survey at a token and sends the answers (and predictions) as the form's fields. */
async function submit(ctx: TestContext, token: string, answers: Record<string, number | null | string>, predictions: Record<string, number | null> = {}) {
  const browser = new Browser(ctx.app)
  const page = await browser.get(`/s/${token}`)
  expect(page.statusCode).toBe(200)
  const fields: Record<string, string> = { submission: hidden(page.body, 'submission')!, lang: hidden(page.body, 'lang')! }
  for (const [key, value] of Object.entries(answers)) if (value !== undefined) fields[`a_${key}`] = value === null ? 'na' : String(value)
  for (const [key, value] of Object.entries(predictions)) fields[`p_${key}`] = value === null ? 'na' : String(value)
  return { page, response: await post(browser, token, fields) }
}

describeEachDatabase('0–10 items end to end', (ctx) => {
  const random = xorshift(1017)
  const rows: Array<ReferenceRow & { predictions?: Record<string, number | null> }> = []
  let report: Json
  let waveId: string
  let token: string
  let ownerEmail: string
  let links: { staff: string; customer: string }

  beforeAll(async () => {
    const made = await owner(ctx)
    token = made.token
    ownerEmail = made.tenant.owner.email
    const saved = await createInstrumentFrom(ctx.database.db, made.caller, definition)
    expect(saved, JSON.stringify(saved)).toMatchObject({ ok: true })
    const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name: '2026-Q4 likelihood', templateKey: definition.key, predictions: 'all' } })
    expect(created.statusCode, created.body).toBe(201)
    waveId = created.json().id
    links = { staff: tokenOf(created.json().links.staff), customer: tokenOf(created.json().links.customer) }

    // Through the survey page: 15 staff (with predictions of every item, a few "can't say") and 16 customers.
    for (let i = 0; i < 15; i++) {
      const answers = answersFor(random, 'staff', i)
      // The second block of five answers "I can't say" to the prediction of come_back.
      const predictions = Object.fromEntries(ITEMS.map((item) => [item.key, Math.floor(i / 5) === 1 && item.key === 'come_back' ? null : Math.floor(random() * 11)]))
      const { response } = await submit(ctx, links.staff, answers, predictions)
      expect(response.statusCode, response.body.slice(0, 300)).toBe(303)
      rows.push({ side: 'staff', answers, predictions })
    }
    for (let i = 0; i < 16; i++) {
      const answers = answersFor(random, 'customer', i)
      const { response } = await submit(ctx, links.customer, answers)
      expect(response.statusCode, response.body.slice(0, 300)).toBe(303)
      rows.push({ side: 'customer', answers })
    }
    // Through the import API: 5 staff and 9 customers, with the ends of the scale among them.
    const imported: Array<ReferenceRow & { predictions?: Record<string, number | null> }> = []
    for (let i = 0; i < 5; i++) imported.push({ side: 'staff', answers: { ...answersFor(random, 'staff', 100 + i), recommend: [10, 9, 10, 8, 9][i]! }, predictions: { recommend: i * 2 } })
    for (let i = 0; i < 9; i++) imported.push({ side: 'customer', answers: { ...answersFor(random, 'customer', 100 + i), recommend: [0, 10, 2, 3, 4, 5, 6, 7, 8][i]! } })
    const stored = await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${waveId}/responses`, headers: bearer(token), payload: imported })
    expect(stored.statusCode, stored.body.slice(0, 500)).toBe(201)
    rows.push(...imported)

    for (let attempt = 0; attempt < 100; attempt++) {
      const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/report`, headers: bearer(token) })
      expect(response.statusCode, response.body.slice(0, 500)).toBe(200)
      report = response.json()
      if (report.release?.staffWaiting === 0) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(report.release.staffWaiting, 'every staff answer released').toBe(0)
  })

  it('offers 0 to 10 and "Not applicable" on the survey page for a 0–10 item', async () => {
    const page = await new Browser(ctx.app).get(`/s/${links.customer}`)
    for (let v = 0; v <= 10; v++) expect(page.body).toContain(`id=come_back-${v} name=a_come_back value=${v}`)
    expect(page.body).not.toContain('id="come_back-11"')
    expect(page.body).toContain('name=a_come_back value=na')
  })

  it('asks staff to predict how many customers would answer 9 or 10 on a 0–10 item, and "agree" on a 1–5 one', async () => {
    const page = await new Browser(ctx.app).get(`/s/${links.staff}`)
    expect(page.body).toContain('“Customer: come back” (answering 9 or 10)')
    expect(page.body).toContain('“Customer: kind”<')
    expect(page.body).not.toContain('“Customer: kind” (answering')
  })

  it('refuses 11, -1 and 3.5 on a 0–10 item with a clear error, and keeps the other answers', async () => {
    for (const bad of ['11', '-1', '3.5', '010x']) {
      const { response } = await submit(ctx, links.customer, { recommend: bad, kind: 4, come_back: 7 })
      expect(response.statusCode, bad).toBe(422)
      expect(response.body).toContain('Choose one of the answers shown.')
      expect(response.body, bad).toMatch(/id=kind-4 name=a_kind value=4[^>]* checked/)
      expect(response.body, bad).toMatch(/id=come_back-7 name=a_come_back value=7[^>]* checked/)
    }
  })

  it('refuses an out-of-range 0–10 answer in an import with a per-row error, storing none of the batch', async () => {
    const before = report.headline.customer.n
    const response = await ctx.app.inject({
      method: 'POST', url: `/api/v1/waves/${waveId}/responses`, headers: bearer(token),
      payload: [{ side: 'customer', answers: { recommend: 10 } }, { side: 'customer', answers: { recommend: 11 } }, { side: 'customer', answers: { recommend: 2.5, come_back: -1 } }],
    })
    expect(response.statusCode).toBe(400)
    const details = JSON.stringify(response.json())
    expect(details).toMatch(/answers\.recommend/)
    expect(details).toMatch(/0.*10/)
    expect(details).toMatch(/answers\.come_back/)
    const again = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/report`, headers: bearer(token) })
    expect(again.json().headline.customer.n).toBe(before)
  })

  it('reports every item as the reference does: shares of 9–10, Wilson intervals, means on 0–10, 11 counts, gaps, p, q, classification', () => {
    const expected = referenceReport(ITEMS, rows)
    expect(report.headline.key).toBe('recommend')
    expect(report.items.map((item: Json) => item.key)).toEqual(ITEMS.map((item) => item.key))
    for (const want of expected.items) {
      const got = report.items.find((item: Json) => item.key === want.key)
      sameShare(got.staff, want.staff, `${want.key} staff`)
      sameShare(got.customer, want.customer, `${want.key} customer`)
      sameGap(got.gap, want.gap, want.key)
      expect(got.classification, `${want.key} classification`).toBe(want.classification)
    }
    for (const item of report.items.filter((i: Json) => ITEMS.find((x) => x.key === i.key)!.scale === 'likelihood11')) {
      expect(item.staff.distribution).toHaveLength(11)
      expect(item.customer.distribution).toHaveLength(11)
    }
    expect(report.headline).toEqual(report.items[0])
    // The staff think customers would recommend more than they would: the reference finds it too.
    expect(expected.items[0]!.classification).toBe('blind_spot')
  })

  it('counts a dimension over its 1–5 items only, and shows no dimension made of 0–10 items alone', () => {
    const expected = referenceReport(ITEMS, rows)
    expect(report.dimensions.map((d: Json) => d.key)).toEqual(['care', 'ease'])
    for (const want of expected.dimensions) {
      const got = report.dimensions.find((d: Json) => d.key === want.key)
      sameShare(got.staff, want.staff, `${want.key} staff`)
      sameShare(got.customer, want.customer, `${want.key} customer`)
      sameGap(got.gap, want.gap, `dimension ${want.key}`)
      expect(got.classification).toBe(want.classification)
    }
  })

  it('reads staff predictions of a 0–10 item against the customers who answered 9 or 10', () => {
    const prediction = report.prediction
    expect(prediction, 'prediction block').toBeTruthy()
    const staff = rows.filter((row) => row.side === 'staff').map((row) => ({ side: 'staff' as const, unit: '', answers: row.answers, predictions: row.predictions }))
    const expected = referenceReport(ITEMS, rows)
    for (const key of ['recommend', 'come_back']) {
      const got = prediction.items.find((item: Json) => item.key === key)
      const q = predicted(staff, key)!
      near(got.predicted.share, q.share, `${key} predicted share`)
      nearInterval(got.predicted.ci95, q.ci95, `${key} predicted ci95`)
      const actual = expected.items.find((item) => item.key === key)!.customer!
      near(got.customer.share, actual.share, `${key} customer share`)
      near(got.error.points, (q.share - actual.share) * 100, `${key} error`)
    }
  })

  it('shows each 0–10 item\'s spread on the dashboard: 11 points, the report\'s counts, agreement from 9', async () => {
    const browser = await signedIn(ctx, ownerEmail)
    const page = await browser.get(`/waves/${waveId}`)
    expect(page.statusCode).toBe(200)
    const decode = (text: string) => text.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&')
    expect(page.body).toContain('Share who agree (4 or 5 of 5; 9 or 10 of 0–10)')
    expect(page.body).toContain('0–10 items are not averaged into a dimension')
    for (const item of ITEMS) {
      const section = page.body.slice(page.body.indexOf(`id="spread-${item.key}"`), page.body.indexOf('</details>', page.body.indexOf(`id="spread-${item.key}"`)))
      expect(section, item.key).not.toBe('')
      const chart = JSON.parse(decode(section.match(/data-chart="([^"]*)"/)![1]!))
      const points = item.scale === 'likelihood11' ? 11 : 5
      expect(chart.labels, item.key).toEqual(Array.from({ length: points }, (_, i) => String(i + (points === 11 ? 0 : 1))))
      expect(chart.agreeFrom).toBe(points === 11 ? 9 : 3)
      const got = report.items.find((i: Json) => i.key === item.key)
      for (const side of ['staff', 'customer'] as const) {
        chart[side].forEach((share: number, i: number) => near(share, got[side].distribution[i] / got[side].n, `${item.key} ${side} ${i}`))
        const row = section.match(new RegExp(`<th scope="row">${side === 'staff' ? 'Staff' : 'Customers'}</th>(.*?)</tr>`))![1]!
        expect([...row.matchAll(/<td>([^<]*)<\/td>/g)].map((m) => Number(m[1]))).toEqual([...got[side].distribution, got[side].n])
      }
    }
  })

  it('exports each response with its 0–10 values in the item\'s column', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/export.csv`, headers: bearer(token) })
    expect(response.statusCode).toBe(200)
    const exported = parse(response.body, { bom: true, columns: true }) as Array<Record<string, string>>
    for (const side of ['staff', 'customer'] as const) {
      const got = exported.filter((row) => row.side === side)
      const sent = rows.filter((row) => row.side === side)
      expect(got).toHaveLength(sent.length)
      for (const item of ITEMS) {
        const cells = got.map((row) => row[item.key]!).sort()
        // "Not applicable" is na; with every staff answer released and no units, no staff cell is hidden.
        const values = sent.map((row) => (row.answers[item.key] === null ? 'na' : String(row.answers[item.key]))).sort()
        expect(cells, `${side} ${item.key}`).toEqual(values)
        const range = item.scale === 'likelihood11' ? /^(na|[0-9]|10)$/ : /^(na|[1-5])$/
        for (const cell of cells) expect(cell).toMatch(range)
      }
    }
  })
})

/**
 * A later wave of the same instrument for the key drivers: 130 imported customers whose 0–10 headline
 * follows two of the four predictors (one 1–5, one 0–10), and ten staff.
 */
function driverWave(seed: number): PostedRow[] {
  const random = xorshift(seed)
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  const clamp = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(x)))
  const rows: PostedRow[] = []
  for (let i = 0; i < 130; i++) {
    const z = { kind: normal(), come_back: normal(), easy: normal(), tell_friend: normal() }
    rows.push({ side: 'customer', unit: '', answers: {
      recommend: i % 29 === 5 ? null : clamp(6 + 1.6 * z.come_back + 1.1 * z.kind + 1.2 * normal(), 0, 10),
      kind: i % 17 === 3 ? null : clamp(3.2 + 1.1 * z.kind, 1, 5), come_back: clamp(5.5 + 2.4 * z.come_back, 0, 10),
      easy: clamp(3 + 1.1 * z.easy, 1, 5), tell_friend: i % 13 === 0 ? null : clamp(5 + 2.5 * (0.5 * z.come_back + 0.8 * z.tell_friend), 0, 10),
    } })
  }
  for (let i = 0; i < 10; i++) rows.push({ side: 'staff', unit: '', answers: { recommend: 7 + (i % 4), kind: 2 + (i % 4), come_back: 5 + (i % 6), easy: 1 + (i % 5), tell_friend: 6 + (i % 5) } })
  return rows
}

describeEachDatabase('0–10 headline as the outcome of the key drivers', (ctx) => {
  const rows = driverWave(2026)
  const scaleOf = new Map(ITEMS.map((item) => [item.key, item.scale]))
  const agreeFrom = (key: string) => (scaleOf.get(key) === 'likelihood11' ? 9 : 4)
  const PREDICTORS = ITEMS.filter((item) => !item.headline).map((item) => item.key)
  let report: Json
  let earlier: Json

  beforeAll(async () => {
    const made = await owner(ctx)
    expect(await createInstrumentFrom(ctx.database.db, made.caller, definition)).toMatchObject({ ok: true })
    const waves: Json[] = []
    for (const [name, wave] of [['2026-Q3', driverWave(7)], ['2026-Q4', rows]] as const) {
      const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(made.token), payload: { name, templateKey: definition.key } })
      expect(created.statusCode, created.body).toBe(201)
      const stored = await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${created.json().id}/responses`, headers: bearer(made.token), payload: wave.map(({ side, answers }) => ({ side, answers })) })
      expect(stored.statusCode, stored.body.slice(0, 300)).toBe(201)
      let got: Json = {}
      for (let attempt = 0; attempt < 100; attempt++) {
        got = (await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${created.json().id}/report`, headers: bearer(made.token) })).json()
        if (got.release?.staffWaiting === 0) break
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(got.release.staffWaiting).toBe(0)
      waves.push(got)
    }
    earlier = waves[0]!
    report = waves[1]!
  })

  it('weighs the predictors of a 0–10 headline as the reference does', () => {
    const customers = rows.filter((row) => row.side === 'customer').map((row) => row.answers)
    const expected = drivers(customers, 'recommend', PREDICTORS)
    const d = report.drivers
    expect(d, JSON.stringify(report.unavailable)).not.toBeNull()
    expect(d.outcome).toBe('recommend')
    expect(d.n).toBe(expected.n)
    expect(d.minimum).toBe(100)
    near(d.r2, expected.r2, 'R²', 9)
    expect(d.weights.map((w: Json) => w.key)).toEqual(expected.weights.map((w) => w.key))
    expected.weights.forEach((w, i) => {
      near(d.weights[i].correlation, w.correlation, `${w.key} r`, 9)
      near(d.weights[i].raw, w.raw, `${w.key} raw`, 9)
      near(d.weights[i].weight, w.weight, `${w.key} weight`, 9)
    })
    // The two predictors the headline was built from lead.
    expect(expected.weights.slice(0, 2).map((w) => w.key).sort()).toEqual(['come_back', 'kind'])
  })

  it('ranks fix first with each item\'s own agreement (9–10 on 0–10, 4–5 on 1–5)', () => {
    const customers = rows.filter((row) => row.side === 'customer')
    const staff = rows.filter((row) => row.side === 'staff')
    const ours = fixFirst(drivers(customers.map((row) => row.answers), 'recommend', PREDICTORS).weights, staff, customers, agreeFrom)
    const f = report.fixFirst
    expect(f.items.map((i: Json) => i.key)).toEqual(ours.items.map((i) => i.key))
    ours.items.forEach((item, i) => {
      near(f.items[i].gapPoints, item.gapPoints!, `${item.key} gap`, 9)
      near(f.items[i].customerShare, item.customerShare!, `${item.key} customer share`, 9)
      near(f.items[i].index, item.index, `${item.key} index`, 9)
      expect(f.items[i].quadrant, item.key).toBe(item.quadrant)
    })
    expect(f.top.map((i: Json) => i.key)).toEqual(ours.top)
  })

  it('says why linkage is unavailable (no units) instead of failing', () => {
    expect(report.linkage).toBeNull()
    expect(report.unavailable.linkage.code).toBe('too_few_units')
    expect(report.unavailable.prediction.code).toBe('no_predictions')
  })

  it('follows the 0–10 headline across both waves with shares of 9–10', () => {
    expect(report.trend.headline).toBe('recommend')
    const headline = report.trend.items.find((item: Json) => item.key === 'recommend')
    expect(headline.points).toHaveLength(2)
    const item = ITEMS[0]!
    for (const [i, wave] of [driverWave(7), rows].entries()) {
      for (const side of ['staff', 'customer'] as const) {
        const want = itemShare(wave.filter((row) => row.side === side), item)!
        expect(headline.points[i][side].agree, `wave ${i} ${side}`).toBe(want.agree)
        expect(headline.points[i][side].n).toBe(want.n)
        nearInterval(headline.points[i][side].ci95, want.ci95, `wave ${i} ${side}`)
      }
    }
    expect(earlier.headline.customer.distribution).toHaveLength(11)
  })
})
