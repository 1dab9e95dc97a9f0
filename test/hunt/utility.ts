// Utility: the module's hiding against the best possible (exhaustive over which non-primary groups to hide).
import { Release, type Profile } from '../../server/domain/release.js'
import { expand, readableGroups, describeGroup, isIn, show } from './auditor.js'
let seed = Number(process.argv[2] ?? 5)
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1))
let worst = 0
for (let run = 0; run < 3000; run++) {
  const k = [3, 5][int(0, 1)]!
  const units = int(1, 3), vals = int(1, 3)
  const profiles: Profile[] = Array.from({ length: int(2, 6) }, () => ({ unitKey: `u${int(0, units - 1)}`, attributes: (rnd() < 0.8 ? { a: `v${int(0, vals - 1)}` } : {}) as Record<string, string>, counts: [int(1, 8)] }))
  const people = expand(profiles)
  const groups = readableGroups(people).filter((g) => people.some((p) => isIn(p, g)))
  const size = groups.map((g) => people.filter((p) => isIn(p, g)).length)
  const open = groups.map((_, i) => i).filter((i) => size[i]! >= k)
  if (open.length > 16) continue
  const ok = (shown: number[]) => {
    const cls = new Map<string, number>()
    people.forEach((p) => { const key = shown.filter((i) => isIn(p, groups[i]!)).join(','); if (key) cls.set(key, (cls.get(key) ?? 0) + 1) })
    return [...cls.values()].every((n) => n >= k)
  }
  let best = -1
  for (let mask = 0; mask < 1 << open.length; mask++) {
    const shown = open.filter((_, j) => mask & (1 << j))
    const value = shown.reduce((s, i) => s + size[i]!, 0) + (shown.includes(0) ? 10000 : 0)
    if (value > best && ok(shown)) best = value
  }
  const r = new Release(profiles, k)
  const got = groups.reduce((s, g, i) => s + (r.shown(g) ? size[i]! : 0), 0) + (r.shown(groups[0]!) ? 10000 : 0)
  if (best - got > worst) {
    worst = best - got
    console.log(`k=${k} ${show(profiles)}\n  module shows ${got} respondent-groups: ${groups.filter((g) => r.shown(g)).map((g) => describeGroup(g)).join(' ')}\n  best ${best}`)
  }
}
