// Hunting harness (not collected by vitest): random organizations and staff-step chains against the
// exported copy of the property test's auditor.  npx tsx test/hunt/hunt.ts <mode> <runs> <seed>
import { nextStaffStep, Release, type Profile, type SavedRelease } from '../../server/domain/release.js'
import { expand, findLinearLeak, findSmallCombination, shownTerms, explain, show, type Person, type Term } from './auditor.js'

const [mode = 'single', runsArg = '200', seedArg = '1'] = process.argv.slice(2)
let seed = Number(seedArg)
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1))
const pick = <T>(xs: readonly T[]) => xs[int(0, xs.length - 1)]!

interface Org { units: number; unitWeights: number[]; values: number[]; names: string[]; measures: number; skip: number; lack: number }
function makeOrg(): Org {
  const units = int(1, 7)
  const nattr = int(0, 3)
  return {
    units, unitWeights: Array.from({ length: units }, () => (rnd() < 0.3 ? 0.1 : rnd() + 0.2)),
    values: Array.from({ length: nattr }, () => int(1, 4)), names: ['a', 'b', '__proto__', 'c'].slice(0, nattr),
    measures: int(1, 3), skip: rnd() * 0.5, lack: rnd() * 0.4,
  }
}
function unitOf(o: Org) {
  const total = o.unitWeights.reduce((a, b) => a + b, 0)
  let r = rnd() * total
  for (let i = 0; i < o.units; i++) { r -= o.unitWeights[i]!; if (r <= 0) return `u${i}` }
  return `u${o.units - 1}`
}
function person(o: Org): Profile {
  const attributes: Record<string, string> = JSON.parse('{}')
  o.values.forEach((n, i) => { if (rnd() >= o.lack) Object.defineProperty(attributes, o.names[i]!, { value: `v${int(0, n - 1)}`, enumerable: true, writable: true, configurable: true }) })
  const counts = [1, ...Array.from({ length: o.measures - 1 }, () => (rnd() < o.skip ? 0 : 1))]
  return { unitKey: unitOf(o), attributes, counts }
}
/** Merge identical people into profiles (counts add). */
function merge(ps: Profile[]): Profile[] {
  const m = new Map<string, Profile>()
  for (const p of ps) {
    const key = JSON.stringify([p.step ?? 0, p.unitKey, Object.entries(p.attributes).sort()])
    const q = m.get(key)
    if (q) q.counts = q.counts.map((c, i) => c + (p.counts[i] ?? 0)) as number[]
    else m.set(key, { ...p, counts: [...p.counts] })
  }
  return [...m.values()]
}

function audit(terms: Term[], people: Person[], k: number, what: string): string | null {
  const lin = findLinearLeak(terms, k)
  if (lin) return `${what}: linear leak of ${explain(people, { combination: '', people: lin.people })}\n  terms: ${terms.map((t) => t.label).join(', ')}`
  if (terms.length <= 60) {
    const f = findSmallCombination(terms, k, 3)
    if (f) return `${what}: ±1 ${explain(people, f)}`
  }
  return null
}

const runs = Number(runsArg)
let failures = 0
let stepsTaken = 0
let shownTotal = 0
const t0 = Date.now()
for (let run = 0; run < runs; run++) {
  const o = makeOrg()
  const k = pick([3, 4, 5, 7])
  if (mode === 'single') {
    const n = int(1, 60)
    const people = Array.from({ length: n }, () => person(o))
    // sometimes collapse into profiles with counts > 1
    const profiles = rnd() < 0.5 ? merge(people) : people
    const release = new Release(profiles, k)
    const expanded = expand(profiles)
    for (let m = 0; m < o.measures; m++) {
      const terms = shownTerms(release, expanded, m)
      const bad = audit(terms, expanded, k, `single k=${k} m=${m}`)
      if (bad) { failures++; console.log(`RUN ${run} seed ${seedArg}: ${bad}\n  profiles: ${show(profiles)}`); break }
    }
  } else {
    // chain: 3–5 staff steps from nothing; pending waits and joins later
    const steps = int(3, 5)
    const lossy = mode === 'chain-lossy'
    let released: Profile[] = [] // each with step
    let saved: SavedRelease | null = null
    let waiting: Profile[] = []
    const history: Array<{ release: Release; step: number }> = []
    let stepNo = 0
    const log: string[] = []
    for (let s = 0; s < steps; s++) {
      const small = mode === 'chain-small'
      const arrivals = Array.from({ length: small ? int(0, s === 0 ? 8 : 4) : int(0, s === 0 ? 25 : 15) }, () => person(o))
      if (mode === 'chain-grow' && s >= 2) for (const a of arrivals) a.counts = [...a.counts, rnd() < 0.5 ? 1 : 0]
      if (mode === 'chain-multi' && arrivals.length > 1 && rnd() < 0.5) { const c = int(2, 4); arrivals[0]!.counts = arrivals[0]!.counts.map((x) => x * c) }
      const pending = [...waiting, ...arrivals]
      const result = nextStaffStep(released, pending, k, saved)
      if (!result) { waiting = pending; log.push(`step ${s}: wait (${pending.length} pending)`); continue }
      stepNo = Math.max(0, ...released.map((p) => p.step ?? 0)) + 1
      const joined = result.chosen.map((i) => ({ ...pending[i]!, step: stepNo }))
      waiting = pending.filter((_, i) => !result.chosen.includes(i))
      released = [...released, ...joined]
      const reader = mode === 'chain-fresh' ? new Release(released, k) : new Release(released, k, result.release)
      saved = lossy ? reader.save() : result.release
      history.push({ release: reader, step: stepNo }); stepsTaken++
      log.push(`step ${stepNo}: joined ${show(joined.map((p) => ({ ...p })))}`)
    }
    if (history.length === 0) continue
    // people: each released profile, with its step as generation
    const people: Person[] = []
    const gen: number[] = []
    for (const p of released) for (const q of expand([p])) { people.push(q); gen.push(p.step!) }
    const idx = new Map(people.map((p, i) => [p, i]))
    for (let m = 0; m < o.measures + (mode === 'chain-grow' ? 1 : 0); m++) {
      const terms = history.flatMap(({ release, step }) => shownTerms(release, people, m, `r${step}`, (p) => gen[idx.get(p)!]! <= step))
      shownTotal += terms.length
      const bad = audit(terms, people, k, `chain k=${k} m=${m}`)
      if (bad) {
        failures++
        console.log(`RUN ${run} seed ${seedArg}: ${bad}\n  ${log.join('\n  ')}\n  gens: ${people.map((p, i) => `#${i}@${gen[i]}`).join(' ')}`)
        break
      }
    }
  }
}
console.log(`steps taken ${stepsTaken}, shown terms ${shownTotal}`)
console.log(`${mode}: ${runs} runs, ${failures} failures, ${((Date.now() - t0) / 1000).toFixed(1)} s`)
