// Single sign-on end to end against a real OpenID Connect provider (oidc-provider on 127.0.0.1):
// the settings page, sign-in by first-sign-in domain, by invitation and by a linked account, SSO
// required with its break-glass owner, and the attacks the flow must stop: a wrong issuer, a
// replayed state, an expired or altered ID token, a tampered nonce and a mixed-up issuer.
import { afterAll, expect, it } from 'vitest'
import { createUnit } from '../../server/repositories/units.js'
import {
  addPerson, Browser, createTenant, describeEachDatabase, PASSWORD, signedIn, uniqueEmail, type Tenant, type TestContext,
} from '../helpers/app.js'
import { signInAtProvider, startOidcProvider, type TestProvider } from '../helpers/oidc.js'

const PUBLIC_URL = 'http://127.0.0.1:39999'
const ENV = { PUBLIC_URL, OIDC_ALLOW_INSECURE_LOOPBACK: 'true' }

/** The app's path and query of an absolute URL on PUBLIC_URL. */
const local = (url: string) => {
  expect(url.startsWith(PUBLIC_URL), url).toBe(true)
  return url.slice(PUBLIC_URL.length)
}

/** Starts single sign-on as a signed-out browser would, from the sign-in page with an email: the URL at the provider. */
async function startAt(browser: Browser, organizationId: string, email?: string): Promise<string> {
  if (email) {
    await browser.get('/login')
    const found = await browser.post('/auth/oidc', { email, next: '/waves' })
    expect(found.statusCode, found.body).toBe(200)
    const link = found.body.match(/id="continue" href="([^"]+)"/)![1]!.replaceAll('&amp;', '&')
    expect(link).toContain(`/auth/oidc/${organizationId}?`)
    const started = await browser.get(link)
    expect(started.statusCode, started.body).toBe(303)
    return started.headers.location as string
  }
  const started = await browser.get(`/auth/oidc/${organizationId}`)
  expect(started.statusCode, started.body).toBe(303)
  return started.headers.location as string
}

async function auditActions(ctx: TestContext, organizationId: string) {
  const rows = await ctx.database.db.selectFrom('audit_log').select(['action', 'actor_email', 'detail']).where('organization_id', '=', organizationId).orderBy('id').execute()
  return rows
}

describeEachDatabase('single sign-on with a real OIDC provider', (ctx) => {
  let tenant: Tenant
  let provider: TestProvider
  let owner: Browser
  const providers: TestProvider[] = []
  afterAll(async () => { for (const p of providers) await p.close() })

  async function saveSettings(values: Record<string, string>) {
    await owner.get('/settings/sso')
    return owner.post('/settings/sso', {
      enabled: 'on', issuer: provider.issuer, clientId: provider.clientId, clientSecret: '', signInMode: 'domains',
      allowedDomains: 'acme.test', defaultRole: 'analyst', breakGlassUserId: '', ...values,
    })
  }

  /** A whole sign-in of a provider account: the app's answer to the callback. */
  async function signIn(browser: Browser, login: string, email?: string) {
    const authorize = await startAt(browser, tenant.organizationId, email)
    const callback = await signInAtProvider(authorize, login)
    return browser.get(local(callback))
  }

  it('saves the settings with the client secret encrypted, never shows it, and audits which fields changed', async () => {
    tenant = await createTenant(ctx, 'Acme SSO')
    provider = await startOidcProvider({ redirectUris: [`${PUBLIC_URL}/auth/oidc/${tenant.organizationId}/callback`] })
    providers.push(provider)
    owner = await signedIn(ctx, tenant.owner.email)

    const page = await owner.get('/settings/sso')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(`${PUBLIC_URL}/auth/oidc/${tenant.organizationId}/callback`)

    const saved = await saveSettings({ clientSecret: provider.clientSecret })
    expect(saved.statusCode, saved.body).toBe(303)
    const shown = await owner.get('/settings/sso')
    expect(shown.body).not.toContain(provider.clientSecret)
    expect(shown.body).toContain('A secret is stored')
    const row = await ctx.database.db.selectFrom('sso_settings').selectAll().where('organization_id', '=', tenant.organizationId).executeTakeFirstOrThrow()
    expect(row.client_secret_sealed).toMatch(/^v1\./)
    expect(row.client_secret_sealed).not.toContain(provider.clientSecret)

    // Saving again with the secret field empty keeps the secret.
    expect((await saveSettings({ allowedDomains: 'acme.test, acme.example' })).statusCode).toBe(303)
    const kept = await ctx.database.db.selectFrom('sso_settings').select('client_secret_sealed').where('organization_id', '=', tenant.organizationId).executeTakeFirstOrThrow()
    expect(kept.client_secret_sealed).toBe(row.client_secret_sealed)

    const entries = (await auditActions(ctx, tenant.organizationId)).filter((e) => e.action === 'sso_changed')
    expect(entries.map((e) => (e.detail as { changed: string[] }).changed)).toEqual([
      ['enabled', 'issuer', 'clientId', 'signInMode', 'defaultRole', 'allowedDomains', 'clientSecret'], ['allowedDomains'],
    ])
    expect(JSON.stringify(entries)).not.toContain(provider.clientSecret)

    const tested = await owner.post('/settings/sso/test')
    expect(tested.statusCode).toBe(200)
    expect(tested.body).toContain('The provider answered')
  })

  it('refuses a wrong settings form with each problem next to its field and what was typed kept', async () => {
    await owner.get('/settings/sso')
    const response = await owner.post('/settings/sso', {
      enabled: 'on', issuer: 'http://idp.example.com', clientId: ['a', 'b'], clientSecret: 'typed secret', signInMode: 'everyone',
      allowedDomains: 'not a domain!, acme.test\r\n', defaultRole: 'owner', ssoRequired: 'on', breakGlassUserId: 'not-a-uuid',
    })
    expect(response.statusCode).toBe(422)
    expect(response.body).toContain('id="issuer-error"')
    expect(response.body).toContain('must start with https://')
    expect(response.body).toContain('id="signInMode-error"')
    expect(response.body).toContain('id="defaultRole-error"')
    expect(response.body).toContain('id="allowedDomains-error"')
    expect(response.body).toContain('id="breakGlassUserId-error"')
    expect(response.body).toContain('value="http://idp.example.com"')
    expect(response.body).not.toContain('typed secret')
  })

  it('makes an account on first sign-in for an allowed domain, with the default role and no password', async () => {
    const email = uniqueEmail('newcomer').replace('@example.test', '@acme.test')
    provider.accounts.set('newcomer-sub', { email, name: 'Nia Newcomer' })
    const browser = new Browser(ctx.app)
    const done = await signIn(browser, 'newcomer-sub', email)
    expect(done.statusCode, done.body).toBe(303)
    expect(done.headers.location).toBe('/waves')
    const waves = await browser.get('/waves')
    expect(waves.statusCode).toBe(200)
    expect(waves.body).toContain(email)
    const user = await ctx.database.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow()
    expect(user).toMatchObject({ role: 'analyst', password_hash: null, sso_issuer: provider.issuer, sso_subject: 'newcomer-sub', name: 'Nia Newcomer' })
    const actions = (await auditActions(ctx, tenant.organizationId)).filter((e) => e.actor_email === email).map((e) => e.action)
    expect(actions).toEqual(['sso_account_created', 'sso_sign_in'])

    // Without a password, the password form points to single sign-on instead.
    const login = new Browser(ctx.app)
    await login.get('/login')
    const refused = await login.post('/login', { email, password: PASSWORD })
    expect(refused.statusCode).toBe(422)
    expect(refused.body).toContain('signs in with single sign-on')
  })

  it('refuses a replayed state: the provider\'s return works once', async () => {
    const email = uniqueEmail('replay').replace('@example.test', '@acme.test')
    provider.accounts.set('replay-sub', { email })
    const browser = new Browser(ctx.app)
    const callback = await signInAtProvider(await startAt(browser, tenant.organizationId), 'replay-sub')
    expect((await browser.get(local(callback))).statusCode).toBe(303)
    const replayed = await browser.get(local(callback))
    expect(replayed.statusCode).toBe(400)
    expect(replayed.body).toContain('already been used')
    // From another browser (an attacker holding the link), too.
    const other = await new Browser(ctx.app).get(local(callback))
    expect(other.statusCode).toBe(400)
    expect(other.headers['set-cookie'] ?? '').not.toContain('sg_session')
    const failures = (await auditActions(ctx, tenant.organizationId)).filter((e) => e.action === 'sso_sign_in_failed')
    expect(failures.at(-1)!.detail).toEqual({ reason: 'unknown_state' })
  })

  it('refuses a state started in another browser', async () => {
    provider.accounts.set('bound-sub', { email: uniqueEmail('bound').replace('@example.test', '@acme.test') })
    const starter = new Browser(ctx.app)
    const callback = await signInAtProvider(await startAt(starter, tenant.organizationId), 'bound-sub')
    const victim = await new Browser(ctx.app).get(local(callback))
    expect(victim.statusCode).toBe(400)
    expect(victim.body).toContain('started in another browser')
  })

  it('links an existing account by its verified email, then knows it by its subject when the email changes', async () => {
    const email = await addPerson(ctx, tenant, 'viewer')
    provider.accounts.set('existing-sub', { email })
    const browser = new Browser(ctx.app)
    expect((await signIn(browser, 'existing-sub')).statusCode).toBe(303)
    const linked = await ctx.database.db.selectFrom('users').select(['role', 'sso_subject', 'password_hash']).where('email', '=', email).executeTakeFirstOrThrow()
    expect(linked.role).toBe('viewer')
    expect(linked.sso_subject).toBe('existing-sub')
    expect(linked.password_hash).not.toBeNull()
    provider.accounts.set('existing-sub', { email: 'renamed@elsewhere.test', emailVerified: false })
    const again = new Browser(ctx.app)
    expect((await signIn(again, 'existing-sub')).statusCode).toBe(303)
    expect((await again.get('/waves')).body).toContain(email)
 
    // Another subject at the same provider with that email is not let in to the linked account.
    provider.accounts.set('impostor-sub', { email })
    const impostor = await signIn(new Browser(ctx.app), 'impostor-sub')
    expect(impostor.statusCode).toBe(403)
    expect(impostor.body).toContain('already linked to another identity')
  })

  it('links the account anew when the organization moves to another provider', async () => {
    const email = await addPerson(ctx, tenant, 'analyst')
    provider.accounts.set('mover-old', { email })
    expect((await signIn(new Browser(ctx.app), 'mover-old')).statusCode).toBe(303)
    const next = await startOidcProvider({ redirectUris: [`${PUBLIC_URL}/auth/oidc/${tenant.organizationId}/callback`] })
    providers.push(next)
    const previous = provider
    provider = next
    try {
      expect((await saveSettings({ clientSecret: next.clientSecret })).statusCode).toBe(303)
      next.accounts.set('mover-new', { email })
      expect((await signIn(new Browser(ctx.app), 'mover-new')).statusCode).toBe(303)
      const user = await ctx.database.db.selectFrom('users').select(['sso_issuer', 'sso_subject']).where('email', '=', email).executeTakeFirstOrThrow()
      expect(user).toEqual({ sso_issuer: next.issuer, sso_subject: 'mover-new' })
    } finally {
      provider = previous
      expect((await saveSettings({ clientSecret: previous.clientSecret })).statusCode).toBe(303)
    }
  })

  it('refuses an unverified email that no account is linked to', async () => {
    const email = uniqueEmail('unverified').replace('@example.test', '@acme.test')
    provider.accounts.set('unverified-sub', { email, emailVerified: false })
    const done = await signIn(new Browser(ctx.app), 'unverified-sub')
    expect(done.statusCode).toBe(403)
    expect(done.body).toContain('did not confirm your email address')
    expect(await ctx.database.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()).toBeUndefined()
  })

  it('with invitations only: refuses someone not invited, and accepts an invitation with its role and units', async () => {
    expect((await saveSettings({ signInMode: 'invitation', allowedDomains: '' })).statusCode).toBe(303)
    const email = uniqueEmail('invited').replace('@example.test', '@acme.test')
    provider.accounts.set('invited-sub', { email, name: 'Ivo Invited' })
    const refused = await signIn(new Browser(ctx.app), 'invited-sub', undefined)
    expect(refused.statusCode).toBe(403)
    expect(refused.body).toContain('Only invited colleagues')

    const unitId = await createUnit(ctx.database.db, tenant.organizationId, 'Harbour')
    const invitation = await ctx.database.db.insertInto('colleague_invitations').values({
      organization_id: tenant.organizationId, email, role: 'unit_manager', unit_ids: [unitId], token_hash: `hash-${email}`,
      expires_at: new Date(Date.now() + 86_400_000),
    }).returning('id').executeTakeFirstOrThrow()
    const browser = new Browser(ctx.app)
    // The email alone finds the organization through the open invitation.
    const done = await signIn(browser, 'invited-sub', email)
    expect(done.statusCode, done.body).toBe(303)
    const user = await ctx.database.db.selectFrom('users').select(['id', 'role', 'password_hash']).where('email', '=', email).executeTakeFirstOrThrow()
    expect(user.role).toBe('unit_manager')
    expect(user.password_hash).toBeNull()
    const units = await ctx.database.db.selectFrom('unit_managers').select('unit_id').where('user_id', '=', user.id).execute()
    expect(units.map((u) => u.unit_id)).toEqual([unitId])
    const accepted = await ctx.database.db.selectFrom('colleague_invitations').select('accepted_at').where('id', '=', invitation.id).executeTakeFirstOrThrow()
    expect(accepted.accepted_at).toBeInstanceOf(Date)
  })

  it('requires single sign-on: passwords are refused, except for the break-glass owner', async () => {
    const analyst = await addPerson(ctx, tenant, 'analyst')
    const admin = await signedIn(ctx, await addPerson(ctx, tenant, 'admin'))
    expect((await saveSettings({ signInMode: 'invitation', allowedDomains: '', ssoRequired: 'on', breakGlassUserId: tenant.owner.userId })).statusCode).toBe(303)
    const browser = new Browser(ctx.app)
    await browser.get('/login')
    const refused = await browser.post('/login', { email: analyst, password: PASSWORD })
    expect(refused.statusCode).toBe(422)
    expect(refused.body).toContain('Your organization signs in with single sign-on')
    expect(refused.headers['set-cookie'] ?? '').not.toContain('sg_session')
    const token = await ctx.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: analyst, password: PASSWORD } })
    expect(token.statusCode).toBe(403)
    expect(token.json().error).toBe('sso_required')
    // The break-glass owner still signs in with the password.
    await new Browser(ctx.app).login(tenant.owner.email)

    // An admin may change who may sign in, but not the provider, the requirement nor the break-glass owner.
    await admin.get('/settings/sso')
    const changed = await admin.post('/settings/sso', {
      enabled: 'on', issuer: provider.issuer, clientId: provider.clientId, signInMode: 'invitation', allowedDomains: '', defaultRole: 'viewer', ssoRequired: '', breakGlassUserId: '',
    })
    expect(changed.statusCode).toBe(303)
    const row = await ctx.database.db.selectFrom('sso_settings').select(['sso_required', 'break_glass_user_id', 'default_role']).where('organization_id', '=', tenant.organizationId).executeTakeFirstOrThrow()
    expect(row).toEqual({ sso_required: true, break_glass_user_id: tenant.owner.userId, default_role: 'viewer' })

    // Back to first sign-in by domain, SSO not required, for the tests below.
    expect((await saveSettings({})).statusCode).toBe(303)
    await browser.get('/login')
    expect((await browser.post('/login', { email: analyst, password: PASSWORD })).statusCode).toBe(303)
  })

  it('refuses a tampered nonce', async () => {
    provider.accounts.set('nonce-sub', { email: uniqueEmail('nonce').replace('@example.test', '@acme.test') })
    const browser = new Browser(ctx.app)
    const authorize = new URL(await startAt(browser, tenant.organizationId))
    authorize.searchParams.set('nonce', 'a-nonce-the-attacker-chose-instead')
    const done = await browser.get(local(await signInAtProvider(authorize.href, 'nonce-sub')))
    expect(done.statusCode).toBe(400)
    expect(done.body.match(/role="alert">([^<]*)/)?.[1]).toContain('nonce')
    expect(done.headers['set-cookie'] ?? '').not.toContain('sg_session')
  })

  it('refuses an expired ID token (the provider\'s clock two hours behind)', async () => {
    provider.accounts.set('expired-sub', { email: uniqueEmail('expired').replace('@example.test', '@acme.test') })
    // Its ID tokens live an hour (oidc-provider's default), so two hours behind they are already expired.
    provider.behaviour.clockOffsetSeconds = -7200
    try {
      const browser = new Browser(ctx.app)
      const done = await browser.get(local(await signInAtProvider(await startAt(browser, tenant.organizationId), 'expired-sub')))
      expect(done.statusCode, done.body).toBe(400)
      expect(done.body.match(/role="alert">([^<]*)/)?.[1]).toContain('exp')
    } finally {
      provider.behaviour.clockOffsetSeconds = 0
    }
    const failures = (await auditActions(ctx, tenant.organizationId)).filter((e) => e.action === 'sso_sign_in_failed')
    expect(failures.at(-1)!.detail).toEqual({ reason: 'oauth_jwt_timestamp_check_failed' })
  })

  it('refuses an ID token altered after signing (its signature is checked)', async () => {
    const victim = await addPerson(ctx, tenant, 'admin')
    provider.accounts.set('attacker-sub', { email: uniqueEmail('attacker').replace('@example.test', '@acme.test') })
    provider.behaviour.tamperIdToken = (payload) => ({ ...payload, email: victim, email_verified: true })
    try {
      const browser = new Browser(ctx.app)
      const done = await browser.get(local(await signInAtProvider(await startAt(browser, tenant.organizationId), 'attacker-sub')))
      expect(done.statusCode, done.body).toBe(400)
      expect(done.body.match(/role="alert">([^<]*)/)?.[1]).toContain('signature')
      expect((await browser.get('/waves')).statusCode).toBe(303)
    } finally {
      provider.behaviour.tamperIdToken = null
    }
  })

  it('refuses a response that names another issuer (a mix-up)', async () => {
    provider.accounts.set('mixup-sub', { email: uniqueEmail('mixup').replace('@example.test', '@acme.test') })
    const browser = new Browser(ctx.app)
    const callback = new URL(await signInAtProvider(await startAt(browser, tenant.organizationId), 'mixup-sub'))
    callback.searchParams.set('iss', 'https://evil.example')
    const done = await browser.get(local(callback.href))
    expect(done.statusCode).toBe(400)
    expect(done.body.match(/role="alert">([^<]*)/)?.[1]).toContain('iss')
  })

  it('refuses a provider whose discovery document names another issuer, on the test and at sign-in', async () => {
    const wrong = await startOidcProvider({ redirectUris: [`${PUBLIC_URL}/auth/oidc/${tenant.organizationId}/callback`], issuerHost: 'localhost' })
    providers.push(wrong)
    const reachedAt = wrong.issuer.replace('localhost', '127.0.0.1')
    expect((await saveSettings({ issuer: reachedAt })).statusCode).toBe(303)
    const tested = await owner.post('/settings/sso/test')
    expect(tested.statusCode).toBe(422)
    expect(tested.body).toContain('id="issuer-error"')
    expect(tested.body).toMatch(/issuer/i)
    const started = await new Browser(ctx.app).get(`/auth/oidc/${tenant.organizationId}`)
    expect(started.statusCode).toBe(502)
    expect(started.body).toContain('could not be used')
    const failures = (await auditActions(ctx, tenant.organizationId)).filter((e) => e.action === 'sso_sign_in_failed')
    expect(failures.at(-1)!.detail).toEqual({ reason: 'oauth_json_attribute_comparison_failed' })
    expect((await saveSettings({})).statusCode).toBe(303)
  })

  it('says so clearly when the provider cannot be reached', async () => {
    const gone = await startOidcProvider({ redirectUris: [`${PUBLIC_URL}/auth/oidc/${tenant.organizationId}/callback`] })
    await gone.close()
    expect((await saveSettings({ issuer: gone.issuer })).statusCode).toBe(303)
    const tested = await owner.post('/settings/sso/test')
    expect(tested.statusCode).toBe(422)
    expect(tested.body).toContain('could not be reached')
    const started = await new Browser(ctx.app).get(`/auth/oidc/${tenant.organizationId}`)
    expect(started.statusCode).toBe(502)
    expect(started.body).toContain('could not be reached')
    expect((await saveSettings({})).statusCode).toBe(303)
  })

  it('answers unknown organizations, junk ids and a callback without state with a readable page, never 500', async () => {
    const browser = new Browser(ctx.app)
    for (const url of ['/auth/oidc/not-a-uuid', '/auth/oidc/00000000-0000-4000-8000-000000000000', '/auth/oidc/not-a-uuid/callback?code=x&state=y']) {
      const response = await browser.get(url)
      expect(response.statusCode, url).toBe(404)
      expect(response.body).toContain('Single sign-on')
    }
    for (const query of ['', '?state=', '?state[]=a&state[]=b', '?code=x&state=aaaaaaaaaaaaaaaaaaaaaaaa', '?error=access_denied&state=%0d%0a']) {
      const response = await browser.get(`/auth/oidc/${tenant.organizationId}/callback${query}`)
      expect(response.statusCode, query).toBe(400)
    }
    await browser.get('/login')
    for (const email of ['', 'nobody@nowhere.test', ['a@acme.test', 'b@acme.test']]) {
      const response = await browser.post('/auth/oidc', { email })
      expect(response.statusCode, String(email)).toBe(422)
    }
  })
}, ENV)
