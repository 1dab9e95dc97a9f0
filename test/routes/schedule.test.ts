// Recurring waves on both databases: the schedule set through the form and the API (refused per field
// when it cannot work), and the schedule pass run with a clock the test moves: the next wave made once
// with the same instrument, units, links and languages, opened on its date with its contacts invited
// (delivered through a real SMTP server, reminders then scheduled), closed on its date, each change
// announced to webhooks exactly once, also when a person opens or closes a wave. And the year's turn:
// 2026-Q4 makes 2027-Q1, which opens on 1 January with nobody signed in.
import { expect, it } from 'vitest'
import { sql } from 'kysely'
import type { LoopContext } from '../../server/loop/plugin.js'
import { smtpTransport } from '../../server/mail/transport.js'
import { MailWorker } from '../../server/mail/worker.js'
import { scheduleReminders } from '../../server/repositories/invitations.js'
import { runSchedule } from '../../server/services/schedule-pass.js'
import { createWaveFromInput } from '../../server/services/waves.js'
import { apiToken, bearer, createTenant, describeEachDatabase, signedIn, type Browser, type TestContext, type Tenant } from '../helpers/app.js'
import { smtpServer } from '../helpers/smtp.js'

const day = (date: Date) => date.toISOString().slice(0, 10)
const quarterStart = (date: Date, quarters = 0) => new Date(Date.UTC(date.getUTCFullYear(), Math.floor(date.getUTCMonth() / 3) * 3 + 3 * quarters, 1))
const quarterName = (date: Date) => `${date.getUTCFullYear()}-Q${Math.floor(date.getUTCMonth() / 3) + 1}`

function passAt(ctx: TestContext, at: () => Date): LoopContext {
  return { config: ctx.config, log: ctx.app.log, now: at }
}

async function addWebhook(ctx: TestContext, tenant: Tenant) {
  await ctx.database.db.insertInto('webhooks').values({
    organization_id: tenant.organizationId, url: 'https://hooks.example.test/in', secret: 'sealed-elsewhere', events: ['wave_opened', 'wave_closed'],
  }).execute()
}

/** The wave events queued for a wave, as "event:by". */
async function eventsOf(ctx: TestContext, waveId: string) {
  const rows = await ctx.database.db.selectFrom('webhook_deliveries').select(['event', 'payload']).orderBy('id').execute()
  return rows.map((row) => row.payload as unknown as { data: { wave: { id: string }; by: string } })
    .map((payload, i) => ({ event: rows[i]!.event, payload }))
    .filter((row) => row.payload.data.wave.id === waveId).map((row) => `${row.event}:${row.payload.data.by}`)
}

async function linksOf(ctx: TestContext, waveId: string) {
  const rows = await ctx.database.db.selectFrom('links').select(['side', 'unit_id']).where('wave_id', '=', waveId).execute()
  return rows.map((row) => `${row.side}:${row.unit_id ?? 'general'}`).sort()
}

describeEachDatabase('recurring waves', (ctx) => {
  const db = () => ctx.database.db
  const now = new Date()
  const thisQuarter = quarterStart(now)
  const nextQuarter = quarterStart(now, 1)
  const afterNext = quarterStart(now, 2)
  let tenant: Tenant
  let browser: Browser
  let units: Record<'a' | 'b' | 'c', string>
  let waveId: string
  let nextId: string

  it('refuses a schedule that cannot work, per field, keeping what was typed (422)', async () => {
    tenant = await createTenant(ctx, 'Repeat & Co')
    await addWebhook(ctx, tenant)
    browser = await signedIn(ctx, tenant.owner.email)
    await browser.get('/waves/new')
    const base = { name: 'Kept name', templateKey: 'service-gap-index', status: 'open', locales: ['en', 'de'] }
    const noDates = await browser.post('/waves', { ...base, repeatEvery: 'quarter', weeklyDigest: 'on' })
    expect(noDates.statusCode).toBe(422)
    expect(noDates.body).toContain('A repeating wave needs an opening date')
    expect(noDates.body).toContain('A repeating wave needs a closing date')
    expect(noDates.body).toContain('value="Kept name"')
    expect(noDates.body).toMatch(/id="repeatEvery-quarter" name="repeatEvery" value="quarter"[^>]* checked/)
    expect(noDates.body).toMatch(/id="weeklyDigest" name="weeklyDigest" checked/)
    const tooLong = await browser.post('/waves', { ...base, repeatEvery: 'month', opensAt: day(thisQuarter), closesAt: day(new Date(nextQuarter.getTime() - 86_400_000)) })
    expect(tooLong.statusCode).toBe(422)
    expect(tooLong.body).toContain('must close within a month of opening')
    const unknown = await browser.post('/waves', { ...base, repeatEvery: 'weekly' })
    expect(unknown.statusCode).toBe(422)
    expect(unknown.body).toContain('Choose no repeat, every month or every quarter.')
    expect(await db().selectFrom('waves').select('id').where('organization_id', '=', tenant.organizationId).execute()).toEqual([])
  })

  it('makes a repeating quarterly wave through the form, with unit links and reminders', async () => {
    const token = await apiToken(ctx, tenant.owner.email)
    const unit = async (name: string) => (await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(token), payload: { name } })).json().id as string
    units = { a: await unit('North'), b: await unit('South'), c: await unit('Closed branch') }
    await browser.get('/waves/new')
    const created = await browser.post('/waves', {
      name: quarterName(now), templateKey: 'service-gap-index', status: 'open', locales: ['en', 'de'], unitLinks: 'on',
      opensAt: day(thisQuarter), closesAt: day(new Date(nextQuarter.getTime() - 86_400_000)), repeatEvery: 'quarter', weeklyDigest: 'on',
    })
    expect(created.statusCode).toBe(303)
    waveId = created.headers.location!.split('/').pop()!
    await browser.get(`/waves/${waveId}/operations`)
    expect((await browser.post(`/waves/${waveId}/reminders`, { reminders: '2', reminderDays: '3' })).statusCode).toBe(303)
    // The closed branch is archived after the wave was made: it keeps its links here, and gets none in the next wave.
    await ctx.app.inject({ method: 'PATCH', url: `/api/v1/units/${units.c}`, headers: bearer(token), payload: { archived: true } })
    const row = await db().selectFrom('waves').selectAll().where('id', '=', waveId).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ status: 'open', repeat_every: 'quarter', weekly_digest: true, repeated_from: null, closes_at: nextQuarter })
    const page = await browser.get(`/waves/${waveId}`)
    expect(page.body).toContain(`Repeats every quarter · next: ${quarterName(nextQuarter)} opens`)
    const settings = await browser.get(`/waves/${waveId}/settings`)
    expect(settings.body).toMatch(/id="repeatEvery-quarter" name="repeatEvery" value="quarter"[^>]* checked/)
    // Opening it announced it: the person's wave_opened.
    expect(await eventsOf(ctx, waveId)).toEqual(['wave_opened:person'])
    await db().insertInto('contacts').values([
      { organization_id: tenant.organizationId, side: 'staff', email: 'staff-north@example.test', name: '', unit_id: units.a },
      { organization_id: tenant.organizationId, side: 'customer', email: 'customer-north@example.test', name: '', unit_id: units.a },
      { organization_id: tenant.organizationId, side: 'customer', email: 'customer-south@example.test', name: '', unit_id: units.b },
      { organization_id: tenant.organizationId, side: 'staff', email: 'staff-closed@example.test', name: '', unit_id: units.c },
      { organization_id: tenant.organizationId, side: 'customer', email: 'gone@example.test', name: '', unit_id: units.b },
    ].map((row) => ({ ...row, side: row.side as 'staff' | 'customer', attributes: JSON.stringify({}) }))).execute()
    await db().insertInto('unsubscribes').values({ organization_id: tenant.organizationId, email: 'gone@example.test' }).execute()
  })

  it('makes the next wave once, with the same instrument, units, links, languages and settings, however often the pass runs', async () => {
    const context = passAt(ctx, () => now)
    const results = await Promise.all([runSchedule(db(), context), runSchedule(db(), context)])
    expect(results.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1)
    expect(await runSchedule(db(), context)).toBe(0)
    const made = await db().selectFrom('waves').selectAll().where('repeated_from', '=', waveId).execute()
    expect(made).toHaveLength(1)
    const original = await db().selectFrom('waves').selectAll().where('id', '=', waveId).executeTakeFirstOrThrow()
    const next = made[0]!
    nextId = next.id
    expect(next).toMatchObject({
      organization_id: tenant.organizationId, name: quarterName(nextQuarter), status: 'draft', instrument_id: original.instrument_id,
      locales: ['en', 'de'], predictions: original.predictions, reminders: 2, reminder_days: 3, repeat_every: 'quarter', weekly_digest: true,
      opens_at: nextQuarter, closes_at: afterNext,
    })
    // The general pair and a pair per unit in use: the archived branch gets no new links.
    expect(await linksOf(ctx, nextId)).toEqual(['customer:general', `customer:${units.a}`, `customer:${units.b}`, 'staff:general', `staff:${units.a}`, `staff:${units.b}`].sort())
    expect(await linksOf(ctx, waveId)).toContain(`staff:${units.c}`)
    const audited = await db().selectFrom('audit_log').select(['action', 'actor_user_id']).where('organization_id', '=', tenant.organizationId).where('action', '=', 'wave_repeated').execute()
    expect(audited).toEqual([{ action: 'wave_repeated', actor_user_id: null }])
    const page = await browser.get(`/waves/${nextId}`)
    expect(page.body).toContain(`Made from <a href="/waves/${waveId}">${quarterName(now)}</a>`)
    const list = await browser.get('/waves')
    expect(list.body).toContain('Scheduled: opens')
    const api = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${nextId}`, headers: bearer(await apiToken(ctx, tenant.owner.email)) })
    expect(api.json()).toMatchObject({ status: 'draft', repeatEvery: 'quarter', repeatedFrom: waveId, weeklyDigest: true, opensAt: nextQuarter.toISOString() })
  })

  it('closes the wave and opens the next on its date, inviting the matching contacts; mail goes out and reminders follow', async () => {
    expect(await db().selectFrom('invitations').select('id').where('wave_id', '=', nextId).execute()).toEqual([])
    const context = passAt(ctx, () => nextQuarter)
    expect(await runSchedule(db(), context)).toBeGreaterThanOrEqual(2)
    const [original, next] = await Promise.all([waveId, nextId].map((id) => db().selectFrom('waves').select(['status']).where('id', '=', id).executeTakeFirstOrThrow()))
    expect(original!.status).toBe('closed')
    expect(next!.status).toBe('open')
    // Both sides, subscribed, not of an archived unit.
    const invited = await db().selectFrom('invitations').innerJoin('contacts', 'contacts.id', 'invitations.contact_id')
      .select('contacts.email').where('invitations.wave_id', '=', nextId).orderBy('contacts.email').execute()
    expect(invited.map((row) => row.email)).toEqual(['customer-north@example.test', 'customer-south@example.test', 'staff-north@example.test'])
    const jobs = await db().selectFrom('mail_jobs').innerJoin('invitations', 'invitations.id', 'mail_jobs.invitation_id')
      .select('mail_jobs.kind').where('invitations.wave_id', '=', nextId).execute()
    expect(jobs.map((job) => job.kind)).toEqual(['invitation', 'invitation', 'invitation'])
    // Again at the same moment: nothing opens, closes or is invited twice.
    await runSchedule(db(), context)
    expect(await db().selectFrom('invitations').select('id').where('wave_id', '=', nextId).execute()).toHaveLength(3)
    expect(await eventsOf(ctx, waveId)).toEqual(['wave_opened:person', 'wave_closed:schedule'])
    expect(await eventsOf(ctx, nextId)).toEqual(['wave_opened:schedule'])

    const smtp = await smtpServer()
    const transport = smtpTransport(smtp.url)
    try {
      const worker = new MailWorker({ db: db(), transport, publicUrl: ctx.config.publicUrl, secret: ctx.config.signingSecret, from: 'Surveys <surveys@sg.test>', rate: 1000, staleMs: 60_000 })
      expect(await worker.runOnce()).toBe(3)
    } finally {
      transport.close()
      await smtp.close()
    }
    expect(smtp.received.map((m) => m.to).sort()).toEqual(['customer-north@example.test', 'customer-south@example.test', 'staff-north@example.test'])
    // Four days later (the wave's reminders are three days apart), each unanswered invitation gets its first reminder.
    await db().updateTable('invitations').set({ last_sent_at: sql<Date>`now() - interval '4 days'` }).where('wave_id', '=', nextId).execute()
    expect(await scheduleReminders(db())).toBe(3)
    const reminders = await db().selectFrom('mail_jobs').innerJoin('invitations', 'invitations.id', 'mail_jobs.invitation_id')
      .select('mail_jobs.kind').where('invitations.wave_id', '=', nextId).where('mail_jobs.kind', '=', 'reminder').execute()
    expect(reminders).toHaveLength(3)
  })

  it('closes the next wave on its closing date, announcing it once', async () => {
    const context = passAt(ctx, () => afterNext)
    await runSchedule(db(), context)
    await runSchedule(db(), context)
    const next = await db().selectFrom('waves').select('status').where('id', '=', nextId).executeTakeFirstOrThrow()
    expect(next.status).toBe('closed')
    expect(await eventsOf(ctx, nextId)).toEqual(['wave_opened:schedule', 'wave_closed:schedule'])
    const audited = await db().selectFrom('audit_log').select(['action', 'target', 'actor_user_id']).where('organization_id', '=', tenant.organizationId)
      .where('action', 'in', ['wave_opened', 'wave_closed']).orderBy('id').execute()
    expect(audited).toEqual([
      { action: 'wave_closed', target: `wave ${quarterName(now)}`, actor_user_id: null },
      { action: 'wave_opened', target: `wave ${quarterName(nextQuarter)}`, actor_user_id: null },
      // The third wave, made when the second opened, opened at the same moment the second closed.
      { action: 'wave_closed', target: `wave ${quarterName(nextQuarter)}`, actor_user_id: null },
      { action: 'wave_opened', target: `wave ${quarterName(afterNext)}`, actor_user_id: null },
    ])
  })

  it('announces a person closing or opening a wave through the page or PATCH, once per change', async () => {
    const token = await apiToken(ctx, tenant.owner.email)
    const make = async (name: string) => (await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name, templateKey: 'service-gap-index' } })).json().id as string
    const byPage = await make('Closed by page')
    const byApi = await make('Closed by PATCH')
    await browser.get(`/waves/${byPage}`)
    expect((await browser.post(`/waves/${byPage}/close`, { confirm: 'yes' })).statusCode).toBe(303)
    expect((await browser.post(`/waves/${byPage}/close`, { confirm: 'yes' })).statusCode).toBe(303)
    expect(await eventsOf(ctx, byPage)).toEqual(['wave_opened:person', 'wave_closed:person'])
    const patch = (payload: object) => ctx.app.inject({ method: 'PATCH', url: `/api/v1/waves/${byApi}`, headers: bearer(token), payload })
    expect((await patch({ status: 'closed' })).statusCode).toBe(200)
    expect((await patch({ status: 'closed' })).statusCode).toBe(200)
    expect((await patch({ status: 'open' })).statusCode).toBe(200)
    expect(await eventsOf(ctx, byApi)).toEqual(['wave_opened:person', 'wave_closed:person', 'wave_opened:person'])
    const payload = (await db().selectFrom('webhook_deliveries').select('payload').where('event', '=', 'wave_closed').orderBy('id', 'desc').executeTakeFirstOrThrow()).payload as unknown as { data: Record<string, unknown> }
    expect(Object.keys(payload.data).sort()).toEqual(['by', 'wave'])
    expect(Object.keys(payload.data.wave as object).sort()).toEqual(['closesAt', 'id', 'name', 'opensAt', 'repeatedFrom'])
  })

  it('takes the schedule through the API: set, returned, and refused per field', async () => {
    const other = await createTenant(ctx, 'Monthly Ltd')
    const token = await apiToken(ctx, other.owner.email)
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
    const monthEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0))
    const bad = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name: 'Pulse', templateKey: 'service-gap-index', repeatEvery: 'month' } })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().details.map((d: { field: string }) => d.field).sort()).toEqual(['closesAt', 'opensAt'])
    const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: {
      name: 'Pulse', templateKey: 'service-gap-index', opensAt: day(monthStart), closesAt: day(monthEnd), repeatEvery: 'month', weeklyDigest: true,
    } })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toMatchObject({ status: 'open', repeatEvery: 'month', repeatedFrom: null, weeklyDigest: true })
    const id = created.json().id as string
    const patch = (payload: object) => ctx.app.inject({ method: 'PATCH', url: `/api/v1/waves/${id}`, headers: bearer(token), payload })
    const tooLong = await patch({ closesAt: day(new Date(monthEnd.getTime() + 20 * 86_400_000)) })
    expect(tooLong.statusCode).toBe(400)
    expect(tooLong.json().details).toEqual([{ field: 'closesAt', message: expect.stringContaining('within a month') }])
    const opened = await patch({ opensAt: day(new Date(monthStart.getTime() + 86_400_000)) })
    expect(opened.statusCode).toBe(400)
    expect(opened.json().details[0].field).toBe('opensAt')
    const quarterly = await patch({ repeatEvery: 'quarter', weeklyDigest: false })
    expect(quarterly.statusCode).toBe(200)
    expect(quarterly.json()).toMatchObject({ repeatEvery: 'quarter', weeklyDigest: false })
    expect((await patch({ repeatEvery: null })).json().repeatEvery).toBeNull()
    // Two passes at once on a second repeating wave make one next wave.
    await patch({ repeatEvery: 'month' })
    const context = passAt(ctx, () => now)
    await Promise.all([runSchedule(db(), context), runSchedule(db(), context), runSchedule(db(), context)])
    const made = await db().selectFrom('waves').select(['name', 'opens_at']).where('repeated_from', '=', id).execute()
    expect(made).toEqual([{ name: `Pulse · ${day(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1))).slice(0, 7)}`, opens_at: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)) }])
  })

  it('turns the year by itself: 2026-Q4 makes 2027-Q1, which opens on 1 January with nobody signed in', async () => {
    const org = await createTenant(ctx, 'New Year plc')
    await addWebhook(ctx, org)
    await db().insertInto('contacts').values({ organization_id: org.organizationId, side: 'customer', email: 'new-year@example.test', name: '', attributes: JSON.stringify({}) }).execute()
    const created = await createWaveFromInput(db(), org.organizationId, {
      name: '2026-Q4', templateKey: 'service-gap-index', opensAt: '2026-10-01', closesAt: '2026-12-31', repeatEvery: 'quarter',
    }, { unitLinks: true, now: new Date('2026-10-01T08:00:00Z') })
    expect(created.ok).toBe(true)
    const q4 = created.ok ? created.value : ''
    let clock = new Date('2026-10-02T00:00:00Z')
    const context = passAt(ctx, () => clock)
    await runSchedule(db(), context)
    const q1 = await db().selectFrom('waves').select(['id', 'name', 'status', 'opens_at', 'closes_at']).where('repeated_from', '=', q4).executeTakeFirstOrThrow()
    expect(q1).toMatchObject({ name: '2027-Q1', status: 'draft', opens_at: new Date('2027-01-01T00:00:00Z'), closes_at: new Date('2027-04-01T00:00:00Z') })
    clock = new Date('2026-12-31T23:59:59Z')
    await runSchedule(db(), context)
    expect((await db().selectFrom('waves').select('status').where('id', '=', q1.id).executeTakeFirstOrThrow()).status).toBe('draft')
    clock = new Date('2027-01-01T00:00:00Z')
    await runSchedule(db(), context)
    const statuses = await db().selectFrom('waves').select(['name', 'status']).where('organization_id', '=', org.organizationId).orderBy('opens_at').execute()
    expect(statuses).toEqual([{ name: '2026-Q4', status: 'closed' }, { name: '2027-Q1', status: 'open' }, { name: '2027-Q2', status: 'draft' }])
    expect(await db().selectFrom('invitations').select('id').where('wave_id', '=', q1.id).execute()).toHaveLength(1)
    expect(await eventsOf(ctx, q4)).toEqual(['wave_opened:person', 'wave_closed:schedule'])
    expect(await eventsOf(ctx, q1.id)).toEqual(['wave_opened:schedule'])
  })
}, {}, { loop: { worker: false }, mail: { worker: false } })
