// The organization's branding through the API (owners and admins, as the settings page): read it,
// set or clear the accent colour, upload the logo as the request's body, remove it. The rules are the
// page's own (services/branding.ts): the same contrast check, the same sniffing and limits.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { accentPalette, accentStylesheetPath, logoPath, type Branding as StoredBranding } from '../../domain/branding.js'
import { MAX_LOGO_BYTES } from '../../domain/logo.js'
import { fieldsInvalid, HttpError } from '../../http-error.js'
import { getBranding } from '../../repositories/branding.js'
import { changeBranding, type BrandingChange } from '../../services/branding.js'
import { Branding, ChangeBrandingBody, LOGO_RULES, LOGO_TYPES, LogoBody } from './branding-schemas.js'
import { errors } from './schemas.js'

export default async function branding(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const access = 'manage_settings' as const
  const base = app.config.publicUrl.replace(/\/+$/, '')
  // The logo's bytes as they came; one byte over the limit is still read, so a larger file is known to be larger.
  app.addContentTypeParser([...LOGO_TYPES], { parseAs: 'buffer', bodyLimit: MAX_LOGO_BYTES + 1 }, (_request, body, done) => done(null, body))

  const brandingJson = (stored: StoredBranding) => ({
    accent: stored.accent,
    shades: stored.accent ? accentPalette(stored.accent) : null,
    stylesheet: stored.accent ? `${base}${accentStylesheetPath(stored.accent)}` : null,
    logo: stored.logo ? { url: `${base}${logoPath(stored.logo)}`, type: stored.logo.type, width: stored.logo.width, height: stored.logo.height } : null,
  })

  async function change(request: FastifyRequest, changes: BrandingChange) {
    const changed = await changeBranding(app.db, request, changes)
    if (!changed.ok) throw fieldsInvalid(changed.errors)
    return brandingJson(changed.branding)
  }

  app.get('/branding', {
    config: { access },
    schema: { tags: ['branding'], operationId: 'getBranding', summary: 'The organization\'s accent colour and logo', response: { 200: Branding, ...errors(401, 403) } },
  }, async (request) => brandingJson(await getBranding(app.db, request.principal!.organizationId)))

  app.patch('/branding', {
    config: { access },
    schema: {
      tags: ['branding'], operationId: 'updateBranding', summary: 'Set or clear the accent colour',
      body: ChangeBrandingBody, response: { 200: Branding, ...errors(400, 401, 403) },
    },
  }, async (request) => change(request, { accent: request.body.accent ?? '' }))

  app.put('/branding/logo', {
    config: { access },
    bodyLimit: MAX_LOGO_BYTES + 1,
    schema: {
      tags: ['branding'], operationId: 'uploadBrandingLogo', summary: 'Upload the logo: the image file is the request\'s body',
      description: `${LOGO_RULES} A file that breaks a rule is refused with 400 and the reason; one larger than the limit may be cut off with 413.`,
      body: LogoBody, response: { 200: Branding, ...errors(400, 401, 403, 413, 415) },
    },
  }, async (request) => {
    const body: unknown = request.body
    if (!Buffer.isBuffer(body)) throw new HttpError(415, 'unsupported_media_type', `Send the image file itself as the body, with the content type ${LOGO_TYPES.join(', ')}.`)
    return change(request, { logo: { bytes: body, tooLarge: body.length > MAX_LOGO_BYTES } })
  })

  app.delete('/branding/logo', {
    config: { access },
    schema: { tags: ['branding'], operationId: 'deleteBrandingLogo', summary: 'Remove the logo', response: { 204: Type.Null(), ...errors(401, 403) } },
  }, async (request, reply) => {
    await change(request, { logo: null })
    return reply.code(204).send(null)
  })
}
