import { Release, type Profile } from '../../server/domain/release.js'
import { expand, readableGroups, describeGroup, findLinearLeak, shownTerms } from './auditor.js'
let seed = 99
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1))
const ODD = ['', '\u0000', '"', '","', '["x",null]', 'null', '__proto__', 'constructor', '\ud800', 'a@1', '0', ' ', 'é', 'e\u0301']
let bad = 0
for (let run = 0; run < 20000; run++) {
  const k = [3, 4, 5, 7][int(0, 3)]!
  const units = Array.from({ length: int(1, 4) }, () => ODD[int(0, ODD.length - 1)]!)
  const names = Array.from({ length: int(0, 2) }, () => ODD[int(0, ODD.length - 1)]!)
  const profiles: Profile[] = Array.from({ length: int(1, 12) }, () => {
    const attributes: Record<string, string> = JSON.parse('{}')
    for (const n of names) if (rnd() < 0.7) Object.defineProperty(attributes, n, { value: ODD[int(0, ODD.length - 1)]!, enumerable: true, writable: true, configurable: true })
    const c = int(1, 6)
    return { unitKey: units[int(0, units.length - 1)]!, attributes, counts: [c, int(0, c)] }
  })
  const people = expand(profiles)
  const snap = (r: Release) => readableGroups(people).map((g) => `${describeGroup(g)} ${JSON.stringify(r.status(g))} ${JSON.stringify(r.status(g, 1))}`).join('|')
  let a: string
  try { a = snap(new Release(profiles, k)) } catch (e) { console.log('CRASH', e, JSON.stringify(profiles)); bad++; continue }
  const shuffled = [...profiles].sort(() => rnd() - 0.5).map((p) => ({ ...p, attributes: Object.fromEntries(Object.entries(p.attributes).reverse()) }))
  // Object.fromEntries with '__proto__' makes an own property, good
  const b = snap(new Release(shuffled, k))
  if (a !== b) { bad++; if (bad < 3) console.log('ORDER', JSON.stringify(profiles)) }
  const r = new Release(profiles, k)
  for (const m of [0, 1]) {
    const leak = findLinearLeak(shownTerms(r, people, m), k)
    if (leak) { bad++; if (bad < 5) console.log('LEAK', m, JSON.stringify(profiles)) }
  }
  // offeredValues round trip
  for (const [name, values] of r.offeredValues()) for (const v of values) if (!r.offers(name, v)) { bad++; console.log('OFFER', name, v) }
}
console.log('bad', bad)
