// The dialect switch: PostgreSQL through `pg` when a URL is given, PGlite otherwise. Both are set up
// to return the same JavaScript types: bigint and numeric columns come back as numbers, timestamps as
// Dates, jsonb as objects.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { Kysely, PGliteDialect, PostgresDialect, type Driver } from 'kysely'
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
}

/** Unless told otherwise, a request gives up on an unreachable database after this long. */
const DEFAULT_CONNECT_TIMEOUT_MS = 5000

export function openDatabase(target: DatabaseTarget): Db {
  if (target.url !== null) {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      // A database that does not answer fails the request within seconds instead of holding it for
      // minutes (a host that is down swallows the connection attempt without a reply).
      connectionTimeoutMillis: target.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
      // Connections to a host that vanished without closing them are found by TCP keepalive.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8 || oid === NUMERIC ? toNumber : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    })
    // A dropped idle connection must not crash the process; the next query reports the outage.
    pool.on('error', () => {})
    // Nor may one dropped while a request holds it: pg emits 'error' on such a client, and the pool
    // listens only while the client is idle. The query on it fails on its own, and the pool discards
    // the client when it is released.
    pool.on('connect', (client) => client.on('error', () => {}))
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  }
  const dir = target.dataDir === null ? undefined : join(target.dataDir, 'pglite')
  let unlock = () => {}
  if (dir !== undefined) {
    mkdirSync(dir, { recursive: true })
    unlock = lockDataDir(target.dataDir!)
  }
  const pglite = new PGlite({ dataDir: dir, parsers: { [INT8]: toNumber, [NUMERIC]: toNumber } })
  return new Kysely<Database>({ dialect: new LockedPGliteDialect(pglite, unlock) })
}

/**
 * kysely's own PGlite dialect (PGlite has one connection: kysely hands it to one query or
 * transaction at a time), which also releases the data directory's lock once the database is closed.
 */
class LockedPGliteDialect extends PGliteDialect {
  constructor(pglite: PGlite, private readonly unlock: () => void) {
    super({ pglite })
  }

  override createDriver(): Driver {
    const driver = super.createDriver()
    const destroy = driver.destroy.bind(driver)
    driver.destroy = async () => {
      await destroy()
      this.unlock()
    }
    return driver
  }
}

export class DatabaseInUseError extends Error {}

/**
 * PGlite is one process's database: a second process writing the same files would corrupt them.
 * A lock file holding the owner's pid keeps a second server or command out; a stale one is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'pglite.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' })
      const release = () => rmSync(file, { force: true })
      process.once('exit', release)
      return () => {
        process.off('exit', release)
        release()
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const pid = Number(readFileSync(file, 'utf8'))
      if (pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new DatabaseInUseError(`The embedded database in ${dataDir} is in use by process ${pid}. Stop it first, or use PostgreSQL (DATABASE_URL) to run several processes.`)
      }
      rmSync(file, { force: true })
    }
  }
  throw new DatabaseInUseError(`Could not lock the embedded database in ${dataDir}.`)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** True when a query failed because a unique index already holds the value (SQLSTATE 23505). */
export const isUniqueViolation = (error: unknown) => (error as { code?: string } | null)?.code === '23505'

/** True when a foreign key refused the row: what it refers to is gone (SQLSTATE 23503). */
export const isForeignKeyViolation = (error: unknown) => (error as { code?: string } | null)?.code === '23503'

