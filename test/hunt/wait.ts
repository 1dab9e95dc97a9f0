// How many answers never join: an organization of N staff answering over time in batches.
import { nextStaffStep, Release, type Profile, type SavedRelease } from '../../server/domain/release.js'
let seed = 3
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1))
for (const [k, units, vals, N] of [[5, 4, 2, 60], [5, 6, 3, 120], [3, 4, 2, 40], [7, 3, 2, 80]] as const) {
  for (const lossy of [false, true]) {
  let left = 0, total = 0, stepsSum = 0, shownChain = 0, shownFresh = 0
  for (let run = 0; run < 30; run++) {
    const staff: Profile[] = Array.from({ length: N }, () => ({ unitKey: `u${int(0, units - 1)}`, attributes: { a: `v${int(0, vals - 1)}` }, counts: [1] }))
    const order = [...staff].sort(() => rnd() - 0.5)
    let released: Profile[] = [], saved: SavedRelease | null = null, waiting: Profile[] = [], steps = 0
    // answers arrive in 6 daily batches, one step a day
    for (let day = 0; day < 6; day++) {
      const pending = [...waiting, ...order.slice((day * N) / 6, ((day + 1) * N) / 6)]
      const r = nextStaffStep(released, pending, k, saved)
      if (!r) { waiting = pending; continue }
      const step = Math.max(0, ...released.map((p) => p.step ?? 0)) + 1
      released = [...released, ...r.chosen.map((i) => ({ ...pending[i]!, step }))]
      waiting = pending.filter((_, i) => !r.chosen.includes(i)); saved = lossy ? new Release(released, k, r.release).save() : r.release; steps++
    }
    left += waiting.length; total += N; stepsSum += steps
    if (saved) { shownChain += saved.shown[0]!.length; shownFresh += new Release(released.map((p) => ({ ...p, step: undefined })), k).save().shown[0]!.length }
  }
  console.log(`k=${k} units=${units} values=${vals} N=${N}: ${(100 * left / total).toFixed(1)}% of answers never join after all have answered; ${(stepsSum / 30).toFixed(1)} steps; groups shown at the end ${(shownChain / 30).toFixed(1)} vs ${(shownFresh / 30).toFixed(1)} for one fresh release of the same answers${lossy ? ' (Release.save() between steps)' : ''}`)
  }
}
