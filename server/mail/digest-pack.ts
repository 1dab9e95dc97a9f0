// The digest's attachment: the board pack as its recipient would download it (GET /waves/:id/pack.pdf).
// No door is opened for it: a print session for that person (repositories/credentials.ts
// createPrintSession, a minute long, not a sign-in) carries the wave page's request, so the page's
// own sign-in check and the reader's scope decide what the PDF holds — a unit manager's pack shows
// their units only, and someone removed since the digest was queued gets no pack. The session is
// deleted as soon as the page is printed. The copy leaves the product, so it is audited, as the
// product sending it to that person.
import type { FastifyInstance } from 'fastify'
import { packFileName } from '../domain/names.js'
import type { DigestParams } from '../presenters/digest.js'
import { recordAudit } from '../repositories/audit.js'
import { createPrintSession, deleteSession } from '../repositories/credentials.js'
import type { ClaimedNotificationMail } from '../repositories/notification-mails.js'
import { getOrganization } from '../repositories/organizations.js'
import { findWave } from '../repositories/waves.js'
import { cookieName } from '../plugins/security.js'
import type { Attachment } from './transport.js'

/** Long enough to print one pack (the printer's own timeout is 30 s). */
const PRINT_SESSION_MS = 60_000

/**
 * The attachments of a queued notification for the mail worker. The pack routes are registered after
 * the mail plugin, so the printer is looked up when a mail is sent, not when this is made.
 */
export function digestAttachments(app: FastifyInstance) {
  return async (mail: ClaimedNotificationMail): Promise<Attachment[]> => {
    if (mail.kind !== 'digest' || mail.userId === null || !app.hasDecorator('boardPack') || !app.packPdf.available) return []
    const params = mail.params as unknown as DigestParams
    const wave = await findWave(app.db, mail.organizationId, params.waveId)
    if (!wave) return []
    const token = await createPrintSession(app.db, mail.userId, mail.organizationId, PRINT_SESSION_MS)
    let result
    try {
      const organizationName = (await getOrganization(app.db, mail.organizationId)).name
      result = await app.boardPack({
        waveId: wave.id, waveName: wave.name, organizationName, query: params.packQuery,
        credentials: { cookie: `${cookieName(app.config, 'sg_session')}=${token}` },
      })
    } finally {
      await deleteSession(app.db, token, mail.organizationId)
    }
    if (result.kind === 'failed') throw result.error
    if (result.kind !== 'pdf') return []
    await recordAudit(app.db, {
      organizationId: mail.organizationId, actorUserId: null, actorEmail: '', action: 'digest_pack_sent',
      target: `wave ${wave.name}`, detail: { wave: wave.id, kind: 'board_pack', to: mail.recipient, query: params.packQuery },
    })
    return [{ filename: packFileName(wave.name), contentType: 'application/pdf', content: result.pdf }]
  }
}
