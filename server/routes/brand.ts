// The public branding files: an organization's logo and the stylesheet of an accent colour. Both are
// named by their content (the logo's hash, the colour itself), so they are cached for a year and never
// change; a new logo or colour is a new address. Neither says which organization uses it, and an
// address nobody uses is a plain 404. The logo goes out with its own image type and nosniff, so a
// browser never takes it for anything else.
import type { FastifyInstance } from 'fastify'
import { accentStylesheet } from '../domain/branding.js'
import { contrastRatio, MIN_CONTRAST, WHITE } from '../domain/contrast.js'
import { LOGO_EXTENSIONS } from '../domain/logo.js'
import { notFound } from '../http-error.js'
import { findLogo } from '../repositories/branding.js'

const FOREVER = 'public, max-age=31536000, immutable'
const LOGO_FILE = /^([0-9a-f]{32})\.(png|jpg|webp)$/
const ACCENT_FILE = /^([0-9a-f]{6})\.css$/

export default async function brandRoutes(app: FastifyInstance) {
  app.get<{ Params: { file: string } }>('/brand/logo/:file', { config: { access: 'public' } }, async (request, reply) => {
    const match = LOGO_FILE.exec(request.params.file)
    const logo = match ? await findLogo(app.db, match[1]!) : undefined
    if (!logo || LOGO_EXTENSIONS[logo.type] !== match![2]) throw notFound('This file')
    return reply.type(logo.type).header('cache-control', FOREVER).header('x-content-type-options', 'nosniff')
      .header('content-disposition', 'inline').send(logo.bytes)
  })

  app.get<{ Params: { file: string } }>('/brand/accent/:file', { config: { access: 'public' } }, async (request, reply) => {
    const match = ACCENT_FILE.exec(request.params.file)
    // Only colours the settings would accept: nobody can have the product serve an unreadable palette.
    if (!match || contrastRatio(`#${match[1]}`, WHITE) < MIN_CONTRAST) throw notFound('This file')
    return reply.type('text/css; charset=utf-8').header('cache-control', FOREVER).send(accentStylesheet(`#${match[1]}`))
  })
}
