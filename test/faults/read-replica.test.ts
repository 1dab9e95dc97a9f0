// A real streaming replica (pg_basebackup of the local PostgreSQL, started on a port of its own) as
// DATABASE_READ_URL. Replay on the replica is paused to tell the two servers apart: what the replica
// has not replayed, a report read there cannot show. So the test proves that a reader's reports come
// from the replica, that the writer's own next report comes from the primary, that a replica further
// behind than DATABASE_READ_MAX_LAG is left for the primary, that the lag is shown (in /health, and in
// an admin's report footer), and that once the replica is killed every report is answered, correctly,
// by the primary.
//
// Then the replica goes under a request that is reading there: shut down (57P01), stopped at once,
// frozen (its connections open and silent, until the check gives up on it) or killed. Each time that
// request answers 503 with Retry-After, never a 500 or a hang, without reading the rest on the
// primary, and the next request reads the primary. A read the replica cancels for its replay is a 503
// too, and the replica stays in use; a report on the primary neither waits for nor takes the same
// analytics being read on the replica. To hold a request mid-read, the test locks tables on the
// primary: the lock is replayed on the replica, where the request's query waits for it, and a request
// gone on to the primary would wait there too. PostgreSQL only, like every fault test.
import { Writable } from 'node:stream'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../db/connect.js'
import { buildApp, loggerOptions } from '../../server/app.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { foldAll } from '../../server/repositories/rollups.js'
import { ANALYTICS_UNITS, analyticsResponses } from '../helpers/analytics-data.js'
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

/** The app's log, one parsed line per entry. */
function logLines() {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line))
      done()
    },
  })
  return { lines, stream }
}

describe('reports on a streaming replica', () => {
  const log = logLines()
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
  /** A count on the replica, or undefined while it cannot be asked (stopped, starting). */
  const onReplicaCount = async (query: ReturnType<typeof sql<{ n: number }>>) => {
    try {
      return Number((await query.execute(onReplica)).rows[0]!.n)
    } catch {
      return undefined
    }
  }

  /**
   * Starts `send` while the rollups and responses are locked on the primary, once its read waits for
   * the lock on the replica, and loses the replica under it. Returns the answer, how long after the
   * loss it came, and how many queries waited on the primary's lock then (a read gone on to the
   * primary would wait there, and not answer at all).
   */
  async function replicaLostUnder(send: () => Promise<LightMyRequestResponse>, lose: () => Promise<void>) {
    let release!: () => void
    const held = new Promise<void>((resolve) => { release = resolve })
    let locked!: () => void
    const lockTaken = new Promise<void>((resolve) => { locked = resolve })
    // Nothing queued for the fold first: with forms waiting, the app's fold would read the responses
    // on the primary and wait on the lock below, which would count as a read gone to the primary.
    await until('the fold to take every queued form', async () => {
      await foldAll(database.db)
      return Number((await sql<{ n: string }>`select count(*) as n from fold_queue`.execute(database.db)).rows[0]!.n) === 0
    })
    // What every report, page and export reads once it has its wave and organization: the rollups
    // (the release's version) and the responses.
    const holder = database.db.transaction().execute(async (trx) => {
      await sql`lock table response_rollups, responses in access exclusive mode`.execute(trx)
      locked()
      await held
    })
    try {
      await lockTaken
      // The lock's record reaches the replica once the WAL is flushed: another transaction's commit does it.
      await sql`select txid_current()`.execute(database.db)
      await until('the lock on the replica', async () => (await onReplicaCount(sql<{ n: number }>`
        select count(*)::int as n from pg_locks where locktype = 'relation' and mode = 'AccessExclusiveLock' and granted
          and database = (select oid from pg_database where datname = current_database()) and relation in ('responses'::regclass, 'response_rollups'::regclass)`)) === 2)
      const answer = send()
      await until('the request to wait on the replica', async () => ((await onReplicaCount(sql<{ n: number }>`
        select count(*)::int as n from pg_stat_activity where application_name = 'service-gap-reads' and datname = current_database() and wait_event_type = 'Lock'`)) ?? 0) >= 1)
      // Timed from the start of the loss: pg_ctl returns only once the replica is down, its sessions ended sooner.
      const lostAt = performance.now()
      const lost = lose()
      let timer: NodeJS.Timeout | undefined
      const response = await Promise.race([answer, new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer within 15 s of losing the replica')), 15_000)
      })]).finally(() => clearTimeout(timer))
      const ms = performance.now() - lostAt
      await lost
      // This database's waits only: pg_locks shows the whole server, where other test files run beside this one.
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_locks
        where not granted and database = (select oid from pg_database where datname = current_database())`.execute(database.db)
      return { response, ms, waitedOnPrimary: rows[0]!.n }
    } finally {
      release()
      await holder
    }
  }

  /**
   * The replica streaming again, with every response replayed, and within its lag bound so that reads
   * go there (on a busy machine it can stream and still be behind for a while).
   */
  const streamingWith = (n: number) => until('the replica to stream', async () => {
    const { replica: status } = await health()
    return status.state === 'streaming' && status.reads === 'replica'
      && (await onReplicaCount(sql<{ n: number }>`select count(*)::int as n from responses where wave_id = ${waveId}`)) === n
  }, 60_000)

  function expectCleanFailure({ response, ms, waitedOnPrimary }: Awaited<ReturnType<typeof replicaLostUnder>>, withinMs = 5000) {
    expect(response.statusCode).toBe(503)
    expect(response.headers['retry-after']).toBe('1')
    // Answered once the replica went, not held until the primary's lock was let go.
    expect(ms).toBeLessThan(withinMs)
    expect(waitedOnPrimary).toBe(0)
  }

  beforeAll(async () => {
    database = await createTestDatabase('postgres')
    // The base backup speaks the replication protocol, which a pooler does not: straight to the server.
    replica = await startReplica(directServerUrl())
    const name = new URL(database.url!).pathname.slice(1)
    onReplica = openDatabase({ url: replica.urlOf(name), dataDir: null, poolSize: 1 })
    const config = testConfig({ DATABASE_URL: database.url!, DATABASE_READ_URL: replica.urlOf(name), DATABASE_READ_MAX_LAG: String(MAX_LAG_SECONDS) })
    app = await buildApp({ config, db: database.db, logger: loggerOptions('info', log.stream) })
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

  it('fails a report read when the replica shuts down under it, and reads the next from the primary', async () => {
    // Shut down (fast): the replica ends the request's session with 57P01 admin_shutdown.
    await streamingWith(7)
    const api = await replicaLostUnder(
      () => app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/report`, headers: bearer(reader) }), () => replica.stop('fast'))
    expectCleanFailure(api)
    expect(api.response.json()).toEqual({ error: 'database_unavailable', message: expect.stringContaining('the next attempt reads the main database') })
    expect((await health()).replica).toMatchObject({ state: 'unreachable', reads: 'primary' })
    expect(await customersIn(reader)).toBe(7)

    // Stopped at once (immediate), as a crash would: the session ends with a warning and a closed connection.
    await replica.start()
    await submit(1)
    await streamingWith(8)
    const page = await replicaLostUnder(() => admin.get(`/waves/${waveId}`), () => replica.stop('immediate'))
    expectCleanFailure(page)
    expect(page.response.headers['content-type']).toMatch(/^text\/html/)
    expect(page.response.body).toContain('Temporarily unavailable')
    expect(page.response.body).toContain('the next attempt reads the main database')
    const next = await admin.get(`/waves/${waveId}`)
    expect(next.statusCode).toBe(200)
    expect(next.body).toContain('8 customer responses')
    expect(next.body).not.toContain('Figures from the read replica')

    await replica.start()
    await streamingWith(8)
    expect(await customersIn(reader)).toBe(8)
    expect((await admin.get(`/waves/${waveId}`)).body).toContain('Figures from the read replica')
  })

  it('fails a report read when the replica stops answering under it, once a check gives up on it', async () => {
    // Frozen, its connections stay open and silent: only the check, which waits at most
    // DATABASE_READ_MAX_LAG, can tell, and then the read under way fails too.
    await streamingWith(8)
    try {
      const frozen = await replicaLostUnder(
        () => app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/report`, headers: bearer(reader) }), async () => replica.freeze())
      expectCleanFailure(frozen, (MAX_LAG_SECONDS + 4) * 1000)
      expect(frozen.response.json()).toMatchObject({ error: 'database_unavailable' })
      expect((await health()).replica).toMatchObject({ state: 'unreachable', reads: 'primary' })
      expect(await customersIn(reader)).toBe(8)
    } finally {
      replica.thaw()
    }
    await streamingWith(8)
    expect(await customersIn(reader)).toBe(8)
  })

  it('fails a report read that the replica cancels to go on replaying, and answers the next', async () => {
    await streamingWith(8)
    // Two locks on the primary, in two transactions. The first (staff releases) holds the report's
    // read of the release version on the replica, which has the rollups by then; the second (the
    // rollups) is one the replica's replay must take from that read, so it cancels it.
    const holders: Array<Promise<void>> = []
    const releases: Array<() => void> = []
    const lockOnPrimary = async (table: string) => {
      let locked!: () => void
      const taken = new Promise<void>((resolve) => { locked = resolve })
      const held = new Promise<void>((resolve) => releases.push(resolve))
      holders.push(database.db.transaction().execute(async (trx) => {
        await sql`lock table ${sql.table(table)} in access exclusive mode`.execute(trx)
        locked()
        await held
      }))
      await taken
      await sql`select txid_current()`.execute(database.db)
      await until(`the lock of ${table} on the replica`, async () => (await onReplicaCount(sql<{ n: number }>`
        select count(*)::int as n from pg_locks where locktype = 'relation' and mode = 'AccessExclusiveLock' and granted
          and database = (select oid from pg_database where datname = current_database()) and relation = ${table}::regclass`)) === 1)
    }
    try {
      await lockOnPrimary('staff_releases')
      const answer = app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/report`, headers: bearer(reader) })
      // Each side's read: both hold the rollups.
      await until('the read to hold the rollups and wait for the staff releases', async () => ((await onReplicaCount(sql<{ n: number }>`
        select count(*)::int as n from pg_locks l join pg_stat_activity a using (pid)
        where a.application_name = 'service-gap-reads' and a.datname = current_database() and l.granted and l.relation = 'response_rollups'::regclass
          and a.wait_event_type = 'Lock'`)) ?? 0) >= 1)
      const lockedAt = performance.now()
      // Not awaited: on the replica, this lock waits for the read it cancels.
      const second = lockOnPrimary('response_rollups')
      const response = await answer
      expect(performance.now() - lockedAt).toBeLessThan(10_000)
      expect(response.statusCode).toBe(503)
      expect(response.headers['retry-after']).toBe('1')
      expect(response.json()).toEqual({ error: 'database_unavailable', message: expect.stringContaining('cancelled this read to catch up') })
      await second
    } finally {
      for (const release of releases) release()
      await Promise.all(holders)
    }
    // The replica is well: it is not left, and the next read is answered.
    expect((await health()).replica.state).not.toBe('unreachable')
    expect(await customersIn(reader)).toBe(8)
  })

  it('keeps a report on the primary apart from a reading of the same analytics held on the replica', async () => {
    // A wave big enough for key drivers, whose bootstrap reads every customer's answers (the responses table).
    for (const name of ANALYTICS_UNITS) {
      expect((await app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(writer), payload: { name } })).statusCode).toBe(201)
    }
    const created = await app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(writer), payload: { name: 'Drivers', templateKey: 'service-gap-index' } })
    const drivers = created.json().id as string
    const rows = analyticsResponses()
    expect((await app.inject({ method: 'POST', url: `/api/v1/waves/${drivers}/responses`, headers: bearer(writer), payload: rows })).statusCode).toBe(201)
    const customerCount = rows.filter((row) => row.side === 'customer').length
    await until('the replica to have the wave', async () => (await onReplicaCount(sql<{ n: number }>`select count(*)::int as n from responses where wave_id = ${drivers}`)) === rows.length)
    await streamingWith(8)

    // The responses locked on the replica only: locked on the primary, the lock replayed, replay paused, the primary's lock let go.
    let release!: () => void
    const held = new Promise<void>((resolve) => { release = resolve })
    let locked!: () => void
    const taken = new Promise<void>((resolve) => { locked = resolve })
    const holder = database.db.transaction().execute(async (trx) => {
      await sql`lock table responses in access exclusive mode`.execute(trx)
      locked()
      await held
    })
    let resumed = false
    try {
      await taken
      await sql`select txid_current()`.execute(database.db)
      await until('the lock on the replica', async () => (await onReplicaCount(sql<{ n: number }>`
        select count(*)::int as n from pg_locks where locktype = 'relation' and mode = 'AccessExclusiveLock' and granted
          and database = (select oid from pg_database where datname = current_database()) and relation = 'responses'::regclass`)) === 1)
      await sql`select pg_wal_replay_pause()`.execute(onReplica)
      release()
      await holder
      // The reader's report reads the replica, and waits there in the key drivers' reading of the answers.
      const onReplicaAnswer = app.inject({ method: 'GET', url: `/api/v1/waves/${drivers}/report`, headers: bearer(reader) })
      await until('the report to wait on the replica', async () => ((await onReplicaCount(sql<{ n: number }>`
        select count(*)::int as n from pg_stat_activity where application_name = 'service-gap-reads' and datname = current_database() and wait_event_type = 'Lock'`)) ?? 0) >= 1)
      // The writer, who has just written (a refused unit counts), reads the primary: the same view under the same release.
      await app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(writer), payload: { name: '' } })
      let timer: NodeJS.Timeout | undefined
      const onPrimary = await Promise.race([
        app.inject({ method: 'GET', url: `/api/v1/waves/${drivers}/report`, headers: bearer(writer) }),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('the report on the primary waited for the replica\'s')), 15_000) }),
      ]).finally(() => clearTimeout(timer))
      expect(onPrimary.statusCode).toBe(200)
      expect(onPrimary.json().headline.customer.n).toBe(customerCount)
      expect(onPrimary.json().drivers).not.toBeNull()

      await sql`select pg_wal_replay_resume()`.execute(onReplica)
      resumed = true
      const replicaReport = await onReplicaAnswer
      expect(replicaReport.statusCode).toBe(200)
      expect(replicaReport.json().drivers).toEqual(onPrimary.json().drivers)
    } finally {
      release()
      await holder
      if (!resumed) await sql`select pg_wal_replay_resume()`.execute(onReplica)
    }
    await streamingWith(8)
  })

  // The read held here is the API report: held on an export instead, the request did not always reach
  // its wait on the replica within 15 s when the whole suite ran beside it in CI (2026-12-04), and
  // that was not understood in time; the export's first page is read before anything is sent, so it
  // fails the same way (services/export.ts).
  it('fails a report read when the replica is killed under it, and answers every report and export from the primary after', async () => {
    let killedAt = 0
    const held = await replicaLostUnder(() => app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/report`, headers: bearer(reader) }), () => {
      killedAt = performance.now()
      return replica.kill()
    })
    expectCleanFailure(held)
    expect(held.response.headers['content-type']).toMatch(/^application\/json/)
    expect(held.response.json()).toMatchObject({ error: 'database_unavailable' })
    await submit(1)
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
    const exported = await app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/export.csv`, headers: bearer(reader) })
    expect(exported.statusCode).toBe(200)
    expect(exported.body.split('\n').filter((line) => line.includes(',customer,'))).toHaveLength(9)
  })

  it('logged the replica\'s failures as 503s and warnings, never a 500 or an error', () => {
    const completed = log.lines.filter((line) => line.msg === 'request completed')
    const statuses = completed.map((line) => (line.res as { statusCode: number }).statusCode)
    expect(statuses.filter((status) => status === 503)).toHaveLength(5)
    expect(statuses.filter((status) => status >= 500 && status !== 503)).toEqual([])
    expect(log.lines.filter((line) => (line.level as number) >= 50)).toEqual([])
    expect(log.lines.filter((line) => line.msg === 'the read replica failed under this request')).toHaveLength(5)
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
