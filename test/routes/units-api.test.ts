// Units and a wave's unit links through the API, as on the units page and the wave's operations
// tab: a unit nothing names can be deleted (one in use is kept, to archive instead), and a wave gets
// links for the units added after it was made.
import { beforeAll, expect, it } from 'vitest'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, type Tenant } from '../helpers/app.js'

describeEachDatabase('units and unit links through the API', (ctx) => {
  let tenant: Tenant
  let owner: string
  let viewer: string
  const call = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) })
  const unit = async (name: string) => (await call(owner, 'POST', '/units', { name })).json().id as string

  beforeAll(async () => {
    tenant = await createTenant(ctx)
    owner = await apiToken(ctx, tenant.owner.email)
    viewer = await apiToken(ctx, await addPerson(ctx, tenant, 'viewer'))
  })

  it('gives a wave links for the units added since, once, and none for an archived unit', async () => {
    const north = await unit('North')
    const wave = (await call(owner, 'POST', '/waves', { name: 'Q1', templateKey: 'service-gap-index' })).json()
    expect(wave.unitLinks).toEqual([])
    const south = await unit('South')
    const closed = await unit('Closed shop')
    await call(owner, 'PATCH', `/units/${closed}`, { archived: true })
    const added = await call(owner, 'POST', `/waves/${wave.id}/unit-links`)
    expect(added.statusCode).toBe(200)
    const links = added.json().unitLinks as { unit: { id: string }; staff: string; customer: string }[]
    expect(links.map((l) => l.unit.id).sort()).toEqual([north, south].sort())
    expect(links.every((l) => /\/s\/[^/]+$/.test(l.staff) && /\/s\/[^/]+$/.test(l.customer) && l.staff !== l.customer)).toBe(true)
    // A second call adds nothing and changes no link.
    expect((await call(owner, 'POST', `/waves/${wave.id}/unit-links`)).json().unitLinks).toEqual(added.json().unitLinks)
    // The new link takes an answer for its unit.
    const southLink = links.find((l) => l.unit.id === south)!
    const survey = await ctx.app.inject({ method: 'GET', url: new URL(southLink.customer).pathname })
    expect(survey.statusCode).toBe(200)
    expect((await call(viewer, 'POST', `/waves/${wave.id}/unit-links`)).statusCode).toBe(403)
    const other = await apiToken(ctx, (await createTenant(ctx, 'Other')).owner.email)
    expect((await call(other, 'POST', `/waves/${wave.id}/unit-links`)).statusCode).toBe(404)
  })

  it('deletes a unit nothing names, and keeps one in use with a 409 that says to archive it', async () => {
    const spare = await unit('Spare')
    const inUse = (await call(owner, 'GET', '/units?limit=1000')).json().find((u: { name: string }) => u.name === 'North').id
    const other = await apiToken(ctx, (await createTenant(ctx, 'Elsewhere')).owner.email)
    expect((await call(other, 'DELETE', `/units/${spare}`)).statusCode).toBe(404)
    expect((await call(viewer, 'DELETE', `/units/${spare}`)).statusCode).toBe(403)
    const kept = await call(owner, 'DELETE', `/units/${inUse}`)
    expect(kept.statusCode).toBe(409)
    expect(kept.json()).toMatchObject({ error: 'unit_in_use', message: expect.stringContaining('Archive it instead') })
    expect((await call(owner, 'DELETE', `/units/${spare}`)).statusCode).toBe(204)
    expect((await call(owner, 'DELETE', `/units/${spare}`)).statusCode).toBe(404)
    const names = (await call(owner, 'GET', '/units?limit=1000')).json().map((u: { name: string }) => u.name)
    expect(names).toContain('North')
    expect(names).not.toContain('Spare')
    const logged = await ctx.database.db.selectFrom('audit_log').select('target').where('organization_id', '=', tenant.organizationId).where('action', '=', 'unit_deleted').execute()
    expect(logged).toEqual([{ target: 'unit Spare' }])
  })
})
