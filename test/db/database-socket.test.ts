// The embedded database served on a Unix socket, in one process with the app's own queries: a client's
// transaction and the app's never mix, a client's SET does not stay with the app, a client silent inside
// a transaction is disconnected and rolled back, and what a client leaves behind goes with it.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { openDatabase, openDatabaseOrServer, socketConnection, socketPath, type Db } from '../../db/connect.js'
import { serveDatabaseSocket, type DatabaseSocket } from '../../db/socket.js'

const dataDir = mkdtempSync(join(tmpdir(), 'sg-socket-'))
let db: Db
let socket: DatabaseSocket
const clients: pg.Client[] = []

beforeAll(async () => {
  db = openDatabase({ url: null, dataDir })
  await sql`create table counts (n int)`.execute(db)
  const served = await serveDatabaseSocket(db, { idleInTransactionMs: 500 })
  if (!('close' in served)) throw new Error(served.skipped)
  socket = served
})

afterAll(async () => {
  for (const client of clients) await client.end().catch(() => {})
  await socket?.close()
  await db?.destroy()
  rmSync(dataDir, { recursive: true, force: true })
})

async function client() {
  const c = new pg.Client(socketConnection(dataDir))
  c.on('error', () => {})
  clients.push(c)
  await c.connect()
  return c
}

const appCount = async () => (await sql<{ n: number }>`select count(*)::int as n from counts`.execute(db)).rows[0]!.n

it('is a socket only this user can use, where pg looks for it', () => {
  expect(socketPath(dataDir)).toBe(join(dataDir, '.s.PGSQL.5432'))
  expect(statSync(socketPath(dataDir)).mode & 0o777).toBe(0o600)
  expect(statSync(dataDir).mode & 0o777).toBe(0o700)
})

it('keeps the app out of a client\'s transaction, and the client out of the app\'s', async () => {
  const c = await client()
  await c.query('begin')
  await c.query('insert into counts values (1)')
  let appDone = false
  const app = appCount().then((n) => {
    appDone = true
    return n
  })
  await new Promise((resolve) => setTimeout(resolve, 200))
  expect(appDone).toBe(false) // waits for the client's transaction
  await c.query('rollback')
  expect(await app).toBe(0) // and never saw its uncommitted row

  // The app's transaction, rolled back: the client's query ran before or after it, never inside.
  const appTransaction = db.transaction().execute(async (trx) => {
    await sql`insert into counts values (2)`.execute(trx)
    await new Promise((resolve) => setTimeout(resolve, 200))
    throw new Error('roll back')
  }).catch(() => 'rolled back')
  const seen = c.query('select count(*)::int as n from counts')
  expect(await appTransaction).toBe('rolled back')
  expect((await seen).rows[0].n).toBe(0)
  expect(await appCount()).toBe(0)
})

it('answers a client\'s errors and parameters like PostgreSQL, and the app carries on', async () => {
  const c = await client()
  await expect(c.query('select nope')).rejects.toThrow('column "nope" does not exist')
  expect((await c.query('select $1::int + 1 as n', [41])).rows[0].n).toBe(42)
  await c.query('begin')
  await expect(c.query('select 1/0')).rejects.toThrow('division by zero')
  await c.query('rollback')
  expect(await appCount()).toBe(0)
})

it('does not leave a client\'s SET with the app', async () => {
  const c = await client()
  await c.query('set search_path = nowhere')
  expect(await appCount()).toBe(0) // would fail with "relation counts does not exist"
  const shown = await sql<{ search_path: string }>`show search_path`.execute(db)
  expect(shown.rows[0]!.search_path).not.toContain('nowhere')
})

it('disconnects a client silent inside a transaction, rolls it back, and lets the app go on', async () => {
  const c = await client()
  const ended = new Promise((resolve) => c.once('end', resolve))
  await c.query('begin')
  await c.query('insert into counts values (3)')
  await c.query('create temporary table scratch (x int)')
  const started = Date.now()
  expect(await appCount()).toBe(0) // waited for the timeout, then saw the rollback
  expect(Date.now() - started).toBeGreaterThanOrEqual(300)
  await ended
  const temp = await sql<{ n: number }>`select count(*)::int as n from pg_class where relname = 'scratch'`.execute(db)
  expect(temp.rows[0]!.n).toBe(0)
})

it('rolls back what a client left open when it disconnects, and drops its temporary tables', async () => {
  const c = await client()
  await c.query('create temporary table kept (x int)')
  const tables = async () => (await sql<{ n: number }>`select count(*)::int as n from pg_class where relname = 'kept'`.execute(db)).rows[0]!.n
  expect(await tables()).toBe(1) // one session: the app sees it while the client is connected
  await c.query('begin')
  await c.query('insert into counts values (4)')
  await c.end()
  expect(await appCount()).toBe(0)
  expect(await tables()).toBe(0)
})

it('is what a command in this process uses instead of opening the directory again', async () => {
  const command = openDatabaseOrServer({ url: null, dataDir })
  try {
    await sql`insert into counts values (5)`.execute(command)
  } finally {
    await command.destroy()
  }
  expect(await appCount()).toBe(1)
})

it('removes the socket when closed', async () => {
  await socket.close()
  expect(existsSync(socketPath(dataDir))).toBe(false)
  await expect(() => new pg.Client(socketConnection(dataDir)).connect()).rejects.toThrow()
  expect(await appCount()).toBe(1)
})
