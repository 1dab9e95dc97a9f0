// Settings → Branding (owners and admins): the organization's logo and accent colour, which the
// respondent pages, the QR posters and the survey mail show. One form (multipart, for the logo) sets
// both; a second removes the logo. Nothing is saved unless everything sent is right, and a refused
// form comes back with what was typed. Every change is in the audit log (what changed, not the bytes).
import multipart from '@fastify/multipart'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { accentPalette, brandView, chosenAccent } from '../../domain/branding.js'
import type { FieldErrors } from '../../domain/inputs.js'
import { MAX_LOGO_BYTES, MAX_LOGO_SIDE } from '../../domain/logo.js'
import { csrfFailed } from '../../plugins/security.js'
import { getBranding } from '../../repositories/branding.js'
import { getOrganization } from '../../repositories/organizations.js'
import { changeBranding } from '../../services/branding.js'
import { receiveForm } from './logo-form.js'

/** The picker's colour when the organization has none: the standard accent of the respondent pages. */
export const STANDARD_ACCENT = '#0b4f8a'

export default async function brandingPages(app: FastifyInstance) {
  // Only this plugin's routes read multipart bodies: one field-sized file of at most MAX_LOGO_BYTES
  // (one byte more is read, so a larger file is known to be larger).
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: MAX_LOGO_BYTES + 1, files: 1, fields: 8, fieldSize: 1024, parts: 10 },
  })

  const orgOf = (request: FastifyRequest) => request.principal!.organizationId

  async function brandingPage(request: FastifyRequest, reply: FastifyReply, form: { values?: { accent: string }; errors?: FieldErrors; notSaved?: string | null } = {}) {
    const [org, branding] = await Promise.all([getOrganization(app.db, orgOf(request)), getBranding(app.db, orgOf(request))])
    const brand = brandView(branding, org.name)
    const accent = form.values?.accent ?? branding.accent ?? ''
    return reply.page('branding', {
      title: 'Branding',
      brand,
      styles: brand.stylesheet ? [brand.stylesheet] : [],
      scripts: ['/public/branding.js'],
      saved: branding,
      values: { accent, picker: /^#[0-9a-f]{6}$/i.test(accent) ? accent.toLowerCase() : branding.accent ?? STANDARD_ACCENT, shown: accent },
      errors: form.errors ?? {},
      senderName: org.senderName,
      maxKb: MAX_LOGO_BYTES / 1024,
      maxSide: MAX_LOGO_SIDE,
      notice: noticeOf(request),
      // A good file sent with a colour that was refused: browsers cannot keep a chosen file, so say so.
      notSaved: form.notSaved ?? null,
      shades: branding.accent ? accentPalette(branding.accent) : null,
    })
  }

  const NOTICES: Record<string, string> = { saved: 'Branding saved.', removed: 'Logo removed.' }
  const noticeOf = (request: FastifyRequest) => {
    const key = (request.query as Record<string, unknown>).done
    return typeof key === 'string' && Object.hasOwn(NOTICES, key) ? NOTICES[key]! : null
  }

  app.get('/settings/branding', { config: { access: 'manage_settings' } }, async (request, reply) => brandingPage(request, reply))

  // The body is read here rather than before the app-wide CSRF check: the token (first in the form)
  // is checked before a byte of the file is kept.
  app.post('/settings/branding', { config: { access: 'manage_settings', csrf: 'manual' } }, async (request, reply) => {
    const received = await receiveForm(request, 'logo')
    if (!received.csrfValid) throw csrfFailed()
    const { fields, file } = received
    const before = await getBranding(app.db, orgOf(request))
    const typed = chosenAccent(fields, before.accent ?? STANDARD_ACCENT)
    const saved = await changeBranding(app.db, request, { accent: typed, ...(file ? { logo: file } : {}) })
    if (!saved.ok) return brandingPage(request, reply.code(422), { values: { accent: typed }, errors: saved.errors, notSaved: file && saved.logoAccepted ? file.filename : null })
    return reply.redirect('/settings/branding?done=saved', 303)
  })

  app.post('/settings/branding/logo/remove', { config: { access: 'manage_settings' } }, async (request, reply) => {
    await changeBranding(app.db, request, { logo: null })
    return reply.redirect('/settings/branding?done=removed', 303)
  })
}
