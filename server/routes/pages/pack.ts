// The board pack: the wave page printed as an A4 PDF by the server (GET /waves/:id/pack.pdf), and
// the stylesheet that names the organization and wave in every printed page's header.
//
// Access is 'read', like the page: the pack is the page the requester can already see and print
// (Print → Save as PDF gives the same file), with the same filters and the same limits, so a unit
// manager's pack holds only their units. 'export' guards data beyond the page (every response, the
// report table), which the pack does not add. It is audited like the CSV exports all the same,
// since a PDF is a copy that leaves the product.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { parseReportFilters } from '../../domain/report.js'
import { audit } from '../../services/audit.js'
import { PackPrinter, type Asset } from '../../services/pack-pdf.js'
import { loadWave } from '../load-wave.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Prints board packs; `available` says whether this server can make PDFs at all. */
    packPdf: PackPrinter
  }
}

type Params = { id: string }

/** A CSS string that holds any text: everything but plain letters, digits and spaces as an escape. */
export function cssString(text: string): string {
  let out = ''
  for (const char of text) out += /[A-Za-z0-9 ]/.test(char) ? char : `\\${char.codePointAt(0)!.toString(16)} `
  return `"${out}"`
}

/** The page header of every printed page but the cover: organization · wave. */
export const packCss = (organization: string, wave: string) =>
  `/* The board pack's page header (the rest of the print layout is in /public/report.css). */\n@page { @top-left { content: ${cssString(`${organization} · ${wave}`)}; } }\n@page :first { @top-left { content: none; } }\n`

/** A name safe in a Content-Disposition filename. */
const fileName = (wave: string) => `${wave.normalize('NFKD').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'wave'}-board-pack.pdf`

export default fp(async function packPages(app: FastifyInstance) {
  const printer = new PackPrinter({ executablePath: app.config.chromiumPath })
  app.decorate('packPdf', printer)
  app.addHook('onClose', () => printer.close())

  app.get<{ Params: Params }>('/waves/:id/pack.css', { config: { access: 'read' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    return reply.type('text/css; charset=utf-8').header('cache-control', 'private, no-cache').send(packCss(request.principal!.organizationName, wave.name))
  })

  /** The readable answer where no PDF can be made: what happened, and the printer's way to the same pack. */
  const unavailable = (reply: FastifyReply, waveId: string, query: string, reason: string) =>
    reply.code(503).header('retry-after', '60').page('pack-unavailable', { title: 'The board pack cannot be made here', reason, back: `/waves/${waveId}${query}` })

  app.get<{ Params: Params }>('/waves/:id/pack.pdf', { config: { access: 'read' } }, async (request: FastifyRequest<{ Params: Params }>, reply) => {
    const wave = await loadWave(app.db, request)
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : ''
    if (!printer.available) return unavailable(reply, wave.id, query, 'This server cannot make PDFs: no Chromium is installed here.')

    // The page exactly as this person sees it: same sign-in, same filters, same presenter.
    const pageUrl = `/waves/${wave.id}${query}`
    const forwarded = { accept: 'text/html', ...(request.headers.cookie ? { cookie: request.headers.cookie } : {}), ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}) }
    const page = await app.inject({ method: 'GET', url: pageUrl, headers: forwarded })
    if (page.statusCode !== 200) return reply.code(page.statusCode).type(String(page.headers['content-type'] ?? 'text/html; charset=utf-8')).send(page.body)

    const css = packCss(request.principal!.organizationName, wave.name)
    const assets = async (url: URL): Promise<Asset | null> => {
      if (url.pathname === `/waves/${wave.id}/pack.css`) return { status: 200, contentType: 'text/css; charset=utf-8', body: Buffer.from(css) }
      if (!url.pathname.startsWith('/public/') && !url.pathname.startsWith('/vendor/')) return null
      const file = await app.inject({ method: 'GET', url: url.pathname })
      return { status: file.statusCode, contentType: String(file.headers['content-type'] ?? 'application/octet-stream'), body: file.rawPayload }
    }
    let pdf: Buffer
    try {
      pdf = await printer.print(page.body, new URL(pageUrl, app.config.publicUrl), assets)
    } catch (error) {
      request.log.error({ err: error }, 'board pack PDF failed')
      return unavailable(reply, wave.id, query, 'The server could not make the PDF just now.')
    }
    const parsed = parseReportFilters(request.query as Record<string, unknown>)
    await audit(app.db, request, 'export_downloaded', { target: `wave ${wave.name}`, detail: { wave: wave.id, kind: 'board_pack', filters: parsed.ok ? parsed.value : null } })
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="${fileName(wave.name)}"`).header('cache-control', 'private, no-store').send(pdf)
  })
}, { name: 'pack-pages', dependencies: ['views'] })
