// Passwords of one's own account, on both databases: the account page, forgot password with the mail
// through a real SMTP server, the per-account sign-in limit, the bound on concurrent password checks,
// and the sign-in form's answers to hostile input.
import { randomBytes, scryptSync } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { MailWorker } from '../../server/mail/worker.js'
import { smtpTransport, type Transport } from '../../server/mail/transport.js'
import { listAudit } from '../../server/repositories/audit.js'
import { accountMailsTo } from '../../server/repositories/account-mails.js'
import { resetLinkFor, SIGN_IN_FAILURES } from '../../server/services/passwords.js'
import { Browser, createTenant, describeEachDatabase, PASSWORD, signedIn, uniqueEmail, type TestContext } from '../helpers/app.js'
import { linkIn, smtpServer } from '../helpers/smtp.js'

const NEW_PASSWORD = 'a brand new sentence of mine'
let address = 0
/** A fresh client address per request, so the per-address limiter of @fastify/rate-limit stays out of the way. */
const nextAddress = () => `198.18.${Math.floor(++address / 250) % 250}.${(address % 250) + 1}`

async function post(browser: Browser, url: string, form: Record<string, string | string[]>, remoteAddress = nextAddress()) {
  const body = new URLSearchParams()
  if (!('_csrf' in form) && browser.csrf) body.append('_csrf', browser.csrf)
  for (const [key, value] of Object.entries(form)) for (const v of [value].flat()) body.append(key, v)
  return browser.request({ method: 'POST', url, remoteAddress, payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
}

async function actions(ctx: TestContext, organizationId: string) {
  return (await listAudit(ctx.database.db, organizationId, { limit: 100 })).map((entry) => entry.action)
}

describeEachDatabase('passwords', (ctx) => {
  let smtp: Awaited<ReturnType<typeof smtpServer>>
  let transport: Transport
  let worker: MailWorker

  beforeAll(async () => {
    smtp = await smtpServer()
    transport = smtpTransport(smtp.url)
    worker = new MailWorker({ db: ctx.database.db, transport, publicUrl: ctx.config.publicUrl, secret: ctx.config.signingSecret, from: 'Service Gap <sg@sg.test>', rate: 1000 })
  })
  afterAll(async () => {
    await worker.stop()
    transport.close()
    await smtp.close()
  })

  /** Sends what is queued and returns the reset link mailed to `to` last. */
  async function mailedLink(to: string) {
    await worker.runOnce()
    const message = smtp.received.filter((m) => m.to === to).at(-1)
    return message && linkIn(message.raw, 'http://sg.test/reset-password/')
  }

  async function askForReset(email: string, browser = new Browser(ctx.app)) {
    await browser.get('/forgot-password')
    return post(browser, '/forgot-password', { email })
  }

  it('resets a forgotten password by a single-use link mailed through SMTP, ending every session', async () => {
    const tenant = await createTenant(ctx, 'Reset Organization')
    const elsewhere = await signedIn(ctx, tenant.owner.email)
    const asked = await askForReset(` ${tenant.owner.email.toUpperCase()} `)
    expect(asked.statusCode).toBe(200)
    expect(asked.body).toContain('Check your inbox')
    const link = (await mailedLink(tenant.owner.email))!
    expect(link).toBeTruthy()
    const message = smtp.received.filter((m) => m.to === tenant.owner.email).at(-1)!
    expect(message.raw).toContain('Reset Organization')
    const path = new URL(link).pathname
    // Only the token's hash is stored.
    const rows = await ctx.database.db.selectFrom('password_resets').select(['token_hash', 'expires_at', 'created_at']).where('user_id', '=', tenant.owner.userId).execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]!.token_hash).not.toContain(path.split('/').at(-1))
    expect(rows[0]!.expires_at.getTime() - rows[0]!.created_at.getTime()).toBeCloseTo(30 * 60 * 1000, -4)

    const browser = new Browser(ctx.app)
    const form = await browser.get(path)
    expect(form.statusCode).toBe(200)
    expect(form.headers['cache-control']).toBe('no-store')
    expect(form.body).toContain('Choose a new password')
    const weak = await post(browser, path, { password: 'Reset Organization', confirm: 'Reset Organization' })
    expect(weak.statusCode).toBe(422)
    expect(weak.body).toContain('class="field-error" id="password-error"')
    expect(weak.body).toContain('Do not use your email address, name or organization')
    const mismatch = await post(browser, path, { password: NEW_PASSWORD, confirm: `${NEW_PASSWORD}!` })
    expect(mismatch.statusCode).toBe(422)
    expect(mismatch.body).toContain('id="confirm-error"')

    const done = await post(browser, path, { password: NEW_PASSWORD, confirm: NEW_PASSWORD })
    expect(done.statusCode).toBe(303)
    expect(done.headers.location).toBe('/login?reset=done')
    expect((await browser.get('/login?reset=done')).body).toContain('Sign in with your new password')
    expect((await elsewhere.get('/waves')).statusCode).toBe(303)

    const again = await browser.get(path)
    expect(again.statusCode).toBe(410)
    expect(again.body).toContain('This link no longer works')
    expect((await post(browser, path, { password: NEW_PASSWORD, confirm: NEW_PASSWORD })).statusCode).toBe(410)

    await expect(new Browser(ctx.app).login(tenant.owner.email, PASSWORD)).rejects.toThrow(/422/)
    await new Browser(ctx.app).login(tenant.owner.email, NEW_PASSWORD)
    const log = await actions(ctx, tenant.organizationId)
    expect(log).toContain('password_reset_requested')
    expect(log).toContain('password_reset')
    const entries = await listAudit(ctx.database.db, tenant.organizationId, { limit: 100 })
    expect(JSON.stringify(entries)).not.toContain(path.split('/').at(-1))
  })

  it('answers an unknown address exactly as a known one, and mails nobody', async () => {
    const tenant = await createTenant(ctx)
    const known = await askForReset(tenant.owner.email)
    const nobody = uniqueEmail('nobody')
    const unknown = await askForReset(nobody)
    expect(unknown.statusCode).toBe(known.statusCode)
    const strip = (body: string, email: string) => body.replaceAll(email, 'EMAIL').replace(/name="_csrf" value="[^"]+"/g, '')
    expect(strip(unknown.body, nobody)).toBe(strip(known.body, tenant.owner.email))
    await worker.runOnce()
    expect(await accountMailsTo(ctx.database.db, nobody)).toEqual([])
    expect(smtp.received.some((m) => m.to === nobody)).toBe(false)
    expect(await actions(ctx, tenant.organizationId)).toEqual(['password_reset_requested'])
  })

  it('keeps only the newest link working, and refuses expired, malformed and huge tokens', async () => {
    const tenant = await createTenant(ctx)
    await askForReset(tenant.owner.email)
    const first = new URL((await mailedLink(tenant.owner.email))!).pathname
    await askForReset(tenant.owner.email)
    const second = new URL((await mailedLink(tenant.owner.email))!).pathname
    expect(second).not.toBe(first)
    const browser = new Browser(ctx.app)
    expect((await browser.get(first)).statusCode).toBe(410)
    expect((await browser.get(second)).statusCode).toBe(200)
    await ctx.database.db.updateTable('password_resets').set({ expires_at: new Date(Date.now() - 1000) }).where('user_id', '=', tenant.owner.userId).execute()
    expect((await browser.get(second)).statusCode).toBe(410)
    for (const token of ['x', 'a'.repeat(43).replace(/^a/, '%'), 'b'.repeat(190), '..%2F..%2Fetc']) {
      const response = await browser.get(`/reset-password/${token}`)
      expect([400, 404, 410]).toContain(response.statusCode)
    }
    await browser.get('/forgot-password')
    expect((await post(browser, second, { password: [NEW_PASSWORD, NEW_PASSWORD], confirm: NEW_PASSWORD })).statusCode).toBe(410)
  })

  it('mails at most three links an hour per address and per account, answering the same each time', async () => {
    const tenant = await createTenant(ctx)
    const pages = []
    for (let i = 0; i < 5; i++) pages.push(await askForReset(tenant.owner.email))
    expect(pages.map((p) => p.statusCode)).toEqual([200, 200, 200, 200, 200])
    expect(new Set(pages.map((p) => p.body.replace(/name="_csrf" value="[^"]+"/g, ''))).size).toBe(1)
    expect((await accountMailsTo(ctx.database.db, tenant.owner.email)).length).toBe(3)

    // Per account: links made another way (the admin command) count too.
    const other = await createTenant(ctx)
    for (let i = 0; i < 3; i++) await resetLinkFor(ctx.database.db, other.owner.email, { secret: ctx.config.signingSecret, publicUrl: ctx.config.publicUrl, resetPath: '/reset-password' })
    await askForReset(other.owner.email)
    expect(await accountMailsTo(ctx.database.db, other.owner.email)).toEqual([])
  })

  it('names a bad address next to its field and keeps what was typed; doubled fields are no 500', async () => {
    const browser = new Browser(ctx.app)
    await browser.get('/forgot-password')
    for (const email of ['a,b@x.test', 'Name <c@x.test>', '"a"@x.test', 'a b@x.test', 'a@x.test\r\nBcc: d@x.test']) {
      const response = await post(browser, '/forgot-password', { email })
      expect(response.statusCode).toBe(422)
      expect(response.body).toContain('id="email-error"')
    }
    const kept = await post(browser, '/forgot-password', { email: 'Name <c@x.test>' })
    expect(kept.body).toContain('value="Name &lt;c@x.test&gt;"')
    expect((await post(browser, '/forgot-password', { email: ['a@x.test', 'b@x.test'] })).statusCode).toBe(422)
    expect((await post(browser, '/forgot-password', {})).statusCode).toBe(422)
  })

  it('changes the name and password on /account, signing out every other session but this one', async () => {
    const tenant = await createTenant(ctx, 'Account Organization')
    const browser = await signedIn(ctx, tenant.owner.email)
    const other = await signedIn(ctx, tenant.owner.email)
    const page = await browser.get('/account')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('href="/account/two-factor"')
    expect(page.body).toContain('in 2 places')

    expect((await browser.post('/account/name', { name: 'x'.repeat(101) })).statusCode).toBe(422)
    const renamed = await browser.post('/account/name', { name: ' Ada <Admin> ' })
    expect(renamed.headers.location).toBe('/account?done=name')
    expect((await browser.get('/account?done=name')).body).toContain('value="Ada &lt;Admin&gt;"')

    await browser.get('/account')
    const wrong = await browser.post('/account/password', { current: 'not my password at all', password: NEW_PASSWORD, confirm: NEW_PASSWORD })
    expect(wrong.statusCode).toBe(422)
    expect(wrong.body).toContain('That is not your current password.')
    expect(wrong.body).toContain('id="current-error"')
    const weak = await browser.post('/account/password', { current: PASSWORD, password: 'Account Organization', confirm: 'Account Organization' })
    expect(weak.statusCode).toBe(422)
    expect(weak.body).toContain('id="password-error"')
    expect(weak.body).toContain('Do not use your email address, name or organization')
    expect(weak.body).not.toContain('value="Account Organization"')
    const same = await browser.post('/account/password', { current: PASSWORD, password: PASSWORD, confirm: PASSWORD })
    expect(same.body).toContain('different from your current one')
    expect((await browser.post('/account/password', { current: [PASSWORD, PASSWORD], password: [NEW_PASSWORD], confirm: NEW_PASSWORD })).statusCode).toBe(422)
    const changed = await browser.post('/account/password', { current: PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD })
    expect(changed.statusCode).toBe(303)
    expect((await browser.get('/account?done=password')).body).toContain('Your password has been changed')
    expect((await other.get('/waves')).statusCode).toBe(303)
    await new Browser(ctx.app).login(tenant.owner.email, NEW_PASSWORD)

    const third = await signedIn(ctx, tenant.owner.email).catch(() => null)
    expect(third).toBeNull()
    const fourth = await new Browser(ctx.app).login(tenant.owner.email, NEW_PASSWORD)
    await browser.get('/account')
    expect((await browser.post('/account/sessions/sign-out-others')).headers.location).toBe('/account?done=sessions')
    expect((await fourth.get('/waves')).statusCode).toBe(303)
    expect((await browser.get('/waves')).statusCode).toBe(200)
    const log = await actions(ctx, tenant.organizationId)
    expect(log).toEqual(expect.arrayContaining(['name_changed', 'password_changed', 'sign_out_others']))
    const entries = await listAudit(ctx.database.db, tenant.organizationId, { limit: 100 })
    expect(JSON.stringify(entries)).not.toContain(NEW_PASSWORD)
  })

  it('refuses every next that leads off-site, and answers CR, LF, U+3000 and doubled fields without a 500', async () => {
    const tenant = await createTenant(ctx)
    const evil = ['/%09/evil.test', '/\t/evil.test', '/\\evil.test', '/%5Cevil.test', '//evil.test', '/%2F%2Fevil.test', '/%2F/evil.test',
      'https://evil.test/', '/%252F%252Fevil.test', '/\r\n/evil.test', '/\u3000/evil.test', '/%E3%80%80/evil.test', ' /units', '/ /evil.test', '/%0d%0aSet-Cookie:x=1', 'javascript:alert(1)']
    for (const next of evil) {
      const browser = new Browser(ctx.app)
      await browser.get('/login')
      const response = await post(browser, '/login', { email: tenant.owner.email, password: PASSWORD, next })
      expect(response.statusCode, next).toBe(303)
      expect(response.headers.location, next).toBe('/waves')
      const page = await browser.get(`/login?next=${encodeURIComponent(next)}`)
      expect(page.statusCode, next).not.toBe(500)
    }
    for (const next of ['/units', '/waves/new?x=1#y', '/contacts?q=a%20b']) {
      const browser = new Browser(ctx.app)
      await browser.get('/login')
      expect((await post(browser, '/login', { email: tenant.owner.email, password: PASSWORD, next })).headers.location).toBe(next)
    }
    const browser = new Browser(ctx.app)
    await browser.get('/login')
    for (const form of [
      { email: [tenant.owner.email, tenant.owner.email], password: PASSWORD },
      { email: tenant.owner.email, password: [PASSWORD, PASSWORD] },
      { email: tenant.owner.email, password: PASSWORD, next: ['/units', '/waves'] },
      { email: 'x'.repeat(5000), password: 'y'.repeat(5000) },
      {},
    ] as Array<Record<string, string | string[]>>) {
      const response = await post(browser, '/login', form)
      expect([303, 422]).toContain(response.statusCode)
    }
    const doubled = await post(browser, '/login', { email: [tenant.owner.email, 'x@y.test'], password: PASSWORD })
    expect(doubled.statusCode).toBe(422)
    const missing = await post(browser, '/login', { email: ' ', password: '' })
    expect(missing.body).toContain('id="email-error"')
    expect(missing.body).toContain('id="password-error"')
  })

  it('throttles an account after repeated failures from any address, the same for unknown emails, in the API too', async () => {
    const tenant = await createTenant(ctx)
    const nobody = uniqueEmail('nobody')
    for (const email of [tenant.owner.email, nobody]) {
      const browser = new Browser(ctx.app)
      await browser.get('/login')
      for (let i = 0; i < SIGN_IN_FAILURES; i++) expect((await post(browser, '/login', { email, password: `wrong guess number ${i}` })).statusCode).toBe(422)
    }
    const browser = new Browser(ctx.app)
    await browser.get('/login')
    const right = await post(browser, '/login', { email: tenant.owner.email, password: PASSWORD })
    const unknown = await post(browser, '/login', { email: nobody, password: PASSWORD })
    for (const response of [right, unknown]) {
      expect(response.statusCode).toBe(429)
      expect(response.body).toContain('Try again in 15 minutes')
      expect(response.body).toContain('value="')
    }
    expect(right.body.replace(tenant.owner.email, 'E').replace(/value="[^"]*"/g, '')).toBe(unknown.body.replace(nobody, 'E').replace(/value="[^"]*"/g, ''))
    const api = await ctx.app.inject({ method: 'POST', url: '/api/v1/tokens', remoteAddress: nextAddress(), payload: { email: tenant.owner.email, password: PASSWORD } })
    expect(api.statusCode).toBe(429)
    expect(api.json().error).toBe('too_many_attempts')
    const log = await listAudit(ctx.database.db, tenant.organizationId, { limit: 100, action: 'sign_in_failed' })
    expect(log.length).toBeGreaterThanOrEqual(SIGN_IN_FAILURES)
    expect(log.map((e) => e.detail.reason)).toContain('throttled')

    // A reset ends the lock: the account's owner proved who they are by mail.
    const link = await resetLinkFor(ctx.database.db, tenant.owner.email, { secret: ctx.config.signingSecret, publicUrl: ctx.config.publicUrl, resetPath: '/reset-password' })
    const path = new URL(link!).pathname
    await browser.get(path)
    expect((await post(browser, path, { password: NEW_PASSWORD, confirm: NEW_PASSWORD })).statusCode).toBe(303)
    await browser.get('/login')
    expect((await post(browser, '/login', { email: tenant.owner.email, password: NEW_PASSWORD })).statusCode).toBe(303)
  })

  it('answers a burst of sign-ins beyond the bound on password checks with a quick 503, on pages and in the API', async () => {
    const tenant = await createTenant(ctx)
    // A hash at N = 2^15 (32 MiB, tens of milliseconds): costly enough for the checks to pile up.
    const salt = randomBytes(16)
    const key = scryptSync(PASSWORD, salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 })
    await ctx.database.db.updateTable('users').set({ password_hash: ['scrypt', 15, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$') })
      .where('id', '=', tenant.owner.userId).execute()
    const browser = new Browser(ctx.app)
    await browser.get('/login')
    const started = Date.now()
    const pages = await Promise.all(Array.from({ length: 40 }, () => post(browser, '/login', { email: tenant.owner.email, password: PASSWORD })))
    const statuses = pages.map((p) => p.statusCode)
    expect(statuses.every((s) => s === 303 || s === 503)).toBe(true)
    expect(statuses.filter((s) => s === 303).length).toBeGreaterThanOrEqual(4)
    const busy = pages.find((p) => p.statusCode === 503)!
    expect(busy).toBeDefined()
    expect(busy.headers['content-type']).toContain('text/html')
    expect(busy.body).toContain('Please wait a few seconds and try again')
    expect(Date.now() - started).toBeLessThan(15_000)

    const api = await Promise.all(Array.from({ length: 40 }, () => ctx.app.inject({ method: 'POST', url: '/api/v1/tokens', remoteAddress: nextAddress(), payload: { email: tenant.owner.email, password: PASSWORD } })))
    expect(api.every((r) => r.statusCode === 201 || r.statusCode === 503)).toBe(true)
    const refused = api.find((r) => r.statusCode === 503)!
    expect(refused.json()).toMatchObject({ error: 'busy' })
    // Afterwards the gate is free again.
    await browser.get('/login')
    expect((await post(browser, '/login', { email: tenant.owner.email, password: PASSWORD })).statusCode).toBe(303)
  })
}, {}, { mail: { worker: false } })
