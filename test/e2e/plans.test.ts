/// <reference lib="dom" />
// Making an action plan from a heat-map cell in a real browser, at 1366 px and on a 360 px phone: the
// cell's "Plan" link opens the form prefilled with its unit and item, a refused form keeps what was
// typed, the plan lands on the Plans tab and the cell then carries its plan mark; no sideways
// scrolling at 360 px, and axe-core finds nothing serious on the report, the form and the list.
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BrowserContextOptions, Page } from 'playwright-core'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { ARTIFACTS, screenshot, seriousViolations, sidewaysScrolling, signInWithPassword, startAppAndBrowser, type Running } from './browser.js'

const EMAIL = 'plans-owner@example.com'
const PASSWORD = 'a perfectly long password'
const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const UNITS: Record<string, [number, number]> = { 'Harbour Street': [0.9, 0.2], Riverside: [0.7, 0.5], 'Phone support': [0.5, 0.6] }

function responses() {
  const rows = []
  for (const [unit, shares] of Object.entries(UNITS)) {
    for (const side of ['staff', 'customer'] as const) {
      const n = side === 'staff' ? 25 : 40
      for (let i = 0; i < n; i++) {
        const answers: Record<string, number> = {}
        KEYS.forEach((key, j) => {
          const share = Math.min(1, Math.max(0, shares[side === 'staff' ? 0 : 1] + ((j * 7) % 5 - 2) * 0.05))
          answers[key] = (i + 3 * j) % n < Math.round(share * n) ? (i % 2 ? 5 : 4) : (i % 3) + 1
        })
        rows.push({ side, unit, answers })
      }
    }
  }
  return rows
}

let run: Running
let waveId: string

async function opened(options: BrowserContextOptions) {
  const context = await run.browser.newContext(options)
  const page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  await signInWithPassword(page, run.baseUrl, EMAIL, PASSWORD)
  await page.goto(`${run.baseUrl}/waves/${waveId}`)
  return { context, page, problems }
}

beforeAll(async () => {
  run = await startAppAndBrowser()
  await createOrganizationWithOwner(run.database.db, { name: 'Harbour & Co', email: EMAIL, password: PASSWORD })
  const token = (await run.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: EMAIL, password: PASSWORD } })).json().token as string
  const api = async (url: string, payload: unknown) => {
    const response = await run.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, payload: payload as object })
    if (response.statusCode >= 300) throw new Error(`${url}: ${response.statusCode} ${response.body}`)
    return response.json()
  }
  for (const name of Object.keys(UNITS)) await api('/units', { name })
  waveId = (await api('/waves', { name: '2026-Q4', templateKey: 'service-gap-index' })).id
  await api(`/waves/${waveId}/responses`, responses())
})
afterAll(async () => run?.close())

/** Follows a cell's "Plan" link, is refused once, then makes the plan and returns to see the cell marked. */
async function planFromCell(page: Page, unit: string, itemIndex: number, owner: string, width: number) {
  const row = page.locator('section[data-block="heatmap"] tbody tr', { has: page.locator(`th:has-text("${unit}")`) })
  // Cells after the overall and the counts: item i is the (i + 3)th cell of the row.
  const link = row.locator('td').nth(itemIndex + 2).locator('a.plan-add')
  await link.scrollIntoViewIfNeeded()
  await Promise.all([page.waitForURL(/\/plans\/new\?/), link.click()])
  expect(await page.locator('#unitId option:checked').innerText()).toBe(unit)
  expect(await page.locator('#target').inputValue()).toBe(`item:${KEYS[itemIndex]}`)
  expect(await seriousViolations(page)).toEqual([])
  expect(await sidewaysScrolling(page)).toBeUndefined()

  await page.fill('#change', 'Call back every customer within a day')
  await page.fill('#dueOn', '2027-03-31')
  await page.click('main button[type=submit]')
  // Refused without an owner: the error sits by its field and what was typed is kept.
  expect(await page.locator('#owner-error').innerText()).toContain('Enter who owns this plan')
  expect(await page.locator('#change').inputValue()).toBe('Call back every customer within a day')
  expect(await page.locator('#target').inputValue()).toBe(`item:${KEYS[itemIndex]}`)
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, `plans-form-refused-${width}`)

  await page.fill('#owner', owner)
  await Promise.all([page.waitForURL(/\/plans(#.*)?$/), page.click('main button[type=submit]')])
  const planRow = page.locator('.plan-table tbody tr', { hasText: owner })
  expect(await planRow.innerText()).toContain('No later wave yet')
  expect(await seriousViolations(page)).toEqual([])
  expect(await sidewaysScrolling(page)).toBeUndefined()
  await screenshot(page, `plans-list-${width}`)

  await page.goto(`${run.baseUrl}/waves/${waveId}`)
  expect(await row.locator('td').nth(itemIndex + 2).locator('a.plan-mark').count()).toBe(1)
  expect(await page.locator('section[data-block="plans"]').innerText()).toContain(owner)
}

it('makes a plan from a heat-map cell at 1366 px', async () => {
  const { context, page, problems } = await opened({ viewport: { width: 1366, height: 900 } })
  expect(await seriousViolations(page)).toEqual([])
  await planFromCell(page, 'Harbour Street', 2, 'Dana at Harbour Street', 1366)
  await page.locator('section[data-block="heatmap"]').screenshot({ path: join(ARTIFACTS, 'plans-heatmap-1366.png') })
  await page.locator('section[data-block="plans"]').screenshot({ path: join(ARTIFACTS, 'plans-block-1366.png') })
  expect(await seriousViolations(page)).toEqual([])
  // The printed report (the board pack) keeps the plans block and its mark, without the links to make one.
  await page.emulateMedia({ media: 'print' })
  expect(await page.locator('section[data-block="plans"]').isVisible()).toBe(true)
  expect(await page.locator('section[data-block="heatmap"] a.plan-add').first().isVisible()).toBe(false)
  await page.locator('section[data-block="plans"]').screenshot({ path: join(ARTIFACTS, 'plans-block-print.png') })
  expect(problems).toEqual([])
  await context.close()
})

it('makes a plan from a heat-map cell on a 360 px phone', async () => {
  const { context, page, problems } = await opened({ viewport: { width: 360, height: 800 }, isMobile: true, hasTouch: true })
  expect(await sidewaysScrolling(page)).toBeUndefined()
  await planFromCell(page, 'Riverside', 4, 'Riverside team', 360)
  expect(await sidewaysScrolling(page)).toBeUndefined()
  await page.locator('section[data-block="plans"]').screenshot({ path: join(ARTIFACTS, 'plans-block-360.png') })
  expect(problems).toEqual([])
  await context.close()
})
