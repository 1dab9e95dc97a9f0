// Gap-drift alerts end to end, on both databases: two waves of the same template with designed
// counts on the item "trust" (every other item holds still), loaded through the import API so that
// staff answers join the figures in release steps. Airport kiosk's gap widens from 0 to +55 points;
// Harbour's customers fall from 80% to 50% while its staff barely move; Old town holds still; Tiny's
// customers are too few in the second wave (3, hidden), and Pop-up's two customers are hidden with
// them. The alert pass is run by hand (the app's loop is off): twice at once and again, it stores
// each alert once, queues one mail per subscriber who follows and may read the unit (in their
// language), delivered through a real SMTP server, and one alert_raised event per alert for a
// webhook; nothing of Tiny appears anywhere. The report's Alerts block and the API follow the
// reader's scope; Account → Notifications checks what it is given.
import { expect, it } from 'vitest'
import { smtpTransport } from '../../server/mail/transport.js'
import { MailWorker } from '../../server/mail/worker.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { findUserByEmail } from '../../server/repositories/organizations.js'
import { setManagedUnits } from '../../server/repositories/unit-managers.js'
import type { AlertFigures } from '../../server/domain/gap-drift.js'
import { evaluateAlerts } from '../../server/services/alert-pass.js'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, signedIn, type Browser, type TestContext, type Tenant } from '../helpers/app.js'
import { smtpServer, type Received } from '../helpers/smtp.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const Z = 1.959963984540054

type Side = 'staff' | 'customer'
type Count = [agree: number, n: number]
/** Per unit and wave: the trust item's [agree, n] per side. Every other item: 60% of staff, 50% of customers agree. */
const DESIGN: Record<string, Array<Record<Side, Count>>> = {
  'Airport kiosk': [{ staff: [30, 60], customer: [30, 60] }, { staff: [51, 60], customer: [18, 60] }],
  Harbour: [{ staff: [45, 60], customer: [48, 60] }, { staff: [40, 60], customer: [30, 60] }],
  'Old town': [{ staff: [36, 60], customer: [30, 60] }, { staff: [36, 60], customer: [30, 60] }],
  Tiny: [{ staff: [5, 10], customer: [10, 20] }, { staff: [10, 10], customer: [0, 3] }],
  'Pop-up': [{ staff: [0, 0], customer: [0, 0] }, { staff: [0, 0], customer: [1, 2] }],
}
const WAVES = ['2026-Q3', '2026-Q4']

function rows(wave: number) {
  const out: Array<{ side: Side; unit: string; attributes: Record<string, string>; answers: Record<string, number> }> = []
  for (const [unit, waves] of Object.entries(DESIGN)) {
    for (const side of ['staff', 'customer'] as const) {
      const [trust, n] = waves[wave]![side]
      for (let i = 0; i < n; i++) {
        const others = Math.round((side === 'staff' ? 0.6 : 0.5) * n)
        const answers = Object.fromEntries(KEYS.map((key) => {
          const agrees = i < (key === 'trust' ? trust : others)
          return [key, agrees ? 4 + (i % 2) : 1 + (i % 3)]
        }))
        out.push({ side, unit, attributes: {}, answers })
      }
    }
  }
  return out
}

// An independent reference for the figures the alerts state: Wilson, Newcombe, MOVER.
function wilson([k, n]: Count): [number, number] {
  const p = k / n
  const d = 1 + Z * Z / n
  const c = (p + Z * Z / (2 * n)) / d
  const h = (Z / d) * Math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
  return [c - h, c + h]
}
const p = ([k, n]: Count) => k / n
function mover(s1: Count, c1: Count, s0: Count, c0: Count): [number, number, number] {
  const d = p(s1) - p(c1) - p(s0) + p(c0)
  const [w1, w2, w3, w4] = [wilson(s1), wilson(c1), wilson(s0), wilson(c0)]
  return [d * 100, (d - Math.hypot(p(s1) - w1[0], w2[1] - p(c1), w3[1] - p(s0), p(c0) - w4[0])) * 100, (d + Math.hypot(w1[1] - p(s1), p(c1) - w2[0], p(s0) - w3[0], w4[1] - p(c0))) * 100]
}
function newcombe(a: Count, b: Count): [number, number, number] {
  const [wa, wb] = [wilson(a), wilson(b)]
  const d = p(a) - p(b)
  return [d * 100, (d - Math.hypot(p(a) - wa[0], wb[1] - p(b))) * 100, (d + Math.hypot(wa[1] - p(a), p(b) - wb[0])) * 100]
}

/** The text part of a received message, quoted-printable undone. */
function textOf(message: Received): string {
  const raw = message.raw.replace(/\r\n/g, '\n')
  const part = /Content-Type: text\/plain[^\n]*\n(?:[^\n]+\n)*\n([\s\S]*?)\n--/i.exec(raw)?.[1] ?? ''
  const bytes = part.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  return Buffer.from(bytes, 'latin1').toString('utf8').replace(/\s+/g, ' ')
}
const subjectOf = (message: Received) => /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(message.raw)?.[1]?.replace(/\r\n[ \t]/g, ' ') ?? ''

describeEachDatabase('gap-drift alerts', (ctx: TestContext) => {
  let tenant: Tenant
  let token: string
  let managerToken: string
  const units: Record<string, string> = {}
  const waves: string[] = []
  const people: Record<'admin' | 'analyst' | 'viewer' | 'manager', string> = { admin: '', analyst: '', viewer: '', manager: '' }
  let manager: Browser
  const context = () => ({ config: ctx.config, log: ctx.app.log, now: () => new Date() })
  const api = (url: string, bearerToken = token) => ctx.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: bearer(bearerToken) })

  it('loads two waves of five units through the import API, every staff answer released in steps', async () => {
    tenant = await createTenant(ctx, 'Acme Co')
    token = await apiToken(ctx, tenant.owner.email)
    for (const name of Object.keys(DESIGN)) {
      const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(token), payload: { name } })
      units[name] = created.json().id
    }
    for (const [w, name] of WAVES.entries()) {
      const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name, templateKey: 'service-gap-index' } })
      expect(created.statusCode, created.body).toBe(201)
      waves.push(created.json().id)
      const stored = await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${waves[w]}/responses`, headers: bearer(token), payload: rows(w) })
      expect(stored.statusCode, stored.body.slice(0, 300)).toBe(201)
      let waiting = -1
      for (let attempt = 0; attempt < 100 && waiting !== 0; attempt++) {
        waiting = (await api(`/waves/${waves[w]}/report`)).json().release.staffWaiting
        if (waiting !== 0) await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(waiting, 'every staff answer released').toBe(0)
    }
    const trust = (await api(`/waves/${waves[1]}/report?unit=Tiny`)).json().items.find((i: { key: string }) => i.key === 'trust')
    expect(trust.customer, "Tiny's three customers are hidden").toEqual({ suppressed: true })
    expect(trust.staff).toMatchObject({ agree: 10, n: 10 })

    for (const role of ['admin', 'analyst', 'viewer'] as const) people[role] = await addPerson(ctx, tenant, role)
    people.manager = await addPerson(ctx, tenant, 'unit_manager')
    await setManagedUnits(ctx.database.db, tenant.organizationId, (await findUserByEmail(ctx.database.db, people.manager))!.id, [units.Harbour!])
    managerToken = await apiToken(ctx, people.manager)
    await ctx.database.db.insertInto('webhooks').values({
      organization_id: tenant.organizationId, url: 'https://hooks.example.test/service-gap', secret: 'not used by these tests', events: ['alert_raised', 'response_released'],
    }).execute()
  }, 240_000)

  it('lets each person choose on Account → Notifications, refusing a unit they may not read and keeping what they typed', async () => {
    const account = await signedIn(ctx, people.admin)
    expect((await account.get('/account')).body).toContain('href="/account/notifications"')
    const page = await account.get('/account/notifications')
    expect(page.statusCode).toBe(200)
    for (const name of Object.keys(DESIGN)) expect(page.body).toContain(`value="${units[name]}"`)
    expect((await account.post('/account/notifications', { follow: 'all', alertEmail: 'on', digest: 'close', locale: 'es' })).statusCode).toBe(303)
    const noCsrf = await account.post('/account/notifications', { _csrf: 'forged', follow: 'all', digest: 'off', locale: 'en' })
    expect(noCsrf.statusCode).toBe(403)

    manager = await signedIn(ctx, people.manager)
    const mine = await manager.get('/account/notifications')
    expect(mine.body).toContain(`value="${units.Harbour}"`)
    expect(mine.body, "another unit's id is not even offered").not.toContain(units['Airport kiosk'])
    const refused = await manager.post('/account/notifications', { follow: 'chosen', units: [units['Airport kiosk']!], alertEmail: 'on', digest: 'weekly', locale: 'de' })
    expect(refused.statusCode).toBe(422)
    expect(refused.body).toContain('You can follow only units whose reports you may read')
    expect(refused.body).toMatch(/id="follow-chosen" name="follow" value="chosen" checked/)
    expect(refused.body).toMatch(/id="digest-weekly" name="digest" value="weekly" checked/)
    expect(refused.body).toMatch(/id="locale-de" name="locale" value="de" checked/)
    const bad = await manager.post('/account/notifications', { follow: 'chosen', digest: 'hourly', locale: 'it' })
    expect(bad.statusCode).toBe(422)
    expect(bad.body).toContain('Tick at least one unit')
    expect(bad.body).toContain('Choose when to get the digest')
    expect(bad.body).toContain('Choose the language of your mail')
    expect((await manager.post('/account/notifications', { follow: 'all', alertEmail: 'on', digest: 'close', locale: 'de' })).statusCode).toBe(303)
    expect((await manager.get('/account/notifications?done=saved')).body).toMatch(/id="locale-de" name="locale" value="de" checked/)

    const analyst = await signedIn(ctx, people.analyst)
    await analyst.get('/account/notifications')
    expect((await analyst.post('/account/notifications', { follow: 'all', digest: 'close', locale: 'en' })).statusCode).toBe(303)
    const viewer = await signedIn(ctx, people.viewer)
    await viewer.get('/account/notifications')
    expect((await viewer.post('/account/notifications', { follow: 'chosen', units: [units['Old town']!], alertEmail: 'on', digest: 'off', locale: 'en' })).statusCode).toBe(303)
    const saved = await ctx.database.db.selectFrom('notification_settings').select(['user_id', 'unit_ids', 'alert_email', 'digest', 'locale']).execute()
    expect(saved).toHaveLength(4)
    expect(saved.find((s) => s.locale === 'de')).toMatchObject({ unit_ids: null, alert_email: true })
    expect(saved.find((s) => s.digest === 'off')).toMatchObject({ unit_ids: [units['Old town']], alert_email: true })
  }, 60_000)

  it('stores each alert once, whether the pass runs twice at once or again: the kiosk\'s gap widened, Harbour\'s customers fell', async () => {
    const [first, second] = await Promise.all([evaluateAlerts(ctx.database.db, context()), evaluateAlerts(ctx.database.db, context())])
    expect(first + second, 'two waves looked at, two alerts written, once').toBe(4)
    expect(await evaluateAlerts(ctx.database.db, context())).toBe(0)
    const alerts = await ctx.database.db.selectFrom('alerts').selectAll().orderBy('rule').execute()
    expect(alerts.map((a) => [a.unit_id, a.item_key, a.rule])).toEqual([[units.Harbour, 'trust', 'customers_fell'], [units['Airport kiosk'], 'trust', 'gap_drift']])
    expect(alerts.every((a) => a.wave_id === waves[1] && a.previous_wave_id === waves[0] && a.release_seq >= 1)).toBe(true)

    const kiosk = alerts.find((a) => a.rule === 'gap_drift')!.figures as unknown as AlertFigures
    const [change, low, high] = mover([51, 60], [18, 60], [30, 60], [30, 60])
    expect(kiosk.gap.before).toBeCloseTo(0, 9)
    expect(kiosk.gap.now).toBeCloseTo(55, 9)
    expect(kiosk.change.points).toBeCloseTo(change, 9)
    expect(kiosk.change.ci95[0]).toBeCloseTo(low, 9)
    expect(kiosk.change.ci95[1]).toBeCloseTo(high, 9)
    // 36 cells compared (12 items × 3 units with all four shares shown); the kiosk's p is the smallest: q = 36·p.
    expect(kiosk.change.qValue).toBeCloseTo(Math.min(1, 36 * kiosk.change.pValue), 12)
    const harbour = alerts.find((a) => a.rule === 'customers_fell')!.figures as unknown as AlertFigures
    const [fell, fellLow, fellHigh] = newcombe([30, 60], [48, 60])
    expect(harbour.customerChange.points).toBeCloseTo(fell, 9)
    expect(harbour.customerChange.ci95[0]).toBeCloseTo(fellLow, 9)
    expect(harbour.customerChange.ci95[1]).toBeCloseTo(fellHigh, 9)
    const staff = newcombe([40, 60], [45, 60])
    expect(harbour.staffChange.ci95[0]).toBeCloseTo(staff[1], 9)
    expect(harbour.staffChange.ci95[1]).toBeCloseTo(staff[2], 9)
    for (const figures of [kiosk, harbour]) expect(JSON.stringify(figures)).not.toMatch(/"n"|"agree"/)

    const watch = await ctx.database.db.selectFrom('wave_watch').select(['wave_id', 'evaluated_seq']).execute()
    expect(watch.map((w) => w.wave_id).sort()).toEqual([...waves].sort())
    expect(watch.every((w) => w.evaluated_seq >= 1)).toBe(true)
  }, 120_000)

  it('queues one alert_raised event per alert and one response_released per release step looked at, aggregates only', async () => {
    const deliveries = await ctx.database.db.selectFrom('webhook_deliveries').select(['event', 'payload']).orderBy('id').execute()
    expect(deliveries.map((d) => d.event).sort()).toEqual(['alert_raised', 'alert_raised', 'response_released', 'response_released'])
    const raised = deliveries.filter((d) => d.event === 'alert_raised').map((d) => d.payload as unknown as { data: { unit: { name: string }; waveId: string; itemKey: string } })
    expect(raised.map((r) => r.data.unit.name).sort()).toEqual(['Airport kiosk', 'Harbour'])
    expect(raised.every((r) => r.data.waveId === waves[1] && r.data.itemKey === 'trust')).toBe(true)
    const released = deliveries.filter((d) => d.event === 'response_released').map((d) => d.payload as unknown as { data: Record<string, unknown> })
    expect(released.map((r) => r.data.waveId).sort()).toEqual([...waves].sort())
    expect(released.every((r) => Object.keys(r.data).sort().join() === 'releasedAt,step,waveId')).toBe(true)
    const all = JSON.stringify(deliveries)
    expect(all).not.toContain('Tiny')
    expect(all).not.toContain(units.Tiny!)
    expect(all).not.toMatch(/"n"|"agree"/)
  })

  it('mails each subscriber who follows the unit and may read it, once, in their language, through a real SMTP server', async () => {
    const queued = await ctx.database.db.selectFrom('notification_mails').select(['recipient', 'locale', 'ref']).execute()
    const byRecipient = (email: string) => queued.filter((m) => m.recipient === email).length
    expect(queued).toHaveLength(5)
    expect(byRecipient(tenant.owner.email), 'the owner: both units').toBe(2)
    expect(byRecipient(people.admin), 'the admin: both units, in Spanish').toBe(2)
    expect(byRecipient(people.manager), 'the unit manager: Harbour only').toBe(1)
    expect(byRecipient(people.analyst), 'alert mail off').toBe(0)
    expect(byRecipient(people.viewer), 'follows Old town only').toBe(0)

    const smtp = await smtpServer()
    const transport = smtpTransport(smtp.url)
    const worker = () => new MailWorker({ db: ctx.database.db, transport, publicUrl: ctx.config.publicUrl, secret: ctx.config.signingSecret, from: 'Service Gap <alerts@sg.test>', rate: 1000, staleMs: 60_000 })
    try {
      expect(await worker().runOnce()).toBe(5)
      expect(await evaluateAlerts(ctx.database.db, context())).toBe(0)
      expect(await worker().runOnce()).toBe(0)
    } finally {
      transport.close()
      await smtp.close()
    }
    expect(smtp.received).toHaveLength(5)
    const to = (email: string) => smtp.received.filter((m) => m.to === email).map(textOf)
    const owner = to(tenant.owner.email).join(' | ')
    expect(owner).toContain("In Airport kiosk, the gap on 'I can trust what Acme Co tells me' widened from 0 to +55 points since 2026-Q3 (change +55, 95% interval +31 to +76; very unlikely to be chance).")
    expect(owner).toContain("In Harbour, the customers who agree that 'I can trust what Acme Co tells me' fell from 80% to 50% since 2026-Q3 (change −30 points, 95% interval −45 to −13), while staff's view did not clearly change (75% then, 67% now).")
    expect(owner).toContain(`http://sg.test/waves/${waves[1]}?unit=${units['Airport kiosk']}#alerts`)
    expect(to(people.admin).join(' | ')).toContain('En Airport kiosk, la brecha en «Puedo confiar en lo que me dice Acme Co» se amplió de 0 a +55 puntos desde 2026-Q3')
    const german = to(people.manager)
    expect(german).toHaveLength(1)
    expect(german[0]).toContain('In Harbour ist der Anteil der Kundinnen und Kunden, die „Ich kann mich auf das verlassen, was Acme Co mir sagt“ zustimmen, seit 2026-Q3 von 80% auf 50% gesunken (Veränderung −30 Punkte')
    expect(smtp.received.map(subjectOf).filter((s) => s.includes('Service Gap alert'))).toHaveLength(2)
    expect(smtp.received.map((m) => m.raw).join('\n')).not.toContain('Tiny')
  }, 60_000)

  it('shows the alerts on the wave within the reader\'s scope: the report page and the API', async () => {
    const all = await api(`/waves/${waves[1]}/alerts`)
    expect(all.statusCode, all.body).toBe(200)
    expect(all.json().alerts.map((a: { unit: { name: string }; rule: string }) => `${a.unit.name}:${a.rule}`).sort()).toEqual(['Airport kiosk:gap_drift', 'Harbour:customers_fell'])
    expect(all.json().alerts[0].figures.change.qValue).toBeTypeOf('number')
    expect((await api(`/waves/${waves[1]}/alerts?unit=Airport kiosk`)).json().alerts.map((a: { rule: string }) => a.rule)).toEqual(['gap_drift'])
    expect((await api(`/waves/${waves[1]}/alerts?unit=Nowhere`)).statusCode).toBe(400)
    expect((await api(`/waves/${waves[0]}/alerts`)).json().alerts).toEqual([])
    const managers = await api(`/waves/${waves[1]}/alerts`, managerToken)
    expect(managers.json().alerts.map((a: { unit: { name: string } }) => a.unit.name)).toEqual(['Harbour'])
    expect((await api(`/waves/${waves[1]}/alerts?unit=Airport kiosk`, managerToken)).statusCode).toBe(403)

    const block = (html: string) => {
      const start = html.indexOf('data-block="alerts"')
      expect(start).toBeGreaterThan(-1)
      return html.slice(start, html.indexOf('</section>', start))
    }
    const owner = await signedIn(ctx, tenant.owner.email)
    const whole = block((await owner.get(`/waves/${waves[1]}`)).body)
    expect(whole).toContain('data-answers="filter"')
    expect(whole).toContain('In Airport kiosk, the gap on &#39;I can trust what Acme Co tells me&#39; widened from 0 to +55 points')
    expect(whole).toContain('In Harbour, the customers who agree')
    const filtered = block((await owner.get(`/waves/${waves[1]}?unit=Harbour`)).body)
    expect(filtered).toContain('In Harbour')
    expect(filtered).not.toContain('Airport kiosk')
    const mine = block((await manager.get(`/waves/${waves[1]}`)).body)
    expect(mine).toContain('In Harbour')
    expect(mine).not.toContain('Airport kiosk')
    expect(block((await owner.get(`/waves/${waves[0]}`)).body)).toContain('No alerts in this wave')
    expect(whole + filtered + mine).not.toContain('Tiny')
  }, 60_000)

  it('looks at the wave again when it closes (its closing date passes): Old town\'s customers fell since the last step, and only that is new', async () => {
    // Sixty more Old town customers, none agreeing on trust (half on the rest): customers join at once, staff do not move.
    const more = Array.from({ length: 60 }, (_, i) => ({
      side: 'customer', unit: 'Old town', attributes: {},
      answers: Object.fromEntries(KEYS.map((key) => [key, key !== 'trust' && i < 30 ? 4 : 2])),
    }))
    expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${waves[1]}/responses`, headers: bearer(token), payload: more })).statusCode).toBe(201)
    expect(await evaluateAlerts(ctx.database.db, context()), 'no new step, still open: nothing to look at').toBe(0)
    // The wave closes in an hour; the pass's clock is moved two hours on.
    await ctx.database.db.updateTable('waves').set({ closes_at: new Date(Date.now() + 3_600_000) }).where('id', '=', waves[1]!).execute()
    expect(await evaluateAlerts(ctx.database.db, context()), 'not closed yet').toBe(0)
    const later = { ...context(), now: () => new Date(Date.now() + 7_200_000) }
    expect(await evaluateAlerts(ctx.database.db, later), 'the closing looked at, one new alert').toBe(2)
    expect(await evaluateAlerts(ctx.database.db, later)).toBe(0)
    const alerts = await ctx.database.db.selectFrom('alerts').select(['unit_id', 'rule', 'figures']).where('unit_id', '=', units['Old town']!).execute()
    // Customers 30/60 → 30/120: −25 points, Newcombe −39.07 to −10.11; the gap's change +25 has its lower limit at +2.37, under +5: no drift.
    expect(alerts.map((a) => a.rule)).toEqual(['customers_fell'])
    expect((alerts[0]!.figures as unknown as AlertFigures).customerChange.ci95[1]).toBeCloseTo(newcombe([30, 120], [30, 60])[2], 9)
    const mails = await ctx.database.db.selectFrom('notification_mails').select('recipient').where('ref', '=', `alert:${(await ctx.database.db.selectFrom('alerts').select('id').where('unit_id', '=', units['Old town']!).executeTakeFirstOrThrow()).id}`).execute()
    expect(mails.map((m) => m.recipient).sort()).toEqual([tenant.owner.email, people.admin, people.viewer].sort())
    const events = await ctx.database.db.selectFrom('webhook_deliveries').select('event').execute()
    expect(events.filter((e) => e.event === 'alert_raised')).toHaveLength(3)
    expect(events.filter((e) => e.event === 'response_released'), 'no new step: no new release event').toHaveLength(2)
    const watch = await ctx.database.db.selectFrom('wave_watch').select('closed_evaluated_at').where('wave_id', '=', waves[1]!).executeTakeFirstOrThrow()
    expect(watch.closed_evaluated_at).not.toBeNull()
  }, 60_000)
}, {}, { loop: { worker: false }, mail: { worker: false } })
