import { expect, it } from 'vitest'
import { sql } from 'kysely'
import { buildApp } from '../../server/app.js'
import { createSession, resolveSession, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../../server/repositories/credentials.js'
import { bootstrapOrganization, countUsers } from '../../server/repositories/organizations.js'
import { createTestDatabase, DATABASES } from '../helpers/databases.js'
import { Browser, createTenant, describeEachDatabase, PASSWORD, testConfig } from '../helpers/app.js'
import { describe } from 'vitest'

describeEachDatabase('sessions and first-run bootstrap', (ctx) => {
  it('creates the organization and owner from ADMIN_EMAIL and ADMIN_PASSWORD once, and only while nobody exists', async () => {
    const config = { adminEmail: 'boss@example.test', adminPassword: PASSWORD, orgName: 'Env Org' }
    expect(await bootstrapOrganization(ctx.database.db, { ...config, adminEmail: null, adminPassword: null })).toBe(false)
    expect(await bootstrapOrganization(ctx.database.db, config)).toBe(true)
    expect(await bootstrapOrganization(ctx.database.db, config)).toBe(false)
    expect(await countUsers(ctx.database.db)).toBe(1)
    const browser = new Browser(ctx.app)
    await browser.login('boss@example.test')
    expect((await browser.get('/waves')).body).toContain('Env Org')
  })

  it('ends a session after an hour without use, and twelve hours after sign-in whatever happens', async () => {
    const tenant = await createTenant(ctx)
    const db = ctx.database.db
    const start = new Date('2026-01-01T08:00:00Z')
    const idle = await createSession(db, tenant.owner.userId, tenant.organizationId, start)
    expect(await resolveSession(db, idle, new Date(start.getTime() + SESSION_IDLE_MS - 1000))).not.toBeNull()
    expect(await resolveSession(db, idle, new Date(start.getTime() + 2 * SESSION_IDLE_MS + 1000))).toBeNull()

    const busy = await createSession(db, tenant.owner.userId, tenant.organizationId, start)
    let now = start.getTime()
    while (now + 30 * 60_000 < start.getTime() + SESSION_ABSOLUTE_MS) {
      now += 30 * 60_000
      expect(await resolveSession(db, busy, new Date(now))).not.toBeNull()
    }
    expect(await resolveSession(db, busy, new Date(start.getTime() + SESSION_ABSOLUTE_MS + 1))).toBeNull()
  })

  it('limits sign-in attempts per client address', async () => {
    const browser = new Browser(ctx.app)
    await browser.get('/login')
    const statuses: number[] = []
    for (let i = 0; i < 12; i++) {
      const response = await browser.request({
        method: 'POST', url: '/login', remoteAddress: '203.0.113.9',
        payload: `_csrf=${browser.csrf}&email=x%40example.test&password=nope`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })
      statuses.push(response.statusCode)
    }
    expect(statuses.slice(0, 10).every((s) => s === 422)).toBe(true)
    expect(statuses.slice(10)).toEqual([429, 429])
    // Another address (and account: x@ has had its ten failures, so the per-account limit holds it).
    const other = await browser.request({
      method: 'POST', url: '/login', remoteAddress: '203.0.113.10',
      payload: `_csrf=${browser.csrf}&email=y%40example.test&password=nope`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(other.statusCode).toBe(422)
  })

  it('limits token requests per client address', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 11; i++) {
      const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/tokens', remoteAddress: '198.51.100.7', payload: { email: 'z@example.test', password: 'nope' } })
      statuses.push(response.statusCode)
    }
    expect(statuses.at(-1)).toBe(429)
    expect(statuses.filter((s) => s === 401)).toHaveLength(10)
  })
})

for (const kind of DATABASES) {
  describe(`failures [${kind}]`, () => {
    it('answers an unexpected error with a readable page that gives nothing away', async () => {
      const database = await createTestDatabase(kind)
      const app = await buildApp({ config: testConfig(), db: database.db, logger: false })
      app.get('/boom', { config: { access: 'public' } }, async () => { throw new Error('secret internal detail at /srv/app.ts:42') })
      app.get('/api/v1/boom', { config: { access: 'public' } }, async () => { throw new Error('secret internal detail') })
      const page = await app.inject({ method: 'GET', url: '/boom', headers: { accept: 'text/html' } })
      expect(page.statusCode).toBe(500)
      expect(page.headers['content-type']).toContain('text/html')
      expect(page.body).toContain('Something went wrong on our side')
      expect(page.body).not.toContain('secret internal detail')
      const api = await app.inject({ method: 'GET', url: '/api/v1/boom' })
      expect(api.statusCode).toBe(500)
      expect(api.json()).toEqual({ error: 'internal_error', message: expect.any(String) })
      await app.close()
      await database.drop()
    })

    it('reports the database as unavailable on /health once it is gone', async () => {
      const database = await createTestDatabase(kind)
      const app = await buildApp({ config: testConfig(), db: database.db, logger: false })
      expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200)
      if (kind === 'postgres') {
        const name = new URL(database.url!).pathname.slice(1)
        await sql`select 1`.execute(database.db)
        await database.drop()
        expect(name).toMatch(/^sg_test_/)
      } else {
        await database.db.destroy()
      }
      const health = await app.inject({ method: 'GET', url: '/health' })
      expect(health.statusCode).toBe(503)
      expect(health.json().status).toBe('unavailable')
      await app.close()
    })
  })
}

describe('logs', () => {
  it('never contain survey tokens, session cookies or API tokens', async () => {
    const { Writable } = await import('node:stream')
    const { loggerOptions } = await import('../../server/app.js')
    let output = ''
    const stream = new Writable({ write(chunk, _encoding, done) { output += chunk.toString(); done() } })
    const database = await createTestDatabase('pglite')
    const app = await buildApp({ config: testConfig(), db: database.db, logger: loggerOptions('info', stream) })
    const tenant = await createTenant({ database, app } as never, 'Log Org')
    const token = (await app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: tenant.owner.email, password: PASSWORD } })).json().token
    const wave = (await app.inject({ method: 'POST', url: '/api/v1/waves', headers: { authorization: `Bearer ${token}` }, payload: { name: 'W', templateKey: 'service-gap-index' } })).json()
    const surveyToken = new URL(wave.links.customer).pathname.split('/')[2]!
    await app.inject({ method: 'GET', url: `/s/${surveyToken}` })
    await app.inject({ method: 'GET', url: '/waves', headers: { cookie: 'sg_session=very-secret-session' } })
    await app.close()
    await database.drop()
    expect(output).toContain('/s/[token]')
    expect(output).not.toContain(surveyToken)
    expect(output).not.toContain(token)
    expect(output).not.toContain('very-secret-session')
    expect(output).not.toContain(PASSWORD)
  })
})
