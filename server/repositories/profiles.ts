// TEMPORARY (replaced by the profile rollups on merge): one side's respondent profiles, from raw answers.
import type { Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'
import type { Side } from '../domain/types.js'
import { measureVector } from '../domain/measures.js'
import { sql } from 'kysely'
import { waveItems } from './instruments.js'

export async function profileCounts(db: Db, waveId: string, side: Side): Promise<Array<{ unitKey: string; attributes: Record<string, string>; counts: number[] }>> {
  const items = await waveItems(db, waveId)
  const rows = await db.selectFrom('responses')
    .select(['unit_id', 'attributes', (eb) => eb.selectFrom('answers').whereRef('answers.response_id', '=', 'responses.id')
      .select(sql<Record<string, number | null>>`jsonb_object_agg(item_key, value)`.as('a')).as('answers')])
    .where('wave_id', '=', waveId).where('side', '=', side).execute()
  const profiles = new Map<string, { unitKey: string; attributes: Record<string, string>; counts: number[] }>()
  for (const row of rows) {
    const unitKey = row.unit_id ?? NO_UNIT
    const key = JSON.stringify([unitKey, Object.entries(row.attributes).sort()])
    const vector = measureVector(items, row.answers ?? {})
    const profile = profiles.get(key)
    if (profile) vector.forEach((v, i) => { profile.counts[i]! += v })
    else profiles.set(key, { unitKey, attributes: row.attributes, counts: vector })
  }
  return [...profiles.values()]
}
