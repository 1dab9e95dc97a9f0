// Whose reports a reader may see. Everyone who may read reads the whole wave, except a unit manager,
// who reads only the units assigned to them: every report they ask for must name one of those units,
// and the attribute values they may filter by are those shown within that unit. This is the one
// place the rule lives; report.ts and dashboard.ts ask it, whichever route called them. The figures
// themselves come from the same release as everyone's (release.ts): a scope only narrows which of
// its groups a reader may ask for, it never makes another release.
import type { Db } from '../../db/connect.js'
import type { Role, Side } from '../domain/types.js'
import { findUnit } from '../domain/units.js'
import { HttpError } from '../http-error.js'
import { unitsOfManager } from '../repositories/unit-managers.js'
import type { WaveRelease } from './release.js'

/** Who reads: what a signed-in principal (session or API token) carries. */
export interface Reader { organizationId: string; userId: string; role: Role }

export type ReportScope =
  | { whole: true }
  | { whole: false; units: ReadonlyArray<{ id: string; name: string }> }

/** The reader's scope, read from the database on every request, so a change of units applies at once. */
export async function reportScope(db: Db, reader: Reader): Promise<ReportScope> {
  if (reader.role !== 'unit_manager') return { whole: true }
  return { whole: false, units: await unitsOfManager(db, reader.organizationId, reader.userId) }
}

function onlyYourUnits(scope: Extract<ReportScope, { whole: false }>): HttpError {
  if (scope.units.length === 0) {
    return new HttpError(403, 'forbidden', 'As a unit manager you can read the reports of your own units only, and no units are assigned to you yet. Ask an owner or admin of your organization.')
  }
  const names = scope.units.map((unit) => `"${unit.name}"`).join(', ')
  return new HttpError(403, 'forbidden', `As a unit manager you can read the reports of your own units only: name one of them with unit= (${names}).`)
}

/**
 * The unit a scoped reader's request names, which must be one of theirs (by id or name); a request
 * without a unit or with any other unit, existing or not, is refused with 403.
 */
export function unitWithinScope(scope: Extract<ReportScope, { whole: false }>, wanted: string | null): { id: string; name: string } {
  const unit = wanted === null ? undefined : findUnit(scope.units, wanted)
  if (!unit) throw onlyYourUnits(scope)
  return { id: unit.id, name: unit.name }
}

/**
 * Whether a reader may see a wave's link of this unit (null: the wave's general link). A unit
 * manager sees only their units' links, on the wave page, in the API's wave objects and as QR code
 * or print page: another unit's link would let them answer in that unit's name, and so push a
 * group of a few real answers over the minimum with answers of their own and read it.
 */
export function seesLinkOf(scope: ReportScope, unitId: string | null): boolean {
  return scope.whole || unitId === null || scope.units.some((unit) => unit.id === unitId)
}

/** The unit a scoped reader's dashboard opens on when the address names none: their first. */
export function firstUnit(scope: Extract<ReportScope, { whole: false }>): { id: string; name: string } {
  const [unit] = scope.units
  if (!unit) throw onlyYourUnits(scope)
  return unit
}

/**
 * Whether a reader may filter by an attribute value. Across the whole side: the release offers it.
 * Within a unit manager's unit: the release also shows that unit's group of the value, so that
 * nothing about other units (not even that a value is held there) is offered to them.
 */
export function offersWithin(release: WaveRelease, side: Side, scope: ReportScope, unitId: string | null) {
  return (name: string, value: string): boolean => release.sides[side].offers(name, value)
    && (scope.whole || release.sides[side].shown({ unit: unitId, attribute: { name, value } }))
}

/** The attribute values a reader may filter by on one side, per attribute name (see offersWithin). */
export function offeredWithin(release: WaveRelease, side: Side, scope: ReportScope, unitId: string | null): Map<string, string[]> {
  const offered = release.sides[side].offeredValues()
  if (scope.whole) return offered
  const offers = offersWithin(release, side, scope, unitId)
  return new Map([...offered].map(([name, values]) => [name, values.filter((value) => offers(name, value))] as const).filter(([, values]) => values.length > 0))
}
