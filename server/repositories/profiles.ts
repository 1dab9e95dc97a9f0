// The released respondents of a side as profiles (unit × attribute set, and for staff the release step
// they joined at) with their summed measure vectors (server/domain/measures.ts): what the anonymity
// release (server/domain/release.ts) reads, from the profile rollups.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Side } from '../domain/types.js'

export interface ProfileCounts {
  unitKey: string
  attributes: Record<string, string>
  counts: number[]
  /** Staff: the release step these answers joined at (0 for customers, and staff from before steps). */
  step: number
}

/** The side's profiles in a wave, each with its counts per measure summed over the rollup slots. */
export async function profileCounts(db: Db, waveId: string, side: Side): Promise<ProfileCounts[]> {
  const { rows } = await sql<{ unit_key: string; attributes: Record<string, string>; step: number; counts: number[] }>`
    select unit_key, attributes, step, array_agg(total order by i) as counts
    from (
      select p.unit_key, p.attributes, p.step, t.i, sum(t.count)::int4 as total
      from profile_rollups p, unnest(p.counts) with ordinality as t(count, i)
      where p.wave_id = ${waveId}::uuid and p.side = ${side}::text
      group by p.unit_key, p.attributes, p.step, t.i
    ) summed
    group by unit_key, attributes, step
    order by step, unit_key, attributes::text`.execute(db)
  return rows.map((row) => ({ unitKey: row.unit_key, attributes: row.attributes, counts: row.counts.map(Number), step: row.step }))
}
