// A whole quarter and the next, end to end on both databases, with nobody at the keyboard between the
// steps a person really takes: a repeating quarterly wave is made through the API, the schedule opens
// it and invites the contacts (mail through a real SMTP server), staff and customers answer, the
// release steps run, a leader makes an action plan for North on "trust", the schedule makes the next
// wave, closes this one and sends the closing digest; on its date the next wave opens and invites
// again; North's customers come round on trust while South's gap widens; at the close the alert pass
// raises exactly one alert (South, gap drift), the plan's verdict is "worked" with a
// difference-in-differences against South and East, the digests carry it, and a real HTTP receiver
// gets every event signed, once per delivery id. The clock the loop's passes follow is moved by the
// test (the requests themselves run at the real time, so the waves' dates are set around today).
import { afterAll, expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import type { LoopContext } from '../../server/loop/plugin.js'
import { findUserByEmail } from '../../server/repositories/organizations.js'
import { saveNotificationSettings } from '../../server/repositories/notification-settings.js'
import { setManagedUnits } from '../../server/repositories/unit-managers.js'
import { evaluateAlerts } from '../../server/services/alert-pass.js'
import { queueDigests } from '../../server/services/digest-pass.js'
import { runSchedule } from '../../server/services/schedule-pass.js'
import { deliverWebhooks } from '../../server/webhooks/worker.js'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, type TestContext } from '../helpers/app.js'
import { readMessage } from '../helpers/mime.js'
import { smtpServer } from '../helpers/smtp.js'
import { startReceiver } from '../helpers/webhook-receiver.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const UNITS = ['North', 'South', 'East'] as const
type Side = 'staff' | 'customer'
type Count = [agree: number, n: number]
/** "trust" per unit and wave, [agree, n] per side; every other item: 12 of 20 staff and 15 of 30 customers agree, both waves. */
const TRUST: Record<(typeof UNITS)[number], [Record<Side, Count>, Record<Side, Count>]> = {
  // The plan's unit: customers from 9 to 24 of 30 while staff hold at 16 of 20 — the gap closes.
  North: [{ staff: [16, 20], customer: [9, 30] }, { staff: [16, 20], customer: [24, 30] }],
  // Staff grow surer while customers fall: the gap widens from +10 to +75 points.
  South: [{ staff: [12, 20], customer: [15, 30] }, { staff: [19, 20], customer: [6, 30] }],
  East: [{ staff: [12, 20], customer: [15, 30] }, { staff: [12, 20], customer: [15, 30] }],
}

function rows(wave: 0 | 1) {
  const out: Array<{ side: Side; unit: string; answers: Record<string, number> }> = []
  for (const unit of UNITS) {
    for (const side of ['staff', 'customer'] as const) {
      const [trust, n] = TRUST[unit][wave][side]
      const others = side === 'staff' ? 12 : 15
      for (let i = 0; i < n; i++) {
        out.push({ side, unit, answers: Object.fromEntries(KEYS.map((key) => [key, i < (key === 'trust' ? trust : others) ? 4 + (i % 2) : 1 + (i % 3)])) })
      }
    }
  }
  return out
}

const DAY = 86_400_000
const day = (at: Date) => at.toISOString().slice(0, 10)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
async function eventually(check: () => boolean | Promise<boolean>, ms = 20_000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (await check()) return true
  return check()
}

const smtp = await smtpServer()
const receiver = await startReceiver()
afterAll(async () => {
  await smtp.close()
  await receiver.close()
})

describeEachDatabase('a quarter simulated end to end', (ctx: TestContext) => {
  let token: string
  let owner: string
  let manager: string
  let planId: string
  const units: Record<string, string> = {}
  const waves: string[] = []
  const opens = new Date(Date.now() - 20 * DAY)
  const closes = new Date(Date.now() + 10 * DAY)
  let clock = new Date()
  const loop = (): LoopContext => ({ config: ctx.config, log: ctx.app.log, now: () => clock })
  const api = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, who = token) => {
    const response = await ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(who), ...(payload === undefined ? {} : { payload: payload as object }) })
    expect(response.statusCode, `${method} ${url}: ${response.body.slice(0, 300)}`).toBeLessThan(300)
    return response.json()
  }
  const mailTo = (email: string) => smtp.received.filter((m) => m.to === email).map((m) => readMessage(m.raw))
  const invitationsOf = async (waveId: string) => ctx.database.db.selectFrom('invitations').select(['id', 'status']).where('wave_id', '=', waveId).execute()
  const allReleased = async (waveId: string) => eventually(async () => (await api('GET', `/waves/${waveId}/report`)).release.staffWaiting === 0)

  it('sets up the organization: three units, contacts on both sides, a leader per unit, a webhook to a real receiver', async () => {
    const tenant = await createTenant(ctx, 'Harbour & Co')
    owner = tenant.owner.email
    token = await apiToken(ctx, owner)
    for (const name of UNITS) units[name] = (await api('POST', '/units', { name })).id
    const contacts = UNITS.flatMap((unit) => (['staff', 'customer'] as const).flatMap((side) => [1, 2].map((i) => ({
      email: `${side}-${i}@${unit.toLowerCase()}.example`, side, unit, name: `${unit} ${side} ${i}`,
    }))))
    expect((await api('POST', '/contacts', contacts)).created).toBe(12)
    manager = await addPerson(ctx, tenant, 'unit_manager')
    const managerId = (await findUserByEmail(ctx.database.db, manager))!.id
    await setManagedUnits(ctx.database.db, tenant.organizationId, managerId, [units.North!])
    await saveNotificationSettings(ctx.database.db, tenant.organizationId, { userId: managerId, unitIds: null, alertEmail: true, digest: 'close', locale: 'es' })
    const hook = await api('POST', '/webhooks', { url: `${receiver.url}/quarter-${ctx.kind}`, events: ['response_released', 'wave_opened', 'wave_closed', 'alert_raised', 'plan_changed'] })
    receiver.secret = hook.secret
  })

  it('makes a repeating quarterly wave; the schedule opens it and invites every contact, delivered by mail', async () => {
    const wave = await api('POST', '/waves', {
      name: '2026-Q4', templateKey: 'service-gap-index', status: 'draft', opensAt: day(opens), closesAt: day(closes), repeatEvery: 'quarter',
    })
    waves.push(wave.id)
    expect(wave).toMatchObject({ repeatEvery: 'quarter', repeatedFrom: null })
    clock = new Date()
    await runSchedule(ctx.database.db, loop())
    expect((await api('GET', `/waves/${wave.id}`)).status).toBe('open')
    expect(await invitationsOf(wave.id)).toHaveLength(12)
    expect(await eventually(() => smtp.received.filter((m) => m.to.endsWith(`.example`)).length >= 12)).toBe(true)
  })

  it('takes the first quarter\'s answers, releases the staff figures in steps, and a leader plans for North on trust', async () => {
    await api('POST', `/waves/${waves[0]}/responses`, rows(0))
    expect(await allReleased(waves[0]!)).toBe(true)
    const north = await api('GET', `/waves/${waves[0]}/report?unit=${units.North}`)
    const trust = north.items.find((item: { key: string }) => item.key === 'trust')
    expect(trust.staff).toMatchObject({ agree: 16, n: 20 })
    expect(trust.customer).toMatchObject({ agree: 9, n: 30 })
    const plan = await api('POST', '/plans', {
      waveId: waves[0], unitId: units.North, itemKey: 'trust', owner: 'Dana Reyes', change: 'Say what a repair will cost before starting it', dueOn: day(new Date(Date.now() + 60 * DAY)),
    })
    planId = plan.id
    // The next wave exists already (made when this one opened) but is not a later wave until it opens.
    expect(plan.effect).toMatchObject({ points: [], verdict: null })
  }, 120_000)

  it('makes the next wave while this one runs, closes this one on its date and sends the closing digest', async () => {
    await runSchedule(ctx.database.db, loop())
    const next = await ctx.database.db.selectFrom('waves').select(['id', 'name', 'status', 'opens_at', 'closes_at', 'instrument_id'])
      .where('repeated_from', '=', waves[0]!).executeTakeFirstOrThrow()
    const first = await ctx.database.db.selectFrom('waves').select(['instrument_id']).where('id', '=', waves[0]!).executeTakeFirstOrThrow()
    expect(next).toMatchObject({ name: '2027-Q1', status: 'draft', instrument_id: first.instrument_id })
    waves.push(next.id)

    clock = new Date(new Date((await api('GET', `/waves/${waves[0]}`)).closesAt).getTime() + 3_600_000)
    await runSchedule(ctx.database.db, loop())
    expect((await api('GET', `/waves/${waves[0]}`)).status).toBe('closed')
    await evaluateAlerts(ctx.database.db, loop())
    expect(await ctx.database.db.selectFrom('alerts').select('id').execute(), 'no earlier wave: nothing to compare').toEqual([])
    await queueDigests(ctx.database.db, loop())
    expect(await eventually(() => mailTo(owner).some((m) => m.subject.includes('2026-Q4')))).toBe(true)
    const digest = mailTo(owner).find((m) => m.subject.includes('2026-Q4'))!
    expect(digest.text).toContain('Say what a repair will cost')
  }, 120_000)

  it('opens the next quarter on its date with nobody signed in, invites the contacts again, and takes its answers', async () => {
    const next = await api('GET', `/waves/${waves[1]}`)
    clock = new Date(new Date(next.opensAt).getTime() + 3_600_000)
    await runSchedule(ctx.database.db, loop())
    expect((await api('GET', `/waves/${waves[1]}`)).status).toBe('open')
    expect(await invitationsOf(waves[1]!)).toHaveLength(12)
    await api('POST', `/waves/${waves[1]}/responses`, rows(1))
    expect(await allReleased(waves[1]!)).toBe(true)
  }, 120_000)

  it('closes it on schedule: one alert (South\'s gap widened), mailed once to the owner only; the plan worked', async () => {
    const next = await api('GET', `/waves/${waves[1]}`)
    clock = new Date(new Date(next.closesAt).getTime() + 3_600_000)
    await runSchedule(ctx.database.db, loop())
    expect((await api('GET', `/waves/${waves[1]}`)).status).toBe('closed')
    await Promise.all([evaluateAlerts(ctx.database.db, loop()), evaluateAlerts(ctx.database.db, loop())])
    expect(await evaluateAlerts(ctx.database.db, loop()), 'looked at once').toBe(0)
    const alerts = (await api('GET', `/waves/${waves[1]}/alerts`)).alerts
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({ rule: 'gap_drift', itemKey: 'trust' })
    expect(JSON.stringify(alerts[0])).toContain('South')
    expect(await eventually(() => mailTo(owner).some((m) => m.text.includes('South')))).toBe(true)
    expect(mailTo(manager).some((m) => m.text.includes('South')), "South is not the manager's unit").toBe(false)

    const plan = await api('GET', `/plans/${planId}`)
    expect(plan.effect.points).toHaveLength(1)
    const point = plan.effect.points[0]
    expect(point.customerChange.points).toBeCloseTo(50, 9)
    expect(point.gapChange.points).toBeCloseTo(-50, 9)
    // North +50 against the mean of South (−30) and East (0): +65.
    expect(point.differenceInDifferences).toMatchObject({ controls: 2 })
    expect(point.differenceInDifferences.points).toBeCloseTo(65, 9)
    expect(plan.effect.verdict).toBe('worked')
  }, 120_000)

  it('sends the closing digest with the verdict, in English to the owner and in Spanish to North\'s manager', async () => {
    await queueDigests(ctx.database.db, loop())
    await queueDigests(ctx.database.db, loop())
    expect(await eventually(() => mailTo(owner).some((m) => m.subject.includes('2027-Q1')) && mailTo(manager).some((m) => m.subject.includes('2027-Q1')))).toBe(true)
    const mine = mailTo(owner).filter((m) => m.subject.includes('2027-Q1') && m.text.includes('Say what a repair will cost'))
    expect(mine).toHaveLength(1)
    const theirs = mailTo(manager).filter((m) => m.subject.includes('2027-Q1'))
    expect(theirs).toHaveLength(1)
    expect(theirs[0]!.text).toContain('North')
    expect(theirs[0]!.text, 'a unit manager hears of their own units only').not.toContain('South')
  }, 120_000)

  it('delivered every event to the receiver, each signed and processed once', async () => {
    for (let i = 0; i < 10; i++) await deliverWebhooks(ctx.database.db, loop())
    const mine = receiver.received.filter((r) => r.path === `/quarter-${ctx.kind}`)
    expect(mine.every((r) => r.verified)).toBe(true)
    const events = mine.filter((r) => r.status === 200).map((r) => JSON.parse(r.body) as { id: string; event: string })
    const count = (name: string) => events.filter((e) => e.event === name).length
    expect(count('wave_opened')).toBe(2)
    expect(count('wave_closed')).toBe(2)
    expect(count('plan_changed')).toBe(1)
    expect(count('alert_raised')).toBe(1)
    expect(count('response_released')).toBeGreaterThanOrEqual(2)
    expect(new Set(events.map((e) => e.id)).size, 'no delivery id twice').toBe(events.length)
    const pending = await ctx.database.db.selectFrom('webhook_deliveries').select('status').where('status', '<>', 'delivered').execute()
    expect(pending).toEqual([])
  }, 120_000)
}, { WEBHOOKS_ALLOW_LOOPBACK: 'true', SMTP_URL: smtp.url }, { loop: { worker: false } })
