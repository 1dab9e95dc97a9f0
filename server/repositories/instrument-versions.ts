// The queries of the instrument builder (services/instruments.ts): an organization's instrument
// versions with whether a wave uses each, one version by id, and the statements that edit a version in
// place, lock a key while its next version is made, or delete an unused one. The database's trigger
// (db/migrations/0001_foundation.ts) still refuses any change to a version a wave uses.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { InstrumentDefinition } from '../domain/instrument.js'
import { itemRows, listInstrumentPage, listInstruments, type InstrumentRow } from './instruments.js'
import type { Page, PageRequest } from './keyset.js'

/** One version as a list shows it. */
export interface InstrumentVersion {
  id: string
  key: string
  version: number
  name: string
  builtIn: boolean
  /** A wave runs it (a wave of any organization: built-in versions are shared): it is frozen. */
  inUse: boolean
  /** How many of this organization's own waves run it (another organization's use is none of its business). */
  waves: number
  itemCount: number
  createdAt: Date
}

/** Per instrument id that any wave uses: how many of the organization's own waves use it (0 when only others' do). */
async function wavesUsing(db: Db, organizationId: string, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('waves')
    .select(['instrument_id', sql<string>`count(*) filter (where organization_id = ${organizationId})`.as('own')])
    .where('instrument_id', 'in', ids).groupBy('instrument_id').execute()
  return new Map(rows.map((row) => [row.instrument_id, Number(row.own)]))
}

/** These instrument rows as versions, with the waves that use each. */
async function versionsOf(db: Db, organizationId: string, rows: readonly InstrumentRow[]): Promise<Array<InstrumentVersion & { row: InstrumentRow }>> {
  const used = await wavesUsing(db, organizationId, rows.map((row) => row.id))
  return rows.map((row) => ({
    id: row.id, key: row.definition.key, version: row.definition.version, name: row.definition.name,
    builtIn: row.organizationId === null, inUse: used.has(row.id), waves: used.get(row.id) ?? 0, itemCount: row.definition.items.length, createdAt: row.createdAt, row,
  }))
}

/** Built-in versions first, then the organization's own; by key, newest version first. */
export async function listInstrumentVersions(db: Db, organizationId: string): Promise<Array<InstrumentVersion & { row: InstrumentRow }>> {
  return versionsOf(db, organizationId, await listInstruments(db, organizationId))
}

/** One page of the versions (as listInstrumentVersions), the waves using each counted for the page only. */
export async function listInstrumentVersionPage(db: Db, organizationId: string, page: PageRequest): Promise<Page<InstrumentVersion>> {
  const shown = await listInstrumentPage(db, organizationId, page)
  return { rows: (await versionsOf(db, organizationId, shown.rows)).map(({ row: _row, ...version }) => version), nextCursor: shown.nextCursor }
}

/** One version the organization can see (built-in or its own) with its definition; undefined otherwise. */
export async function findInstrument(db: Db, organizationId: string, id: string): Promise<(InstrumentVersion & { row: InstrumentRow }) | undefined> {
  return (await listInstrumentVersions(db, organizationId)).find((version) => version.id === id)
}

/** Whether a key is taken for this organization: by a built-in instrument or by any of its own versions. */
export async function instrumentKeyTaken(db: Db, organizationId: string, key: string): Promise<boolean> {
  const row = await db.selectFrom('instruments').select('id').where('key', '=', key)
    .where((eb) => eb.or([eb('organization_id', 'is', null), eb('organization_id', '=', organizationId)]))
    .limit(1).executeTakeFirst()
  return row !== undefined
}

/**
 * Locks every version of an own key until the transaction ends, and returns the newest version
 * number. Two saves of the same key then take turns, and a wave being made on one of these versions
 * (its foreign key check takes a share lock on the row) waits for the save, or the save for it.
 */
export async function lockInstrumentKey(trx: Db, organizationId: string, key: string): Promise<number> {
  const rows = await sql<{ version: number }>`select version from instruments
    where organization_id = ${organizationId} and key = ${key} for update`.execute(trx)
  return Math.max(0, ...rows.rows.map((row) => row.version))
}

/** Whether a wave uses this version, as the transaction sees it now (after lockInstrumentKey). */
export async function instrumentInUse(trx: Db, id: string): Promise<boolean> {
  return (await trx.selectFrom('waves').select('id').where('instrument_id', '=', id).limit(1).executeTakeFirst()) !== undefined
}

/** Replaces an unused own version's name, languages, questions and items; its key and version stay. */
export async function replaceInstrument(trx: Db, organizationId: string, id: string, def: InstrumentDefinition): Promise<void> {
  await trx.updateTable('instruments').set({
    name: def.name,
    locales: def.locales,
    staff_question: JSON.stringify(def.staffQuestion),
    customer_question: JSON.stringify(def.customerQuestion),
  }).where('id', '=', id).where('organization_id', '=', organizationId).executeTakeFirstOrThrow()
  await trx.deleteFrom('items').where('instrument_id', '=', id).execute()
  await trx.insertInto('items').values(itemRows(id, def)).execute()
}

/** Deletes an own version (its items go with it); false when there was none. */
export async function deleteOwnInstrument(trx: Db, organizationId: string, id: string): Promise<boolean> {
  const result = await trx.deleteFrom('instruments').where('id', '=', id).where('organization_id', '=', organizationId).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}
