// Changing units, for the units page and the API alike: renaming (names unique per organization,
// ignoring case), archiving and restoring, and deleting a unit that nothing refers to.
import { isForeignKeyViolation, isUniqueViolation, type Db } from '../../db/connect.js'
import { checkUnitName, type FieldErrors } from '../domain/inputs.js'
import { notFound } from '../http-error.js'
import { atomically } from '../repositories/atomically.js'
import { deleteUnit, findUnit, renameUnit, setUnitArchived, unitInUse, type Unit } from '../repositories/units.js'

export const unitNameTaken = (name: string) => `A unit named "${name}" already exists. Choose another name.`

export type UnitChanges = { name?: unknown; archived?: boolean }
export type ChangedUnit =
  | { ok: true; unit: Unit; renamed: boolean; archived: boolean | null }
  | { ok: false; errors: FieldErrors }

/**
 * Renames and/or archives (true) or restores (false) a unit. `archived` in the result says which of
 * the two happened (null: neither). 404 for a unit that is not the organization's.
 */
export async function changeUnit(db: Db, organizationId: string, id: string, changes: UnitChanges): Promise<ChangedUnit> {
  const before = await findUnit(db, organizationId, id)
  if (!before) throw notFound('This unit')
  let name: string | null = null
  if (changes.name !== undefined) {
    const checked = checkUnitName(changes.name)
    if (!checked.ok) return checked
    name = checked.value
  }
  const renamed = name !== null && name !== before.name
  const archived = changes.archived === undefined || changes.archived === before.archived ? null : changes.archived
  try {
    await atomically(db, async (trx) => {
      if (renamed) await renameUnit(trx, organizationId, id, name!)
      if (archived !== null) await setUnitArchived(trx, organizationId, id, archived)
    })
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, errors: { name: unitNameTaken(name!) } }
    throw error
  }
  return { ok: true, unit: (await findUnit(db, organizationId, id))!, renamed, archived }
}

/** Deletes a unit nothing refers to; one in use is kept ('in_use') and may be archived instead. */
export async function deleteUnusedUnit(db: Db, organizationId: string, id: string): Promise<{ deleted: true; unit: Unit } | { deleted: false; unit: Unit }> {
  const unit = await findUnit(db, organizationId, id)
  if (!unit) throw notFound('This unit')
  if (await unitInUse(db, organizationId, id)) return { deleted: false, unit }
  try {
    await deleteUnit(db, organizationId, id)
  } catch (error) {
    // Something came to refer to it since the check: a foreign key keeps it.
    if (isForeignKeyViolation(error)) return { deleted: false, unit }
    throw error
  }
  return { deleted: true, unit }
}
