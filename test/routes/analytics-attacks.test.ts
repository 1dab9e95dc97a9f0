// Attacks on the anonymity of the leadership analytics (design §5), as a reader with an API token
// would try them: subtracting one unit's predictions from the whole wave's, and reading counts of a
// few staff out of the linkage's staff ICC. Each test states what the reader must not learn.
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { apiToken, bearer, createTenant, describeEachDatabase, type Tenant } from '../helpers/app.js'

const ITEMS = SERVICE_GAP_INDEX_V1.items
const HEADLINE = ITEMS.find((item) => item.headline)!.key

// Bravo has exactly five staff, one of whom gives no headline prediction; Alpha has six, one of whom
// answers every staff item "not applicable" (and gives predictions); in Charlie one leaves out the headline.
const UNITS = [
  { name: 'Alpha', staff: 6, agreeing: 4 },
  { name: 'Bravo', staff: 5, agreeing: 1 },
  { name: 'Charlie', staff: 6, agreeing: 2 },
  { name: 'Delta', staff: 7, agreeing: 3 },
  { name: 'Echo', staff: 6, agreeing: 2 },
]

type Body = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

describeEachDatabase('analytics: anonymity attacks', (ctx) => {
  let tenant: Tenant
  let token: string
  let waveId: string
  const report = async (query = ''): Promise<Body> => {
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/report${query}`, headers: bearer(token) })
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
    const rows = UNITS.flatMap((unit, u) => [
      ...Array.from({ length: 20 }, (_, i) => ({ side: 'customer', unit: unit.name, answers: Object.fromEntries(ITEMS.map((item, j) => [item.key, (i + j) % 5 < unit.agreeing ? 5 : 2])) })),
      ...Array.from({ length: unit.staff }, (_, s) => {
        const silent = unit.name === 'Alpha' && s === 0
        const skips = unit.name === 'Bravo' && s === 0
        const noHeadline = unit.name === 'Charlie' && s === 0
        const answer = (key: string, j: number) => (silent || (noHeadline && key === HEADLINE) ? null : (s + j) % 5 <= u ? 4 : 2)
        return {
          side: 'staff', unit: unit.name,
          answers: Object.fromEntries(ITEMS.map((item, j) => [item.key, answer(item.key, j)])),
          predictions: Object.fromEntries(ITEMS.flatMap((item, j) => (skips && item.key === HEADLINE ? [] : [[item.key, (u + s + j) % 11]]))),
        }
      }),
    ])
    const stored = await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${waveId}/responses`, headers: bearer(token), payload: rows })
    expect(stored.statusCode, stored.body).toBe(201)
  })

  it('does not let the whole wave\'s headline predictions minus the other units\' give Bravo\'s four', async () => {
    const whole = (await report()).prediction.headline.predicted
    const bravo = (await report('?unit=Bravo')).prediction.headline.predicted
    expect(bravo).toBeNull()
    const others = await Promise.all(['Alpha', 'Charlie', 'Delta', 'Echo'].map(async (name) => (await report(`?unit=${name}`)).prediction.headline.predicted))
    // Either the whole or some other unit is hidden too, or the subtraction is impossible.
    const readable = whole !== null && others.every((o) => o !== null)
    expect(readable).toBe(false)
    // Bravo's unit row compares only the items whose predictions its release shows: not the headline.
    const row = (await report()).prediction.units.find((u: Body) => u.unit.name === 'Bravo')
    if (row) expect(row.items).toBeLessThan(ITEMS.length)
  })

  it('gives the staff ICC over released counts, not a count of the one staff member who answered every item "not applicable"', async () => {
    const body = await report()
    const linkage = body.linkage
    expect(linkage, JSON.stringify(body.unavailable)).not.toBeNull()
    expect(linkage.units).toBe(5)
    // Alpha's six staff are shown (each item answered by five), so the points count 30 staff; the ANOVA
    // scored 29 (no released count: Charlie's headline n is 5), so icc.staff.respondents (and icc1 with icc2, through k̄) told that exactly one staff
    // member in these units answered no item. Its n must be one the release shows: the headline's.
    const headlineN = await Promise.all(linkage.points.map(async (p: Body) => (await report(`?unit=${p.unit.name}`)).headline.staff.n as number))
    expect(linkage.points.reduce((s: number, p: Body) => s + p.staffN, 0)).toBe(30)
    expect(linkage.icc.staff).not.toBeNull()
    expect(linkage.icc.staff.respondents).toBe(headlineN.reduce((a, b) => a + b, 0))
  })
})
