// Attacks on two-factor sign-in, each by someone who knows a victim's password but not their phone
// (or by a colleague): minting an API token with the password alone, planting a setup secret the
// victim then confirms, many codes at once against one throttle, skipping the code step, forged and
// borrowed pending sign-ins, odd input, CSRF and another organization's reset route. The clock (Date
// only) is moved by hand, as in two-factor.test.ts.
import { beforeAll, expect, it } from 'vitest'
import {
  addPerson, Browser, createTenant, describeEachDatabase, PASSWORD, type TestContext, type Tenant,
} from '../helpers/app.js'
import {
  addressesIn, codeNow, enrol, manualClock, passwordStep as signInStep, secretOn, STEP,
} from '../helpers/two-factor.js'

const { tick } = manualClock('2026-12-01T12:00:05Z')
const nextAddress = addressesIn('203.0.113')
const passwordStep = (browser: Browser, email: string, password = PASSWORD) => signInStep(browser, email, nextAddress(), password)

/**
 * Signs in from an address of its own: this file signs in more often than the route's per-address
 * limit allows in a minute, and its hand-moved clock crosses limit windows, where a count may run
 * over by a flush interval's hits (plugins/rate-limit-store.ts).
 */
async function signedIn(ctx: TestContext, email: string) {
  const browser = new Browser(ctx.app)
  const response = await passwordStep(browser, email)
  if (response.statusCode !== 303) throw new Error(`login failed: ${response.statusCode}`)
  await browser.get('/waves')
  return browser
}

/** Sends a form from its own address, so the per-address limit of the route does not answer first. */
function postFrom(browser: Browser, url: string, form: Record<string, string>) {
  return browser.request({
    method: 'POST', url, remoteAddress: nextAddress(),
    payload: new URLSearchParams({ _csrf: browser.csrf!, ...form }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
}

async function failures(ctx: TestContext, email: string) {
  const row = await ctx.database.db.selectFrom('users').select('two_factor_failures').where('email', '=', email).executeTakeFirstOrThrow()
  return row.two_factor_failures
}

async function requireTwoFactor(ctx: TestContext, tenant: Tenant) {
  const owner = await signedIn(ctx, tenant.owner.email)
  await owner.get('/settings/security')
  expect((await owner.post('/settings/security', { requireTwoFactor: 'on' })).statusCode).toBe(303)
  return owner
}

describeEachDatabase('attacks on two-factor sign-in', (ctx) => {
  let tenant: Tenant

  beforeAll(async () => { tenant = await createTenant(ctx, 'Lighthouse') })

  it('mints no API token with the password alone for someone with two-factor on, or whose organization requires it', async () => {
    const email = await addPerson(ctx, tenant, 'analyst')
    await enrol(ctx, email)
    const withTwoFactor = await ctx.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email, password: PASSWORD } })
    expect(withTwoFactor.statusCode).toBe(403)
    expect(withTwoFactor.json().error).toBe('two_factor_required')
    expect(withTwoFactor.body).toContain('/account/tokens')

    const strict = await createTenant(ctx, 'Strict tokens')
    const colleague = await addPerson(ctx, strict, 'viewer')
    await requireTwoFactor(ctx, strict)
    const required = await ctx.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: colleague, password: PASSWORD } })
    expect(required.statusCode).toBe(403)
    // A wrong password still answers as before, so the answer does not tell who has two-factor.
    const wrong = await ctx.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email, password: 'not the password' } })
    expect(wrong.statusCode).toBe(401)
    // Signed in with both factors, the person still makes tokens on the tokens page.
    const { browser } = await enrol(ctx, await addPerson(ctx, tenant, 'viewer'))
    await browser.get('/account/tokens')
    const made = await browser.post('/account/tokens', { name: 'script' })
    expect(made.statusCode).toBeLessThan(400)
    expect(made.body).toMatch(/sgt_[A-Za-z0-9_-]+/)
  })

  it('does not show a setup secret from one browser to another, so a secret seen by an attacker is never the one confirmed', async () => {
    const strict = await createTenant(ctx, 'Strict setup')
    const victimEmail = await addPerson(ctx, strict, 'analyst')
    await requireTwoFactor(ctx, strict)
    // The attacker signs in with the password and reads the secret on the way-in setup page.
    const attacker = new Browser(ctx.app)
    expect((await passwordStep(attacker, victimEmail)).headers.location).toBe('/login/two-factor/setup')
    const planted = secretOn((await attacker.get('/login/two-factor/setup')).body)
    // The victim signs in a minute later and sets up their phone from what their page shows.
    tick(60_000)
    const victim = new Browser(ctx.app)
    await passwordStep(victim, victimEmail)
    const shown = secretOn((await victim.get('/login/two-factor/setup')).body)
    expect(shown).not.toBe(planted)
    // The attacker's code, sent from the victim's page, does not set up two-factor with the planted secret.
    expect((await victim.post('/login/two-factor/setup', { code: codeNow(planted) })).statusCode).toBe(422)
    const confirmed = await victim.post('/login/two-factor/setup', { code: codeNow(secretOn((await victim.get('/login/two-factor/setup')).body)) })
    expect(confirmed.statusCode).toBe(200)
    // Later the attacker has the password and the planted secret: no session.
    tick()
    const again = new Browser(ctx.app)
    await passwordStep(again, victimEmail)
    await again.get('/login/two-factor')
    expect((await again.post('/login/two-factor', { code: codeNow(planted) })).statusCode).toBe(422)
    expect(again.cookie('sg_session')).toBeUndefined()
  })

  it('does not share the setup secret of the account page between two sessions', async () => {
    const email = await addPerson(ctx, tenant, 'viewer')
    const attacker = await signedIn(ctx, email)
    const planted = secretOn((await attacker.get('/account/two-factor')).body)
    const victim = await signedIn(ctx, email)
    const shown = secretOn((await victim.get('/account/two-factor')).body)
    expect(shown).not.toBe(planted)
    expect((await victim.post('/account/two-factor', { code: codeNow(planted) })).statusCode).toBe(422)
    // Each session's own page still works, and a reload keeps its secret.
    expect(secretOn((await victim.get('/account/two-factor')).body)).toBe(shown)
    expect((await victim.post('/account/two-factor', { code: codeNow(shown) })).statusCode).toBe(200)
  })

  it('checks no more codes than the throttle allows when many arrive at once on one pending sign-in', async () => {
    const email = await addPerson(ctx, tenant, 'viewer')
    const { secret } = await enrol(ctx, email)
    tick()
    const browser = new Browser(ctx.app)
    await passwordStep(browser, email)
    await browser.get('/login/two-factor')
    const guesses = Array.from({ length: 20 }, (_, i) => String(100000 + i * 37_111).slice(0, 6)).filter((code) => code !== codeNow(secret) && code !== codeNow(secret, -STEP) && code !== codeNow(secret, STEP))
    const answers = await Promise.all(guesses.map((code) => postFrom(browser, '/login/two-factor', { code })))
    expect(answers.every((a) => a.statusCode < 500)).toBe(true)

    expect(await failures(ctx, email)).toBeLessThanOrEqual(5)
    expect(browser.cookie('sg_session')).toBeUndefined()
  })

  it('checks no more than ten codes for an account when many arrive at once across pending sign-ins', async () => {
    const email = await addPerson(ctx, tenant, 'viewer')
    const { secret } = await enrol(ctx, email)
    tick()
    const browsers = await Promise.all(Array.from({ length: 6 }, async () => {
      const browser = new Browser(ctx.app)
      await passwordStep(browser, email)
      await browser.get('/login/two-factor')
      return browser
    }))
    const wrong = String((Number(codeNow(secret)) + 500_000) % 1_000_000).padStart(6, '0')
    await Promise.all(browsers.flatMap((browser) => Array.from({ length: 5 }, () => postFrom(browser, '/login/two-factor', { code: wrong }))))

    expect(await failures(ctx, email)).toBeLessThanOrEqual(10)
    // And the account is locked now: even the right code waits.
    const late = new Browser(ctx.app)
    await passwordStep(late, email)
    await late.get('/login/two-factor')
    expect((await late.post('/login/two-factor', { code: codeNow(secret) })).statusCode).toBe(429)
  })

  it('starts one session for one code, one recovery code or one pending sign-in, however many requests race', async () => {
    const email = await addPerson(ctx, tenant, 'analyst')
    const { secret, browser: enrolled } = await enrol(ctx, email)
    const recovery = [...(await enrolled.post('/account/two-factor/recovery-codes', { regenerateCode: codeNow(secret, STEP) })).body
      .matchAll(/<li><code>([A-Z2-7-]{19})<\/code><\/li>/g)].map((m) => m[1]!)
    expect(recovery).toHaveLength(10)
    const sessions = async () => (await ctx.database.db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id')
      .select('sessions.user_id').where('users.email', '=', email).execute()).length
    const pendings = async (n: number) => Promise.all(Array.from({ length: n }, async () => {
      const browser = new Browser(ctx.app)
      await passwordStep(browser, email)
      await browser.get('/login/two-factor')
      return browser
    }))
    for (const code of [() => codeNow(secret), () => recovery[0]!]) {
      tick(3 * STEP)
      const before = await sessions()
      const racers = await pendings(4)
      const value = code()
      const answers = await Promise.all(racers.map((browser) => postFrom(browser, '/login/two-factor', { code: value })))
      expect(answers.filter((a) => a.statusCode === 303)).toHaveLength(1)
      expect(await sessions()).toBe(before + 1)
    }
    // One pending sign-in, a code and a recovery code at once: one session, not two.
    tick(3 * STEP)
    const before = await sessions()
    const [one] = await pendings(1)
    const answers = await Promise.all([codeNow(secret), recovery[1]!].map((code) => postFrom(one!, '/login/two-factor', { code })))
    expect(answers.filter((a) => a.statusCode === 303)).toHaveLength(1)
    expect(await sessions()).toBe(before + 1)
  })

  it('keeps a pending sign-in to its own step and person: no page before it, no swapping purposes or people', async () => {
    const strict = await createTenant(ctx, 'Strict steps')
    const enrolEmail = await addPerson(ctx, strict, 'admin')
    await requireTwoFactor(ctx, strict)
    const attacker = new Browser(ctx.app)
    await passwordStep(attacker, enrolEmail)
    for (const url of ['/waves', '/account/two-factor', '/account/tokens', '/settings/security']) {
      expect((await attacker.get(url)).headers.location, url).toMatch(/^\/login\?next=/)
    }
    await attacker.get('/login/two-factor/setup')
    // A setup pending sign-in is no code pending sign-in, whatever code is sent.
    expect((await attacker.post('/login/two-factor', { code: '123456' })).statusCode).toBe(410)
    const api = await ctx.app.inject({ method: 'GET', url: '/api/v1/waves', headers: { cookie: `sg_2fa=${attacker.cookie('sg_2fa')}` } })
    expect(api.statusCode).toBe(401)

    // Someone's own pending sign-in with a victim's code does not sign in as the victim (nor as themselves).
    const victimEmail = await addPerson(ctx, tenant, 'analyst')
    const { secret: victimSecret } = await enrol(ctx, victimEmail)
    const mineEmail = await addPerson(ctx, tenant, 'viewer')
    await enrol(ctx, mineEmail)
    tick()
    const mine = new Browser(ctx.app)
    await passwordStep(mine, mineEmail)
    await mine.get('/login/two-factor')
    expect((await mine.post('/login/two-factor', { code: codeNow(victimSecret) })).statusCode).toBe(422)
    expect(mine.cookie('sg_session')).toBeUndefined()
    // A code pending sign-in is no setup pending sign-in.
    expect((await mine.post('/login/two-factor/setup', { code: '123456' })).statusCode).toBe(410)
  })

  it('refuses every two-factor form without its CSRF token, and answers a missing or odd body without a 500', async () => {
    const email = await addPerson(ctx, tenant, 'viewer')
    const { browser } = await enrol(ctx, email)
    const owner = await signedIn(ctx, tenant.owner.email)
    // The reset route is tried on someone else: with a valid token it does reset them, as it should.
    const resettable = await addPerson(ctx, tenant, 'viewer')
    await enrol(ctx, resettable)
    const people = await ctx.database.db.selectFrom('users').select('id').where('email', '=', resettable).executeTakeFirstOrThrow()
    tick()
    const pending = new Browser(ctx.app)
    await passwordStep(pending, email)
    await pending.get('/login/two-factor')
    const forms: Array<[Browser, string]> = [
      [pending, '/login/two-factor'], [pending, '/login/two-factor/setup'], [browser, '/account/two-factor'],
      [browser, '/account/two-factor/recovery-codes'], [browser, '/account/two-factor/disable'],
      [owner, '/settings/security'], [owner, `/settings/security/people/${people.id}/reset`],
    ]
    for (const [who, url] of forms) {
      const noToken = await who.request({ method: 'POST', url, payload: 'code=123456&requireTwoFactor=on', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      expect(noToken.statusCode, url).toBe(403)
      await who.get(url.startsWith('/settings') ? '/settings/security' : url.startsWith('/account') ? '/account/two-factor' : '/login/two-factor')
      for (const body of [undefined, 'null', '[]', '"x"', '{"code":{"a":1},"requireTwoFactor":["on","on"],"password":7}']) {
        const response = await who.request({
          method: 'POST', url, ...(body === undefined ? {} : { payload: body }),
          headers: { 'x-csrf-token': who.csrf!, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        })
        expect(response.statusCode, `${url} ${body}`).toBeLessThan(500)
      }
    }
    // No odd body turned off the person's two-factor.
    const row = await ctx.database.db.selectFrom('users').select('totp_secret').where('email', '=', email).executeTakeFirstOrThrow()
    expect(row.totp_secret).not.toBeNull()
  })

  it('lets only an owner of the same organization reset someone else\'s two-factor', async () => {
    const email = await addPerson(ctx, tenant, 'analyst')
    const { browser: victim } = await enrol(ctx, email)
    const { id } = await ctx.database.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()
    const other = await createTenant(ctx, 'Elsewhere')
    const stranger = await signedIn(ctx, other.owner.email)
    await stranger.get('/settings/security')
    expect((await stranger.post(`/settings/security/people/${id}/reset`)).statusCode).toBe(404)
    for (const bad of ['not-a-uuid', '00000000-0000-0000-0000-000000000000', `${id}%0d%0a`]) {
      expect((await stranger.post(`/settings/security/people/${bad}/reset`)).statusCode, bad).toBe(404)
    }
    const admin = await signedIn(ctx, await addPerson(ctx, tenant, 'admin'))
    await admin.get('/settings/security')
    expect((await admin.post(`/settings/security/people/${id}/reset`)).statusCode).toBe(403)
    // Nor can a colleague turn it off from their own account page: that acts only on themselves.
    const colleague = await signedIn(ctx, await addPerson(ctx, tenant, 'analyst'))
    await colleague.get('/account/two-factor')
    await colleague.post('/account/two-factor/disable', { password: PASSWORD, disableCode: '123456', userId: id, id })
    const row = await ctx.database.db.selectFrom('users').select('totp_secret').where('id', '=', id).executeTakeFirstOrThrow()
    expect(row.totp_secret).not.toBeNull()
    expect((await victim.get('/account/two-factor')).statusCode).toBe(200)
  })

  it('keeps secrets and codes out of the audit log and out of every cache', async () => {
    const email = await addPerson(ctx, tenant, 'viewer')
    const browser = await signedIn(ctx, email)
    const page = await browser.get('/account/two-factor')
    expect(page.headers['cache-control']).toBe('no-store')
    const secret = secretOn(page.body)
    const code = codeNow(secret)
    const done = await browser.post('/account/two-factor', { code })
    expect(done.headers['cache-control']).toBe('no-store')
    const codes = [...done.body.matchAll(/<li><code>([A-Z2-7-]{19})<\/code><\/li>/g)].map((m) => m[1]!)
    tick()
    const pending = new Browser(ctx.app)
    await passwordStep(pending, email)
    await pending.get('/login/two-factor')
    await pending.post('/login/two-factor', { code: '000000' })
    await pending.post('/login/two-factor', { code: codes[0]! })
    const rows = await ctx.database.db.selectFrom('audit_log').selectAll().where('organization_id', '=', tenant.organizationId).execute()
    const text = JSON.stringify(rows)
    for (const leak of [secret, code, codes[0]!, codes[0]!.replaceAll('-', ''), '000000', pending.cookie('sg_2fa') ?? 'no-cookie-left']) {
      expect(text.includes(leak), leak).toBe(false)
    }
  })
})
