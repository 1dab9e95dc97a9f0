// Single sign-on settings through the API on both databases, against a real OpenID Connect provider
// (oidc-provider on 127.0.0.1): settings saved by the API sign people in and show on the settings
// page; the client secret is write-only (stored sealed, never in an answer, a page or the audit log);
// the page's checks answer 400 per field; owner-only settings are refused to an admin with 403;
// DELETE turns single sign-on off; each organization sees and changes only its own.
import { afterAll, expect, it } from 'vitest'
import { addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, uniqueEmail, type Tenant } from '../helpers/app.js'
import { signInAtProvider, startOidcProvider, type TestProvider } from '../helpers/oidc.js'

const PUBLIC_URL = 'http://127.0.0.1:39998'

describeEachDatabase('single sign-on settings through the API', (ctx) => {
  let tenant: Tenant
  let provider: TestProvider
  let owner: string
  let admin: string
  afterAll(async () => { await provider?.close() })

  const api = (token: string, method: 'GET' | 'PATCH' | 'DELETE', payload?: unknown) =>
    ctx.app.inject({ method, url: '/api/v1/sso', headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) })

  it('shows single sign-on off at first, with the addresses to register at the provider', async () => {
    tenant = await createTenant(ctx, 'SSO API Co')
    provider = await startOidcProvider({ redirectUris: [`${PUBLIC_URL}/auth/oidc/${tenant.organizationId}/callback`] })
    owner = await apiToken(ctx, tenant.owner.email)
    admin = await apiToken(ctx, await addPerson(ctx, tenant, 'admin'))
    const read = await api(owner, 'GET')
    expect(read.statusCode).toBe(200)
    expect(read.json()).toEqual({
      enabled: false, issuer: '', clientId: '', clientSecretSet: false, signInMode: 'invitation', allowedDomains: [], defaultRole: 'viewer',
      ssoRequired: false, breakGlassUserId: null,
      redirectUri: `${PUBLIC_URL}/auth/oidc/${tenant.organizationId}/callback`, signInUrl: `${PUBLIC_URL}/auth/oidc/${tenant.organizationId}`,
    })
    for (const role of ['analyst', 'viewer', 'unit_manager'] as const) {
      const token = await apiToken(ctx, await addPerson(ctx, tenant, role))
      expect((await api(token, 'GET')).statusCode, role).toBe(403)
      expect((await api(token, 'PATCH', { defaultRole: 'analyst' })).statusCode, role).toBe(403)
      expect((await api(token, 'DELETE')).statusCode, role).toBe(403)
    }
  })

  it('refuses settings the page would refuse, each problem by its field, and saves nothing', async () => {
    const refused = await api(owner, 'PATCH', { enabled: true, issuer: 'ftp://login.example.test', signInMode: 'domains', allowedDomains: ['not a domain'] })
    expect(refused.statusCode).toBe(400)
    const fields = refused.json().details.map((d: { field: string }) => d.field).sort()
    expect(fields).toEqual(['allowedDomains', 'clientId', 'clientSecret', 'issuer'])
    expect(refused.json().details.find((d: { field: string }) => d.field === 'issuer').message).toContain('https://')
    expect((await api(owner, 'PATCH', { ssoRequired: true })).json().details).toContainEqual(expect.objectContaining({ field: 'ssoRequired' }))
    expect((await api(owner, 'PATCH', { breakGlassUserId: '00000000-0000-4000-8000-000000000000' })).json().details).toEqual([{ field: 'breakGlassUserId', message: 'Choose one of the owners.' }])
    expect((await api(owner, 'PATCH', { defaultRole: 'owner' })).statusCode).toBe(400)
    expect((await api(owner, 'PATCH', { clientSecretSet: true })).statusCode).toBe(400)
    expect((await api(owner, 'GET')).json().enabled).toBe(false)
    expect(await ctx.database.db.selectFrom('sso_settings').select('organization_id').where('organization_id', '=', tenant.organizationId).executeTakeFirst()).toBeUndefined()
  })

  it('saves the settings with the secret sealed and never gives the secret back; the page shows them without it', async () => {
    const saved = await api(owner, 'PATCH', {
      enabled: true, issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret,
      signInMode: 'domains', allowedDomains: ['ACME.test', 'acme.test'], defaultRole: 'analyst',
    })
    expect(saved.statusCode, saved.body).toBe(200)
    expect(saved.json()).toMatchObject({ enabled: true, issuer: provider.issuer, clientId: provider.clientId, clientSecretSet: true, allowedDomains: ['acme.test'], defaultRole: 'analyst' })
    expect(saved.body).not.toContain(provider.clientSecret)
    expect((await api(owner, 'GET')).body).not.toContain(provider.clientSecret)
    const row = await ctx.database.db.selectFrom('sso_settings').select('client_secret_sealed').where('organization_id', '=', tenant.organizationId).executeTakeFirstOrThrow()
    expect(row.client_secret_sealed).toMatch(/^v1\./)
    const page = await (await signedIn(ctx, tenant.owner.email)).get('/settings/sso')
    expect(page.body).toContain(provider.issuer)
    expect(page.body).toContain('A secret is stored')
    expect(page.body).not.toContain(provider.clientSecret)
    const audit = await ctx.database.db.selectFrom('audit_log').select(['action', 'detail']).where('organization_id', '=', tenant.organizationId).where('action', '=', 'sso_changed').execute()
    expect(audit).toHaveLength(1)
    expect(JSON.stringify(audit)).not.toContain(provider.clientSecret)

    // A change that leaves out the secret keeps it.
    expect((await api(owner, 'PATCH', { allowedDomains: ['acme.test', 'acme.example'] })).json().clientSecretSet).toBe(true)
    const kept = await ctx.database.db.selectFrom('sso_settings').select('client_secret_sealed').where('organization_id', '=', tenant.organizationId).executeTakeFirstOrThrow()
    expect(kept.client_secret_sealed).toBe(row.client_secret_sealed)
  })

  it('signs a newcomer of an allowed domain in with the settings the API saved', async () => {
    const email = uniqueEmail('api-sso').replace('@example.test', '@acme.test')
    provider.accounts.set('api-sso-sub', { email, name: 'Ada API' })
    const browser = new Browser(ctx.app)
    const started = await browser.get(`/auth/oidc/${tenant.organizationId}`)
    expect(started.statusCode, started.body).toBe(303)
    const callback = await signInAtProvider(started.headers.location as string, 'api-sso-sub')
    const done = await browser.get(callback.slice(PUBLIC_URL.length))
    expect(done.statusCode, done.body).toBe(303)
    const user = await ctx.database.db.selectFrom('users').select(['role', 'organization_id']).where('email', '=', email).executeTakeFirstOrThrow()
    expect(user).toEqual({ role: 'analyst', organization_id: tenant.organizationId })
  })

  it('lets an admin change who may sign in, but refuses the provider, the requirement and the break-glass owner with 403', async () => {
    const changed = await api(admin, 'PATCH', { defaultRole: 'viewer', signInMode: 'domains' })
    expect(changed.statusCode, changed.body).toBe(200)
    expect(changed.json().defaultRole).toBe('viewer')
    // Sending the stored values of owner-only settings is no change, so it is allowed.
    expect((await api(admin, 'PATCH', { enabled: true, issuer: provider.issuer })).statusCode).toBe(200)
    for (const asked of [{ issuer: 'https://attacker.example.test' }, { clientSecret: 'mine' }, { enabled: false }, { ssoRequired: true, breakGlassUserId: tenant.owner.userId }]) {
      const refused = await api(admin, 'PATCH', asked)
      expect(refused.statusCode, JSON.stringify(asked)).toBe(403)
      expect(refused.json().details.map((d: { field: string }) => d.field)).toEqual(Object.keys(asked))
    }
    expect((await api(admin, 'DELETE')).statusCode).toBe(403)
    expect((await api(owner, 'GET')).json()).toMatchObject({ issuer: provider.issuer, enabled: true, ssoRequired: false })
  })

  it('requires single sign-on with a break-glass owner, and DELETE turns it off so that passwords work again', async () => {
    const required = await api(owner, 'PATCH', { ssoRequired: true, breakGlassUserId: tenant.owner.userId })
    expect(required.statusCode, required.body).toBe(200)
    const colleague = await addPerson(ctx, tenant, 'viewer')
    const before = new Browser(ctx.app)
    await before.get('/login')
    expect((await before.post('/login', { email: colleague, password: 'correct horse battery staple' })).statusCode).toBe(422)
    const off = await api(owner, 'DELETE')
    expect(off.statusCode, off.body).toBe(200)
    expect(off.json()).toMatchObject({ enabled: false, ssoRequired: false, issuer: provider.issuer, clientSecretSet: true })
    const after = new Browser(ctx.app)
    await after.get('/login')
    expect((await after.post('/login', { email: colleague, password: 'correct horse battery staple' })).statusCode).toBe(303)
    expect((await new Browser(ctx.app).get(`/auth/oidc/${tenant.organizationId}`)).statusCode).toBe(404)
  })

  it('keeps each organization\'s settings its own', async () => {
    const other = await createTenant(ctx, 'Other SSO Co')
    const token = await apiToken(ctx, other.owner.email)
    const read = await api(token, 'GET')
    expect(read.json()).toMatchObject({ enabled: false, issuer: '', clientSecretSet: false })
    expect(read.body).not.toContain(provider.issuer)
    expect((await api(token, 'PATCH', { signInMode: 'invitation', defaultRole: 'analyst' })).statusCode).toBe(200)
    expect((await api(owner, 'GET')).json().defaultRole).toBe('viewer')
  })
}, { PUBLIC_URL, OIDC_ALLOW_INSECURE_LOOPBACK: 'true' })
