// The databases every database test runs on: the embedded PGlite always, PostgreSQL when
// DATABASE_URL is set. Each test file gets a database of its own, migrated and dropped afterwards:
// a copy of the database the run's global setup migrated (./migrated-databases.ts) where there is one.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { sql } from 'kysely'
import { openDatabase, type Db } from '../../db/connect.js'
import { migrateTo } from '../../db/migrate.js'
import { BUILT_IN_INSTRUMENTS } from '../../server/domain/built-in-instruments.js'
import { instrumentRow, itemRows } from '../../server/repositories/instruments.js'
import { migrate } from '../../server/repositories/migrate.js'
import { useTestPasswordCost } from '../../server/security/passwords.js'

// Every test that uses a database creates accounts; at the production cost each costs 0.3 s of CPU.
useTestPasswordCost()

export type DatabaseKind = 'pglite' | 'postgres'

/**
 * PGlite always, PostgreSQL too when DATABASE_URL is set; TEST_DATABASES=postgres (or pglite) narrows
 * a run to one of them, as CI does on its second run after a whole run on PGlite.
 */
export const DATABASES: DatabaseKind[] = (() => {
  const all: DatabaseKind[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']
  const only = process.env.TEST_DATABASES?.split(',').map((name) => name.trim()).filter(Boolean)
  if (!only?.length) return all
  const chosen = all.filter((kind) => only.includes(kind))
  if (chosen.length === 0) throw new Error(`TEST_DATABASES=${process.env.TEST_DATABASES} names none of: ${all.join(', ')}`)
  return chosen
})()

export interface TestDatabase {
  kind: DatabaseKind
  db: Db
  url: string | null
  drop(): Promise<void>
}

/**
 * The built-in instruments in a database migrated only part of the way: today's definitions, stored
 * with the columns that schema has (a column added later, such as items.required, is left out, as a
 * server of that time would have).
 */
async function installBuiltInInstrumentsAsOf(db: Db) {
  const columnsOf = async (table: string) => new Set((await sql<{ column_name: string }>`
    select column_name from information_schema.columns where table_schema = current_schema() and table_name = ${table}`.execute(db)).rows.map((row) => row.column_name))
  const [instrumentColumns, itemColumns] = await Promise.all([columnsOf('instruments'), columnsOf('items')])
  const known = <T extends object>(row: T, columns: Set<string>) => Object.fromEntries(Object.entries(row).filter(([column]) => columns.has(column))) as T
  for (const def of BUILT_IN_INSTRUMENTS) {
    const { id } = await db.insertInto('instruments').values(known(instrumentRow(null, def), instrumentColumns)).returning('id').executeTakeFirstOrThrow()
    await db.insertInto('items').values(itemRows(id, def).map((row) => known(row, itemColumns))).execute()
  }
}

/** Where the global setup left its migrated PGlite (a dumpDataDir archive), and the name of its migrated PostgreSQL template. */
export const MIGRATED_SNAPSHOT_ENV = 'SG_TEST_MIGRATED_PGLITE'
export const MIGRATED_TEMPLATE_ENV = 'SG_TEST_MIGRATED_TEMPLATE'

/** The PostgreSQL server without a pooler in between where one is given (a template is copied only when nobody is connected to it). */
export const directServerUrl = () => process.env.DATABASE_DIRECT_URL || process.env.DATABASE_URL!

export function urlOfDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

let snapshot: { file: string; blob: Blob } | null = null
/** The migrated PGlite archive, read once per worker. */
function migratedSnapshot(): Blob | null {
  const file = process.env[MIGRATED_SNAPSHOT_ENV]
  if (!file) return null
  if (snapshot?.file !== file) snapshot = { file, blob: new Blob([readFileSync(file)]) }
  return snapshot.blob
}

/**
 * Migrated to the latest schema, or with `upTo` only as far as that migration (to test the next one's
 * backfill). A fully migrated one is a copy of the run's migrated database when the global setup made
 * one; otherwise (and always with `upTo`) it is migrated here.
 */
export async function createTestDatabase(kind: DatabaseKind, options: { upTo?: string } = {}): Promise<TestDatabase> {
  const prepare = async (db: Db) => {
    if (options.upTo === undefined) await migrate(db)
    else {
      await migrateTo(db, options.upTo)
      await installBuiltInInstrumentsAsOf(db)
    }
  }
  if (kind === 'pglite') {
    const migrated = options.upTo === undefined ? migratedSnapshot() : null
    const db = openDatabase({ url: null, dataDir: null, loadDataDir: migrated ?? undefined })
    if (!migrated) await prepare(db)
    return { kind, db, url: null, drop: () => db.destroy() }
  }
  const serverUrl = process.env.DATABASE_URL!
  const name = `sg_test_${randomBytes(6).toString('hex')}`
  const template = options.upTo === undefined ? process.env[MIGRATED_TEMPLATE_ENV] : undefined
  const admin = openDatabase({ url: serverUrl, dataDir: null, poolSize: 1 })
  await sql.raw(template ? `create database ${name} template ${template}` : `create database ${name}`).execute(admin)
  const url = urlOfDatabase(serverUrl, name)
  const db = openDatabase({ url, dataDir: null, poolSize: 5 })
  if (!template) await prepare(db)
  return {
    kind,
    db,
    url,
    async drop() {
      await db.destroy()
      await sql.raw(`drop database if exists ${name} with (force)`).execute(admin)
      await admin.destroy()
    },
  }
}
