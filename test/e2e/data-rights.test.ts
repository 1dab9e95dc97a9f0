/// <reference lib="dom" />
// Data rights in a real browser: an owner deletes a contact after its confirmation page, asks for the
// export of an address with a wrong one first (kept and shown next to its field), and sets retention.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { screenshot, seriousViolations, sidewaysScrolling, signInWithPassword, startAppAndBrowser, type Running } from './browser.js'

const EMAIL = 'rights-owner@example.com'
const PASSWORD = 'a perfectly long password'
let run: Running
let page: Page

beforeAll(async () => {
  run = await startAppAndBrowser()
  await createOrganizationWithOwner(run.database.db, { name: 'Harbour & Co', email: EMAIL, password: PASSWORD })
  const token = (await run.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: EMAIL, password: PASSWORD } })).json().token as string
  const imported = await run.app.inject({
    method: 'POST', url: '/api/v1/contacts', headers: { authorization: `Bearer ${token}` },
    payload: [{ email: 'ana@example.com', name: 'Ana Pérez', side: 'customer', attributes: { tier: 'gold' } }, { email: 'ben@example.com', name: 'Ben Okafor', side: 'staff' }],
  })
  expect(imported.statusCode).toBe(200)
  const context = await run.browser.newContext({ viewport: { width: 1280, height: 900 } })
  page = await context.newPage()
  await signInWithPassword(page, run.baseUrl, EMAIL, PASSWORD)
})
afterAll(async () => run?.close())

it('deletes a contact only after its confirmation page', async () => {
  await page.goto(`${run.baseUrl}/contacts`)
  await page.click('main a:has-text("Delete ana@example.com")')
  await page.waitForURL(/\/contacts\/[0-9a-f-]{36}\/delete$/)
  expect(await page.locator('h1').textContent()).toBe('Delete this contact?')
  expect(await page.locator('main').innerText()).toContain('ana@example.com')
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'data-rights-confirm')
  // Keeping it goes back with nothing deleted.
  await page.click('main a:has-text("Keep it")')
  await page.waitForURL('**/contacts')
  expect(await page.locator('main table').innerText()).toContain('ana@example.com')
  await page.click('main a:has-text("Delete ana@example.com")')
  await page.click('main button:has-text("Delete the contact")')
  await page.waitForURL('**/contacts?deleted=1')
  expect(await page.locator('.notice').innerText()).toContain('The contact was deleted')
  expect(await page.locator('main table').innerText()).not.toContain('ana@example.com')
  expect(await page.locator('main table').innerText()).toContain('ben@example.com')
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'data-rights-contacts')
})

it('keeps a wrong export address next to its field, then downloads the export', async () => {
  await page.goto(`${run.baseUrl}/contacts`)
  await page.fill('#email', 'ben-at-example')
  await page.click('main button:has-text("Export what we hold about an email")')
  await page.locator('#email-error').waitFor()
  expect(await page.inputValue('#email')).toBe('ben-at-example')
  expect(await seriousViolations(page)).toEqual([])
  await page.fill('#email', 'BEN@example.com')
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('main button:has-text("Export what we hold about an email")')])
  expect(download.suggestedFilename()).toBe('personal-data.json')
})

it('sets retention on a phone without sideways scrolling', async () => {
  const phone = await run.browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, storageState: await page.context().storageState() })
  const p = await phone.newPage()
  await p.goto(`${run.baseUrl}/settings/retention`)
  await p.fill('#contactMonths', '0')
  await p.click('main button:has-text("Save retention")')
  await p.locator('#contactMonths-error').waitFor()
  expect(await p.inputValue('#contactMonths')).toBe('0')
  expect(await sidewaysScrolling(p)).toBeUndefined()
  expect(await seriousViolations(p)).toEqual([])
  await screenshot(p, 'data-rights-retention-errors')
  await p.fill('#contactMonths', '24')
  await p.fill('#commentMonths', '12')
  await p.click('main button:has-text("Save retention")')
  await p.waitForURL('**/settings/retention?saved')
  expect(await p.inputValue('#contactMonths')).toBe('24')
  await phone.close()
})
