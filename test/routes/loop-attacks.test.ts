// Attacks on what closing the loop added (issue 16), as an adversary of anonymity and of tenants, on
// both databases. Two waves of one template: the "kiosk" (its name carries HTML, quotes and a line
// break with a Bcc header) sees its gap widen; Harbour holds still and is a unit manager's unit; Small
// has three customers (hidden) in both waves. The manager's stored notification settings still name
// the kiosk (as if they managed it once). Each test says what it tries and what must hold.
import { LOCALES } from '../../server/domain/languages.js'
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import type { AlertFigures } from '../../server/domain/gap-drift.js'
import { smtpTransport } from '../../server/mail/transport.js'
import { MailWorker } from '../../server/mail/worker.js'
import { digestAttachments } from '../../server/mail/digest-pack.js'
import { renderDigestMail } from '../../server/i18n/digest-mail.js'
import { insertActionPlan } from '../../server/repositories/action-plans.js'
import { createPrintSession, resolveSession } from '../../server/repositories/credentials.js'
import { subscribers } from '../../server/repositories/notification-settings.js'
import { findUserByEmail, getOrganization } from '../../server/repositories/organizations.js'
import { setManagedUnits } from '../../server/repositories/unit-managers.js'
import { findWave } from '../../server/repositories/waves.js'
import { evaluateAlerts } from '../../server/services/alert-pass.js'
import { digestFor, startDigestRun } from '../../server/services/digest.js'
import { planEffect } from '../../server/services/plan-effect.js'
import type { FastifyInstance } from 'fastify'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, signedIn, type TestContext, type Tenant } from '../helpers/app.js'
import { smtpServer, type Received } from '../helpers/smtp.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const KIOSK = 'Airport <b>kiosk</b> "Q"\r\nBcc: evil@attacker.test'
const ORG = 'Acme "Q" <i>Co</i>'

type Side = 'staff' | 'customer'
type Count = [agree: number, n: number]
/** The trust item's [agree, n] per side, per wave; every other item: 60% of staff, 50% of customers agree. */
const DESIGN: Record<string, Array<Record<Side, Count>>> = {
  kiosk: [{ staff: [30, 60], customer: [30, 60] }, { staff: [51, 60], customer: [18, 60] }],
  Harbour: [{ staff: [36, 60], customer: [30, 60] }, { staff: [36, 60], customer: [30, 60] }],
  // Twenty a side: its gap turns from −60 to +80 points, clear even for so few.
  Corner: [{ staff: [4, 20], customer: [16, 20] }, { staff: [18, 20], customer: [2, 20] }],
  Small: [{ staff: [0, 0], customer: [2, 3] }, { staff: [0, 0], customer: [1, 3] }],
  // Hidden with Small, so that together they make k and no shown unit is hidden to protect them.
  'Pop-up': [{ staff: [0, 0], customer: [1, 2] }, { staff: [0, 0], customer: [1, 2] }],
}

function answers(side: Side, i: number, trust: number, n: number) {
  const others = Math.round((side === 'staff' ? 0.6 : 0.5) * n)
  return Object.fromEntries(KEYS.map((key) => [key, i < (key === 'trust' ? trust : others) ? 4 + (i % 2) : 1 + (i % 3)]))
}

function rows(wave: number) {
  const out: Array<{ side: Side; unit: string; attributes: Record<string, string>; answers: Record<string, number> }> = []
  for (const [unit, waves] of Object.entries(DESIGN)) {
    for (const side of ['staff', 'customer'] as const) {
      const [trust, n] = waves[wave]![side]
      for (let i = 0; i < n; i++) out.push({ side, unit: unit === 'kiosk' ? KIOSK : unit, attributes: {}, answers: answers(side, i, trust, n) })
    }
  }
  return out
}

const staffRows = (unit: string, count: number) => Array.from({ length: count }, (_, i) => ({ side: 'staff' as const, unit, attributes: {}, answers: answers('staff', i, 1, 2) }))

/** One part of a received message, quoted-printable undone. */
function partOf(message: Received, type: 'plain' | 'html'): string {
  const raw = message.raw.replace(/\r\n/g, '\n')
  const part = new RegExp(`Content-Type: text/${type}[^\\n]*\\n(?:[^\\n]+\\n)*\\n([\\s\\S]*?)\\n--`, 'i').exec(raw)?.[1] ?? ''
  const bytes = part.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  return Buffer.from(bytes, 'latin1').toString('utf8')
}
const headersOf = (message: Received) => message.raw.split('\r\n\r\n')[0]!

describeEachDatabase('attacks on alerts, digests, plan effects and the print session', (ctx: TestContext) => {
  let tenant: Tenant
  let other: Tenant
  let token: string
  let otherToken: string
  let managerToken: string
  const manager = { email: '', id: '' }
  const units: Record<string, string> = {}
  const waves: string[] = []
  let otherWave = ''
  let otherUnit = ''
  const context = () => ({ config: ctx.config, log: ctx.app.log, now: () => new Date() })
  const api = (url: string, bearerToken = token) => ctx.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: bearer(bearerToken) })
  const post = (url: string, payload: unknown, bearerToken = token) => ctx.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: bearer(bearerToken), payload: payload as object })
  const released = async (waveId: string) => {
    let waiting = -1
    for (let attempt = 0; attempt < 100 && waiting !== 0; attempt++) {
      waiting = (await api(`/waves/${waveId}/report`)).json().release.staffWaiting
      if (waiting !== 0) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return waiting
  }
  const trustOf = async (waveId: string, unit: string, bearerToken = token) =>
    (await api(`/waves/${waveId}/report?unit=${encodeURIComponent(unit)}`, bearerToken)).json().items.find((i: { key: string }) => i.key === 'trust')
  const events = async (event: string) => (await ctx.database.db.selectFrom('webhook_deliveries').select(['event', 'payload']).where('event', '=', event).orderBy('id').execute())
    .map((d) => (d.payload as unknown as { data: Record<string, unknown> }).data)

  it('sets up two tenants; the kiosk\'s name with HTML and a line break is accepted as a unit name', async () => {
    tenant = await createTenant(ctx, ORG)
    other = await createTenant(ctx, 'Other Org')
    token = await apiToken(ctx, tenant.owner.email)
    otherToken = await apiToken(ctx, other.owner.email)
    for (const name of Object.keys(DESIGN)) {
      const created = await post('/units', { name: name === 'kiosk' ? KIOSK : name })
      expect(created.statusCode, created.body).toBe(201)
      units[name] = created.json().id
    }
    const elsewhere = await post('/units', { name: 'Elsewhere' }, otherToken)
    otherUnit = elsewhere.json().id
    otherWave = (await post('/waves', { name: 'Theirs', templateKey: 'service-gap-index' }, otherToken)).json().id
    for (const [w, name] of ['2026-Q3', '2026-Q4'].entries()) {
      const created = await post('/waves', { name, templateKey: 'service-gap-index' })
      expect(created.statusCode, created.body).toBe(201)
      waves.push(created.json().id)
      const stored = await post(`/waves/${waves[w]}/responses`, rows(w))
      expect(stored.statusCode, stored.body.slice(0, 300)).toBe(201)
      expect(await released(waves[w]!)).toBe(0)
    }
    expect((await trustOf(waves[1]!, 'Small')).customer).toEqual({ suppressed: true })
    expect((await trustOf(waves[1]!, 'Harbour')).customer).toMatchObject({ agree: 30, n: 60 })

    manager.email = await addPerson(ctx, tenant, 'unit_manager')
    manager.id = (await findUserByEmail(ctx.database.db, manager.email))!.id
    await setManagedUnits(ctx.database.db, tenant.organizationId, manager.id, [units.Harbour!])
    managerToken = await apiToken(ctx, manager.email)
    // Settings saved while the manager still had the kiosk: the form would refuse them now.
    await ctx.database.db.insertInto('notification_settings').values({
      user_id: manager.id, organization_id: tenant.organizationId, unit_ids: [units.kiosk!], alert_email: true, digest: 'close', locale: 'en',
    }).execute()
    await ctx.database.db.insertInto('webhooks').values({
      organization_id: tenant.organizationId, url: 'https://hooks.example.test/sg', secret: 'unused', events: ['alert_raised', 'response_released'],
    }).execute()
  }, 120_000)

  it('raises the kiosk\'s alert with figures equal to the released report, and mails no one who may not read the kiosk (stale settings)', async () => {
    expect(await evaluateAlerts(ctx.database.db, context())).toBeGreaterThan(0)
    const alerts = await ctx.database.db.selectFrom('alerts').selectAll().execute()
    expect(alerts.map((a) => [a.unit_id, a.item_key, a.rule]).sort()).toEqual([[units.kiosk, 'trust', 'gap_drift'], [units.Corner, 'trust', 'gap_drift']].sort())
    const figures = alerts.find((a) => a.unit_id === units.kiosk)!.figures as unknown as AlertFigures
    const [now, before] = [await trustOf(waves[1]!, units.kiosk!), await trustOf(waves[0]!, units.kiosk!)]
    expect(figures.staff.now).toBeCloseTo(now.staff.agree / now.staff.n, 12)
    expect(figures.customer.now).toBeCloseTo(now.customer.agree / now.customer.n, 12)
    expect(figures.staff.before).toBeCloseTo(before.staff.agree / before.staff.n, 12)

    const mails = await ctx.database.db.selectFrom('notification_mails').select(['recipient', 'user_id']).execute()
    expect(mails.map((m) => m.recipient)).toEqual([tenant.owner.email, tenant.owner.email])
    const raised = await events('alert_raised')
    expect(raised).toHaveLength(2)
    expect(JSON.stringify(raised)).not.toContain(units.Small!)
    expect(JSON.stringify(raised)).not.toMatch(/"n"|"agree"/)
  }, 60_000)

  it('over time: 1 … k−1 more staff of the kiosk change nothing anyone reads — report, alerts, events — until k have come', async () => {
    const before = { trust: await trustOf(waves[1]!, units.kiosk!), alerts: (await api(`/waves/${waves[1]}/alerts`)).json(), releases: (await events('response_released')).length }
    for (let added = 1; added < 5; added++) {
      expect((await post(`/waves/${waves[1]}/responses`, staffRows(KIOSK, 1))).statusCode).toBe(201)
      expect(await evaluateAlerts(ctx.database.db, context()), `after ${added} more: nothing to look at`).toBe(0)
      expect((await trustOf(waves[1]!, units.kiosk!)).staff).toEqual(before.trust.staff)
      expect((await api(`/waves/${waves[1]}/alerts`)).json()).toEqual(before.alerts)
      expect((await events('response_released')).length).toBe(before.releases)
    }
    expect((await post(`/waves/${waves[1]}/responses`, staffRows(KIOSK, 1))).statusCode).toBe(201)
    expect(await released(waves[1]!)).toBe(0)
    expect((await trustOf(waves[1]!, units.kiosk!)).staff.n, 'the fifth makes a step of five').toBe(before.trust.staff.n + 5)
    expect(await evaluateAlerts(ctx.database.db, context())).toBeGreaterThan(0)
    const steps = await events('response_released')
    expect(steps).toHaveLength(before.releases + 1)
    expect(Object.keys(steps.at(-1)!).sort()).toEqual(['releasedAt', 'step', 'waveId'])
  }, 60_000)

  it('never announces a release of fewer than k staff: a new wave with four answers gets no response_released', async () => {
    const quiet = (await post('/waves', { name: '2027-Q1', templateKey: 'service-gap-index' })).json().id as string
    expect((await post(`/waves/${quiet}/responses`, staffRows('Harbour', 4))).statusCode).toBe(201)
    await evaluateAlerts(ctx.database.db, context())
    expect((await events('response_released')).filter((e) => e.waveId === quiet)).toEqual([])
    expect((await post(`/waves/${quiet}/responses`, staffRows('Harbour', 1))).statusCode).toBe(201)
    expect(await released(quiet)).toBe(0)
    await evaluateAlerts(ctx.database.db, context())
    expect((await events('response_released')).filter((e) => e.waveId === quiet).map((e) => e.step)).toEqual([1])
    await ctx.database.db.deleteFrom('responses').where('wave_id', '=', quiet).execute()
    await ctx.database.db.deleteFrom('waves').where('id', '=', quiet).execute()
  }, 60_000)

  it('keeps the alerts API within the reader\'s scope and tenant; malformed ids and filters are 400/404, never 500', async () => {
    const alerts = (url: string, bearerToken = token) => api(`/waves/${url}`, bearerToken)
    expect((await alerts(`${waves[1]}/alerts`, managerToken)).json()).toEqual({ alerts: [] })
    expect((await alerts(`${waves[1]}/alerts?unit=${units.kiosk}`, managerToken)).statusCode).toBe(403)
    expect((await alerts(`${waves[1]}/alerts?unit=${otherUnit}`, managerToken)).statusCode).toBe(403)
    expect((await alerts(`${waves[1]}/alerts?unit=${otherUnit}`)).statusCode).toBe(400)
    expect((await alerts(`${waves[1]}/alerts?unit=Elsewhere`)).statusCode).toBe(400)
    expect((await alerts(`${waves[1]}/alerts`, otherToken)).statusCode, "another organization's wave").toBe(404)
    expect((await alerts(`${otherWave}/alerts`)).statusCode).toBe(404)
    expect((await alerts('not-a-uuid/alerts')).statusCode).toBe(400)
    expect((await alerts('00000000-0000-0000-0000-000000000000/alerts')).statusCode).toBe(404)
    expect((await alerts(`${waves[1]}/alerts?unit=${'x'.repeat(201)}`)).statusCode).toBe(400)
    const twice = await alerts(`${waves[1]}/alerts?unit=Harbour&unit=Small`)
    expect(twice.statusCode, twice.body).toBe(400)
    expect(twice.json()).toHaveProperty('error')
    expect((await alerts(`${waves[1]}/alerts?unit=%00`)).statusCode).toBeLessThan(500)
    const mine = await alerts(`${waves[1]}/alerts`)
    expect(mine.json().alerts.map((a: { unit: { id: string } }) => a.unit.id).sort()).toEqual([units.kiosk, units.Corner].sort())

    const page = await signedIn(ctx, manager.email)
    expect((await page.get(`/waves/${waves[1]}?unit=${units.kiosk}`)).statusCode).toBe(403)
    const own = await page.get(`/waves/${waves[1]}`)
    expect(own.statusCode).toBe(200)
    expect(own.body).not.toContain('kiosk')
    const ownerPage = await signedIn(ctx, tenant.owner.email)
    // The page says what it could not use and shows the whole wave (the report's own rule), never a 500 nor another tenant's unit.
    const notices: Array<[string, string]> = [
      [`unit=${otherUnit}`, `There is no unit &quot;${otherUnit}&quot; in your organization.`],
      ['unit=Harbour&unit=Small', 'The filter &quot;unit&quot; is given more than once'],
      [`unit=${'x'.repeat(300)}`, 'The filter &quot;unit&quot; needs a value (at most 200 characters)'],
    ]
    for (const [query, notice] of notices) {
      const response = await ownerPage.get(`/waves/${waves[1]}?${query}`)
      expect(response.statusCode, query.slice(0, 60)).toBe(200)
      expect(response.body).toContain(notice)
      expect(response.body).not.toContain('Elsewhere')
    }
    expect((await ownerPage.get(`/waves/${waves[1]}?unit=%00`)).statusCode).toBe(200)
    const board = await ownerPage.get(`/waves/${waves[1]}`)
    expect(board.body).toContain('Airport &lt;b&gt;kiosk&lt;/b&gt;')
    expect(board.body).not.toContain('<b>kiosk')
  }, 60_000)

  it('refuses garbage on Account → Notifications with clear errors, never a 500, and saves nothing', async () => {
    const browser = await signedIn(ctx, manager.email)
    await browser.get('/account/notifications')
    const stored = () => ctx.database.db.selectFrom('notification_settings').select(['unit_ids', 'digest', 'locale']).where('user_id', '=', manager.id).executeTakeFirstOrThrow()
    const was = await stored()
    const cases: Array<[Record<string, string | string[]>, string]> = [
      [{ follow: 'chosen', units: [otherUnit], alertEmail: 'on', digest: 'close', locale: 'en' }, 'You can follow only units whose reports you may read'],
      [{ follow: 'chosen', units: Array.from({ length: 3000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`), digest: 'close', locale: 'en' }, 'Tick at most 500 units, or choose to follow every unit.'],
      [{ follow: 'chosen', units: [units.Harbour!, 'not-a-uuid'], digest: 'close', locale: 'en' }, 'You can follow only units whose reports you may read'],
      [{ follow: ['all', 'chosen'], digest: ['close', 'weekly'], locale: ['en', 'de'] }, 'Choose whether to follow every unit'],
      [{ follow: '"><script>alert(1)</script>', digest: '<img src=x>', locale: '\r\nX: y' }, 'Choose when to get the digest'],
    ]
    for (const [form, message] of cases) {
      const response = await browser.post('/account/notifications', form)
      expect(response.statusCode, JSON.stringify(form).slice(0, 80)).toBe(422)
      expect(response.body).toContain(message)
      expect(response.body).not.toContain('<script>alert(1)')
      expect(response.body).not.toContain('<img src=x>')
      expect(response.body).not.toContain(otherUnit)
    }
    expect((await browser.post('/account/notifications', { _csrf: '', follow: 'all', digest: 'off', locale: 'en' })).statusCode).toBe(403)
    const json = await browser.request({ method: 'POST', url: '/account/notifications', payload: { follow: 'all', digest: 'off', locale: 'en' } })
    expect(json.statusCode, 'a JSON post without the CSRF token').toBe(403)
    expect(await stored()).toEqual(was)
  }, 60_000)

  it('keeps the kiosk\'s name one line in subjects and escaped in HTML, in alert mail through real SMTP', async () => {
    const smtp = await smtpServer()
    const transport = smtpTransport(smtp.url)
    try {
      const worker = new MailWorker({ db: ctx.database.db, transport, publicUrl: ctx.config.publicUrl, secret: ctx.config.signingSecret, from: 'Service Gap <alerts@sg.test>', rate: 1000, staleMs: 60_000 })
      expect(await worker.runOnce()).toBe(2)
    } finally {
      transport.close()
      await smtp.close()
    }
    const message = smtp.received.find((m) => m.raw.includes('kiosk'))
    const headers = headersOf(message!)
    expect(headers).not.toMatch(/^Bcc:/im)
    expect(message!.to).toBe(tenant.owner.email)
    const html = partOf(message!, 'html')
    expect(html).toContain('Airport &lt;b&gt;kiosk&lt;/b&gt; &quot;Q&quot;')
    expect(html).not.toContain('<b>kiosk')
    expect(html).toContain('Acme &quot;Q&quot; &lt;i&gt;Co&lt;/i&gt;')
    expect(html).not.toContain('<i>Co')
  }, 60_000)

  it('plan effects: hidden units are never controls, a unit manager\'s controls are their own units, and another unit\'s plan shows them nothing', async () => {
    const organization = await getOrganization(ctx.database.db, tenant.organizationId)
    const base = { waveId: waves[0]!, itemKey: 'trust', dimension: null, owner: 'Ops', change: 'Train', dueOn: null, createdBy: null }
    const harbour = await insertActionPlan(ctx.database.db, tenant.organizationId, { ...base, unitId: units.Harbour! })
    const kiosk = await insertActionPlan(ctx.database.db, tenant.organizationId, { ...base, itemKey: 'clarity', unitId: units.kiosk! })
    const owner = { organizationId: tenant.organizationId, userId: tenant.owner.userId, role: 'owner' as const }
    const managerReader = { organizationId: tenant.organizationId, userId: manager.id, role: 'unit_manager' as const }

    const byOwner = await planEffect(ctx.database.db, organization, harbour, owner)
    expect(byOwner.points[0]!.differenceInDifferences?.controls, 'the kiosk and Corner: Small and Pop-up are hidden').toBe(2)
    const byManager = await planEffect(ctx.database.db, organization, harbour, managerReader)
    expect(byManager.points[0]!.customerChange).not.toBeNull()
    expect(byManager.points[0]!.differenceInDifferences, 'no control the manager may not read').toBeNull()
    const notTheirs = await planEffect(ctx.database.db, organization, kiosk, managerReader)
    expect(notTheirs.verdict).toBeNull()
    expect(notTheirs.points.every((p) => p.customerChange === null && p.gapChange === null && p.differenceInDifferences === null)).toBe(true)

    // The manager's digest: Harbour only (their stale choice of the kiosk does not widen it), its plans only, the pack narrowed to it.
    const wave = (await findWave(ctx.database.db, tenant.organizationId, waves[1]!))!
    const run = await startDigestRun(ctx.database.db, organization, wave, 'close')
    const subscriber = (await subscribers(ctx.database.db, tenant.organizationId)).find((s) => s.userId === manager.id)!
    const digest = (await digestFor(ctx.database.db, run, subscriber))!
    expect(digest.packQuery).toBe('?unit=Harbour')
    expect(digest.scope).toEqual({ kind: 'unit', unit: 'Harbour' })
    const all = JSON.stringify(digest)
    expect(all).not.toContain('kiosk')
    expect(all).not.toContain(units.kiosk!)
    expect(all).not.toContain('Small')
    expect(all).not.toContain('Pop-up')

    // Someone following only the kiosk: its name in the digest's subject stays one line, escaped in the HTML.
    const owner1 = (await subscribers(ctx.database.db, tenant.organizationId)).find((s) => s.userId === tenant.owner.userId)!
    const kioskDigest = (await digestFor(ctx.database.db, run, { ...owner1, unitIds: [units.kiosk!] }))!
    expect(kioskDigest.scope).toEqual({ kind: 'unit', unit: KIOSK })
    expect(kioskDigest.packQuery).toBe(`?${new URLSearchParams({ unit: KIOSK })}`)
    for (const locale of LOCALES) {
      const mail = renderDigestMail(kioskDigest as unknown as Record<string, unknown>, { locale, publicUrl: 'http://sg.test' })
      expect(mail.subject).not.toMatch(/[\r\n]/)
      expect(mail.subject).toContain('Airport <b>kiosk</b> "Q" Bcc: evil@attacker.test')
      expect(mail.html).toContain('Airport &lt;b&gt;kiosk&lt;/b&gt; &quot;Q&quot;')
      expect(mail.html).not.toMatch(/<b>kiosk|<i>Co/)
      expect(mail.html).toContain(`http://sg.test/waves/${waves[1]}?unit=Airport+%3Cb%3Ekiosk%3C%2Fb%3E+%22Q%22%0D%0ABcc`)
    }
  }, 60_000)

  it('the print session: not a sign-in, expires on its own, deleted after printing even when printing fails, and is the recipient\'s', async () => {
    const db = ctx.database.db
    const lastLogin = async () => (await db.selectFrom('users').select('last_login_at').where('id', '=', manager.id).executeTakeFirstOrThrow()).last_login_at
    const sessions = async () => Number((await db.selectFrom('sessions').select((eb) => eb.fn.countAll().as('c')).executeTakeFirstOrThrow()).c)
    const loginBefore = await lastLogin()
    const start = new Date()
    const printed = await createPrintSession(db, manager.id, tenant.organizationId, 60_000, start)
    expect(await lastLogin()).toEqual(loginBefore)
    expect((await resolveSession(db, printed, new Date(start.getTime() + 1000)))?.userId).toBe(manager.id)
    expect(await resolveSession(db, printed, new Date(start.getTime() + 61_000))).toBeNull()
    expect(await resolveSession(db, printed, start), 'gone once seen expired').toBeNull()

    const count = await sessions()
    const seen: Array<string | null> = []
    const fakeApp = (outcome: 'fail' | 'throw') => ({
      db, config: ctx.config, hasDecorator: () => true, packPdf: { available: true },
      boardPack: async ({ credentials, query }: { credentials: { cookie: string }; query: string }) => {
        const value = credentials.cookie.split('=').slice(1).join('=')
        seen.push(`${(await resolveSession(db, value))?.userId ?? null} ${query}`)
        if (outcome === 'throw') throw new Error('printer crashed')
        return { kind: 'failed', error: new Error('timed out') }
      },
    }) as unknown as FastifyInstance
    const mail = {
      id: 1, organizationId: tenant.organizationId, userId: manager.id, kind: 'digest' as const, ref: 'digest:x', recipient: manager.email, locale: 'en',
      params: { waveId: waves[1]!, packQuery: '?unit=Harbour' }, attempts: 0,
    }
    for (const outcome of ['fail', 'throw'] as const) {
      await expect(digestAttachments(fakeApp(outcome))(mail)).rejects.toThrow()
      expect(await sessions(), `no session left after "${outcome}"`).toBe(count)
    }
    expect(seen).toEqual([`${manager.id} ?unit=Harbour`, `${manager.id} ?unit=Harbour`])
    // Another organization's wave named in a forged mail row: no session is made at all.
    await expect(digestAttachments(fakeApp('throw'))({ ...mail, params: { waveId: otherWave, packQuery: '' } })).resolves.toEqual([])
    expect(seen).toHaveLength(2)
  }, 60_000)

  it('hides a stored alert once its unit\'s figures are hidden: the minimum group size raised to 25 hides Corner\'s twenty', async () => {
    const listed = async () => (await api(`/waves/${waves[1]}/alerts`)).json().alerts.map((a: { unit: { id: string } }) => a.unit.id).sort()
    expect(await listed()).toEqual([units.kiosk, units.Corner].sort())
    await ctx.database.db.updateTable('organizations').set({ min_group_size: 25 }).where('id', '=', tenant.organizationId).execute()
    expect((await trustOf(waves[1]!, 'Corner')).staff, 'the report hides Corner now').toEqual({ suppressed: true })
    // The kiosk's alert stays exactly when the report still shows its four shares (secondary suppression may hide it too).
    const shown = async (unit: string) => (await Promise.all(waves.map((w) => trustOf(w, unit)))).every((t) => !t.staff.suppressed && !t.customer.suppressed)
    const expected = (await shown(units.kiosk!)) ? [units.kiosk] : []
    expect(await listed(), "the alert's intervals would give Corner's twenty away").toEqual(expected)
    const owner = await signedIn(ctx, tenant.owner.email)
    const board = await owner.get(`/waves/${waves[1]}`)
    const start = board.body.indexOf('id="alerts"')
    expect(start).toBeGreaterThan(0)
    const block = board.body.slice(start, board.body.indexOf('</section>', start))
    expect(block).not.toContain('Corner')
    await ctx.database.db.updateTable('organizations').set({ min_group_size: 5 }).where('id', '=', tenant.organizationId).execute()
    expect(await listed(), 'shown again with its figures').toEqual([units.kiosk, units.Corner].sort())
  }, 60_000)
}, {}, { loop: { worker: false }, mail: { worker: false } })
