// The dialect switch: PostgreSQL through `pg` when a URL is given, PGlite otherwise. Both are set up
// to return the same JavaScript types: bigint and numeric columns come back as numbers, timestamps as
// Dates, jsonb as objects.
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Mutex, PGlite } from '@electric-sql/pglite'
import { Kysely, PGliteDialect, PostgresAdapter, PostgresDialect, type DatabaseConnection, type DialectAdapter, type Driver, type PostgresDialectConfig } from 'kysely'
import pg from 'pg'
import type { Database } from './schema.js'

const INT8 = 20
const NUMERIC = 1700
const toNumber = (value: string) => Number(value)

export type Db = Kysely<Database>

export interface DatabaseTarget {
  /** postgres:// URL, or null for the embedded database. */
  url: string | null
  /** The data directory; PGlite keeps its files in <dataDir>/pglite. Null keeps them in memory (tests). */
  dataDir: string | null
  poolSize?: number
  /** How long a query may wait for a connection (a new one, or a free one in the pool), in ms. */
  connectTimeout?: number
  /**
   * PostgreSQL only: told at once when a connection cannot be made or is lost, and when a query fails
   * because its connection was lost (isDatabaseUnavailable), before the query's caller sees the error.
   * A read replica's pool uses it to stop reading there.
   */
  onConnectionError?: (error: Error) => void
  /** PostgreSQL only: the name the server shows for these connections (pg_stat_activity.application_name). */
  applicationName?: string
  /** For the embedded database kept in memory: a data directory dumped by PGlite's dumpDataDir to start from (tests copy one migrated database). */
  loadDataDir?: Blob
}

/** Unless told otherwise, a request gives up on an unreachable database after this long. */
const DEFAULT_CONNECT_TIMEOUT_MS = 5000

export function openDatabase(target: DatabaseTarget): Db {
  if (target.url !== null) {
    return postgresDb({
      connectionString: target.url, max: target.poolSize ?? 10, connectionTimeoutMillis: target.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
      ...(target.applicationName ? { application_name: target.applicationName } : {}),
    }, target.onConnectionError)
  }
  const dir = target.dataDir === null ? undefined : join(target.dataDir, 'pglite')
  let unlock = () => {}
  if (dir !== undefined) {
    mkdirSync(dir, { recursive: true })
    unlock = lockDataDir(target.dataDir!)
  }
  const pglite = new PGlite({ dataDir: dir, loadDataDir: target.loadDataDir, parsers: { [INT8]: toNumber, [NUMERIC]: toNumber } })
  const gate = new Mutex()
  const db = new Kysely<Database>({ dialect: new GatedPGliteDialect(pglite, gate) })
  // kysely closes its driver only once a query has started it; PGlite starts in its constructor,
  // so a database closed before its first query would otherwise keep running (and keep the lock)
  // while its files are removed underneath it.
  const destroy = db.destroy.bind(db)
  db.destroy = async () => {
    await destroy()
    if (!pglite.closed) await pglite.close()
    unlock()
  }
  embedded.set(db, { pglite, gate, dataDir: target.dataDir })
  return db
}

/**
 * For the commands (npm run admin, npm run migrate, the shell): the embedded database of a running
 * server is reached through the socket it serves in the data directory, so the files are never
 * opened by two processes; without a running server the data directory is opened directly.
 */
export function openDatabaseOrServer(target: DatabaseTarget): Db {
  if (target.url !== null || target.dataDir === null) return openDatabase(target)
  try {
    return openDatabase(target)
  } catch (error) {
    if (!(error instanceof DatabaseInUseError) || error.pid === null) throw error
    if (!servedByLockOwner(target.dataDir)) {
      throw new DatabaseInUseError(`${error.message} It does not offer its database to commands: a server that is still starting does so in a moment; an older server or another command never does.`, error.pid)
    }
    return postgresDb({ ...socketConnection(target.dataDir), max: 1, connectionTimeoutMillis: target.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS })
  }
}

/**
 * True when the data directory's socket is the current lock owner's: a server locks first and serves
 * the socket after, so a socket older than the lock is one a killed server left behind (the owner
 * now is a command, or a server that has not got as far yet).
 */
function servedByLockOwner(dataDir: string): boolean {
  try {
    return statSync(socketPath(dataDir)).mtimeMs >= statSync(join(dataDir, LOCK_FILE)).mtimeMs
  } catch {
    return false
  }
}

/**
 * The socket a server on the embedded database serves in its data directory. The name is the one a
 * PostgreSQL client looks for when its host is a directory (`<dir>/.s.PGSQL.<port>`), so `pg` and
 * `psql` reach it with host=<data directory>.
 */
export const SOCKET_PORT = 5432
export const socketPath = (dataDir: string) => join(dataDir, `.s.PGSQL.${SOCKET_PORT}`)
/** PGlite accepts any user and password; the socket's file permissions are what keeps others out. */
export const socketConnection = (dataDir: string) => ({ host: dataDir, port: SOCKET_PORT, user: 'postgres', database: 'postgres' })

/** What the socket server needs of an embedded database opened by this process. */
export interface EmbeddedDatabase {
  pglite: PGlite
  /** Held by whoever uses the single PGlite session: one query or transaction of the app, or a socket client's statement or transaction. */
  gate: Mutex
  dataDir: string | null
}
const embedded = new WeakMap<Db, EmbeddedDatabase>()

/** The PGlite behind a database opened here, or null for PostgreSQL and for one reached through a server's socket. */
export const embeddedDatabase = (db: Db): EmbeddedDatabase | null => embedded.get(db) ?? null

function postgresDb(config: pg.PoolConfig, told?: (error: Error) => void): Db {
  const onConnectionError = told ?? (() => {})
  const pool = new pg.Pool({
    ...config,
    // A database that does not answer fails the request within seconds instead of holding it for
    // minutes (a host that is down swallows the connection attempt without a reply).
    // Connections to a host that vanished without closing them are found by TCP keepalive.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 || oid === NUMERIC ? toNumber : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  })
  // A dropped idle connection must not crash the process; the next query reports the outage.
  pool.on('error', onConnectionError)
  // Nor may one dropped while a request holds it: pg emits 'error' on such a client, and the pool
  // listens only while the client is idle. The query on it fails on its own, and the pool discards
  // the client when it is released.
  pool.on('connect', (client) => client.on('error', onConnectionError))
  // The connections queries hold now, for abortQueries.
  const busy = new Set<pg.PoolClient>()
  pool.on('acquire', (client) => busy.add(client))
  pool.on('release', (_error, client) => busy.delete(client))
  pool.on('remove', (client) => busy.delete(client as pg.PoolClient))
  // A connection that cannot be made is reported too (the query that asked for it fails on its own).
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>
  const reported = async () => {
    try {
      return await connect()
    } catch (error) {
      onConnectionError(error as Error)
      throw error
    }
  }
  const db = new Kysely<Database>({ dialect: new PooledPostgresDialect({ pool: Object.assign(pool, { connect: reported }) }, told ?? null) })
  aborts.set(db, () => {
    // Closing the socket, not ending the session: a server that does not answer would not answer that either.
    for (const client of busy) (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy()
    const aborted = busy.size
    busy.clear()
    return aborted
  })
  return db
}

const aborts = new WeakMap<Db, () => number>()

/**
 * Cuts every connection of a PostgreSQL database's pool that a query holds now: those queries fail at
 * once, as on a lost connection (isDatabaseUnavailable), and the connections are not used again. For
 * a server that stopped answering without closing its connections (frozen, or cut off by the network),
 * where they would wait for TCP keepalive, minutes. Returns how many were cut.
 */
export const abortQueries = (db: Db): number => aborts.get(db)?.() ?? 0

/**
 * Errors that mean a database cannot be reached right now: a connection refused, reset or timed out,
 * the server shutting down or crashed under a query (57P01 admin_shutdown, 57P02 crash_shutdown,
 * 57P03 cannot_connect_now, class 08 connection exceptions), a connection that ended mid-query, a
 * wait for a free connection in the pool that ran out. The one classification: the error answer
 * (503), the survey's held form, the rate limits and the read replica's watch all ask this.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null
  if (!e) return false
  if (e.code && ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006'].includes(e.code)) return true
  // pg's messages: a connection lost or never made, and a wait for a free connection in the pool that ran out.
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|PGlite is closed/i.test(e.message ?? '')
}

/**
 * kysely's PostgreSQL dialect with the migration lock left to db/migrate.ts. kysely takes a
 * session-level advisory lock before the migrations' transaction and releases it after, three
 * statements on one client connection; behind PgBouncer in transaction mode each may run on a
 * different server connection, so the lock stays held on one of them and the next migration waits
 * for it (an hour, kysely's lock timeout). db/migrate.ts instead takes a transaction-level lock as
 * the first statement of the one transaction it gives the migrator.
 */
class PooledPostgresDialect extends PostgresDialect {
  constructor(config: PostgresDialectConfig, private readonly onConnectionError: ((error: Error) => void) | null) {
    super(config)
  }

  override createAdapter(): DialectAdapter {
    return new CallerLockedAdapter()
  }

  /**
   * A query that fails because its connection was lost is reported before its caller sees the error:
   * pg tells the pool of a connection that ended only once the socket has closed, which may come
   * after the failed query's caller has answered (a server that shuts down sends its error first).
   * Only for a pool told of its errors (the read replica's): other pools' queries run as kysely runs them.
   */
  override createDriver(): Driver {
    const driver = super.createDriver()
    const told = this.onConnectionError
    if (told === null) return driver
    const acquire = driver.acquireConnection.bind(driver)
    const watched = new WeakSet<DatabaseConnection>()
    const report = (error: unknown) => {
      if (isDatabaseUnavailable(error)) told(error as Error)
    }
    driver.acquireConnection = async () => {
      const connection = await acquire()
      if (watched.has(connection)) return connection
      watched.add(connection)
      const execute = connection.executeQuery.bind(connection)
      const stream = connection.streamQuery.bind(connection)
      connection.executeQuery = async (query) => {
        try {
          return await execute(query)
        } catch (error) {
          report(error)
          throw error
        }
      }
      connection.streamQuery = async function* (query, chunkSize) {
        try {
          yield* stream(query, chunkSize)
        } catch (error) {
          report(error)
          throw error
        }
      }
      return connection
    }
    return driver
  }
}

class CallerLockedAdapter extends PostgresAdapter {
  override async acquireMigrationLock(db: Kysely<unknown>): Promise<void> {
    if (!db.isTransaction) throw new Error('The migrator runs in the transaction db/migrate.ts gives it, which holds the migration lock.')
  }

  override async releaseMigrationLock(): Promise<void> {
    // released by the end of the caller's transaction
  }
}

/**
 * kysely's own PGlite dialect (PGlite has one connection: kysely hands it to one query or
 * transaction at a time), behind a gate. Each query or transaction of the app holds the gate, which
 * a socket client holds for its statement or transaction too: PGlite is one session, and without the gate a command's BEGIN would pull the
 * app's next queries into the command's transaction (and the app's into the command's).
 */
class GatedPGliteDialect extends PGliteDialect {
  constructor(pglite: PGlite, private readonly gate: Mutex) {
    super({ pglite })
  }

  override createDriver(): Driver {
    const driver = super.createDriver()
    const acquire = driver.acquireConnection.bind(driver)
    const release = driver.releaseConnection.bind(driver)
    // The gate lets one holder in at a time, so there is one releaser at most.
    let releaser: (() => void) | null = null
    driver.acquireConnection = async () => {
      const releaseGate = await this.gate.acquire()
      try {
        const connection = await acquire()
        releaser = releaseGate
        return connection
      } catch (error) {
        releaseGate()
        throw error
      }
    }
    driver.releaseConnection = async (connection) => {
      try {
        await release(connection)
      } finally {
        const releaseGate = releaser
        releaser = null
        releaseGate?.()
      }
    }
    return driver
  }
}

export class DatabaseInUseError extends Error {
  constructor(message: string, readonly pid: number | null = null) {
    super(message)
  }
}

/** What the lock file records about its owner: enough to tell it from a later process given the same pid. */
interface LockOwner {
  pid: number
  /** The kernel's start time of the process (clock ticks since boot, /proc/<pid>/stat), where known. */
  start: string | null
}

const LOCK_FILE = 'pglite.lock'
/** Lock files this process holds: its own lock is in use even where no start time can be read (no /proc). */
const heldHere = new Set<string>()

/**
 * PGlite is one process's database: a second process writing the same files would corrupt them.
 * A lock file names the owner (pid and start time). It is taken over, with a line on stderr, when its
 * owner is gone: not running, a zombie that will never write again, or a different process that now
 * has the pid (a restarted container hands out the same pids); a live owner is refused by pid.
 */
function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE)
  const me = JSON.stringify({ pid: process.pid, start: startTime(process.pid) } satisfies LockOwner)
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      writeFileSync(file, me, { flag: 'wx', mode: 0o600 })
      heldHere.add(file)
      const release = () => {
        heldHere.delete(file)
        // Only our own lock is removed: after a takeover by someone else the file is theirs.
        try {
          if (readFileSync(file, 'utf8') === me) rmSync(file, { force: true })
        } catch {
          // already gone
        }
      }
      process.once('exit', release)
      return () => {
        process.off('exit', release)
        release()
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    let held: string
    try {
      held = readFileSync(file, 'utf8')
    } catch {
      continue // released between our two calls
    }
    const owner = parseLock(held)
    // Our own pid is a stale lock of an earlier process (a restarted container reuses pids), unless
    // the start time says it is this very process, which has the database open already.
    const mine = owner !== null && owner.pid === process.pid && (heldHere.has(file) || (owner.start !== null && owner.start === startTime(process.pid)))
    if (owner !== null && (mine || (owner.pid !== process.pid && ownerRunning(owner)))) {
      throw new DatabaseInUseError(`The embedded database in ${dataDir} is in use by process ${owner.pid}. Stop it first, or use PostgreSQL (DATABASE_URL) to run several processes.`, owner.pid)
    }
    // Moved aside, not deleted: if another process took the stale lock over in the meantime, what
    // was moved is its fresh lock, which goes back.
    const aside = `${file}.stale-${process.pid}`
    try {
      renameSync(file, aside)
    } catch {
      continue
    }
    const moved = readFileSync(aside, 'utf8')
    if (moved !== held) {
      try {
        linkSync(aside, file)
      } catch {
        // a third process locked meanwhile; it keeps the lock, and the next attempt refuses
      }
      rmSync(aside, { force: true })
      continue
    }
    rmSync(aside, { force: true })
    console.warn(`Took over the lock of the embedded database in ${dataDir}: its owner${owner ? `, process ${owner.pid},` : ''} is no longer running.`)
  }
  throw new DatabaseInUseError(`Could not lock the embedded database in ${dataDir}.`)
}

function parseLock(text: string): LockOwner | null {
  const trimmed = text.trim()
  // Locks written before the start time was recorded hold the bare pid.
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed), start: null }
  try {
    const value = JSON.parse(trimmed) as Partial<LockOwner>
    if (Number.isInteger(value.pid) && value.pid! > 0) return { pid: value.pid!, start: typeof value.start === 'string' ? value.start : null }
  } catch {
    // a torn or foreign file: nobody can be proven to hold it
  }
  return null
}

/** The process's state letter and start time from /proc, or null where there is no /proc (macOS) or no such process. */
function procStat(pid: number): { state: string; start: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name is in parentheses and may itself hold spaces or parentheses; the fields after the last ')' are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { state: fields[0]!, start: fields[19]! }
  } catch {
    return null
  }
}

function startTime(pid: number): string | null {
  return procStat(pid)?.start ?? null
}

/** True when the lock's owner is a running process that could still write to the database. */
function ownerRunning(owner: LockOwner): boolean {
  if (!isAlive(owner.pid)) return false
  const stat = procStat(owner.pid)
  if (stat === null) return !existsSync('/proc/self/stat') // no /proc: the signal check is all there is
  if (stat.state === 'Z' || stat.state === 'X') return false
  if (owner.start !== null) return stat.start === owner.start
  // An old lock without a start time: only a Node process can be a Service Gap server or command.
  try {
    return /(^|\/)(node|tsx)[^/]*$/.test(readFileSync(`/proc/${owner.pid}/cmdline`, 'utf8').split('\0')[0]!)
  } catch {
    return true
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * On a standby, true when the query gave way to the replay of the primary's log: cancelled so that the
 * replay could go on ("conflict with recovery", 40001), caught in a deadlock with the replay (40P01,
 * as "deadlock detected" when the query's own wait closes the circle), or ended because its database
 * was dropped (57P04). A read-only query has no other way to meet these there, and may well succeed if
 * tried again.
 */
export function isRecoveryConflict(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code
  return code === '40001' || code === '40P01' || code === '57P04'
}

/** True when a query failed because a unique index already holds the value (SQLSTATE 23505). */
export const isUniqueViolation = (error: unknown) => (error as { code?: string } | null)?.code === '23505'

/** True when a foreign key refused the row: what it refers to is gone (SQLSTATE 23503). */
export const isForeignKeyViolation = (error: unknown) => (error as { code?: string } | null)?.code === '23503'

