// What the two-factor route tests share: a clock moved by hand (Date only, so codes of later time
// steps can be used without waiting), the password step of a sign-in from an address of its own,
// reading the key and recovery codes off the pages, and setting up an app for a person.
import { afterAll, beforeAll, expect, vi } from 'vitest'
import { totpCode } from '../../server/domain/totp.js'
import { PASSWORD, signedIn, type Browser, type TestContext } from './app.js'

export const STEP = 30_000

/** Fakes Date from `startIso` for the file; `tick` moves it on by `ms` (default one TOTP step). */
export function manualClock(startIso: string) {
  let clock = Date.parse(startIso)
  beforeAll(() => { vi.useFakeTimers({ toFake: ['Date'] }); vi.setSystemTime(clock) })
  afterAll(() => { vi.useRealTimers() })
  return { tick: (ms = STEP) => { clock += ms; vi.setSystemTime(clock) } }
}

/** Addresses of one documentation range, each sign-in its own, so per-address limits do not get in the way. */
export function addressesIn(prefix: string) {
  let address = 0
  return () => `${prefix}.${(address++ % 250) + 1}`
}

export async function passwordStep(browser: Browser, email: string, remoteAddress: string, password = PASSWORD) {
  await browser.get('/login')
  return browser.request({
    method: 'POST', url: '/login', remoteAddress,
    payload: new URLSearchParams({ _csrf: browser.csrf!, email, password, next: '/units' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
}

export const secretOn = (html: string) => html.match(/id="two-factor-secret">([A-Z2-7 ]+)</)![1]!.replaceAll(' ', '')
export const recoveryCodesOn = (html: string) => [...html.matchAll(/<li><code>([A-Z2-7-]{19})<\/code><\/li>/g)].map((m) => m[1]!)
export const codeNow = (secret: string, offset = 0) => totpCode(secret, Date.now() + offset)

/** Turns two-factor on for a signed-in person with a code from the key the page shows. */
export async function enrol(ctx: TestContext, email: string) {
  const browser = await signedIn(ctx, email)
  const secret = secretOn((await browser.get('/account/two-factor')).body)
  const done = await browser.post('/account/two-factor', { code: codeNow(secret) })
  expect(done.statusCode).toBe(200)
  return { browser, secret, codes: recoveryCodesOn(done.body) }
}
