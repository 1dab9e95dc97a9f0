// Units: the teams, branches, stores or regions that staff work in and customers are served by. A unit
// that is retired is archived rather than deleted, so that past waves keep their figures per unit.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Keyset } from '../domain/cursor.js'
import { isUuid } from '../domain/formats.js'
import { inPage, pageFrom, type Page, type PageRequest } from './keyset.js'

export interface Unit {
  id: string
  name: string
  createdAt: Date
  archivedAt: Date | null
  /** The same as `archivedAt !== null`, in the shape the domain's unit lookups read. */
  archived: boolean
}

const COLUMNS = ['id', 'name', 'created_at', 'archived_at'] as const
const toUnit = (row: { id: string; name: string; created_at: Date; archived_at: Date | null }): Unit =>
  ({ id: row.id, name: row.name, createdAt: row.created_at, archivedAt: row.archived_at, archived: row.archived_at !== null })

/** Every unit of the organization, archived ones too (reports and lookups of past rows need them). */
export async function listUnits(db: Db, organizationId: string): Promise<Unit[]> {
  const rows = await db.selectFrom('units').select(COLUMNS).where('organization_id', '=', organizationId).orderBy('name').orderBy('id').execute()
  return rows.map(toUnit)
}

/** The API's pages of units: by name, as listUnits. */
export const UNIT_LIST: Keyset = { list: 'units', parts: ['text', 'uuid'] }

export async function listUnitPage(db: Db, organizationId: string, page: PageRequest): Promise<Page<Unit>> {
  const query = db.selectFrom('units').select(COLUMNS).where('organization_id', '=', organizationId)
  const rows = await inPage(query, page, [sql.ref('name'), sql.ref('id')], 'asc').execute()
  return pageFrom(page, rows, (row) => [row.name, row.id], toUnit)
}

/** The units that may get something new (links, contacts, invitations): what pickers offer. */
export async function listActiveUnits(db: Db, organizationId: string): Promise<Unit[]> {
  const rows = await db.selectFrom('units').select(COLUMNS)
    .where('organization_id', '=', organizationId).where('archived_at', 'is', null).orderBy('name').execute()
  return rows.map(toUnit)
}

/** The unit when it is the organization's; undefined otherwise, also for an id that is not a UUID. */
export async function findUnit(db: Db, organizationId: string, id: string): Promise<Unit | undefined> {
  if (!isUuid(id)) return undefined
  const row = await db.selectFrom('units').select(COLUMNS).where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst()
  return row ? toUnit(row) : undefined
}

export async function createUnit(db: Db, organizationId: string, name: string): Promise<string> {
  const { id } = await db.insertInto('units').values({ organization_id: organizationId, name: name.trim() }).returning('id').executeTakeFirstOrThrow()
  return id
}

export async function renameUnit(db: Db, organizationId: string, id: string, name: string): Promise<boolean> {
  const result = await db.updateTable('units').set({ name: name.trim() })
    .where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** Archives or restores a unit. Archiving an archived unit keeps its first date. */
export async function setUnitArchived(db: Db, organizationId: string, id: string, archived: boolean): Promise<boolean> {
  const result = await db.updateTable('units')
    .set({ archived_at: archived ? sql<Date>`coalesce(archived_at, now())` : null })
    .where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/**
 * Whether anything refers to the unit: responses (and the staff answers waiting to join them), survey
 * links, contacts, invitations. A unit in use can be archived but not deleted.
 */
export async function unitInUse(db: Db, organizationId: string, id: string): Promise<boolean> {
  const uses = (table: 'responses' | 'staff_pool' | 'links' | 'contacts' | 'invitations') =>
    sql<boolean>`exists (select 1 from ${sql.table(table)} t where t.organization_id = ${organizationId} and t.unit_id = ${id})`
  const row = await db.selectNoFrom([
    sql<boolean>`${uses('responses')} or ${uses('staff_pool')} or ${uses('links')} or ${uses('contacts')} or ${uses('invitations')}`.as('used'),
  ]).executeTakeFirstOrThrow()
  return row.used
}

export async function deleteUnit(db: Db, organizationId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('units').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst()
  return result.numDeletedRows > 0n
}
