// The mail worker as a named plugin. buildApp registers it, so every entry — the server, the demo,
// tests — sends mail the same way: the worker starts when the app is ready and stops when it closes.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Db } from '../../db/connect.js'
import type { Config } from '../config.js'
import { digestAttachments } from './digest-pack.js'
import { outboxTransport, smtpTransport, type Transport } from './transport.js'
import { MailWorker } from './worker.js'

export interface MailOptions {
  /**
   * false builds the app without a background worker. Only for tests that run a MailWorker of their
   * own, pass by pass, and would race one in the background for the same jobs.
   */
  worker?: boolean
  /** Where messages go. By default SMTP when SMTP_URL is set, otherwise the development outbox. */
  transport?: Transport
  /** How often the worker looks for due mail, in milliseconds (default one second). */
  intervalMs?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The running worker, or null when the app was built with `mail: { worker: false }`. */
    mailWorker: MailWorker | null
  }
}

export default fp(async function mail(app: FastifyInstance, opts: MailOptions & { config: Config; db: Db }) {
  const { config, db } = opts
  if (opts.worker === false) {
    app.decorate('mailWorker', null)
    return
  }
  const transport = opts.transport ?? (config.smtpUrl ? smtpTransport(config.smtpUrl) : outboxTransport(db))
  const worker = new MailWorker({
    db, transport, publicUrl: config.publicUrl, secret: config.signingSecret, from: config.mailFrom, rate: config.mailRate, log: app.log,
    // The digest's board pack, printed as its recipient (mail/digest-pack.ts).
    attachmentsFor: digestAttachments(app),
  })
  app.decorate('mailWorker', worker)

  let stopped: Promise<void> | null = null
  app.addHook('onReady', async () => worker.start(opts.intervalMs))
  // No new mail is claimed from the moment closing begins; the message in flight finishes while the
  // requests in flight do, and the transport closes after both, before the caller closes the database.
  app.addHook('preClose', async () => {
    stopped = worker.stop()
  })
  app.addHook('onClose', async () => {
    await (stopped ?? worker.stop())
    transport.close()
  })
}, { name: 'mail', dependencies: ['db'] })
