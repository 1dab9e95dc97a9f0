// The organization's settings and the audit log through the API: the same rules as the settings,
// sign-in security and audit pages, each change visible on the page and in the log.
import { beforeAll, expect, it } from 'vitest'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, signedIn, type Tenant } from '../helpers/app.js'

describeEachDatabase('the organization API', (ctx) => {
  let tenant: Tenant
  let owner: string
  let admin: string
  let adminEmail: string
  let analyst: string
  const call = (token: string, method: 'GET' | 'PATCH', url: string, payload?: object) =>
    ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) })

  beforeAll(async () => {
    tenant = await createTenant(ctx, 'Acme <Ltd>')
    owner = await apiToken(ctx, tenant.owner.email)
    adminEmail = await addPerson(ctx, tenant, 'admin')
    admin = await apiToken(ctx, adminEmail)
    analyst = await apiToken(ctx, await addPerson(ctx, tenant, 'analyst'))
  })

  it('reads the settings, and changes only the fields given, as the settings page shows them', async () => {
    const before = await call(owner, 'GET', '/organization')
    expect(before.statusCode).toBe(200)
    expect(before.json()).toEqual({ name: 'Acme <Ltd>', minGroupSize: 5, defaultLocale: 'en', senderName: '', replyTo: null, requireTwoFactor: false })
    const changed = await call(admin, 'PATCH', '/organization', { minGroupSize: 8, replyTo: 'Help@Acme.example', senderName: '  Acme   care ' })
    expect(changed.statusCode).toBe(200)
    expect(changed.json()).toEqual({ name: 'Acme <Ltd>', minGroupSize: 8, defaultLocale: 'en', senderName: 'Acme care', replyTo: 'help@acme.example', requireTwoFactor: false })
    expect((await call(owner, 'GET', '/organization')).json()).toEqual(changed.json())
    const page = await (await signedIn(ctx, tenant.owner.email)).get('/settings')
    expect(page.body).toContain('value="8"')
    expect(page.body).toContain('help@acme.example')
    // null removes the reply-to address; the rest stays.
    expect((await call(owner, 'PATCH', '/organization', { replyTo: null })).json()).toMatchObject({ replyTo: null, minGroupSize: 8, senderName: 'Acme care' })
  })

  it('names every problem under its field and changes nothing while there is one', async () => {
    const refused = await call(owner, 'PATCH', '/organization', { name: ' ', minGroupSize: 2, defaultLocale: 'xx', replyTo: 'a@b.example, c@d.example' })
    expect(refused.statusCode).toBe(400)
    expect(refused.json().error).toBe('validation_failed')
    expect(refused.json().details.map((d: { field: string }) => d.field).sort()).toEqual(['defaultLocale', 'minGroupSize', 'name', 'replyTo'])
    expect((await call(owner, 'GET', '/organization')).json()).toMatchObject({ name: 'Acme <Ltd>', minGroupSize: 8 })
    // Unknown fields and wrong types fail the declared schema.
    expect((await call(owner, 'PATCH', '/organization', { colour: 'red' })).statusCode).toBe(400)
    expect((await call(owner, 'PATCH', '/organization', { minGroupSize: '7' })).json()).toMatchObject({ minGroupSize: 7 })
    expect((await call(owner, 'PATCH', '/organization', { requireTwoFactor: 'yes' })).statusCode).toBe(400)
  })

  it('leaves two-factor sign-in to owners, and keeps settings from roles without the permission', async () => {
    const byAdmin = await call(admin, 'PATCH', '/organization', { requireTwoFactor: true })
    expect(byAdmin.statusCode).toBe(403)
    expect(byAdmin.json().message).toContain('Only an owner')
    // The admin's other changes in that request are not made either.
    expect((await call(admin, 'PATCH', '/organization', { name: 'Renamed', requireTwoFactor: true })).statusCode).toBe(403)
    expect((await call(owner, 'GET', '/organization')).json()).toMatchObject({ name: 'Acme <Ltd>', requireTwoFactor: false })
    // Sending today's value is no change, so an admin may send the whole object back.
    expect((await call(admin, 'PATCH', '/organization', { requireTwoFactor: false, name: 'Acme' })).statusCode).toBe(200)
    // Turned on as on the security page: whoever else has no second factor is signed out.
    const adminBrowser = await signedIn(ctx, adminEmail)
    expect((await adminBrowser.get('/waves')).statusCode).toBe(200)
    expect((await call(owner, 'PATCH', '/organization', { requireTwoFactor: true })).json()).toMatchObject({ requireTwoFactor: true, name: 'Acme' })
    expect((await adminBrowser.get('/waves')).headers.location).toMatch(/^\/login/)
    await call(owner, 'PATCH', '/organization', { requireTwoFactor: false })
    for (const [method, url] of [['GET', '/organization'], ['PATCH', '/organization']] as const) {
      expect((await call(analyst, method, url, method === 'PATCH' ? { name: 'Nope' } : undefined)).statusCode).toBe(403)
    }
  })

  it('keeps each organization to its own settings', async () => {
    const other = await createTenant(ctx, 'Other')
    const theirs = await apiToken(ctx, other.owner.email)
    await call(theirs, 'PATCH', '/organization', { name: 'Other renamed' })
    expect((await call(owner, 'GET', '/organization')).json().name).toBe('Acme')
  })

  it('lists the audit log newest first, filtered as the audit page filters it, by cursor, to owners only', async () => {
    const all = await call(owner, 'GET', '/audit?action=settings_changed&limit=2')
    expect(all.statusCode).toBe(200)
    const first = all.json()
    expect(first).toHaveLength(2)
    expect(first[0]).toMatchObject({ action: 'settings_changed', description: 'Changed organization settings', target: 'two-factor sign-in', detail: { requireTwoFactor: false } })
    expect(first[0].id).toBeGreaterThan(first[1].id)
    // The fields changed are named, never their values (the reply-to address is personal data).
    const entries = [...first]
    let next = all.headers['next-cursor'] as string | undefined
    while (next) {
      const page = await call(owner, 'GET', `/audit?action=settings_changed&limit=2&cursor=${encodeURIComponent(next)}`)
      entries.push(...page.json())
      next = page.headers['next-cursor'] as string | undefined
    }
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length)
    expect(entries.some((e) => JSON.stringify(e.detail) === JSON.stringify({ changed: ['minGroupSize', 'senderName', 'replyTo'] }))).toBe(true)
    expect(JSON.stringify(entries)).not.toContain('help@acme.example')
    // Only this organization's entries: the other organization's owner renamed theirs too.
    expect(entries.every((e) => e.actor.email === tenant.owner.email || e.actor.email === adminEmail)).toBe(true)
    expect(entries.length).toBeGreaterThanOrEqual(5)
    const byPerson = (await call(owner, 'GET', `/audit?person=${encodeURIComponent(tenant.owner.email.slice(0, 12).toUpperCase())}`)).json()
    expect(byPerson.length).toBeGreaterThan(0)
    expect(byPerson.every((e: { actor: { email: string } }) => e.actor.email === tenant.owner.email)).toBe(true)
    const refused = await call(owner, 'GET', '/audit?action=nothing&from=2026-02-30')
    expect(refused.statusCode).toBe(400)
    expect(refused.json().details.map((d: { field: string }) => d.field).sort()).toEqual(['action', 'from'])
    expect((await call(owner, 'GET', '/audit?cursor=junk')).json().error).toBe('invalid_cursor')
    expect((await call(admin, 'GET', '/audit')).statusCode).toBe(403)
  })
})
