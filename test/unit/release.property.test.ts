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
//   - searches every ±1 combination of up to 4 distinct shown groups (3 where more than 40 are shown),
//     merging respondents of equal membership first so the search is over a few atoms, and reports a
//     shortest one;
//   - and, separately, asks whether any linear combination at all (rational coefficients, any number
//     of groups) gives a set of 1 … k−1 respondents exactly: a row-space test in exact arithmetic.
//     The ±1 search names the groups to use; the linear test is the real bar (a ½ is as good as a 1).
// Over time, a reader holds both the release before a staff step and the one after it (and, in one
// property, three releases around two steps; in another, every release of a chain of 3–5 steps with
// answers that wait and join later, by the exact linear test): the search runs over the shown groups
// of all of them, where an earlier release's group holds only the respondents already in at that time.
// Also: the release must not depend on the order of the profiles.
//
// RELEASE_RUNS and RELEASE_SEED (environment) widen the search when hunting; the defaults (3000 runs,
// organizations up to 60 respondents, k ∈ {3, 4, 5, 7}) keep the file to about 6 s on two cores even
// when nothing is found (the search is then exhaustive).
import fc from 'fast-check'
import { describe, it } from 'vitest'
import { nextStaffStep, Release, type GroupRef, type Profile, type SavedRelease } from '../../server/domain/release.js'

const RUNS = Number(process.env.RELEASE_RUNS ?? 3000)
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

/**
 * Any linear combination at all — any rational coefficients, any number of shown groups: a set of
 * respondents is worked out exactly when its indicator lies in the row space of the shown groups'
 * indicators (a distribution is a vector of counts, so halves and thirds of sums are as good as
 * sums). Exact arithmetic over BigInt; rows and columns are atoms, so the matrices are small. Returns
 * a smallest derivable set of 1 … k−1 respondents made of whole atoms, or null.
 */
function findLinearLeak(all: readonly Term[], k: number): { people: number[] } | null {
  const everyone = new Set<number>()
  for (const t of all) for (const p of t.members) everyone.add(p)
  const atomOf = new Map<string, number[]>()
  for (const p of everyone) {
    const key = all.map((t) => (t.members.has(p) ? 1 : 0)).join('')
    ;(atomOf.get(key) ?? atomOf.set(key, []).get(key)!).push(p)
  }
  const atoms = [...atomOf.values()]
  // Row echelon form of the shown groups over atoms, fraction-free.
  const basis: Array<{ pivot: number; row: bigint[] }> = []
  const gcd = (a: bigint, b: bigint): bigint => { a = a < 0n ? -a : a; b = b < 0n ? -b : b; while (b) [a, b] = [b, a % b]; return a }
  const reduce = (input: bigint[]) => {
    let row = [...input]
    for (const { pivot, row: b } of basis) {
      if (row[pivot] === 0n) continue
      const f = row[pivot]!, g = b[pivot]!
      row = row.map((x, i) => x * g - f * b[i]!)
      const d = row.reduce((acc, x) => gcd(acc, x), 0n)
      if (d > 1n) row = row.map((x) => x / d)
    }
    return row
  }
  for (const t of all) {
    const row = reduce(atoms.map((a) => (t.members.has(a[0]!) ? 1n : 0n)))
    const pivot = row.findIndex((x) => x !== 0n)
    if (pivot >= 0) basis.push({ pivot, row })
  }
  // Candidate sets: unions of atoms of total size 1 … k−1, smallest first.
  const small = atoms.map((a, i) => ({ i, n: a.length })).filter(({ n }) => n < k)
  let best: number[] | null = null
  let bestSize = k
  const pick: number[] = []
  const visit = (from: number, size: number) => {
    if (pick.length > 0 && size < bestSize) {
      const v = atoms.map(() => 0n)
      for (const i of pick) v[i] = 1n
      if (reduce(v).every((x) => x === 0n)) { best = [...pick]; bestSize = size }
    }
    for (let j = from; j < small.length; j++) {
      if (size + small[j]!.n >= bestSize) continue
      pick.push(small[j]!.i)
      visit(j + 1, size + small[j]!.n)
      pick.pop()
    }
  }
  visit(0, 0)
  return best === null ? null : { people: (best as number[]).flatMap((i) => atoms[i]!) }
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

const depthFor = (terms: number) => (terms <= 40 ? 4 : 3)

const explain = (people: readonly Person[], found: Found) =>
  `${found.combination ? `${found.combination}  =  ` : ''}${found.people.length} respondent(s): ${found.people
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
  profiles: fc.array(profileIn(o, 8), { minLength: 0, maxLength: 14 }).map((ps) => capped(ps, 60)),
  k: fc.constantFrom(3, 4, 5, 7),
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

function auditLinear(profiles: Profile[], k: number) {
  const people = expand(profiles)
  const terms = shownTerms(new Release(profiles, k), people, 0)
  const leak = findLinearLeak(terms, Math.max(k, 3))
  if (leak) {
    throw new Error(`k=${k}, profiles: ${show(profiles)}\n  some linear combination of the shown groups [${terms.map((t) => t.label).join(', ')}] gives exactly ${explain(people, { combination: '', people: leak.people })}`)
  }
}

const snapshot = (release: Release, profiles: readonly Profile[]) =>
  readableGroups(expand(profiles)).map((g) => `${describeGroup(g)} ${JSON.stringify(release.status(g))}`).sort()

describe('Release, for generated organizations (independent auditor)', () => {
  it('no ±1 combination of up to 4 shown groups singles out 1 … k−1 respondents (respondents)', () => {
    fc.assert(fc.property(side, ({ profiles, k }) => auditOne(profiles, k, 0)), { seed: SEED, numRuns: RUNS })
  })

  it('nor for a measure some respondents did not answer (measure 1)', () => {
    fc.assert(fc.property(side, ({ profiles, k }) => auditOne(profiles, k, 1)), { seed: SEED + 1, numRuns: RUNS })
  })

  it('nor does any linear combination (any coefficients, any number of shown groups)', () => {
    fc.assert(fc.property(side, ({ profiles, k }) => auditLinear(profiles, k)), { seed: SEED + 4, numRuns: RUNS })
  })

  it('is the same whatever the order of the profiles', () => {
    const shuffled = side.chain(({ profiles, k }) => fc.record({
      profiles: fc.constant(profiles), k: fc.constant(k),
      order: fc.shuffledSubarray(profiles, { minLength: profiles.length, maxLength: profiles.length }),
    }))
    fc.assert(fc.property(shuffled, ({ profiles, k, order }) => {
      const a = snapshot(new Release(profiles, k), profiles)
      const b = snapshot(new Release(order, k), profiles)
      const differ = a.filter((x) => !b.includes(x))
      if (differ.length > 0) throw new Error(`k=${k}, profiles: ${show(profiles)}\n  reordered: ${show(order)}\n  differ: ${differ.join('; ')} vs ${b.filter((x) => !a.includes(x)).join('; ')}`)
    }), { seed: SEED + 5, numRuns: RUNS })
  })
})


/** One staff step as the product takes it: the release before, the answers let in, the release after. */
function takeStep(current: readonly Profile[], pending: readonly Profile[], k: number, previous: Release | null = null) {
  const released = current.map((p) => ({ ...p, step: p.step ?? 1 }))
  const before = previous ?? new Release(released, k)
  const result = nextStaffStep(released, pending, k, before.save())
  const chosen = result?.chosen ?? []
  const stepNo = Math.max(1, ...released.map((p) => p.step!)) + 1
  const joined = chosen.map((i) => ({ ...pending[i]!, step: stepNo }))
  const after = result ? new Release([...released, ...joined], k, result.release) : before
  return { chosen, before, after, released, joined }
}

describe('nextStaffStep, for generated steps (independent auditor over both releases)', () => {
  it('a reader holding the release before and after a step cannot single out 1 … k−1 respondents', () => {
    fc.assert(fc.property(step, ({ current, pending, k }) => {
      const { chosen, before, after } = takeStep(current, pending, k)
      const added = chosen.map((i) => pending[i]!)
      const people = [...expand(current), ...expand(added, true)]
      const terms = [
        ...shownTerms(before, people, 0, 'before', (p) => !p.isNew),
        ...shownTerms(after, people, 0, 'after'),
      ]
      const found = findSmallCombination(terms, Math.max(k, 3), depthFor(terms.length))
      if (found) {
        throw new Error(`k=${k}, current: ${show(current)}\n  pending: ${show(pending)}\n  chosen: ${JSON.stringify(chosen)}\n  reveals ${explain(people, found)}`)
      }
    }), { seed: SEED + 2, numRuns: RUNS })
  })

  it('nor by any linear combination of the groups of both releases', () => {
    fc.assert(fc.property(step, ({ current, pending, k }) => {
      const { chosen, before, after } = takeStep(current, pending, k)
      const added = chosen.map((i) => pending[i]!)
      const people = [...expand(current), ...expand(added, true)]
      const terms = [
        ...shownTerms(before, people, 0, 'before', (p) => !p.isNew),
        ...shownTerms(after, people, 0, 'after'),
      ]
      const leak = findLinearLeak(terms, Math.max(k, 3))
      if (leak) {
        throw new Error(`k=${k}, current: ${show(current)}\n  pending: ${show(pending)}\n  chosen: ${JSON.stringify(chosen)}\n  some linear combination of [${terms.map((t) => t.label).join(', ')}] gives exactly ${explain(people, { combination: '', people: leak.people })}`)
      }
    }), { seed: SEED + 7, numRuns: RUNS })
  })

  it('a reader holding three releases (two steps in a row) cannot single out 1 … k−1 respondents', () => {
    const twoSteps = org.chain((o) => fc.record({
      current: fc.array(profileIn(o, 6), { minLength: 0, maxLength: 8 }).map((ps) => capped(ps, 24)),
      first: fc.array(profileIn(o, 1), { minLength: 0, maxLength: 10 }),
      second: fc.array(profileIn(o, 1), { minLength: 0, maxLength: 10 }),
      k: fc.constantFrom(3, 5),
    }))
    fc.assert(fc.property(twoSteps, ({ current, first, second, k }) => {
      const s1 = takeStep(current, first, k)
      const one = s1.chosen.map((i) => first[i]!)
      const middle = [...s1.released, ...s1.joined]
      const waiting = [...first.filter((p) => !one.includes(p)), ...second]
      const s2 = takeStep(middle, waiting, k, s1.after)
      const two = s2.chosen.map((i) => waiting[i]!)
      const generation = [...current.map(() => 0), ...one.map(() => 1), ...two.map(() => 2)]
      const all = [...current, ...one, ...two]
      const people: Person[] = []
      const born: number[] = []
      all.forEach((p, i) => { for (const person of expand([p], generation[i]! > 0)) { people.push(person); born.push(generation[i]!) } })
      const byIndex = new Map(people.map((p, i) => [p, i]))
      const terms = [
        ...shownTerms(s1.before, people, 0, 'r0', (p) => born[byIndex.get(p)!]! === 0),
        ...shownTerms(s1.after, people, 0, 'r1', (p) => born[byIndex.get(p)!]! <= 1),
        ...shownTerms(s2.after, people, 0, 'r2'),
      ]
      const found = findSmallCombination(terms, Math.max(k, 3), 3)
      if (found) {
        throw new Error(`k=${k}, current: ${show(current)}\n  step 1 let in: ${show(one)}\n  step 2 let in: ${show(two)}\n  reveals ${explain(people, found)}`)
      }
    }), { seed: SEED + 6, numRuns: Math.ceil(RUNS / 2) })
  })

  it('a reader holding every release of a chain of 3–5 steps (answers that wait join later; both measures) learns nothing linear', () => {
    // As the product would run it: each step passes the release the previous step stored (with the
    // step each group was first shown), answers held back wait in the pending list, k ∈ {3, 4, 5, 7}.
    const chain = org.chain((o) => fc.record({
      batches: fc.array(fc.array(profileIn(o, 1), { minLength: 0, maxLength: 12 }), { minLength: 3, maxLength: 5 }),
      k: fc.constantFrom(3, 4, 5, 7),
    }))
    fc.assert(fc.property(chain, ({ batches, k }) => {
      let released: Profile[] = []
      let saved: SavedRelease | null = null
      let waiting: Profile[] = []
      const history: Array<{ release: Release; step: number }> = []
      const log: string[] = []
      for (const batch of batches) {
        const pending = [...waiting, ...batch]
        const result = nextStaffStep(released, pending, k, saved)
        if (!result) { waiting = pending; continue }
        const stepNo = Math.max(0, ...released.map((p) => p.step ?? 0)) + 1
        const joined = result.chosen.map((i) => ({ ...pending[i]!, step: stepNo }))
        waiting = pending.filter((_, i) => !result.chosen.includes(i))
        released = [...released, ...joined]
        saved = result.release
        history.push({ release: new Release(released, k, saved), step: stepNo })
        log.push(`step ${stepNo} let in: ${show(joined)}`)
      }
      const people: Person[] = []
      const born: number[] = []
      for (const p of released) for (const person of expand([p])) { people.push(person); born.push(p.step!) }
      const index = new Map(people.map((p, i) => [p, i]))
      for (const measure of [0, 1]) {
        const terms = history.flatMap(({ release, step }) => shownTerms(release, people, measure, `r${step}`, (p) => born[index.get(p)!]! <= step))
        const leak = findLinearLeak(terms, Math.max(k, 3))
        if (leak) throw new Error(`k=${k}, measure ${measure}\n  ${log.join('\n  ')}\n  some linear combination of [${terms.map((t) => t.label).join(', ')}] gives exactly ${explain(people, { combination: '', people: leak.people })}`)
      }
    }), { seed: SEED + 8, numRuns: Math.ceil(RUNS / 2) })
  })

  it('a step is empty or holds at least k answers', () => {
    fc.assert(fc.property(step, ({ current, pending, k }) => {
      const { chosen } = takeStep(current, pending, k)
      const n = chosen.reduce((sum, i) => sum + pending[i]!.counts[0]!, 0)
      if (chosen.length > 0 && n < Math.max(k, 3)) throw new Error(`step of ${n} < k=${k}`)
      if (new Set(chosen).size !== chosen.length || chosen.some((i) => i < 0 || i >= pending.length)) throw new Error(`bad indices ${JSON.stringify(chosen)}`)
    }), { seed: SEED + 3, numRuns: RUNS })
  })
})
