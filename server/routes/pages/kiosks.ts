// Making a kiosk (issue 17): an admin turns a unit's customer link into a kiosk link for a tablet on
// the counter, with a daily cap, from the wave's operations tab. A staff link, or the wave's general
// customer link (no unit), cannot be one: the page says so and offers nothing to submit.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DEFAULT_DAILY_CAP, KIOSK_LIMITS, MAX_DAILY_CAP } from '../../domain/kiosk.js'
import type { FieldErrors } from '../../domain/inputs.js'
import { notFound } from '../../http-error.js'
import { kiosksOfWave } from '../../repositories/kiosks.js'
import { findLink, type LinkOfWave, type Wave } from '../../repositories/waves.js'
import { auditKiosk, kioskUrl, makeKiosk, revokeKiosk } from '../../services/kiosk.js'
import { reportScope, seesLinkOf } from '../../services/report-scope.js'
import { loadWave } from '../load-wave.js'

type Params = { id: string; linkId: string }

export default async function kioskPages(app: FastifyInstance) {
  async function load(request: FastifyRequest<{ Params: Params }>) {
    const wave = await loadWave(app.db, request)
    const link = await findLink(app.db, request.principal!.organizationId, wave.id, request.params.linkId)
    if (!link || !seesLinkOf(await reportScope(app.db, request.principal!), link.unitId)) throw notFound('This link')
    return { wave, link }
  }

  async function page(reply: FastifyReply, status: number, wave: Wave, link: LinkOfWave, form: { values?: { dailyCap: string }; errors?: FieldErrors; saved?: boolean; revoked?: boolean } = {}) {
    const kiosk = (await kiosksOfWave(app.db, reply.request.principal!.organizationId, wave.id)).get(link.id) ?? null
    return reply.code(status).page('kiosk', {
      title: `Kiosk · ${link.unitName ?? wave.name}`,
      wave, link, kiosk,
      url: kiosk ? kioskUrl(app.config.publicUrl, kiosk.token) : null,
      refused: link.side !== 'customer' ? 'staff' : link.unitId === null ? 'general' : null,
      values: form.values ?? { dailyCap: String(kiosk?.dailyCap ?? DEFAULT_DAILY_CAP) },
      errors: form.errors ?? {},
      saved: form.saved ?? false,
      revoked: form.revoked ?? false,
      limits: KIOSK_LIMITS, maxDailyCap: MAX_DAILY_CAP,
    })
  }

  app.get<{ Params: Params }>('/waves/:id/links/:linkId/kiosk', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const { wave, link } = await load(request)
    const query = request.query as { saved?: unknown; revoked?: unknown }
    return page(reply, 200, wave, link, { saved: query.saved !== undefined, revoked: query.revoked !== undefined })
  })

  app.post<{ Params: Params }>('/waves/:id/links/:linkId/kiosk', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const { wave, link } = await load(request)
    const body = request.body as { dailyCap?: unknown }
    const result = await makeKiosk(app.db, request.principal!.organizationId, link, { dailyCap: body.dailyCap })
    if (!result.ok) {
      const typed = typeof body.dailyCap === 'string' ? body.dailyCap : ''
      if ('refused' in result) return page(reply, 409, wave, link, { values: { dailyCap: typed } })
      return page(reply, 422, wave, link, { values: { dailyCap: typed }, errors: result.errors })
    }
    await auditKiosk(app.db, request, wave, link, result.value.dailyCap)
    return reply.redirect(`/waves/${wave.id}/links/${link.id}/kiosk?saved`, 303)
  })

  // Revoking: the kiosk's address opens nothing any more; the unit's own link and the answers stay.
  app.post<{ Params: Params }>('/waves/:id/links/:linkId/kiosk/revoke', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const { wave, link } = await load(request)
    const kiosk = (await kiosksOfWave(app.db, request.principal!.organizationId, wave.id)).get(link.id)
    if (kiosk) await revokeKiosk(app.db, request, kiosk.id)
    return reply.redirect(`/waves/${wave.id}/links/${link.id}/kiosk?revoked`, 303)
  })
}
