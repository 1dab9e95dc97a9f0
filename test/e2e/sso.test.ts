/// <reference lib="dom" />
// Single sign-on in Chromium: an owner sets it up on /settings/sso, then a colleague clicks "Sign in
// with single sign-on" on the sign-in page, signs in on a real OIDC provider's (development) login
// page, and lands on /waves signed in, with an account made at that first sign-in.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../server/app.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js'
import { testConfig } from '../helpers/app.js'
import { startOidcProvider, type TestProvider } from '../helpers/oidc.js'
import { CHROMIUM, screenshot, seriousViolations, sidewaysScrolling } from './browser.js'

const OWNER = 'sso-owner@example.com'
const PASSWORD = 'a perfectly long password'

let database: TestDatabase
let app: FastifyInstance
let browser: Browser
let provider: TestProvider
let baseUrl: string
let organizationId: string

beforeAll(async () => {
  database = await createTestDatabase('pglite')
  // The public URL must be the real address: find a free port, then build the app for it.
  const probe = await buildApp({ config: testConfig(), db: database.db, logger: false, mail: { worker: false } })
  await probe.listen({ host: '127.0.0.1', port: 0 })
  const { port } = probe.server.address() as { port: number }
  await probe.close()
  const config = testConfig({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, OIDC_ALLOW_INSECURE_LOOPBACK: 'true' })
  baseUrl = config.publicUrl
  app = await buildApp({ config, db: database.db, logger: false })
  await app.listen({ host: '127.0.0.1', port })
  ;({ organizationId } = await createOrganizationWithOwner(database.db, { name: 'Harbour & Co', email: OWNER, password: PASSWORD, ownerName: 'Olivia Owner' }))
  provider = await startOidcProvider({ redirectUris: [`${baseUrl}/auth/oidc/${organizationId}/callback`] })
  provider.accounts.set('sam', { email: 'sam@harbour.test', name: 'Sam Staff' })
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic'] })
})
afterAll(async () => {
  await browser?.close()
  await provider?.close()
  await app?.close()
  await database?.drop()
})

async function fillSettings(page: Page) {
  await page.check('#enabled')
  await page.fill('#issuer', provider.issuer)
  await page.fill('#clientId', provider.clientId)
  await page.fill('#clientSecret', provider.clientSecret)
  await page.check('#signInMode-domains')
  await page.fill('#allowedDomains', 'harbour.test')
  await page.selectOption('#defaultRole', 'analyst')
}

it('lets the owner set up single sign-on and test it', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  await page.goto(`${baseUrl}/login`)
  await page.fill('#email', OWNER)
  await page.fill('#password', PASSWORD)
  await page.click('main button.primary')
  await page.waitForURL('**/waves')
  await page.goto(`${baseUrl}/settings`)
  await page.click('text=Single sign-on (OpenID Connect)')
  await page.waitForURL('**/settings/sso')
  expect(await page.locator('#redirect-uri').textContent()).toBe(`${baseUrl}/auth/oidc/${organizationId}/callback`)
  await fillSettings(page)
  await page.fill('#issuer', 'not a url')
  await page.click('button:has-text("Save single sign-on")')
  await expect.poll(() => page.locator('#issuer-error').count()).toBe(1)
  expect(await page.inputValue('#clientId')).toBe(provider.clientId)
  expect(await page.inputValue('#clientSecret')).toBe('')
  await fillSettings(page)
  await page.click('button:has-text("Save single sign-on")')
  await page.waitForURL('**/settings/sso?saved')
  await page.click('button:has-text("Test configuration")')
  await page.waitForURL('**/settings/sso/test')
  expect(await page.locator('.notice').first().textContent()).toContain('The provider answered')
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'sso-settings')
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, storageState: await context.storageState() })
  const mobile = await phone.newPage()
  await mobile.goto(`${baseUrl}/settings/sso`)
  expect(await sidewaysScrolling(mobile)).toBeUndefined()
  await screenshot(mobile, 'sso-settings-phone')
  await phone.close()
  await context.close()
})

it('signs a colleague in through the provider\'s login page and lands on /waves', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  await page.goto(`${baseUrl}/login`)
  await page.fill('#email', 'sam@harbour.test')
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'sso-login')
  await page.click('text=Sign in with single sign-on')
  // The provider's development login page, on its own address.
  await page.waitForURL((url) => url.origin === new URL(provider.issuer).origin)
  expect(await page.inputValue('input[name=login]')).toBe('sam@harbour.test')
  await page.fill('input[name=login]', 'sam')
  await page.fill('input[name=password]', 'whatever the provider asks')
  await page.click('button[type=submit]')
  await page.waitForURL(`${baseUrl}/waves`)
  expect(await page.locator('.who').textContent()).toContain('sam@harbour.test')
  expect(await page.locator('.who').textContent()).toContain('analyst')
  await context.close()
})

it('shows the single sign-on form and a readable failure page', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true })
  const page = await context.newPage()
  await page.goto(`${baseUrl}/auth/oidc`)
  await page.fill('#email', 'nobody@elsewhere.test')
  await page.click('main button.primary')
  await expect.poll(() => page.locator('#email-error').count()).toBe(1)
  expect(await seriousViolations(page)).toEqual([])
  expect(await sidewaysScrolling(page)).toBeUndefined()
  const response = await page.goto(`${baseUrl}/auth/oidc/${organizationId}/callback?state=aaaaaaaaaaaaaaaaaaaaaaaa&code=x`)
  expect(response?.status()).toBe(400)
  expect(await page.locator('[role=alert]').textContent()).toContain('already been used or is unknown')
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'sso-failed-phone')
  await context.close()
})
