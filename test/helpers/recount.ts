// The profile rollups recounted from the raw responses and answers, with the measure vector of
// domain/measures.ts: what profileCounts must equal after any way of storing or releasing.
import type { Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'
import { measureVector } from '../../server/domain/measures.js'
import type { Side } from '../../server/domain/types.js'
import { waveItems } from '../../server/repositories/instruments.js'
import { profileCounts, type ProfileCounts } from '../../server/repositories/profiles.js'

type Counted = Omit<ProfileCounts, 'step'>
const canonical = (attributes: Record<string, string>) => JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : 1)))
const keyOf = (p: Counted) => `${p.unitKey}|${canonical(p.attributes)}`
const sorted = (profiles: Counted[]) => [...profiles].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1))
  .map((p) => ({ key: keyOf(p), counts: p.counts }))

/** The raw answers do not say at which step staff joined: profiles summed over their steps. */
function overSteps(profiles: readonly ProfileCounts[]): Counted[] {
  const summed = new Map<string, Counted>()
  for (const p of profiles) {
    const existing = summed.get(keyOf(p))
    if (existing) existing.counts = existing.counts.map((c, i) => c + p.counts[i]!)
    else summed.set(keyOf(p), { unitKey: p.unitKey, attributes: p.attributes, counts: [...p.counts] })
  }
  return [...summed.values()]
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
    const existing = profiles.get(keyOf(profile))
    if (existing) existing.counts = existing.counts.map((c, i) => c + profile.counts[i]!)
    else profiles.set(keyOf(profile), profile)
  }
  return sorted([...profiles.values()])
}

/** profileCounts and the recount, in one comparable shape. */
export async function profilesAndRecount(db: Db, waveId: string, side: Side) {
  return { rolled: sorted(overSteps(await profileCounts(db, waveId, side))), recounted: await recountProfiles(db, waveId, side) }
}
