// Kiosks through the API on both databases: made of a unit's customer link in a wave (with an
// Idempotency-Key, as every creating POST), listed by cursor, read, given another daily cap and
// revoked (here or on the wave's kiosk page); a kiosk made here takes an answer at its address, a revoked one opens nothing; the
// page's refusals (staff or unit-less links, a bad cap, an archived unit) as 4xx; the page's
// permission; another organization's kiosk is 404. The kiosk's clock is fake.
import { beforeAll, expect, it } from 'vitest'
import { KIOSK_LIMITS } from '../../server/domain/kiosk.js'
import { addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type Tenant } from '../helpers/app.js'
import { answers, createUnit, createWave, formBody, hidden, nextAddress, type Wave } from '../helpers/survey.js'

// Today, so that the kiosk's day and the API's `today` are one day; the kiosk's clock moves on by hand.
const clock = { now: Date.now() }
const NO_SUCH = '00000000-0000-4000-8000-000000000000'

describeEachDatabase('kiosks through the API', (ctx) => {
  let tenant: Tenant
  let owner: string
  let wave: Wave
  const units: Record<string, string> = {}

  const api = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method, url: `/api/v1${url}`, headers: { ...bearer(token), ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) })

  /** Answers the kiosk at `url` as a tablet would: the form, the wait, the answers. */
  async function answerAt(url: string) {
    const path = new URL(url).pathname
    const tablet = new Browser(ctx.app)
    const address = nextAddress()
    const shown = await tablet.request({ method: 'GET', url: path, remoteAddress: address })
    if (shown.statusCode !== 200) return shown
    clock.now += KIOSK_LIMITS.minSeconds * 1000
    return tablet.request({
      method: 'POST', url: path, remoteAddress: address, headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ _csrf: tablet.csrf!, lang: 'en', form: hidden(shown.body, 'form')!, ...answers() }),
    })
  }

  beforeAll(async () => {
    tenant = await createTenant(ctx, 'Kiosk API Co')
    owner = await apiToken(ctx, tenant.owner.email)
    for (const name of ['Counter', 'Garden', 'Attic']) units[name] = await createUnit(ctx, owner, name)
    wave = await createWave(ctx, owner, { name: 'Kiosk API wave', unitLinks: true })
  })

  it('makes a kiosk of a unit\'s customer link, whose address takes an answer for that unit', async () => {
    const created = await api(owner, 'POST', '/kiosks', { waveId: wave.id, unitId: units.Counter, dailyCap: 50 })
    expect(created.statusCode, created.body).toBe(201)
    const kiosk = created.json()
    expect(kiosk).toMatchObject({ waveId: wave.id, unitId: units.Counter, unitName: 'Counter', dailyCap: 50, today: 0, active: true, url: expect.stringMatching(/\/k\/[\w-]{43}$/) })
    expect(created.headers['cache-control']).toBe('no-store')
    const answered = await answerAt(kiosk.url)
    expect(answered.statusCode, answered.body.slice(0, 300)).toBe(303)
    const stored = await ctx.database.db.selectFrom('responses').select(['unit_id', 'channel', 'side']).where('wave_id', '=', wave.id).where('channel', '=', 'kiosk').execute()
    expect(stored).toEqual([{ unit_id: units.Counter, channel: 'kiosk', side: 'customer' }])
    expect((await api(owner, 'GET', `/kiosks/${kiosk.id}`)).json()).toMatchObject({ id: kiosk.id, today: 1, url: kiosk.url })
    // The wave's kiosk page shows the same kiosk.
    const page = await (await signedIn(ctx, tenant.owner.email)).get(`/waves/${wave.id}/links/${kiosk.linkId}/kiosk`)
    expect(page.body).toContain(kiosk.url)
    const audited = await ctx.database.db.selectFrom('audit_log').select('target').where('organization_id', '=', tenant.organizationId).where('action', '=', 'kiosk_saved').execute()
    expect(audited).toEqual([{ target: 'kiosk for Counter in wave Kiosk API wave' }])
  })

  it('replays the first answer for a repeated Idempotency-Key, and answers 409 for a unit that has a kiosk already', async () => {
    const headers = { 'idempotency-key': 'kiosk-garden-1' }
    const first = await api(owner, 'POST', '/kiosks', { waveId: wave.id, unitId: units.Garden }, headers)
    expect(first.statusCode, first.body).toBe(201)
    expect(first.json().dailyCap).toBe(300)
    const replay = await api(owner, 'POST', '/kiosks', { waveId: wave.id, unitId: units.Garden }, headers)
    expect(replay.statusCode).toBe(201)
    expect(replay.headers['idempotent-replayed']).toBe('true')
    expect(replay.json()).toEqual(first.json())
    const twice = await api(owner, 'POST', '/kiosks', { waveId: wave.id, unitId: units.Garden })
    expect(twice.statusCode).toBe(409)
    expect(twice.json().details).toEqual({ id: first.json().id })
    expect(await ctx.database.db.selectFrom('kiosks').select('id').where('unit_id', '=', units.Garden!).execute()).toHaveLength(1)
  })

  it('refuses what the page refuses: a bad cap, an archived unit, a unit without a link, and names the field', async () => {
    for (const dailyCap of [0, 10_001, 2.5, 'many']) {
      const refused = await api(owner, 'POST', '/kiosks', { waveId: wave.id, unitId: units.Attic, dailyCap })
      expect(refused.statusCode, String(dailyCap)).toBe(400)
      expect(JSON.stringify(refused.json().details), String(dailyCap)).toContain('dailyCap')
    }
    expect((await api(owner, 'POST', '/kiosks', { waveId: 'junk', unitId: units.Attic })).statusCode).toBe(400)
    expect((await api(owner, 'POST', '/kiosks', { waveId: wave.id, unitId: units.Attic, side: 'staff' })).statusCode).toBe(400)
    expect((await api(owner, 'POST', '/kiosks', { waveId: NO_SUCH, unitId: units.Attic })).statusCode).toBe(404)
    expect((await api(owner, 'POST', '/kiosks', { waveId: wave.id, unitId: NO_SUCH })).statusCode).toBe(404)
    const late = await createUnit(ctx, owner, 'Late unit')
    const noLink = await api(owner, 'POST', '/kiosks', { waveId: wave.id, unitId: late })
    expect(noLink.statusCode).toBe(422)
    expect(noLink.json().details).toEqual([{ field: 'unitId', message: expect.stringContaining('no customer link in the wave') }])
    expect((await api(owner, 'PATCH', `/units/${units.Attic}`, { archived: true })).statusCode).toBe(200)
    const archived = await api(owner, 'POST', '/kiosks', { waveId: wave.id, unitId: units.Attic })
    expect(archived.statusCode).toBe(422)
    expect(archived.json().message).toContain('archived')
    expect(await ctx.database.db.selectFrom('kiosks').select('id').where('unit_id', 'in', [units.Attic!, late]).execute()).toHaveLength(0)
  })

  it('lists the kiosks oldest first, a page at a time, and of one wave', async () => {
    const first = await api(owner, 'GET', '/kiosks?limit=1')
    expect(first.statusCode).toBe(200)
    expect(first.json().map((k: { unitName: string }) => k.unitName)).toEqual(['Counter'])
    const cursor = first.headers['next-cursor'] as string
    expect(first.headers.link).toContain('rel="next"')
    const second = await api(owner, 'GET', `/kiosks?limit=1&cursor=${encodeURIComponent(cursor)}`)
    expect(second.json().map((k: { unitName: string }) => k.unitName)).toEqual(['Garden'])
    expect(second.headers['next-cursor']).toBeUndefined()
    const other = await createWave(ctx, owner, { name: 'Kiosk-less wave', unitLinks: true })
    expect((await api(owner, 'GET', `/kiosks?wave=${other.id}`)).json()).toEqual([])
    expect((await api(owner, 'GET', `/kiosks?wave=${wave.id}`)).json()).toHaveLength(2)
    expect((await api(owner, 'GET', '/kiosks?cursor=junk')).statusCode).toBe(400)
    expect((await api(owner, 'GET', '/kiosks?wave=junk')).statusCode).toBe(400)
  })

  it('changes a kiosk\'s daily cap, keeping its address, and checks the cap', async () => {
    const [kiosk] = (await api(owner, 'GET', '/kiosks?limit=1')).json()
    const changed = await api(owner, 'PATCH', `/kiosks/${kiosk.id}`, { dailyCap: 1 })
    expect(changed.statusCode, changed.body).toBe(200)
    expect(changed.json()).toMatchObject({ id: kiosk.id, dailyCap: 1, url: kiosk.url })
    // One answer today already: the cap of one is reached.
    expect((await new Browser(ctx.app).request({ method: 'GET', url: new URL(kiosk.url).pathname, remoteAddress: nextAddress() })).statusCode).toBe(429)
    expect((await api(owner, 'PATCH', `/kiosks/${kiosk.id}`, { dailyCap: 0 })).statusCode).toBe(400)
    expect((await api(owner, 'PATCH', `/kiosks/${kiosk.id}`, { dailyCap: 'lots' })).statusCode).toBe(400)
    expect((await api(owner, 'PATCH', `/kiosks/${kiosk.id}`, {})).json().dailyCap).toBe(1)
    expect((await api(owner, 'PATCH', `/kiosks/${NO_SUCH}`, { dailyCap: 5 })).statusCode).toBe(404)
    expect((await api(owner, 'PATCH', `/kiosks/${kiosk.id}`, { dailyCap: 100 })).json().dailyCap).toBe(100)
  })

  it('gives kiosks to owners and admins only, and another organization\'s kiosks are 404 to it', async () => {
    const [kiosk] = (await api(owner, 'GET', '/kiosks?limit=1')).json()
    const admin = await apiToken(ctx, await addPerson(ctx, tenant, 'admin'))
    expect((await api(admin, 'GET', `/kiosks/${kiosk.id}`)).statusCode).toBe(200)
    for (const role of ['analyst', 'viewer', 'unit_manager'] as const) {
      const token = await apiToken(ctx, await addPerson(ctx, tenant, role))
      expect((await api(token, 'GET', '/kiosks')).statusCode, role).toBe(403)
      expect((await api(token, 'POST', '/kiosks', { waveId: wave.id, unitId: units.Counter })).statusCode, role).toBe(403)
      expect((await api(token, 'DELETE', `/kiosks/${kiosk.id}`)).statusCode, role).toBe(403)
    }
    const other = await createTenant(ctx, 'Other Kiosk Co')
    const stranger = await apiToken(ctx, other.owner.email)
    expect((await api(stranger, 'GET', '/kiosks')).json()).toEqual([])
    expect((await api(stranger, 'GET', `/kiosks?wave=${wave.id}`)).json()).toEqual([])
    for (const [method, payload] of [['GET', undefined], ['PATCH', { dailyCap: 5 }], ['DELETE', undefined]] as const) {
      const refused = await api(stranger, method, `/kiosks/${kiosk.id}`, payload)
      expect(refused.statusCode, method).toBe(404)
      expect(refused.body).not.toContain(kiosk.url)
    }
    expect((await api(stranger, 'POST', '/kiosks', { waveId: wave.id, unitId: units.Counter })).statusCode).toBe(404)
    expect((await api(owner, 'GET', `/kiosks/${kiosk.id}`)).json().dailyCap).toBe(100)
  })

  it('revokes a kiosk: its address opens nothing, the unit\'s link and the answers stay, and the audit log says so', async () => {
    const [kiosk] = (await api(owner, 'GET', '/kiosks?limit=1')).json()
    const revoked = await api(owner, 'DELETE', `/kiosks/${kiosk.id}`)
    expect(revoked.statusCode).toBe(204)
    const refused = await answerAt(kiosk.url)
    expect(refused.statusCode).toBe(404)
    expect(refused.body).not.toMatch(/at .*\.ts:\d+/)
    expect((await api(owner, 'GET', `/kiosks/${kiosk.id}`)).statusCode).toBe(404)
    expect((await api(owner, 'DELETE', `/kiosks/${kiosk.id}`)).statusCode).toBe(404)
    expect((await api(owner, 'DELETE', '/kiosks/junk')).statusCode).toBe(400)
    expect((await ctx.app.inject({ method: 'GET', url: `/s/${wave.units.Counter!.customer}` })).statusCode).toBe(200)
    expect(await ctx.database.db.selectFrom('responses').select('id').where('wave_id', '=', wave.id).where('channel', '=', 'kiosk').execute()).toHaveLength(1)
    const audited = await ctx.database.db.selectFrom('audit_log').select('target').where('organization_id', '=', tenant.organizationId).where('action', '=', 'kiosk_revoked').execute()
    expect(audited).toEqual([{ target: 'kiosk for Counter in wave Kiosk API wave' }])
    // The unit may have a kiosk again: a new one, at a new address.
    const again = await api(owner, 'POST', '/kiosks', { waveId: wave.id, unitId: units.Counter })
    expect(again.statusCode).toBe(201)
    expect(again.json().url).not.toBe(kiosk.url)
    // The wave's kiosk page revokes it too, by the same rule.
    const browser = await signedIn(ctx, tenant.owner.email)
    const page = `/waves/${wave.id}/links/${again.json().linkId}/kiosk`
    expect((await browser.get(page)).body).toContain('Revoke this kiosk link')
    const done = await browser.post(`${page}/revoke`, {})
    expect(done.statusCode).toBe(303)
    expect((await browser.get(done.headers.location as string)).body).toContain('Kiosk link revoked')
    expect((await api(owner, 'GET', `/kiosks/${again.json().id}`)).statusCode).toBe(404)
    expect((await answerAt(again.json().url)).statusCode).toBe(404)
  })
}, {}, { kiosk: { now: () => new Date(clock.now) } })
