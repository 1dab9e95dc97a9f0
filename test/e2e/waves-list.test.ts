/// <reference lib="dom" />
// The waves list, the landing page after sign-in, in a real browser: three waves with answers (the
// latest on the overview card, with its gap and its change since the previous one), one whose
// customers are too few to show, and a draft. At 1366 px the table reads across; at 360 px each wave
// stacks into a card of labelled lines and the page never scrolls sideways. axe-core clean on both.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BrowserContextOptions, Page } from 'playwright-core'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { screenshot, seriousViolations, sidewaysScrolling, signInWithPassword, startAppAndBrowser, type Running, viewportWidth } from './browser.js'

const EMAIL = 'waves-owner@example.com'
const PASSWORD = 'a perfectly long password'
const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const DESKTOP: BrowserContextOptions = { viewport: { width: 1366, height: 900 } }
const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 780 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }

/** 60 staff and 120 customers; the first `staff` and `customer` of each side agree on the headline. */
function responses(staff: number, customer: number, customers = 120) {
  const rows = []
  for (const [side, n, agree] of [['staff', 60, staff], ['customer', customers, customer]] as const) {
    for (let i = 0; i < n; i++) {
      const answers = Object.fromEntries(KEYS.map((key, j) => [key, j === 0 ? (i < agree ? 5 : 2) : ((i + j) % 5) + 1]))
      rows.push({ side, unit: i % 2 ? 'Harbour Street' : 'Riverside', answers })
    }
  }
  return rows
}

let run: Running
const problems: string[] = []

async function api<T>(token: string, url: string, payload: unknown): Promise<T> {
  const response = await run.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, payload: payload as object })
  if (response.statusCode >= 300) throw new Error(`${url}: ${response.statusCode} ${response.body}`)
  return response.json() as T
}

async function signedInPage(options: BrowserContextOptions): Promise<Page> {
  const context = await run.browser.newContext(options)
  const page = await context.newPage()
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`) })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('dialog', async (dialog) => { problems.push(`dialog: ${dialog.message()}`); await dialog.dismiss() })
  await signInWithPassword(page, run.baseUrl, EMAIL, PASSWORD)
  return page
}

beforeAll(async () => {
  run = await startAppAndBrowser()
  await createOrganizationWithOwner(run.database.db, { name: 'Harbour & Co', email: EMAIL, password: PASSWORD })
  const token = (await run.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: EMAIL, password: PASSWORD } })).json().token as string
  for (const name of ['Harbour Street', 'Riverside']) await api(token, '/units', { name })
  const waves: Array<[string, number, number, number?]> = [['2026-Q1', 50, 20, 3], ['2026-Q2', 50, 24], ['2026-Q3 <b>"pilot"</b>', 48, 30], ['2026-Q4', 45, 60]]
  for (const [name, staff, customer, customers] of waves) {
    const wave = await api<{ id: string }>(token, '/waves', { name, templateKey: 'service-gap-index' })
    await api(token, `/waves/${wave.id}/responses`, responses(staff, customer, customers))
  }
  await api(token, '/waves', { name: '2027-Q1', templateKey: 'service-gap-index', status: 'draft' })
})
afterAll(async () => run?.close())

it('lands on the overview after sign-in at 1366 px: the latest wave on a card, every wave with its figures, axe clean', async () => {
  const page = await signedInPage(DESKTOP)
  const card = await page.locator('[data-block="latest"]').innerText()
  expect(card).toContain('2026-Q4')
  expect(card).toMatch(/75% of staff say/)
  expect(card).toMatch(/50% of customers say/)
  expect(card).toMatch(/Gap\s+\+25 pts/i)
  expect(card).toMatch(/Change\s+−30 pts since 2026-Q3/i)
  const rows = await page.locator('.waves-table tbody tr').allInnerTexts()
  expect(rows).toHaveLength(5)
  expect(rows[0]).toContain('Draft: no answers yet')
  expect(rows[2]).toContain('2026-Q3 <b>"pilot"</b>')
  expect(rows[4]).toMatch(/Customers: hidden/)
  expect(await page.locator('.waves-table b').count()).toBe(0)
  expect(await sidewaysScrolling(page)).toBeUndefined()
  expect(await seriousViolations(page)).toEqual([])
  expect(problems).toEqual([])
  await screenshot(page, 'waves-list-desktop')
  await page.context().close()
})

it('stacks each wave into a card at 360 px without sideways scrolling, axe clean', async () => {
  const page = await signedInPage(PHONE)
  expect(await sidewaysScrolling(page)).toBeUndefined()
  // Nothing in the page's column is wider than the phone, not even inside a scrolling box.
  expect(await page.evaluate((width) => Array.from(document.querySelectorAll('main *')).filter((e) => e.getBoundingClientRect().right > width + 0.5)
    .map((e) => e.className || e.tagName), viewportWidth(page))).toEqual([])
  // Each row is a block of labelled lines, its labels shown by the stylesheet.
  const display = await page.locator('.waves-table tbody tr').first().evaluate((row) => getComputedStyle(row).display)
  expect(display).toBe('block')
  const label = await page.locator('.waves-table td[data-label="Gap"]').first().evaluate((cell) => getComputedStyle(cell, '::before').content)
  expect(label).toBe('"Gap"')
  expect(await seriousViolations(page)).toEqual([])
  expect(problems).toEqual([])
  await screenshot(page, 'waves-list-phone')
  await page.context().close()
})
