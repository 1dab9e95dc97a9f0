import { expect, it } from 'vitest'
import type { Scale } from '../../server/domain/types.js'
import { NO_UNIT } from '../../db/schema.js'
import { fromAnswers, fromRollups } from '../../server/repositories/reports.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { apiToken, bearer, createTenant, describeEachDatabase, type Tenant } from '../helpers/app.js'
import { profilesAndRecount } from '../helpers/recount.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((i) => i.key)
const SCALES = new Map<string, Scale>(SERVICE_GAP_INDEX_V1.items.map((i) => [i.key, i.scale]))

/** A response whose headline answer agrees or not, and whose other answers vary deterministically. */
function row(side: 'staff' | 'customer', agrees: boolean, seed: number, extra: Record<string, unknown> = {}) {
  const answers: Record<string, number | null> = {}
  KEYS.forEach((key, i) => {
    answers[key] = key === 'excellent_service' ? (agrees ? 5 : 2) : ((seed * 7 + i * 3) % 6 === 5 ? null : ((seed + i) % 5) + 1)
  })
  return { side, answers, ...extra }
}

describeEachDatabase('the gap report', (ctx) => {
  let tenant: Tenant
  let token: string
  let waveId: string
  const report = async (query = '') => ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/report${query}`, headers: bearer(token) })

  it('shows 80% of staff against 8% of customers as a significant 72-point blind spot', async () => {
    tenant = await createTenant(ctx, 'Acme')
    token = await apiToken(ctx, tenant.owner.email)
    const units = ['North', 'South', 'Tiny']
    for (const name of units) await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(token), payload: { name } })
    waveId = (await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name: '2026-Q4', templateKey: 'service-gap-index' } })).json().id
    const rows = [
      ...Array.from({ length: 100 }, (_, i) => row('staff', i < 80, i, { unit: i < 50 ? 'North' : i < 98 ? 'South' : 'Tiny', attributes: { role: i % 2 ? 'agent' : 'lead' } })),
      ...Array.from({ length: 100 }, (_, i) => row('customer', i < 8, i + 1000, { unit: i < 60 ? 'North' : 'South', attributes: { tier: i < 97 ? 'standard' : 'gold' } })),
    ]
    const stored = await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${waveId}/responses`, headers: bearer(token), payload: rows })
    expect(stored.statusCode).toBe(201)

    const response = await report()
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.wave).toEqual({ id: waveId, name: '2026-Q4' })
    expect(body.minGroupSize).toBe(5)
    expect(body.headline.key).toBe('excellent_service')
    expect(body.headline.customerText).toBe('I receive excellent service from Acme.')
    expect(body.headline.staff).toMatchObject({ n: 100, agree: 80, share: 0.8, distribution: [0, 20, 0, 0, 80] })
    expect(body.headline.staff.ci95[0]).toBeCloseTo(0.711170834406841, 12)
    expect(body.headline.customer).toMatchObject({ n: 100, agree: 8, share: 0.08 })
    expect(body.headline.gap.points).toBeCloseTo(72, 10)
    expect(body.headline.gap.ci95[0]).toBeCloseTo(60.69160851430025, 9)
    expect(body.headline.gap.significant).toBe(true)
    expect(body.headline.classification).toBe('blind_spot')
    expect(body.items).toHaveLength(12)
    expect(body.dimensions.map((d: { key: string }) => d.key)).toEqual(['attitude', 'ability', 'structure', 'focus', 'fit', 'listening', 'care'])
    for (const item of body.items) if (item.gap) expect(item.gap.qValue).toBeGreaterThanOrEqual(item.gap.pValue)
  })

  it('keeps the rollups equal to a recount of the raw answers, whole and per unit, profiles included', async () => {
    const db = ctx.database.db
    const units = await db.selectFrom('units').select('id').where('organization_id', '=', tenant.organizationId).execute()
    for (const side of ['staff', 'customer'] as const) {
      for (const unitId of [null, NO_UNIT, ...units.map((u) => u.id)]) {
        const rolled = await fromRollups(db, tenant.organizationId, waveId, side, unitId, SCALES)
        const raw = await fromAnswers(db, tenant.organizationId, waveId, side, { unitId, attributes: {} }, SCALES)
        expect(rolled.respondents, `${side} ${unitId}`).toBe(raw.respondents)
        expect(Object.fromEntries(rolled.distributions)).toEqual(Object.fromEntries(raw.distributions))
        for (const [key, value] of raw.dimensions) {
          expect(rolled.dimensions.get(key)).toMatchObject({ n: value.n, agree: value.agree })
          expect(rolled.dimensions.get(key)!.meanSum).toBeCloseTo(value.meanSum, 9)
        }
      }
      // Per unit and attribute set, the measure vectors the release reads, recounted from the raw answers.
      const { rolled, recounted } = await profilesAndRecount(db, waveId, side)
      expect(rolled).toEqual(recounted)
      expect(rolled.length).toBeGreaterThanOrEqual(3)
      expect(rolled.reduce((sum, p) => sum + p.counts[0]!, 0)).toBe(100)
    }
  })

  it('filters by unit and hides a unit with fewer respondents than the minimum', async () => {
    const north = (await report('?unit=North')).json()
    expect(north.filters.unit.name).toBe('North')
    expect(north.headline.staff).toMatchObject({ n: 50, agree: 50 })
    const tiny = (await report('?unit=tiny')).json()
    expect(tiny.headline.staff).toEqual({ suppressed: true })
    expect(tiny.headline.customer).toEqual({ suppressed: true })
    expect(tiny.headline.gap).toBeNull()
    expect(tiny.headline.classification).toBe('insufficient_data')
  })

  it('hides a group whose remainder would be revealed by subtraction', async () => {
    // South has 48 staff; the rest of the staff side is 52, fine. Customers: a filter selecting 97 of
    // 100 leaves 3, below the minimum of 5, so the 97 are hidden too.
    // Standard (97) is hidden so that gold's three are not the rest of the whole: a value whose group is
    // hidden cannot be chosen either.
    const standard = await report('?customer.tier=standard')
    expect(standard.statusCode).toBe(400)
    expect(standard.json().error).toBe('unknown_filter')
    // Gold is held by 3 customers: fewer than the minimum, so it cannot be chosen at all, with the
    // same answer as for a value nobody holds.
    const gold = await report('?customer.tier=gold')
    expect(gold.statusCode).toBe(400)
    expect(gold.json().error).toBe('unknown_filter')
    const nobody = await report('?customer.tier=platinum')
    expect(nobody.statusCode).toBe(400)
    expect(nobody.json().message.replace('platinum', 'gold')).toBe(gold.json().message)
    const leads = (await report('?staff.role=lead')).json()
    expect(leads.headline.staff).toMatchObject({ n: 50 })
    // The same filter as a client serializes the document's `filters` object in deepObject style
    // (openapi-fetch's default), under the same rules: the same report, the same refusals.
    expect((await report('?filters[staff.role]=lead')).json()).toEqual(leads)
    const deepGold = await report('?filters[customer.tier]=gold')
    expect(deepGold.statusCode).toBe(400)
    expect(deepGold.json().error).toBe('unknown_filter')
    expect((await report('?filters[unit]=North')).json()).toMatchObject({ error: 'unknown_filter', message: expect.stringContaining('"filters[unit]"') })
  })

  it('refuses unknown filters with a clear message', async () => {
    for (const query of ['?colour=blue', '?staff.tier=gold', '?unit=Atlantis', '?customer.=x']) {
      const response = await report(query)
      expect(response.statusCode, query).toBe(400)
      expect(response.json().error).toBe('unknown_filter')
      expect(response.json().message.length).toBeGreaterThan(10)
    }
    // A filter is one value: given twice, it fails the declared query schema, naming the filter.
    for (const query of ['?unit=North&unit=South', '?customer.tier=gold&customer.tier=silver']) {
      const twice = await report(query)
      expect(twice.statusCode, query).toBe(400)
      expect(twice.json()).toMatchObject({ error: 'validation_failed', details: [{ field: query.includes('unit') ? 'unit' : 'customer.tier' }] })
    }
  })

  it('suppresses a side with fewer respondents than the minimum and follows a larger minimum', async () => {
    await ctx.database.db.updateTable('organizations').set({ min_group_size: 50 }).where('id', '=', tenant.organizationId).execute()
    const south = (await report('?unit=South')).json()
    expect(south.headline.staff).toEqual({ suppressed: true })
    expect(south.headline.customer).toEqual({ suppressed: true })
    await ctx.database.db.updateTable('organizations').set({ min_group_size: 5 }).where('id', '=', tenant.organizationId).execute()
  })
})

describeEachDatabase('the responses export', (ctx) => {
  it('gives one row per response and one column per item, safe from formulas, with nothing that singles out staff', async () => {
    const tenant = await createTenant(ctx, 'Acme')
    const token = await apiToken(ctx, tenant.owner.email)
    await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(token), payload: { name: 'Big' } })
    await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(token), payload: { name: 'Small' } })
    const waveId = (await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name: 'Export wave', templateKey: 'service-gap-index' } })).json().id
    const rows = [
      ...Array.from({ length: 6 }, (_, i) => ({ side: 'staff', unit: 'Big', attributes: { role: 'lead' }, answers: { excellent_service: 4, easy: null }, comment: i === 0 ? '=HYPERLINK("http://evil")' : null })),
      { side: 'staff', unit: 'Small', answers: { excellent_service: 2 }, comment: 'only me here' },
      { side: 'customer', unit: 'Small', attributes: { tier: '@gold' }, answers: { excellent_service: 5 }, comment: '+1, "great"' },
    ]
    expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${waveId}/responses`, headers: bearer(token), payload: rows })).statusCode).toBe(201)
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/export.csv`, headers: bearer(token) })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(response.headers['content-disposition']).toContain('attachment; filename="service-gap-Export-wave-responses.csv"')
    const lines = response.body.replace(/^\ufeff/, '').trim().split('\r\n')
    expect(lines).toHaveLength(9)
    expect(lines[0]).toBe(`response,side,unit,submitted,language,channel,${KEYS.join(',')},comment,customer.tier,anonymity`)
    const staff = lines.filter((line) => line.startsWith(',staff,'))
    expect(staff).toHaveLength(7)
    expect(staff.every((line) => /^,staff,,\d{4}-\d{2}-\d{2},/.test(line))).toBe(true)
    // Small's one staff member would stand out alone among the rows without a unit, so Big (the only
    // other unit) is left out too.
    expect(staff.filter((line) => line.startsWith(',staff,,'))).toHaveLength(7)
    expect(response.body).toContain(`"'=HYPERLINK(""http://evil"")"`)
    expect(response.body).not.toContain('lead')
    const customer = lines.find((line) => line.includes(',customer,'))!
    expect(customer).toMatch(/^[0-9a-f-]{36},customer,Small,\d{4}-\d{2}-\d{2}T/)
    expect(customer).toContain(`"'+1, ""great"""`)
    expect(customer.endsWith(",'@gold,")).toBe(true)
    // One of Big's rows without a comment (chosen by that, so that the answers below are really checked).
    const bigRow = staff.map((line) => line.split(',')).find((cells) => cells[6 + KEYS.length] === '')!
    const easy = 6 + KEYS.indexOf('easy')
    expect(bigRow[6 + KEYS.indexOf('excellent_service')]).toBe('4')
    expect(bigRow[easy]).toBe('na')
    expect(bigRow[6 + KEYS.indexOf('trust')]).toBe('')
  })

  it('is refused to viewers', async () => {
    const tenant = await createTenant(ctx, 'Viewer Org')
    const { addPerson } = await import('../helpers/app.js')
    const email = await addPerson(ctx, tenant, 'viewer')
    const token = await apiToken(ctx, email)
    const owner = await apiToken(ctx, tenant.owner.email)
    const waveId = (await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(owner), payload: { name: 'V', templateKey: 'service-gap-index' } })).json().id
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/export.csv`, headers: bearer(token) })).statusCode).toBe(403)
  })
})
