// Which units have an action plan on which item or dimension of an instrument: the units that cannot
// serve as controls for another unit's plan on the same item (services/plan-effect.ts). A dropped plan
// does not count: nothing was changed for it, so its unit is as untreated as one without a plan.
import type { Db } from '../../db/connect.js'

export interface PlannedUnit { unitId: string; itemKey: string | null; dimension: string | null }

/** The organization's plans that are not dropped, on waves of this instrument (any version), as unit × item or dimension. */
export async function plannedUnits(db: Db, organizationId: string, instrumentKey: string): Promise<PlannedUnit[]> {
  const rows = await db.selectFrom('action_plans').innerJoin('waves', 'waves.id', 'action_plans.wave_id')
    .innerJoin('instruments', 'instruments.id', 'waves.instrument_id')
    .select(['action_plans.unit_id', 'action_plans.item_key', 'action_plans.dimension'])
    .where('action_plans.organization_id', '=', organizationId).where('waves.organization_id', '=', organizationId)
    .where('instruments.key', '=', instrumentKey).where('action_plans.status', '!=', 'dropped')
    .distinct().execute()
  return rows.map((row) => ({ unitId: row.unit_id, itemKey: row.item_key, dimension: row.dimension }))
}
