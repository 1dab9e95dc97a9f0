// Brings a database up to date for this version of the code: the schema migrations (db/migrate.ts),
// then the built-in instruments that are missing. Safe to run at every start.
import type { Db } from '../../db/connect.js'
import { migrateToLatest } from '../../db/migrate.js'
import { installBuiltInInstruments } from './instruments.js'

/** Migrates the schema and installs the built-in instruments; returns the names of the migrations applied. */
export async function migrate(db: Db): Promise<string[]> {
  const applied = await migrateToLatest(db)
  await installBuiltInInstruments(db)
  return applied
}
