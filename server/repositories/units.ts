// Units: the teams, branches, stores or regions that staff work in and customers are served by.
import type { Db } from '../../db/connect.js'
import type { Unit } from '../../db/schema.js'

export async function listUnits(db: Db, organizationId: string): Promise<Unit[]> {
  return db.selectFrom('units').selectAll().where('organization_id', '=', organizationId).orderBy('name').execute()
}

export async function findUnit(db: Db, organizationId: string, id: string): Promise<Unit | undefined> {
  return db.selectFrom('units').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst()
}

export async function findUnitByName(db: Db, organizationId: string, name: string): Promise<Unit | undefined> {
  return db.selectFrom('units').selectAll().where('organization_id', '=', organizationId)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.trim().toLowerCase())).executeTakeFirst()
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
  return count
}

export async function deleteUnit(db: Db, organizationId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('units').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst()
  return result.numDeletedRows > 0n
}
