// Sending invitations to a real SMTP server started in-process (smtp-server), on both databases.
import { expect, it } from 'vitest'
import { sql } from 'kysely'
import { outboxTransport, smtpTransport, type Transport } from '../../server/mail/transport.js'
import { MailWorker } from '../../server/mail/worker.js'
import { PAUSE_WINDOW } from '../../server/domain/mail.js'
import { apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type TestContext, type Tenant } from '../helpers/app.js'
import { smtpServer } from '../helpers/smtp.js'
import { keptForm } from '../helpers/survey.js'

/** These tests run a worker of their own, pass by pass; one in the background would take their jobs. */
const NO_BACKGROUND_WORKER = { mail: { worker: false } }

function worker(ctx: TestContext, transport: Transport, rate = 1000) {
  return new MailWorker({ db: ctx.database.db, transport, publicUrl: ctx.config.publicUrl, secret: ctx.config.signingSecret, from: 'Surveys <surveys@sg.test>', rate, staleMs: 60_000 })
}

async function addContacts(ctx: TestContext, tenant: Tenant, rows: Array<{ email: string; side: 'staff' | 'customer'; name?: string; locale?: string; attributes?: Record<string, string>; unitId?: string }>) {
  await ctx.database.db.insertInto('contacts').values(rows.map((row) => ({
    organization_id: tenant.organizationId, side: row.side, email: row.email, name: row.name ?? '', locale: row.locale ?? null,
    attributes: JSON.stringify(row.attributes ?? {}), unit_id: row.unitId ?? null,
  }))).execute()
}

const surveyPath = (raw: string) => /http:\/\/sg\.test(\/s\/[A-Za-z0-9_-]{22})/.exec(raw.replace(/=\r\n/g, ''))?.[1]
/** A header's value, with folded lines joined again. */
const header = (raw: string, name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(raw.replace(/\r\n[ \t]+/g, ' '))?.[1]?.trim()

describeEachDatabase('sending invitations', (ctx) => {
  let tenant: Tenant
  let token: string
  let waveId: string
  const invite = (body: object = {}) => ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${waveId}/invitations`, headers: bearer(token), payload: body })
  const counts = async () => (await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/invitations`, headers: bearer(token) })).json().counts

  it('invites every matching, subscribed contact once, and writes each job with its invitation', async () => {
    tenant = await createTenant(ctx, 'Acme & Sons')
    token = await apiToken(ctx, tenant.owner.email)
    waveId = (await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name: 'Q4', templateKey: 'service-gap-index' } })).json().id
    await addContacts(ctx, tenant, [
      { email: 'ana@example.test', side: 'customer', name: 'Ana', locale: 'es', attributes: { tier: 'gold' } },
      { email: 'ben@example.test', side: 'customer', name: 'Ben' },
      { email: 'cleo@example.test', side: 'staff', name: 'Cleo', attributes: { role: 'lead' } },
      { email: 'gone@example.test', side: 'customer' },
    ])
    await ctx.database.db.insertInto('unsubscribes').values({ organization_id: tenant.organizationId, email: 'gone@example.test' }).execute()
    const staffOnly = await invite({ side: 'staff' })
    expect(staffOnly.statusCode).toBe(202)
    expect(staffOnly.json()).toEqual({ queued: 1 })
    expect((await invite()).json()).toEqual({ queued: 2 })
    expect((await invite()).json()).toEqual({ queued: 0 })
    const jobs = await ctx.database.db.selectFrom('mail_jobs').select(['kind', 'status']).execute()
    expect(jobs).toHaveLength(3)
    expect(await counts()).toEqual({ queued: 3, sent: 0, failed: 0, bounced: 0, responded: 0 })
    const stored = await ctx.database.db.selectFrom('invitations').select(['token_hash', 'attributes', 'side']).execute()
    expect(stored.find((i) => i.side === 'staff')!.attributes).toEqual({})
    expect(stored.every((i) => /^[0-9a-f]{64}$/.test(i.token_hash))).toBe(true)
  })

  it('delivers each message once to a real SMTP server, in the contact\'s language, with working one-click unsubscribe headers', async () => {
    const smtp = await smtpServer()
    const transport = smtpTransport(smtp.url)
    try {
      expect(await worker(ctx, transport).runOnce()).toBe(3)
      expect(await worker(ctx, transport).runOnce()).toBe(0)
    } finally {
      transport.close()
      await smtp.close()
    }
    expect(smtp.received.map((m) => m.to).sort()).toEqual(['ana@example.test', 'ben@example.test', 'cleo@example.test'])
    const ana = smtp.received.find((m) => m.to === 'ana@example.test')!.raw
    expect(ana).toMatch(/Subject: =\?UTF-8\?Q\?|Subject: .*Acme/)
    expect(header(ana, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click')
    expect(header(ana, 'List-Unsubscribe')).toMatch(/^<http:\/\/sg\.test\/u\/[0-9a-f-]{36}\.[A-Za-z0-9_-]{22}>$/)
    expect(ana).toContain('Hola, Ana')
    const cleo = smtp.received.find((m) => m.to === 'cleo@example.test')!.raw
    expect(cleo.replace(/=\r\n/g, '')).toContain('anonymous')
    expect(await counts()).toMatchObject({ queued: 0, sent: 3 })

    const survey = await new Browser(ctx.app).get(surveyPath(ana)!)
    expect(survey.statusCode).toBe(200)
    expect(survey.body).toContain('lang="es"')
  })

  it('keeps staff anonymous: the response has no attributes and the invitation only knows it was used', async () => {
    const cleo = (await ctx.database.db.selectFrom('outbox_messages').select('id').execute()).length
    expect(cleo).toBe(0)
    const staffInvitation = await ctx.database.db.selectFrom('invitations').select('id').where('side', '=', 'staff').executeTakeFirstOrThrow()
    const { invitationToken } = await import('../../server/security/tokens.js')
    const path = `/s/${invitationToken(ctx.config.signingSecret, staffInvitation.id)}`
    const browser = new Browser(ctx.app)
    await browser.get(path)
    const form: Record<string, string> = {}
    for (const key of ['excellent_service', 'want_to_help', 'valued', 'can_solve', 'easy', 'promises', 'individual', 'anticipates', 'trust', 'fit', 'asks', 'supported']) form[`a_${key}`] = '4'
    const submission = (await browser.get(path)).body.match(/name="submission" value="([^"]+)"/)![1]!
    expect((await browser.post(path, { ...form, submission })).statusCode).toBe(303)
    const invitation = await ctx.database.db.selectFrom('invitations').select(['used', 'used_at']).where('id', '=', staffInvitation.id).executeTakeFirstOrThrow()
    expect(invitation).toEqual({ used: true, used_at: null })
    // One staff answer waits in the pool (it joins the figures with at least k others), with no attributes.
    const response = (await keptForm(ctx.database.db, submission))!
    expect(response).toMatchObject({ where: 'pool', side: 'staff', attributes: {}, channel: 'invitation' })
    expect(await ctx.database.db.selectFrom('responses').select('id').where('side', '=', 'staff').execute()).toHaveLength(0)
    expect(await counts()).toMatchObject({ responded: 1 })
  })

  it('sends reminders only to those who have not answered, no more than the wave allows', async () => {
    await ctx.database.db.updateTable('invitations').set({ last_sent_at: sql<Date>`now() - interval '5 days'` }).execute()
    await ctx.database.db.updateTable('waves').set({ reminders: 1, reminder_days: 4 }).where('id', '=', waveId).execute()
    const outbox = outboxTransport(ctx.database.db)
    expect(await worker(ctx, outbox).runOnce()).toBe(2)
    const messages = await ctx.database.db.selectFrom('outbox_messages').select(['recipient', 'subject']).execute()
    expect(messages.map((m) => m.recipient).sort()).toEqual(['ana@example.test', 'ben@example.test'])
    expect(messages.find((m) => m.recipient === 'ben@example.test')!.subject).toBe('A reminder: how is Acme & Sons doing?')
    await ctx.database.db.updateTable('invitations').set({ last_sent_at: sql<Date>`now() - interval '9 days'` }).execute()
    expect(await worker(ctx, outbox).runOnce()).toBe(0)
  })

  it('unsubscribes with one click (RFC 8058) or by the button, for good, and cancels what is queued', async () => {
    const message = await ctx.database.db.selectFrom('outbox_messages').select(['headers']).where('recipient', '=', 'ben@example.test').executeTakeFirstOrThrow()
    const url = new URL(message.headers['List-Unsubscribe']!.slice(1, -1))
    const page = await ctx.app.inject({ method: 'GET', url: url.pathname, headers: { accept: 'text/html' } })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Unsubscribe')
    expect(await ctx.database.db.selectFrom('unsubscribes').select('email').where('email', '=', 'ben@example.test').executeTakeFirst()).toBeUndefined()
    const oneClick = await ctx.app.inject({ method: 'POST', url: url.pathname, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    expect(oneClick.statusCode).toBe(200)
    expect(oneClick.body).toContain('You are unsubscribed')
    expect(await ctx.database.db.selectFrom('unsubscribes').select('email').where('email', '=', 'ben@example.test').executeTakeFirst()).toBeDefined()
    const forged = await ctx.app.inject({ method: 'POST', url: url.pathname.slice(0, -3) + 'AAA', payload: '' })
    expect(forged.statusCode).toBe(404)

    const wave2 = (await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name: 'Q5', templateKey: 'service-gap-index' } })).json().id
    const queued = await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${wave2}/invitations`, headers: bearer(token), payload: { side: 'customer' } })
    expect(queued.json()).toEqual({ queued: 1 })
  })

  it('shows the queue and delivery on the wave\'s operations tab and the development outbox to admins', async () => {
    const owner = await signedIn(ctx, tenant.owner.email)
    const page = await owner.get(`/waves/${waveId}/operations`)
    expect(page.body).toContain('data-delivery=')
    expect(page.body).toContain('Invite everyone not yet invited')
    const outbox = await owner.get('/outbox')
    expect(outbox.statusCode).toBe(200)
    expect(outbox.body).toContain('A reminder: how is Acme &amp; Sons doing?')
    const delivery = await owner.get(`/waves/${waveId}/delivery`)
    expect(JSON.parse(delivery.body).counts.sent).toBe(3)
  })
}, {}, NO_BACKGROUND_WORKER)

describeEachDatabase('delivery failures', (ctx) => {
  async function setup(count: number) {
    const tenant = await createTenant(ctx, `Org ${Math.random()}`)
    const token = await apiToken(ctx, tenant.owner.email)
    const waveId = (await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name: 'F', templateKey: 'service-gap-index' } })).json().id
    await addContacts(ctx, tenant, Array.from({ length: count }, (_, i) => ({ email: `p${i}-${tenant.organizationId.slice(0, 8)}@example.test`, side: 'customer' as const })))
    await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${waveId}/invitations`, headers: bearer(token), payload: {} })
    return { tenant, waveId }
  }
  const due = () => ctx.database.db.updateTable('mail_jobs').set({ run_at: sql<Date>`now()` }).where('status', '=', 'pending').execute()

  it('tries again after a temporary (4xx) failure, marks a permanent (5xx) one bounced', async () => {
    const { tenant, waveId } = await setup(2)
    const smtp = await smtpServer((to, attempt) => (to.startsWith('p0-') ? (attempt === 1 ? 451 : 250) : 550))
    const transport = smtpTransport(smtp.url)
    try {
      expect(await worker(ctx, transport).runOnce()).toBe(0)
      const pending = await ctx.database.db.selectFrom('mail_jobs').select(['status', 'attempts', 'run_at', 'last_error']).where('organization_id', '=', tenant.organizationId).where('status', '=', 'pending').execute()
      expect(pending).toHaveLength(1)
      expect(pending[0]!.run_at.getTime()).toBeGreaterThan(Date.now() + 20_000)
      expect(pending[0]!.last_error).toContain('Try again later')
      await due()
      expect(await worker(ctx, transport).runOnce()).toBe(1)
    } finally {
      transport.close()
      await smtp.close()
    }
    expect(smtp.received).toHaveLength(1)
    const statuses = await ctx.database.db.selectFrom('invitations').select(['status', 'error']).where('wave_id', '=', waveId).orderBy('status').execute()
    expect(statuses.map((s) => s.status)).toEqual(['bounced', 'sent'])
    expect(statuses[0]!.error).toContain('Mailbox unavailable')
  })

  it('pauses an organization\'s sending when most messages fail, and resumes when asked', async () => {
    const { tenant } = await setup(PAUSE_WINDOW + 5)
    const smtp = await smtpServer(() => 451)
    const transport = smtpTransport(smtp.url)
    const w = worker(ctx, transport)
    try {
      await w.runOnce()
      const state = await ctx.database.db.selectFrom('mail_state').selectAll().where('organization_id', '=', tenant.organizationId).executeTakeFirstOrThrow()
      expect(state.paused_at).toBeInstanceOf(Date)
      const attempted = await ctx.database.db.selectFrom('mail_jobs').select((eb) => eb.fn.sum<number>('attempts').as('n')).where('organization_id', '=', tenant.organizationId).executeTakeFirstOrThrow()
      // The window fills, and at most the messages already in flight on the other lanes finish.
      expect(Number(attempted.n)).toBeGreaterThanOrEqual(PAUSE_WINDOW)
      expect(Number(attempted.n)).toBeLessThan(PAUSE_WINDOW + transport.connections)
      await due()
      expect(await w.runOnce()).toBe(0)
      const owner = await signedIn(ctx, tenant.owner.email)
      await owner.get('/waves')
      expect((await owner.post('/sending/resume', {})).statusCode).toBe(303)
      const resumed = await ctx.database.db.selectFrom('mail_state').select('paused_at').where('organization_id', '=', tenant.organizationId).executeTakeFirstOrThrow()
      expect(resumed.paused_at).toBeNull()
    } finally {
      transport.close()
      await smtp.close()
    }
  })

  it('sends nothing twice and loses nothing when the worker stops mid-batch or dies holding jobs', async () => {
    const { tenant } = await setup(40)
    await ctx.database.db.deleteFrom('mail_jobs').where('organization_id', '!=', tenant.organizationId).execute()
    const smtp = await smtpServer()
    const ours = () => smtp.received.filter((m) => m.to.endsWith(`-${tenant.organizationId.slice(0, 8)}@example.test`))
    const transport = smtpTransport(smtp.url)
    try {
      const first = worker(ctx, transport, 200)
      const running = first.runOnce()
      while (ours().length < 5) await new Promise((resolve) => setTimeout(resolve, 5))
      await first.stop()
      await running
      const partly = ours().length
      expect(partly).toBeGreaterThan(0)
      expect(partly).toBeLessThan(40)
      // A worker that died while holding claimed jobs leaves them 'sending'; they are taken back.
      await ctx.database.db.updateTable('mail_jobs').set({ status: 'sending', locked_at: sql<Date>`now() - interval '10 minutes'` })
        .where('organization_id', '=', tenant.organizationId).where('status', '=', 'pending').where('id', 'in', (eb) => eb.selectFrom('mail_jobs').select('id').where('status', '=', 'pending').limit(5)).execute()
      await worker(ctx, transport).runOnce()
    } finally {
      transport.close()
      await smtp.close()
    }
    // Other organizations' jobs in this database may go out too; count this organization's only.
    expect(ours().map((m) => m.to).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `p${i}-${tenant.organizationId.slice(0, 8)}@example.test`).sort())
    expect(new Set(ours().map((m) => header(m.raw, 'Message-ID'))).size).toBe(40)
  })
}, {}, NO_BACKGROUND_WORKER)
