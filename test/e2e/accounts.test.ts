/// <reference lib="dom" />
// A person's own account in a real browser: forgot password → the mail (read from the development
// outbox the app's mail worker writes) → a new password → sign in with it; then change the password
// on /account. Pages are checked by axe-core and kept as screenshots.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { screenshot, seriousViolations, startAppAndBrowser, type Running } from './browser.js'

let run: Running
let page: Page
const EMAIL = 'grace@example.test'
const FIRST = 'the very first long password'
const SECOND = 'a second sentence I will remember'
const THIRD = 'and a third one for good measure'

beforeAll(async () => {
  run = await startAppAndBrowser()
  await createOrganizationWithOwner(run.database.db, { name: 'Harbour & Co', email: EMAIL, password: FIRST, ownerName: 'Grace' })
  const context = await run.browser.newContext({ viewport: { width: 1280, height: 900 } })
  page = await context.newPage()
})
afterAll(async () => run?.close())

async function signIn(password: string) {
  await page.goto(`${run.baseUrl}/login`)
  await page.fill('#email', EMAIL)
  await page.fill('#password', password)
  await page.click('main button[type=submit]')
}

it('asks for a reset link from the sign-in page, keeping what was typed when the address is wrong', async () => {
  await page.goto(`${run.baseUrl}/login`)
  await page.click('text=Forgot your password?')
  await page.waitForURL('**/forgot-password')
  await page.fill('#email', 'Grace <grace@example.test>')
  await page.click('main button[type=submit]')
  await expect.poll(() => page.locator('#email-error').count()).toBe(1)
  expect(await page.inputValue('#email')).toBe('Grace <grace@example.test>')
  expect(await seriousViolations(page)).toEqual([])
  await page.fill('#email', ` ${EMAIL.toUpperCase()} `)
  await page.click('main button[type=submit]')
  await expect.poll(() => page.locator('.notice').innerText()).toContain('Check your inbox')
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'accounts-forgot-sent')
})

it('follows the mailed link, names a weak password next to its field, and sets a new one', async () => {
  // The app's own mail worker writes the message to the outbox, as under npm start without SMTP_URL.
  const mailed = async () => (await run.database.db.selectFrom('outbox_messages').select('text_body').where('recipient', '=', EMAIL).execute()).at(-1)?.text_body
  await expect.poll(mailed, { timeout: 15_000 }).toMatch(/\/reset-password\//)
  const link = (await mailed())!.match(/http:\/\/\S+\/reset-password\/[A-Za-z0-9_-]+/)![0]
  await page.goto(link)
  expect(await page.locator('h1').innerText()).toBe('Choose a new password')
  await page.fill('#password', 'Harbour & Co')
  await page.fill('#confirm', 'Harbour & Co')
  await page.click('main button[type=submit]')
  await expect.poll(() => page.locator('#password-error').count()).toBe(1)
  expect(await page.inputValue('#password')).toBe('')
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'accounts-reset-password-error')
  await page.fill('#password', SECOND)
  await page.fill('#confirm', SECOND)
  await page.click('main button[type=submit]')
  await page.waitForURL('**/login?reset=done')
  expect(await page.locator('.notice').innerText()).toContain('Sign in with your new password')

  // The link worked once.
  await page.goto(link)
  expect(await page.locator('h1').innerText()).toBe('This link no longer works')
})

it('signs in with the new password only', async () => {
  await signIn(FIRST)
  await expect.poll(() => page.locator('.error-summary').innerText()).toContain('do not match')
  expect(await page.inputValue('#email')).toBe(EMAIL)
  await signIn(SECOND)
  await page.waitForURL('**/waves**')
})

it('changes the password on /account, with the current one required', async () => {
  await page.click('nav a:has-text("Account")')
  await page.waitForURL('**/account')
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'accounts-account')
  await page.fill('#current', 'not the current password')
  await page.fill('#password', THIRD)
  await page.fill('#confirm', THIRD)
  await page.click('form[action="/account/password"] button[type=submit]')
  await expect.poll(() => page.locator('#current-error').innerText()).toContain('not your current password')
  await page.fill('#current', SECOND)
  await page.fill('#password', THIRD)
  await page.fill('#confirm', THIRD)
  await page.click('form[action="/account/password"] button[type=submit]')
  await page.waitForURL('**/account?done=password')
  expect(await page.locator('.notice').innerText()).toContain('Your password has been changed')
  await page.click('text=Sign out')
  await page.waitForURL('**/login')
  await signIn(THIRD)
  await page.waitForURL('**/waves**')
})
