// Which units a unit manager reads reports of.
import type { Db } from '../../db/connect.js'

/** The units assigned to a person, with their names, by name. Only units of their organization. */
export async function unitsOfManager(db: Db, organizationId: string, userId: string): Promise<Array<{ id: string; name: string }>> {
  return db.selectFrom('unit_managers as um').innerJoin('units as u', 'u.id', 'um.unit_id')
    .select(['u.id', 'u.name'])
    .where('um.organization_id', '=', organizationId).where('um.user_id', '=', userId).where('u.organization_id', '=', organizationId)
    .orderBy('u.name').execute()
}

/** Every unit manager's units in an organization, per user id (for the people page). */
export async function managedUnits(db: Db, organizationId: string): Promise<Map<string, Array<{ id: string; name: string }>>> {
  const rows = await db.selectFrom('unit_managers as um').innerJoin('units as u', 'u.id', 'um.unit_id')
    .select(['um.user_id', 'u.id', 'u.name'])
    .where('um.organization_id', '=', organizationId).where('u.organization_id', '=', organizationId)
    .orderBy('u.name').execute()
  const byUser = new Map<string, Array<{ id: string; name: string }>>()
  for (const row of rows) (byUser.get(row.user_id) ?? byUser.set(row.user_id, []).get(row.user_id)!).push({ id: row.id, name: row.name })
  return byUser
}

/**
 * Sets a person's units to exactly these (ids of the organization's units; others are ignored).
 * Pass a transaction to land it with the change that needs it.
 */
export async function setManagedUnits(db: Db, organizationId: string, userId: string, unitIds: readonly string[]): Promise<void> {
  await db.deleteFrom('unit_managers').where('organization_id', '=', organizationId).where('user_id', '=', userId).execute()
  if (unitIds.length === 0) return
  const units = await db.selectFrom('units').select('id').where('organization_id', '=', organizationId).where('id', 'in', [...unitIds]).execute()
  if (units.length === 0) return
  await db.insertInto('unit_managers').values(units.map((unit) => ({ organization_id: organizationId, user_id: userId, unit_id: unit.id }))).execute()
}
