/// <reference lib="dom" />
// The dashboard's analytics section in a real browser: six units loaded through the API
// (test/helpers/analytics-data.ts) in a wave whose staff predict every item, read at 1366×900 and on a 360 px phone. The drivers' bars, the
// quadrant and the units' scatter are drawn by chart.js with no console errors, nothing scrolls
// sideways, axe-core finds nothing serious; without JavaScript the words and tables are all there.
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { ANALYTICS_UNITS, analyticsResponses } from '../helpers/analytics-data.js'
import { ARTIFACTS, screenshot, seriousViolations, sidewaysScrolling, signInWithPassword, startAppAndBrowser, type Running } from './browser.js'

const EMAIL = 'analytics-owner@example.com'
const PASSWORD = 'a perfectly long password'
const DESKTOP: BrowserContextOptions = { viewport: { width: 1366, height: 900 } }
const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 780 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
const BLOCKS = ['#fix-first', '#drivers', '#prediction', '#linkage']

let run: Running
let waveId: string
const problems: string[] = []

async function api<T>(token: string, url: string, payload: unknown): Promise<T> {
  const response = await run.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, payload: payload as object })
  if (response.statusCode >= 300) throw new Error(`POST ${url}: ${response.statusCode} ${response.body}`)
  return response.json() as T
}

/** A signed-in page that records console errors and uncaught exceptions. */
async function signedInPage(context: BrowserContext) {
  const page = await context.newPage()
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`) })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  await signInWithPassword(page, run.baseUrl, EMAIL, PASSWORD)
  return page
}

/** Waits for chart.js on every analytics canvas; returns each one's painted pixels and width. */
async function analyticsCharts(page: Page) {
  await page.waitForFunction(() => {
    const chart = (window as unknown as { Chart?: { getChart(c: HTMLCanvasElement): unknown } }).Chart
    const canvases = Array.from(document.querySelectorAll<HTMLCanvasElement>('.analytics canvas[data-chart]'))
    return chart !== undefined && canvases.length > 0 && canvases.every((c) => chart.getChart(c) !== undefined)
  })
  return page.locator('.analytics canvas[data-chart]').evaluateAll((canvases) => canvases.map((node) => {
    const canvas = node as HTMLCanvasElement
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
    let painted = 0
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++
    return { id: canvas.closest('section')!.id, painted, width: canvas.getBoundingClientRect().width }
  }))
}

async function screenshotBlocks(page: Page, name: string) {
  await page.evaluate(() => document.querySelectorAll('.analytics details').forEach((d) => { (d as HTMLDetailsElement).open = true }))
  for (const block of BLOCKS) await page.locator(block).screenshot({ path: join(ARTIFACTS, `${name}-${block.slice(1)}.png`) })
  await screenshot(page, name)
}

beforeAll(async () => {
  run = await startAppAndBrowser()
  await createOrganizationWithOwner(run.database.db, { name: 'Harbour & Co', email: EMAIL, password: PASSWORD })
  const token = (await run.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: EMAIL, password: PASSWORD } })).json().token as string
  for (const name of ANALYTICS_UNITS) await api(token, '/units', { name })
  waveId = (await api<{ id: string }>(token, '/waves', { name: '2026-Q4', templateKey: 'service-gap-index', predictions: 'all' })).id
  await api(token, `/waves/${waveId}/responses`, analyticsResponses({ predictions: true }))
})
afterAll(async () => run?.close())

it('draws the analytics at 1366×900: bars, quadrant and units scatter, no errors, nothing serious for axe', async () => {
  const context = await run.browser.newContext(DESKTOP)
  const page = await signedInPage(context)
  await page.goto(`${run.baseUrl}/waves/${waveId}`)
  const charts = await analyticsCharts(page)
  expect(charts.map((c) => c.id)).toEqual(['drivers', 'drivers', 'linkage'])
  for (const chart of charts) {
    expect(chart.painted).toBeGreaterThan(5000)
    expect(chart.width).toBeGreaterThan(500)
  }
  expect(await page.locator('#fix-first .scope').innerText()).toBe('The whole wave')
  expect(await page.locator('#drivers').innerText()).toMatch(/These items explain \d+% of the differences in customers' overall verdict/)
  expect(await page.locator('#prediction .finding').innerText()).toMatch(/^Staff expect \d+% of customers to agree; \d+% do: they /)
  expect(await page.locator('#prediction table').last().locator('tbody tr').count()).toBe(6)
  expect(await page.locator('#linkage').innerText()).toMatch(/Across 6 units/)
  expect(await sidewaysScrolling(page)).toBeUndefined()
  expect(await seriousViolations(page)).toEqual([])
  expect(problems).toEqual([])
  await screenshotBlocks(page, 'analytics-desktop')
  await context.close()
})

it('fits a 360 px phone: charts inside the column, no sideways scrolling', async () => {
  const context = await run.browser.newContext(PHONE)
  const page = await signedInPage(context)
  await page.goto(`${run.baseUrl}/waves/${waveId}`)
  const charts = await analyticsCharts(page)
  expect(charts).toHaveLength(3)
  for (const chart of charts) {
    expect(chart.painted).toBeGreaterThan(2000)
    expect(chart.width).toBeLessThanOrEqual(360)
  }
  expect(await sidewaysScrolling(page)).toBeUndefined()
  expect(await page.evaluate(() => Array.from(document.querySelectorAll('.analytics > *')).filter((e) => e.getBoundingClientRect().right > 360.5).map((e) => e.className || e.tagName))).toEqual([])
  expect(await seriousViolations(page)).toEqual([])
  expect(problems).toEqual([])
  await screenshotBlocks(page, 'analytics-phone')
  await context.close()
})

it('reads without JavaScript: the sentences and every table are in the page', async () => {
  const context = await run.browser.newContext({ ...DESKTOP, javaScriptEnabled: false })
  const page = await signedInPage(context)
  await page.goto(`${run.baseUrl}/waves/${waveId}`)
  expect(await page.locator('#fix-first .fix-first-list li, #fix-first p').count()).toBeGreaterThan(0)
  await page.locator('#drivers summary').click()
  expect(await page.locator('#drivers table tbody tr').count()).toBe(11)
  await page.locator('#linkage summary').click()
  expect(await page.locator('#linkage table tbody tr').count()).toBe(6)
  expect(await page.locator('#linkage').innerText()).toContain('Market <Hall>')
  expect(problems).toEqual([])
  await context.close()
})
