/// <reference lib="dom" />
// The whole product in one continuous journey, in one app and one browser, the way a newcomer meets it:
// the first visit sets up the organization, two units and a wave are made with the admin forms, the
// wave's customer link is answered with taps on a 360 px phone and its staff link without JavaScript,
// and the report on the wave page moves with each answer. Before them, four answers per side come in
// through the JSON API with a token made on the tokens page: fewer than the minimum group size of five,
// so the report is hidden until the phone's answer (and then the staff member's) makes it five.
// axe-core checks each page on the way. (Keyboard-only setup is in foundation.test.ts.)
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BrowserContextOptions, Page } from 'playwright-core'
import { DEFAULT_MIN_GROUP_SIZE } from '../../server/domain/anonymity.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { screenshot, seriousViolations, sidewaysScrolling, startAppAndBrowser, type Running } from './browser.js'

const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
const ITEMS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const HEADLINE = SERVICE_GAP_INDEX_V1.items.find((item) => item.headline)!.key
const PASSWORD = 'a perfectly long password'
const THANKS = /\/s\/[\w-]+\/thanks\?lang=en$/

type Answer = number | 'na'

let run: Running
let admin: Page
let waveUrl: string
let links: { staff: string; customer: string }
let token: string
const problems: string[] = []

/** What the report says above its filters: how many answered on each side. */
const counts = () => admin.locator('.report-actions .muted').innerText()
const headline = () => admin.locator('section[data-block="summary"] .ways').innerText()
const facts = () => admin.locator('section[data-block="summary"]').innerText()

async function reloadWave() {
  await admin.goto(waveUrl)
  expect(await seriousViolations(admin), 'wave page').toEqual([])
}

/** Four answers to every item, the headline item's chosen, the rest in a fixed pattern. */
function apiResponse(side: 'staff' | 'customer', i: number, headlineAnswer: number) {
  const answers = Object.fromEntries(ITEMS.map((key, j) => [key, key === HEADLINE ? headlineAnswer : ((i + j) % 5) + 1]))
  return { side, unit: i % 2 ? 'Harbour Street' : 'North Quay', answers }
}

beforeAll(async () => {
  run = await startAppAndBrowser()
  const context = await run.browser.newContext({ viewport: { width: 1280, height: 900 } })
  admin = await context.newPage()
  admin.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`) })
  admin.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
})
afterAll(async () => run?.close())

it('sets up the organization and its owner on the first visit', async () => {
  await admin.goto(run.baseUrl)
  expect(new URL(admin.url()).pathname).toBe('/setup')
  await admin.fill('#organization', 'Harbour & Co')
  await admin.fill('#name', 'Olivia Owner')
  await admin.fill('#email', 'owner@example.com')
  await admin.fill('#password', PASSWORD)
  await admin.fill('#confirm', PASSWORD)
  await admin.click('main button[type=submit]')
  await admin.waitForURL('**/waves/new')
  expect(await admin.locator('.who .org').textContent()).toBe('Harbour & Co')
})

it('adds two units with the units form', async () => {
  await admin.click('nav >> text=Units')
  await admin.waitForURL('**/units')
  expect(await admin.locator('main').innerText()).toContain('No units in use yet.')
  for (const name of ['Harbour Street', 'North Quay']) {
    await admin.fill('#name', name)
    await admin.click('main button:has-text("Add unit")')
    await admin.locator('table th[scope=row]', { hasText: name }).waitFor()
  }
  expect(await admin.locator('table tbody th[scope=row]').allInnerTexts()).toEqual(['Harbour Street', 'North Quay'])
  expect(await seriousViolations(admin)).toEqual([])
})

it('creates a wave and reads its staff and customer links from the wave page', async () => {
  await admin.click('nav >> text=Waves')
  await admin.waitForURL('**/waves')
  await admin.click('main >> text=New wave')
  await admin.waitForURL('**/waves/new')
  await admin.fill('#name', '2026-Q4')
  expect(await admin.isChecked('#status-open')).toBe(true)
  await admin.click('main button[type=submit]')
  await admin.waitForURL(/\/waves\/[0-9a-f-]{36}$/)
  waveUrl = admin.url()
  expect(await admin.locator('h1').innerText()).toContain('2026-Q4')
  // The wave opens on its report, which has no answers yet and points to the Operations tab.
  expect(await admin.locator('main .notice').first().innerText()).toContain('No answers yet')
  expect(await admin.locator('section[data-block="summary"]').count()).toBe(0)
  expect(await seriousViolations(admin)).toEqual([])
  await screenshot(admin, 'journey-wave-empty')
  await admin.click('main .notice a:has-text("Operations")')
  await admin.waitForURL(/\/waves\/[0-9a-f-]{36}\/operations$/)
  expect(await admin.locator('.wave-tabs [aria-current="page"]').innerText()).toBe('Operations')
  const linkOf = (heading: string) => admin.locator('.link-card', { has: admin.locator('h3', { hasText: heading }) }).locator('input.link-url').inputValue()
  links = { staff: await linkOf('Staff'), customer: await linkOf('Customers') }
  for (const url of Object.values(links)) expect(url).toMatch(new RegExp(`^${run.baseUrl}/s/[A-Za-z0-9_-]{22}$`))
  expect(links.staff).not.toBe(links.customer)
  // Both units got their own links, and nobody has answered yet.
  expect(await admin.locator('.links-table tbody th[scope=row]').allInnerTexts()).toEqual(['Harbour Street', 'North Quay'])
  expect(await seriousViolations(admin)).toEqual([])
  await screenshot(admin, 'journey-wave-operations')
})

it('takes four answers per side through the API with a token made on the tokens page; still too few to show', async () => {
  await admin.click('nav >> text=API tokens')
  await admin.waitForURL('**/account/tokens')
  await admin.fill('#name', 'Journey import')
  await admin.click('main button:has-text("Create token")')
  token = await admin.inputValue('#new-token')
  expect(token.length).toBeGreaterThan(20)
  expect(await seriousViolations(admin)).toEqual([])

  const waveId = new URL(waveUrl).pathname.split('/').pop()!
  // Staff: two of four agree on the headline item; customers: one of four.
  const rows = [
    ...[5, 4, 2, 1].map((answer, i) => apiResponse('staff', i, answer)),
    ...[4, 2, 1, 1].map((answer, i) => apiResponse('customer', i, answer)),
  ]
  const response = await fetch(`${run.baseUrl}/api/v1/waves/${waveId}/responses`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(rows),
  })
  expect(response.status, await response.clone().text()).toBe(201)
  expect(((await response.json()) as { ids: string[] }).ids).toHaveLength(8)

  await reloadWave()
  // The four staff answers wait in the sealed pool for a release step of at least five.
  expect(await counts()).toContain(`0 staff and 4 customer responses · minimum group size ${DEFAULT_MIN_GROUP_SIZE}`)
  expect(await admin.locator('#staff-release').innerText()).toContain('4 staff answers waiting')
  expect(await headline()).toMatch(/^Staff: 1 more staff answer before figures appear\n+Customers: 1 more customer answer before figures appear/)
})

it('lets a customer answer every item with taps on a 360 px phone and thanks them', async () => {
  const context = await run.browser.newContext(PHONE)
  const phone = await context.newPage()
  await phone.goto(links.customer)
  expect(await phone.locator('fieldset.q').count()).toBe(ITEMS.length)
  expect(await sidewaysScrolling(phone)).toBeUndefined()
  expect(await seriousViolations(phone)).toEqual([])
  const answers: Answer[] = [5, 4, 4, 3, 'na', 5, 4, 2, 5, 4, 3, 4]
  for (const [i, key] of ITEMS.entries()) {
    await phone.tap(`label[for="${key}-${answers[i]}"]`)
    expect(await phone.isChecked(`#${key}-${answers[i]}`), `item ${i + 1}`).toBe(true)
  }
  await phone.selectOption('#unit', { label: 'North Quay' })
  await phone.tap('#comment')
  await phone.keyboard.type('Quick and friendly at the counter.')
  await screenshot(phone, 'journey-customer-phone')
  await phone.tap('main button[type=submit]')
  await phone.waitForURL(THANKS)
  expect(await phone.locator('h1').textContent()).toBe('Thank you')
  expect(await seriousViolations(phone)).toEqual([])
  await context.close()
})

it('moves the report by exactly that one customer: five customers now, shown; staff still hidden', async () => {
  await reloadWave()
  expect(await counts()).toContain('0 staff and 5 customer responses')
  // One of the four from the API agreed (4), and the phone's 5 agrees: 2 of 5.
  expect(await headline()).toMatch(/^Staff: 1 more staff answer before figures appear\n+40% of customers say\b/)
  expect(await facts()).toContain('n = 5')
  expect(await admin.locator('.comments li', { hasText: 'Quick and friendly at the counter.' }).count()).toBe(1)
})

it('lets a staff member answer the staff link without JavaScript', async () => {
  const context = await run.browser.newContext({ ...PHONE, javaScriptEnabled: false })
  const plain = await context.newPage()
  await plain.goto(links.staff)
  expect(await plain.locator('.anon').textContent()).toContain('This survey is anonymous')
  // (axe-core cannot run where scripts are off; survey.test.ts checks the staff page with them on.)
  const answers: Answer[] = [4, 5, 4, 4, 5, 4, 'na', 3, 4, 5, 4, 4]
  for (const [i, key] of ITEMS.entries()) await plain.click(`label[for="${key}-${answers[i]}"]`)
  await plain.selectOption('#unit', { label: 'Harbour Street' })
  await plain.click('main button[type=submit]')
  await plain.waitForURL(THANKS)
  expect(await plain.locator('h1').textContent()).toBe('Thank you')
  expect(await plain.locator('.msg').textContent()).toContain('They are anonymous')
  await context.close()
})

it('shows both sides once five have answered on each, with the gap between them', async () => {
  await reloadWave()
  expect(await counts()).toContain('5 staff and 5 customer responses')
  // Staff: 5 and 4 from the API and the 4 just sent agree: 3 of 5.
  expect(await headline()).toMatch(/^60% of staff say\b[\s\S]+\n40% of customers say\b/)
  const shown = await facts()
  expect(shown.match(/n = 5/g)).toHaveLength(2)
  expect(shown).toMatch(/gap\s+\+20 pts/i)
  expect(await sidewaysScrolling(admin)).toBeUndefined()
  expect(problems).toEqual([])
  await screenshot(admin, 'journey-wave-report')
})
