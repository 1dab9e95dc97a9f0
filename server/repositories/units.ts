// Units: the teams, branches, stores or regions that staff work in and customers are served by.
import type { Db } from '../../db/connect.js'
import { isUuid } from '../domain/formats.js'

export interface Unit {
  id: string
  name: string
  createdAt: Date
}

const COLUMNS = ['id', 'name', 'created_at'] as const
const toUnit = (row: { id: string; name: string; created_at: Date }): Unit => ({ id: row.id, name: row.name, createdAt: row.created_at })

export async function listUnits(db: Db, organizationId: string): Promise<Unit[]> {
  const rows = await db.selectFrom('units').select(COLUMNS).where('organization_id', '=', organizationId).orderBy('name').execute()
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

export async function unitLinkCount(db: Db, organizationId: string, id: string): Promise<number> {
  const { count } = await db.selectFrom('links').select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organization_id', '=', organizationId).where('unit_id', '=', id).executeTakeFirstOrThrow()
  return Number(count)
}

export async function deleteUnit(db: Db, organizationId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('units').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst()
  return result.numDeletedRows > 0n
}
