// The report's leadership analytics through the API (issue 14): key drivers above and below their
// minimum, per unit and for the whole wave, fix first from the same report's gaps, linkage across the
// units the release shows, the reasons where an analysis has no answer, a unit manager's view, and
// the cache per release. Figures are checked against hand computations from the same report.
import { expect, it } from 'vitest'
import { setManagedUnits } from '../../server/repositories/unit-managers.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { ANALYTICS_SEED } from '../../server/domain/analytics/random.js'
import { waveReport } from '../../server/services/report.js'
import { findWave } from '../../server/repositories/waves.js'
import { findUserByEmail, getOrganization } from '../../server/repositories/organizations.js'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, type Tenant } from '../helpers/app.js'

const ITEMS = SERVICE_GAP_INDEX_V1.items
const HEADLINE = ITEMS.find((item) => item.headline)!.key
const PREDICTORS = ITEMS.filter((item) => !item.headline).map((item) => item.key)

/** A small deterministic generator, so every run posts the same answers. */
function generator(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 4294967296
  }
}

const clamp = (v: number) => Math.max(1, Math.min(5, Math.round(v)))

/** Customers whose headline follows two items strongly and the rest weakly; `lift` moves a unit's level. */
function customers(unit: string, count: number, lift: number, random: () => number) {
  return Array.from({ length: count }, () => {
    const quality = 3 + lift + (random() - 0.5) * 2.4
    const answers: Record<string, number | null> = {}
    PREDICTORS.forEach((key, j) => { answers[key] = clamp(quality + (random() - 0.5) * (j < 2 ? 1.2 : 3.5)) })
    answers[HEADLINE] = clamp((answers[PREDICTORS[0]!]! + answers[PREDICTORS[1]!]!) / 2 + (random() - 0.5) * 1.2)
    return { side: 'customer', unit, answers }
  })
}

/** Staff who answer every item; `lift` is the unit's climate. */
function staff(unit: string, count: number, lift: number, random: () => number) {
  return Array.from({ length: count }, () => {
    const answers: Record<string, number> = {}
    for (const item of ITEMS) answers[item.key] = clamp(3.6 + lift + (random() - 0.5) * 2.6)
    return { side: 'staff', unit, answers }
  })
}

const UNITS = [
  { name: 'Alpha', customers: 130, staff: 9, lift: 0.6 },
  { name: 'Bravo', customers: 30, staff: 8, lift: -0.5 },
  { name: 'Charlie', customers: 30, staff: 7, lift: 0.2 },
  { name: 'Delta', customers: 30, staff: 8, lift: -0.2 },
  { name: 'Echo', customers: 30, staff: 10, lift: 0.4 },
  // Too few staff to be shown (together 5, so no other unit is hidden to protect them): no linkage point.
  { name: 'Foxtrot', customers: 30, staff: 3, lift: 0.9 },
  { name: 'Golf', customers: 30, staff: 2, lift: -0.8 },
]

function pearson(x: number[], y: number[]) {
  const mx = x.reduce((a, b) => a + b, 0) / x.length
  const my = y.reduce((a, b) => a + b, 0) / y.length
  let sxy = 0
  let sxx = 0
  let syy = 0
  x.forEach((xi, i) => {
    sxy += (xi - mx) * (y[i]! - my)
    sxx += (xi - mx) ** 2
    syy += (y[i]! - my) ** 2
  })
  return sxy / Math.sqrt(sxx * syy)
}

type Body = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

describeEachDatabase('leadership analytics in the report', (ctx) => {
  let tenant: Tenant
  let token: string
  let waveId: string
  let laterId: string
  const posted: Array<{ side: string; unit: string; answers: Record<string, number | null> }> = []
  const report = async (id: string, query = '', as = token): Promise<Body> => {
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${id}/report${query}`, headers: bearer(as) })
    expect(response.statusCode, response.body).toBe(200)
    return response.json()
  }
  const post = async (id: string, rows: unknown[]) => {
    for (let i = 0; i < rows.length; i += 200) {
      const stored = await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${id}/responses`, headers: bearer(token), payload: rows.slice(i, i + 200) })
      expect(stored.statusCode, stored.body).toBe(201)
    }
  }
  const createWave = async (name: string) => {
    const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name, templateKey: 'service-gap-index' } })
    expect(created.statusCode, created.body).toBe(201)
    return created.json().id as string
  }

  it('sets up a wave of seven units', async () => {
    tenant = await createTenant(ctx, 'Acme')
    token = await apiToken(ctx, tenant.owner.email)
    for (const unit of UNITS) await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(token), payload: { name: unit.name } })
    waveId = await createWave('2026-Q3')
    const random = generator(7)
    for (const unit of UNITS) posted.push(...customers(unit.name, unit.customers, unit.lift, random), ...staff(unit.name, unit.staff, unit.lift, random))
    await post(waveId, posted)
  })

  it('shows the key drivers of the whole wave, with correlations a hand count confirms', async () => {
    const body = await report(waveId)
    const drivers = body.drivers
    expect(drivers, JSON.stringify(body.unavailable)).not.toBeNull()
    expect(drivers.outcome).toBe(HEADLINE)
    expect(drivers.n).toBe(310)
    expect(drivers.minimum).toBe(110)
    expect(drivers.weights).toHaveLength(PREDICTORS.length)
    expect(drivers.weights.reduce((s: number, w: Body) => s + w.weight, 0)).toBeCloseTo(1, 9)
    expect(drivers.weights.reduce((s: number, w: Body) => s + w.raw, 0)).toBeCloseTo(drivers.r2, 9)
    expect(drivers.method.bootstrap.seed).toBe(ANALYTICS_SEED)
    expect(drivers.scope).toEqual({ unit: null, staff: {}, customer: {}, wholeWave: false, note: null })
    // The two items the headline was built from lead.
    expect(drivers.weights.slice(0, 2).map((w: Body) => w.key).sort()).toEqual(PREDICTORS.slice(0, 2).sort())
    // Each item's correlation with the headline, counted by hand over the posted customers.
    const rows = posted.filter((r) => r.side === 'customer')
    for (const weight of drivers.weights) {
      expect(weight.correlation).toBeCloseTo(pearson(rows.map((r) => r.answers[weight.key]!), rows.map((r) => r.answers[HEADLINE]!)), 9)
    }
    expect(body.unavailable.drivers).toBeUndefined()
  })

  it('ranks fix first by weight × staff over-rating, from the same report\'s gaps', async () => {
    const body = await report(waveId)
    const gaps = new Map(body.items.map((item: Body) => [item.key, item.gap?.points ?? null]))
    const weights = new Map(body.drivers.weights.map((w: Body) => [w.key, w.weight]))
    const fix = body.fixFirst
    expect(fix.scope.wholeWave).toBe(false)
    expect(fix.items).toHaveLength(PREDICTORS.length)
    for (const item of fix.items) {
      expect(item.weight).toBe(weights.get(item.key))
      expect(item.gapPoints).toBe(gaps.get(item.key))
      expect(item.index).toBeCloseTo((weights.get(item.key) as number) * Math.max(0, (gaps.get(item.key) as number) / 100), 12)
    }
    const expected = [...fix.items].filter((i: Body) => i.index > 0).sort((a: Body, b: Body) => b.index - a.index).slice(0, 3).map((i: Body) => i.key)
    expect(fix.top.map((i: Body) => i.key)).toEqual(expected)
    for (const top of fix.top) expect(top.sentence.length).toBeGreaterThan(20)
  })

  it('computes drivers for one unit only where its own customers are enough', async () => {
    const alpha = await report(waveId, '?unit=Alpha')
    expect(alpha.drivers.n).toBe(130)
    expect(alpha.drivers.scope.unit.name).toBe('Alpha')
    expect(alpha.fixFirst.scope).toMatchObject({ wholeWave: false, unit: { name: 'Alpha' } })

    const whole = await report(waveId)
    const bravo = await report(waveId, '?unit=Bravo')
    expect(bravo.drivers).toBeNull()
    expect(bravo.unavailable.drivers.code).toBe('not_enough_answers')
    expect(bravo.unavailable.drivers.message).toContain('110')
    // The owner sees the whole wave, so fix first may use its weights, saying so, beside Bravo's gaps.
    expect(bravo.fixFirst.scope).toMatchObject({ wholeWave: true, unit: { name: 'Bravo' } })
    expect(bravo.fixFirst.scope.note).toContain('whole wave')
    const wholeWeights = new Map(whole.drivers.weights.map((w: Body) => [w.key, w.weight]))
    const bravoGaps = new Map(bravo.items.map((item: Body) => [item.key, item.gap?.points ?? null]))
    for (const item of bravo.fixFirst.items) {
      expect(item.weight).toBe(wholeWeights.get(item.key))
      expect(item.gapPoints).toBe(bravoGaps.get(item.key))
    }
  })

  it('links staff climate to customers over the five units whose groups are shown', async () => {
    const body = await report(waveId)
    const linkage = body.linkage
    expect(linkage, JSON.stringify(body.unavailable)).not.toBeNull()
    expect(linkage.units).toBe(5)
    const names = linkage.points.map((p: Body) => p.unit.name).sort()
    expect(names).toEqual(['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'])
    // Each point from that unit's own report: staff agree over staff answers, customers' headline share.
    for (const point of linkage.points) {
      const unit = await report(waveId, `?unit=${point.unit.name}`)
      const agree = unit.items.reduce((s: number, i: Body) => s + i.staff.agree, 0)
      const n = unit.items.reduce((s: number, i: Body) => s + i.staff.n, 0)
      expect(point.staff).toBeCloseTo(agree / n, 12)
      expect(point.customer).toBeCloseTo(unit.headline.customer.share, 12)
      expect(point.staffN).toBe(UNITS.find((u) => u.name === point.unit.name)!.staff)
    }
    expect(linkage.pearson.r).toBeCloseTo(pearson(linkage.points.map((p: Body) => p.staff), linkage.points.map((p: Body) => p.customer)), 9)
    // The staff ANOVA reads every linkage unit's respondents.
    expect(linkage.icc.staff).toMatchObject({ units: 5, respondents: 42 })
    expect(linkage.icc.customer).toMatchObject({ units: 5, respondents: 250 })
    expect(linkage.crossLagged).toBeNull()
    expect(linkage.scope).toEqual({ unit: null, staff: {}, customer: {}, wholeWave: false, note: null })
  })

  it('says linkage has no answer inside one unit', async () => {
    const body = await report(waveId, '?unit=Alpha')
    expect(body.linkage).toBeNull()
    expect(body.unavailable.linkage.code).toBe('not_for_one_unit')
    expect(body.prediction).toBeNull()
    expect(body.unavailable.prediction.code).toBe('no_predictions')
  })

  it('shows a unit manager their own unit only, without whole-wave figures', async () => {
    const email = await addPerson(ctx, tenant, 'unit_manager')
    const user = (await findUserByEmail(ctx.database.db, email))!
    const bravo = (await report(waveId, '?unit=Bravo')).filters.unit.id
    await setManagedUnits(ctx.database.db, tenant.organizationId, user.id, [bravo])
    const managerToken = await apiToken(ctx, email)
    const body = await report(waveId, '?unit=Bravo', managerToken)
    expect(body.drivers).toBeNull()
    expect(body.fixFirst).toBeNull()
    expect(body.unavailable.fixFirst.code).toBe('no_drivers')
    expect(body.linkage).toBeNull()
    expect(body.unavailable.linkage.code).toBe('not_for_one_unit')
  })

  it('reads the cross-lag from the earlier wave of the same instrument', async () => {
    laterId = await createWave('2026-Q4')
    const random = generator(11)
    const rows = UNITS.flatMap((unit, i) => [...customers(unit.name, unit.customers, unit.lift + (i % 2 ? 0.2 : -0.1), random), ...staff(unit.name, unit.staff, unit.lift, random)])
    await post(laterId, rows)
    const body = await report(laterId)
    expect(body.linkage.crossLagged, JSON.stringify(body.linkage)).not.toBeNull()
    expect(body.linkage.crossLagged).toMatchObject({ from: { id: waveId, name: '2026-Q3' }, units: 5, bootstrap: { seed: ANALYTICS_SEED } })
  })

  it('says why linkage needs five units', async () => {
    const small = await createWave('2026-Q4 pilot')
    const random = generator(13)
    await post(small, UNITS.slice(0, 3).flatMap((unit) => [...customers(unit.name, 20, unit.lift, random), ...staff(unit.name, 6, unit.lift, random)]))
    const body = await report(small)
    expect(body.linkage).toBeNull()
    expect(body.unavailable.linkage.code).toBe('too_few_units')
    expect(body.drivers).toBeNull()
    expect(body.unavailable.drivers.code).toBe('not_enough_answers')
  })

  it('keeps the analytics of a release and computes them afresh after a new one', async () => {
    const db = ctx.database.db
    const organization = await getOrganization(db, tenant.organizationId)
    const wave = (await findWave(db, tenant.organizationId, waveId))!
    const reader = { organizationId: tenant.organizationId, userId: tenant.owner.userId, role: 'owner' as const }
    const filters = { unit: null, staff: {}, customer: {} }
    const first = await waveReport(db, organization, wave, filters, reader)
    const second = await waveReport(db, organization, wave, filters, reader)
    expect(second.drivers).toBe(first.drivers)
    expect(second.linkage).toBe(first.linkage)
    await post(waveId, customers('Alpha', 10, 0, generator(17)))
    const third = await waveReport(db, organization, wave, filters, reader)
    expect(third.drivers).not.toBe(first.drivers)
    expect(third.drivers!.n).toBe(320)
  })
})
