/// <reference lib="dom" />
// Drives Debian's Chromium with playwright-core against the real app listening on 127.0.0.1.
// Screenshots go to test/artifacts/ (git-ignored) so a person can look at them after a run.
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { chromium, type Browser, type Page } from 'playwright-core'
import { buildApp, type AppOptions } from '../../server/app.js'
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js'
import { testConfig } from '../helpers/app.js'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts')

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']

export interface Running {
  app: FastifyInstance
  database: TestDatabase
  baseUrl: string
  browser: Browser
  close(): Promise<void>
}

/** Starts the app (with `options`, e.g. a kiosk's shorter delays) on a free port, and Chromium. */
export async function startAppAndBrowser(options: Pick<AppOptions, 'kiosk'> = {}): Promise<Running> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set CHROMIUM_PATH)`)
  mkdirSync(ARTIFACTS, { recursive: true })
  const database = await createTestDatabase('pglite')
  const probe = await buildApp({ config: testConfig(), db: database.db, logger: false })
  await probe.listen({ host: '127.0.0.1', port: 0 })
  const { port } = probe.server.address() as { port: number }
  await probe.close()
  // The public URL must be the real address, so build the app again for that port.
  const config = testConfig({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, CHROMIUM_PATH: CHROMIUM })
  const app = await buildApp({ ...options, config, db: database.db, logger: false })
  await app.listen({ host: '127.0.0.1', port })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS })
  return {
    app, database, browser, baseUrl: config.publicUrl,
    async close() {
      await browser.close()
      await app.close()
      await database.drop()
    },
  }
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** Runs axe-core on the page and returns the serious and critical violations. */
export async function seriousViolations(page: Page) {
  await page.evaluate(axeSource)
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })
  })
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })
}

/** The viewport width the context asked for. On a phone (isMobile) this is the width to measure against,
 * not window.innerWidth: Chromium widens the layout viewport, and innerWidth with it, to fit whatever
 * overflows, so a check against innerWidth can never fail there. */
export const viewportWidth = (page: Page) => page.viewportSize()!.width

/** Sideways scrolling past the viewport width asked for, with what causes it, or undefined if the page fits. */
export async function sidewaysScrolling(page: Page): Promise<string | undefined> {
  const width = viewportWidth(page)
  const overflow = await page.evaluate(() => Math.max(document.documentElement.scrollWidth, window.innerWidth)) - width
  return overflow > 0 ? `${overflow} px of sideways scrolling at ${width} px, from ${await widerThan(page, width)}` : undefined
}

/** What sticks out past the right edge: outside any scrolling box, or positioned out of one. */
const widerThan = (page: Page, width: number) => page.evaluate((width) => {
  const scrolled = (e: Element | null): boolean => e !== null && e !== document.body && (getComputedStyle(e).overflowX !== 'visible' || scrolled(e.parentElement))
  return Array.from(document.querySelectorAll('body *'))
    .filter((e) => e.getBoundingClientRect().right > width + 0.5 && (['absolute', 'fixed'].includes(getComputedStyle(e).position) || !scrolled(e.parentElement)))
    .slice(0, 3).map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : ''}`)
    .join(', ') || 'nothing found'
}, width)

/** Signs in on the sign-in page with an email and password, and waits for the waves list. */
export async function signInWithPassword(page: Page, baseUrl: string, email: string, password: string) {
  await page.goto(`${baseUrl}/login`)
  await page.fill('#email', email)
  await page.fill('#password', password)
  await page.click('main button[type=submit]')
  await page.waitForURL('**/waves')
}
