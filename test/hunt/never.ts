// A unit that can never be shown: the first step let in 2 of its people and 1 of another's.
import { nextStaffStep, Release, type Profile, type SavedRelease } from '../../server/domain/release.js'
const one = (unitKey: string): Profile => ({ unitKey, attributes: {}, counts: [1] })
const k = 3
let released: Profile[] = []
let saved: SavedRelease | null = null
const batches = [[one('u0'), one('u0'), one('u1')], [one('u0'), one('u1'), one('u1')], [...Array(10)].map(() => one('u0')), [...Array(10)].map(() => one('u1'))]
for (const batch of batches) {
  const r: { chosen: number[]; release: SavedRelease } = nextStaffStep(released, batch, k, saved)!
  const step = Math.max(0, ...released.map((p) => p.step ?? 0)) + 1
  released = [...released, ...r.chosen.map((i) => ({ ...batch[i]!, step }))]
  saved = r.release
  const reader = new Release(released, k, saved)
  console.log(`step ${step}: let in ${r.chosen.length}; whole ${JSON.stringify(reader.status({ unit: null, attribute: null }))} u0 ${JSON.stringify(reader.status({ unit: 'u0', attribute: null }))} u1 ${JSON.stringify(reader.status({ unit: 'u1', attribute: null }))}`)
}
const fresh = new Release(released.map(({ step: _s, ...p }) => p), k)
console.log('fresh release of the same answers: u0', fresh.status({ unit: 'u0', attribute: null }), 'u1', fresh.status({ unit: 'u1', attribute: null }))
