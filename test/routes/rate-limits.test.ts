// Rate limits are tallied in each instance and stored in the database at each flush, so they hold
// across every instance: two apps on one database share the count once they have flushed, a burst
// that reaches both within one flush interval is held to the limit by each one's own count (the
// documented slack, domain/rate-tally.ts) and stored in full, the table holds keyed hashes and never
// an address, an ended window starts afresh, the periodic worker purges ended windows, and a tally
// that cannot store its counts goes on counting alone, with a log line that names no address.
// The flush timer is set far out (RATE_LIMIT_FLUSH_MS) and the tests flush by hand, so that what
// each instance knows is decided by the test, not by timing.
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, loggerOptions } from '../../server/app.js'
import { rateLimitKey } from '../../server/plugins/rate-limit-store.js'
import { describeEachDatabase, testConfig, uniqueEmail } from '../helpers/app.js'
import { createTestDatabase, DATABASES } from '../helpers/databases.js'

const TOKENS = 'POST /api/v1/tokens'
/** A wrong password for a new address each time, so that only the per-client limit can refuse it (not the per-account one). */
const askToken = (app: FastifyInstance, remoteAddress: string) =>
  app.inject({ method: 'POST', url: '/api/v1/tokens', remoteAddress, payload: { email: uniqueEmail('nobody'), password: 'wrong password here' } })

/** Flushes taken in turn until each instance has read the other's last hits. */
const flushBoth = async (...apps: FastifyInstance[]) => {
  for (const app of [...apps, ...apps]) await app.rateLimits.flush()
}

describeEachDatabase('rate limits shared by instances', (ctx) => {
  let second: FastifyInstance

  beforeAll(async () => {
    second = await buildApp({ config: ctx.config, db: ctx.database.db, logger: false, mail: { worker: false }, release: { worker: false }, loop: { worker: false }, retention: { worker: false } })
    await second.ready()
  })
  afterAll(async () => {
    await second?.close()
  })

  const rows = (name: string) => ctx.database.db.selectFrom('rate_limits').selectAll().where('name', '=', name).execute()

  it('counts requests to either instance against one limit: the 11th token request of a minute is refused, by both', async () => {
    const address = '198.51.100.21'
    const statuses: number[] = []
    for (let i = 0; i < 10; i++) statuses.push((await askToken(i % 2 ? second : ctx.app, address)).statusCode)
    expect(statuses).toEqual(Array(10).fill(401))
    // Each instance took five: with a limit per instance, neither would refuse the next one.
    await flushBoth(ctx.app, second)
    const refusedFirst = await askToken(ctx.app, address)
    const refusedSecond = await askToken(second, address)
    expect([refusedFirst.statusCode, refusedSecond.statusCode]).toEqual([429, 429])
    expect(refusedFirst.json()).toMatchObject({ error: 'too_many_requests' })
    expect(Number(refusedFirst.headers['retry-after'])).toBeGreaterThan(0)
    expect(Number(refusedFirst.headers['retry-after'])).toBeLessThanOrEqual(60)
    // Another address has its own count.
    expect((await askToken(second, '198.51.100.22')).statusCode).toBe(401)
  })

  it('stores a keyed hash of the address under the route\'s name, never the address', async () => {
    const address = '198.51.100.23'
    await askToken(ctx.app, address)
    await ctx.app.rateLimits.flush()
    const stored = (await rows(TOKENS)).filter((row) => row.key_hash === rateLimitKey(ctx.config.signingSecret, TOKENS, address))
    expect(stored).toHaveLength(1)
    expect(stored[0]!.hits).toBe(1)
    const everything = JSON.stringify(await ctx.database.db.selectFrom('rate_limits').selectAll().execute())
    expect(everything).not.toContain(address)
    expect(everything).not.toContain('198.51.100')
  })

  it('holds a burst to both instances within one flush interval to the limit on each one\'s count, stores every hit, and then refuses on both', async () => {
    const address = '198.51.100.24'
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => askToken(i % 2 ? second : ctx.app, address)))
    // The slack of a shared limit between flushes: each instance lets through at most the limit on its
    // own count (all 20 if no flush falls within the burst), and together never fewer than the limit.
    // What gets through is a wrong password, or "busy" when too many are being checked at once.
    const through = answers.filter((answer) => answer.statusCode !== 429)
    expect(through.length).toBeGreaterThanOrEqual(10)
    expect(through.length).toBeLessThanOrEqual(20)
    for (const answer of through) expect([401, 503], answer.body).toContain(answer.statusCode)
    await flushBoth(ctx.app, second)
    const [row] = (await rows(TOKENS)).filter((r) => r.key_hash === rateLimitKey(ctx.config.signingSecret, TOKENS, address))
    expect(row!.hits).toBe(30)
    expect([(await askToken(ctx.app, address)).statusCode, (await askToken(second, address)).statusCode]).toEqual([429, 429])
  })

  it('starts a window afresh once the last one has ended', async () => {
    const address = '198.51.100.25'
    for (let i = 0; i < 11; i++) await askToken(ctx.app, address)
    expect((await askToken(ctx.app, address)).statusCode).toBe(429)
    await ctx.app.rateLimits.flush()
    const key = rateLimitKey(ctx.config.signingSecret, TOKENS, address)
    await ctx.database.db.updateTable('rate_limits').set({ resets_at: sql<Date>`now() - interval '1 second'` }).where('name', '=', TOKENS).where('key_hash', '=', key).execute()
    // The next flush reads the ended window back (the key was sent lately), and the next hit starts a new one.
    await ctx.app.rateLimits.flush()
    expect((await askToken(ctx.app, address)).statusCode).toBe(401)
    await ctx.app.rateLimits.flush()
    const [row] = (await rows(TOKENS)).filter((r) => r.key_hash === key)
    expect(row!.hits).toBe(1)
    expect(row!.resets_at.getTime()).toBeGreaterThan(Date.now() + 50_000)
  })

  it('counts a hand-made limiter under its own name: a survey answer under the per-address and the per-link limits', async () => {
    const names = (await ctx.database.db.selectFrom('rate_limits').select('name').distinct().execute()).map((row) => row.name)
    expect(names).toContain(TOKENS)
    // Answering a link that does not exist still passes through both survey limiters, and nothing else.
    await ctx.app.inject({ method: 'POST', url: '/s/no-such-link-token-000000', remoteAddress: '198.51.100.26', payload: {} })
    await ctx.app.rateLimits.flush()
    const after = (await ctx.database.db.selectFrom('rate_limits').select('name').distinct().execute()).map((row) => row.name)
    expect(after).toEqual(expect.arrayContaining(['survey answers per address', 'survey answers per link']))
  })
})

describeEachDatabase('rate-limit hits stored on shutdown', (ctx) => {
  it('stores the hits not yet flushed when the app closes', async () => {
    const app = await buildApp({ config: ctx.config, db: ctx.database.db, logger: false, mail: { worker: false }, release: { worker: false }, loop: { worker: false }, retention: { worker: false } })
    await app.ready()
    for (let i = 0; i < 3; i++) expect((await askToken(app, '198.51.100.31')).statusCode).toBe(401)
    const key = rateLimitKey(ctx.config.signingSecret, TOKENS, '198.51.100.31')
    expect(await ctx.database.db.selectFrom('rate_limits').select('hits').where('key_hash', '=', key).execute()).toEqual([])
    await app.close()
    expect(await ctx.database.db.selectFrom('rate_limits').select('hits').where('key_hash', '=', key).execute()).toEqual([{ hits: 3 }])
  })
}, { RATE_LIMIT_FLUSH_MS: '10000' })

describeEachDatabase('ended rate-limit windows purged by the periodic worker', (ctx) => {
  it('deletes counters whose window has ended and keeps the running ones', async () => {
    const db = ctx.database.db
    const key = (n: number) => rateLimitKey(ctx.config.signingSecret, 'purge test', String(n))
    await db.insertInto('rate_limits').values([
      { name: 'purge test', key_hash: key(1), hits: 3, resets_at: sql<Date>`now() - interval '1 minute'` },
      { name: 'purge test', key_hash: key(2), hits: 3, resets_at: sql<Date>`now() + interval '1 hour'` },
    ]).execute()
    const app = await buildApp({ config: ctx.config, db, logger: false, mail: { worker: false }, release: { worker: false }, loop: { worker: false }, retention: { intervalMs: 200, firstRunMs: 50 } })
    await app.ready()
    try {
      const started = Date.now()
      let left = await db.selectFrom('rate_limits').select('key_hash').where('name', '=', 'purge test').execute()
      while (left.length > 1 && Date.now() - started < 10_000) {
        await new Promise((done) => setTimeout(done, 50))
        left = await db.selectFrom('rate_limits').select('key_hash').where('name', '=', 'purge test').execute()
      }
      expect(left.map((row) => row.key_hash)).toEqual([key(2)])
    } finally {
      await app.close()
    }
  })
}, {}, { retention: { worker: false } })

for (const kind of DATABASES) {
  describe(`a rate limit that cannot store its counts [${kind}]`, () => {
    it('goes on counting on this instance, lets through what the count allows, and logs the failure without the address', async () => {
      const database = await createTestDatabase(kind)
      let output = ''
      const stream = new Writable({ write(chunk, _encoding, done) { output += chunk.toString(); done() } })
      const app = await buildApp({ config: testConfig({ RATE_LIMIT_FLUSH_MS: '10000' }), db: database.db, logger: loggerOptions('warn', stream), mail: { worker: false }, release: { worker: false }, loop: { worker: false }, retention: { worker: false } })
      try {
        await app.ready()
        const address = '203.0.113.77'
        expect((await askToken(app, address)).statusCode).toBe(401)
        await app.rateLimits.flush()
        // The counters' table gone: every flush fails, as it would with the database away.
        await sql`drop table rate_limits`.execute(database.db)
        const statuses: number[] = []
        for (let i = 0; i < 12; i++) statuses.push((await askToken(app, address)).statusCode)
        // No refusal comes from the failure: the nine the limit still allows get through, and the count holds after them.
        await app.rateLimits.flush()
        for (let i = 0; i < 2; i++) statuses.push((await askToken(app, address)).statusCode)
        expect(statuses).toEqual([...Array(9).fill(401), ...Array(5).fill(429)])
        const lines = output.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; keys?: number; error?: { code?: string } })
        const notStored = lines.filter((line) => line.msg === 'rate-limit counts not stored: this instance counts on its own and stores them later')
        expect(notStored).toHaveLength(1)
        expect(notStored[0]).toMatchObject({ keys: 1, error: { code: '42P01' } })
        expect(output).not.toContain(address)
      } finally {
        await app.close()
        await database.drop()
      }
    })
  })
}
