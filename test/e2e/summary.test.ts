/// <reference lib="dom" />
// The report's first screen in a real browser, on the demo's data (server/cli/demo-data.ts: six
// units, about 2,400 responses a wave, staff predictions asked), its last two quarters loaded the
// way `npm run demo` loads them. At 1366 × 900 the whole summary block ends above the fold with
// the site header, the wave header and the filter form above it; at 360 px it stacks without
// sideways scrolling; axe finds nothing serious; a "where" link opens that unit's page, whose
// summary says where the unit stands among the units. Screenshots go to test/artifacts/.
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { PREDICTIONS, QUARTERS, responsesFor, UNITS } from '../../server/cli/demo-data.js'
import { seededRandom } from '../../server/domain/analytics/random.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { importResponses } from '../../server/repositories/responses.js'
import { createUnit } from '../../server/repositories/units.js'
import { setWaveStatus } from '../../server/repositories/waves.js'
import { advanceStaffAfterStore } from '../../server/services/release-steps.js'
import { createWaveFromInput } from '../../server/services/waves.js'
import { ARTIFACTS, seriousViolations, sidewaysScrolling, signInWithPassword, startAppAndBrowser, type Running, viewportWidth } from './browser.js'

const EMAIL = 'summary-owner@example.com'
const PASSWORD = 'a perfectly long password'
const quiet = { error: () => undefined }

let run: Running
let waveId: string
const problems: string[] = []

async function watchedPage(context: BrowserContext) {
  const p = await context.newPage()
  p.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`) })
  p.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  return p
}

async function signIn(p: Page) {
  await signInWithPassword(p, run.baseUrl, EMAIL, PASSWORD)
}

const summary = (p: Page) => p.locator('section[data-block="summary"]')

beforeAll(async () => {
  run = await startAppAndBrowser()
  const db = run.database.db
  const { organizationId } = await createOrganizationWithOwner(db, { name: 'Harbourview Outfitters', email: EMAIL, password: PASSWORD })
  const unitIds = []
  for (const unit of UNITS) unitIds.push(await createUnit(db, organizationId, unit.name))
  const rand = seededRandom(2026)
  // The demo's third and fourth quarters: an earlier wave to compare with, and staff who predict every item.
  for (const q of [2, 3]) {
    const created = await createWaveFromInput(db, organizationId, { name: QUARTERS[q]!, templateKey: 'service-gap-index', status: 'open', predictions: PREDICTIONS[q]! }, { unitLinks: true })
    if (!created.ok) throw new Error(JSON.stringify(created.errors))
    await importResponses(db, { organizationId, waveId: created.value, locale: 'en', channel: 'import' }, responsesFor(q, unitIds, rand))
    await advanceStaffAfterStore(db, organizationId, created.value, quiet)
    if (q === 2) await setWaveStatus(db, organizationId, created.value, 'closed')
    waveId = created.value
  }
}, 300_000)
afterAll(async () => run?.close())

it('fits the whole summary above the fold at 1366 × 900, three ways, with fix first, where and the release date; axe clean', async () => {
  const context = await run.browser.newContext({ viewport: { width: 1366, height: 900 } })
  const page = await watchedPage(context)
  await signIn(page)
  await page.goto(`${run.baseUrl}/waves/${waveId}`)
  const block = summary(page)
  await block.waitFor()
  await page.screenshot({ path: join(ARTIFACTS, 'summary-1366.png') })
  const box = (await block.boundingBox())!
  expect(await page.evaluate(() => window.scrollY)).toBe(0)
  expect(box.y + box.height, 'the summary block ends above the fold').toBeLessThanOrEqual(900)
  // What a leader reads there: the headline three ways, the gap in words, the change since Q3.
  expect(await block.locator('.way').count()).toBe(3)
  const words = await block.innerText()
  expect(words).toMatch(/\d+% of staff say/)
  expect(words).toMatch(/\d+% is what staff predict customers say/)
  expect(words).toMatch(/\d+% of customers say/)
  expect(words).toMatch(/Gap \+\d+ pts: staff think better of the service than customers do, (very )?unlikely to be chance\./)
  expect(words).toMatch(/Staff figures as of \d+ \w{3} \d{4}/)
  expect(words).toContain('since 2026-Q3')
  expect(await block.locator('.summary-part').first().locator('li').count()).toBe(3)
  // Where: the widest significant unit gaps, each a link to its unit's page.
  const links = block.locator('.summary-part').nth(1).locator('a')
  expect(await links.count()).toBeGreaterThan(0)
  for (const href of await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))) expect(href).toMatch(new RegExp(`^/waves/${waveId}\\?unit=`))
  // The exact statistic is one hover away.
  expect(await block.locator('.chance').first().getAttribute('title')).toMatch(/95% interval .+ q (<|=) \d/)
  expect(await sidewaysScrolling(page)).toBeUndefined()
  expect(await seriousViolations(page)).toEqual([])

  // A "where" link opens the unit's page: its summary gives the unit's place among the units.
  const first = links.first()
  const name = await first.innerText()
  await Promise.all([page.waitForURL(/unit=/), first.click()])
  expect(await page.inputValue('#f-unit')).toBe(name)
  const place = await summary(page).innerText()
  expect(place).toMatch(new RegExp(`${name} has the (widest|\\d+(st|nd|rd|th) widest|narrowest) gap of the \\d units compared\\.`))
  expect(place).toContain(`Compares ${name} with all units.`)
  const unitBox = (await summary(page).boundingBox())!
  expect(unitBox.y + unitBox.height).toBeLessThanOrEqual(900)
  expect(await seriousViolations(page)).toEqual([])
  await page.screenshot({ path: join(ARTIFACTS, 'summary-1366-unit.png') })
  expect(problems).toEqual([])
  await context.close()
}, 240_000)

it('reads well at 360 px: the parts stacked, nothing wider than the phone, axe clean', async () => {
  const context = await run.browser.newContext({ viewport: { width: 360, height: 780 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true })
  const page = await watchedPage(context)
  await signIn(page)
  await page.goto(`${run.baseUrl}/waves/${waveId}`)
  const block = summary(page)
  await block.waitFor()
  await block.screenshot({ path: join(ARTIFACTS, 'summary-360.png') })
  expect(await sidewaysScrolling(page)).toBeUndefined()
  const width = viewportWidth(page)
  expect(await block.evaluate((section, width) => Array.from(section.querySelectorAll('*')).filter((e) => e.getBoundingClientRect().right > width + 0.5).map((e) => e.className || e.tagName), width)).toEqual([])
  // Stacked: each of the three ways under the one before, fix first above where.
  const tops = await block.locator('.way').evaluateAll((ways) => ways.map((w) => w.getBoundingClientRect().top))
  expect(tops).toEqual([...tops].sort((a, b) => a - b))
  expect(new Set(tops).size).toBe(3)
  const fontSize = await block.locator('.way-detail').first().evaluate((e) => parseFloat(getComputedStyle(e).fontSize))
  expect(fontSize).toBeGreaterThanOrEqual(12)
  expect(await seriousViolations(page)).toEqual([])
  expect(problems).toEqual([])
  await context.close()
}, 120_000)
