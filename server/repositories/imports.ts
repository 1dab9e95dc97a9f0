// What an import into a wave needs to know, read in one query: the wave's first language, its frozen
// instrument, its prediction questions, and the organization's units (which rows may name by id or name).
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { PredictionMode } from '../domain/types.js'

export interface ImportTarget {
  locales: string[]
  instrumentId: string
  /** Which items the wave's staff predict (a staff row may carry predictions of those). */
  predictions: PredictionMode
  units: Array<{ id: string; name: string; archived: boolean }>
}

/** The wave, if it is the organization's, with the organization's units. */
export async function findImportTarget(db: Db, organizationId: string, waveId: string): Promise<ImportTarget | undefined> {
  const wave = await db.selectFrom('waves').select(['locales', 'instrument_id', 'predictions'])
    .select(sql<Array<{ id: string; name: string; archived: boolean }>>`(select coalesce(json_agg(json_build_object('id', units.id, 'name', units.name, 'archived', units.archived_at is not null)), '[]')
      from units where units.organization_id = waves.organization_id)`.as('units'))
    .where('id', '=', waveId).where('organization_id', '=', organizationId).executeTakeFirst()
  return wave && { locales: wave.locales, instrumentId: wave.instrument_id, predictions: wave.predictions, units: wave.units }
}
