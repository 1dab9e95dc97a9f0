// Attacks on two-factor sign-in, each by someone who knows a victim's password but not their phone
// (or by a colleague): minting an API token with the password alone, planting a setup secret the
// victim then confirms, many codes at once against one throttle, skipping the code step, forged and
// borrowed pending sign-ins, odd input, CSRF and another organization's reset route. The clock (Date
// only) is moved by hand, as in two-factor.test.ts.
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { totpCode } from '../../server/domain/totp.js'
import {
  addPerson, Browser, createTenant, describeEachDatabase, PASSWORD, signedIn, type TestContext, type Tenant,
} from '../helpers/app.js'

const STEP = 30_000
let clock = Date.parse('2026-12-01T12:00:05Z')
const tick = (ms = STEP) => { clock += ms; vi.setSystemTime(clock) }

beforeAll(() => { vi.useFakeTimers({ toFake: ['Date'] }); vi.setSystemTime(clock) })
afterAll(() => { vi.useRealTimers() })

let address = 0
const nextAddress = () => `203.0.113.${(address++ % 250) + 1}`

async function passwordStep(browser: Browser, email: string, password = PASSWORD) {
  await browser.get('/login')
  return browser.request({
    method: 'POST', url: '/login', remoteAddress: nextAddress(),
    payload: new URLSearchParams({ _csrf: browser.csrf!, email, password, next: '/units' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
}

/** Sends a form from its own address, so the per-address limit of the route does not answer first. */
function postFrom(browser: Browser, url: string, form: Record<string, string>) {
  return browser.request({
    method: 'POST', url, remoteAddress: nextAddress(),
    payload: new URLSearchParams({ _csrf: browser.csrf!, ...form }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
}

const secretOn = (html: string) => html.match(/id="two-factor-secret">([A-Z2-7 ]+)</)![1]!.replaceAll(' ', '')
const codeNow = (secret: string, offset = 0) => totpCode(secret, Date.now() + offset)

async function enrol(ctx: TestContext, email: string) {
  const browser = await signedIn(ctx, email)
  const secret = secretOn((await browser.get('/account/two-factor')).body)
  const done = await browser.post('/account/two-factor', { code: codeNow(secret) })
  expect(done.statusCode).toBe(200)
  return { browser, secret }
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
})
