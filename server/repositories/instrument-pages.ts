// How many of an organization's own waves use each instrument version, for the builder's list and
// editor ("in use by 3 waves"). Counts only the organization's waves: a built-in version's use by
// others is none of its business.
import type { Db } from '../../db/connect.js'

export async function wavesPerInstrument(db: Db, organizationId: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom('waves').select(['instrument_id', (eb) => eb.fn.countAll<string>().as('waves')])
    .where('organization_id', '=', organizationId).groupBy('instrument_id').execute()
  return new Map(rows.map((row) => [row.instrument_id, Number(row.waves)]))
}
