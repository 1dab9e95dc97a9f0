// Finding one of an organization's units from what a person typed or a file holds: its id or its
// name. One behaviour for the report filter, contacts, contact files and response imports.
import { isUuid } from './formats.js'

export interface UnitRef {
  id: string
  name: string
  /** An archived unit keeps its history but takes nothing new: no contacts, links or imported rows. */
  archived?: boolean
}

/** What a row that names an archived unit is told, in every import and form alike. */
export const archivedUnitMessage = (unit: UnitRef) => `unit "${unit.name}" is archived`

/** The units prepared for many lookups (a file of thousands of rows asks once per row). */
export interface UnitIndex {
  readonly byId: ReadonlyMap<string, UnitRef>
  /** Trimmed, lower-cased name → the unit; null when two units share that name. */
  readonly byName: ReadonlyMap<string, UnitRef | null>
}

const nameKey = (name: string) => name.trim().toLowerCase()

export function unitIndex(units: ReadonlyArray<UnitRef>): UnitIndex {
  const byId = new Map<string, UnitRef>()
  const byName = new Map<string, UnitRef | null>()
  for (const unit of units) {
    byId.set(unit.id.toLowerCase(), unit)
    const key = nameKey(unit.name)
    byName.set(key, byName.has(key) ? null : unit)
  }
  return { byId, byName }
}

/**
 * The unit `idOrName` names: first a unit with exactly that id (a UUID, in either case), else the unit
 * whose name matches once both are trimmed and case is ignored. A name that two units share names
 * neither, so a row is never filed under a guess; the database keeps names unique ignoring case, so
 * that happens only with units from elsewhere. An archived unit is found too (reports of past waves
 * name it); callers that add something new refuse it with archivedUnitMessage.
 */
export function findUnit(units: UnitIndex | ReadonlyArray<UnitRef>, idOrName: string): UnitRef | undefined {
  const index = 'byId' in units ? units : unitIndex(units)
  const text = idOrName.trim()
  if (text === '') return undefined
  if (isUuid(text)) {
    const unit = index.byId.get(text.toLowerCase())
    if (unit) return unit
  }
  return index.byName.get(nameKey(text)) ?? undefined
}
