/// <reference lib="dom" />
// 0–10 items in a real browser (issue 17): an organization's own instrument with a 0–10 headline, a
// 1–5 item and an optional 0–10 item. A customer on a 320 px phone answers it by keyboard only (axe
// clean, no sideways scrolling), and once both sides pass the minimum group size the owner's dashboard
// draws the 0–10 item's spread as 11 bars per side.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { createInstrumentFrom } from '../../server/services/instruments.js'
import { screenshot, seriousViolations, sidewaysScrolling, signInWithPassword, startAppAndBrowser, type Running } from './browser.js'

const EMAIL = 'likelihood-owner@example.com'
const PASSWORD = 'a perfectly long password'
const text = (en: string) => ({ en })

let run: Running
let waveId: string
let customerLink: string
let token: string

async function api(method: 'GET' | 'POST', url: string, payload?: object) {
  const response = await run.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) })
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`)
  return response.json()
}

beforeAll(async () => {
  run = await startAppAndBrowser()
  const { organizationId, userId } = await createOrganizationWithOwner(run.database.db, { name: 'Likely & Co', email: EMAIL, password: PASSWORD })
  token = (await run.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: EMAIL, password: PASSWORD } })).json().token
  const principal = { userId, organizationId, email: EMAIL, name: 'Owner', role: 'owner' as const, organizationName: 'Likely & Co', via: 'session' as const }
  const saved = await createInstrumentFrom(run.database.db, { principal, ip: '127.0.0.1' }, {
    key: 'likely', name: 'Likely', locales: ['en'], staffQuestion: text('Anything else?'), customerQuestion: text('Anything else?'),
    items: [
      { key: 'recommend', dimension: 'overall', scale: 'likelihood11', headline: true, required: true, staffText: text('Customers would recommend us.'), customerText: text('How likely are you to recommend {org}?'), staffPredictText: null },
      { key: 'kind', dimension: 'care', scale: 'agree5', headline: false, required: true, staffText: text('We are kind.'), customerText: text('People at {org} are kind.'), staffPredictText: null },
      { key: 'come_back', dimension: 'care', scale: 'likelihood11', headline: false, required: false, staffText: text('Customers come back.'), customerText: text('How likely are you to come back?'), staffPredictText: null },
    ],
  })
  expect(saved.ok).toBe(true)
  const wave = await api('POST', '/waves', { name: 'Likely Q4', templateKey: 'likely', locales: ['en'] })
  waveId = wave.id
  customerLink = wave.links.customer
})
afterAll(async () => run?.close())

const activeId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '')
const checkedValue = (page: Page, key: string) => page.evaluate((name) => document.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? null, `a_${key}`)

it('lets a customer on a 320 px phone answer 0–10 items by keyboard only, axe clean, and stores 0–10 values', async () => {
  const context = await run.browser.newContext({ viewport: { width: 320, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true })
  const page = await context.newPage()
  await page.goto(customerLink)
  expect(await page.locator('input[name="a_recommend"]').count()).toBe(12) // 0 … 10 and "Not applicable"
  expect(await seriousViolations(page)).toEqual([])
  expect(await sidewaysScrolling(page)).toBeUndefined()

  let presses = 0
  const press = async (key: string, times = 1) => { for (let i = 0; i < times; i++, presses++) await page.keyboard.press(key) }
  // Tab reaches the first point of the first question (past the skip link and any language links).
  for (let i = 0; i < 10 && (await activeId(page)) !== 'recommend-0'; i++) await press('Tab')
  expect(await activeId(page)).toBe('recommend-0')
  await press('ArrowRight', 9)
  expect(await checkedValue(page, 'recommend')).toBe('9')
  await press('Tab')
  expect(await activeId(page)).toBe('kind-1')
  await press('ArrowRight', 3)
  expect(await checkedValue(page, 'kind')).toBe('4')
  await press('Tab')
  expect(await activeId(page)).toBe('come_back-0')
  await press('ArrowRight', 10)
  expect(await checkedValue(page, 'come_back')).toBe('10')
  // The focused 10 is on screen with its outline: every input sits at the top of its wrapped scale, so
  // its scroll margin must bring the whole scale into view (public/survey.css).
  const shown = await page.evaluate(() => {
    const label = document.querySelector('label[for="come_back-10"]')!
    const r = label.getBoundingClientRect()
    return { inView: r.top >= 0 && r.bottom <= window.innerHeight && r.right <= 320, outline: getComputedStyle(label).outlineStyle }
  })
  expect(shown).toEqual({ inView: true, outline: expect.not.stringMatching(/^none$/) })
  await screenshot(page, 'scale-010-survey-320')
  for (let i = 0; i < 6 && !(await page.evaluate(() => document.activeElement?.matches('button[type=submit]'))); i++) await press('Tab')
  await press('Enter')
  await page.waitForURL(/\/thanks/)
  console.log(`0–10 survey by keyboard at 320 px: ${presses} key presses`)

  const rows = await run.database.db.selectFrom('answers').innerJoin('responses', 'responses.id', 'answers.response_id')
    .select(['answers.item_key', 'answers.value']).where('responses.wave_id', '=', waveId).execute()
  expect(Object.fromEntries(rows.map((row) => [row.item_key, row.value]))).toEqual({ recommend: 9, kind: 4, come_back: 10 })
  await context.close()
})

it('draws the 0–10 item\'s spread on the dashboard as 11 bars per side', async () => {
  // Enough answers on both sides to pass the minimum group size (5), every point of 0–10 used.
  const staff = Array.from({ length: 10 }, (_, i) => ({ side: 'staff', answers: { recommend: 10 - (i % 4), kind: 4, come_back: 6 + (i % 5) } }))
  const customers = Array.from({ length: 21 }, (_, i) => ({ side: 'customer', answers: { recommend: i % 11, kind: 1 + (i % 5), come_back: (i * 3) % 11 } }))
  await api('POST', `/waves/${waveId}/responses`, [...staff, ...customers])
  for (let i = 0; i < 100; i++) {
    if ((await api('GET', `/waves/${waveId}/report`)).release.staffWaiting === 0) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const page = await (await run.browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage()
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  await signInWithPassword(page, run.baseUrl, EMAIL, PASSWORD)
  await page.goto(`${run.baseUrl}/waves/${waveId}`)
  const spread = page.locator('#spread-recommend')
  await spread.locator('summary').click()
  await spread.scrollIntoViewIfNeeded()
  const chart = await page.waitForFunction(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('#spread-recommend canvas')!
    const c = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: { labels: unknown[]; datasets: Array<{ label: string; data: number[] }> }; getDatasetMeta(i: number): { data: Array<{ height: number }> } } | undefined } }).Chart.getChart(canvas)
    if (!c || canvas.clientHeight === 0) return null
    return { labels: c.data.labels.length, datasets: c.data.datasets.map((d, i) => ({ label: d.label, bars: d.data.length, drawn: c.getDatasetMeta(i).data.filter((bar) => bar.height > 0).length })) }
  })
  const drawn = await chart.jsonValue()
  expect(drawn!.labels).toBe(11)
  expect(drawn!.datasets.map((d) => [d.label, d.bars])).toEqual([['Staff', 11], ['Customers', 11]])
  // Customers used every point from 0 to 10, so each of their 11 bars has a height.
  expect(drawn!.datasets[1]!.drawn).toBe(11)
  const counts = await spread.locator('tbody tr').first().locator('td').allTextContents()
  expect(counts).toHaveLength(12) // 11 points and n
  await spread.screenshot({ path: 'test/artifacts/scale-010-dashboard-spread.png' })
  expect(problems).toEqual([])
})
