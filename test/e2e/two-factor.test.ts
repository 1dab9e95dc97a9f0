/// <reference lib="dom" />
// Two-factor sign-in in a real browser: turn it on by reading the key off the page and computing the
// code as an authenticator app would (otpauth), keep the recovery codes, sign out, and sign in again
// with the password and a code. Screenshots of the setup page and the code page for a person to look at.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Secret, TOTP } from 'otpauth'
import type { Page } from 'playwright-core'
import { addUser, createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { screenshot, seriousViolations, signInWithPassword, startAppAndBrowser, type Running } from './browser.js'

const EMAIL = 'two-factor-owner@example.com'
const PASSWORD = 'a perfectly long password'
const COLLEAGUE = 'colleague@example.com'

let run: Running
let page: Page
let app: TOTP

beforeAll(async () => {
  run = await startAppAndBrowser()
  const { organizationId } = await createOrganizationWithOwner(run.database.db, { name: 'Harbour & Co', email: EMAIL, password: PASSWORD })
  await addUser(run.database.db, organizationId, { email: COLLEAGUE, name: 'Colin Colleague', role: 'analyst', password: PASSWORD })
  page = await (await run.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
})
afterAll(async () => run?.close())

it('turns on two-factor sign-in from the key shown on the page and shows ten recovery codes', async () => {
  await signInWithPassword(page, run.baseUrl, EMAIL, PASSWORD)
  await page.goto(`${run.baseUrl}/account/two-factor`)
  expect(await page.locator('img.two-factor-qr').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0)
  const key = (await page.locator('#two-factor-secret').innerText()).replaceAll(' ', '')
  app = new TOTP({ issuer: 'Service Gap', secret: Secret.fromBase32(key), digits: 6, period: 30, algorithm: 'SHA1' })
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'two-factor-setup')

  await page.fill('#code', app.generate())
  await page.click('main button:has-text("Turn on two-factor sign-in")')
  await page.locator('ol.recovery-codes').waitFor()
  expect(await page.locator('ol.recovery-codes li').count()).toBe(10)
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'two-factor-recovery-codes')
  await page.click('text=I have saved them, continue')
  await page.waitForURL('**/account/two-factor')
  expect(await page.locator('main').innerText()).toContain('10 of your recovery codes are left')
})

it('signs out, and signs in again with the password and then a code from the app', async () => {
  await page.click('header button:has-text("Sign out")')
  await page.waitForURL('**/login')
  await page.fill('#email', EMAIL)
  await page.fill('#password', PASSWORD)
  await page.click('main button[type=submit]')
  await page.waitForURL('**/login/two-factor')
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'two-factor-code')
  // The code of the setup's time step counts once: the app's next one (accepted a step early) signs in.
  await page.fill('#code', app.generate({ timestamp: Date.now() + 30_000 }))
  await page.click('main button[type=submit]')
  await page.waitForURL('**/waves')
  expect(await page.locator('.who .org').textContent()).toBe('Harbour & Co')
})

it('lets the owner require it, and a colleague then sets it up on the way in', async () => {
  await page.goto(`${run.baseUrl}/settings/security`)
  await page.check('#requireTwoFactor')
  await page.click('main button:has-text("Save")')
  await page.waitForURL('**/settings/security?saved')
  expect(await page.isChecked('#requireTwoFactor')).toBe(true)
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'two-factor-security')

  const colleague = await (await run.browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true })).newPage()
  await colleague.goto(`${run.baseUrl}/login`)
  await colleague.fill('#email', COLLEAGUE)
  await colleague.fill('#password', PASSWORD)
  await colleague.click('main button[type=submit]')
  await colleague.waitForURL('**/login/two-factor/setup')
  expect(await seriousViolations(colleague)).toEqual([])
  await screenshot(colleague, 'two-factor-required-setup-phone')
  const key = (await colleague.locator('#two-factor-secret').innerText()).replaceAll(' ', '')
  await colleague.fill('#code', new TOTP({ secret: Secret.fromBase32(key) }).generate())
  await colleague.click('main button[type=submit]')
  await colleague.locator('ol.recovery-codes').waitFor()
  await colleague.click('text=I have saved them, continue')
  await colleague.waitForURL('**/waves')
})
