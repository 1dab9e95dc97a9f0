// The board pack's routes without a browser, on both databases. With CHROMIUM_PATH naming a missing
// file the server makes no PDFs: the download answers 503 with a page that says so and points to
// Print → Save as PDF, and the report offers no PDF link. Another organization's wave is 404. The
// HTML handed to the printer is the requester's own page (a unit manager's holds their unit only),
// and the printer may fetch only the app's static files and the pack's header stylesheet; the real
// printing is checked in Chromium by test/e2e/pack.test.ts.
import { expect, it, vi } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { listAudit } from '../../server/repositories/audit.js'
import { findUserByEmail } from '../../server/repositories/organizations.js'
import { setManagedUnits } from '../../server/repositories/unit-managers.js'
import { cssString, packCss } from '../../server/routes/pages/pack.js'
import type { AssetSource } from '../../server/services/pack-pdf.js'
import { addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, NO_CHROMIUM, signedIn, type Tenant, type TestContext } from '../helpers/app.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const ORG = 'Acme "Rail" </style> & co'
const NORTH_COMMENT = 'North counter could open earlier'
const SOUTH_COMMENT = 'Southern secret about the manager'

function rows() {
  const out: Array<{ side: 'staff' | 'customer'; unit: string; answers: Record<string, number>; comment?: string }> = []
  const add = (side: 'staff' | 'customer', unit: string, n: number, comment: string) => {
    for (let i = 0; i < n; i++) {
      const answers = Object.fromEntries(KEYS.map((key, j) => [key, ((i * 3 + j + (side === 'staff' ? 2 : 0)) % 5) + 1]))
      out.push({ side, unit, answers, ...(i < 2 ? { comment } : {}) })
    }
  }
  add('staff', 'North', 25, NORTH_COMMENT)
  add('staff', 'South', 25, SOUTH_COMMENT)
  add('customer', 'North', 20, NORTH_COMMENT)
  add('customer', 'South', 20, SOUTH_COMMENT)
  return out
}

describeEachDatabase('the board pack', (ctx: TestContext) => {
  let tenant: Tenant
  let owner: Browser
  let waveId: string
  let managerEmail: string

  it('sets up a wave of two units and a manager of North', async () => {
    tenant = await createTenant(ctx, ORG)
    const token = await apiToken(ctx, tenant.owner.email)
    const units: Record<string, string> = {}
    for (const name of ['North', 'South']) units[name] = (await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(token), payload: { name } })).json().id
    waveId = (await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name: '2026-Q4', templateKey: 'service-gap-index' } })).json().id
    const stored = await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${waveId}/responses`, headers: bearer(token), payload: rows() })
    expect(stored.statusCode, stored.body).toBe(201)
    managerEmail = await addPerson(ctx, tenant, 'unit_manager')
    await setManagedUnits(ctx.database.db, tenant.organizationId, (await findUserByEmail(ctx.database.db, managerEmail))!.id, [units.North!])
    owner = await signedIn(ctx, tenant.owner.email)
  })

  it('without Chromium answers 503 with a page that explains, and the report offers no PDF', async () => {
    expect(ctx.config.chromiumPath).toBe(NO_CHROMIUM)
    expect(ctx.app.packPdf.available).toBe(false)
    const report = await owner.get(`/waves/${waveId}?unit=North`)
    expect(report.statusCode).toBe(200)
    expect(report.body).toContain('Print…')
    expect(report.body).not.toContain('pack.pdf')
    expect(report.body).not.toContain('Board pack (PDF)')
    const pack = await owner.get(`/waves/${waveId}/pack.pdf?unit=North`)
    expect(pack.statusCode).toBe(503)
    expect(pack.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(pack.body).toContain('This server cannot make PDFs')
    expect(pack.body).toContain('<strong>Save as PDF</strong>')
    expect(pack.body).toContain(`href="/waves/${waveId}?unit=North"`)
    // Nothing left the product, so nothing is audited.
    expect((await listAudit(ctx.database.db, tenant.organizationId, { limit: 50 })).filter((e) => e.action === 'export_downloaded')).toEqual([])
  })

  it('answers another organization with 404, and a visitor not signed in with the sign-in page', async () => {
    const other = await signedIn(ctx, (await createTenant(ctx, 'Other')).owner.email)
    for (const path of ['pack.pdf', 'pack.css']) {
      expect((await other.get(`/waves/${waveId}/${path}`)).statusCode, path).toBe(404)
      const anonymous = await ctx.app.inject({ method: 'GET', url: `/waves/${waveId}/${path}`, headers: { accept: 'text/html' } })
      expect(anonymous.statusCode, path).toBe(303)
      expect(anonymous.headers.location).toMatch(/^\/login/)
    }
  })

  it('names the organization and wave in the page header, escaped for CSS', async () => {
    const css = await owner.get(`/waves/${waveId}/pack.css`)
    expect(css.statusCode).toBe(200)
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8')
    expect(css.body).toBe(packCss(ORG, '2026-Q4'))
    const content = /@top-left \{ content: ("[^"]*"); \}/.exec(css.body)![1]!
    // Only letters, digits, spaces and escapes inside the quotes: no quote, angle bracket or brace.
    expect(content.slice(1, -1)).toMatch(/^([A-Za-z0-9 ]|\\[0-9a-f]+ )*$/)
    const unescaped = content.slice(1, -1).replace(/\\([0-9a-f]+) /g, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    expect(unescaped).toBe(`${ORG} · 2026-Q4`)
    expect(cssString('a"b')).toBe('"a\\22 b"')
    expect((await owner.get(`/waves/${waveId}`)).body).toContain(`href="/waves/${waveId}/pack.css"`)
  })

  it("prints each person's own page: a unit manager's pack holds their unit only; the printer may fetch only the app's files", async () => {
    const printer = ctx.app.packPdf
    const available = vi.spyOn(printer, 'available', 'get').mockReturnValue(true)
    const printed: Array<{ html: string; url: URL; assets: AssetSource }> = []
    const print = vi.spyOn(printer, 'print').mockImplementation(async (html, url, assets) => {
      printed.push({ html, url, assets })
      return Buffer.from('%PDF-1.7\n')
    })
    try {
      expect((await owner.get(`/waves/${waveId}`)).body).toContain(`href="/waves/${waveId}/pack.pdf"`)
      const whole = await owner.get(`/waves/${waveId}/pack.pdf`)
      expect(whole.statusCode).toBe(200)
      expect(whole.headers['content-type']).toBe('application/pdf')
      expect(whole.headers['content-disposition']).toBe('attachment; filename="2026-Q4-board-pack.pdf"')
      expect(whole.body).toBe('%PDF-1.7\n')
      const [ownersPage] = printed
      expect(ownersPage!.url.href).toBe(`http://sg.test/waves/${waveId}`)
      expect(ownersPage!.html).toContain('data-pack="cover"')
      expect(ownersPage!.html).toContain('The whole wave')
      expect(ownersPage!.html).toContain(SOUTH_COMMENT)
      expect(ownersPage!.html).toContain('Acme &quot;Rail&quot; &lt;/style&gt; &amp; co')

      const manager = await signedIn(ctx, managerEmail)
      const pack = await manager.get(`/waves/${waveId}/pack.pdf`)
      expect(pack.statusCode).toBe(200)
      const mine = printed[1]!.html
      expect(mine).toContain('Filtered to unit North')
      expect(mine).toContain(NORTH_COMMENT)
      expect(mine).not.toContain(SOUTH_COMMENT)
      expect(mine).not.toContain('>South<')
      // Another unit is refused as on the page, and nothing is printed.
      const refusedPage = await manager.get(`/waves/${waveId}?unit=South`)
      const refusedPack = await manager.get(`/waves/${waveId}/pack.pdf?unit=South`)
      expect(refusedPack.statusCode).toBe(403)
      expect(refusedPack.statusCode).toBe(refusedPage.statusCode)
      expect(refusedPack.body).not.toContain(SOUTH_COMMENT)
      expect(printed).toHaveLength(2)

      const { assets, url } = ownersPage!
      const at = (path: string) => assets(new URL(path, url))
      const stylesheet = await at('/public/report.css')
      expect(stylesheet).toMatchObject({ status: 200, contentType: expect.stringMatching(/^text\/css/) })
      expect(stylesheet!.body.toString()).toContain('@page')
      expect((await at('/vendor/chart.js/chart.umd.min.js'))!.status).toBe(200)
      expect((await at(`/waves/${waveId}/pack.css`))!.body.toString()).toBe(packCss(ORG, '2026-Q4'))
      for (const refused of [`/waves/${waveId}`, `/api/v1/waves/${waveId}/report`, '/waves', '/account']) expect(await at(refused), refused).toBeNull()

      // Downloads are audited like the CSV exports, with the filters they were made with.
      const entries = (await listAudit(ctx.database.db, tenant.organizationId, { limit: 50 })).filter((e) => e.action === 'export_downloaded')
      expect(entries).toHaveLength(2)
      expect(entries.map((e) => (e.detail as { kind: string }).kind)).toEqual(['board_pack', 'board_pack'])
      expect(entries.map((e) => e.actorEmail).sort()).toEqual([tenant.owner.email, managerEmail].sort())
    } finally {
      available.mockRestore()
      print.mockRestore()
    }
  })

  it('answers 503 with the readable page when printing fails', async () => {
    const available = vi.spyOn(ctx.app.packPdf, 'available', 'get').mockReturnValue(true)
    const print = vi.spyOn(ctx.app.packPdf, 'print').mockRejectedValue(new Error('Chromium crashed'))
    try {
      const pack = await owner.get(`/waves/${waveId}/pack.pdf`)
      expect(pack.statusCode).toBe(503)
      expect(pack.body).toContain('The server could not make the PDF just now.')
      expect(pack.body).toContain('Save as PDF')
    } finally {
      available.mockRestore()
      print.mockRestore()
    }
  })
}, { CHROMIUM_PATH: NO_CHROMIUM })
