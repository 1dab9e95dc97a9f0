/// <reference lib="dom" />
// The admin basics in a real browser: archive a unit that a wave uses (deleting it is refused and
// archiving offered), restore it; edit a wave's settings with a mistake first; close the wave through
// its confirmation page. Checked by axe-core, with screenshots of /units and the wave settings form.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { screenshot, seriousViolations, startAppAndBrowser, type Running } from './browser.js'

let run: Running
let page: Page
let waveId: string
const EMAIL = 'admin-basics@example.com'
const PASSWORD = 'a perfectly long password'

beforeAll(async () => {
  run = await startAppAndBrowser()
  await createOrganizationWithOwner(run.database.db, { name: 'Harbour & Co', email: EMAIL, password: PASSWORD })
  const context = await run.browser.newContext({ viewport: { width: 1280, height: 900 } })
  page = await context.newPage()
  await page.goto(`${run.baseUrl}/login`)
  await page.fill('#email', EMAIL)
  await page.fill('#password', PASSWORD)
  await page.click('main button[type=submit]')
  await page.waitForURL(/\/waves/)
})
afterAll(async () => run?.close())

it('refuses to delete a unit a wave uses, offers to archive it, and lists it apart with restore', async () => {
  await page.goto(`${run.baseUrl}/units`)
  for (const name of ['North Quay', 'Harbour Street', 'Old Pier']) {
    await page.fill('#name', name)
    await page.click('form[action="/units"] button[type=submit]')
    await page.waitForURL(/\/units$/)
  }
  // A wave with links for every unit, so each is in use.
  await page.goto(`${run.baseUrl}/waves/new`)
  await page.fill('#name', '2026-Q4')
  await page.check('#unitLinks')
  await page.click('main button[type=submit]')
  await page.waitForURL(/\/waves\/[0-9a-f-]{36}$/)
  waveId = new URL(page.url()).pathname.split('/')[2]!

  await page.goto(`${run.baseUrl}/units`)
  await page.locator('tr', { hasText: 'Old Pier' }).locator('button', { hasText: 'Delete' }).click()
  await expect.poll(() => page.locator('#in-use').count()).toBe(1)
  expect(await page.locator('#in-use').textContent()).toContain('Old Pier cannot be deleted')
  expect(await seriousViolations(page)).toEqual([])
  await page.click('#in-use button:has-text("Archive Old Pier")')
  await page.waitForURL(/\/units$/)
  expect(await page.locator('#archived tbody th').allTextContents()).toEqual(['Old Pier'])
  expect(await page.locator('#units tbody th').allTextContents()).toEqual(['Harbour Street', 'North Quay'])
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'units-archived')

  // The archived unit is offered for no new wave's links.
  await page.goto(`${run.baseUrl}/waves/new`)
  expect(await page.locator('label[for=unitLinks]').textContent()).toContain('each of your 2 units')

  await page.goto(`${run.baseUrl}/units`)
  await page.locator('#archived tr', { hasText: 'Old Pier' }).locator('button', { hasText: 'Restore' }).click()
  await page.waitForURL(/\/units$/)
  expect(await page.locator('#archived').count()).toBe(0)
  expect(await page.locator('#units tbody th').allTextContents()).toEqual(['Harbour Street', 'North Quay', 'Old Pier'])
})

it('edits the wave on its settings form, keeping what was typed when the closing date has passed', async () => {
  await page.goto(`${run.baseUrl}/waves/${waveId}`)
  await page.click('.wave-tabs a:has-text("Settings")')
  await page.waitForURL(/\/settings$/)
  expect(await page.inputValue('#name')).toBe('2026-Q4')
  await page.fill('#name', '2026-Q4 <all stores>')
  await page.fill('#closesAt', '2020-03-31')
  await page.uncheck('#locale-en')
  await page.check('#locale-de')
  await page.click('main button[type=submit]')
  await expect.poll(() => page.locator('.error-summary').count()).toBe(1)
  expect(await page.locator('#closesAt-error').textContent()).toContain('The closing date must lie in the future.')
  expect(await page.inputValue('#name')).toBe('2026-Q4 <all stores>')
  expect(await page.inputValue('#closesAt')).toBe('2020-03-31')
  expect(await page.isChecked('#locale-de')).toBe(true)
  expect(await page.isChecked('#locale-en')).toBe(false)
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'wave-settings-errors')

  await page.fill('#closesAt', '2099-12-31')
  await page.click('main button[type=submit]')
  await page.waitForURL(new RegExp(`/waves/${waveId}$`))
  expect(await page.locator('h1').textContent()).toContain('2026-Q4 <all stores>')
  expect(await page.locator('.page-head .muted').textContent()).toContain('Deutsch')
  await page.goto(`${run.baseUrl}/waves/${waveId}/settings`)
  expect(await page.inputValue('#closesAt')).toBe('2099-12-31')
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'wave-settings')
})

it('closes the wave only after its confirmation page', async () => {
  await page.goto(`${run.baseUrl}/waves/${waveId}`)
  await page.click('button:has-text("Close wave")')
  await page.waitForURL(new RegExp(`/waves/${waveId}/close$`))
  expect(await page.locator('h1').textContent()).toBe('Close 2026-Q4 <all stores>?')
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'wave-close')
  await page.click('a:has-text("Keep it open")')
  await page.waitForURL(new RegExp(`/waves/${waveId}$`))
  expect(await page.locator('h1 .status').textContent()).toBe('Open')

  await page.click('button:has-text("Close wave")')
  await page.waitForURL(new RegExp(`/waves/${waveId}/close$`))
  await page.click('button:has-text("Close the wave")')
  await page.waitForURL(new RegExp(`/waves/${waveId}$`))
  expect(await page.locator('h1 .status').textContent()).toBe('Closed')
})

it('sets the sender name and reply-to of survey mail on the settings page', async () => {
  await page.goto(`${run.baseUrl}/settings`)
  await page.fill('#senderName', 'Harbour Support')
  await page.fill('#replyTo', 'not-an-address')
  await page.click('main button[type=submit]')
  await expect.poll(() => page.locator('#replyTo-error').count()).toBe(1)
  expect(await page.inputValue('#senderName')).toBe('Harbour Support')
  expect(await page.inputValue('#replyTo')).toBe('not-an-address')
  expect(await seriousViolations(page)).toEqual([])
  await page.fill('#replyTo', 'Support@Harbour.Example')
  await page.click('main button[type=submit]')
  await page.waitForURL(/\/settings\?saved$/)
  expect(await page.inputValue('#replyTo')).toBe('support@harbour.example')
  await screenshot(page, 'settings-sender')
})

it('deletes the wave after its name is typed', async () => {
  await page.goto(`${run.baseUrl}/waves/${waveId}/settings`)
  await page.click('a:has-text("Delete this wave")')
  await page.waitForURL(/\/delete$/)
  await page.fill('#confirm', '2026-Q4')
  await page.click('main button[type=submit]')
  await expect.poll(() => page.locator('#confirm-error').count()).toBe(1)
  expect(await page.inputValue('#confirm')).toBe('2026-Q4')
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'wave-delete-errors')
  await page.fill('#confirm', '2026-Q4 <all stores>')
  await page.click('main button[type=submit]')
  await page.waitForURL(/\/waves$/)
  expect(await page.locator('main').textContent()).not.toContain('2026-Q4 <all stores>')
})
