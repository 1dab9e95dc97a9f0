// The released respondents of a side as profiles (unit × attribute set) with their summed measure
// vectors (server/domain/measures.ts): what the anonymity release (server/domain/release.ts) reads.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Side } from '../domain/types.js'
import { canonicalAttributes, measureItems, rollupTotals, TAIL_COLUMNS, tailOf, tailResponses, type TailRow } from './rollups.js'

export interface ProfileCounts {
  unitKey: string
  attributes: Record<string, string>
  counts: number[]
  /** The staff release step these answers joined at (0 for customers). */
  step: number
}

/**
 * The side's profiles in a wave with their counts per measure, the fold's tail counted in (rollups.ts;
 * one statement, so both are read at one moment), in one order: by unit, attribute set, step.
 */
export async function profileCounts(db: Db, organizationId: string, waveId: string, side: Side): Promise<ProfileCounts[]> {
  const { rows: [row] } = await sql<{ profiles: Array<{ unit_key: string; attributes: Record<string, string>; step: number; counts: number[] }>; tail: TailRow[] }>`
    select
      (select coalesce(json_agg(p), '[]') from (select unit_key, attributes, step, counts from profile_rollups
        where organization_id = ${organizationId}::uuid and wave_id = ${waveId}::uuid and side = ${side}::text) p) as profiles,
      (select coalesce(json_agg(t), '[]') from (select ${TAIL_COLUMNS} from ${tailOf(waveId, organizationId)} and r.side = ${side}::text) t) as tail`.execute(db)
  const profiles = new Map<string, ProfileCounts>()
  const add = (unitKey: string, attributes: Record<string, string>, step: number, counts: readonly number[]) => {
    const key = `${unitKey}|${canonicalAttributes(attributes)}|${step}`
    const profile = profiles.get(key)
    if (profile) counts.forEach((count, i) => { profile.counts[i] = (profile.counts[i] ?? 0) + count })
    else profiles.set(key, { unitKey, attributes, step, counts: counts.map(Number) })
  }
  for (const p of row!.profiles) add(p.unit_key, p.attributes, Number(p.step), p.counts)
  if (row!.tail.length > 0) {
    const totals = rollupTotals(await measureItems(db, waveId), await tailResponses(db, waveId, row!.tail))
    for (const p of totals.profiles) add(p.unit, JSON.parse(p.attributes) as Record<string, string>, 0, p.counts)
  }
  return [...profiles.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, profile]) => profile)
}
