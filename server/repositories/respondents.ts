// What the dashboard and the release read about a wave's respondents beyond the rollups: their
// comments, and the version of a side's release inputs.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Side } from '../domain/types.js'
import { tailOf } from './rollups.js'

/**
 * What says whether a side's release can change, in one statement: how many respondents the side
 * holds (responses are otherwise only added; the fold's tail counted in), its last staff release step (staff figures change only
 * in steps; 0 for customers), and its revision, raised by every deletion or erased attribute set.
 */
export async function releaseVersion(db: Db, organizationId: string, waveId: string, side: Side): Promise<{ respondents: number; step: number; revision: number }> {
  const { rows } = await sql<{ respondents: string | number; step: number; revision: number }>`
    select
      (select coalesce(sum(respondents), 0) from response_rollups where organization_id = ${organizationId}::uuid and wave_id = ${waveId}::uuid and side = ${side})
        + (select count(*) from ${tailOf(waveId, organizationId)} and r.side = ${side}) as respondents,
      (select coalesce(max(seq), 0) from staff_releases
        where organization_id = ${organizationId}::uuid and wave_id = ${waveId}::uuid and ${side} = 'staff')::int as step,
      (select coalesce(max(revision), 0) from release_revisions
        where organization_id = ${organizationId}::uuid and wave_id = ${waveId}::uuid and side = ${side})::int as revision`.execute(db)
  const row = rows[0]!
  return { respondents: Number(row.respondents), step: Number(row.step), revision: Number(row.revision) }
}

/** The most frequent comments of a group first (identical ones counted once, with how many gave them). */
export async function frequentComments(
  db: Db,
  organizationId: string,
  waveId: string,
  group: { side: Side; unitId: string | null; attributes: Record<string, string> },
  limit = 12,
): Promise<Array<{ comment: string; times: number }>> {
  const rows = await db.selectFrom('responses').select(['comment', (eb) => eb.fn.countAll<number>().as('times')])
    .where('organization_id', '=', organizationId).where('wave_id', '=', waveId).where('side', '=', group.side).where('comment', 'is not', null)
    .$if(group.unitId !== null, (q) => q.where('unit_id', '=', group.unitId))
    .$if(Object.keys(group.attributes).length > 0, (q) => q.where(sql<boolean>`attributes @> ${JSON.stringify(group.attributes)}::jsonb`))
    .groupBy('comment').orderBy('times', 'desc').orderBy('comment').limit(limit).execute()
  return rows.map((row) => ({ comment: row.comment!, times: Number(row.times) }))
}
