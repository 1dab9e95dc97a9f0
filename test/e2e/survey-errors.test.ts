/// <reference lib="dom" />
// The survey's problems in a real browser: an empty form sent from a 360 px phone names only the one
// required statement; with JavaScript on, choosing its answer clears the problem at once; without
// JavaScript the problem stays until the next submit and the form still sends. Also the heaviest page a
// respondent gets (staff, twelve predictions, German, with problems) stays within 25 KB, and a unit's
// link says which unit it is about.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BrowserContextOptions, Page } from 'playwright-core'
import { createInstrument } from '../../server/repositories/instruments.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { screenshot, seriousViolations, sidewaysScrolling, startAppAndBrowser, type Running } from './browser.js'

const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
const DESKTOP: BrowserContextOptions = { viewport: { width: 1366, height: 900 } }
const EMAIL = 'errors-owner@example.com'
const PASSWORD = 'a perfectly long password'
const ORG = 'Harbour & Co'

let run: Running
let links: { customer: string; airport: string; predicting: string; optional: string }
const sizes: string[] = []

beforeAll(async () => {
  run = await startAppAndBrowser()
  const { organizationId } = await createOrganizationWithOwner(run.database.db, { name: ORG, email: EMAIL, password: PASSWORD })
  const text = (en: string) => ({ en })
  await createInstrument(run.database.db, organizationId, {
    key: 'optional', version: 1, name: 'All optional', locales: ['en'], staffQuestion: text('Anything else?'), customerQuestion: text('Anything else?'),
    items: ['overall', 'structure'].map((dimension, i) => ({
      key: i === 0 ? 'served' : 'easy', dimension, scale: 'agree5' as const, headline: i === 0, required: false,
      staffText: text('We serve well.'), customerText: text(i === 0 ? '{org} serves me well.' : 'It is easy to deal with {org}.'), staffPredictText: null,
    })),
  })
  const token = (await run.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: EMAIL, password: PASSWORD } })).json().token as string
  const api = async (url: string, payload: object) => {
    const response = await run.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, payload })
    if (response.statusCode >= 300) throw new Error(`${url}: ${response.statusCode} ${response.body}`)
    return response.json()
  }
  await api('/units', { name: 'Airport kiosk' })
  const wave = await api('/waves', { name: '2026-Q4', templateKey: 'service-gap-index', locales: ['en', 'es', 'de'], unitLinks: true })
  const optional = await api('/waves', { name: 'Optional', templateKey: 'optional', locales: ['en'] })
  const predicting = await api('/waves', { name: 'Predicting', templateKey: 'service-gap-index', locales: ['en', 'es', 'de'], predictions: 'all' })
  links = {
    customer: wave.links.customer,
    airport: wave.unitLinks.find((l: { unit: { name: string } }) => l.unit.name === 'Airport kiosk').customer,
    predicting: predicting.links.staff,
    optional: optional.links.customer,
  }
})
afterAll(async () => {
  if (sizes.length > 0) console.log(sizes.join('\n'))
  await run?.close()
})

/** Sends the form as it is and waits for the page that comes back; returns its status. */
async function send(page: Page) {
  const sent = page.waitForResponse((r) => r.request().method() === 'POST')
  await page.locator('button[type=submit]').click()
  const response = await sent
  await page.waitForLoadState('load')
  return response.status()
}

const problems = (page: Page) => page.evaluate(() => ({
  bad: document.querySelectorAll('.bad').length,
  messages: Array.from(document.querySelectorAll('.err'), (e) => e.textContent),
  described: Array.from(document.querySelectorAll('fieldset[aria-describedby], select[aria-describedby*="-e"]'), (e) => e.getAttribute('aria-describedby')),
  summaryShown: Boolean(document.querySelector<HTMLElement>('[aria-labelledby="sum"]')?.offsetParent),
  links: Array.from(document.querySelectorAll('[aria-labelledby="sum"] a'), (a) => a.getAttribute('href')),
  title: document.title,
}))

for (const [name, options] of [['360', PHONE], ['1366', DESKTOP]] as const) {
  it(`names only the required statement when an empty form is sent at ${name} px, and clears it once answered`, async () => {
    const context = await run.browser.newContext(options)
    const page = await context.newPage()
    await page.goto(links.airport)
    expect(await page.locator('.about').textContent()).toBe('About: Airport kiosk')
    expect(await send(page)).toBe(422)
    await screenshot(page, `survey-errors-${name}`)
    await page.screenshot({ path: `${import.meta.dirname}/../artifacts/survey-errors-${name}-view.png` })
    const shown = await problems(page)
    expect(shown).toMatchObject({ bad: 1, summaryShown: true, links: ['#excellent_service-1'], described: ['excellent_service-e'] })
    expect(shown.title).toBe(`One answer is missing or needs a look · ${ORG}`)
    expect(await page.locator('.alert').boundingBox().then((box) => box!.height)).toBeLessThan(200) // not a wall of links
    expect(await seriousViolations(page)).toEqual([])
    expect(await sidewaysScrolling(page)).toBeUndefined()
    // Another statement's answer leaves the problem; the missing one's answer clears it, with no submit.
    await page.locator('label[for="easy-4"]').click()
    expect((await problems(page)).bad).toBe(1)
    await page.locator('label[for="excellent_service-4"]').click()
    expect(await problems(page)).toEqual({ bad: 0, messages: [], described: [], summaryShown: false, links: [], title: ORG })
    expect(await seriousViolations(page)).toEqual([])
    if (name === '360') await screenshot(page, 'survey-errors-360-cleared')
    expect(await send(page)).toBe(303)
    await page.waitForURL(/\/thanks\?lang=en$/)
    await context.close()
  })
}

it('keeps the problem until the next submit without JavaScript, and the form still sends', async () => {
  const context = await run.browser.newContext({ ...PHONE, javaScriptEnabled: false })
  const page = await context.newPage()
  await page.goto(links.customer)
  await page.locator('label[for="valued-5"]').click()
  expect(await send(page)).toBe(422)
  expect(await page.locator('.err').allTextContents()).toEqual(['Choose an answer, or "Not applicable".'])
  expect(await page.locator('input[name="a_valued"]:checked').getAttribute('value')).toBe('5')
  await page.locator('label[for="excellent_service-2"]').click()
  expect(await page.locator('fieldset.bad').count()).toBe(1) // as before: it stays red until sent
  expect(await send(page)).toBe(303)
  await page.waitForURL(/\/thanks\?lang=en$/)
  await context.close()
})

it('keeps the heaviest respondent page, staff with twelve predictions in German with problems, within 25 KB', async () => {
  const context = await run.browser.newContext(PHONE)
  const page = await context.newPage()
  await page.goto(`${links.predicting}?lang=de`)
  const sent = page.waitForResponse((r) => r.request().method() === 'POST')
  await page.locator('button[type=submit]').click()
  const returned = await sent
  expect(returned.status()).toBe(422)
  await page.waitForLoadState('load')
  const html = (await returned.body()).length
  const files = await Promise.all(['/public/survey.css', '/public/survey.js'].map(async (path) => {
    const response = await context.request.get(`${run.baseUrl}${path}`)
    expect(response.headers()['cache-control'], path).toBe('public, max-age=3600')
    return (await response.body()).length
  }))
  const total = html + files[0]! + files[1]!
  sizes.push(`staff survey, 12 predictions, German, 2 problems: ${html} bytes of HTML + ${files[0]} CSS + ${files[1]} JS (both cached for an hour) = ${total}`)
  // The page itself; its style sheet and script are files the browser keeps (see the headers above).
  expect(html).toBeLessThanOrEqual(25 * 1000)
  // The headline and its prediction, not every prediction.
  expect(await page.locator('[aria-labelledby="sum"] a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['#excellent_service-1', '#p-excellent_service'])
  expect(await page.locator('#sum').textContent()).toBe('2 Antworten fehlen oder sind zu prüfen')
  // A prediction chosen clears its own problem, and the count in the summary and title follows.
  await page.selectOption('#p-excellent_service', '6')
  expect(await page.locator('#sum').textContent()).toBe('Eine Antwort fehlt oder ist zu prüfen')
  expect(await page.title()).toBe(`Eine Antwort fehlt oder ist zu prüfen · ${ORG}`)
  expect(await page.locator('#p-excellent_service').getAttribute('aria-describedby')).toBeNull()
  expect(await page.locator('#p-excellent_service').getAttribute('aria-invalid')).toBeNull()
  expect(await page.locator('#p-excellent_service-e').count()).toBe(0)
  expect(await seriousViolations(page)).toEqual([])
  await context.close()
})

it('says "answer at least one statement" once for an empty form with nothing required, and clears it on an answer', async () => {
  const context = await run.browser.newContext(PHONE)
  const page = await context.newPage()
  await page.goto(links.optional)
  expect(await page.locator('.rule').textContent()).toBe('Answer what you can; you may skip any statement.')
  expect(await page.locator('.req').count()).toBe(0)
  expect(await send(page)).toBe(422)
  const alert = page.locator('#form-e')
  expect(await alert.textContent()).toBe('Answer at least one statement before sending.')
  expect(await page.title()).toBe(`Answer at least one statement before sending. · ${ORG}`)
  expect(await page.locator('.err, .bad').count()).toBe(0)
  expect(await seriousViolations(page)).toEqual([])
  await page.locator('label[for="easy-na"]').click()
  expect(await alert.isVisible()).toBe(false)
  expect(await page.title()).toBe(ORG)
  expect(await send(page)).toBe(303)
  await context.close()
})
