// The board pack as a PDF: the wave page's own HTML printed by headless Chromium (playwright-core),
// the way a person's Print → Save as PDF would print it. Chromium never reaches the network: the page
// and every file it asks for come from the caller (the app itself), and anything else is refused.
// One render at a time; one browser process kept while renders keep coming, closed after a minute idle.
import { existsSync } from 'node:fs'
import type { Browser } from 'playwright-core'

/** The flags of a browser that only prints: no sandbox (root in a container), no GPU, no calls home. */
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
export const RENDER_TIMEOUT_MS = 30_000
export const IDLE_CLOSE_MS = 60_000
/** The printable width of A4 with the pack's margins (210 − 2 × 12 mm) in CSS pixels: the charts are drawn at this width. */
const PAPER_WIDTH_PX = Math.round((186 / 25.4) * 96)

/** In the page: every chart is drawn (dashboard.js makes one Chart per canvas once chart.js has loaded). */
const CHARTS_DRAWN = `(() => {
  const canvases = [...document.querySelectorAll('canvas[data-chart]')]
  return canvases.length === 0 || (window.Chart !== undefined && canvases.every((canvas) => window.Chart.getChart(canvas) !== undefined))
})()`
/** In the page: what a person's Print does first (dashboard.js redraws the charts at the paper's width and opens the statistics' details), then two frames for the drawing. */
const PREPARE_FOR_PRINT = `new Promise((done) => {
  window.dispatchEvent(new Event('beforeprint'))
  requestAnimationFrame(() => requestAnimationFrame(() => done(true)))
})`

/** A file the page asks for, as the app serves it; null when it is not one of the app's files. */
export type Asset = { status: number; contentType: string; body: Buffer }
export type AssetSource = (url: URL) => Promise<Asset | null>

export class PackPdfError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PackPdfError'
  }
}

export interface PackPrinterOptions {
  /** The Chromium to run; null or a missing file: this server makes no PDFs. */
  executablePath: string | null
  timeoutMs?: number
  idleCloseMs?: number
}

export class PackPrinter {
  private browser: Promise<Browser> | null = null
  private queue: Promise<unknown> = Promise.resolve()
  private idle: NodeJS.Timeout | null = null
  private pending = 0
  private closed = false
  private found: boolean | undefined
  private readonly timeoutMs: number
  private readonly idleCloseMs: number

  constructor(private readonly options: PackPrinterOptions) {
    this.timeoutMs = options.timeoutMs ?? RENDER_TIMEOUT_MS
    this.idleCloseMs = options.idleCloseMs ?? IDLE_CLOSE_MS
  }

  /** Whether this server can make PDFs: a Chromium is where the configuration says. */
  get available(): boolean {
    // Looked up once: every report page asks, and the configuration is read at start.
    this.found ??= this.options.executablePath !== null && existsSync(this.options.executablePath)
    return this.found
  }

  /** Whether a browser process is running now (for tests of its lifetime). */
  get running(): boolean {
    return this.browser !== null
  }

  /**
   * Prints `html`, loaded as if from `url`, to an A4 PDF. Waits its turn behind earlier renders, and
   * throws PackPdfError when Chromium cannot be started or the render takes longer than the timeout.
   */
  print(html: string, url: URL, assets: AssetSource): Promise<Buffer> {
    if (this.closed) return Promise.reject(new PackPdfError('The PDF printer is shut down.'))
    if (!this.available) return Promise.reject(new PackPdfError('No Chromium is installed on this server.'))
    this.pending++
    if (this.idle) clearTimeout(this.idle)
    this.idle = null
    const turn = this.queue.then(() => this.withTimeout(this.render(html, url, assets)))
    this.queue = turn.catch(() => undefined).finally(() => {
      this.pending--
      if (this.pending === 0) this.scheduleIdleClose()
    })
    return turn
  }

  /** Closes the browser (the app's onClose); later prints are refused. */
  async close(): Promise<void> {
    this.closed = true
    if (this.idle) clearTimeout(this.idle)
    this.idle = null
    await this.queue
    await this.shutBrowser()
  }

  private scheduleIdleClose() {
    if (this.closed || this.browser === null) return
    this.idle = setTimeout(() => {
      this.idle = null
      if (this.pending === 0) void this.shutBrowser()
    }, this.idleCloseMs)
    this.idle.unref()
  }

  private async shutBrowser() {
    const browser = this.browser
    this.browser = null
    if (!browser) return
    try {
      await (await browser).close()
    } catch {
      // it never started, or is gone already
    }
  }

  private launch(): Promise<Browser> {
    if (this.browser === null) {
      // Loaded on the first PDF only: the driver is a large module (about 20 MB of the server's heap
      // and 30 MB of its memory), and most servers never print one.
      const launching = import('playwright-core').then(({ chromium }) =>
        chromium.launch({ executablePath: this.options.executablePath!, args: CHROMIUM_FLAGS, timeout: this.timeoutMs }))
      this.browser = launching
      launching.then((browser) => browser.on('disconnected', () => { if (this.browser === launching) this.browser = null }), () => { if (this.browser === launching) this.browser = null })
    }
    return this.browser
  }

  private async withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PackPdfError(`The PDF took longer than ${this.timeoutMs / 1000} s.`)), this.timeoutMs)
    })
    try {
      return await Promise.race([work, timeout])
    } catch (error) {
      // A render that hung may have left the browser in a bad state: start afresh next time.
      if (error instanceof PackPdfError) await this.shutBrowser()
      throw error instanceof PackPdfError ? error : new PackPdfError('Chromium could not print the pack.', { cause: error })
    } finally {
      clearTimeout(timer)
    }
  }

  private async render(html: string, url: URL, assets: AssetSource): Promise<Buffer> {
    const browser = await this.launch()
    const context = await browser.newContext({ viewport: { width: PAPER_WIDTH_PX, height: 1000 }, javaScriptEnabled: true, serviceWorkers: 'block' })
    try {
      const page = await context.newPage()
      page.setDefaultTimeout(this.timeoutMs)
      await page.route('**/*', async (route) => {
        const requested = new URL(route.request().url())
        if (requested.href === url.href) return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html })
        // A late request (the server closing, the page already printed) must not surface as an unhandled rejection.
        try {
          const asset = requested.origin === url.origin ? await assets(requested) : null
          if (asset === null) return await route.abort('blockedbyclient')
          return await route.fulfill({ status: asset.status, contentType: asset.contentType, body: asset.body })
        } catch {
          return route.abort('failed').catch(() => undefined)
        }
      })
      await page.emulateMedia({ media: 'print' })
      await page.goto(url.href, { waitUntil: 'load' })
      // Charts are drawn by dashboard.js once chart.js has loaded; then lay them out for paper and open
      // the statistics' <details>, as the page itself does when a person prints it.
      await page.waitForFunction(CHARTS_DRAWN)
      await page.evaluate(PREPARE_FOR_PRINT)
      return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true })
    } finally {
      await context.close().catch(() => undefined)
    }
  }
}
