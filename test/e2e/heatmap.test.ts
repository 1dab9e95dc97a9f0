/// <reference lib="dom" />
// The heat map of gaps by unit in a real browser: at 1366 px and on a 360 px phone, screenshots of the
// block to look at, no page-wide sideways scrolling at 360 px (the table scrolls inside its own box),
// the unit column stays put while the row scrolls, the sort links reorder the rows, and axe-core finds
// nothing serious. Six units with gaps from strongly negative to strongly positive, one unit too small.
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BrowserContextOptions, Page } from 'playwright-core'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { ARTIFACTS, seriousViolations, sidewaysScrolling, signInWithPassword, startAppAndBrowser, type Running } from './browser.js'

const EMAIL = 'heatmap-owner@example.com'
const PASSWORD = 'a perfectly long password'
const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
/** Per unit: staff and customers, and the share of each that agrees on the headline. */
const UNITS: Record<string, { staff: number; customers: number; shares: [number, number] }> = {
  'Harbour Street': { staff: 30, customers: 60, shares: [0.9, 0.14] },
  Riverside: { staff: 30, customers: 60, shares: [0.8, 0.5] },
  'Phone support': { staff: 25, customers: 50, shares: [0.5, 0.52] },
  'Online shop and returns desk': { staff: 25, customers: 50, shares: [0.3, 0.65] },
  Delivery: { staff: 20, customers: 40, shares: [0.95, 0.6] },
  Kiosk: { staff: 3, customers: 3, shares: [0.7, 0.3] },
}

function responses() {
  const rows = []
  for (const [unit, spec] of Object.entries(UNITS)) {
    for (const side of ['staff', 'customer'] as const) {
      const n = side === 'staff' ? spec.staff : spec.customers
      const base = spec.shares[side === 'staff' ? 0 : 1]
      for (let i = 0; i < n; i++) {
        const answers: Record<string, number> = {}
        KEYS.forEach((key, j) => {
          const share = Math.min(1, Math.max(0, base + (j === 0 ? 0 : ((j * 7) % 5 - 2) * 0.1 * (side === 'staff' ? 1 : -1))))
          answers[key] = (i + 3 * j) % n < Math.round(share * n) ? (i % 2 ? 5 : 4) : (i % 3) + 1
        })
        rows.push({ side, unit, attributes: side === 'customer' ? { tier: i % 3 === 0 ? 'gold' : 'standard' } : {}, answers })
      }
    }
  }
  return rows
}

let run: Running
let waveId: string

async function signIn(p: Page) {
  await signInWithPassword(p, run.baseUrl, EMAIL, PASSWORD)
}

async function opened(options: BrowserContextOptions, query = '') {
  const context = await run.browser.newContext(options)
  const page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  await signIn(page)
  await page.goto(`${run.baseUrl}/waves/${waveId}${query}`)
  return { context, page, problems }
}

const unitNames = (page: Page) => page.locator('section[data-block="heatmap"] tbody th[scope=row]').allInnerTexts()
const shot = (page: Page, name: string) => page.locator('section[data-block="heatmap"]').screenshot({ path: join(ARTIFACTS, `${name}.png`) })

beforeAll(async () => {
  run = await startAppAndBrowser()
  await createOrganizationWithOwner(run.database.db, { name: 'Harbour & Co', email: EMAIL, password: PASSWORD })
  const token = (await run.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: EMAIL, password: PASSWORD } })).json().token as string
  const api = async (method: 'POST', url: string, payload: unknown) => {
    const response = await run.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, payload: payload as object })
    if (response.statusCode >= 300) throw new Error(`${url}: ${response.statusCode} ${response.body}`)
    return response.json()
  }
  for (const name of Object.keys(UNITS)) await api('POST', '/units', { name })
  waveId = (await api('POST', '/waves', { name: '2026-Q4', templateKey: 'service-gap-index' })).id
  await api('POST', `/waves/${waveId}/responses`, responses())
})
afterAll(async () => run?.close())

it('shows the heat map at 1366 px: widest gap first, a legend, sort links that reorder, nothing serious for axe', async () => {
  const { context, page, problems } = await opened({ viewport: { width: 1366, height: 900 } })
  const names = await unitNames(page)
  expect(names[0]).toBe('Harbour Street')
  expect(names.at(-1)).toBe('Kiosk')
  expect(await page.locator('.heat-legend li').count()).toBe(13)
  // Dark cells carry white text, light cells dark text.
  const colours = await page.locator('.heatmap td.gap-o5, .heatmap td.gap-o1').evaluateAll((cells) => cells.map((c) => [c.className.split(' ')[0], getComputedStyle(c).color]))
  expect(colours.length).toBeGreaterThan(0)
  for (const [shade, colour] of colours) expect(colour, shade).toBe(shade === 'gap-o5' ? 'rgb(255, 255, 255)' : 'rgb(27, 35, 48)')
  expect(await seriousViolations(page)).toEqual([])
  await shot(page, 'heatmap-1366')
  await Promise.all([page.waitForURL(/sort=name/), page.click('.heat-sort a:text("name")')])
  expect(await unitNames(page)).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')))
  expect(problems).toEqual([])
  await context.close()
})

it('fits a 360 px phone: the table scrolls in its own box with the unit column kept in view, the page never sideways', async () => {
  const { context, page, problems } = await opened({ viewport: { width: 360, height: 800 } }, '?unit=Riverside')
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)
  expect(await sidewaysScrolling(page)).toBeUndefined()
  const wrap = page.locator('section[data-block="heatmap"] .table-wrap')
  const box = await wrap.evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth }))
  expect(box.scroll).toBeGreaterThan(box.client)
  const firstColumn = page.locator('section[data-block="heatmap"] tbody tr:first-child th[scope=row]')
  const before = await firstColumn.boundingBox()
  await wrap.evaluate((e) => { e.scrollLeft = 400 })
  const after = await firstColumn.boundingBox()
  expect(Math.abs(after!.x - before!.x)).toBeLessThan(1.5)
  // The cells do move under it.
  const cell = page.locator('section[data-block="heatmap"] tbody tr:first-child td').nth(5)
  expect((await cell.boundingBox())!.x).toBeLessThan(360)
  expect(await page.locator('section[data-block="heatmap"] .scope-note').innerText()).toContain('Riverside is highlighted')
  expect(await seriousViolations(page)).toEqual([])
  await wrap.evaluate((e) => { e.scrollLeft = 0 })
  await shot(page, 'heatmap-360')
  expect(problems).toEqual([])
  await context.close()
})
