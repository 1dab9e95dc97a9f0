// Attacks on single sign-on, each against a real OpenID Connect provider (oidc-provider on
// 127.0.0.1): takeover by email (unverified, from another organization's provider, by an admin
// pointing the organization at a provider of their own), diverting the sign-in form, mixing states
// between organizations, open redirects, forged ID tokens, junk at the callback, the issuer as a
// way into the internal network, the secret leaking, "SSO required" bypassed through a join link,
// and a removed person coming back.
import { createHmac } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { hashToken, randomToken } from '../../server/security/tokens.js'
import {
  addPerson, Browser, createTenant, describeEachDatabase, PASSWORD, signedIn, uniqueEmail, type Tenant, type TestContext,
} from '../helpers/app.js'
import { signInAtProvider, startOidcProvider, type TestProvider } from '../helpers/oidc.js'

const PUBLIC_URL = 'http://127.0.0.1:39998'
const ENV = { PUBLIC_URL, OIDC_ALLOW_INSECURE_LOOPBACK: 'true' }

const local = (url: string) => {
  expect(url.startsWith(PUBLIC_URL), url).toBe(true)
  return url.slice(PUBLIC_URL.length)
}
const callbackOf = (organizationId: string) => `${PUBLIC_URL}/auth/oidc/${organizationId}/callback`
const noSession = (response: { headers: Record<string, unknown> }) => expect(String(response.headers['set-cookie'] ?? '')).not.toContain('sg_session')
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

let clients = 0
/** A browser at an address of its own, so this file's many sign-ins stay under the per-address rate limits. */
class Client extends Browser {
  private readonly ip = `198.18.${Math.floor(++clients / 250)}.${(clients % 250) + 1}`
  override request(options: Parameters<Browser['request']>[0]) {
    return super.request({ remoteAddress: this.ip, ...options })
  }
}

describeEachDatabase('attacks on single sign-on', (ctx: TestContext) => {
  let a: Tenant
  let b: Tenant
  let providerA: TestProvider
  let providerB: TestProvider
  let ownerA: Browser
  let ownerB: Browser
  const closers: Array<() => Promise<void>> = []
  const domainA = `a-${Date.now().toString(36)}.test`
  const domainB = `b-${Date.now().toString(36)}.test`

  async function save(owner: Browser, provider: TestProvider, values: Record<string, string> = {}) {
    await owner.get('/settings/sso')
    return owner.post('/settings/sso', {
      enabled: 'on', issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret, signInMode: 'domains',
      allowedDomains: domainA, defaultRole: 'viewer', breakGlassUserId: '', ...values,
    })
  }

  async function signIn(browser: Browser, organizationId: string, login: string, query = '') {
    const started = await browser.get(`/auth/oidc/${organizationId}${query}`)
    expect(started.statusCode, started.body).toBe(303)
    return browser.get(local(await signInAtProvider(started.headers.location as string, login)))
  }

  const userRow = (email: string) => ctx.database.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst()

  beforeAll(async () => {
    a = await createTenant(ctx, 'Org A')
    b = await createTenant(ctx, 'Org B')
    providerA = await startOidcProvider({ redirectUris: [callbackOf(a.organizationId)] })
    providerB = await startOidcProvider({ redirectUris: [callbackOf(b.organizationId)] })
    closers.push(providerA.close, providerB.close)
    ownerA = await signedIn(ctx, a.owner.email)
    ownerB = await signedIn(ctx, b.owner.email)
    expect((await save(ownerA, providerA)).statusCode).toBe(303)
    expect((await save(ownerB, providerB, { allowedDomains: domainB })).statusCode).toBe(303)
  })
  afterAll(async () => { for (const close of closers) await close() })

  it('takeover by email: email_verified as the string "true", false or missing-email never links an account', async () => {
    const victim = await addPerson(ctx, a, 'admin')
    for (const [login, emailVerified] of [['str-true', 'true'], ['false', false], ['one', 1]] as const) {
      providerA.accounts.set(login, { email: victim, emailVerified: emailVerified as never })
      const browser = new Client(ctx.app)
      const done = await signIn(browser, a.organizationId, login)
      expect(done.statusCode, login).toBe(403)
      expect(done.body).toContain('did not confirm your email address')
      noSession(done)
    }
    expect((await userRow(victim))!.sso_subject).toBeNull()
  })

  it('takeover across organizations: org B\'s provider asserting org A\'s people gets no session anywhere', async () => {
    const victim = await addPerson(ctx, a, 'owner')
    providerB.accounts.set('b-claims-a', { email: victim })
    const browser = new Client(ctx.app)
    const done = await signIn(browser, b.organizationId, 'b-claims-a')
    expect(done.statusCode).toBe(403)
    expect(done.body).toContain('account in another organization')
    noSession(done)
    expect((await userRow(victim))!).toMatchObject({ organization_id: a.organizationId, sso_subject: null })
  })

  it('diverting the sign-in form: another organization listing the same domain does not take an invited person to its provider', async () => {
    const shared = `shared-${Date.now().toString(36)}.test`
    const invited = `invited@${shared}`
    await ctx.database.db.insertInto('colleague_invitations').values({
      organization_id: a.organizationId, email: invited, role: 'analyst', unit_ids: [], token_hash: hashToken(randomToken()),
      expires_at: new Date(Date.now() + 86_400_000),
    }).execute()
    const browser = new Client(ctx.app)
    await browser.get('/login')
    const before = await browser.post('/auth/oidc', { email: invited })
    expect(before.body, before.body.match(/role="alert">([^<]*)/)?.[1]).toContain(`/auth/oidc/${a.organizationId}?`)
    // Org B's admin claims the domain of A's people.
    expect((await save(ownerB, providerB, { allowedDomains: `${domainB}\n${shared}` })).statusCode).toBe(303)
    try {
      const after = await browser.post('/auth/oidc', { email: invited })
      expect(after.statusCode).toBe(200)
      expect(after.body).toContain(`/auth/oidc/${a.organizationId}?`)
      expect(after.body).not.toContain(b.organizationId)
    } finally {
      expect((await save(ownerB, providerB, { allowedDomains: domainB })).statusCode).toBe(303)
    }
  })

  it('privilege escalation: an admin cannot point single sign-on at a provider of their own and sign in as the owner', async () => {
    const adminEmail = await addPerson(ctx, a, 'admin')
    const admin = await signedIn(ctx, adminEmail)
    const evil = await startOidcProvider({ redirectUris: [callbackOf(a.organizationId)] })
    closers.push(evil.close)
    evil.accounts.set('fake-owner', { email: a.owner.email })
    await admin.get('/settings/sso')
    const changed = await admin.post('/settings/sso', {
      enabled: 'on', issuer: evil.issuer, clientId: evil.clientId, clientSecret: evil.clientSecret, signInMode: 'domains',
      allowedDomains: domainA, defaultRole: 'viewer',
    })
    // The provider is the owners' to choose: an admin's form keeps it as it is (its fields are disabled on the page).
    expect(changed.statusCode).toBe(303)
    const row = await ctx.database.db.selectFrom('sso_settings').select(['issuer', 'client_id', 'client_secret_sealed']).where('organization_id', '=', a.organizationId).executeTakeFirstOrThrow()
    expect(row.issuer).toBe(providerA.issuer)
    // Nor by the secret alone (the client id and issuer kept).
    const secretOnly = await admin.post('/settings/sso', {
      enabled: 'on', issuer: providerA.issuer, clientId: providerA.clientId, clientSecret: 'an-admin-typed-secret', signInMode: 'domains',
      allowedDomains: domainA, defaultRole: 'viewer',
    })
    expect(secretOnly.statusCode).toBe(303)
    const after = await ctx.database.db.selectFrom('sso_settings').select('client_secret_sealed').where('organization_id', '=', a.organizationId).executeTakeFirstOrThrow()
    expect(after.client_secret_sealed).toBe(row.client_secret_sealed)
    // An admin still manages who may sign in.
    const domains = await admin.post('/settings/sso', {
      enabled: 'on', issuer: providerA.issuer, clientId: providerA.clientId, clientSecret: '', signInMode: 'domains',
      allowedDomains: `${domainA}\nextra.${domainA}`, defaultRole: 'viewer',
    })
    expect(domains.statusCode, domains.body).toBe(303)
    expect((await save(ownerA, providerA)).statusCode).toBe(303)
    const owner = await userRow(a.owner.email)
    expect(owner!.sso_subject).toBeNull()
  })

  it('"SSO required" is not bypassed by a join link with a password', async () => {
    expect((await save(ownerA, providerA, { ssoRequired: 'on', breakGlassUserId: a.owner.userId })).statusCode).toBe(303)
    try {
      const email = uniqueEmail('joiner')
      const token = randomToken()
      await ctx.database.db.insertInto('colleague_invitations').values({
        organization_id: a.organizationId, email, role: 'analyst', unit_ids: [], token_hash: hashToken(token),
        expires_at: new Date(Date.now() + 86_400_000),
      }).execute()
      const browser = new Client(ctx.app)
      const page = await browser.get(`/join/${token}`)
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain(`/auth/oidc/${a.organizationId}`)
      // The page offers no password form; one posted anyway (with a form token from the sign-in page) is refused.
      expect(page.body).not.toContain('name="password"')
      await browser.get('/login')
      const joined = await browser.post(`/join/${token}`, { name: 'Jo', password: PASSWORD, confirm: PASSWORD })
      expect(joined.statusCode).toBe(403)
      expect(joined.body, joined.body.match(/<main[\s\S]*<\/main>/)?.[0]).toContain('single sign-on')
      noSession(joined)
      expect(await userRow(email)).toBeUndefined()
      // The password reset form, the sign-in form and the token API stay closed too.
      const analyst = await addPerson(ctx, a, 'analyst')
      await browser.get('/login')
      expect((await browser.post('/login', { email: analyst, password: PASSWORD })).statusCode).toBe(422)
      const minted = await ctx.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: analyst, password: PASSWORD } })
      expect(minted.statusCode).toBe(403)
    } finally {
      expect((await save(ownerA, providerA)).statusCode).toBe(303)
    }
  })

  it('login CSRF and state mixing: a state of A is refused at B, and at A from a browser holding another sign-in cookie', async () => {
    const email = `mixer@${domainA}`
    providerA.accounts.set('mixer', { email })
    const attacker = new Client(ctx.app)
    const started = await attacker.get(`/auth/oidc/${a.organizationId}`)
    const callback = local(await signInAtProvider(started.headers.location as string, 'mixer'))
    const atB = await attacker.get(callback.replace(a.organizationId, b.organizationId))
    expect(atB.statusCode).toBe(400)
    expect(atB.body).toContain('already been used or is unknown')
    noSession(atB)

    // A victim whose browser has its own sign-in cookie gets no session from the attacker's return.
    const again = await attacker.get(`/auth/oidc/${a.organizationId}`)
    const attackersReturn = local(await signInAtProvider(again.headers.location as string, 'mixer'))
    const victim = new Client(ctx.app)
    expect((await victim.get(`/auth/oidc/${a.organizationId}`)).statusCode).toBe(303)
    const forced = await victim.get(attackersReturn)
    expect(forced.statusCode).toBe(400)
    expect(forced.body).toContain('started in another browser')
    noSession(forced)
  })

  it('an issuer switch mid-flow: a sign-in started under one provider is not finished under another', async () => {
    const other = await startOidcProvider({ redirectUris: [callbackOf(a.organizationId)] })
    closers.push(other.close)
    providerA.accounts.set('switcher', { email: `switcher@${domainA}` })
    const browser = new Client(ctx.app)
    const started = await browser.get(`/auth/oidc/${a.organizationId}`)
    const callback = local(await signInAtProvider(started.headers.location as string, 'switcher'))
    expect((await save(ownerA, other)).statusCode).toBe(303)
    try {
      const done = await browser.get(callback)
      expect(done.statusCode).toBe(400)
      expect(done.body).toContain('settings changed while you were signing in')
      noSession(done)
    } finally {
      expect((await save(ownerA, providerA)).statusCode).toBe(303)
    }
  })

  it('open redirect: next given to the single sign-on start never leaves the site', async () => {
    const email = `redirected@${domainA}`
    providerA.accounts.set('redirected', { email })
    for (const next of ['//evil.example', '/%09/evil.example', 'https://evil.example', '/\\evil.example', '/%5Cevil.example', '/%2F%2Fevil.example']) {
      const browser = new Client(ctx.app)
      const done = await signIn(browser, a.organizationId, 'redirected', `?${new URLSearchParams({ next })}`)
      expect(done.statusCode, next).toBe(303)
      expect(done.headers.location, next).toBe('/waves')
    }
    const kept = await signIn(new Client(ctx.app), a.organizationId, 'redirected', '?next=%2Fwaves%3Fx%3D1')
    expect(kept.headers.location).toBe('/waves?x=1')
  })

  it('forged ID tokens: alg none and HS256 signed with the client secret are refused', async () => {
    const victim = await addPerson(ctx, a, 'owner')
    providerA.accounts.set('forger', { email: `forger@${domainA}` })
    const forgeries: Record<string, (token: string) => string> = {
      none: (token) => {
        const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())
        return `${b64({ alg: 'none' })}.${b64({ ...payload, email: victim })}.`
      },
      HS256: (token) => {
        const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())
        const signed = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...payload, email: victim })}`
        return `${signed}.${createHmac('sha256', providerA.clientSecret).update(signed).digest('base64url')}`
      },
    }
    for (const [name, forge] of Object.entries(forgeries)) {
      providerA.behaviour.forgeIdToken = forge
      try {
        const browser = new Client(ctx.app)
        const done = await signIn(browser, a.organizationId, 'forger')
        expect(done.statusCode, name).toBe(400)
        noSession(done)
      } finally {
        providerA.behaviour.forgeIdToken = null
      }
    }
    expect((await userRow(victim))!.sso_subject).toBeNull()
  })

  it('junk at the start and the callback answers a page, never 500', async () => {
    const browser = new Client(ctx.app)
    const huge = 'x'.repeat(60_000)
    for (const query of [`?login_hint=${huge}`, `?next=${huge}`, '?next=a&next=b&login_hint=a@b.c&login_hint=d@e.f', '?next=%00%0d%0a', '?login_hint=%E3%80%80@x.test']) {
      const response = await browser.get(`/auth/oidc/${a.organizationId}${query}`)
      expect(response.statusCode, query.slice(0, 40)).toBe(303)
    }
    for (const query of [`?state=${huge}`, `?code=${huge}&state=${huge}`, '?state=%00', '?state=%ff%fe', '?error=%00&state=x', '?iss=a&iss=b']) {
      const response = await browser.get(`/auth/oidc/${a.organizationId}/callback${query}`)
      expect(response.statusCode, query.slice(0, 40)).toBe(400)
    }
    // With a live state: a huge code, doubled parameters, an error with a long description of control characters.
    providerA.accounts.set('junk', { email: `junk@${domainA}` })
    const liveQueries = [
      (q: URLSearchParams) => { q.set('code', huge) },
      (q: URLSearchParams) => { q.append('code', 'second') },
      (q: URLSearchParams) => { q.append('state', 'second') },
      (q: URLSearchParams) => { q.delete('code'); q.set('error', 'x'.repeat(5000)); q.set('error_description', '\r\n<script>'.repeat(1000)) },
      (q: URLSearchParams) => { q.append('iss', providerA.issuer) },
    ]
    for (const [index, change] of liveQueries.entries()) {
      const started = await browser.get(`/auth/oidc/${a.organizationId}`)
      const url = new URL(await signInAtProvider(started.headers.location as string, 'junk'))
      change(url.searchParams)
      const response = await browser.get(local(url.href))
      expect(response.statusCode, `${index} ${response.body.match(/role="alert">([^<]*)/)?.[1]}`).toBeGreaterThanOrEqual(400)
      expect(response.statusCode, `${index} ${response.body.match(/role="alert">([^<]*)/)?.[1]}`).toBeLessThan(500)
      expect(response.body).not.toContain('<script>')
      noSession(response)
    }
    await browser.get('/login')
    for (const body of [{ email: huge }, { email: 'a@b.test', next: ['/a', '/b'] }, { email: `x@${domainA}`, next: huge }] as Array<Record<string, string | string[]>>) {
      const response = await browser.post('/auth/oidc', body)
      expect(response.statusCode).toBeLessThan(500)
    }
  })

  it('SSRF through the issuer: no file:, no plain http beyond loopback, and no redirect followed to another address', async () => {
    const hits: string[] = []
    const inside: Server = createServer((req, res) => { hits.push(req.url ?? ''); res.end('{}') })
    await new Promise<void>((resolve) => inside.listen(0, '127.0.0.2', resolve))
    const insidePort = (inside.address() as AddressInfo).port
    const bouncer: Server = createServer((_req, res) => { res.writeHead(302, { location: `http://127.0.0.2:${insidePort}/latest/meta-data/` }).end() })
    await new Promise<void>((resolve) => bouncer.listen(0, '127.0.0.1', resolve))
    closers.push(() => new Promise((resolve) => inside.close(() => resolve())), () => new Promise((resolve) => bouncer.close(() => resolve())))
    try {
      for (const issuer of ['file:///etc/passwd', 'http://169.254.169.254/latest/meta-data/', `http://127.0.0.2:${insidePort}/`, 'gopher://127.0.0.1:5432/', 'https://user:pw@idp.example/', 'https://idp.example/?a=1']) {
        const response = await save(ownerA, providerA, { issuer })
        expect(response.statusCode, issuer).toBe(422)
        expect(response.body).toContain('id="issuer-error"')
      }
      const bouncing = `http://127.0.0.1:${(bouncer.address() as AddressInfo).port}`
      expect((await save(ownerA, providerA, { issuer: bouncing })).statusCode).toBe(303)
      const tested = await ownerA.post('/settings/sso/test')
      expect(tested.statusCode).toBe(422)
      expect(tested.body).toContain('id="issuer-error"')
      const started = await new Client(ctx.app).get(`/auth/oidc/${a.organizationId}`)
      expect(started.statusCode).toBe(502)
      expect(hits).toEqual([])
      // A loopback address that is not a provider (PostgreSQL's port) is allowed only by OIDC_ALLOW_INSECURE_LOOPBACK, and answers a page.
      expect((await save(ownerA, providerA, { issuer: 'http://127.0.0.1:5432/' })).statusCode).toBe(303)
      const database = await ownerA.post('/settings/sso/test')
      expect(database.statusCode).toBe(422)
    } finally {
      expect((await save(ownerA, providerA)).statusCode).toBe(303)
    }
  })

  it('the client secret leaks nowhere: not in pages, failures or the audit log, even when the provider refuses it', async () => {
    const wrong = 'the-wrong-secret-that-must-never-show-7f3a'
    expect((await save(ownerA, providerA, { clientSecret: wrong })).statusCode).toBe(303)
    try {
      providerA.accounts.set('leak', { email: `leak@${domainA}` })
      const browser = new Client(ctx.app)
      const done = await signIn(browser, a.organizationId, 'leak')
      expect(done.statusCode).toBeGreaterThanOrEqual(400)
      expect(done.body).not.toContain(wrong)
      expect(done.body).not.toContain(Buffer.from(wrong).toString('base64'))
      const pages = [await ownerA.get('/settings/sso'), await ownerA.post('/settings/sso/test'), await ownerA.get('/settings/audit')]
      for (const page of pages) expect(page.body).not.toContain(wrong)
      const entries = await ctx.database.db.selectFrom('audit_log').select(['detail', 'target']).where('organization_id', '=', a.organizationId).execute()
      expect(JSON.stringify(entries)).not.toContain(wrong)
    } finally {
      expect((await save(ownerA, providerA)).statusCode).toBe(303)
    }
  })

  it('an account made by single sign-on gets no password through "forgot password" (it would outlive its removal at the provider)', async () => {
    const email = `no-password-${Date.now().toString(36)}@${domainA}`
    providerA.accounts.set('no-password', { email })
    expect((await signIn(new Client(ctx.app), a.organizationId, 'no-password')).statusCode).toBe(303)
    const withPassword = await addPerson(ctx, a, 'viewer')
    const mailsTo = async (recipient: string) => (await ctx.database.db.selectFrom('account_mails').select('id')
      .where('recipient', '=', recipient).where('kind', '=', 'password_reset').execute()).length
    for (const address of [email, withPassword]) {
      const browser = new Client(ctx.app)
      await browser.get('/forgot-password')
      expect((await browser.post('/forgot-password', { email: address })).statusCode).toBeLessThan(400)
    }
    expect(await mailsTo(withPassword)).toBe(1)
    expect(await mailsTo(email)).toBe(0)
  })

  it('a removed person comes back by first sign-in only with the default role, and it is audited', async () => {
    const email = `returning-${Date.now().toString(36)}@${domainA}`
    expect((await save(ownerA, providerA, { defaultRole: 'viewer' })).statusCode).toBe(303)
    providerA.accounts.set('returning', { email })
    expect((await signIn(new Client(ctx.app), a.organizationId, 'returning')).statusCode).toBe(303)
    const first = (await userRow(email))!
    await ctx.database.db.updateTable('users').set({ role: 'admin' }).where('id', '=', first.id).execute()
    // Removed through the People page, as an owner would.
    await ownerA.get('/settings/people')
    expect((await ownerA.post(`/settings/people/${first.id}/remove`, {})).statusCode).toBeLessThan(400)
    expect(await userRow(email)).toBeUndefined()
    const back = new Client(ctx.app)
    expect((await signIn(back, a.organizationId, 'returning')).statusCode).toBe(303)
    const again = (await userRow(email))!
    expect(again.id).not.toBe(first.id)
    expect(again.role).toBe('viewer')
    const created = await ctx.database.db.selectFrom('audit_log').select(['action', 'detail']).where('organization_id', '=', a.organizationId)
      .where('actor_email', '=', email).where('action', '=', 'sso_account_created').execute()
    expect(created.map((e) => e.detail)).toEqual([{ role: 'viewer' }, { role: 'viewer' }])
  })
}, ENV)
