/// <reference lib="dom" />
// A wave's report and operations tabs in a real browser, at 1366×900 and on a 360 px phone: the tab
// bar reached and followed with the keyboard, the report with no links or invitations on it and the
// operations tab with them; the items' pairs chart drawn with care (text at 12 px or more, 1 px
// whiskers, each pair's gap printed at its end, tooltips and axis in the table's formats, the table's
// colours); the item order switched without JavaScript. axe-core finds nothing serious; nothing
// scrolls sideways. Screenshots go to test/artifacts/ for a person to look at.
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { ANALYTICS_UNITS, analyticsResponses } from '../helpers/analytics-data.js'
import { ARTIFACTS, screenshot, seriousViolations, sidewaysScrolling, signInWithPassword, startAppAndBrowser, type Running } from './browser.js'

const EMAIL = 'tabs-owner@example.com'
const PASSWORD = 'a perfectly long password'
const DESKTOP: BrowserContextOptions = { viewport: { width: 1366, height: 900 } }
const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 780 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }

let run: Running
let waveId: string
let desktop: BrowserContext
let page: Page
const problems: string[] = []

async function api<T>(token: string, url: string, payload: unknown): Promise<T> {
  const response = await run.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, payload: payload as object })
  if (response.statusCode >= 300) throw new Error(`POST ${url}: ${response.statusCode} ${response.body}`)
  return response.json() as T
}

async function signedInPage(context: BrowserContext) {
  const p = await context.newPage()
  p.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`) })
  p.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  await signInWithPassword(p, run.baseUrl, EMAIL, PASSWORD)
  return p
}

/** Waits for chart.js on every canvas of the page. */
async function chartsDrawn(p: Page) {
  await p.waitForFunction(() => {
    const chart = (window as unknown as { Chart?: { getChart(c: HTMLCanvasElement): unknown } }).Chart
    const canvases = Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]'))
    return chart !== undefined && canvases.length > 0 && canvases.every((c) => chart.getChart(c) !== undefined)
  })
}

/**
 * How the items' pairs chart is drawn: its fonts, the colours of its bars, the whiskers' width, the
 * gap texts printed on the canvas (caught as they are drawn), its axis labels and its tooltips.
 */
async function pairsChart(p: Page) {
  return p.evaluate(() => {
    type Drawn = { text: string; x: number; font: string }
    const canvas = document.querySelector<HTMLCanvasElement>('[data-block="items"] canvas[data-chart]')!
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- chart.js's own object, read as the script draws it
    const Chart = (window as unknown as { Chart: any }).Chart
    const chart = Chart.getChart(canvas)
    // Draw again, noting every text and every stroke's width as the canvas receives them.
    const ctx = canvas.getContext('2d')!
    const texts: Drawn[] = []
    const strokes: number[] = []
    const fillText = ctx.fillText.bind(ctx)
    const stroke = ctx.stroke.bind(ctx)
    ctx.fillText = (text: string, x: number, y: number, max?: number) => { texts.push({ text, x, font: ctx.font }); fillText(text, x, y, max) }
    ctx.stroke = (...args: []) => { strokes.push(ctx.lineWidth); stroke(...args) }
    chart.draw()
    ctx.fillText = fillText
    ctx.stroke = stroke
    const tooltip = chart.options.plugins.tooltip.callbacks.label
    const n = chart.data.labels.length
    return {
      defaultFont: Chart.defaults.font.size as number,
      colours: chart.data.datasets.map((d: { backgroundColor: string }) => d.backgroundColor),
      xTicks: chart.scales.x.ticks.map((t: { label: string }) => t.label),
      labels: chart.data.labels as string[],
      gapTexts: texts.filter((t) => /pts$|^hidden$/.test(t.text)),
      // Every text drawn: axis labels, legend, gaps.
      otherFonts: texts.map((t) => Number(/(\d+(?:\.\d+)?)px/.exec(t.font)?.[1] ?? 0)),
      strokes,
      chartRight: chart.chartArea.right as number,
      canvasWidth: canvas.getBoundingClientRect().width,
      tooltips: Array.from({ length: n }, (_, i) => [0, 1].map((datasetIndex) => tooltip({ dataset: chart.data.datasets[datasetIndex], datasetIndex, dataIndex: i }))),
    }
  })
}

/** The item table's rows as the page prints them: label, staff, customer and gap cells. */
const itemRows = (p: Page) => p.locator('[data-block="items"] tbody tr').evaluateAll((rows) => rows.map((row) => {
  const cell = (i: number) => row.children[i] as HTMLElement
  const share = (td: HTMLElement) => ({ text: td.childNodes[0]!.textContent!.trim(), range: td.querySelector('small span')?.textContent ?? null })
  return { label: row.querySelector('.item-key')!.textContent!, staff: share(cell(1)), customer: share(cell(2)), gap: cell(3).childNodes[0]!.textContent!.trim() }
}))

beforeAll(async () => {
  run = await startAppAndBrowser()
  await createOrganizationWithOwner(run.database.db, { name: 'Tabs & Co', email: EMAIL, password: PASSWORD })
  const token = (await run.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: EMAIL, password: PASSWORD } })).json().token as string
  for (const name of ANALYTICS_UNITS) await api(token, '/units', { name })
  waveId = (await api<{ id: string }>(token, '/waves', { name: '2026-Q4', templateKey: 'service-gap-index', unitLinks: true })).id
  await api(token, `/waves/${waveId}/responses`, analyticsResponses())
  await api(token, '/contacts', [{ email: 'ann@example.com', side: 'customer', unit: 'Riverside' }])
  desktop = await run.browser.newContext(DESKTOP)
  page = await signedInPage(desktop)
})
afterAll(async () => run?.close())

it('reaches the tabs with the keyboard and follows them to the operations tab and back', async () => {
  await page.goto(`${run.baseUrl}/waves/${waveId}`)
  const current = () => page.locator('.wave-tabs [aria-current="page"]').innerText()
  expect(await current()).toBe('Report')
  expect(await page.locator('.wave-tabs a').allInnerTexts()).toEqual(['Report', 'Plans', 'Operations', 'Settings'])
  // Tab through the page from its start until the Operations tab has the focus: it is reached, and
  // before the report's first control (the filter form).
  await page.locator('body').focus()
  let reached = false
  for (let presses = 0; presses < 40 && !reached; presses++) {
    await page.keyboard.press('Tab')
    const focused = await page.evaluate(() => ({ text: document.activeElement?.textContent?.trim(), inTabs: document.activeElement?.closest('.wave-tabs') !== null, inFilters: document.activeElement?.closest('form.filters') !== null }))
    expect(focused.inFilters, 'the tabs come before the filters').toBe(false)
    reached = focused.inTabs && focused.text === 'Operations'
  }
  expect(reached).toBe(true)
  // The focus shows.
  expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid')
  await page.keyboard.press('Enter')
  await page.waitForURL(new RegExp(`/waves/${waveId}/operations$`))
  expect(await current()).toBe('Operations')
  await page.locator('.wave-tabs a:has-text("Report")').focus()
  await page.keyboard.press('Enter')
  await page.waitForURL(new RegExp(`/waves/${waveId}$`))
  expect(await current()).toBe('Report')
})

it('shows the report tab at 1366 px with no operations on it, the pairs chart drawn with care', async () => {
  await page.goto(`${run.baseUrl}/waves/${waveId}`)
  await chartsDrawn(page)
  expect(await page.locator('#links-section, #unit-links-section, #invitations, .link-card, [data-delivery]').count()).toBe(0)
  expect(await page.locator('main').innerText()).not.toContain('Import responses (CSV)')
  // The page in the order of the decision: summary, items, dimensions, units, analytics, comments.
  const order = await page.locator('main section h2').allInnerTexts()
  const at = (heading: string) => order.findIndex((h) => h.startsWith(heading))
  for (const [a, b] of <Array<[string, string]>>[['Item by item', 'Dimensions'], ['Dimensions', 'Gaps by unit'], ['Gaps by unit', 'Responses'], ['Responses', 'Fix first'], ['Fix first', 'What drives'], ['What drives', 'Do staff know'], ['Does staff climate', 'In their own words']]) {
    expect(at(a), `${a} before ${b}`).toBeGreaterThan(-1)
    expect(at(a), `${a} before ${b}`).toBeLessThan(at(b))
  }

  const drawn = await pairsChart(page)
  const rows = await itemRows(page)
  // Text at 12 px and above, everywhere on the chart; whiskers 1 px; the tables' colours.
  expect(drawn.defaultFont).toBeGreaterThanOrEqual(12)
  expect(drawn.otherFonts.length).toBeGreaterThan(20)
  for (const size of drawn.otherFonts) expect(size).toBeGreaterThanOrEqual(12)
  expect(drawn.strokes.length).toBeGreaterThan(0)
  expect(new Set(drawn.strokes.filter((w) => w !== 1 && w !== 0))).toEqual(new Set())
  expect(drawn.colours).toEqual(['#0072B2', '#E69F00'])
  expect(await page.locator('[data-block="items"] thead .staff-key').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(0, 114, 178)')
  expect(await page.locator('[data-block="items"] thead .customer-key').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(230, 159, 0)')
  // The chart's rows are the table's rows, each gap printed at its pair's end as the table prints
  // it, inside the canvas, and the tooltips say what the table says.
  expect(drawn.labels).toEqual(rows.map((r) => r.label))
  expect(drawn.gapTexts.map((t) => t.text)).toEqual(rows.map((r) => r.gap))
  for (const t of drawn.gapTexts) {
    expect(t.x).toBeGreaterThan(0)
    expect(t.x).toBeLessThan(drawn.canvasWidth - 40)
  }
  expect(rows.map((r) => r.gap).every((g) => /^[+−±]\d+ pts$/.test(g))).toBe(true)
  expect(drawn.tooltips).toEqual(rows.map((r) => [`Staff: ${r.staff.text}, 95% interval ${r.staff.range}`, `Customers: ${r.customer.text}, 95% interval ${r.customer.range}`]))
  expect(drawn.xTicks).toEqual(['0%', '20%', '40%', '60%', '80%', '100%'])
  await page.locator('[data-block="items"] .chart-box').screenshot({ path: join(ARTIFACTS, 'wave-tabs-items-chart-1366.png') })
  // Widest gap first: the first row's gap is the largest.
  const points = rows.map((r) => Number(r.gap.replace('−', '-').replace(' pts', '')))
  expect(points).toEqual([...points].sort((a, b) => b - a))

  expect(await sidewaysScrolling(page)).toBeUndefined()
  expect(await seriousViolations(page)).toEqual([])
  expect(problems).toEqual([])
  await screenshot(page, 'wave-tabs-report-1366')
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: join(ARTIFACTS, 'wave-tabs-report-1366-first-screen.png') })
  await page.locator('[data-block="items"]').screenshot({ path: join(ARTIFACTS, 'wave-tabs-items-1366.png') })
  await page.locator('[data-block="dimensions"]').screenshot({ path: join(ARTIFACTS, 'wave-tabs-dimensions-1366.png') })
})

it('shows the operations tab at 1366 px: links, links per unit, invitations and the import', async () => {
  await page.goto(`${run.baseUrl}/waves/${waveId}/operations`)
  expect(await page.locator('.link-card').count()).toBe(2)
  expect(await page.locator('.links-table tbody th[scope=row]').allInnerTexts()).toEqual([...ANALYTICS_UNITS].sort((a, b) => a.localeCompare(b)))
  expect(await page.locator('#invitations [data-delivery]').count()).toBe(1)
  expect(await page.locator('a:has-text("Import responses (CSV)")').count()).toBe(1)
  expect(await page.locator('canvas, [data-block]').count()).toBe(0)
  // Inviting comes back here, with its notice.
  await page.click('main button:has-text("Invite everyone not yet invited")')
  await page.waitForURL(new RegExp(`/waves/${waveId}/operations\\?invited=1#invitations$`))
  expect(await page.locator('#invitations .notice').innerText()).toBe('1 invitation queued.')
  expect(await page.locator('.wave-tabs [aria-current="page"]').innerText()).toBe('Operations')
  expect(await sidewaysScrolling(page)).toBeUndefined()
  expect(await seriousViolations(page)).toEqual([])
  expect(problems).toEqual([])
  await screenshot(page, 'wave-tabs-operations-1366')
})

it('fits a 360 px phone on both tabs: the chart\'s labels and gaps inside it, nothing sideways', async () => {
  const phone = await run.browser.newContext(PHONE)
  const mobile = await signedInPage(phone)
  await mobile.goto(`${run.baseUrl}/waves/${waveId}`)
  await chartsDrawn(mobile)
  const drawn = await pairsChart(mobile)
  const rows = await itemRows(mobile)
  expect(drawn.canvasWidth).toBeLessThanOrEqual(360)
  expect(drawn.gapTexts.map((t) => t.text)).toEqual(rows.map((r) => r.gap))
  for (const t of drawn.gapTexts) expect(t.x + 52, t.text).toBeLessThanOrEqual(drawn.canvasWidth)
  expect(drawn.otherFonts.length).toBeGreaterThan(20)
  for (const size of drawn.otherFonts) expect(size).toBeGreaterThanOrEqual(12)
  // Fewer, level axis labels on a phone.
  expect(drawn.xTicks).toEqual(['0%', '50%', '100%'])
  await mobile.locator('[data-block="items"] .chart-box').screenshot({ path: join(ARTIFACTS, 'wave-tabs-items-chart-360.png') })
  await mobile.locator('[data-block="dimensions"] .chart-box').screenshot({ path: join(ARTIFACTS, 'wave-tabs-dimensions-chart-360.png') })
  expect(await sidewaysScrolling(mobile)).toBeUndefined()
  expect(await seriousViolations(mobile)).toEqual([])
  await screenshot(mobile, 'wave-tabs-report-360')
  await mobile.evaluate(() => window.scrollTo(0, 0))
  await mobile.screenshot({ path: join(ARTIFACTS, 'wave-tabs-report-360-first-screen.png') })
  await mobile.locator('[data-block="items"]').screenshot({ path: join(ARTIFACTS, 'wave-tabs-items-360.png') })

  await mobile.goto(`${run.baseUrl}/waves/${waveId}/operations`)
  expect(await mobile.locator('.wave-tabs a').evaluateAll((links) => links.map((a) => a.getBoundingClientRect().height))).toEqual([expect.any(Number), expect.any(Number), expect.any(Number), expect.any(Number)])
  for (const height of await mobile.locator('.wave-tabs a').evaluateAll((links) => links.map((a) => a.getBoundingClientRect().height))) expect(height).toBeGreaterThanOrEqual(24)
  expect(await sidewaysScrolling(mobile)).toBeUndefined()
  expect(await seriousViolations(mobile)).toEqual([])
  expect(problems).toEqual([])
  await screenshot(mobile, 'wave-tabs-operations-360')
  await mobile.screenshot({ path: join(ARTIFACTS, 'wave-tabs-operations-360-first-screen.png') })
  // The four tabs on one line.
  expect(new Set(await mobile.locator('.wave-tabs a').evaluateAll((links) => links.map((a) => Math.round(a.getBoundingClientRect().top)))).size).toBe(1)
  await phone.close()
})

it('switches the item order without JavaScript, keeping the unit filter', async () => {
  const plain = await run.browser.newContext({ ...DESKTOP, javaScriptEnabled: false })
  const p = await signedInPage(plain)
  await p.goto(`${run.baseUrl}/waves/${waveId}?unit=Riverside`)
  const first = () => p.locator('[data-block="items"] tbody tr .item-key').first().innerText()
  const byGap = await p.locator('[data-block="items"] tbody tr .item-key').allInnerTexts()
  await p.click('[data-block="items"] .order-switch a:has-text("Fix first")')
  await p.waitForURL(/order=fix-first/)
  expect(new URL(p.url()).searchParams.get('unit')).toBe('Riverside')
  expect(await p.locator('.order-switch [aria-current="true"]').innerText()).toBe('Fix first')
  const byFixFirst = await p.locator('[data-block="items"] tbody tr .item-key').allInnerTexts()
  expect([...byFixFirst].sort()).toEqual([...byGap].sort())
  // The first row is the first of the fix-first ranking on the same page.
  expect(await first()).toBe(await p.locator('#fix-first table tbody tr .item-key').first().textContent())
  await p.click('[data-block="items"] .order-switch a:has-text("Questionnaire order")')
  await p.waitForURL(/order=instrument/)
  expect(await first()).toBe('Excellent service')
  await plain.close()
}, 120_000)
