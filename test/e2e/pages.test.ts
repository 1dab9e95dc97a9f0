/// <reference lib="dom" />
// Every page of the app in a real browser, found from the app's own route table so that a page added
// later is visited without editing this file: signed in as the owner of an organization with real
// data (units, two waves with responses, contacts, invitations in the outbox, uploads waiting for
// their preview), and signed out for the public pages. Each page must answer 200 with HTML, have no
// serious or critical axe-core findings, and fit a 360 px phone without sideways scrolling. A route
// whose path parameter has no fixture, or that answers with something other than a page, fails the
// test by name. The data goes in through the admin pages a person would use, the API, and the mail
// worker writing to the outbox.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { addUser, createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { createInstrument } from '../../server/repositories/instruments.js'
import type { RouteAccess } from '../../server/plugins/auth.js'
import { resetLinkFor } from '../../server/services/passwords.js'
import { screenshot, seriousViolations, sidewaysScrolling, signInWithPassword, startAppAndBrowser, type Running } from './browser.js'

const EMAIL = 'pages-owner@example.com'
const PASSWORD = 'a perfectly long password'
const ITEMS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const UNITS = ['Harbour Street', 'North Quay']

interface Fixtures {
  waveId: string
  linkId: string
  /** A response CSV uploaded to the wave, waiting for its preview to be confirmed. */
  importId: string
  /** A contacts CSV uploaded, waiting for its preview to be confirmed. */
  contactUpload: string
  /** The wave's public customer link. */
  surveyToken: string
  /** From an invitation's footer in the outbox. */
  unsubscribeToken: string
  /** An imported contact (its deletion's confirmation page). */
  contactId: string
  /** A password reset link's token (made as the admin command makes one). */
  resetToken: string
  /** From a colleague invitation in the outbox. */
  joinToken: string
  /** A webhook added on its settings page. */
  webhookId: string
  /** A unit (its plans page). */
  unitId: string
  /** An action plan made through the API (its edit and delete pages). */
  planId: string
  /** An own instrument (its editor, preview and delete pages). */
  instrumentId: string
  /** A kiosk made on its admin page for a unit's customer link. */
  kioskToken: string
}

/** Where each path parameter takes its value from, by the path segment in front of it (as in test/routes/access.test.ts). */
const FIXTURE_FOR_SEGMENT: Record<string, keyof Fixtures> = {
  waves: 'waveId', links: 'linkId', import: 'importId', s: 'surveyToken', u: 'unsubscribeToken', contacts: 'contactId', 'reset-password': 'resetToken', join: 'joinToken', webhooks: 'webhookId',
  units: 'unitId', plans: 'planId', instruments: 'instrumentId', k: 'kioskToken',
}
/** Pages that show nothing without a query string. */
const QUERY_FOR_ROUTE: Record<string, (f: Fixtures) => string> = {
  '/contacts/import/preview': (f) => `?upload=${f.contactUpload}`,
}
/** GET routes outside /api that are not pages, and why. */
const NOT_PAGES: Record<string, string> = {
  '/waves/:id/delivery': 'JSON the operations tab polls for its delivery counts',
  '/contacts/export': 'a JSON download of what is held about an address',
  '/auth/oidc/:org': 'starts single sign-on: a redirect to the identity provider (test/e2e/sso.test.ts)',
  '/auth/oidc/:org/callback': 'the identity provider\'s return, never opened by hand (test/e2e/sso.test.ts)',
  '/brand/logo/:file': 'an organization\'s logo image (test/e2e/branding.test.ts)',
  '/brand/accent/:file': 'the stylesheet of an accent colour (test/e2e/branding.test.ts)',
}
/** Pages that send the browser on, and where to. Any other redirect fails. */
const REDIRECTS = {
  owner: { '/': '/waves', '/setup': '/waves', '/login': '/waves' } as Record<string, string>,
  anonymous: { '/setup': '/login' } as Record<string, string>,
}
/** Pages with tables and long text, kept as phone screenshots for a person to look at. */
const SCREENSHOTS = ['/settings/people', '/contacts', '/contacts/import/preview', '/waves/:id/import/:importId', '/outbox']
/** Downloads, assets, the API and the health check are not pages. */
const isPage = (route: RouteAccess) => route.method === 'GET' && !/^\/(api|public|vendor)\/|^\/health$|\*|\.[a-z]+$/.test(route.url) && !(route.url in NOT_PAGES)

function fillPath(url: string, fixtures: Fixtures): string {
  const segments = url.split('/')
  const path = segments.map((segment, i) => {
    if (!segment.startsWith(':')) return segment
    const key = FIXTURE_FOR_SEGMENT[segments[i - 1] ?? '']
    if (!key) throw new Error(`No fixture for parameter ${segment} in ${url}: add one to FIXTURE_FOR_SEGMENT in test/e2e/pages.test.ts`)
    return fixtures[key]
  }).join('/')
  return path + (QUERY_FOR_ROUTE[url]?.(fixtures) ?? '')
}

let run: Running
let desktop: BrowserContext
let page: Page
const fixtures = {} as Fixtures
const problems: string[] = []

async function api<T>(token: string, url: string, payload: unknown): Promise<T> {
  const response = await run.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, payload: payload as object })
  if (response.statusCode >= 300) throw new Error(`POST ${url}: ${response.statusCode} ${response.body}`)
  return response.json() as T
}

/** Responses with attributes and comments, so the dashboard shows its filters, comments and every chart. */
function responses(count: number, shift: number) {
  return Array.from({ length: count }, (_, i) => {
    const side = i % 3 === 0 ? 'staff' : 'customer'
    const answers = Object.fromEntries(ITEMS.map((key, j) => [key, (i * 7 + j * shift) % 11 === 0 ? null : ((i + j + shift) % 5) + 1]))
    const attributes = side === 'customer' ? { tier: i % 4 === 0 ? 'gold' : 'standard' } : {}
    return { side, unit: UNITS[i % 2], attributes, answers, ...(i % 6 === 1 ? { comment: `Comment number ${i}: the queue was long.` } : {}) }
  })
}

/** A page that records console errors, uncaught exceptions and what it failed to load. */
async function watchedPage(context: BrowserContext) {
  const p = await context.newPage()
  p.on('console', (message) => { if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`${p.url()} console: ${message.text()}`) })
  // Includes the browser's own request for /favicon.ico on pages that name no icon: it is redirected to ours.
  p.on('response', (response) => {
    if (response.status() >= 400 && response.request().resourceType() !== 'document') problems.push(`${p.url()} loads ${response.url()}: ${response.status()}`)
  })
  p.on('pageerror', (error) => problems.push(`${p.url()} page error: ${error.message}`))
  return p
}

async function upload(p: Page, form: string, name: string, csv: string) {
  await p.goto(run.baseUrl + form)
  await p.setInputFiles('#file', { name, mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await p.click('main button:has-text("Upload and preview")')
  await p.waitForURL((url) => url.pathname !== form)
}

/** One page visited in a context: what went wrong with it, if anything. */
async function check(p: Page, route: string, expectedRedirects: Record<string, string>, axe: boolean): Promise<string[]> {
  const path = fillPath(route, fixtures)
  const response = await p.goto(run.baseUrl + path)
  const found: string[] = []
  const status = response?.status()
  const type = response?.headers()['content-type'] ?? ''
  const landed = new URL(p.url()).pathname
  const expected = expectedRedirects[route] ?? path.split('?')[0]
  if (status !== 200) found.push(`${route}: status ${status}`)
  if (!type.startsWith('text/html')) found.push(`${route}: answered ${type}; if it is not a page, add it to NOT_PAGES`)
  if (landed !== expected) found.push(`${route}: ended at ${landed}, not ${expected}; give it a fixture, or list the redirect in REDIRECTS`)
  if (found.length > 0) return found
  if (axe) found.push(...(await seriousViolations(p)).map((violation) => `${route}: ${violation}`))
  const scrolling = await sidewaysScrolling(p)
  if (scrolling) found.push(`${route}: ${scrolling}`)
  return found
}

const pageRoutes = (anonymous: boolean) => run.app.accessTable().filter((route) => isPage(route) && (!anonymous || route.access === 'public')).map((route) => route.url)

beforeAll(async () => {
  run = await startAppAndBrowser()
  const { organizationId } = await createOrganizationWithOwner(run.database.db, { name: 'Harbour & Co', email: EMAIL, password: PASSWORD, ownerName: 'Olivia Owner' })
  await addUser(run.database.db, organizationId, { email: 'viewer@example.com', name: 'Victor Viewer', role: 'viewer', password: PASSWORD })
  const token = (await run.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: EMAIL, password: PASSWORD } })).json().token as string
  const units: Array<{ id: string }> = []
  for (const name of UNITS) units.push(await api<{ id: string }>(token, '/units', { name }))
  fixtures.unitId = units[0]!.id
  const before = await api<{ id: string }>(token, '/waves', { name: '2026-Q3', templateKey: 'service-gap-index', locales: ['en', 'es'] })
  await api(token, `/waves/${before.id}/responses`, responses(60, 2))
  fixtures.waveId = (await api<{ id: string }>(token, '/waves', { name: '2026-Q4', templateKey: 'service-gap-index', locales: ['en', 'es'], unitLinks: true })).id
  await api(token, `/waves/${fixtures.waveId}/responses`, responses(90, 3))
  fixtures.planId = (await api<{ id: string }>(token, '/plans', { waveId: fixtures.waveId, unitId: fixtures.unitId, itemKey: 'trust', owner: 'Olivia Owner', change: 'Say what a repair costs before starting it' })).id
  fixtures.instrumentId = await createInstrument(run.database.db, organizationId, { ...SERVICE_GAP_INDEX_V1, key: 'harbour-survey', name: 'Harbour survey' })
  const reset = await resetLinkFor(run.database.db, 'viewer@example.com', { secret: run.app.config.signingSecret, publicUrl: run.baseUrl, resetPath: '/reset-password' })
  fixtures.resetToken = reset!.split('/').at(-1)!
  desktop = await run.browser.newContext({ viewport: { width: 1280, height: 900 } })
  page = await watchedPage(desktop)
})
afterAll(async () => run?.close())
beforeEach(() => { problems.length = 0 })

it('prepares the rest through the admin pages: contacts imported, invitations sent to the outbox, two uploads waiting', async () => {
  await signInWithPassword(page, run.baseUrl, EMAIL, PASSWORD)

  // Contacts: one file imported (its result page is only ever the answer to a form), one left at its preview.
  const contacts = ['email,name,side,unit,locale,tier', 'ana@example.com,Ana Pérez,customer,North Quay,es,gold', 'ben@example.com,Ben Okafor,staff,Harbour Street,,', 'cy@example.com,Cy,customer,,en,standard', 'not-an-email,Broken,customer,,,'].join('\n')
  await upload(page, '/contacts/import', 'contacts.csv', contacts)
  expect(new URL(page.url()).pathname).toBe('/contacts/import/preview')
  await page.click('main button:has-text("Import 3 contacts")')
  await page.locator('h1').waitFor()
  expect(await page.locator('main').innerText()).toContain('Import result')
  expect(await seriousViolations(page), 'contact import result').toEqual([])
  await screenshot(page, 'pages-contacts-import-result')
  await upload(page, '/contacts/import', 'more contacts.csv', contacts.replace('ana@', 'dora@').replace('Broken', 'Still broken'))
  fixtures.contactUpload = new URL(page.url()).searchParams.get('upload')!
  fixtures.contactId = (await run.database.db.selectFrom('contacts').select('id').where('email', '=', 'cy@example.com').executeTakeFirstOrThrow()).id
  expect(fixtures.contactUpload).toBeTruthy()

  // The wave's operations tab: its links, and the invitations, which the mail worker writes to the outbox.
  await page.goto(`${run.baseUrl}/waves/${fixtures.waveId}/operations`)
  fixtures.linkId = (await page.locator('.link-card a[href*="/print"]').first().getAttribute('href'))!.split('/')[4]!
  fixtures.surveyToken = new URL(await page.locator('.link-card input.link-url').last().inputValue()).pathname.split('/')[2]!
  // A kiosk for the first unit's customer link, made on its own page from the operations tab.
  await page.click('main a:has-text("Make a kiosk link for")')
  await page.click('main button:has-text("Make a kiosk link for")')
  await page.waitForURL(/\/kiosk\?saved/)
  fixtures.kioskToken = new URL(await page.locator('#kiosk-url').inputValue()).pathname.split('/')[2]!
  await page.goto(`${run.baseUrl}/waves/${fixtures.waveId}/operations`)
  await page.click('main button:has-text("Invite everyone not yet invited")')
  await page.waitForURL(/invited=3/)
  // The app's own mail worker sends them (server/mail/plugin.ts), as it does under npm start.
  const outboxed = async () => (await run.database.db.selectFrom('outbox_messages').select('id').execute()).length
  await expect.poll(outboxed, { timeout: 10_000 }).toBe(3)
  await page.goto(`${run.baseUrl}/outbox`)
  const mail = await page.locator('pre.outbox-text').first().innerText()
  fixtures.unsubscribeToken = mail.match(/\/u\/([\w.-]+)/)![1]!

  // A colleague invited from the people page, whose join link the outbox holds.
  await page.goto(`${run.baseUrl}/settings/people`)
  await page.fill('#email', 'new.colleague@example.com')
  await page.check('#role-viewer')
  await page.click('main button:has-text("Send invitation")')
  await page.waitForURL(/done=invited/)
  await expect.poll(outboxed, { timeout: 10_000 }).toBe(4)
  await page.goto(`${run.baseUrl}/outbox`)
  fixtures.joinToken = (await page.locator('pre.outbox-text').first().innerText()).match(/\/join\/([\w-]+)/)![1]!

  // A webhook added on its settings page; its secret shows once, on the page that answers the form.
  await page.goto(`${run.baseUrl}/settings/webhooks`)
  await page.fill('#url', 'https://hooks.example.com/service-gap')
  await page.check('#event-wave_closed')
  await page.click('main button:has-text("Add webhook")')
  await page.locator('#new-secret').waitFor()
  expect(await seriousViolations(page), 'webhook added, secret shown').toEqual([])
  fixtures.webhookId = (await page.locator('main a[href^="/settings/webhooks/"]').first().getAttribute('href'))!.split('/')[3]!
  // A test event, so that the webhook's page has a delivery log to show.
  await page.goto(`${run.baseUrl}/settings/webhooks/${fixtures.webhookId}`)
  await page.click('main button:has-text("Send a test event")')
  await page.waitForURL(/tested/)

  // A response file for the wave, left at its preview.
  const header = ['side', 'unit', ...ITEMS, 'comment'].join(',')
  const rows = [0, 1, 2].map((i) => [i ? 'customer' : 'staff', UNITS[i % 2], ...ITEMS.map((_, j) => ((i + j) % 5) + 1), i === 2 ? 'From the paper forms' : ''].join(','))
  await upload(page, `/waves/${fixtures.waveId}/import`, 'paper forms.csv', [header, ...rows].join('\n'))
  fixtures.importId = new URL(page.url()).pathname.split('/')[4]!
  expect(Object.values(fixtures).every(Boolean), JSON.stringify(fixtures)).toBe(true)
  expect(problems).toEqual([])
})

it('finds every page in the route table, each with a value for every parameter', () => {
  const routes = pageRoutes(false)
  console.log(`${routes.length} pages: ${routes.join(', ')}`)
  expect(routes.length).toBeGreaterThanOrEqual(18)
  for (const route of routes) expect(() => fillPath(route, fixtures), route).not.toThrow()
  // The routes this file leaves out on purpose still exist, or their entries would hide a new route.
  for (const route of Object.keys({ ...NOT_PAGES, ...QUERY_FOR_ROUTE, ...REDIRECTS.owner })) {
    expect(run.app.accessTable().some((r) => r.url === route), `${route} is listed here but is no longer a route`).toBe(true)
  }
})

it('shows every page to the owner with status 200, and axe-core finds nothing serious or critical', { timeout: 120_000 }, async () => {
  const found: string[] = []
  for (const route of pageRoutes(false)) found.push(...(await check(page, route, REDIRECTS.owner, true)))
  expect(found).toEqual([])
  expect(problems).toEqual([])
})

it('fits every page on a 360 px phone without sideways scrolling', { timeout: 120_000 }, async () => {
  const phone = await run.browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, storageState: await desktop.storageState() })
  const mobile = await watchedPage(phone)
  const found: string[] = []
  for (const route of pageRoutes(false)) {
    found.push(...(await check(mobile, route, REDIRECTS.owner, false)))
    if (SCREENSHOTS.includes(route)) await screenshot(mobile, `pages-phone${route.replace(/[/:]+/g, '-')}`)
  }
  expect(found).toEqual([])
  expect(problems).toEqual([])
  await phone.close()
})

it('shows the public pages to someone signed out, on a phone and a desktop', async () => {
  const found: string[] = []
  for (const options of [{ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true }, { viewport: { width: 1280, height: 900 } }]) {
    const context = await run.browser.newContext(options)
    const anonymous = await watchedPage(context)
    for (const route of pageRoutes(true)) found.push(...(await check(anonymous, route, REDIRECTS.anonymous, true)))
    await context.close()
  }
  expect(pageRoutes(true)).toEqual(expect.arrayContaining(['/login', '/setup', '/s/:token', '/u/:token']))
  expect(found).toEqual([])
  expect(problems).toEqual([])
})

it('answers an unknown page and another organization\'s wave with a clean 404 page', async () => {
  for (const path of ['/no-such-page', '/waves/00000000-0000-4000-8000-000000000000']) {
    const response = await page.goto(run.baseUrl + path)
    expect(response?.status(), path).toBe(404)
    expect(await seriousViolations(page), path).toEqual([])
  }
  await screenshot(page, 'pages-not-found')
})
