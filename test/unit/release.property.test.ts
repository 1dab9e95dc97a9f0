// Properties of the anonymity release (server/domain/release.ts, design §5), checked against an
// auditor written here from the design alone — it shares nothing with the module but its public API.
//
// The auditor's model of a reader: every shown group reveals the exact multiset of its members'
// answers, so any sum of shown groups with coefficients ±1 whose indicator over respondents is 0/1
// reveals the answers of exactly the people it marks. Such a combination must mark 0 or at least k
// people. The auditor
//   - expands profiles into individual respondents (for measure m, the first counts[m] of a profile
//     answered; the rest did not and are in no group of that measure);
//   - lists every readable group itself (whole side, each unit, each attribute value somebody holds,
//     each unit × value) and asks the release which are shown;
//   - searches every ±1 combination of up to 4 distinct shown groups (3 where the lattice is large),
//     merging respondents of equal membership first so the search is over a few atoms.
// Over time, a reader holds both the release before a staff step and the one after it: the search
// runs over the shown groups of both, where a "before" group holds only the respondents already in.
//
// RELEASE_RUNS and RELEASE_SEED (environment) widen the search when hunting; the defaults keep the
// file to a few seconds.
import fc from 'fast-check'
import { describe, it } from 'vitest'
import { nextStaffStep, Release, type GroupRef, type Profile } from '../../server/domain/release.js'

const RUNS = Number(process.env.RELEASE_RUNS ?? 300)
const SEED = Number(process.env.RELEASE_SEED ?? 20261201)

// ---------------------------------------------------------------- the auditor

interface Person { unit: string; attributes: Record<string, string>; answered: boolean[]; isNew: boolean }

function expand(profiles: readonly Profile[], isNew = false): Person[] {
  const out: Person[] = []
  for (const p of profiles) {
    for (let i = 0; i < (p.counts[0] ?? 0); i++) {
      out.push({ unit: p.unitKey, attributes: { ...p.attributes }, answered: p.counts.map((c) => i < c), isNew })
    }
  }
  return out
}

const valueOf = (attributes: Record<string, string>, name: string) =>
  Object.prototype.hasOwnProperty.call(attributes, name) ? attributes[name] : undefined

/** Every group a reader can ask for that somebody is in. */
function readableGroups(people: readonly Person[]): GroupRef[] {
  const units = [...new Set(people.map((p) => p.unit))].sort()
  const values = new Map<string, { name: string; value: string }>()
  for (const p of people) {
    for (const name of Object.keys(p.attributes)) values.set(JSON.stringify([name, p.attributes[name]]), { name, value: p.attributes[name]! })
  }
  const attributes = [...values.values()]
  return [
    { unit: null, attribute: null },
    ...units.map((unit) => ({ unit, attribute: null })),
    ...attributes.map((attribute) => ({ unit: null, attribute })),
    ...units.flatMap((unit) => attributes.map((attribute) => ({ unit, attribute }))),
  ]
}

const isIn = (p: Person, g: GroupRef) =>
  (g.unit === null || p.unit === g.unit) && (g.attribute === null || valueOf(p.attributes, g.attribute.name) === g.attribute.value)

const describeGroup = (g: GroupRef, tag = '') => `${tag}[${g.unit ?? '*'}${g.attribute ? ` ${g.attribute.name}=${g.attribute.value}` : ''}]`

interface Term { label: string; members: Set<number> }
interface Found { combination: string; people: number[] }

/**
 * A shortest ±1 combination of at most `depth` distinct terms whose indicator is 0/1 and marks 1 … k−1
 * people, or null. Exhaustive up to `depth` (iterative deepening, so what is reported is short).
 */
function findSmallCombination(all: readonly Term[], k: number, depth: number): Found | null {
  const distinct = new Map<string, Term>()
  for (const t of all) {
    const key = [...t.members].sort((a, b) => a - b).join(',')
    if (t.members.size > 0 && !distinct.has(key)) distinct.set(key, t)
  }
  const terms = [...distinct.values()]
  // Atoms: respondents in exactly the same terms are indistinguishable to every combination.
  const atomOf = new Map<string, number[]>()
  const everyone = new Set<number>()
  for (const t of terms) for (const p of t.members) everyone.add(p)
  for (const p of everyone) {
    const key = terms.map((t) => (t.members.has(p) ? 1 : 0)).join('')
    ;(atomOf.get(key) ?? atomOf.set(key, []).get(key)!).push(p)
  }
  const atoms = [...atomOf.values()]
  const vectors = terms.map((t) => atoms.map((a) => (t.members.has(a[0]!) ? 1 : 0)))
  const sum = atoms.map(() => 0)
  const chosen: Array<{ term: number; sign: 1 | -1 }> = []
  let found: Found | null = null

  const check = () => {
    let ones = 0
    for (let i = 0; i < atoms.length; i++) {
      if (sum[i] !== 0 && sum[i] !== 1) return
      if (sum[i] === 1) ones += atoms[i]!.length
    }
    if (ones >= 1 && ones < k) {
      found = {
        combination: chosen.map(({ term, sign }) => `${sign > 0 ? '+' : '−'} ${terms[term]!.label}`).join(' '),
        people: atoms.flatMap((a, i) => (sum[i] === 1 ? a : [])),
      }
    }
  }
  const search = (start: number, left: number) => {
    if (chosen.length > 0) check()
    if (found || left === 0) return
    // Each atom must still be able to end at 0 or 1 with the terms left.
    for (const v of sum) if (v > left + 1 || v < -left) return
    for (let term = start; term < terms.length && !found; term++) {
      for (const sign of [1, -1] as const) {
        vectors[term]!.forEach((x, i) => { sum[i]! += sign * x })
        chosen.push({ term, sign })
        search(term + 1, left - 1)
        chosen.pop()
        vectors[term]!.forEach((x, i) => { sum[i]! -= sign * x })
        if (found) return
      }
    }
  }
  for (let d = 1; d <= depth && !found; d++) search(0, d)
  return found
}

/** Terms a reader of one release holds for a measure: each shown group's answering members. */
function shownTerms(release: Release, people: readonly Person[], measure: number, tag = '', admits: (p: Person) => boolean = () => true): Term[] {
  const terms: Term[] = []
  for (const g of readableGroups(people)) {
    if (!release.status(g, measure).shown) continue
    const members = new Set<number>()
    people.forEach((p, i) => { if (isIn(p, g) && p.answered[measure] && admits(p)) members.add(i) })
    terms.push({ label: describeGroup(g, tag), members })
  }
  return terms
}

const depthFor = (terms: number) => (terms <= 25 ? 4 : 3)

const explain = (people: readonly Person[], found: Found) =>
  `${found.combination}  =  ${found.people.length} respondent(s): ${found.people
    .map((i) => `#${i} ${people[i]!.unit} ${JSON.stringify(people[i]!.attributes)}${people[i]!.isNew ? ' (new)' : ''}`).join(', ')}`

const show = (profiles: readonly Profile[]) =>
  profiles.map((p) => `${p.unitKey} ${JSON.stringify(p.attributes)} ${JSON.stringify(p.counts)}`).join('; ')

// ---------------------------------------------------------------- generated organizations

const NAMES = ['a', 'b', 'constructor']

interface Org { units: number; values: number[] }

const org: fc.Arbitrary<Org> = fc.record({
  units: fc.integer({ min: 1, max: 5 }),
  values: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 }),
})

/** One profile of an organization: a unit, a value (or none) per attribute, respondents and answered. */
const profileIn = (o: Org, maxCount: number) =>
  fc.record({
    unit: fc.integer({ min: 0, max: o.units - 1 }),
    values: fc.tuple(...o.values.map((n) => fc.integer({ min: -1, max: n - 1 }))),
    count: fc.integer({ min: 1, max: maxCount }),
    skipped: fc.integer({ min: 0, max: maxCount }),
  }).map(({ unit, values, count, skipped }): Profile => {
    const attributes: Record<string, string> = {}
    values.forEach((v, i) => { if (v >= 0) attributes[NAMES[i]!] = `v${v}` })
    return { unitKey: `u${unit}`, attributes, counts: [count, Math.max(0, count - skipped)] }
  })

/** At most `max` respondents in all (later profiles are cut). */
function capped(profiles: Profile[], max: number): Profile[] {
  const out: Profile[] = []
  let total = 0
  for (const p of profiles) {
    const n = Math.min(p.counts[0]!, max - total)
    if (n <= 0) break
    out.push({ ...p, counts: [n, Math.min(n, p.counts[1]!)] })
    total += n
  }
  return out
}

const side = org.chain((o) => fc.record({
  profiles: fc.array(profileIn(o, 8), { minLength: 0, maxLength: 12 }).map((ps) => capped(ps, 40)),
  k: fc.constantFrom(3, 5),
}))

const step = org.chain((o) => fc.record({
  current: fc.array(profileIn(o, 6), { minLength: 0, maxLength: 10 }).map((ps) => capped(ps, 30)),
  pending: fc.array(profileIn(o, 1), { minLength: 0, maxLength: 12 }),
  k: fc.constantFrom(3, 5),
}))

// ---------------------------------------------------------------- the properties

function auditOne(profiles: Profile[], k: number, measure: number) {
  const people = expand(profiles)
  const terms = shownTerms(new Release(profiles, k), people, measure)
  const found = findSmallCombination(terms, Math.max(k, 3), depthFor(terms.length))
  if (found) {
    throw new Error(`k=${k}, measure ${measure}, profiles: ${show(profiles)}\n  reveals ${explain(people, found)}`)
  }
}

describe('Release, for generated organizations (independent auditor)', () => {
  it('no ±1 combination of up to 4 shown groups singles out 1 … k−1 respondents (respondents)', () => {
    fc.assert(fc.property(side, ({ profiles, k }) => auditOne(profiles, k, 0)), { seed: SEED, numRuns: RUNS })
  })

  it('nor for a measure some respondents did not answer (measure 1)', () => {
    fc.assert(fc.property(side, ({ profiles, k }) => auditOne(profiles, k, 1)), { seed: SEED + 1, numRuns: RUNS })
  })
})

describe('nextStaffStep, for generated steps (independent auditor over both releases)', () => {
  it('a reader holding the release before and after a step cannot single out 1 … k−1 respondents', () => {
    fc.assert(fc.property(step, ({ current, pending, k }) => {
      const chosen = nextStaffStep(current, pending, k)
      const added = chosen.map((i) => pending[i]!)
      const people = [...expand(current), ...expand(added, true)]
      const terms = [
        ...shownTerms(new Release(current, k), people, 0, 'before', (p) => !p.isNew),
        ...shownTerms(new Release([...current, ...added], k), people, 0, 'after'),
      ]
      const found = findSmallCombination(terms, Math.max(k, 3), depthFor(terms.length))
      if (found) {
        throw new Error(`k=${k}, current: ${show(current)}\n  pending: ${show(pending)}\n  chosen: ${JSON.stringify(chosen)}\n  reveals ${explain(people, found)}`)
      }
    }), { seed: SEED + 2, numRuns: RUNS })
  })

  it('a step is empty or holds at least k answers', () => {
    fc.assert(fc.property(step, ({ current, pending, k }) => {
      const chosen = nextStaffStep(current, pending, k)
      const n = chosen.reduce((sum, i) => sum + pending[i]!.counts[0]!, 0)
      if (chosen.length > 0 && n < Math.max(k, 3)) throw new Error(`step of ${n} < k=${k}`)
      if (new Set(chosen).size !== chosen.length || chosen.some((i) => i < 0 || i >= pending.length)) throw new Error(`bad indices ${JSON.stringify(chosen)}`)
    }), { seed: SEED + 3, numRuns: RUNS })
  })
})
