// The profile rollups recounted from the raw responses and answers, with the measure vector of
// domain/measures.ts: what profileCounts must equal after any way of storing or releasing.
import type { Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'
import { measureVector } from '../../server/domain/measures.js'
import type { Side } from '../../server/domain/types.js'
import { waveItems } from '../../server/repositories/instruments.js'
import { profileCounts, type ProfileCounts } from '../../server/repositories/profiles.js'

const canonical = (attributes: Record<string, string>) => JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : 1)))
type Counted = Omit<ProfileCounts, 'step'>
const keyOfCounted = (p: Counted) => `${p.unitKey}|${canonical(p.attributes)}`
/** One entry per unit and attribute set (the steps a profile's answers joined at summed up), sorted. */
function sorted(profiles: Counted[]) {
  const merged = new Map<string, number[]>()
  for (const p of profiles) {
    const key = keyOfCounted(p)
    const before = merged.get(key)
    merged.set(key, before ? before.map((c, i) => c + p.counts[i]!) : [...p.counts])
  }
  return [...merged].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, counts]) => ({ key, counts }))
}

export async function recountProfiles(db: Db, waveId: string, side: Side) {
  const items = await waveItems(db, waveId)
  const responses = await db.selectFrom('responses').select(['id', 'unit_id', 'attributes']).where('wave_id', '=', waveId).where('side', '=', side).execute()
  const answers = responses.length === 0 ? [] : await db.selectFrom('answers').select(['response_id', 'item_key', 'value'])
    .where('response_id', 'in', responses.map((r) => r.id)).execute()
  const byResponse = new Map<string, Record<string, number | null>>()
  for (const a of answers) byResponse.set(a.response_id, { ...byResponse.get(a.response_id), [a.item_key]: a.value })
  const profiles = new Map<string, Counted>()
  for (const r of responses) {
    const profile = { unitKey: r.unit_id ?? NO_UNIT, attributes: r.attributes, counts: measureVector(items, byResponse.get(r.id) ?? {}) }
    const existing = profiles.get(keyOfCounted(profile))
    if (existing) existing.counts = existing.counts.map((c, i) => c + profile.counts[i]!)
    else profiles.set(keyOfCounted(profile), profile)
  }
  return sorted([...profiles.values()])
}

/** profileCounts and the recount, in one comparable shape. */
export async function profilesAndRecount(db: Db, waveId: string, side: Side) {
  const { organization_id: organizationId } = await db.selectFrom('waves').select('organization_id').where('id', '=', waveId).executeTakeFirstOrThrow()
  return { rolled: sorted(await profileCounts(db, organizationId, waveId, side)), recounted: await recountProfiles(db, waveId, side) }
}
