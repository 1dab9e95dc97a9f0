// The leadership analytics of the report API checked figure by figure against the independent
// reference (test/helpers/reference-analytics.ts), computed from the very rows posted: drivers,
// fix first, staff predictions and linkage of a realistic seeded wave, and driver weights known in
// closed form (orthogonal predictors: raw weights are the squared correlations).
import { beforeAll, expect, it } from 'vitest'
import { HEADLINE, KEYS, orthogonalCustomers, PREDICTORS, realisticWave, UNITS } from '../helpers/reference-data.js'
import { apiToken, bearer, createTenant, describeEachDatabase, type TestContext } from '../helpers/app.js'
import {
  bootstrapDrivers, crossLagged, drivers, fixFirst, gap, linkage, predicted, predictionError, share, unitPredictions, type PostedRow,
} from '../helpers/reference-analytics.js'
import { pearson } from '../helpers/reference-numerics.js'

type Interval = [number, number]
type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const EXACT = 9 // decimal places: deterministic figures agree to 1e-9

function near(actual: number, expected: number, label: string) {
  expect(actual, label).toBeTypeOf('number')
  expect(Math.abs(actual - expected), `${label}: API ${actual}, reference ${expected}`).toBeLessThan(10 ** -EXACT)
}
function nearInterval(actual: Interval, expected: Interval, label: string) {
  near(actual[0], expected[0], `${label} low`)
  near(actual[1], expected[1], `${label} high`)
}

/** A bootstrap interval agrees loosely: it holds the estimate (where ours does) and is about as wide as ours. */
function plausible(actual: Interval, estimate: number, ours: Interval, ourEstimate: number, label: string) {
  expect(actual[0], `${label}: ${actual}`).toBeLessThanOrEqual(actual[1])
  if (ours[0] <= ourEstimate && ourEstimate <= ours[1]) {
    expect(actual[0] <= estimate && estimate <= actual[1], `${label}: ${estimate} outside [${actual}]`).toBe(true)
  }
  const ratio = (actual[1] - actual[0]) / (ours[1] - ours[0])
  expect(ratio > 0.6 && ratio < 1.6, `${label}: width ${actual[1] - actual[0]} against ours ${ours[1] - ours[0]}`).toBe(true)
}

async function organization(ctx: TestContext, name: string) {
  const tenant = await createTenant(ctx, name)
  const token = await apiToken(ctx, tenant.owner.email)
  for (const unit of [...UNITS, { name: 'Kiosk' }, { name: 'Depot' }]) await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(token), payload: { name: unit.name } })
  return token
}

/** A wave of the organization with the rows posted, and its report once every staff answer has joined the figures. */
async function waveWith(ctx: TestContext, token: string, name: string, rows: PostedRow[], predictions: 'off' | 'all') {
  const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name, templateKey: 'service-gap-index', predictions } })
  expect(created.statusCode, created.body).toBe(201)
  const waveId = created.json().id as string
  const stored = await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${waveId}/responses`, headers: bearer(token), payload: rows })
  expect(stored.statusCode, stored.body.slice(0, 500)).toBe(201)
  // Staff answers join the figures in release steps: wait until every one of them has.
  let report: Json = {}
  for (let attempt = 0; attempt < 100; attempt++) {
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/report`, headers: bearer(token) })
    expect(response.statusCode, response.body.slice(0, 500)).toBe(200)
    report = response.json()
    if (report.release?.staffWaiting === 0) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  expect(report.release.staffWaiting, 'every staff answer released').toBe(0)
  return report
}

const byKey = <T extends { key: string }>(list: T[]) => new Map(list.map((x) => [x.key, x]))

describeEachDatabase('leadership analytics against the reference', (ctx) => {
  const rows = realisticWave()
  const staff = rows.filter((row) => row.side === 'staff')
  const customers = rows.filter((row) => row.side === 'customer')
  const expected = drivers(customers.map((row) => row.answers), HEADLINE, PREDICTORS)
  const later = realisticWave(15, 0.8)
  let report: Json
  let laterReport: Json
  let token: string

  beforeAll(async () => {
    token = await organization(ctx, 'Reference')
    report = await waveWith(ctx, token, '2026-Q3', rows, 'all')
    laterReport = await waveWith(ctx, token, '2026-Q4', later, 'all')
  })

  it('has every answer of the seeded wave in its figures and every analysis available', () => {
    expect([staff.length, customers.length]).toEqual([84, 350])
    expect(report.headline.customer.n).toBe(share(customers, HEADLINE)!.n)
    expect(report.headline.staff.n).toBe(share(staff, HEADLINE)!.n)
    expect(report.unavailable ?? {}).toEqual({})
  })

  it('gives every driver figure of the reference: n, minimum, R², correlations, raw weights and weights', () => {
    const d = report.drivers
    expect(d).not.toBeNull()
    expect(d.outcome).toBe(HEADLINE)
    expect(d.n).toBe(expected.n)
    expect(d.minimum).toBe(Math.max(10 * PREDICTORS.length, 100))
    near(d.r2, expected.r2, 'R²')
    near(expected.r2FromSolve, expected.r2, 'reference R² two ways')
    expect(d.weights.map((w: Json) => w.key)).toEqual(expected.weights.map((w) => w.key))
    expected.weights.forEach((w, i) => {
      const api = d.weights[i]
      near(api.correlation, w.correlation, `${w.key} correlation`)
      near(api.raw, w.raw, `${w.key} raw`)
      near(api.weight, w.weight, `${w.key} weight`)
      expect(api.rank, w.key).toBe(i + 1)
    })
    expect(d.method.correlations).toBe('pairwise')
    expect(d.method.bootstrap).toMatchObject({ replicates: 1000, confidence: 0.95 })
  })

  it('gives bootstrap intervals that hold the estimates and are as wide as the reference’s own bootstrap', () => {
    const d = report.drivers
    const ours = bootstrapDrivers(customers.map((row) => row.answers), HEADLINE, PREDICTORS, 600, 7)
    plausible(d.r2Ci95, d.r2, ours.r2, expected.r2, 'R² interval')
    for (const w of expected.weights) {
      const api = d.weights.find((x: Json) => x.key === w.key)
      plausible(api.rawCi95, api.raw, ours.raw.get(w.key)!, w.raw, `${w.key} raw interval`)
      plausible(api.weightCi95, api.weight, ours.weight.get(w.key)!, w.weight, `${w.key} weight interval`)
    }
  }, 120_000)

  it('ranks fix first as the reference does: index, rank, quadrant, gap and its interval, shares, cuts, top three', () => {
    const f = report.fixFirst
    expect(f).not.toBeNull()
    const ours = fixFirst(expected.weights, staff, customers)
    expect(f.items.map((i: Json) => i.key)).toEqual(ours.items.map((i) => i.key))
    const weights = byKey(report.drivers.weights as Array<{ key: string; weightCi95: Interval }>)
    ours.items.forEach((item, i) => {
      const api = f.items[i]
      const s = share(staff, item.key)!, c = share(customers, item.key)!
      near(api.weight, item.weight, `${item.key} weight`)
      expect(api.weightCi95, item.key).toEqual(weights.get(item.key)!.weightCi95)
      near(api.gapPoints, item.gapPoints!, `${item.key} gap`)
      nearInterval(api.gapCi95, gap(s, c).ci95, `${item.key} gap interval`)
      near(api.customerShare, c.share, `${item.key} customer share`)
      near(api.staffShare, s.share, `${item.key} staff share`)
      near(api.index, item.index, `${item.key} index`)
      expect(api.rank, item.key).toBe(item.rank)
      expect(api.quadrant, item.key).toBe(item.quadrant)
    })
    near(f.cuts.weight, ours.cuts.weight, 'weight cut')
    near(f.cuts.customerShare, ours.cuts.customerShare, 'customer share cut')
    expect(f.top.map((i: Json) => i.key)).toEqual(ours.top)
    for (const top of f.top) expect(top.sentence.length).toBeGreaterThan(20)
  })

  it('reads every predicted item three ways as the reference does: staff, predicted (t-interval), customers, error with MOVER', () => {
    const p = report.prediction
    expect(p).not.toBeNull()
    expect(p.mode).toBe('all')
    expect(p.items.map((i: Json) => i.key)).toEqual([HEADLINE, ...PREDICTORS])
    expect(p.headline).toEqual(p.items[0])
    for (const api of p.items) {
      const key = api.key as string
      const s = share(staff, key)!, c = share(customers, key)!, q = predicted(staff, key)!
      expect(api.staff.n, key).toBe(s.n)
      near(api.staff.share, s.share, `${key} staff share`)
      nearInterval(api.staff.ci95, s.ci95, `${key} staff interval`)
      expect(api.customer.n, key).toBe(c.n)
      near(api.customer.share, c.share, `${key} customer share`)
      nearInterval(api.customer.ci95, c.ci95, `${key} customer interval`)
      expect(api.predicted.n, key).toBe(q.n)
      near(api.predicted.share, q.share, `${key} predicted share`)
      near(api.predicted.sd, q.sd, `${key} predicted sd`)
      nearInterval(api.predicted.ci95, q.ci95, `${key} predicted interval`)
      expect(api.predicted.distribution, key).toEqual(q.distribution)
      const e = predictionError(q, c)
      near(api.error.points, e.points, `${key} error`)
      nearInterval(api.error.ci95, e.ci95, `${key} error interval`)
    }
  })

  it('gives each unit the reference’s optimism bias, mean absolute error and tracking, most optimistic first', () => {
    const ours = unitPredictions(rows, KEYS)
    const units = report.prediction.units
    expect(units.map((u: Json) => u.unit.name)).toEqual(ours.map((u) => u.unit))
    ours.forEach((u, i) => {
      const api = units[i]
      expect(api.items, u.unit).toBe(u.items)
      near(api.optimismBias, u.optimismBias, `${u.unit} bias`)
      near(api.meanAbsoluteError, u.meanAbsoluteError, `${u.unit} MAE`)
      near(api.tracking, u.tracking!, `${u.unit} tracking`)
    })
  })

  it('links staff climate and customers across units as the reference does: points, Pearson, Spearman, ICCs, disattenuated, power', () => {
    const l = report.linkage
    expect(l).not.toBeNull()
    const ours = linkage(rows, KEYS, HEADLINE)
    expect(l.units).toBe(ours.units)
    const points = new Map((l.points as Json[]).map((p) => [p.unit.name as string, p]))
    expect([...points.keys()].sort()).toEqual(ours.points.map((p) => p.unit))
    for (const p of ours.points) {
      const api = points.get(p.unit)!
      near(api.staff, p.staff, `${p.unit} staff climate`)
      near(api.customer, p.customer, `${p.unit} customer outcome`)
      expect([api.staffN, api.customerN], p.unit).toEqual([p.staffN, p.customerN])
    }
    near(l.pearson.r, ours.pearson.r, 'Pearson')
    nearInterval(l.pearson.ci95, ours.pearson.ci95, 'Pearson interval')
    near(l.spearman.r, ours.spearman.r, 'Spearman')
    nearInterval(l.spearman.ci95, ours.spearman.ci95, 'Spearman interval')
    // Every linkage unit counts in the staff ICC, Market and Quay too, whose staff left items unanswered
    // (each respondent's score is over the items they answered), with its released headline n.
    const linked = new Set(ours.points.map((p) => p.unit))
    expect(ours.icc.staff).toMatchObject({ units: ours.points.length, respondents: share(staff.filter((row) => linked.has(row.unit)), HEADLINE)!.n })
    for (const side of ['staff', 'customer'] as const) {
      const api = l.icc[side], ref = ours.icc[side]!
      expect([api.units, api.respondents], side).toEqual([ref.units, ref.respondents])
      near(api.icc1, ref.icc1, `${side} ICC(1)`)
      near(api.icc2, ref.icc2, `${side} ICC(2)`)
    }
    near(l.disattenuated, ours.disattenuated!, 'disattenuated r')
    expect(l.unitsFor80Power).toBe(ours.unitsFor80Power)
    expect(l.crossLagged).toBeNull()
  })

  it('reads one unit as the reference does: its own predictions, drivers only with enough customers, no linkage', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${report.wave.id}/report?unit=Harbour`, headers: bearer(token) })
    expect(response.statusCode).toBe(200)
    const harbour = response.json()
    const unitRows = rows.filter((row) => row.unit === 'Harbour')
    const unitStaff = unitRows.filter((row) => row.side === 'staff'), unitCustomers = unitRows.filter((row) => row.side === 'customer')
    // 49 customers with a headline: fewer than max(10 × 11, 100).
    expect(harbour.drivers).toBeNull()
    expect(harbour.unavailable.drivers.code).toBe('not_enough_answers')
    expect(harbour.linkage).toBeNull()
    expect(harbour.unavailable.linkage.code).toBe('not_for_one_unit')
    for (const api of harbour.prediction.items) {
      const q = predicted(unitStaff, api.key)!, c = share(unitCustomers, api.key)!
      near(api.predicted.share, q.share, `Harbour ${api.key} predicted`)
      nearInterval(api.predicted.ci95, q.ci95, `Harbour ${api.key} predicted interval`)
      nearInterval(api.error.ci95, predictionError(q, c).ci95, `Harbour ${api.key} error interval`)
    }
    expect(harbour.prediction.units.map((u: Json) => u.unit.name)).toEqual(['Harbour'])
  })

  it('estimates which leads from the earlier wave as the reference does, and says so by its own intervals', () => {
    const lag = laterReport.linkage.crossLagged
    expect(lag).not.toBeNull()
    const ours = crossLagged(linkage(rows, KEYS, HEADLINE).points, linkage(later, KEYS, HEADLINE).points)
    expect(lag.from.name).toBe('2026-Q3')
    expect(lag.units).toBe(ours.units)
    near(lag.staffLeads.estimate, ours.staffLeads, 'staff(t) → customers(t+1)')
    near(lag.customersLead.estimate, ours.customersLead, 'customers(t) → staff(t+1)')
    expect(lag.bootstrap.replicates).toBe(1000)
    const excludes0 = (ci: Interval) => ci[0] > 0 || ci[1] < 0
    const staffClear = excludes0(lag.staffLeads.ci95), customersClear = excludes0(lag.customersLead.ci95)
    expect(lag.leads).toBe(staffClear && !customersClear ? 'staff' : customersClear && !staffClear ? 'customers' : 'unclear')
  })
}, {}, { release: { intervalMs: 100 } })

describeEachDatabase('driver weights known in closed form', (ctx) => {
  it('gives orthogonal predictors raw weights equal to their squared correlations with the headline', async () => {
    const customers = orthogonalCustomers()
    const staff: PostedRow[] = UNITS.flatMap((unit) => Array.from({ length: 5 }, () => ({
      side: 'staff' as const, unit: unit.name, answers: Object.fromEntries(KEYS.map((key) => [key, 4])),
    })))
    const report = await waveWith(ctx, await organization(ctx, 'Orthogonal'), 'Orthogonal', [...staff, ...customers], 'off')
    const d = report.drivers
    expect(d).not.toBeNull()
    expect(d.n).toBe(120)
    const outcome = customers.map((row) => row.answers[HEADLINE]!)
    let r2 = 0
    for (const key of PREDICTORS) {
      const xs = customers.map((row) => row.answers[key]!)
      // The design's columns are uncorrelated with each other …
      for (const other of PREDICTORS) if (other !== key) expect(Math.abs(pearson(xs, customers.map((row) => row.answers[other]!)))).toBeLessThan(1e-12)
      const r = pearson(xs, outcome)
      r2 += r * r
      const api = d.weights.find((w: Json) => w.key === key)
      near(api.correlation, r, `${key} correlation`)
      near(api.raw, r * r, `${key} raw = r²`)
    }
    near(d.r2, r2, 'R² = Σ r²')
    for (const key of PREDICTORS) {
      const r = pearson(customers.map((row) => row.answers[key]!), outcome)
      near(d.weights.find((w: Json) => w.key === key).weight, (r * r) / r2, `${key} weight`)
    }
  })
}, {}, { release: { intervalMs: 100 } })

describeEachDatabase('leadership analytics and suppressed units', (ctx) => {
  it('counts a suppressed unit in the whole wave but never as a unit of its own', async () => {
    // Kiosk's 3 and Depot's 2 staff join the whole wave (together they are 5), their units stay
    // suppressed. Kiosk's 8 customers are shown; its staff are not, so it is no linkage point and no
    // prediction unit; Depot has no customers.
    const released = realisticWave(21)
    const kiosk: PostedRow[] = [
      ...Array.from({ length: 3 }, () => ({ side: 'staff' as const, unit: 'Kiosk', answers: Object.fromEntries(KEYS.map((key) => [key, 1])), predictions: Object.fromEntries(KEYS.map((key) => [key, 10])) })),
      ...Array.from({ length: 2 }, () => ({ side: 'staff' as const, unit: 'Depot', answers: Object.fromEntries(KEYS.map((key) => [key, 5])), predictions: Object.fromEntries(KEYS.map((key) => [key, 0])) })),
      ...Array.from({ length: 8 }, (_, i) => ({ side: 'customer' as const, unit: 'Kiosk', answers: Object.fromEntries(KEYS.map((key, j) => [key, ((i + j) % 5) + 1])) })),
    ]
    const report = await waveWith(ctx, await organization(ctx, 'Pool'), 'Pool', [...released, ...kiosk], 'all')
    const staff = [...released, ...kiosk].filter((row) => row.side === 'staff')
    const customers = [...released, ...kiosk].filter((row) => row.side === 'customer')
    const d = drivers(customers.map((row) => row.answers), HEADLINE, PREDICTORS)
    expect(report.drivers.n).toBe(d.n)
    near(report.drivers.r2, d.r2, 'R² with the kiosk customers')
    const ours = fixFirst(d.weights, staff, customers)
    ours.items.forEach((item, i) => {
      expect(report.fixFirst.items[i].key).toBe(item.key)
      near(report.fixFirst.items[i].staffShare, share(staff, item.key)!.share, `${item.key} staff share with the small units`)
      near(report.fixFirst.items[i].index, item.index, `${item.key} index`)
    })
    for (const api of report.prediction.items) {
      const q = predicted(staff, api.key)!
      expect(api.predicted.n, api.key).toBe(q.n)
      near(api.predicted.share, q.share, `${api.key} predicted share with the small units`)
    }
    // The units shown on both sides: the seven of the seeded wave.
    const shownRows = released
    expect(report.prediction.units.map((u: Json) => u.unit.name)).toEqual(unitPredictions(shownRows, KEYS).map((u) => u.unit))
    const l = linkage(shownRows, KEYS, HEADLINE)
    expect(report.linkage.units).toBe(7)
    expect(report.linkage.points.map((p: Json) => p.unit.name).sort()).toEqual(l.points.map((p) => p.unit))
    near(report.linkage.pearson.r, l.pearson.r, 'Pearson without the kiosk')
    near(report.linkage.icc.customer.icc1, l.icc.customer.icc1, 'customer ICC(1) over the linked units')
    near(report.linkage.icc.staff.icc1, l.icc.staff!.icc1, 'staff ICC(1) without the suppressed units')
  })
}, {}, { release: { intervalMs: 100 } })
