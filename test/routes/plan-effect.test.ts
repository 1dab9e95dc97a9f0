// The effect of action plans (services/plan-effect.ts), on both databases. Three waves of the same
// template (and one of another instrument between them) go in through the import API with designed
// counts: unit A's customers rise on `want_to_help` while its staff stay, B's customers fall on `valued`
// and come back part way, two small units (Tiny, Small) have too few customers to be shown. The effect
// must equal an independent computation written here (Wilson, Newcombe, MOVER, the controls' mean)
// from the counts each wave's own single-unit report shows the reader, to 1e-9; a hidden side gives
// null figures; dropped plans leave a unit among the controls, others take it out; a unit manager's
// controls are their own units only.
import { expect, it } from 'vitest'
import type { InstrumentDefinition } from '../../server/domain/instrument.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { insertActionPlan, type ActionPlan } from '../../server/repositories/action-plans.js'
import { createInstrument } from '../../server/repositories/instruments.js'
import { findUserByEmail } from '../../server/repositories/organizations.js'
import { setManagedUnits } from '../../server/repositories/unit-managers.js'
import { planEffect, planEffects } from '../../server/services/plan-effect.js'
import type { Reader } from '../../server/services/report-scope.js'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, type TestContext } from '../helpers/app.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const RISES = 'want_to_help'
const FALLS = 'valued'
const UNITS = ['A', 'B', 'C', 'D', 'E', 'Tiny', 'Small'] as const
type UnitName = (typeof UNITS)[number]
type Side = 'staff' | 'customer'
/** Respondents per unit and side, the same in every wave. Tiny and Small have fewer customers than k = 5 (3 + 4 ≥ 5, so nothing else is hidden with them). */
const SIZES: Record<UnitName, Record<Side, number>> = {
  A: { staff: 20, customer: 20 }, B: { staff: 25, customer: 30 }, C: { staff: 20, customer: 25 }, D: { staff: 20, customer: 25 },
  E: { staff: 22, customer: 28 }, Tiny: { staff: 6, customer: 3 }, Small: { staff: 6, customer: 4 },
}
/** Designed agree counts per wave (t₀, t₁, t₂) for some unit × side × item; every other cell follows `usual`. */
const DESIGNED: Partial<Record<`${UnitName}.${Side}.${string}`, [number, number, number]>> = {
  [`A.customer.${RISES}`]: [10, 16, 17], [`A.staff.${RISES}`]: [18, 18, 18],
  [`B.customer.${FALLS}`]: [24, 15, 22], [`B.staff.${FALLS}`]: [20, 20, 20],
  [`C.customer.${RISES}`]: [12, 13, 15], [`E.customer.${RISES}`]: [14, 15, 13], [`D.customer.${RISES}`]: [10, 20, 24],
}
function usual(unit: number, side: Side, wave: number, j: number, n: number) {
  const share = side === 'staff' ? 0.6 + 0.05 * ((j + unit) % 5) : 0.35 + 0.06 * ((3 * j + unit + wave) % 6)
  return Math.round(share * n)
}
function agreeCount(unit: UnitName, side: Side, wave: number, key: string) {
  const n = SIZES[unit][side]
  return DESIGNED[`${unit}.${side}.${key}`]?.[wave] ?? usual(UNITS.indexOf(unit), side, wave, KEYS.indexOf(key), n)
}
/** Respondent i agrees (4 or 5) on an item exactly when i is below its agree count, else answers 1 to 3. */
function rows(wave: number) {
  return UNITS.flatMap((unit) => (['staff', 'customer'] as const).flatMap((side) => Array.from({ length: SIZES[unit][side] }, (_, i) => ({
    side, unit, attributes: {},
    answers: Object.fromEntries(KEYS.map((key) => [key, i < agreeCount(unit, side, wave, key) ? 4 + (i % 2) : 1 + (i % 3)])),
  }))))
}

// ---------------------------------------------------------------------------------------------
// An independent reference: written from Newcombe (1998) and Zou & Donner (2008), not the product's code.
const Z = 1.959963984540054
type C = { agree: number; n: number }
type Est = { points: number; ci95: [number, number] }
function wilson({ agree, n }: C): [number, number] {
  const p = agree / n
  const a = n + Z * Z
  const centre = (2 * agree + Z * Z) / (2 * a)
  const half = (Z * Math.sqrt(4 * n * p * (1 - p) + Z * Z)) / (2 * a)
  return [Math.max(0, centre - half), Math.min(1, centre + half)]
}
/** Sum of signed independent shares; MOVER: each term reaches to its own limit on the side its sign sends it. */
function moverSum(terms: Array<[1 | -1, C]>): Est {
  let estimate = 0
  const lower: number[] = []
  const upper: number[] = []
  for (const [sign, c] of terms) {
    const p = c.agree / c.n
    const [l, u] = wilson(c)
    estimate += sign * p
    lower.push(sign === 1 ? p - l : u - p)
    upper.push(sign === 1 ? u - p : p - l)
  }
  return { points: 100 * estimate, ci95: [100 * (estimate - Math.hypot(...lower)), 100 * (estimate + Math.hypot(...upper))] }
}
const change = (before: C, now: C) => moverSum([[1, now], [-1, before]])
function reference(unit: { before: Counts; now: Counts }, controls: Array<{ before: C; now: C }>) {
  const customer = unit.before.customer && unit.now.customer ? change(unit.before.customer, unit.now.customer) : null
  const gap = unit.before.staff && unit.before.customer && unit.now.staff && unit.now.customer
    ? moverSum([[1, unit.now.staff], [-1, unit.now.customer], [-1, unit.before.staff], [1, unit.before.customer]]) : null
  let did: (Est & { controls: number }) | null = null
  if (customer && controls.length > 0) {
    const m = controls.length
    const d = controls.map((c) => change(c.before, c.now))
    const mean = d.reduce((s, x) => s + x.points, 0) / m
    const meanLower = mean - Math.hypot(...d.map((x) => x.points - x.ci95[0])) / m
    const meanUpper = mean + Math.hypot(...d.map((x) => x.ci95[1] - x.points)) / m
    const value = customer.points - mean
    did = {
      points: value,
      ci95: [value - Math.hypot(customer.points - customer.ci95[0], meanUpper - mean), value + Math.hypot(customer.ci95[1] - customer.points, mean - meanLower)],
      controls: m,
    }
  }
  const verdict = !customer ? null : customer.ci95[0] > 0 && gap !== null && gap.points < 0 ? 'worked' : customer.ci95[1] < 0 ? 'worse' : 'no_effect_yet'
  return { customer, gap, did, verdict }
}
function expectNear(actual: Est | null, expected: Est | null, label: string) {
  if (expected === null) return expect(actual, label).toBeNull()
  expect(actual, label).not.toBeNull()
  for (const [a, e] of [[actual!.points, expected.points], [actual!.ci95[0], expected.ci95[0]], [actual!.ci95[1], expected.ci95[1]]] as const) {
    expect(Math.abs(a - e), `${label}: ${a} vs ${e}`).toBeLessThanOrEqual(1e-9)
  }
}

type Share = { suppressed: true } | { n: number; agree: number }
type Counts = { staff: C | null; customer: C | null }
type ApiReport = { items: Array<{ key: string; staff: Share; customer: Share }>; dimensions: Array<{ key: string; staff: Share; customer: Share }> }
const countsOf = (s: Share): C | null => ('suppressed' in s ? null : { agree: s.agree, n: s.n })

describeEachDatabase('the effect of action plans', (ctx: TestContext) => {
  let token: string
  let organization: { id: string; name: string; minGroupSize: number }
  let owner: Reader
  let manager: Reader
  let managerToken: string
  const units = new Map<UnitName, string>()
  const waves: Array<{ id: string; name: string }> = []
  const plans = new Map<string, ActionPlan>()

  const api = async (method: 'GET' | 'POST', url: string, payload?: unknown, as = token) => {
    const response = await ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(as), ...(payload === undefined ? {} : { payload: payload as object }) })
    if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`)
    return response.json()
  }
  /** What a wave's single-unit report shows this reader of a unit for an item or dimension. */
  const reports = new Map<string, Promise<ApiReport>>()
  const shown = async (waveId: string, unit: UnitName, measure: { item?: string; dimension?: string }, as = token): Promise<Counts> => {
    const address = `/waves/${waveId}/report?unit=${units.get(unit)}`
    // Read once per reader: the figures do not change while the test runs.
    if (!reports.has(`${as} ${address}`)) reports.set(`${as} ${address}`, api('GET', address, undefined, as))
    const report = await reports.get(`${as} ${address}`)!
    const row = measure.item ? report.items.find((i) => i.key === measure.item)! : report.dimensions.find((d) => d.key === measure.dimension)!
    return { staff: countsOf(row.staff), customer: countsOf(row.customer) }
  }
  /** The reference effect of a plan for a reader whose controls are `controls`, from what the reports show. */
  const expected = async (plan: ActionPlan, unit: UnitName, controls: UnitName[], as = token) => {
    const measure = plan.itemKey ? { item: plan.itemKey } : { dimension: plan.dimension! }
    const before = await shown(waves[0]!.id, unit, measure, as)
    const out = []
    for (const wave of waves.slice(1)) {
      const pairs: Array<{ before: C; now: C }> = []
      for (const control of controls) {
        const [b, n] = [(await shown(waves[0]!.id, control, measure, as)).customer, (await shown(wave.id, control, measure, as)).customer]
        if (b && n) pairs.push({ before: b, now: n })
      }
      out.push({ wave, ...reference({ before, now: await shown(wave.id, unit, measure, as) }, pairs), controls: pairs.length })
    }
    return out
  }
  const compare = (effect: Awaited<ReturnType<typeof planEffect>>, wanted: Awaited<ReturnType<typeof expected>>, label: string) => {
    expect(effect.since).toEqual(waves[0])
    expect(effect.points.map((p) => p.wave), label).toEqual(waves.slice(1))
    effect.points.forEach((point, i) => {
      const w = wanted[i]!
      expectNear(point.customerChange, w.customer, `${label} ${w.wave.name} customers`)
      expectNear(point.gapChange, w.gap, `${label} ${w.wave.name} gap`)
      expectNear(point.differenceInDifferences, w.did, `${label} ${w.wave.name} DiD`)
      expect(point.differenceInDifferences?.controls ?? null, label).toBe(w.did?.controls ?? null)
      expect(point.verdict, label).toBe(w.verdict)
    })
    expect(effect.verdict).toBe(effect.points.at(-1)!.verdict)
  }
  const plan = async (key: string, unit: UnitName, target: { itemKey?: string; dimension?: string }, status: ActionPlan['status'] = 'planned', wave = 0) => {
    plans.set(key, await insertActionPlan(ctx.database.db, organization.id, {
      waveId: waves[wave]!.id, unitId: units.get(unit)!, itemKey: target.itemKey ?? null, dimension: target.dimension ?? null,
      owner: 'Team lead', change: 'Say hello first.', dueOn: null, status, createdBy: null,
    }))
  }

  it('loads three waves of one template and one of another instrument between them', async () => {
    const tenant = await createTenant(ctx, 'Acme')
    organization = { id: tenant.organizationId, name: 'Acme', minGroupSize: 5 }
    token = await apiToken(ctx, tenant.owner.email)
    owner = { organizationId: tenant.organizationId, userId: tenant.owner.userId, role: 'owner' }
    for (const name of UNITS) units.set(name, (await api('POST', '/units', { name })).id)
    const other: InstrumentDefinition = structuredClone({ ...SERVICE_GAP_INDEX_V1, key: 'other-index', name: 'Other index' })
    await createInstrument(ctx.database.db, tenant.organizationId, other)
    for (const [i, name] of ['2026-Q2', 'Other survey', '2026-Q3', '2026-Q4'].entries()) {
      const wave = (await api('POST', '/waves', { name, templateKey: i === 1 ? 'other-index' : 'service-gap-index' })) as { id: string }
      await api('POST', `/waves/${wave.id}/responses`, rows(i === 1 ? 1 : Math.max(0, i - 1)))
      if (i !== 1) waves.push({ id: wave.id, name })
    }
    const email = await addPerson(ctx, tenant, 'unit_manager')
    const user = (await findUserByEmail(ctx.database.db, email))!
    await setManagedUnits(ctx.database.db, tenant.organizationId, user.id, [units.get('A')!, units.get('B')!, units.get('Tiny')!])
    manager = { organizationId: tenant.organizationId, userId: user.id, role: 'unit_manager' }
    managerToken = await apiToken(ctx, email)

    // The designed counts are what the reports show, and the small units' customers are hidden.
    expect(await shown(waves[0]!.id, 'A', { item: RISES })).toEqual({ staff: { agree: 18, n: 20 }, customer: { agree: 10, n: 20 } })
    expect(await shown(waves[1]!.id, 'A', { item: RISES })).toEqual({ staff: { agree: 18, n: 20 }, customer: { agree: 16, n: 20 } })
    expect(await shown(waves[1]!.id, 'B', { item: FALLS })).toEqual({ staff: { agree: 20, n: 25 }, customer: { agree: 15, n: 30 } })
    for (const wave of waves) {
      for (const unit of ['Tiny', 'Small'] as const) expect((await shown(wave.id, unit, { item: RISES })).customer).toBeNull()
      for (const unit of ['A', 'B', 'C', 'D', 'E'] as const) expect((await shown(wave.id, unit, { item: RISES })).customer).not.toBeNull()
    }

    await plan('A rises', 'A', { itemKey: RISES })
    await plan('B falls', 'B', { itemKey: FALLS })
    await plan('C attitude', 'C', { dimension: 'attitude' })
    await plan('Tiny rises', 'Tiny', { itemKey: RISES })
    // D has a plan on the same item from a later wave (it is treated, so no control); E's was dropped (it stays one).
    await plan('D rises', 'D', { itemKey: RISES }, 'in_progress', 1)
    await plan('E rises', 'E', { itemKey: RISES }, 'dropped')
  }, 180_000)

  it("worked: A's customers rose beyond chance and its gap narrowed, against controls B, C and E", async () => {
    const effect = await planEffect(ctx.database.db, organization, plans.get('A rises')!, owner)
    // Controls for want_to_help: not A, not D (its plan), not Tiny (its plan, and hidden), not Small (hidden); E's plan is dropped.
    const wanted = await expected(plans.get('A rises')!, 'A', ['B', 'C', 'E'])
    expect(wanted.map((w) => w.controls)).toEqual([3, 3])
    compare(effect, wanted, 'A')
    expect(effect.points.map((p) => p.verdict)).toEqual(['worked', 'worked'])
    expect(effect.verdict).toBe('worked')
    // The first later wave's figures by hand: 10/20 → 16/20 is +30 points [0.5136, 53.3503] (Python, Newcombe).
    expect(effect.points[0]!.customerChange!.points).toBeCloseTo(30, 9)
    expect(effect.points[0]!.customerChange!.ci95[0]).toBeCloseTo(0.5135928689325997, 9)
    expect(effect.points[0]!.gapChange!.points).toBeCloseTo(-30, 9)
  })

  it('worse, then no effect yet: B’s customers fell beyond chance and came back part way', async () => {
    const effect = await planEffect(ctx.database.db, organization, plans.get('B falls')!, owner)
    compare(effect, await expected(plans.get('B falls')!, 'B', ['A', 'C', 'D', 'E']), 'B')
    expect(effect.points.map((p) => p.verdict)).toEqual(['worse', 'no_effect_yet'])
    expect(effect.verdict).toBe('no_effect_yet')
  })

  it("a plan on a dimension reads the reports' dimension figures", async () => {
    const effect = await planEffect(ctx.database.db, organization, plans.get('C attitude')!, owner)
    const wanted = await expected(plans.get('C attitude')!, 'C', ['A', 'B', 'D', 'E'])
    expect(wanted.every((w) => w.customer !== null && w.gap !== null)).toBe(true)
    compare(effect, wanted, 'C attitude')
  })

  it('a unit whose customers are hidden gets no figures that need them, and leaks none of their counts', async () => {
    const effect = await planEffect(ctx.database.db, organization, plans.get('Tiny rises')!, owner)
    expect(effect.points.map(({ customerChange, gapChange, differenceInDifferences, verdict }) => ({ customerChange, gapChange, differenceInDifferences, verdict })))
      .toEqual([1, 2].map(() => ({ customerChange: null, gapChange: null, differenceInDifferences: null, verdict: null })))
    expect(effect.verdict).toBeNull()
  })

  it("a unit manager's controls are their own other units only; another unit's plan shows them nothing", async () => {
    const effect = await planEffect(ctx.database.db, organization, plans.get('A rises')!, manager)
    // Of A, B and Tiny: B is the only control (Tiny's customers are hidden, and it has a plan).
    const wanted = await expected(plans.get('A rises')!, 'A', ['B'], managerToken)
    expect(wanted.map((w) => w.controls)).toEqual([1, 1])
    compare(effect, wanted, 'A for the manager')
    expect(effect.points[0]!.differenceInDifferences!.controls).toBe(1)
    const elsewhere = await planEffect(ctx.database.db, organization, plans.get('C attitude')!, manager)
    for (const point of elsewhere.points) expect(point).toEqual({ wave: point.wave, customerChange: null, gapChange: null, differenceInDifferences: null, verdict: null })
  })

  it('in a batch, gives each plan exactly its own effect, in the order asked', async () => {
    const all = [...plans.values()]
    const batch = await planEffects(ctx.database.db, organization, all, owner)
    expect(batch).toHaveLength(all.length)
    for (const [i, p] of all.entries()) expect(batch[i]).toEqual(await planEffect(ctx.database.db, organization, p, owner))
    // D's plan starts at t₁: its one later wave is t₂.
    expect(batch[all.indexOf(plans.get('D rises')!)]!.points.map((p) => p.wave)).toEqual([waves[2]])
    expect(await planEffects(ctx.database.db, organization, [], owner)).toEqual([])
  })

  it("another organization's reader reads nothing of these plans", async () => {
    const stranger = await createTenant(ctx, 'Elsewhere')
    const effect = await planEffect(ctx.database.db, { id: stranger.organizationId, name: 'Elsewhere', minGroupSize: 5 }, plans.get('A rises')!,
      { organizationId: stranger.organizationId, userId: stranger.owner.userId, role: 'owner' })
    expect(effect).toEqual({ since: { id: plans.get('A rises')!.waveId, name: '' }, points: [], verdict: null })
  })
})
