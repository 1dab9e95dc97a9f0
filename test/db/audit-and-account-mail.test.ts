// The two things rollout features write to: the append-only audit log and the account mail queue,
// sent by the mail worker to a real SMTP server. On both databases.
import { sql } from 'kysely'
import { expect, it } from 'vitest'
import { MailWorker } from '../../server/mail/worker.js'
import { smtpTransport } from '../../server/mail/transport.js'
import { accountMailsTo, queueAccountMail } from '../../server/repositories/account-mails.js'
import { listAudit, recordAudit } from '../../server/repositories/audit.js'
import { accountToken, hashToken } from '../../server/security/tokens.js'
import { createTenant, describeEachDatabase } from '../helpers/app.js'
import { linkIn, smtpServer } from '../helpers/smtp.js'

describeEachDatabase('audit log and account mail', (ctx) => {
  it('keeps audit entries newest first, filters them, and refuses to change one', async () => {
    const tenant = await createTenant(ctx)
    const other = await createTenant(ctx, 'Other')
    const base = { organizationId: tenant.organizationId, actorUserId: tenant.owner.userId, actorEmail: tenant.owner.email, ip: '127.0.0.1' }
    await recordAudit(ctx.database.db, { ...base, action: 'sign_in' })
    await recordAudit(ctx.database.db, { ...base, action: 'role_changed', target: 'person x', detail: { from: 'viewer', to: 'admin' } })
    await recordAudit(ctx.database.db, { ...base, organizationId: other.organizationId, action: 'sign_in' })
    const all = await listAudit(ctx.database.db, tenant.organizationId, { limit: 10 })
    expect(all.map((entry) => entry.action)).toEqual(['role_changed', 'sign_in'])
    expect(all[0]).toMatchObject({ target: 'person x', detail: { from: 'viewer', to: 'admin' }, ip: '127.0.0.1', actorEmail: tenant.owner.email })
    expect((await listAudit(ctx.database.db, tenant.organizationId, { limit: 10, action: 'sign_in' })).length).toBe(1)
    expect((await listAudit(ctx.database.db, tenant.organizationId, { limit: 10, actor: 'OWNER-' })).length).toBe(2)
    expect((await listAudit(ctx.database.db, tenant.organizationId, { limit: 10, actor: '%' })).length).toBe(0)
    expect((await listAudit(ctx.database.db, tenant.organizationId, { limit: 10, before: all[0]!.id })).map((e) => e.action)).toEqual(['sign_in'])
    await expect(sql`update audit_log set action = 'nothing' where organization_id = ${tenant.organizationId}`.execute(ctx.database.db))
      .rejects.toThrow(/append-only/)
  })

  it('sends account mail with a link rebuilt from the secret, whose hash is what a row would store', async () => {
    const tenant = await createTenant(ctx)
    const smtp = await smtpServer()
    const transport = smtpTransport(smtp.url)
    const worker = new MailWorker({ db: ctx.database.db, transport, publicUrl: ctx.config.publicUrl, secret: ctx.config.signingSecret, from: 'Service Gap <sg@sg.test>', rate: 1000 })
    try {
      const refId = '6f1c8f8e-8a43-4f7e-9d4f-1e2a3b4c5d6e'
      await queueAccountMail(ctx.database.db, { organizationId: tenant.organizationId, kind: 'password_reset', refId, recipient: 'reset-me@example.test', params: { organization: 'Acme <b>', minutes: '30' } })
      expect(await worker.runOnce()).toBeGreaterThanOrEqual(1)
      const message = smtp.received.find((m) => m.to === 'reset-me@example.test')!
      expect(message.raw).toContain('Reset your Service Gap password')
      const link = linkIn(message.raw, 'http://sg.test/reset-password/')!
      const token = link.split('/').at(-1)!
      expect(token).toBe(accountToken(ctx.config.signingSecret, 'password_reset', refId))
      expect(token.length).toBeGreaterThanOrEqual(43)
      expect(hashToken(token)).not.toBe(token)
      expect(message.raw).toContain('Acme &lt;b&gt;')
      expect(await accountMailsTo(ctx.database.db, 'reset-me@example.test')).toMatchObject([{ kind: 'password_reset', status: 'sent' }])
      expect(await worker.runOnce()).toBe(0)
    } finally {
      await worker.stop()
      transport.close()
      await smtp.close()
    }
  })
}, {}, { mail: { worker: false } })
