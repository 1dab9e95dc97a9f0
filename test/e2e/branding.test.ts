/// <reference lib="dom" />
// Branding in a real browser: an owner uploads a logo and picks an accent colour on Settings →
// Branding (a colour that fails contrast is refused first); the customer survey at 360 and 1366 px,
// its thank-you page and the QR poster then show the logo and the colour, axe-core finds nothing
// serious (contrast included), nothing scrolls sideways, and an unbranded organization keeps the
// standard colours. Screenshots go to test/artifacts/ for a person to look at.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { fixture } from '../helpers/fixtures.js'
import { screenshot, seriousViolations, sidewaysScrolling, startAppAndBrowser, type Running } from './browser.js'

const EMAIL = 'brand-owner@example.com'
const PLAIN_EMAIL = 'plain-owner@example.com'
const PASSWORD = 'a perfectly long password'
const ACCENT = '#8a2be2'

let run: Running
let links: { customer: string; plain: string; waveId: string }

async function waveFor(email: string) {
  const token = (await run.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email, password: PASSWORD } })).json().token as string
  const response = await run.app.inject({ method: 'POST', url: '/api/v1/waves', headers: { authorization: `Bearer ${token}` }, payload: { name: '2026-Q4', templateKey: 'service-gap-index', locales: ['en', 'es', 'pt'] } })
  return response.json() as { id: string; links: { customer: string } }
}

beforeAll(async () => {
  run = await startAppAndBrowser()
  await createOrganizationWithOwner(run.database.db, { name: 'Northwind Outfitters', email: EMAIL, password: PASSWORD })
  await createOrganizationWithOwner(run.database.db, { name: 'Plain Bakery', email: PLAIN_EMAIL, password: PASSWORD })
  const wave = await waveFor(EMAIL)
  links = { customer: wave.links.customer, waveId: wave.id, plain: (await waveFor(PLAIN_EMAIL)).links.customer }
})
afterAll(async () => run?.close())

async function signIn(page: Page) {
  await page.goto(`${run.baseUrl}/login`)
  await page.fill('#email', EMAIL)
  await page.fill('#password', PASSWORD)
  await page.click('main button[type=submit]')
  await page.waitForURL(/\/waves/)
}

const expectClean = async (page: Page) => {
  expect(await seriousViolations(page)).toEqual([])
  expect(await sidewaysScrolling(page)).toBeUndefined()
}

it('lets an owner upload a logo and choose a colour, refusing one that fails contrast', { timeout: 60_000 }, async () => {
  const context = await run.browser.newContext({ viewport: { width: 1366, height: 900 } })
  const page = await context.newPage()
  await signIn(page)
  await page.goto(`${run.baseUrl}/settings/branding`)
  await expectClean(page)
  await page.fill('#accent', '#999999')
  await page.setInputFiles('#logo', { name: 'northwind.png', mimeType: 'image/png', buffer: fixture('logo.png') })
  await page.click('text=Save branding')
  await expect.poll(() => page.locator('#accent-error').textContent()).toContain('2.85:1')
  expect(await page.locator('#accent').inputValue()).toBe('#999999')
  await screenshot(page, 'branding-settings-refused')
  // The picker follows the text field (branding.js), and the colour and the logo are saved together.
  await page.fill('#accent', ACCENT)
  expect(await page.locator('#accentPicker').inputValue()).toBe(ACCENT)
  await page.setInputFiles('#logo', { name: 'northwind.png', mimeType: 'image/png', buffer: fixture('logo.png') })
  await page.click('text=Save branding')
  await page.waitForURL(/done=saved/)
  expect(await page.locator('.logo-preview img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(240)
  await expectClean(page)
  await screenshot(page, 'branding-settings')
  await context.close()
})

it('shows the logo and the colour on the survey at 360 and 1366 px and on the thank-you page, axe clean', { timeout: 60_000 }, async () => {
  for (const width of [360, 1366]) {
    const context = await run.browser.newContext({ viewport: { width, height: 800 }, ...(width === 360 ? { deviceScaleFactor: 2, isMobile: true, hasTouch: true } : {}) })
    const page = await context.newPage()
    await page.goto(links.customer)
    const logo = page.locator('img.brand-logo')
    expect(await logo.getAttribute('alt')).toBe('Northwind Outfitters')
    expect(await logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(240)
    const box = (await logo.boundingBox())!
    expect(box.height).toBeLessThanOrEqual(64.5)
    expect(box.width).toBeLessThanOrEqual(width)
    expect(await page.locator('button[type=submit]').evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(138, 43, 226)')
    // A chosen answer takes the colour, and the keyboard focus ring too.
    await page.locator('label[for="excellent_service-4"]').click()
    expect(await page.locator('label[for="excellent_service-4"]').evaluate((l) => getComputedStyle(l).backgroundColor)).toBe('rgb(138, 43, 226)')
    await page.keyboard.press('ArrowRight')
    expect(await page.locator('label[for="excellent_service-5"]').evaluate((l) => getComputedStyle(l).outlineColor)).toBe('rgb(138, 43, 226)')
    await expectClean(page)
    await screenshot(page, `branding-survey-${width}`)
    if (width === 360) {
      for (const key of SERVICE_GAP_INDEX_V1.items.map((item) => item.key)) await page.locator(`label[for="${key}-5"]`).click()
      await page.click('button[type=submit]')
      await page.waitForURL(/\/thanks/)
      expect(await page.locator('img.brand-logo').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(240)
      await expectClean(page)
      await screenshot(page, 'branding-thanks-360')
    }
    await context.close()
  }
})

it('shows the logo and the colour on the QR poster', { timeout: 60_000 }, async () => {
  const context = await run.browser.newContext({ viewport: { width: 1366, height: 900 } })
  const page = await context.newPage()
  await signIn(page)
  await page.goto(`${run.baseUrl}/waves/${links.waveId}/operations`)
  const print = await page.locator('a[href*="/print"]').first().getAttribute('href')
  await page.goto(`${run.baseUrl}${print}`)
  expect(await page.locator('.print-sheet img.brand-logo').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(240)
  expect(await page.locator('.print-sheet h1').evaluate((h) => getComputedStyle(h).color)).toBe('rgb(138, 43, 226)')
  await expectClean(page)
  await screenshot(page, 'branding-poster')
  await page.emulateMedia({ media: 'print' })
  await screenshot(page, 'branding-poster-print')
  await context.close()
})

it('prints the poster in Portuguese, and its code opens the survey in Portuguese', { timeout: 60_000 }, async () => {
  const context = await run.browser.newContext({ viewport: { width: 1366, height: 900 } })
  const page = await context.newPage()
  await signIn(page)
  await page.goto(`${run.baseUrl}/waves/${links.waveId}/operations`)
  expect(await page.locator('.link-card').first().locator('a[lang]').allTextContents()).toEqual(['English', 'Español', 'Português'])
  await page.locator('.link-card').nth(1).locator('a[lang=pt]').click()
  await page.waitForURL(/\/print\?lang=pt$/)
  expect(await page.locator('.print-sheet [lang=pt] h1').textContent()).toBe('Como avalia o nosso serviço?')
  expect(await page.locator('img.qr').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0)
  expect(await page.locator('.poster-langs a[aria-current=page]').textContent()).toBe('Português')
  await expectClean(page)
  await screenshot(page, 'poster-pt')
  await page.emulateMedia({ media: 'print' })
  expect(await page.locator('.poster-langs').isVisible()).toBe(false)
  await screenshot(page, 'poster-pt-print')
  const url = (await page.locator('.print-url').textContent())!
  expect(url).toMatch(/\/s\/[\w-]+\?lang=pt$/)
  const survey = await context.newPage()
  await survey.goto(url)
  expect(await survey.getAttribute('html', 'lang')).toBe('pt')
  expect(await survey.locator('button[type=submit]').textContent()).toBe('Enviar respostas')
  await context.close()
})

it('keeps the standard look for an organization without branding', { timeout: 60_000 }, async () => {
  const context = await run.browser.newContext({ viewport: { width: 360, height: 800 } })
  const page = await context.newPage()
  await page.goto(links.plain)
  expect(await page.locator('img.brand-logo').count()).toBe(0)
  expect(await page.locator('button[type=submit]').evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(11, 79, 138)')
  expect(await page.locator('h1.org').evaluate((h) => getComputedStyle(h).color)).toBe('rgb(11, 79, 138)')
  await page.locator('label[for="excellent_service-4"]').click()
  await page.keyboard.press('ArrowRight')
  expect(await page.locator('label[for="excellent_service-5"]').evaluate((l) => getComputedStyle(l).outlineColor)).toBe('rgb(255, 191, 71)')
  await context.close()
})
