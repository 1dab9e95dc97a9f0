// The mail worker: every second it queues due reminders, takes back jobs a stopped worker left
// behind, and sends what is due at no more than MAIL_RATE messages a second. Temporary failures are
// tried again later with growing waits; permanent ones are marked; an organization whose messages
// keep failing has its sending paused until a person resumes it. Survey mail shows the organization's
// sender name and reply-to (domain/sender.ts); account mail comes from the installation itself.
import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../../db/connect.js'
import { backoffMs, classifyFailure, MAX_ATTEMPTS, PAUSE_WINDOW, shouldPause } from '../domain/mail.js'
import { surveySender } from '../domain/sender.js'
import { LOGO_EXTENSIONS, type LogoType } from '../domain/logo.js'
import { LocalCache } from '../local-cache.js'
import { findLogo } from '../repositories/branding.js'
import { ACCOUNT_MAIL_PATHS, renderAccountMail } from '../i18n/account-mail.js'
import { renderMessage, type MailBrand } from '../i18n/mail.js'
import { NOTIFICATION_RENDERERS } from '../i18n/notification-mail.js'
import { accountMailFailed, accountMailSent, claimAccountMails, type ClaimedAccountMail } from '../repositories/account-mails.js'
import { claimNotificationMails, notificationMailFailed, notificationMailSent, type ClaimedNotificationMail } from '../repositories/notification-mails.js'
import {
  claimJobs, dropJob, markFailed, markSent, pauseSending, releaseJob, requeueStale, retryLater, scheduleReminders, type ClaimedJob,
} from '../repositories/invitations.js'
import { accountToken, invitationToken, unsubscribeToken } from '../security/tokens.js'
import type { Attachment, Transport } from './transport.js'

export interface WorkerOptions {
  db: Db
  transport: Transport
  publicUrl: string
  secret: string
  from: string
  /** Messages per second. */
  rate: number
  log?: FastifyBaseLogger
  /** A job claimed longer ago than this by a worker that stopped is taken back. */
  staleMs?: number
  batchSize?: number
  /** Messages sent side by side; by default as many as the transport has connections. */
  concurrency?: number
  /** Files to attach to a notification (the digest's board pack); none when absent or when it gives none. */
  attachmentsFor?: (mail: ClaimedNotificationMail) => Promise<Attachment[]>
}

export class MailWorker {
  private timer: NodeJS.Timeout | null = null
  private running: Promise<void> | null = null
  private stopping = false
  private readonly outcomes = new Map<string, boolean[]>()
  private nextSlot = 0
  /** The domain in every Message-ID. */
  private readonly host: string
  /** Logo files by hash (a hash names one file forever, so a copy never goes stale). */
  private readonly logos = new LocalCache<string, { bytes: Buffer; type: LogoType } | null>({ max: 50 })

  constructor(private readonly options: WorkerOptions) {
    this.host = new URL(options.publicUrl).hostname
  }

  start(intervalMs = 1000): void {
    this.stopping = false
    const loop = async () => {
      if (this.stopping) return
      this.running = this.runOnce().then(() => undefined, (err) => this.options.log?.error({ err }, 'mail worker run failed'))
      await this.running
      if (!this.stopping) this.timer = setTimeout(loop, intervalMs)
    }
    this.timer = setTimeout(loop, 0)
  }

  /** Finishes the message in flight, then stops. */
  async stop(): Promise<void> {
    this.stopping = true
    if (this.timer) clearTimeout(this.timer)
    await this.running
  }

  /** One pass: account mail, reminders, stale jobs, then everything due. Returns how many messages went out. */
  async runOnce(): Promise<number> {
    const { db } = this.options
    let sent = await this.sendAccountMail()
    sent += await this.sendNotificationMail()
    await scheduleReminders(db)
    await requeueStale(db, this.options.staleMs ?? 120_000)
    for (;;) {
      if (this.stopping) break
      const jobs = await claimJobs(db, this.options.batchSize ?? 100)
      if (jobs.length === 0) break
      let next = 0
      const lanes = Array.from({ length: Math.min(this.options.concurrency ?? this.options.transport.connections, jobs.length) }, async () => {
        while (next < jobs.length) {
          const job = jobs[next++]!
          if (this.stopping) {
            await releaseJob(db, job)
            continue
          }
          if (await this.deliver(job)) sent++
        }
      })
      await Promise.all(lanes)
      // The next batch is claimed without the organizations paused meanwhile (the database says so).
      this.pausedOrganizations.clear()
    }
    return sent
  }

  /**
   * Password resets and colleague invitations go before survey mail: someone is waiting for them.
   * They are never paused with an organization's survey mail.
   */
  private async sendAccountMail(): Promise<number> {
    let sent = 0
    for (;;) {
      if (this.stopping) break
      const mails = await claimAccountMails(this.options.db, 20, this.options.staleMs ?? 120_000)
      if (mails.length === 0) break
      for (const mail of mails) if (await this.deliverAccountMail(mail)) sent++
    }
    return sent
  }

  private async deliverAccountMail(mail: ClaimedAccountMail): Promise<boolean> {
    const { db, transport, publicUrl, secret, from } = this.options
    const url = `${publicUrl}${ACCOUNT_MAIL_PATHS[mail.kind]}/${accountToken(secret, mail.kind, mail.refId)}`
    await this.turn()
    try {
      await transport.send({
        organizationId: mail.organizationId, from, to: mail.recipient, ...renderAccountMail(mail.kind, url, mail.params),
        headers: {}, messageId: `<${mail.refId}.${mail.kind}.${mail.id}@${this.host}>`,
      })
    } catch (error) {
      const err = error as { message?: string; responseCode?: number; code?: string }
      const final = classifyFailure(err) === 'permanent' || mail.attempts >= MAX_ATTEMPTS
      await accountMailFailed(db, mail.id, err.message ?? String(error), final ? null : backoffMs(mail.attempts))
      this.options.log?.warn({ accountMail: mail.id, responseCode: err.responseCode, code: err.code }, 'account mail not delivered')
      return false
    }
    await accountMailSent(db, mail.id)
    return true
  }

  /** Alerts and digests, after account mail and before survey mail. Never paused with an organization's survey mail. */
  private async sendNotificationMail(): Promise<number> {
    let sent = 0
    for (;;) {
      if (this.stopping) break
      const mails = await claimNotificationMails(this.options.db, 20, this.options.staleMs ?? 120_000)
      if (mails.length === 0) break
      for (const mail of mails) if (await this.deliverNotificationMail(mail)) sent++
    }
    return sent
  }

  private async deliverNotificationMail(mail: ClaimedNotificationMail): Promise<boolean> {
    const { db, transport, publicUrl, from } = this.options
    let attachments: Attachment[] = []
    try {
      attachments = (await this.options.attachmentsFor?.(mail)) ?? []
    } catch (error) {
      // The mail goes without its attachment rather than not at all; the renderer's text says where the pack is.
      this.options.log?.warn({ notificationMail: mail.id, error: { name: (error as Error | null)?.name } }, 'notification attachment not made')
    }
    // Rendered after the attachments are made, so the words say what is really attached.
    const message = NOTIFICATION_RENDERERS[mail.kind](mail.params, { locale: mail.locale, publicUrl, attachments: attachments.map((file) => file.filename) })
    await this.turn()
    try {
      await transport.send({
        organizationId: mail.organizationId, from, to: mail.recipient, ...message, headers: {},
        messageId: `<${mail.kind}.${mail.id}@${this.host}>`, ...(attachments.length ? { attachments } : {}),
      })
    } catch (error) {
      const err = error as { message?: string; responseCode?: number; code?: string }
      const final = classifyFailure(err) === 'permanent' || mail.attempts >= MAX_ATTEMPTS
      await notificationMailFailed(db, mail.id, err.message ?? String(error), final ? null : backoffMs(mail.attempts))
      this.options.log?.warn({ notificationMail: mail.id, responseCode: err.responseCode, code: err.code }, 'notification mail not delivered')
      return false
    }
    await notificationMailSent(db, mail.id)
    return true
  }

  /** Waits for this message's turn under the rate limit. */
  private async turn(): Promise<void> {
    const spacing = 1000 / this.options.rate
    const now = Date.now()
    const at = Math.max(now, this.nextSlot)
    this.nextSlot = at + spacing
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now))
  }

  private async deliver(job: ClaimedJob): Promise<boolean> {
    const { db, transport, publicUrl, secret, from } = this.options
    if (job.unsubscribed || (job.kind === 'reminder' && job.used)) {
      await dropJob(db, job)
      return false
    }
    if (this.isPaused(job.organizationId)) {
      await releaseJob(db, job)
      return false
    }
    const unsubscribeUrl = `${publicUrl}/u/${unsubscribeToken(secret, job.invitationId)}`
    const { logo, attachments } = await this.logoOf(job)
    const message = renderMessage({
      locale: job.locale, organization: job.organizationName, side: job.side, kind: job.kind, name: job.name,
      surveyUrl: `${publicUrl}/s/${invitationToken(secret, job.invitationId)}`, unsubscribeUrl, itemCount: job.itemCount,
      brand: { accent: job.branding.accent, logo },
    })
    await this.turn()
    try {
      await transport.send({
        organizationId: job.organizationId, from: surveySender(from, job.senderName), replyTo: job.replyTo ?? undefined, to: job.email, ...message,
        headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        messageId: `<${job.invitationId}.${job.kind}.${job.jobId}@${this.host}>`, ...(attachments.length ? { attachments } : {}),
      })
    } catch (error) {
      const err = error as { message?: string; responseCode?: number; code?: string }
      const text = err.message ?? String(error)
      await this.record(job.organizationId, false)
      if (classifyFailure(err) === 'permanent') await markFailed(db, job, 'bounced', text)
      else if (job.attempts >= MAX_ATTEMPTS) await markFailed(db, job, 'failed', text)
      else await retryLater(db, job, text, backoffMs(job.attempts))
      this.options.log?.warn({ job: job.jobId, responseCode: err.responseCode, code: err.code }, 'mail not delivered')
      return false
    }
    await markSent(db, job)
    await this.record(job.organizationId, true)
    return true
  }

  /**
   * The organization's logo as an image attached to the message and shown from it (cid:), rather than
   * fetched from this server: mail programs show it without "load remote images", and opening the mail
   * tells nobody that it was read. A logo that cannot be read leaves the message without one.
   */
  private async logoOf(job: ClaimedJob): Promise<{ logo: MailBrand['logo']; attachments: Attachment[] }> {
    const saved = job.branding.logo
    if (!saved) return { logo: null, attachments: [] }
    const file = await this.logos.getOrLoad(saved.hash, async () => (await findLogo(this.options.db, saved.hash)) ?? null)
    if (!file) return { logo: null, attachments: [] }
    const cid = `logo.${saved.hash}@${this.host}`
    return {
      logo: { src: `cid:${cid}`, width: saved.width, height: saved.height, alt: job.organizationName },
      attachments: [{ filename: `logo.${LOGO_EXTENSIONS[file.type]}`, contentType: file.type, content: file.bytes, cid }],
    }
  }

  /** Organizations paused while this batch was being sent: the rest of their claimed jobs go back. */
  private pausedOrganizations = new Set<string>()

  private isPaused(organizationId: string) {
    return this.pausedOrganizations.has(organizationId)
  }

  private async record(organizationId: string, ok: boolean): Promise<void> {
    const recent = this.outcomes.get(organizationId) ?? []
    recent.push(ok)
    if (recent.length > PAUSE_WINDOW) recent.shift()
    this.outcomes.set(organizationId, recent)
    if (!ok && shouldPause(recent) && !this.pausedOrganizations.has(organizationId)) {
      this.pausedOrganizations.add(organizationId)
      // Counting starts afresh once someone resumes, wherever they do it.
      this.outcomes.delete(organizationId)
      await pauseSending(this.options.db, organizationId, `${recent.filter((r) => !r).length} of the last ${recent.length} messages failed`)
      this.options.log?.warn({ organizationId }, 'sending paused: too many failures')
    }
  }
}
