// A real streaming replica (pg_basebackup of the local PostgreSQL, started on a port of its own) as
// DATABASE_READ_URL. Replay on the replica is paused to tell the two servers apart: what the replica
// has not replayed, a report read there cannot show. So the test proves that a reader's reports come
// from the replica, that the writer's own next report comes from the primary, that a replica further
// behind than DATABASE_READ_MAX_LAG is left for the primary, that the lag is shown (in /health, and in
// an admin's report footer), and that once the replica is killed every report is answered, correctly,
// by the primary. PostgreSQL only, like every fault test.
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../db/connect.js'
import { buildApp } from '../../server/app.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { addPerson, apiToken, bearer, Browser, createTenant, testConfig, type TestContext } from '../helpers/app.js'
import { createTestDatabase, directServerUrl, type TestDatabase } from '../helpers/databases.js'
import { startReplica, type Replica } from '../helpers/replica.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
/** Long enough for the few requests the paused replica must serve on a busy machine, short enough to wait out. */
const MAX_LAG_SECONDS = 3
const customers = (n: number) => Array.from({ length: n }, () => ({ side: 'customer', answers: Object.fromEntries(KEYS.map((key) => [key, 4])) }))

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('reports on a streaming replica', () => {
  let database: TestDatabase
  let replica: Replica
  let onReplica: Db
  let app: FastifyInstance
  let writer: string
  let reader: string
  let admin: Browser
  let waveId: string

  const health = async () => (await app.inject({ method: 'GET', url: '/health' })).json()
  const customersIn = async (token: string) => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/report`, headers: bearer(token) })
    expect(response.statusCode).toBe(200)
    return response.json().headline.customer.n as number
  }
  const submit = async (n: number) => {
    const response = await app.inject({ method: 'POST', url: `/api/v1/waves/${waveId}/responses`, headers: bearer(writer), payload: customers(n) })
    expect(response.statusCode).toBe(201)
  }
  const replayedResponses = async () =>
    Number((await sql<{ n: number }>`select count(*)::int as n from responses where wave_id = ${waveId}`.execute(onReplica)).rows[0]!.n)

  beforeAll(async () => {
    database = await createTestDatabase('postgres')
    // The base backup speaks the replication protocol, which a pooler does not: straight to the server.
    replica = await startReplica(directServerUrl())
    const name = new URL(database.url!).pathname.slice(1)
    onReplica = openDatabase({ url: replica.urlOf(name), dataDir: null, poolSize: 1 })
    const config = testConfig({ DATABASE_URL: database.url!, DATABASE_READ_URL: replica.urlOf(name), DATABASE_READ_MAX_LAG: String(MAX_LAG_SECONDS) })
    app = await buildApp({ config, db: database.db, logger: false })
    await app.ready()
    const ctx = { kind: 'postgres', app, database, config } as TestContext
    const tenant = await createTenant(ctx, 'Replica Co')
    writer = await apiToken(ctx, tenant.owner.email)
    reader = await apiToken(ctx, await addPerson(ctx, tenant, 'analyst'))
    admin = await new Browser(app).login(await addPerson(ctx, tenant, 'admin'))
    const wave = await app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(writer), payload: { name: 'Spring', templateKey: 'service-gap-index' } })
    expect(wave.statusCode).toBe(201)
    waveId = wave.json().id
    await submit(6)
  })

  afterAll(async () => {
    await app?.close()
    await onReplica?.destroy()
    await replica?.remove()
    await database?.drop()
  })

  it('serves reports from the replica, the writer\'s own from the primary, and leaves a replica behind its bound', async () => {
    const streaming = await until('the replica to stream', async () => {
      const status = (await health()).replica
      return status?.state === 'streaming' && (await replayedResponses()) === 6 && status
    })
    expect(streaming).toEqual({ state: 'streaming', reads: 'replica', lagSeconds: expect.any(Number), maxLagSeconds: MAX_LAG_SECONDS })
    expect(streaming.lagSeconds).toBeLessThanOrEqual(MAX_LAG_SECONDS)
    expect(await customersIn(reader)).toBe(6)
    // The app's read pool is connected to the replica, under its own name.
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where application_name = 'service-gap-reads' and datname = current_database()`.execute(onReplica)
    expect(rows[0]!.n).toBeGreaterThan(0)

    await sql`select pg_wal_replay_pause()`.execute(onReplica)
    await submit(1)
    // The reader, served by the paused replica, does not see the new answer yet; the writer reads
    // their own (the primary).
    expect(await customersIn(reader)).toBe(6)
    const page = await admin.get(`/waves/${waveId}`)
    expect(await customersIn(writer)).toBe(7)
    // Paused, the replica's lag only grows: still within the bound now, it was within it for the reads above.
    expect((await health()).replica.state).toBe('streaming')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('6 customer responses')
    expect(page.body).toMatch(/Figures from the read replica, as of at most \d+ s ago\./)

    // Paused, the replica falls behind: past the bound, reports go to the primary.
    const behind = await until('the replica to be behind', async () => {
      const status = (await health()).replica
      return status.state === 'behind' && status
    }, (MAX_LAG_SECONDS + 5) * 1000)
    expect(behind).toMatchObject({ reads: 'primary' })
    expect(behind.lagSeconds).toBeGreaterThanOrEqual(MAX_LAG_SECONDS)
    expect(await customersIn(reader)).toBe(7)
    const fallback = await admin.get(`/waves/${waveId}`)
    expect(fallback.body).toContain('7 customer responses')
    expect(fallback.body).not.toContain('Figures from the read replica')

    // Replaying again, it catches up and serves the reader once more, with the same figures.
    await sql`select pg_wal_replay_resume()`.execute(onReplica)
    await until('the replica to catch up', async () => (await health()).replica.state === 'streaming')
    expect(await customersIn(reader)).toBe(7)
    expect((await admin.get(`/waves/${waveId}`)).body).toContain('Figures from the read replica')
  })

  it('answers every report from the primary once the replica is killed', async () => {
    const killedAt = performance.now()
    await replica.kill()
    await submit(2)
    const down = await until('the replica to be seen down', async () => {
      const status = (await health()).replica
      return status.state === 'unreachable' && status
    })
    console.log(`replica: seen down ${Math.round(performance.now() - killedAt)} ms after the kill`)
    expect(down).toEqual({ state: 'unreachable', reads: 'primary', lagSeconds: null, maxLagSeconds: MAX_LAG_SECONDS })
    for (const token of [reader, writer]) expect(await customersIn(token)).toBe(9)
    const page = await admin.get(`/waves/${waveId}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('9 customer responses')
    expect(page.body).not.toContain('Figures from the read replica')
    const csv = await app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/export.csv`, headers: bearer(reader) })
    expect(csv.statusCode).toBe(200)
    expect(csv.body.split('\n').filter((line) => line.includes(',customer,'))).toHaveLength(9)
  })

  it('refuses a read URL that is not a standby, and reads the primary instead', async () => {
    // The primary itself given as the replica: it would serve, but nothing says it follows the primary.
    const config = testConfig({ DATABASE_URL: database.url!, DATABASE_READ_URL: database.url! })
    const misread = await buildApp({ config, db: database.db, logger: false })
    try {
      await misread.ready()
      const status = await until('the check', async () => {
        const { replica: seen } = (await misread.inject({ method: 'GET', url: '/health' })).json()
        return seen.state !== 'starting' && seen
      })
      expect(status).toEqual({ state: 'not_a_replica', reads: 'primary', lagSeconds: null, maxLagSeconds: 5 })
      const response = await misread.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/report`, headers: bearer(reader) })
      expect(response.json().headline.customer.n).toBe(9)
    } finally {
      await misread.close()
    }
  })
})
