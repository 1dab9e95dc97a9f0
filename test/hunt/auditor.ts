// Copy of the auditor of test/unit/release.property.test.ts, exported for the hunting scripts.
import { Release, type GroupRef, type Profile } from '../../server/domain/release.js'
export interface Person { unit: string; attributes: Record<string, string>; answered: boolean[]; isNew: boolean }

export function expand(profiles: readonly Profile[], isNew = false): Person[] {
  const out: Person[] = []
  for (const p of profiles) {
    for (let i = 0; i < (p.counts[0] ?? 0); i++) {
      out.push({ unit: p.unitKey, attributes: { ...p.attributes }, answered: p.counts.map((c) => i < c), isNew })
    }
  }
  return out
}

export const valueOf = (attributes: Record<string, string>, name: string) =>
  Object.prototype.hasOwnProperty.call(attributes, name) ? attributes[name] : undefined

/** Every group a reader can ask for that somebody is in. */
export function readableGroups(people: readonly Person[]): GroupRef[] {
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

export const isIn = (p: Person, g: GroupRef) =>
  (g.unit === null || p.unit === g.unit) && (g.attribute === null || valueOf(p.attributes, g.attribute.name) === g.attribute.value)

export const describeGroup = (g: GroupRef, tag = '') => `${tag}[${g.unit ?? '*'}${g.attribute ? ` ${g.attribute.name}=${g.attribute.value}` : ''}]`

export interface Term { label: string; members: Set<number> }
export interface Found { combination: string; people: number[] }

/**
 * A shortest ±1 combination of at most `depth` distinct terms whose indicator is 0/1 and marks 1 … k−1
 * people, or null. Exhaustive up to `depth` (iterative deepening, so what is reported is short).
 */
export function findSmallCombination(all: readonly Term[], k: number, depth: number): Found | null {
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
export function findLinearLeak(all: readonly Term[], k: number): { people: number[] } | null {
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
export function shownTerms(release: Release, people: readonly Person[], measure: number, tag = '', admits: (p: Person) => boolean = () => true): Term[] {
  const terms: Term[] = []
  for (const g of readableGroups(people)) {
    if (!release.status(g, measure).shown) continue
    const members = new Set<number>()
    people.forEach((p, i) => { if (isIn(p, g) && p.answered[measure] && admits(p)) members.add(i) })
    terms.push({ label: describeGroup(g, tag), members })
  }
  return terms
}

export const depthFor = (terms: number) => (terms <= 40 ? 4 : 3)

export const explain = (people: readonly Person[], found: Found) =>
  `${found.combination ? `${found.combination}  =  ` : ''}${found.people.length} respondent(s): ${found.people
    .map((i) => `#${i} ${people[i]!.unit} ${JSON.stringify(people[i]!.attributes)}${people[i]!.isNew ? ' (new)' : ''}`).join(', ')}`

export const show = (profiles: readonly Profile[]) =>
  profiles.map((p) => `${p.unitKey} ${JSON.stringify(p.attributes)} ${JSON.stringify(p.counts)}`).join('; ')

