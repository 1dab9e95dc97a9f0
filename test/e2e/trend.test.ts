/// <reference lib="dom" />
// The "Over time" block in a real browser: three waves of the same template whose gap narrows, the gap
// chart drawn by chart.js (a line, its interval band, the zero line), another item picked by its link
// (which also works without JavaScript), at 1366 and 360 px, axe-core clean, no console errors.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { screenshot, seriousViolations, sidewaysScrolling, signInWithPassword, startAppAndBrowser, type Running } from './browser.js'

const EMAIL = 'trend-owner@example.com'
const PASSWORD = 'a perfectly long password'
const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)

/** Per wave, the share of customers agreeing rises; staff stay at 80%. */
function responses(wave: number) {
  const rows = []
  for (const side of ['staff', 'customer'] as const) {
    const n = 120
    for (let i = 0; i < n; i++) {
      const answers: Record<string, number> = {}
      KEYS.forEach((key, j) => {
        const share = side === 'staff' ? 0.8 - 0.02 * j : 0.1 + 0.25 * wave + 0.02 * j
        answers[key] = ((37 * i + 11 * j) % n) < Math.round(share * n) ? 4 + (i % 2) : 1 + (i % 3)
      })
      rows.push({ side, unit: i % 2 ? 'North' : 'South', attributes: side === 'customer' ? { tier: i % 4 === 0 ? 'gold' : 'standard' } : {}, answers })
    }
  }
  return rows
}

let run: Running
let waveId: string
const problems: string[] = []

async function api<T>(token: string, method: 'GET' | 'POST', url: string, payload?: unknown): Promise<T> {
  const response = await run.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload: payload as object } : {}) })
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`)
  return response.json() as T
}

async function signedInPage(context: BrowserContext) {
  const p = await context.newPage()
  p.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`) })
  p.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  await signInWithPassword(p, run.baseUrl, EMAIL, PASSWORD)
  return p
}

/** Waits for the trend's chart and returns how many of its pixels are painted, and how many distinct colours. */
async function trendChart(p: Page) {
  const canvas = p.locator('[data-block="trend"] canvas[data-chart]')
  await p.waitForFunction(() => {
    const chart = (window as unknown as { Chart?: { getChart(c: HTMLCanvasElement): unknown } }).Chart
    const c = document.querySelector<HTMLCanvasElement>('[data-block="trend"] canvas[data-chart]')
    return chart !== undefined && c !== null && chart.getChart(c) !== undefined
  })
  return canvas.evaluate((node) => {
    const c = node as HTMLCanvasElement
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
    let painted = 0
    const colours = new Set<string>()
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! === 0) continue
      painted++
      colours.add(`${data[i]! >> 4},${data[i + 1]! >> 4},${data[i + 2]! >> 4}`)
    }
    const chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: { datasets: Array<{ label: string; data: Array<number | null> }> }; options: { scales: { y: { ticks: { font: { size: number } } } } } } } }).Chart.getChart(c)
    return { painted, colours: colours.size, width: c.getBoundingClientRect().width, datasets: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })), tickFont: chart.options.scales.y.ticks.font.size }
  })
}

beforeAll(async () => {
  run = await startAppAndBrowser()
  await createOrganizationWithOwner(run.database.db, { name: 'Harbour & Co', email: EMAIL, password: PASSWORD })
  const token = (await run.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: EMAIL, password: PASSWORD } })).json().token as string
  for (const name of ['North', 'South']) await api(token, 'POST', '/units', { name })
  for (const [w, name] of ['2026-Q2', '2026-Q3', '2026-Q4'].entries()) {
    waveId = (await api<{ id: string }>(token, 'POST', '/waves', { name, templateKey: 'service-gap-index' })).id
    await api(token, 'POST', `/waves/${waveId}/responses`, responses(w))
  }
}, 300_000)
afterAll(async () => run?.close())

it('draws the gap over time at 1366 px: a line with its band, the table, the change, axe clean', async () => {
  const context = await run.browser.newContext({ viewport: { width: 1366, height: 900 } })
  const page = await signedInPage(context)
  await page.goto(`${run.baseUrl}/waves/${waveId}#trend-title`)
  const chart = await trendChart(page)
  expect(chart.painted).toBeGreaterThan(5000)
  // Line, band, zero line, grid, text: more than a couple of colours.
  expect(chart.colours).toBeGreaterThan(4)
  expect(chart.width).toBeGreaterThan(900)
  expect(chart.tickFont).toBeGreaterThanOrEqual(12)
  // The gap line itself: headline gap per wave, the same numbers as the table's first row.
  const line = chart.datasets[2]!
  expect(line.label).toContain('Excellent service')
  const firstRow = await page.locator('[data-block="trend"] .trend-table tbody tr').first().locator('td').allInnerTexts()
  expect(firstRow).toHaveLength(3)
  firstRow.forEach((cell, w) => expect(cell.split('\n')[0]).toBe(`${line.data[w]! > 0.05 ? '+' : '−'}${Math.abs(line.data[w]!).toFixed(0)} pts`))
  expect(line.data[2]!).toBeLessThan(line.data[0]!)
  expect(await page.locator('[data-block="trend"] .change-table tbody tr').first().innerText()).toMatch(/narrowed, (very )?unlikely to be chance/)
  const section = page.locator('[data-block="trend"]')
  await section.screenshot({ path: 'test/artifacts/trend-desktop-block.png' })
  expect(await sidewaysScrolling(page)).toBeUndefined()
  expect(await seriousViolations(page)).toEqual([])
  expect(problems).toEqual([])
  await screenshot(page, 'trend-desktop')
  await context.close()
}, 180_000)

it('follows another item by its link, keeping the filter, at 360 px', async () => {
  const context = await run.browser.newContext({ viewport: { width: 360, height: 780 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true })
  const page = await signedInPage(context)
  await page.goto(`${run.baseUrl}/waves/${waveId}?unit=North`)
  await trendChart(page)
  await Promise.all([page.waitForURL(/trend=promises/), page.locator('[data-block="trend"] nav a', { hasText: 'Promises' }).click()])
  const url = new URL(page.url())
  expect(url.searchParams.get('unit')).toBe('North')
  expect(await page.locator('main .notice').count()).toBe(0)
  const chart = await trendChart(page)
  expect(chart.datasets[2]!.label).toContain('Promises')
  expect(chart.painted).toBeGreaterThan(2000)
  expect(chart.width).toBeLessThanOrEqual(360)
  expect(await page.locator('[data-block="trend"] .hint').innerText()).toContain('It follows unit North')
  expect(await page.locator('[data-block="trend"] nav a[aria-current]').innerText()).toBe('Promises')
  expect(await sidewaysScrolling(page)).toBeUndefined()
  expect(await seriousViolations(page)).toEqual([])
  expect(problems).toEqual([])
  await page.locator('[data-block="trend"]').screenshot({ path: 'test/artifacts/trend-phone-block.png' })
  await screenshot(page, 'trend-phone')
  await context.close()
}, 180_000)

it('switches the item without JavaScript too', async () => {
  const context = await run.browser.newContext({ viewport: { width: 1366, height: 900 }, javaScriptEnabled: false })
  const page = await signedInPage(context)
  await page.goto(`${run.baseUrl}/waves/${waveId}`)
  await Promise.all([page.waitForURL(/trend=easy/), page.locator('[data-block="trend"] nav a', { hasText: 'Easy' }).click()])
  expect(await page.locator('[data-block="trend"] nav a[aria-current]').innerText()).toBe('Easy')
  expect(await page.locator('[data-block="trend"] .trend-table tr.current th').innerText()).toContain('Easy')
  await context.close()
}, 180_000)

it('breaks the line where an item\'s scale changed and says so, marking a changed wording too', async () => {
  const token = (await run.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: EMAIL, password: PASSWORD } })).json().token as string
  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
    const response = await run.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload: payload as object } : {}) })
    if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`)
    return response.json()
  }
  let version = (await call('POST', '/instruments', { from: 'service-gap-index', key: 'harbour', name: 'Harbour survey' })).id as string
  let last = ''
  for (const [w, name] of ['H-Q2', 'H-Q3', 'H-Q4'].entries()) {
    if (w > 0) {
      const { id: _i, version: _v, builtIn: _b, inUse: _u, waves: _w, itemCount: _c, createdAt: _t, newestVersion: _n, ...definition } = await call('GET', `/instruments/${version}`)
      const item = definition.items.find((i: { key: string }) => i.key === (w === 1 ? 'easy' : 'fit'))
      if (w === 1) item.customerText.en = 'Getting what I need from {org} is easy.'
      else item.scale = 'likelihood11'
      version = (await call('PUT', `/instruments/${version}`, definition)).id
    }
    last = (await call('POST', '/waves', { name, templateKey: 'harbour' })).id
    const rows = responses(w).map((row) => ({ ...row, answers: { ...row.answers, fit: w === 2 ? (row.answers.fit! >= 4 ? 9 : 3) : row.answers.fit! } }))
    await call('POST', `/waves/${last}/responses`, rows)
  }
  const context = await run.browser.newContext({ viewport: { width: 1366, height: 900 } })
  const page = await signedInPage(context)
  await page.goto(`${run.baseUrl}/waves/${last}?trend=fit#trend-title`)
  const chart = await trendChart(page)
  // Two runs of three datasets each: the old scale's two waves, then the new scale's one, never joined.
  expect(chart.datasets).toHaveLength(6)
  expect(chart.datasets[2]!.data.map((v) => v === null)).toEqual([false, false, true])
  expect(chart.datasets[5]!.data.map((v) => v === null)).toEqual([true, true, false])
  expect(await page.locator('[data-block="trend"] .trend-note').innerText()).toContain('Scale changed in H-Q4')
  expect(await page.locator('[data-block="trend"] .trend-table small.revision', { hasText: 'wording changed' }).count()).toBe(1)
  expect(await page.locator('[data-block="trend"] .change-table tbody tr', { hasText: 'Fit' }).innerText()).toContain('new scale: not compared')
  expect(await seriousViolations(page)).toEqual([])
  expect(problems).toEqual([])
  await page.locator('[data-block="trend"]').screenshot({ path: 'test/artifacts/trend-scale-break.png' })
  await context.close()
}, 300_000)
