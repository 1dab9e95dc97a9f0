// Vitest's global setup: migrates one database per engine at the start of a run, and every test
// database is then a copy of it (createTestDatabase in ./databases.ts) instead of a fresh migration.
// Migrating takes seconds per database; a copy takes a fraction of that. Each run migrates anew, so
// every migration still runs on each engine, and each test file still gets a database of its own.
// (In watch mode the setup runs once: restart it after changing a migration.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { embeddedDatabase, openDatabase } from '../../db/connect.js'
import { migrate } from '../../server/repositories/migrate.js'
import { DATABASES, MIGRATED_SNAPSHOT_ENV, MIGRATED_TEMPLATE_ENV, directServerUrl, urlOfDatabase } from './databases.js'

/** A migrated PGlite, dumped as PGlite's data directory archive; returns the file holding it. */
async function dumpMigratedPGlite(dir: string): Promise<string> {
  const db = openDatabase({ url: null, dataDir: null })
  try {
    await migrate(db)
    const archive = await embeddedDatabase(db)!.pglite.dumpDataDir('none')
    const file = join(dir, 'migrated.tar')
    writeFileSync(file, new Uint8Array(await archive.arrayBuffer()))
    return file
  } finally {
    await db.destroy()
  }
}

/**
 * A migrated PostgreSQL database to copy with `create database … template`. It is made and migrated
 * through the direct server URL and its connections are closed before any copy: PostgreSQL copies
 * only a database nobody is connected to (a pooler's idle server connection would count).
 */
async function createMigratedTemplate(): Promise<{ name: string; drop: () => Promise<void> }> {
  const serverUrl = directServerUrl()
  const name = `sg_template_${randomBytes(6).toString('hex')}`
  const admin = openDatabase({ url: serverUrl, dataDir: null, poolSize: 1 })
  await sql.raw(`create database ${name}`).execute(admin)
  const db = openDatabase({ url: urlOfDatabase(serverUrl, name), dataDir: null, poolSize: 1 })
  try {
    await migrate(db)
  } finally {
    await db.destroy()
  }
  return {
    name,
    async drop() {
      await sql.raw(`drop database if exists ${name} with (force)`).execute(admin)
      await admin.destroy()
    },
  }
}

export default async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'sg-migrated-'))
  const [snapshot, template] = await Promise.all([
    DATABASES.includes('pglite') ? dumpMigratedPGlite(dir) : null,
    DATABASES.includes('postgres') ? createMigratedTemplate() : null,
  ])
  // The test workers are started after this and inherit the environment.
  if (snapshot) process.env[MIGRATED_SNAPSHOT_ENV] = snapshot
  if (template) process.env[MIGRATED_TEMPLATE_ENV] = template.name
  return async () => {
    delete process.env[MIGRATED_SNAPSHOT_ENV]
    delete process.env[MIGRATED_TEMPLATE_ENV]
    await template?.drop()
    rmSync(dir, { recursive: true, force: true })
  }
}
