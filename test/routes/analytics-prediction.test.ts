// Staff predict the customer, through the report API (issue 14 part 3): the headline three ways,
// each item's prediction error, and per unit the optimism bias, error and tracking, all checked
// against hand counts of the posted answers; a unit with too few staff gives no unit row, and a unit
// manager sees their own unit's row only.
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { setManagedUnits } from '../../server/repositories/unit-managers.js'
import { findUserByEmail } from '../../server/repositories/organizations.js'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, type Tenant } from '../helpers/app.js'

const ITEMS = SERVICE_GAP_INDEX_V1.items
const HEADLINE = ITEMS.find((item) => item.headline)!.key

// Per unit: customers agree on item j when (i + j) % 5 < agreeing; staff predict `predict` + (j % 3) out of 10.
const UNITS = [
  { name: 'Alpha', staff: 6, customers: 20, agreeing: 4, predict: 7 },
  { name: 'Bravo', staff: 6, customers: 20, agreeing: 1, predict: 8 },
  { name: 'Charlie', staff: 7, customers: 20, agreeing: 2, predict: 2 },
  { name: 'Delta', staff: 6, customers: 20, agreeing: 3, predict: 5 },
  { name: 'Echo', staff: 8, customers: 20, agreeing: 2, predict: 6 },
  // 3 + 2 staff: hidden, together at least 5, so they protect each other and no one else is hidden.
  { name: 'Foxtrot', staff: 3, customers: 20, agreeing: 4, predict: 1 },
  { name: 'Golf', staff: 2, customers: 20, agreeing: 0, predict: 9 },
]

const customerAnswer = (unit: (typeof UNITS)[number], i: number, j: number) => ((i + j) % 5 < unit.agreeing ? 5 : 2)
const guessOf = (unit: (typeof UNITS)[number], j: number, s: number) => Math.min(10, unit.predict + (j % 3) + (s % 2))

type Body = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

describeEachDatabase('staff predictions in the report', (ctx) => {
  let tenant: Tenant
  let token: string
  let waveId: string
  const report = async (query = '', as = token): Promise<Body> => {
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/report${query}`, headers: bearer(as) })
    expect(response.statusCode, response.body).toBe(200)
    return response.json()
  }

  it('sets up a wave whose staff predict every item', async () => {
    tenant = await createTenant(ctx, 'Acme')
    token = await apiToken(ctx, tenant.owner.email)
    for (const unit of UNITS) await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(token), payload: { name: unit.name } })
    const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name: 'Predicted', templateKey: 'service-gap-index', predictions: 'all' } })
    expect(created.statusCode, created.body).toBe(201)
    waveId = created.json().id
    const rows = UNITS.flatMap((unit) => [
      ...Array.from({ length: unit.customers }, (_, i) => ({ side: 'customer', unit: unit.name, answers: Object.fromEntries(ITEMS.map((item, j) => [item.key, customerAnswer(unit, i, j)])) })),
      ...Array.from({ length: unit.staff }, (_, s) => ({
        side: 'staff', unit: unit.name,
        answers: Object.fromEntries(ITEMS.map((item, j) => [item.key, (s + j) % 3 === 0 ? 3 : 4])),
        predictions: Object.fromEntries(ITEMS.map((item, j) => [item.key, guessOf(unit, j, s)])),
      })),
    ])
    const stored = await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${waveId}/responses`, headers: bearer(token), payload: rows })
    expect(stored.statusCode, stored.body).toBe(201)
  })

  it('reads the headline three ways, with the prediction error a hand count confirms', async () => {
    const body = await report()
    const prediction = body.prediction
    expect(prediction, JSON.stringify(body.unavailable)).not.toBeNull()
    expect(prediction.mode).toBe('all')
    expect(prediction.items.map((i: Body) => i.key)[0]).toBe(HEADLINE)
    expect(prediction.items).toHaveLength(ITEMS.length)
    const j = ITEMS.findIndex((item) => item.key === HEADLINE)
    const guesses = UNITS.flatMap((unit) => Array.from({ length: unit.staff }, (_, s) => guessOf(unit, j, s) / 10))
    const distribution = Array.from({ length: 11 }, (_, k) => guesses.filter((g) => Math.round(g * 10) === k).length)
    const mean = guesses.reduce((a, b) => a + b, 0) / guesses.length
    expect(prediction.headline.predicted).toMatchObject({ n: guesses.length, distribution })
    expect(prediction.headline.predicted.share).toBeCloseTo(mean, 12)
    expect(prediction.headline.staff).toEqual({ n: body.headline.staff.n, share: body.headline.staff.share, ci95: body.headline.staff.ci95 })
    expect(prediction.headline.customer.share).toBe(body.headline.customer.share)
    expect(prediction.headline.error.points).toBeCloseTo((mean - body.headline.customer.share) * 100, 9)
    expect(prediction.scope).toEqual({ unit: null, staff: {}, customer: {}, wholeWave: false, note: null })
  })

  it('rates each shown unit\'s predictions, leaving out units with too few staff', async () => {
    const body = await report()
    const units = body.prediction.units
    expect(units.map((u: Body) => u.unit.name).sort()).toEqual(['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'])
    // Most optimistic first.
    for (let i = 1; i < units.length; i++) expect(units[i - 1].optimismBias).toBeGreaterThanOrEqual(units[i].optimismBias)
    for (const row of units) {
      const unit = UNITS.find((u) => u.name === row.unit.name)!
      const errors = ITEMS.map((_, j) => {
        const predicted = Array.from({ length: unit.staff }, (__, s) => guessOf(unit, j, s) / 10).reduce((a, b) => a + b, 0) / unit.staff
        const actual = Array.from({ length: unit.customers }, (__, i) => customerAnswer(unit, i, j) >= 4 ? 1 : 0).reduce<number>((a, b) => a + b, 0) / unit.customers
        return (predicted - actual) * 100
      })
      expect(row.items).toBe(ITEMS.length)
      expect(row.optimismBias).toBeCloseTo(errors.reduce((a, b) => a + b, 0) / errors.length, 9)
      expect(row.meanAbsoluteError).toBeCloseTo(errors.reduce((a, b) => a + Math.abs(b), 0) / errors.length, 9)
    }
  })

  it('shows a unit manager only their own unit\'s predictions', async () => {
    const email = await addPerson(ctx, tenant, 'unit_manager')
    const user = (await findUserByEmail(ctx.database.db, email))!
    const bravo = (await report('?unit=Bravo')).filters.unit.id
    await setManagedUnits(ctx.database.db, tenant.organizationId, user.id, [bravo])
    const body = await report('?unit=Bravo', await apiToken(ctx, email))
    expect(body.prediction.units.map((u: Body) => u.unit.name)).toEqual(['Bravo'])
    expect(body.prediction.scope.unit.name).toBe('Bravo')
  })
})
