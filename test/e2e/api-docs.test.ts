/// <reference lib="dom" />
// The API reference at /api/docs in a real browser, at 1366 px: it loads from this origin only,
// under the site's strict Content-Security-Policy with no violation, console error or failed load;
// it lists every operation of the OpenAPI document; axe-core finds nothing serious or critical; and
// "Try it out" works with a bearer token given through Authorize.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { screenshot, seriousViolations, startAppAndBrowser, type Running } from './browser.js'

const EMAIL = 'docs-owner@example.com'
const PASSWORD = 'a perfectly long password'

let run: Running
let page: Page
let token: string
const problems: string[] = []

beforeAll(async () => {
  run = await startAppAndBrowser()
  await createOrganizationWithOwner(run.database.db, { name: 'Docs & Co', email: EMAIL, password: PASSWORD, ownerName: 'Dana Docs' })
  token = (await run.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: EMAIL, password: PASSWORD } })).json().token
  const wave = await run.app.inject({ method: 'POST', url: '/api/v1/waves', headers: { authorization: `Bearer ${token}` }, payload: { name: 'Wave seen through the docs', templateKey: 'service-gap-index' } })
  expect(wave.statusCode).toBe(201)

  const context = await run.browser.newContext({ viewport: { width: 1366, height: 900 } })
  page = await context.newPage()
  // Chromium reports each violation as a console error too; the event names the directive and what was blocked.
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (event) => {
    console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI} (${event.sourceFile}:${event.lineNumber})`)
  }))
  page.on('console', (message) => { if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`) })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('requestfailed', (request) => problems.push(`failed to load ${request.url()}: ${request.failure()?.errorText}`))
  page.on('request', (request) => {
    if (!request.url().startsWith(`${run.baseUrl}/`) && !request.url().startsWith('data:')) problems.push(`loads from another origin: ${request.url()}`)
  })
  page.on('response', (response) => { if (response.status() >= 400) problems.push(`${response.url()} answered ${response.status()}`) })
})
afterAll(async () => run?.close())

it('loads under the strict CSP from this origin only and lists every operation of the document', async () => {
  const response = await page.goto(`${run.baseUrl}/api/docs`)
  expect(response?.status()).toBe(200)
  expect(response?.headers()['content-type']).toMatch(/^text\/html/)
  // The site's own policy, not a looser one for this page.
  const csp = response?.headers()['content-security-policy'] ?? ''
  expect(csp).toContain("script-src 'self';")
  expect(csp).toContain("style-src 'self';")
  expect(csp).not.toContain('unsafe')
  expect(await page.title()).toBe('Service Gap API')

  const document = (await run.app.inject({ method: 'GET', url: '/api/docs/json' })).json() as { paths: Record<string, Record<string, { operationId: string; tags: string[] }>> }
  const operations = Object.values(document.paths).flatMap((item) => Object.values(item))
  expect(operations.length).toBeGreaterThan(30)
  await page.waitForSelector('.opblock')
  expect(await page.locator('.opblock').count()).toBe(operations.length)
  for (const operation of operations) expect(await page.locator(`#operations-${operation.tags[0]}-${operation.operationId}`).count(), operation.operationId).toBe(1)
  expect(await page.locator('.info .title').textContent()).toContain('Service Gap API')
  expect(await page.locator('.sg-top a[href="/account/tokens"]').textContent()).toBe('API tokens')

  expect(await seriousViolations(page)).toEqual([])
  await page.screenshot({ path: '/tmp/api-docs.png' })
  await screenshot(page, 'api-docs')
  expect(problems).toEqual([])
})

it('tries out GET /api/v1/waves with a bearer token given through Authorize', async () => {
  await page.click('.scheme-container .btn.authorize')
  await page.fill('.auth-container input[type=text], .auth-container input[type=password]', token)
  await page.click('.auth-btn-wrapper .btn.authorize')
  await page.click('.auth-btn-wrapper .btn-done')

  const operation = page.locator('#operations-waves-listWaves')
  await operation.locator('.opblock-summary-control').click()
  await operation.locator('.try-out__btn').click()
  await operation.locator('.execute').click()
  const status = operation.locator('.live-responses-table .response .response-col_status')
  await expect.poll(() => status.textContent()).toBe('200')
  expect(await operation.locator('.live-responses-table .response .response-col_description').textContent()).toContain('Wave seen through the docs')
  // The request it shows as curl carries the token.
  expect(await operation.locator('.curl-command').textContent()).toContain(`Authorization: Bearer ${token}`)

  // Swagger UI fades its buttons between states (`transition: all .3s`, a third of the opacity while a
  // request runs): axe judges the colours they settle on, the ones a reader sees.
  const execute = operation.locator('.btn.execute')
  await page.mouse.move(0, 0)
  await expect.poll(() => execute.evaluate((button) => `${getComputedStyle(button).opacity} ${getComputedStyle(button).backgroundColor}`)).toBe('1 rgb(28, 100, 168)')
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'api-docs-try-it-out')
  expect(problems).toEqual([])
})
