// Notification and retention settings through the API, on both databases: the same settings the
// pages show and change, with the pages' rules — a person follows only units they may read, a
// retention rule is a number of months or none, only an owner sets retention — and one
// organization's settings never reach another.
import { expect, it } from 'vitest'
import { listAudit } from '../../server/repositories/audit.js'
import { notificationSettings } from '../../server/repositories/notification-settings.js'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, signedIn, type Tenant, type TestContext } from '../helpers/app.js'

describeEachDatabase('notification and retention settings through the API', (ctx: TestContext) => {
  let tenant: Tenant
  let owner: string
  let north: string
  let south: string

  function api(token: string, method: 'GET' | 'PATCH' | 'POST', url: string, payload?: unknown) {
    return ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) })
  }

  it('sets up an organization with two units', async () => {
    tenant = await createTenant(ctx, 'Settings Co')
    owner = await apiToken(ctx, tenant.owner.email)
    north = (await api(owner, 'POST', '/units', { name: 'North' })).json().id
    south = (await api(owner, 'POST', '/units', { name: 'South' })).json().id
  })

  it('reads and changes a person\'s own notification settings, as the page does, field by field', async () => {
    const email = await addPerson(ctx, tenant, 'viewer')
    const token = await apiToken(ctx, email)
    const start = await api(token, 'GET', '/account/notifications')
    expect(start.statusCode).toBe(200)
    expect(start.json()).toMatchObject({ units: null, digest: expect.any(String), locale: 'en' })
    expect(start.json().followable.map((u: { name: string }) => u.name).sort()).toEqual(['North', 'South'])

    const changed = await api(token, 'PATCH', '/account/notifications', { units: [south], digest: 'weekly' })
    expect(changed.statusCode, changed.body).toBe(200)
    expect(changed.json()).toMatchObject({ units: [south], digest: 'weekly', alertEmail: start.json().alertEmail, locale: 'en' })
    const user = await ctx.database.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()
    expect(await notificationSettings(ctx.database.db, tenant.organizationId, user.id, 'en')).toMatchObject({ unitIds: [south], digest: 'weekly' })

    // The page shows what the API saved, and what the page saves the API reads.
    const browser = await signedIn(ctx, email)
    const page = await browser.get('/account/notifications')
    expect(page.body).toMatch(new RegExp(`value="${south}"[^>]*checked`))
    expect((await browser.post('/account/notifications', { follow: 'all', alertEmail: 'on', digest: 'close', locale: 'de' })).statusCode).toBe(303)
    expect((await api(token, 'GET', '/account/notifications')).json()).toMatchObject({ units: null, alertEmail: true, digest: 'close', locale: 'de' })

    for (const [body, field] of [[{ locale: 'xx' }, 'locale'], [{ units: ['00000000-0000-4000-8000-000000000000'] }, 'units'], [{ units: [] }, 'units'], [{ digest: 'hourly' }, undefined], [{ colour: 'red' }, undefined]] as const) {
      const refused = await api(token, 'PATCH', '/account/notifications', body)
      expect(refused.statusCode, JSON.stringify(body)).toBe(400)
      expect(refused.json().error).toBe('validation_failed')
      if (field) expect(refused.json().details.map((d: { field: string }) => d.field), JSON.stringify(body)).toEqual([field])
    }
    expect((await api(token, 'GET', '/account/notifications')).json()).toMatchObject({ units: null, digest: 'close', locale: 'de' })
  })

  it('lets a unit manager follow their own units only', async () => {
    const email = await addPerson(ctx, tenant, 'unit_manager')
    const person = (await api(owner, 'GET', '/people')).json().find((p: { email: string }) => p.email === email)
    expect((await api(owner, 'PATCH', `/people/${person.id}`, { units: [north] })).statusCode).toBe(200)
    const token = await apiToken(ctx, email)
    expect((await api(token, 'GET', '/account/notifications')).json().followable).toEqual([{ id: north, name: 'North' }])
    const refused = await api(token, 'PATCH', '/account/notifications', { units: [south] })
    expect(refused.statusCode).toBe(400)
    expect(refused.json().details).toEqual([{ field: 'units', message: expect.stringContaining('only units whose reports you may read') }])
    expect((await api(token, 'PATCH', '/account/notifications', { units: [north] })).json().units).toEqual([north])
  })

  it('reads and changes the retention rules: owners only, one field at a time, audited, shown on the page', async () => {
    expect((await api(owner, 'GET', '/settings/retention')).json()).toEqual({ contactMonths: null, commentMonths: null })
    const set = await api(owner, 'PATCH', '/settings/retention', { contactMonths: 24, commentMonths: 6 })
    expect(set.statusCode, set.body).toBe(200)
    expect(set.json()).toEqual({ contactMonths: 24, commentMonths: 6 })
    expect((await api(owner, 'PATCH', '/settings/retention', { commentMonths: null })).json()).toEqual({ contactMonths: 24, commentMonths: null })
    const page = await (await signedIn(ctx, tenant.owner.email)).get('/settings/retention')
    expect(page.body).toMatch(/name="contactMonths"[^>]*value="24"|value="24"[^>]*name="contactMonths"/)
    const audit = await listAudit(ctx.database.db, tenant.organizationId, { action: 'settings_changed', limit: 50 })
    expect(audit.filter((event) => event.target === 'retention').length).toBeGreaterThanOrEqual(2)

    for (const body of [{ contactMonths: 0 }, { contactMonths: 601 }, { contactMonths: 1.5 }, { commentMonths: 'twelve' }, { contactMonths: -3 }, { forever: true }]) {
      const refused = await api(owner, 'PATCH', '/settings/retention', body)
      expect(refused.statusCode, JSON.stringify(body)).toBe(400)
      expect(refused.json()).toMatchObject({ error: 'validation_failed', message: expect.any(String) })
    }
    expect((await api(owner, 'GET', '/settings/retention')).json()).toEqual({ contactMonths: 24, commentMonths: null })

    const admin = await apiToken(ctx, await addPerson(ctx, tenant, 'admin'))
    expect((await api(admin, 'GET', '/settings/retention')).statusCode).toBe(403)
    expect((await api(admin, 'PATCH', '/settings/retention', { contactMonths: 1 })).statusCode).toBe(403)
    expect((await api(owner, 'GET', '/settings/retention')).json().contactMonths).toBe(24)
  })

  it('keeps each organization\'s settings to itself', async () => {
    const other = await createTenant(ctx, 'Other Settings Co')
    const stranger = await apiToken(ctx, other.owner.email)
    expect((await api(stranger, 'GET', '/settings/retention')).json()).toEqual({ contactMonths: null, commentMonths: null })
    const theirs = (await api(stranger, 'GET', '/account/notifications')).json()
    expect(theirs.followable).toEqual([])
    const refused = await api(stranger, 'PATCH', '/account/notifications', { units: [north] })
    expect(refused.statusCode).toBe(400)
    expect((await api(owner, 'GET', '/settings/retention')).json().contactMonths).toBe(24)
  })
})
