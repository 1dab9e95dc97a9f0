/// <reference lib="dom" />
// Kiosk mode in a real browser: a 768 px tablet opens a unit's kiosk link, a customer answers and
// sends, sees the thank-you page, and the page goes back by itself to a fresh, empty form for the
// next person (the restart and the minimum time are shortened here, so the test does not wait 8 s).
// axe-core runs on the form and on the thank-you page.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BrowserContextOptions } from 'playwright-core'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { saveKiosk } from '../../server/repositories/kiosks.js'
import { screenshot, seriousViolations, sidewaysScrolling, startAppAndBrowser, type Running } from './browser.js'

const TABLET: BrowserContextOptions = { viewport: { width: 768, height: 1024 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
const ITEMS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const EMAIL = 'kiosk-owner@example.com'
const PASSWORD = 'a perfectly long password'
const RESTART_SECONDS = 1

let run: Running
let kioskUrl: string
let waveId: string

beforeAll(async () => {
  run = await startAppAndBrowser({ kiosk: { limits: { restartSeconds: RESTART_SECONDS, minSeconds: 1 } } })
  const { organizationId } = await createOrganizationWithOwner(run.database.db, { name: 'Harbour & Co', email: EMAIL, password: PASSWORD })
  const token = (await run.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: EMAIL, password: PASSWORD } })).json().token as string
  const auth = { authorization: `Bearer ${token}` }
  await run.app.inject({ method: 'POST', url: '/api/v1/units', headers: auth, payload: { name: 'Harbour Street' } })
  const wave = (await run.app.inject({ method: 'POST', url: '/api/v1/waves', headers: auth, payload: { name: '2026-Q4', templateKey: 'service-gap-index', locales: ['en', 'es', 'de'], unitLinks: true } })).json()
  waveId = wave.id
  const link = await run.database.db.selectFrom('links').select(['id', 'unit_id']).where('wave_id', '=', waveId).where('side', '=', 'customer').where('unit_id', 'is not', null).executeTakeFirstOrThrow()
  const kiosk = (await saveKiosk(run.database.db, organizationId, { id: link.id, unitId: link.unit_id }, 300))!
  kioskUrl = `${run.baseUrl}/k/${kiosk.token}`
})
afterAll(async () => run?.close())

it('takes a customer\'s answers on a 768 px tablet, thanks them, and is back on a fresh empty form by itself', async () => {
  const context = await run.browser.newContext(TABLET)
  const page = await context.newPage()
  await page.goto(kioskUrl)
  expect(await page.locator('fieldset.q').count()).toBe(ITEMS.length)
  expect(await page.locator('.about').textContent()).toContain('Harbour Street')
  expect(await seriousViolations(page)).toEqual([])
  expect(await sidewaysScrolling(page)).toBeUndefined()
  await screenshot(page, 'kiosk-form-768')
  for (const key of ITEMS) await page.locator(`label[for="${key}-4"]`).tap()
  await page.locator('#comment').fill('Quick and friendly.')
  // The kiosk takes a form no sooner than its minimum time (shortened to a second here).
  await page.waitForTimeout(1100)
  await page.getByRole('button', { name: 'Send my answers' }).tap()
  await page.waitForURL(/\/k\/[\w-]+\/thanks\?lang=en$/)
  expect(await page.locator('h1').textContent()).toContain('Thank you')
  expect(await page.getByText('You can close this page').count()).toBe(0)
  expect(await page.getByText('A fresh form for the next person opens in 1 second.').count()).toBe(1)
  expect(await page.getByRole('link', { name: 'Start a new response' }).count()).toBe(1)
  expect(await page.getByRole('link', { name: 'Keep this page on screen' }).count()).toBe(1)
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'kiosk-thanks-768')
  // The page's Refresh header brings the form back, empty, for the next person.
  await page.waitForURL(kioskUrl, { timeout: 10_000 })
  await page.locator('fieldset.q').first().waitFor()
  expect(await page.locator('input[type=radio]:checked').count()).toBe(0)
  expect(await page.locator('#comment').inputValue()).toBe('')
  expect(await page.locator('.alert').count()).toBe(0)
  const stored = await run.database.db.selectFrom('responses').select(['channel', 'comment']).where('wave_id', '=', waveId).execute()
  expect(stored).toEqual([{ channel: 'kiosk', comment: 'Quick and friendly.' }])
  await context.close()
})
