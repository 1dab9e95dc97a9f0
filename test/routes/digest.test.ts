// The quarterly digest (issue 16 part 5) on both databases, delivered by the app's own mail worker to
// a real SMTP server. Two waves of known numbers (four units, the earlier wave with fewer customers
// agreeing in some), and four people: the owner (digest when a wave closes, English), a unit manager
// of East and South (weekly, Spanish), a viewer who follows North only (German) and an analyst who
// turned the digest off. The digest pass runs at chosen moments: weekly digests once per ISO week
// while the wave is open, the closing digest once per subscriber after it closes, nothing twice.
// Every figure in a mail is checked against the report API as that recipient reads it.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import * as f from '../../server/format.js'
import { insertActionPlan } from '../../server/repositories/action-plans.js'
import { findUserByEmail } from '../../server/repositories/organizations.js'
import { saveNotificationSettings } from '../../server/repositories/notification-settings.js'
import { setManagedUnits } from '../../server/repositories/unit-managers.js'
import { queueDigests } from '../../server/services/digest-pass.js'
import type { LoopContext } from '../../server/loop/plugin.js'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, type TestContext } from '../helpers/app.js'
import { readMessage } from '../helpers/mime.js'
import { smtpServer } from '../helpers/smtp.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const HEADLINE = 'excellent_service'
const STAFF = 25
const CUSTOMERS = 40
/** Per unit: staff and customers agreeing on the headline now, and customers agreeing in the earlier wave. */
const UNITS = {
  North: { staff: 24, customer: 4, before: 4 },
  South: { staff: 20, customer: 8, before: 2 },
  East: { staff: 18, customer: 12, before: 12 },
  West: { staff: 18, customer: 16, before: 0 },
} as const
const NAMES = Object.keys(UNITS) as Array<keyof typeof UNITS>
const OTHERS: Record<string, [number, number]> = {
  want_to_help: [90, 40], valued: [75, 30], can_solve: [70, 45], easy: [60, 20], promises: [80, 35], individual: [75, 20],
  anticipates: [55, 15], trust: [82, 80], fit: [60, 58], asks: [30, 28], supported: [30, 70],
}

function rows(before: boolean) {
  const out: Array<{ side: 'staff' | 'customer'; unit: string; answers: Record<string, number>; predictions?: Record<string, number> }> = []
  NAMES.forEach((name, u) => {
    for (const side of ['staff', 'customer'] as const) {
      const n = side === 'staff' ? STAFF : CUSTOMERS
      const agreeing = side === 'staff' ? UNITS[name].staff : before ? UNITS[name].before : UNITS[name].customer
      for (let i = 0; i < n; i++) {
        const g = u * n + i
        const answers: Record<string, number> = {}
        for (const [j, key] of KEYS.entries()) {
          const agrees = key === HEADLINE ? i < agreeing : (g + (side === 'staff' ? 7 : 11) * j) % 100 < OTHERS[key]![side === 'staff' ? 0 : 1]!
          answers[key] = agrees ? (g % 2 ? 5 : 4) : (g % 3) + 1
        }
        out.push({ side, unit: name, answers, ...(side === 'staff' && !before ? { predictions: { [HEADLINE]: (i * 3 + u) % 11 } } : {}) })
      }
    }
  })
  return out
}

type Share = { suppressed: true } | { share: number }
type ApiReport = {
  headline: { staff: Share; customer: Share; gap: { points: number; ci95: [number, number] } | null }
  prediction: { headline: { predicted: { share: number } | null } } | null
  units: Array<{ name: string }>
  trend: { change: { items: Array<{ key: string; change: { points: number; ci95: [number, number] } | null }> } | null }
  fixFirst: { top: Array<{ key: string; weight: number }> } | null
}
const pct = (s: Share) => ('suppressed' in s ? null : f.percent(s.share))

// One SMTP server for the file; each database's app sends to it through its own mail worker.
const smtp = await smtpServer()
afterAll(() => smtp.close())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
async function eventually(check: () => boolean | Promise<boolean>, ms = 15_000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (await check()) return true
  return check()
}

const OPENS = new Date('2029-12-01T09:00:00Z')
const CLOSES = new Date('2030-01-10T17:00:00Z')

describeEachDatabase('the quarterly digest', (ctx: TestContext) => {
  const people = {} as Record<'owner' | 'manager' | 'viewer' | 'analyst', { email: string; userId: string; token: string }>
  let waveId: string
  let previousId: string
  const at = (iso: string): LoopContext => ({ config: ctx.config, log: ctx.app.log, now: () => new Date(iso) })
  const digests = async () => (await ctx.database.db.selectFrom('notification_mails').select(['ref', 'recipient', 'locale', 'params'])
    .where('kind', '=', 'digest').orderBy('id').execute())
  const mailTo = (email: string, subjectPart: string) => smtp.received.filter((m) => m.to === email).map((m) => readMessage(m.raw)).filter((m) => m.subject.includes(subjectPart))
  const report = async (who: keyof typeof people, query = '') => {
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/report${query}`, headers: bearer(people[who].token) })
    expect(response.statusCode).toBe(200)
    return response.json() as ApiReport
  }

  it('loads two waves and four people with their digest settings', async () => {
    const tenant = await createTenant(ctx, 'Acme')
    const ownerToken = await apiToken(ctx, tenant.owner.email)
    const api = async (url: string, payload: unknown) => {
      const response = await ctx.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: bearer(ownerToken), payload: payload as object })
      expect(response.statusCode, response.body).toBeLessThan(300)
      return response.json()
    }
    const unitIds: Record<string, string> = {}
    for (const name of NAMES) unitIds[name] = (await api('/units', { name })).id
    previousId = (await api('/waves', { name: '2029-Q3', templateKey: 'service-gap-index' })).id
    await api(`/waves/${previousId}/responses`, rows(true))
    waveId = (await api('/waves', { name: '2029-Q4', templateKey: 'service-gap-index', predictions: 'headline' })).id
    await api(`/waves/${waveId}/responses`, rows(false))
    const db = ctx.database.db
    await db.updateTable('waves').set({ status: 'closed', opens_at: new Date('2029-09-01T00:00:00Z'), closes_at: new Date('2029-10-01T00:00:00Z') }).where('id', '=', previousId).execute()
    await db.updateTable('waves').set({ status: 'draft', opens_at: OPENS, closes_at: CLOSES, weekly_digest: true }).where('id', '=', waveId).execute()

    people.owner = { email: tenant.owner.email, userId: tenant.owner.userId, token: ownerToken }
    for (const role of ['unit_manager', 'viewer', 'analyst'] as const) {
      const email = await addPerson(ctx, tenant, role)
      const userId = (await findUserByEmail(db, email))!.id
      people[role === 'unit_manager' ? 'manager' : role] = { email, userId, token: await apiToken(ctx, email) }
    }
    await setManagedUnits(db, tenant.organizationId, people.manager.userId, [unitIds.South!, unitIds.East!])
    await saveNotificationSettings(db, tenant.organizationId, { userId: people.manager.userId, unitIds: null, alertEmail: true, digest: 'weekly', locale: 'es' })
    await saveNotificationSettings(db, tenant.organizationId, { userId: people.viewer.userId, unitIds: [unitIds.North!], alertEmail: true, digest: 'close', locale: 'de' })
    await insertActionPlan(db, tenant.organizationId, {
      waveId: previousId, unitId: unitIds.North!, itemKey: 'easy', dimension: null, owner: 'Nora', change: 'A shorter returns form', dueOn: null, createdBy: null,
    })
    await saveNotificationSettings(db, tenant.organizationId, { userId: people.analyst.userId, unitIds: null, alertEmail: true, digest: 'off', locale: 'en' })
  })

  it('sends the weekly digest once per ISO week while the wave is open, to those who chose weekly only', async () => {
    expect(await queueDigests(ctx.database.db, at('2029-11-28T10:00:00Z'))).toBe(0) // a draft that opens on 1 December
    expect(await queueDigests(ctx.database.db, at('2030-01-02T10:00:00Z'))).toBe(1)
    expect(await queueDigests(ctx.database.db, at('2030-01-04T10:00:00Z'))).toBe(0) // the same week
    expect(await queueDigests(ctx.database.db, at('2030-01-08T10:00:00Z'))).toBe(1)
    const queued = await digests()
    expect(queued.map((row) => [row.ref, row.recipient])).toEqual([
      [`digest:${waveId}:2030-W01`, people.manager.email],
      [`digest:${waveId}:2030-W02`, people.manager.email],
    ])
    expect(await eventually(() => mailTo(people.manager.email, 'semana').length === 2)).toBe(true)
  })

  it('queues nothing more before the wave closes, then one closing digest per subscriber, once', async () => {
    expect(await queueDigests(ctx.database.db, at('2030-01-10T16:59:00Z'))).toBe(0)
    expect(await queueDigests(ctx.database.db, at('2030-01-10T17:00:01Z'))).toBe(3)
    expect(await queueDigests(ctx.database.db, at('2030-01-10T17:05:00Z'))).toBe(0)
    const closing = (await digests()).filter((row) => row.ref.endsWith(':close'))
    expect(closing.map((row) => [row.ref, row.recipient, row.locale]).sort()).toEqual([
      [`digest:${waveId}:close`, people.owner.email, 'en'],
      [`digest:${waveId}:close`, people.manager.email, 'es'],
      [`digest:${waveId}:close`, people.viewer.email, 'de'],
    ].sort())
    // The earlier wave closed months before: no digest for it, now or later.
    expect((await digests()).some((row) => row.ref.includes(previousId))).toBe(false)
    // Marked as done: a second app instance (or a restarted one) finds nothing due either.
    expect(await ctx.database.db.selectFrom('digest_runs').select('run').where('wave_id', '=', waveId).orderBy('run').execute())
      .toEqual([{ run: '2030-W01' }, { run: '2030-W02' }, { run: 'close' }])
    // The stored params hold formatted figures and words, never a count of respondents.
    for (const row of closing) expect(JSON.stringify(row.params)).not.toMatch(/"(n|agree)":/)
    expect(await eventually(() => [people.owner, people.manager, people.viewer].every((p) => mailTo(p.email, '2029-Q4').some((m) => !/semana/.test(m.subject))))).toBe(true)
  })

  it('gives the owner the whole wave, three ways, as their report reads, with the change, fix first, units and the dashboard link', async () => {
    const api = await report('owner')
    const [mail] = mailTo(people.owner.email, 'closed')
    expect(mail).toBeDefined()
    const gap = f.gapNumber(api.headline.gap!.points)
    expect(mail!.subject).toBe(`Service Gap — 2029-Q4 closed: staff ${pct(api.headline.staff)}, customers ${pct(api.headline.customer)}, gap ${gap} points`)
    const text = mail!.text
    expect(text).toContain('This digest covers all units.')
    expect(text).toContain(`${pct(api.headline.staff)} of staff agree; staff predict ${f.percent(api.prediction!.headline.predicted!.share)} of customers do; ${pct(api.headline.customer)} of customers agree.`)
    expect(text).toContain('“I receive excellent service from Acme.”')
    expect(text).toContain(`Gap ${gap} points (95% interval ${f.pointsRange(api.headline.gap!.ci95)}): staff think better of the service than customers do`)
    const change = api.trend.change!.items.find((item) => item.key === HEADLINE)!.change!
    expect(change.points).toBeLessThan(0)
    expect(text).toContain(`Since 2029-Q3 the gap has narrowed by ${Math.round(Math.abs(change.points))} points (95% interval ${f.pointsRange(change.ci95)} points)`)
    expect(text).toMatch(/Widest gaps among all units: North \+86, South \+60/)
    expect(text).toContain('Most improved: West, whose gap has narrowed by 40 points since 2029-Q3')
    // Fix first: the report's top three, in order, each with its weight.
    expect(api.fixFirst!.top.length).toBeGreaterThan(0)
    const listed = [...text.matchAll(/^(\d)\. “[^”]+” — gap [^,]+, weight (\d+%)$/gm)].map((m) => m[2])
    expect(listed).toEqual(api.fixFirst!.top.map((item) => f.percent(item.weight)))
    // The plan made from the earlier wave, with the verdict plan-effect gives (none until it judges plans).
    expect(text).toMatch(/Plans:\n• North · “[^”]+”: A shorter returns form \(Nora, planned, since 2029-Q3\) — (worked|no effect yet|worse|no verdict yet)\n/)
    expect(text).toContain(`Open the dashboard: http://sg.test/waves/${waveId}\n`)
    // No Chromium in this test's configuration: the mail says how to print the pack instead.
    expect(mail!.parts.some((part) => part.contentType === 'application/pdf')).toBe(false)
    expect(text).toContain('The board pack could not be attached. To print it, open the dashboard, choose Print')
    const html = mail!.parts.find((part) => part.contentType === 'text/html')!.body.toString('utf8')
    expect(html).toContain('lang="en"')
  })

  it('gives the unit manager their first unit in Spanish, as their report reads, and never names another unit', async () => {
    const api = await report('manager', '?unit=East')
    expect(api.units.map((u) => u.name).sort()).toEqual(['East', 'South'])
    const closing = mailTo(people.manager.email, 'cerrada')
    expect(closing).toHaveLength(1)
    const mail = closing[0]!
    expect(mail.subject).toBe(`Service Gap — 2029-Q4 cerrada, East: personal ${pct(api.headline.staff)}, clientes ${pct(api.headline.customer)}, brecha ${f.gapNumber(api.headline.gap!.points)} puntos`)
    expect(mail.text).toContain('Este resumen abarca East, la primera de sus 2 unidades')
    expect(mail.text).toContain(`el ${pct(api.headline.staff)} del personal está de acuerdo`)
    expect(mail.text).toContain('«Recibo un servicio excelente de Acme.»')
    expect(mail.text).toContain('Abrir el panel: http://sg.test/waves/' + waveId + '?unit=East')
    expect(mail.text).toContain('Mayores brechas entre sus unidades: South +60')
    for (const m of mailTo(people.manager.email, '2029-Q4')) {
      const all = m.subject + m.text + m.parts.map((part) => part.body.toString('utf8')).join('')
      expect(all).not.toMatch(/North|West/)
    }
    const weekly = mailTo(people.manager.email, 'semana 2,')
    expect(weekly).toHaveLength(1)
    expect(weekly[0]!.text).toContain('La oleada 2029-Q4 sigue abierta. Así está en la semana 2.')
  })

  it('narrows the viewer\'s digest to the one unit they follow, in German', async () => {
    const api = await report('viewer', '?unit=North')
    const [mail] = mailTo(people.viewer.email, 'abgeschlossen')
    expect(mail!.subject).toBe(`Service Gap — 2029-Q4 abgeschlossen, North: Mitarbeitende ${pct(api.headline.staff)}, Kunden ${pct(api.headline.customer)}, Lücke ${f.gapNumber(api.headline.gap!.points)} Punkte`)
    expect(mail!.text).toContain('Diese Übersicht umfasst North.')
    expect(mail!.text).toContain(`${pct(api.headline.customer)} der Kunden stimmen zu`)
    expect(mail!.text).toContain('Der Vorstandsbericht konnte nicht beigefügt werden.')
    expect(mailTo(people.analyst.email, '2029-Q4')).toHaveLength(0)
  })
}, { SMTP_URL: smtp.url }, { loop: { worker: false }, mail: { intervalMs: 100 } })

// The board pack attached, as the recipient would download it: real Chromium, so one small wave.
describeEachDatabase('the digest with its board pack', (ctx: TestContext) => {
  it('attaches the PDF the recipient could download, audited as sent by the product, and leaves no session behind', async () => {
    const tenant = await createTenant(ctx, 'Acme')
    const token = await apiToken(ctx, tenant.owner.email)
    const post = async (url: string, payload: unknown) => (await ctx.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: bearer(token), payload: payload as object })).json()
    await post('/units', { name: 'North' })
    const waveId = (await post('/waves', { name: '2029-Q4', templateKey: 'service-gap-index' })).id
    const answers = (agree: boolean) => Object.fromEntries(KEYS.map((key) => [key, agree ? 5 : 2]))
    await post(`/waves/${waveId}/responses`, Array.from({ length: 12 }, (_, i) => ({ side: i < 6 ? 'staff' : 'customer', unit: 'North', answers: answers(i % 3 !== 0) })))
    await ctx.database.db.updateTable('waves').set({ status: 'closed', closes_at: new Date('2030-01-10T17:00:00Z') }).where('id', '=', waveId).execute()
    const sessions = async () => Number((await ctx.database.db.selectFrom('sessions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
    const before = await sessions()

    expect(await queueDigests(ctx.database.db, { config: ctx.config, log: ctx.app.log, now: () => new Date('2030-01-11T08:00:00Z') })).toBe(1)
    expect(await eventually(() => smtp.received.some((m) => m.to === tenant.owner.email), 60_000)).toBe(true)
    const mail = readMessage(smtp.received.find((m) => m.to === tenant.owner.email)!.raw)
    const pdf = mail.parts.find((part) => part.contentType === 'application/pdf')
    expect(pdf?.filename).toBe('2029-Q4-board-pack.pdf')
    expect(pdf!.body.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    const file = join(mkdtempSync(join(tmpdir(), 'sg-digest-')), 'pack.pdf')
    writeFileSync(file, pdf!.body)
    const pages = Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [file]).toString())?.[1])
    expect(pages).toBeGreaterThanOrEqual(2)
    expect(mail.text).toContain('The board pack of this view is attached as a PDF.')

    const audit = await ctx.database.db.selectFrom('audit_log').select(['actor_user_id', 'action', 'detail']).where('organization_id', '=', tenant.organizationId).where('action', '=', 'digest_pack_sent').execute()
    expect(audit).toEqual([{ actor_user_id: null, action: 'digest_pack_sent', detail: { wave: waveId, kind: 'board_pack', to: tenant.owner.email, query: '' } }])
    expect(await sessions()).toBe(before)
  }, 90_000)
}, { SMTP_URL: smtp.url, CHROMIUM_PATH: '/usr/bin/chromium' }, { loop: { worker: false }, mail: { intervalMs: 100 } })
