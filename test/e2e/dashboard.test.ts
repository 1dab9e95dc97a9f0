/// <reference lib="dom" />
// The wave dashboard in a real browser, as a leader reads it: signed in through the login page, on a
// desktop and on a phone, the charts drawn by chart.js from the data- attributes, no console errors,
// no sideways scrolling, axe-core clean; the unit filter changed with the form; and the board pack
// printed to PDF the way a person would (print media, A4), with the filters and links left out.
// The data (an earlier and a current wave, with a three-person unit) goes in through the API.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { ARTIFACTS, screenshot, seriousViolations, sidewaysScrolling, signInWithPassword, startAppAndBrowser, type Running, viewportWidth } from './browser.js'

const EMAIL = 'dashboard-owner@example.com'
const PASSWORD = 'a perfectly long password'
const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 } }
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }

/** Share of each side that agrees, per item, now; the earlier wave differs on the headline only. */
const NOW: Record<string, [staff: number, customer: number]> = {
  excellent_service: [0.8, 0.08], want_to_help: [0.9, 0.4], valued: [0.75, 0.3], can_solve: [0.7, 0.45],
  easy: [0.6, 0.2], promises: [0.8, 0.35], individual: [0.75, 0.2], anticipates: [0.55, 0.15],
  trust: [0.82, 0.8], fit: [0.6, 0.58], asks: [0.3, 0.28], supported: [0.3, 0.7],
}
const BEFORE = { ...NOW, excellent_service: [0.78, 0.3] as [number, number] }
const UNITS = ['Harbour Street', 'Riverside', 'Kiosk']
const COMMENTS = {
  staff: ['We are too few on Saturdays; customers wait and we rush.', 'Let us refund small amounts without asking a manager.', '<script>alert(1)</script>'],
  customer: ['I had to explain my problem three times to three different people.', 'Delivery was late again and nobody told me.', '"><img src=x onerror=alert(1)>', '=HYPERLINK("x")'],
}

/** 100 staff (50 Harbour Street, 47 Riverside, 3 Kiosk) and 200 customers (120 / 80, 6 of them gold). */
function responses(targets: Record<string, [number, number]>, withComments: boolean) {
  const rows = []
  for (const side of ['staff', 'customer'] as const) {
    const n = side === 'staff' ? 100 : 200
    for (let i = 0; i < n; i++) {
      const answers: Record<string, number> = {}
      KEYS.forEach((key, j) => {
        const agrees = ((i + (side === 'staff' ? 7 : 23) * j) % n) < targets[key]![side === 'staff' ? 0 : 1] * n
        answers[key] = agrees ? (i % 2 ? 5 : 4) : (i % 3) + 1
      })
      const unit = side === 'staff' ? UNITS[i < 50 ? 0 : i < 97 ? 1 : 2] : UNITS[i < 120 ? 0 : 1]
      const pool = COMMENTS[side]
      const comment = withComments && i % 9 === 0 ? pool[(i / 9) % pool.length] : undefined
      rows.push({ side, unit, attributes: side === 'customer' ? { tier: i % 33 === 5 ? 'gold' : 'standard' } : {}, answers, ...(comment ? { comment } : {}) })
    }
  }
  return rows
}

let run: Running
let waveId: string
let desktop: BrowserContext
let page: Page
const problems: string[] = []

async function api<T>(token: string, method: 'GET' | 'POST', url: string, payload?: unknown): Promise<T> {
  const response = await run.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload: payload as object } : {}) })
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`)
  return response.json() as T
}

/** A page that records console errors, uncaught exceptions and dialogs (an alert would mean injected script ran). */
async function watchedPage(context: BrowserContext) {
  const p = await context.newPage()
  p.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`) })
  p.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  p.on('dialog', async (dialog) => { problems.push(`dialog: ${dialog.message()}`); await dialog.dismiss() })
  return p
}

async function signIn(p: Page) {
  await signInWithPassword(p, run.baseUrl, EMAIL, PASSWORD)
}

/**
 * Waits until chart.js has a chart on every data-chart canvas, and returns how many pixels each one
 * painted: the report's own charts, not the answers' spread per item (closed until a reader opens one).
 */
async function drawnCharts(p: Page) {
  await p.waitForFunction(() => {
    const chart = (window as unknown as { Chart?: { getChart(c: HTMLCanvasElement): unknown } }).Chart
    const canvases = Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]'))
    return chart !== undefined && canvases.length > 0 && canvases.every((c) => chart.getChart(c) !== undefined)
  })
  expect(await p.locator('details.spread canvas[data-chart]').count(), 'a spread chart per item').toBe(12)
  return p.locator('canvas[data-chart]').evaluateAll((canvases) => canvases.filter((node) => !node.closest('details.spread')).map((node) => {
    const canvas = node as HTMLCanvasElement
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
    let painted = 0
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++
    const box = canvas.getBoundingClientRect()
    return { painted, width: box.width, height: box.height }
  }))
}

const headline = (p: Page) => p.locator('section[data-block="summary"] .ways').innerText()

beforeAll(async () => {
  run = await startAppAndBrowser()
  await createOrganizationWithOwner(run.database.db, { name: 'Harbour & Co', email: EMAIL, password: PASSWORD })
  const token = (await run.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: EMAIL, password: PASSWORD } })).json().token as string
  for (const name of UNITS) await api(token, 'POST', '/units', { name })
  const before = await api<{ id: string }>(token, 'POST', '/waves', { name: '2026-Q3', templateKey: 'service-gap-index' })
  await api(token, 'POST', `/waves/${before.id}/responses`, responses(BEFORE, false))
  waveId = (await api<{ id: string }>(token, 'POST', '/waves', { name: '2026-Q4', templateKey: 'service-gap-index', unitLinks: true })).id
  await api(token, 'POST', `/waves/${waveId}/responses`, responses(NOW, true))
  desktop = await run.browser.newContext(DESKTOP)
  page = await watchedPage(desktop)
  await signIn(page)
})
afterAll(async () => run?.close())

it('draws the dashboard on a desktop: headline, the report\'s three charts and the drivers\' two, no errors, nothing serious for axe', async () => {
  await page.goto(`${run.baseUrl}/waves/${waveId}`)
  const charts = await drawnCharts(page)
  // Items, dimensions, trend; then the drivers' weights and the quadrant (linkage needs 5 units, this wave has 3).
  expect(charts).toHaveLength(5)
  for (const chart of charts) expect(chart.painted).toBeGreaterThan(5000)
  for (const chart of charts.slice(0, 3)) expect(chart.width).toBeGreaterThan(900)
  for (const chart of charts.slice(3)) expect(chart.width).toBeGreaterThan(500)
  expect(await headline(page)).toMatch(/^80% of staff say\b[\s\S]+\n8% of customers say\b/)
  expect(await page.locator('section[data-block="summary"] .verdict').innerText()).toMatch(/^Gap \+72 pts: staff think better/)
  // Two rows of the overall gap and twelve items: the three-person unit, and the unit hidden so that it cannot be worked out.
  expect(await page.locator('.heatmap td.hidden-cell').count()).toBe(26)
  expect(await page.locator('.comments li', { hasText: '<script>alert(1)</script>' }).count()).toBe(1)
  expect(await page.locator('button.print').isVisible()).toBe(true)
  expect(await sidewaysScrolling(page)).toBeUndefined()
  expect(await seriousViolations(page)).toEqual([])
  expect(problems).toEqual([])
  await screenshot(page, 'dashboard-desktop')
})

it('fits a 390 px phone: charts drawn, no sideways scrolling, nothing serious for axe', async () => {
  const phone = await run.browser.newContext(PHONE)
  const mobile = await watchedPage(phone)
  await signIn(mobile)
  await mobile.goto(`${run.baseUrl}/waves/${waveId}`)
  const charts = await drawnCharts(mobile)
  expect(charts).toHaveLength(5)
  for (const chart of charts) {
    expect(chart.painted).toBeGreaterThan(2000)
    expect(chart.width).toBeLessThanOrEqual(390)
  }
  expect(await sidewaysScrolling(mobile)).toBeUndefined()
  // Nor anything in the page's column wider than the phone, even where it would scroll inside a box.
  expect(await mobile.evaluate((width) => Array.from(document.querySelectorAll('main > *, section > *')).filter((e) => e.getBoundingClientRect().right > width + 0.5).map((e) => e.className || e.tagName), viewportWidth(mobile))).toEqual([])
  expect(await seriousViolations(mobile)).toEqual([])
  expect(problems).toEqual([])
  await screenshot(mobile, 'dashboard-phone')
  await phone.close()
})

it('filters by unit with the form: the URL carries the filter and the numbers change', async () => {
  await page.goto(`${run.baseUrl}/waves/${waveId}`)
  await page.selectOption('#f-unit', 'Harbour Street')
  await Promise.all([page.waitForURL(/unit=/), page.click('form.filters button[type=submit]')])
  const url = new URL(page.url())
  expect(url.searchParams.get('unit')).toBe('Harbour Street')
  expect(await page.locator('main .notice').count()).toBe(0)
  expect(await page.inputValue('#f-unit')).toBe('Harbour Street')
  // Harbour Street: the first 50 staff, all of whom agree; 16 of its 120 customers.
  expect(await headline(page)).toMatch(/^100% of staff say\b[\s\S]+\n13% of customers say\b/)
  expect(await headline(page)).toContain('n = 50')
  expect(await headline(page)).toContain('n = 120')
  // One unit: its 120 customers are enough for drivers; the quadrant beside them.
  expect(await drawnCharts(page)).toHaveLength(5)
  expect(await page.locator('a.clear').isVisible()).toBe(true)
  // The same address, shared, opens the same view.
  const shared = await watchedPage(desktop)
  await shared.goto(page.url())
  expect(await headline(shared)).toMatch(/^100% of staff say/)
  await shared.close()
  expect(await seriousViolations(page)).toEqual([])
  expect(problems).toEqual([])
  await screenshot(page, 'dashboard-filtered')
})

it('prints a clean board pack: filters and links left out, more than one A4 page', async () => {
  await page.goto(`${run.baseUrl}/waves/${waveId}`)
  await drawnCharts(page)
  await page.emulateMedia({ media: 'print' })
  // The links are on the Operations tab, not on the report at all; the tabs and the order switch are not printed.
  expect(await page.locator('#links-section, #unit-links-section, #invitations').count()).toBe(0)
  const hidden = await page.evaluate(() => ['.filters', '.wave-tabs', '.order-switch', '.report-actions', '.page-head .actions']
    .map((selector) => [selector, getComputedStyle(document.querySelector(selector)!).display]))
  expect(Object.fromEntries(hidden)).toEqual({ '.filters': 'none', '.wave-tabs': 'none', '.order-switch': 'none', '.report-actions': 'none', '.page-head .actions': 'none' })
  // The charts are redrawn for the narrower printed page (at most 186 mm, about 703 px), not shrunk;
  // the answers' spread per item is not printed.
  expect(await page.locator('[data-block="spread"]').evaluate((block) => getComputedStyle(block).display)).toBe('none')
  await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')).filter((c) => !c.closest('details.spread')).every((c) => {
    const width = c.getBoundingClientRect().width
    return width > 500 && width <= 705 && Math.abs(c.width / (window.devicePixelRatio || 1) - width) < 2
  }))
  // Nothing is wider than the printed column, or Chromium would shrink every page to fit it.
  expect(await page.evaluate(() => {
    const right = document.querySelector('main')!.getBoundingClientRect().right
    return Array.from(document.querySelectorAll('main section, main .table, main .chart-box, main .card'))
      .filter((e) => getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().right > right + 1)
      .map((e) => `${e.className || e.getAttribute('aria-labelledby')} ends at ${Math.round(e.getBoundingClientRect().right)} px, the column at ${Math.round(right)} px`)
  })).toEqual([])
  const path = join(ARTIFACTS, 'board-pack.pdf')
  await page.pdf({ path, format: 'A4', printBackground: true })
  await page.emulateMedia({ media: 'screen' })
  const pdf = readFileSync(path).toString('latin1')
  expect(pdf.startsWith('%PDF-')).toBe(true)
  const pages = pdf.match(/\/Type\s*\/Page(?!s)/g)?.length ?? 0
  expect(pages).toBeGreaterThan(1)
  expect(pages).toBeLessThan(12)
  // Pages as images for a person to look at, when poppler's pdftoppm is installed.
  if (existsSync('/usr/bin/pdftoppm')) {
    for (const old of readdirSync(ARTIFACTS).filter((name) => name.startsWith('board-pack-') && name.endsWith('.png'))) rmSync(join(ARTIFACTS, old))
    execFileSync('/usr/bin/pdftoppm', ['-png', '-r', '60', path, join(ARTIFACTS, 'board-pack')])
    expect(readdirSync(ARTIFACTS).filter((name) => name.startsWith('board-pack-') && name.endsWith('.png'))).toHaveLength(pages)
  }
  expect(problems).toEqual([])
})
