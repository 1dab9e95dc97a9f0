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
import { packFileName } from '../../domain/names.js'
import { parseReportFilters } from '../../domain/report.js'
import { audit } from '../../services/audit.js'
import { PackPrinter, type Asset } from '../../services/pack-pdf.js'
import { loadWave } from '../load-wave.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Prints board packs; `available` says whether this server can make PDFs at all. */
    packPdf: PackPrinter
    /**
     * The board pack of the wave page as the holder of `credentials` (their cookie or bearer header)
     * sees it: the page is requested with those credentials, so whoever asks gets only what that
     * person's own request would. The route and the digest's attachment both print through it.
     */
    boardPack: (pack: PackRequest) => Promise<PackResult>
  }
}

export interface PackRequest {
  waveId: string
  waveName: string
  organizationName: string
  /** The wave page's query ('' or '?unit=…'), filters as on the page. */
  query: string
  credentials: { cookie?: string; authorization?: string }
}

/** The PDF, the page's own refusal (not signed in, not theirs), or a failure to print. */
export type PackResult =
  | { kind: 'pdf'; pdf: Buffer }
  | { kind: 'refused'; statusCode: number; contentType: string; body: string; retryAfter: string | null }
  | { kind: 'failed'; error: unknown }

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

  app.decorate('boardPack', async ({ waveId, waveName, organizationName, query, credentials }: PackRequest): Promise<PackResult> => {
    // The page exactly as this person sees it: same sign-in, same filters, same presenter.
    const pageUrl = `/waves/${waveId}${query}`
    const forwarded = { accept: 'text/html', ...(credentials.cookie ? { cookie: credentials.cookie } : {}), ...(credentials.authorization ? { authorization: credentials.authorization } : {}) }
    const page = await app.inject({ method: 'GET', url: pageUrl, headers: forwarded })
    if (page.statusCode !== 200) {
      // A 503 (the read replica lost under the page) keeps its Retry-After.
      const retryAfter = page.headers['retry-after'] === undefined ? null : String(page.headers['retry-after'])
      return { kind: 'refused', statusCode: page.statusCode, contentType: String(page.headers['content-type'] ?? 'text/html; charset=utf-8'), body: page.body, retryAfter }
    }

    const css = packCss(organizationName, waveName)
    const assets = async (url: URL): Promise<Asset | null> => {
      if (url.pathname === `/waves/${waveId}/pack.css`) return { status: 200, contentType: 'text/css; charset=utf-8', body: Buffer.from(css) }
      if (!url.pathname.startsWith('/public/') && !url.pathname.startsWith('/vendor/')) return null
      const file = await app.inject({ method: 'GET', url: url.pathname })
      return { status: file.statusCode, contentType: String(file.headers['content-type'] ?? 'application/octet-stream'), body: file.rawPayload }
    }
    try {
      return { kind: 'pdf', pdf: await printer.print(page.body, new URL(pageUrl, app.config.publicUrl), assets) }
    } catch (error) {
      return { kind: 'failed', error }
    }
  })

  app.get<{ Params: Params }>('/waves/:id/pack.pdf', { config: { access: 'read' } }, async (request: FastifyRequest<{ Params: Params }>, reply) => {
    const wave = await loadWave(app.db, request)
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : ''
    if (!printer.available) return unavailable(reply, wave.id, query, 'This server cannot make PDFs: no Chromium is installed here.')

    const result = await app.boardPack({
      waveId: wave.id, waveName: wave.name, organizationName: request.principal!.organizationName, query,
      credentials: { cookie: request.headers.cookie, authorization: request.headers.authorization },
    })
    if (result.kind === 'refused') {
      if (result.retryAfter !== null) reply.header('retry-after', result.retryAfter)
      return reply.code(result.statusCode).type(result.contentType).send(result.body)
    }
    if (result.kind === 'failed') {
      request.log.error({ err: result.error }, 'board pack PDF failed')
      return unavailable(reply, wave.id, query, 'The server could not make the PDF just now.')
    }
    const pdf = result.pdf
    const parsed = parseReportFilters(request.query as Record<string, unknown>)
    await audit(app.db, request, 'export_downloaded', { target: `wave ${wave.name}`, detail: { wave: wave.id, kind: 'board_pack', filters: parsed.ok ? parsed.value : null } })
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="${packFileName(wave.name)}"`).header('cache-control', 'private, no-store').send(pdf)
  })
}, { name: 'pack-pages', dependencies: ['views'] })
