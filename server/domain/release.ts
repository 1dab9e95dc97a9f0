// The anonymity release of one side of a wave: which groups any reader may see, computed once from
// the side's respondent profiles so that every surface reads the same answer (design §5).
//
// The groups anyone can read form a small lattice: the whole side, each unit, each value of one
// attribute, and each unit × one attribute value. A group is hidden when it has fewer than k
// respondents (primary suppression), and further groups are hidden until no hidden group can be
// worked out by adding and subtracting shown ones (secondary suppression, to a fixed point):
//   - partitions: for a shown group cut along the units or along one attribute's values, the hidden
//     parts together hold 0 or at least k respondents;
//   - nested pairs: a shown group minus a shown group inside it (by the data, not only by its
//     definition — every manager may sit in one unit) is 0 or at least k;
//   - two-way tables: the whole minus a unit minus a value plus their intersection (everyone outside
//     both) is 0 or at least k.
// When a rule fails, the smallest shown group involved is hidden, ties broken by key, so the fewest
// respondents are hidden and the answer does not depend on input order. The rules run per measure:
// respondents first, then each item's and each dimension's answered count, where a group hidden for
// its respondents stays hidden for every measure.
//
// nextStaffStep applies the same rules to the change between two releases, so that staff figures move
// only in steps that hide each newcomer among at least k others (design §5, "over time").
import { SMALLEST_MIN_GROUP_SIZE } from './anonymity.js'

/** Respondents who share a unit and attributes, with their counts per measure (counts[0]: respondents). */
export interface Profile {
  unitKey: string
  attributes: Readonly<Record<string, string>>
  counts: readonly number[]
}

/** A group a reader can ask for: a unit or the whole side, narrowed by at most one attribute value. */
export interface GroupRef {
  unit: string | null
  attribute: { name: string; value: string } | null
}

export type HiddenReason = 'too_few' | 'protects_smaller' | 'not_offered'

export type GroupStatus =
  | { shown: true; n: number }
  | { shown: false; reason: HiddenReason | 'no_answers' }

/** The value of a profile that lacks an attribute: part of every partition, never readable itself. */
const MISSING = '\u0000missing'

const keyOf = (unit: string | null, name: string | null, value: string | null) => JSON.stringify([unit, name, value])

function ownValue(attributes: Readonly<Record<string, string>>, name: string): string {
  return Object.hasOwn(attributes, name) ? attributes[name]! : MISSING
}

interface Cell {
  key: string
  unit: string | null
  name: string | null
  value: string | null
  readable: boolean
  profiles: number[]
}

/** The groups of one side and how they relate, built from its profiles; independent of k. */
class Lattice {
  readonly cells: Cell[] = []
  readonly index = new Map<string, number>()
  /** Each shown parent must keep its hidden parts at 0 or ≥ k. */
  readonly partitions: Array<{ parent: number; parts: number[] }> = []
  /** Per cell (u, a=v): the whole, (u, *) and (*, a=v). */
  readonly twoWay: Array<{ cell: number; unit: number; value: number }> = []
  readonly names: string[]
  readonly measureCount: number
  readonly whole: number

  constructor(readonly profiles: readonly Profile[]) {
    const names = new Set<string>()
    for (const p of profiles) for (const name of Object.keys(p.attributes)) names.add(name)
    this.names = [...names].sort()
    this.measureCount = Math.max(1, ...profiles.map((p) => p.counts.length))
    this.whole = this.cell(null, null, null)
    const unitCells = new Map<string, number>()
    const valueCells = new Map<string, Map<string, number>>(this.names.map((name) => [name, new Map()]))
    const unitValueCells = new Map<number, Map<string, number>>()
    profiles.forEach((p, i) => {
      this.cells[this.whole]!.profiles.push(i)
      const unit = this.cell(p.unitKey, null, null)
      unitCells.set(p.unitKey, unit)
      this.cells[unit]!.profiles.push(i)
      const mine = [this.whole, unit]
      this.profileCells.push(mine)
      for (const name of this.names) {
        const value = ownValue(p.attributes, name)
        const byValue = this.cell(null, name, value)
        valueCells.get(name)!.set(value, byValue)
        this.cells[byValue]!.profiles.push(i)
        const both = this.cell(p.unitKey, name, value)
        this.cells[both]!.profiles.push(i)
        mine.push(byValue, both)
        const perUnit = unitValueCells.get(unit) ?? unitValueCells.set(unit, new Map()).get(unit)!
        perUnit.set(`${name}\u0000${value}`, both)
        if (!this.twoWayAdded.has(both)) {
          this.twoWayAdded.add(both)
          this.twoWay.push({ cell: both, unit, value: byValue })
        }
      }
    })
    if (profiles.length === 0) return
    this.partitions.push({ parent: this.whole, parts: [...unitCells.values()] })
    for (const name of this.names) this.partitions.push({ parent: this.whole, parts: [...valueCells.get(name)!.values()] })
    for (const [unit, byNameValue] of unitValueCells) {
      for (const name of this.names) {
        const parts = [...byNameValue].filter(([k]) => k.startsWith(`${name}\u0000`)).map(([, cell]) => cell)
        this.partitions.push({ parent: unit, parts })
      }
    }
    for (const [name, values] of valueCells) {
      for (const [value, byValue] of values) {
        const parts: number[] = []
        for (const [unitKey] of unitCells) {
          const cell = this.index.get(keyOf(unitKey, name, value))
          if (cell !== undefined) parts.push(cell)
        }
        this.partitions.push({ parent: byValue, parts })
      }
    }
  }

  private readonly twoWayAdded = new Set<number>()

  private cell(unit: string | null, name: string | null, value: string | null): number {
    const key = keyOf(unit, name, value)
    const found = this.index.get(key)
    if (found !== undefined) return found
    this.cells.push({ key, unit, name, value, readable: value !== MISSING, profiles: [] })
    this.index.set(key, this.cells.length - 1)
    return this.cells.length - 1
  }

  count(cell: number, measure: number): number {
    let sum = 0
    for (const p of this.cells[cell]!.profiles) sum += this.profiles[p]!.counts[measure] ?? 0
    return sum
  }

  /** The cells each profile belongs to. */
  readonly profileCells: number[][] = []

  /** How many cells hold every member of a cell by its definition alone (itself included). */
  private definedContainers(cell: Cell): number {
    if (cell.unit === null && cell.name === null) return 1
    return cell.unit !== null && cell.name !== null ? 4 : 2
  }

  /**
   * For each cell, the other cells holding every one of its respondents counted by the measure: the
   * groups it could be subtracted from. Only these pairs can give a difference of people. `reuse`
   * holds the answer for a measure that counts every respondent; a cell whose profiles all count on
   * this measure too keeps it.
   */
  containers(weight: (p: number) => number, reuse: number[][] | null = null): number[][] {
    const cellsOfProfile = this.profileCells
    let changed: Set<number> | null = null
    if (reuse) {
      changed = new Set()
      this.profiles.forEach((_, p) => {
        if (weight(p) === 0) for (const c of cellsOfProfile[p]!) changed!.add(c)
      })
    }
    return this.cells.map((cell, c) => {
      if (reuse && !changed!.has(c)) return reuse[c]!
      const floor = this.definedContainers(cell)
      let common: Set<number> | null = null
      for (const p of cell.profiles) {
        if (weight(p) === 0) continue
        const mine = cellsOfProfile[p]!
        if (common === null) common = new Set(mine)
        else {
          const own = new Set(mine)
          for (const x of common) if (!own.has(x)) common.delete(x)
        }
        // Only the cells every member belongs to by definition are left: no more can drop out.
        if (common.size <= floor) break
      }
      if (common === null) return []
      common.delete(c)
      return [...common]
    })
  }

  members(cell: number): Set<number> {
    return new Set(this.cells[cell]!.profiles)
  }
}

type Status = 'shown' | 'empty' | HiddenReason

/**
 * A combination of shown figures that would single out a small group: `group` lists the profiles of
 * that group, `hideOneOf` the shown groups of which hiding one breaks the combination.
 */
interface Violation {
  group: () => Iterable<number>
  hideOneOf: number[]
}

/** What the rules check, for one measure over one lattice: which cells contain which. */
class Relations {
  readonly containers: number[][]
  /** Per cell: the cells inside it (by the data), for the pair rules. */
  readonly subs: number[][]
  /** Per cell: the sum of its profiles' weights. */
  readonly value: number[]

  /** `weight` is what each profile adds to the figure checked: its count on a measure, or its change. */
  constructor(readonly lattice: Lattice, readonly weight: (p: number) => number, reuse: Relations | null = null) {
    this.containers = lattice.containers(weight, reuse?.containers ?? null)
    this.value = lattice.cells.map((cell) => cell.profiles.reduce((sum, p) => sum + weight(p), 0))
    this.subs = lattice.cells.map(() => [])
    this.containers.forEach((parents, c) => {
      for (const parent of parents) this.subs[parent]!.push(c)
    })
  }
}

/** Profiles in a cell, as a set, kept per lattice. */
function membersOf(lattice: Lattice, cache: Map<number, Set<number>>, cell: number): Set<number> {
  return cache.get(cell) ?? cache.set(cell, lattice.members(cell)).get(cell)!
}

/**
 * Every way the shown figures (`value` of each cell, among those `shown`) combine, by adding and
 * subtracting up to four of them, into a group of 1 … k−1 respondents — one violation at a time; the
 * caller fixes each before the next is looked for, so the checks read the status as it changes.
 */
function* violations(lattice: Lattice, relations: Relations, shown: (c: number) => boolean, k: number): Generator<Violation> {
  const value = relations.value
  const small = (n: number) => n >= 1 && n < k
  const members = new Map<number, Set<number>>()
  const cellsOf = (cells: Iterable<number>) => {
    const out = new Set<number>()
    for (const c of cells) for (const p of lattice.cells[c]!.profiles) out.add(p)
    return out
  }
  // Partitions: the hidden parts of a shown group, together.
  for (const { parent, parts } of lattice.partitions) {
    for (;;) {
      if (!shown(parent)) break
      const hidden = parts.filter((part) => !shown(part) && value[part]! > 0)
      if (!small(hidden.reduce((sum, part) => sum + value[part]!, 0))) break
      const before = hidden.length
      yield { group: () => cellsOf(hidden), hideOneOf: parts.filter((part) => shown(part) && value[part]! > 0) }
      if (parts.filter((part) => !shown(part) && value[part]! > 0).length === before) break
    }
  }
  // Nested pairs: a shown group minus a shown group inside it.
  for (let c = 0; c < lattice.cells.length; c++) {
    for (const parent of relations.containers[c]!) {
      if (!shown(c) || !shown(parent) || !small(value[parent]! - value[c]!)) continue
      yield {
        group: () => { const inner = membersOf(lattice, members, c); return [...membersOf(lattice, members, parent)].filter((p) => !inner.has(p)) },
        hideOneOf: [c],
      }
    }
  }
  // Pairs inside a shown group: two that do not overlap leave the rest; two that cover it give their overlap.
  for (let parent = 0; parent < lattice.cells.length; parent++) {
    if (!shown(parent)) continue
    const inside = relations.subs[parent]!.filter((c) => shown(c) && value[c]! > 0).sort((a, b) => value[a]! - value[b]!)
    const total = value[parent]!
    for (let i = 0; i < inside.length; i++) {
      const a = inside[i]!
      // Only pairs whose sizes add up to within k of the parent can leave or overlap in 1 … k−1.
      let lo = i + 1
      for (let hi = inside.length; lo < hi;) {
        const mid = (lo + hi) >> 1
        if (value[a]! + value[inside[mid]!]! <= total - k) lo = mid + 1
        else hi = mid
      }
      for (let j = lo; j < inside.length; j++) {
        const b = inside[j]!
        const sum = value[a]! + value[b]!
        if (sum <= total - k) continue
        if (sum >= total + k) break
        if (!shown(parent) || !shown(a) || !shown(b)) continue
        const ma = membersOf(lattice, members, a)
        const mb = membersOf(lattice, members, b)
        const overlap = [...ma].filter((p) => mb.has(p))
        const both = overlap.reduce((sum, p) => sum + relations.weight(p), 0)
        const rest = total - sum + both
        const hideOneOf = [a, b].sort((x, y) => value[x]! - value[y]!)
        if (both === 0 && small(rest)) {
          yield { group: () => [...membersOf(lattice, members, parent)].filter((p) => !ma.has(p) && !mb.has(p)), hideOneOf }
        } else if (rest === 0 && small(both)) {
          yield { group: () => overlap, hideOneOf }
        }
      }
    }
  }
  // Two-way tables: the whole minus a unit minus a value plus their shown intersection.
  const whole = lattice.whole
  for (const { cell, unit, value: byValue } of lattice.twoWay) {
    if (!(shown(whole) && shown(unit) && shown(byValue) && shown(cell))) continue
    if (!small(value[whole]! - value[unit]! - value[byValue]! + value[cell]!)) continue
    yield {
      group: () => { const u = membersOf(lattice, members, unit); const v = membersOf(lattice, members, byValue); return [...membersOf(lattice, members, whole)].filter((p) => !u.has(p) && !v.has(p)) },
      hideOneOf: [cell],
    }
  }
}

/**
 * Primary then secondary suppression of one measure, to a fixed point. `pinned` groups stay shown
 * (a staff step must not hide what readers saw before); a rule only pinned groups could fix goes to
 * `stuck`, whose caller removes the newcomers that broke it.
 */
function suppress(
  lattice: Lattice, k: number, measure: number, base: { status: readonly Status[]; relations: Relations } | null,
  pinned: (c: number) => boolean = () => false, stuck: (violation: Violation) => void = () => {},
): { status: Status[]; relations: Relations } {
  const relations = new Relations(lattice, (p) => lattice.profiles[p]!.counts[measure] ?? 0, base?.relations ?? null)
  const counts = relations.value
  const status: Status[] = lattice.cells.map((cell, c) => {
    const inherited = base?.status[c]
    if (inherited !== undefined && inherited !== 'shown' && inherited !== 'empty') return inherited
    if (counts[c] === 0) return 'empty'
    if (!cell.readable) return 'not_offered'
    return counts[c]! < k ? 'too_few' : 'shown'
  })
  const shown = (c: number) => status[c] === 'shown'
  const order = (a: number, b: number) => counts[a]! - counts[b]! || (lattice.cells[a]!.key < lattice.cells[b]!.key ? -1 : 1)
  for (let changed = true; changed;) {
    changed = false
    for (const violation of violations(lattice, relations, shown, k)) {
      const candidates = violation.hideOneOf.filter(shown)
      const next = candidates.filter((c) => !pinned(c)).sort(order)[0]
      if (next === undefined) {
        if (candidates.length > 0) stuck(violation)
        continue
      }
      status[next] = 'protects_smaller'
      changed = true
    }
  }
  return { status, relations }
}

/** What every surface may show of one side of a wave. */
export class Release {
  private readonly lattice: Lattice
  private readonly statuses: Status[][]

  constructor(profiles: readonly Profile[], readonly minGroupSize: number) {
    const k = Math.max(minGroupSize, SMALLEST_MIN_GROUP_SIZE)
    this.lattice = new Lattice(profiles)
    const respondents = suppress(this.lattice, k, 0, null)
    this.statuses = [respondents.status]
    for (let m = 1; m < this.lattice.measureCount; m++) {
      // A measure every respondent counts on has the respondents' figures, so it has their release too.
      const same = profiles.every((p) => (p.counts[m] ?? 0) === p.counts[0])
      this.statuses.push(same ? respondents.status : suppress(this.lattice, k, m, respondents).status)
    }
  }

  private cellOf(group: GroupRef): number | undefined {
    return this.lattice.index.get(keyOf(group.unit, group.attribute?.name ?? null, group.attribute?.value ?? null))
  }

  /** Whether a group's figures for a measure (0: respondents) may be shown, and if not, why. */
  status(group: GroupRef, measure = 0): GroupStatus {
    const cell = this.cellOf(group)
    if (cell === undefined) return { shown: false, reason: 'no_answers' }
    const status = this.statuses[measure]?.[cell] ?? this.statuses[0]![cell]!
    if (status === 'shown') return { shown: true, n: this.lattice.count(cell, measure) }
    if (status === 'empty') return { shown: false, reason: 'no_answers' }
    return { shown: false, reason: status }
  }

  /**
   * How many respondents a group holds, shown or not. Only for saying how many more answers the whole
   * side needs before its figures appear: never print it for a hidden group below the whole.
   */
  respondents(group: GroupRef): number {
    const cell = this.cellOf(group)
    return cell === undefined ? 0 : this.lattice.count(cell, 0)
  }

  shown(group: GroupRef, measure = 0): boolean {
    return this.status(group, measure).shown
  }

  /** The attribute values a reader may filter by, per attribute name, sorted (see `offers`). */
  offeredValues(): Map<string, string[]> {
    const offered = new Map<string, string[]>()
    this.lattice.cells.forEach((cell) => {
      if (cell.unit !== null || cell.name === null || !this.offers(cell.name, cell.value!)) return
      const list = offered.get(cell.name) ?? offered.set(cell.name, []).get(cell.name)!
      list.push(cell.value!)
    })
    for (const list of offered.values()) list.sort()
    return offered
  }

  /** Whether an attribute value may be asked for at all: held by at least k respondents of the side. */
  offers(name: string, value: string): boolean {
    const cell = this.lattice.index.get(keyOf(null, name, value))
    return cell !== undefined && this.statuses[0]![cell] !== 'too_few' && this.statuses[0]![cell] !== 'empty' && this.lattice.cells[cell]!.readable
  }

  /** How many groups of the lattice are shown and hidden (for the bench and the closing note). */
  tally(): { groups: number; shown: number; hiddenPrimary: number; hiddenSecondary: number } {
    const s = this.statuses[0]!.filter((x) => x !== 'empty' && x !== 'not_offered')
    return {
      groups: s.length,
      shown: s.filter((x) => x === 'shown').length,
      hiddenPrimary: s.filter((x) => x === 'too_few').length,
      hiddenSecondary: s.filter((x) => x === 'protects_smaller').length,
    }
  }
}

/**
 * The pending staff answers that may join the released figures now, as indices into `pending`
 * (empty: wait for more). A step always holds at least k answers; every group shown before stays
 * shown; and within the step every group shown before and after changes by 0 or at least k, no cut of
 * a shown group gains 1 … k−1 in its hidden parts, and no nested, pair or two-way difference of the
 * change is 1 … k−1. Answers that would break a rule wait for the next step; the rest go now. Since
 * shown groups stay shown and each step changes them by 0 or ≥ k, any two reads differ by 0 or ≥ k.
 */
export function nextStaffStep(current: readonly Profile[], pending: readonly Profile[], minGroupSize: number): number[] {
  const k = Math.max(minGroupSize, SMALLEST_MIN_GROUP_SIZE)
  const before = new Release(current, minGroupSize)
  let chosen = pending.map((_, i) => i)
  for (;;) {
    if (chosen.length < k) return []
    const combined = [...current, ...chosen.map((i) => pending[i]!)]
    const lattice = new Lattice(combined)
    const isNew = (p: number) => p >= current.length
    const drop = new Set<number>()
    const dropAll = (profiles: Iterable<number>) => {
      for (const p of profiles) if (isNew(p)) drop.add(p - current.length)
    }
    // What readers saw stays shown: a group hidden later would leave its old figures to subtract from.
    const seen = lattice.cells.map((cell) => before.shown({ unit: cell.unit, attribute: cell.name === null ? null : { name: cell.name, value: cell.value! } }))
    const after = suppress(lattice, k, 0, null, (c) => seen[c]!, (violation) => dropAll(violation.group())).status
    if (drop.size > 0) {
      chosen = chosen.filter((_, position) => !drop.has(position))
      continue
    }
    const relations = new Relations(lattice, (p) => (isNew(p) ? combined[p]!.counts[0] ?? 0 : 0))
    // The change a reader can see is that of groups shown both before and after.
    const both = lattice.cells.map((_, c) => after[c] === 'shown' && seen[c]!)
    lattice.cells.forEach((cell, c) => {
      const change = relations.value[c]!
      if (both[c] && change >= 1 && change < k) dropAll(cell.profiles)
    })
    for (const violation of violations(lattice, relations, (c) => both[c]!, k)) dropAll(violation.group())
    if (drop.size === 0) return chosen
    // `drop` holds positions within `chosen`; map them back to indices of `pending`.
    chosen = chosen.filter((_, position) => !drop.has(position))
  }
}
