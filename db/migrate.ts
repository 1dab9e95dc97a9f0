// Applies the migrations, listed statically so that bundling or moving files cannot lose one. The
// built-in instruments are data of today's code, not of a migration: server/repositories/migrate.ts
// adds them after this has run.
import { sql } from 'kysely'
import { Migrator, type MigrationResultSet, type Migration, type MigrationProvider } from 'kysely/migration'
import type { Db } from './connect.js'
import * as m0001 from './migrations/0001_foundation.js'
import * as m0002 from './migrations/0002_responses.js'
import * as m0003 from './migrations/0003_rollups.js'
import * as m0004 from './migrations/0004_sending.js'
import * as m0005 from './migrations/0005_uploads.js'
import * as m0006 from './migrations/0006_release.js'
import * as m0007 from './migrations/0007_audit_and_account_mail.js'
import * as m0008 from './migrations/0008_passwords.js'
import * as m0009 from './migrations/0009_colleagues.js'
import * as m0010 from './migrations/0010_single_sign_on.js'
import * as m0011 from './migrations/0011_two_factor.js'
import * as m0012 from './migrations/0012_data_rights.js'
import * as m0013 from './migrations/0013_admin_basics.js'
import * as m0014 from './migrations/0014_predictions.js'
import * as m0015 from './migrations/0015_answer_vectors.js'
import * as m0016 from './migrations/0016_response_steps.js'
import * as m0017 from './migrations/0017_close_the_loop.js'
import * as m0022 from './migrations/0022_digest_runs.js'
import * as m0023 from './migrations/0023_required_items.js'
import * as m0025 from './migrations/0025_branding.js'
import * as m0027 from './migrations/0027_kiosks.js'
import * as m0028 from './migrations/0028_idempotency_keys.js'
import * as m0029 from './migrations/0029_rate_limits.js'
import * as m0030 from './migrations/0030_caller_writes.js'
import * as m0031 from './migrations/0031_folded_rollups.js'
import * as m0032 from './migrations/0032_tenant_keys.js'

const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_responses': m0002,
  '0003_rollups': m0003,
  '0004_sending': m0004,
  '0005_uploads': m0005,
  '0006_release': m0006,
  '0007_audit_and_account_mail': m0007,
  '0008_passwords': m0008,
  '0009_colleagues': m0009,
  '0010_single_sign_on': m0010,
  '0011_two_factor': m0011,
  '0012_data_rights': m0012,
  '0013_admin_basics': m0013,
  '0014_predictions': m0014,
  '0015_answer_vectors': m0015,
  '0016_response_steps': m0016,
  '0017_close_the_loop': m0017,
  '0022_digest_runs': m0022,
  '0023_required_items': m0023,
  '0025_branding': m0025,
  '0027_kiosks': m0027,
  '0028_idempotency_keys': m0028,
  '0029_rate_limits': m0029,
  '0030_caller_writes': m0030,
  '0031_folded_rollups': m0031,
  '0032_tenant_keys': m0032,
}

/** Every migration, in the order they apply. */
export const MIGRATION_NAMES = Object.keys(migrations)

const provider: MigrationProvider = { getMigrations: async () => migrations }

/** Any two processes migrating one database take turns on this lock (a number of our own, not kysely's). */
const MIGRATION_LOCK = 7_302_915_548_806_113_001n

/**
 * Runs the migrator in one transaction whose first statement takes the migration lock, held until
 * that transaction ends. A transaction runs on one server connection even behind PgBouncer in
 * transaction mode, so the lock is held where it was taken (db/connect.ts says why kysely's own lock
 * is not used). The migrations ran in one transaction before too: all apply, or none. Returns the
 * names of the migrations applied.
 */
async function migrateLocked(db: Db, step: (migrator: Migrator) => Promise<MigrationResultSet>): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK)})`.execute(trx)
    const { error, results } = await step(new Migrator({ db: trx, provider }))
    if (error) throw error instanceof Error ? error : new Error(String(error))
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
  })
}

/** Applies the migrations up to and including `name` (tests of a migration's backfill start there). */
export async function migrateTo(db: Db, name: string): Promise<void> {
  await migrateLocked(db, (migrator) => migrator.migrateTo(name))
}

/** Applies every migration not applied yet; returns the names of those it applied. */
export const migrateToLatest = (db: Db): Promise<string[]> => migrateLocked(db, (migrator) => migrator.migrateToLatest())
