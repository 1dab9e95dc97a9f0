/// <reference lib="dom" />
// The board pack as the server makes it: GET /waves/:id/pack.pdf, downloaded by a signed-in owner,
// read back with poppler (pdfinfo, pdftotext, pdftoppm): A4 pages, a cover naming the organization,
// the wave and the filter, a page footer "page N of M", the report's sections and none of the
// screen's controls. Every page is rendered to PNG (test/artifacts/pack-*.png) to be looked at, and so
// is the browser's own print emulation of the page. Also the printer's lifetime: one render at a time,
// a timeout, and the browser closed when idle. Needs Chromium (/usr/bin/chromium) and poppler-utils.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { PackPdfError, PackPrinter } from '../../server/services/pack-pdf.js'
import { ARTIFACTS, CHROMIUM, screenshot, seriousViolations, signInWithPassword, startAppAndBrowser, type Running } from './browser.js'

const ORG = 'Northwind & Rail'
const EMAIL = 'pack-owner@example.com'
const PASSWORD = 'a perfectly long password'
const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const UNITS = ['Harbour Street', 'Riverside', 'Station Road', 'Kiosk']

/** Share of each side that agrees, per item, in the current wave; the earlier one differs on the headline only. */
const NOW: Record<string, [staff: number, customer: number]> = {
  excellent_service: [0.8, 0.08], want_to_help: [0.9, 0.4], valued: [0.75, 0.3], can_solve: [0.7, 0.45],
  easy: [0.6, 0.2], promises: [0.8, 0.35], individual: [0.75, 0.2], anticipates: [0.55, 0.15],
  trust: [0.82, 0.8], fit: [0.6, 0.58], asks: [0.3, 0.28], supported: [0.3, 0.7],
}
const BEFORE = { ...NOW, excellent_service: [0.78, 0.3] as [number, number] }
const COMMENTS = {
  staff: ['We are too few on Saturdays; customers wait and we rush.', 'Let us refund small amounts without asking a manager.'],
  customer: ['I had to explain my problem three times to three different people.', 'Delivery was late again and nobody told me.'],
}

/** 120 staff (40 / 40 / 37 / 3 over the units) and 240 customers (80 / 80 / 80 / 0). */
function responses(targets: Record<string, [number, number]>, withComments: boolean) {
  const rows = []
  for (const side of ['staff', 'customer'] as const) {
    const n = side === 'staff' ? 120 : 240
    for (let i = 0; i < n; i++) {
      const answers: Record<string, number> = {}
      KEYS.forEach((key, j) => {
        const agrees = ((i + (side === 'staff' ? 7 : 23) * j) % n) < targets[key]![side === 'staff' ? 0 : 1] * n
        answers[key] = agrees ? (i % 2 ? 5 : 4) : (i % 3) + 1
      })
      const unit = side === 'staff' ? UNITS[i < 40 ? 0 : i < 80 ? 1 : i < 117 ? 2 : 3] : UNITS[Math.floor(i / 80)]
      const pool = COMMENTS[side]
      const comment = withComments && i % 9 === 0 ? pool[(i / 9) % pool.length] : undefined
      rows.push({ side, unit, attributes: side === 'customer' ? { tier: i % 3 ? 'standard' : 'gold' } : {}, answers, ...(comment ? { comment } : {}) })
    }
  }
  return rows
}

let run: Running
let waveId: string
let context: BrowserContext
let page: Page

async function api<T>(token: string, method: 'GET' | 'POST', url: string, payload?: unknown): Promise<T> {
  const response = await run.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload: payload as object } : {}) })
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`)
  return response.json() as T
}

/** Downloads the pack as the signed-in browser (its cookies), keeps it in test/artifacts and returns its path. */
async function downloadPack(query: string, name: string) {
  const response = await context.request.get(`${run.baseUrl}/waves/${waveId}/pack.pdf${query}`)
  expect(response.status(), await response.text().catch(() => '')).toBe(200)
  expect(response.headers()['content-type']).toBe('application/pdf')
  expect(response.headers()['content-disposition']).toMatch(/^attachment; filename="2026-Q4-board-pack\.pdf"$/)
  const body = await response.body()
  expect(body.subarray(0, 5).toString('latin1')).toBe('%PDF-')
  const file = join(ARTIFACTS, `${name}.pdf`)
  writeFileSync(file, body)
  return file
}

const pdfinfo = (file: string, ...args: string[]) => execFileSync('pdfinfo', [...args, file], { encoding: 'utf8' })
const pageCount = (file: string) => Number(/^Pages:\s+(\d+)$/m.exec(pdfinfo(file))![1])
/** The text of each page (pdftotext separates pages with a form feed), white space collapsed. */
const pagesText = (file: string) => execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })
  .split('\f').slice(0, pageCount(file)).map((text) => text.replace(/\s+/g, ' ').trim())

/** Renders every page at 50 dpi into test/artifacts/<name>-N.png (to be looked at) and returns the files. */
function pagesAsPng(file: string, name: string) {
  for (const old of readdirSync(ARTIFACTS).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png'))) rmSync(join(ARTIFACTS, old))
  execFileSync('pdftoppm', ['-r', '50', '-png', file, join(ARTIFACTS, name)])
  return readdirSync(ARTIFACTS).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png')).sort()
}

/**
 * How far down each page its content reaches, as a share of the page's body (between the header and
 * footer margins, 16 mm and 282 mm of 297 mm), read from a 20 dpi grey rendering (PGM, no decoder needed).
 */
function pageFill(file: string) {
  const prefix = join(ARTIFACTS, 'fill')
  for (const old of readdirSync(ARTIFACTS).filter((f) => f.startsWith('fill-'))) rmSync(join(ARTIFACTS, old))
  execFileSync('pdftoppm', ['-r', '20', '-gray', file, prefix])
  return readdirSync(ARTIFACTS).filter((f) => f.startsWith('fill-')).sort().map((name) => {
    const data = readFileSync(join(ARTIFACTS, name))
    const [, width, height] = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(data.subarray(0, 32).toString('latin1'))!.map(Number) as [number, number, number]
    const pixels = data.subarray(data.length - width * height)
    const top = Math.ceil((16 / 297) * height)
    const bottom = Math.floor((282 / 297) * height)
    let last = top
    for (let y = top; y < bottom; y++) {
      for (let x = 0; x < width; x++) if (pixels[y * width + x]! < 200) { last = y; break }
    }
    return (last - top) / (bottom - top)
  })
}

beforeAll(async () => {
  run = await startAppAndBrowser()
  await createOrganizationWithOwner(run.database.db, { name: ORG, email: EMAIL, password: PASSWORD })
  const token = (await run.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: EMAIL, password: PASSWORD } })).json().token as string
  for (const name of UNITS) await api(token, 'POST', '/units', { name })
  const before = await api<{ id: string }>(token, 'POST', '/waves', { name: '2026-Q3', templateKey: 'service-gap-index' })
  await api(token, 'POST', `/waves/${before.id}/responses`, responses(BEFORE, false))
  waveId = (await api<{ id: string }>(token, 'POST', '/waves', { name: '2026-Q4', templateKey: 'service-gap-index', unitLinks: true })).id
  await api(token, 'POST', `/waves/${waveId}/responses`, responses(NOW, true))
  context = await run.browser.newContext({ viewport: { width: 1366, height: 900 } })
  page = await context.newPage()
  await signInWithPassword(page, run.baseUrl, EMAIL, PASSWORD)
})
afterAll(async () => run?.close())

it('offers the PDF beside the print button, and the link names the filters of the page', async () => {
  await page.goto(`${run.baseUrl}/waves/${waveId}?unit=Riverside`)
  const link = page.locator('.report-actions a', { hasText: 'Board pack (PDF)' })
  expect(await link.getAttribute('href')).toBe(`/waves/${waveId}/pack.pdf?unit=Riverside`)
  expect(await page.locator('.report-actions button.print').isVisible()).toBe(true)
  // The cover is for paper only.
  expect(await page.locator('.pack-cover').isVisible()).toBe(false)
  expect(await seriousViolations(page)).toEqual([])
})

it('makes an A4 pack of the whole wave: cover, summary, sections, page footers and no screen controls', async () => {
  const file = await downloadPack('', 'pack-whole')
  const pages = pageCount(file)
  // Cover, one-page summary, then items, dimensions, units, trend, analytics and comments.
  expect(pages).toBeGreaterThanOrEqual(5)
  expect(pages).toBeLessThanOrEqual(14)
  const sizes = [...pdfinfo(file, '-f', '1', '-l', String(pages)).matchAll(/^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/gm)].map((m) => [Number(m[1]), Number(m[2])])
  expect(sizes).toHaveLength(pages)
  // A4 is 595.28 × 841.89 points.
  for (const [width, height] of sizes) {
    expect(Math.abs(width! - 595.28)).toBeLessThan(1)
    expect(Math.abs(height! - 841.89)).toBeLessThan(1)
  }
  const text = pagesText(file)
  const [cover, summary] = text
  expect(cover).toContain(ORG)
  expect(cover).toContain('2026-Q4')
  expect(cover).toContain('The whole wave')
  expect(cover).toMatch(/Printed \d{1,2} \w{3} \d{4}/i)
  // The cover has no page header; every other page names the organization and the wave.
  expect(cover).not.toContain(`${ORG} · 2026-Q4`)
  text.forEach((t, i) => {
    expect(t, `page ${i + 1}`).toContain(`page ${i + 1} of ${pages}`)
    if (i > 0) expect(t, `page ${i + 1}`).toContain(`${ORG} · 2026-Q4`)
  })
  // The summary is the page after the cover: the headline's 80% of staff against 8% of customers.
  expect(summary).toMatch(/80%/)
  expect(summary).toMatch(/\b8%/)
  const all = text.join('\n')
  for (const heading of ['Item by item', 'Dimensions', 'Gaps by unit', 'Fix first', "What drives customers' verdict", 'Do staff know their customers?', 'In their own words']) {
    expect(all, heading).toContain(heading)
  }
  expect(all).toContain('Delivery was late again')
  // The statistics behind a click on screen are printed open.
  expect(all).toContain('Fix-first ranking, largest index first')
  for (const chrome of ['Apply', 'Clear filters', 'Survey links', 'Links per unit', 'Board pack (PDF)', 'Print…', 'Sign out', 'Invitations', 'Import responses']) {
    expect(all, chrome).not.toContain(chrome)
  }
  expect(pagesAsPng(file, 'pack-whole')).toHaveLength(pages)
  // No half-empty pages: only the cover and the summary end with a page break, and the last page ends
  // where the report does; every other page is filled at least two thirds of the way down.
  const fill = pageFill(file)
  expect(fill).toHaveLength(pages)
  const short = fill.map((share, i) => ({ page: i + 1, share: Math.round(share * 100) })).filter(({ page, share }) => page > 2 && page < pages && share < 66)
  expect(short).toEqual([])
})

it('honours the filters in the address: the cover names the unit', async () => {
  const file = await downloadPack('?unit=Riverside&customer.tier=standard', 'pack-riverside')
  const [cover] = pagesText(file)
  expect(cover).toContain('Filtered to unit Riverside · customers with tier standard')
  expect(pagesAsPng(file, 'pack-riverside').length).toBe(pageCount(file))
})

it('looks the same when the browser prints the page itself (print emulation)', async () => {
  await page.goto(`${run.baseUrl}/waves/${waveId}`)
  await page.emulateMedia({ media: 'print' })
  await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')))
  expect(await page.locator('.pack-cover').isVisible()).toBe(true)
  for (const selector of ['header.top', 'form.filters', '.report-actions', '#links-section', '.page-head']) expect(await page.locator(selector).first().isVisible(), selector).toBe(false)
  // Every section's details open for paper; the answers' spread per item stays on screen only.
  expect(await page.locator('[data-block="spread"]').isVisible()).toBe(false)
  expect(await page.locator('main details:not([open]):not(.spread)').count()).toBe(0)
  await screenshot(page, 'pack-print-emulation')
  // The browser's own PDF of the page, as Print → Save as PDF makes it.
  const own = join(ARTIFACTS, 'pack-browser-print.pdf')
  writeFileSync(own, await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true }))
  expect(pagesText(own)[0]).toContain(ORG)
  await page.emulateMedia({ media: 'screen' })
})

it('prints one pack at a time, gives up after its timeout and closes the browser when idle', async () => {
  const printer = new PackPrinter({ executablePath: CHROMIUM, idleCloseMs: 300 })
  const html = (n: number) => `<!doctype html><title>t</title><p>pack ${n}</p><img src="/elsewhere.png"><script src="https://example.com/x.js"></script>`
  const asked: string[] = []
  const assets = async (url: URL) => { asked.push(url.pathname); return null }
  const url = new URL('http://pack.test/waves/x')
  const [a, b] = await Promise.all([printer.print(html(1), url, assets), printer.print(html(2), url, assets)])
  expect(a.subarray(0, 5).toString('latin1')).toBe('%PDF-')
  expect(b.subarray(0, 5).toString('latin1')).toBe('%PDF-')
  // Only same-origin files are asked of the app; the other address is refused without asking.
  expect(asked).toEqual(['/elsewhere.png', '/elsewhere.png'])
  expect(printer.running).toBe(true)
  await new Promise((done) => setTimeout(done, 1500))
  expect(printer.running).toBe(false)
  const hasty = new PackPrinter({ executablePath: CHROMIUM, timeoutMs: 1 })
  await expect(hasty.print(html(3), url, assets)).rejects.toBeInstanceOf(PackPdfError)
  await hasty.close()
  expect(hasty.running).toBe(false)
  await printer.close()
  await expect(printer.print(html(4), url, assets)).rejects.toBeInstanceOf(PackPdfError)
})
