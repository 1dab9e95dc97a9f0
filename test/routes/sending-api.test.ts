// A wave's reminders and the sending state through the API, as on the wave's operations tab: the
// reminders a wave keeps, and sending that paused itself, shown and resumed.
import { beforeAll, expect, it } from 'vitest'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, type Tenant } from '../helpers/app.js'

describeEachDatabase('reminders and sending through the API', (ctx) => {
  let tenant: Tenant
  let owner: string
  let analyst: string
  let waveId: string
  const call = (token: string, method: 'GET' | 'PATCH' | 'POST', url: string, payload?: object) =>
    ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) })

  beforeAll(async () => {
    tenant = await createTenant(ctx)
    owner = await apiToken(ctx, tenant.owner.email)
    analyst = await apiToken(ctx, await addPerson(ctx, tenant, 'analyst'))
    waveId = (await call(owner, 'POST', '/waves', { name: 'Q4', templateKey: 'service-gap-index' })).json().id
  })

  const storedReminders = async () => ctx.database.db.selectFrom('waves').select(['reminders', 'reminder_days']).where('id', '=', waveId).executeTakeFirstOrThrow()

  it('sets the reminders a wave sends, within the bounds the operations tab allows', async () => {
    const set = await call(owner, 'PATCH', `/waves/${waveId}/reminders`, { count: 3, days: 5 })
    expect(set.statusCode).toBe(200)
    expect(set.json()).toEqual({ reminders: { count: 3, days: 5 } })
    expect(await storedReminders()).toEqual({ reminders: 3, reminder_days: 5 })
    // A field left out keeps its value.
    expect((await call(owner, 'PATCH', `/waves/${waveId}/reminders`, { days: 7 })).json()).toEqual({ reminders: { count: 3, days: 7 } })
    expect((await call(owner, 'PATCH', `/waves/${waveId}/reminders`, { days: 5 })).json()).toEqual({ reminders: { count: 3, days: 5 } })
    for (const body of [{ count: 6, days: 5 }, { count: 1, days: 0 }, { count: 'two' }, { count: 1.5, days: 2 }, { weeks: 2 }]) {
      const refused = await call(owner, 'PATCH', `/waves/${waveId}/reminders`, body)
      expect(refused.statusCode, JSON.stringify(body)).toBe(400)
    }
    expect(await storedReminders()).toEqual({ reminders: 3, reminder_days: 5 })
    expect((await call(analyst, 'PATCH', `/waves/${waveId}/reminders`, { count: 0, days: 1 })).statusCode).toBe(403)
    const other = await apiToken(ctx, (await createTenant(ctx, 'Other')).owner.email)
    expect((await call(other, 'PATCH', `/waves/${waveId}/reminders`, { count: 0, days: 1 })).statusCode).toBe(404)
    expect(await storedReminders()).toEqual({ reminders: 3, reminder_days: 5 })
  })

  it('shows sending that paused itself, and resumes it for this organization only', async () => {
    expect((await call(owner, 'GET', '/sending')).json()).toEqual({ paused: false, pausedAt: null, reason: null })
    const other = await createTenant(ctx, 'Paused too')
    const pausedAt = new Date('2026-11-30T10:00:00Z')
    await ctx.database.db.insertInto('mail_state').values([
      { organization_id: tenant.organizationId, paused_at: pausedAt, paused_reason: 'Too many bounces' },
      { organization_id: other.organizationId, paused_at: pausedAt, paused_reason: 'Too many bounces' },
    ]).execute()
    expect((await call(owner, 'GET', '/sending')).json()).toEqual({ paused: true, pausedAt: pausedAt.toISOString(), reason: 'Too many bounces' })
    expect((await call(analyst, 'POST', '/sending/resume')).statusCode).toBe(403)
    const resumed = await call(owner, 'POST', '/sending/resume')
    expect(resumed.statusCode).toBe(200)
    expect(resumed.json()).toEqual({ paused: false, pausedAt: null, reason: null })
    const theirs = await apiToken(ctx, other.owner.email)
    expect((await call(theirs, 'GET', '/sending')).json()).toMatchObject({ paused: true })
  })
})
