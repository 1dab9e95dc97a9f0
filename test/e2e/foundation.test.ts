/// <reference lib="dom" />
// A newcomer's first minutes, in a real browser: set up the organization, create a wave, take its
// links and QR codes — by keyboard where it matters, on a desktop and on a phone, checked by axe-core.
// Every other page is checked by axe-core in pages.test.ts, found from the route table.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { screenshot, seriousViolations, sidewaysScrolling, signInWithPassword, startAppAndBrowser, type Running } from './browser.js'

let run: Running
let page: Page
const PASSWORD = 'a perfectly long password'

beforeAll(async () => {
  run = await startAppAndBrowser()
  const context = await run.browser.newContext({ viewport: { width: 1280, height: 900 } })
  page = await context.newPage()
})
afterAll(async () => run?.close())

it('sends a first visitor to setup and shows every problem of a wrong form, focused, with answers kept', async () => {
  await page.goto(run.baseUrl)
  expect(new URL(page.url()).pathname).toBe('/setup')
  expect(await seriousViolations(page)).toEqual([])
  await page.fill('#organization', 'Harbour & Co')
  await page.fill('#email', 'owner-at-example')
  await page.fill('#password', 'short')
  await page.click('main button[type=submit]')
  await expect.poll(() => page.locator('.error-summary').count()).toBe(1)
  expect(await page.evaluate(() => document.activeElement?.className)).toContain('error-summary')
  expect(await page.inputValue('#organization')).toBe('Harbour & Co')
  expect(await page.inputValue('#email')).toBe('owner-at-example')
  expect(await page.locator('#email-error').textContent()).toContain('Enter an email address')
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'setup-errors')
})

it('creates the organization and owner using only the keyboard', async () => {
  await page.fill('#email', '')
  await page.focus('#email')
  await page.keyboard.type('owner@example.com')
  await page.keyboard.press('Tab')
  await page.keyboard.type(PASSWORD)
  await page.keyboard.press('Tab')
  await page.keyboard.type(PASSWORD)
  await page.keyboard.press('Enter')
  await page.waitForURL('**/waves/new')
  expect(await page.locator('.who .org').textContent()).toBe('Harbour & Co')
})

it('creates a wave named for the quarter and shows its two links with QR codes', async () => {
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'wave-new')
  await page.fill('#name', '2026-Q4')
  await page.click('main button[type=submit]')
  await page.waitForURL(/\/waves\/[0-9a-f-]{36}$/)
  expect(await page.locator('h1').textContent()).toContain('2026-Q4')
  // A wave with no answers yet sends its reader to the Operations tab, where the links are.
  await page.click('.notice a[href$="/operations"]')
  await page.waitForURL(/\/waves\/[0-9a-f-]{36}\/operations$/)
  const urls = await page.locator('input.link-url').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))
  expect(urls).toHaveLength(2)
  for (const url of urls) expect(url).toMatch(new RegExp(`^${run.baseUrl}/s/[A-Za-z0-9_-]{22}$`))
  expect(await page.locator('button.copy').first().isVisible()).toBe(true)
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'wave')

  await page.click('.link-card a[href*="/print"] >> nth=0')
  await page.waitForURL(/\/print(\?lang=[a-z]+)?$/)
  const qrWidth = await page.locator('img.qr').evaluate((img) => (img as HTMLImageElement).naturalWidth)
  expect(qrWidth).toBeGreaterThan(0)
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'print-qr')
})

it('fits a 360 px phone without sideways scrolling', async () => {
  const phone = await run.browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2 })
  const mobile = await phone.newPage()
  await signInWithPassword(mobile, run.baseUrl, 'owner@example.com', PASSWORD)
  await mobile.click('text=2026-Q4')
  await mobile.waitForURL(/\/waves\/[0-9a-f-]{36}$/)
  expect(await sidewaysScrolling(mobile)).toBeUndefined()
  await screenshot(mobile, 'wave-phone')
  await phone.close()
})

it('works without JavaScript: the wave form submits and its errors come back', async () => {
  const noJs = await run.browser.newContext({ javaScriptEnabled: false })
  const plain = await noJs.newPage()
  await plain.goto(`${run.baseUrl}/login`)
  await plain.fill('#email', 'owner@example.com')
  await plain.fill('#password', PASSWORD)
  await plain.click('main button[type=submit]')
  await plain.goto(`${run.baseUrl}/waves/new`)
  await plain.fill('#name', '2026-Q4')
  await plain.click('main button[type=submit]')
  expect(await plain.locator('#name-error').textContent()).toContain('already exists')
  await noJs.close()
})
