/// <reference lib="dom" />
// Account → Notifications in a real browser on a 360-pixel-wide screen: reached from the account
// page, a choice refused with its reason beside the field and what was chosen kept, then saved.
// Checked by axe-core, with no sideways scrolling; kept as screenshots.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { createUnit } from '../../server/repositories/units.js'
import { screenshot, seriousViolations, sidewaysScrolling, startAppAndBrowser, type Running } from './browser.js'

let run: Running
let page: Page
const EMAIL = 'noor@example.test'
const PASSWORD = 'a long sentence for the notifications test'

beforeAll(async () => {
  run = await startAppAndBrowser()
  const { organizationId } = await createOrganizationWithOwner(run.database.db, { name: 'Harbour & Co', email: EMAIL, password: PASSWORD, ownerName: 'Noor' })
  for (const name of ['Airport kiosk', 'Old town', 'A unit with a rather long name at the harbour']) await createUnit(run.database.db, organizationId, name)
  const context = await run.browser.newContext({ viewport: { width: 360, height: 780 } })
  page = await context.newPage()
  await page.goto(`${run.baseUrl}/login`)
  await page.fill('#email', EMAIL)
  await page.fill('#password', PASSWORD)
  await page.click('main button[type=submit]')
  await page.waitForURL('**/waves**')
})
afterAll(async () => run?.close())

it('is reached from the account page and refuses "only the units I tick" with none ticked, keeping the other choices', async () => {
  await page.goto(`${run.baseUrl}/account`)
  await page.click('text=Notifications: alerts and digests')
  await page.waitForURL('**/account/notifications')
  expect(await page.locator('h1').innerText()).toBe('Notifications')
  expect(await page.isChecked('#follow-all')).toBe(true)
  expect(await seriousViolations(page)).toEqual([])
  expect(await sidewaysScrolling(page)).toBeUndefined()
  await page.check('#follow-chosen')
  await page.check('#digest-weekly')
  await page.check('#locale-es')
  await page.click('main button[type=submit]')
  await expect.poll(() => page.locator('#follow-error').count()).toBe(1)
  expect(await page.isChecked('#digest-weekly')).toBe(true)
  expect(await page.isChecked('#locale-es')).toBe(true)
  expect(await seriousViolations(page)).toEqual([])
  expect(await sidewaysScrolling(page)).toBeUndefined()
  await screenshot(page, 'notifications-refused-360')
})

it('saves the units ticked, alert mail off and the language, and shows them again', async () => {
  await page.check('text=Old town')
  await page.uncheck('#alertEmail')
  await page.click('main button[type=submit]')
  await expect.poll(() => page.locator('.notice').innerText()).toContain('saved')
  expect(await page.isChecked('#follow-chosen')).toBe(true)
  expect(await page.isChecked('text=Old town')).toBe(true)
  expect(await page.isChecked('text=Airport kiosk')).toBe(false)
  expect(await page.isChecked('#alertEmail')).toBe(false)
  expect(await page.isChecked('#locale-es')).toBe(true)
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'notifications-saved-360')
})
