// The anonymity release of one side of a wave: which groups any reader may see, decided once from the
// side's respondent profiles so that every surface reads the same answer (design §5).
//
// The groups anyone can read: the whole side, each unit, each value of one attribute, and each unit ×
// one attribute value. A group with fewer than k respondents is hidden (primary suppression). Then the
// release is made k-anonymous: respondents who belong to exactly the same shown groups — who cannot be
// told apart by anything shown — form a class, and every class must hold 0 or at least k people.
// While a class is smaller, shown groups that set it apart are hidden, choosing the merge with a
// neighbouring class that hides the fewest respondents (secondary suppression, to a fixed point).
//
// Why that is enough: every shown figure is a sum over whole classes, so anything a reader computes
// from shown figures — adding, subtracting, any coefficients, any number of views — is again a sum
// over whole classes, never over part of one. A group of 1 … k−1 people would have to be a union of
// classes, and every non-empty class has at least k. This holds per measure: an item's figures use
// the people who answered it as weights.
//
// Over time (staff): a respondent's class also records the step at which their answer joined the
// figures, and a step never hides a group that readers saw before. Then every figure ever shown is a
// sum over these classes too, so two reads at different times cannot single anyone out either.
import { smallestShownGroup } from './anonymity.js'

/** Respondents who share a unit and attributes, with their counts per measure (counts[0]: respondents). */
export interface Profile {
  unitKey: string
  attributes: Readonly<Record<string, string>>
  counts: readonly number[]
  /** Staff: the release step at which these answers joined the figures (customers: 0). */
  step?: number
}

/** A dimension's measure and its items' measures (domain/measures.ts dimensionMeasures). */
export interface DimensionMeasure {
  measure: number
  items: number[]
}

/** A group a reader can ask for: a unit or the whole side, narrowed by at most one attribute value. */
export interface GroupRef {
  unit: string | null
  attribute: { name: string; value: string } | null
}

export type HiddenReason = 'too_few' | 'protects_smaller'

export type GroupStatus =
  | { shown: true; n: number }
  | { shown: false; reason: HiddenReason | 'no_answers' }

/**
 * The groups a release shows, per measure: each group's key and the step from which it has been shown.
 * What a staff step stores and the next step, and every reader, read back.
 */
export interface SavedRelease {
  /** The group size it was made for: a release saved for another k is not read back. */
  k: number
  shown: Array<Array<[key: string, since: number]>>
}

const keyOf = (unit: string | null, name: string | null, value: string | null) => JSON.stringify([unit, name, value])
const keyOfGroup = (group: GroupRef) => keyOf(group.unit, group.attribute?.name ?? null, group.attribute?.value ?? null)

interface Cell {
  key: string
  unit: string | null
  name: string | null
  profiles: number[]
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** The groups of one side and who is in each, built from its profiles in one canonical order. */
class Lattice {
  readonly profiles: Profile[]
  readonly cells: Cell[] = []
  readonly index = new Map<string, number>()
  /** The cells each profile belongs to. */
  readonly profileCells: number[][] = []
  readonly measureCount: number
  readonly whole: number

  constructor(profiles: readonly Profile[]) {
    // Sorted first, so the release never depends on the order the rows were read in.
    const canonical = (p: Profile) => JSON.stringify([p.step ?? 0, p.unitKey, Object.entries(p.attributes).sort(([a], [b]) => compare(a, b))])
    this.profiles = profiles.map((p) => ({ p, key: canonical(p) })).sort((a, b) => compare(a.key, b.key)).map(({ p }) => p)
    let measures = 1
    for (const p of this.profiles) measures = Math.max(measures, p.counts.length)
    this.measureCount = measures
    this.whole = this.cell(null, null, null)
    this.profiles.forEach((p, i) => {
      const mine = [this.whole, this.cell(p.unitKey, null, null)]
      for (const name of Object.keys(p.attributes).sort(compare)) {
        const value = p.attributes[name]!
        mine.push(this.cell(null, name, value), this.cell(p.unitKey, name, value))
      }
      for (const c of mine) this.cells[c]!.profiles.push(i)
      this.profileCells.push(mine)
    })
  }

  private cell(unit: string | null, name: string | null, value: string | null): number {
    const key = keyOf(unit, name, value)
    const found = this.index.get(key)
    if (found !== undefined) return found
    this.cells.push({ key, unit, name, profiles: [] })
    this.index.set(key, this.cells.length - 1)
    return this.cells.length - 1
  }

  count(cell: number, measure: number): number {
    let sum = 0
    for (const p of this.cells[cell]!.profiles) sum += this.profiles[p]!.counts[measure] ?? 0
    return sum
  }
}

type Status = 'shown' | 'empty' | HiddenReason

interface Suppression {
  status: Status[]
  /** Profiles in a class that only hiding a pinned group could merge (a staff step leaves them out). */
  stuck: Set<number>
}

/**
 * Makes one measure's release k-anonymous. `initial` is primary suppression; `pinned` groups stay
 * shown (what readers saw before a staff step), and `since` says from which step a shown group has
 * been shown: a respondent counts in a group's figures from the later of the two, so two people are
 * told apart by a group both are in only if they started counting in it at different steps.
 */
function anonymize(lattice: Lattice, k: number, measure: number, initial: Status[], pinned: (c: number) => boolean, since: (c: number) => number): Suppression {
  const status = initial
  const counts = lattice.cells.map((_, c) => lattice.count(c, measure))
  const weight = (p: number) => lattice.profiles[p]!.counts[measure] ?? 0
  const stuck = new Set<number>()
  // What hiding a group costs: its respondents, four times over for a unit (the heat map's rows and
  // the filter readers use most), so a small class is merged by hiding attribute groups first.
  const weightOf = (c: number) => (lattice.cells[c]!.unit !== null && lattice.cells[c]!.name === null ? 4 : 1)
  for (;;) {
    // Classes: who cannot be told apart by the shown groups over every release so far.
    const classes = new Map<string, { cells: number[]; marks: Set<string>; weight: number; profiles: number[] }>()
    lattice.profiles.forEach((profile, p) => {
      if (weight(p) === 0) return
      const cells = lattice.profileCells[p]!.filter((c) => status[c] === 'shown')
      const marks = cells.map((c) => `${c}@${Math.max(profile.step ?? 0, since(c))}`)
      const key = marks.join(',')
      const entry = classes.get(key) ?? classes.set(key, { cells, marks: new Set(marks), weight: 0, profiles: [] }).get(key)!
      entry.weight += weight(p)
      entry.profiles.push(p)
    })
    const small = [...classes.entries()].filter(([, c]) => c.weight < k && c.cells.length > 0)
      .sort(([ka, a], [kb, b]) => a.weight - b.weight || compare(ka, kb))
    if (small.length === 0) return { status, stuck }
    // Which classes each shown cell appears in: the neighbours a small class could merge with.
    const byCell = new Map<number, string[]>()
    for (const [key, c] of classes) for (const cell of c.cells) if (cell !== lattice.whole) (byCell.get(cell) ?? byCell.set(cell, []).get(cell)!).push(key)
    const touched = new Set<number>()
    let progress = false
    for (const [key, klass] of small) {
      if (klass.cells.some((c) => touched.has(c))) continue
      const neighbours = new Set<string>()
      for (const cell of klass.cells) for (const other of byCell.get(cell) ?? []) if (neighbours.size < 400) neighbours.add(other)
      // Those seen in no shown group but the whole are everyone's neighbours, and everyone is theirs.
      const alone = klass.cells.every((c) => c === lattice.whole)
      for (const [other, c] of classes) if ((alone || c.cells.length <= 1) && neighbours.size < 800) neighbours.add(other)
      neighbours.delete(key)
      let best: { cost: number; cells: number[]; key: string } | null = null
      for (const other of [...neighbours].sort(compare)) {
        const target = classes.get(other)!
        // The groups that tell the two classes apart: hiding all of them merges the classes.
        const apart = new Set<number>()
        for (const mark of klass.marks) if (!target.marks.has(mark)) apart.add(Number(mark.slice(0, mark.indexOf('@'))))
        for (const mark of target.marks) if (!klass.marks.has(mark)) apart.add(Number(mark.slice(0, mark.indexOf('@'))))
        if (apart.size === 0 || [...apart].some(pinned)) continue
        const cost = [...apart].reduce((sum, c) => sum + counts[c]! * weightOf(c), 0)
        if (!best || cost < best.cost || (cost === best.cost && compare(other, best.key) < 0)) best = { cost, cells: [...apart], key: other }
      }
      // No neighbour to merge with: hide what sets the class apart, the whole last.
      const free = klass.cells.filter((c) => !pinned(c))
      const fallback = free.some((c) => c !== lattice.whole) ? free.filter((c) => c !== lattice.whole) : free
      const plan = best?.cells ?? (fallback.length > 0 ? fallback : null)
      if (!plan) {
        for (const p of klass.profiles) stuck.add(p)
        continue
      }
      for (const c of plan) {
        status[c] = 'protects_smaller'
        touched.add(c)
      }
      progress = true
    }
    if (!progress) return { status, stuck }
  }
}

/** How many respondents sit in classes of 1 … k−1 under a status (steps aside: a first estimate). */
function smallMass(lattice: Lattice, k: number, status: readonly Status[]): number {
  const classes = new Map<string, number>()
  lattice.profiles.forEach((profile, p) => {
    const key = lattice.profileCells[p]!.filter((c) => status[c] === 'shown').join(',')
    classes.set(key, (classes.get(key) ?? 0) + (profile.counts[0] ?? 0))
  })
  let mass = 0
  for (const [key, n] of classes) if (key !== '' && n < k) mass += n
  return mass
}

/**
 * Before hiding groups one by one, whole attributes that cut the side into too many small classes
 * are withdrawn (every group of that attribute hidden): with many attributes, nearly everyone is
 * alone in their combination of values, and hiding cell by cell would take the units down first.
 * While more than a few people (2%, at least k) sit in small classes, the attribute whose withdrawal
 * leaves the fewest there goes, then the next. Groups readers saw before (pinned) are never withdrawn.
 */
function withoutCrowdedAttributes(lattice: Lattice, k: number, status: Status[], pinned: (c: number) => boolean): Status[] {
  const total = lattice.profiles.reduce((sum, p) => sum + (p.counts[0] ?? 0), 0)
  const names = [...new Set(lattice.cells.filter((cell) => cell.name !== null).map((cell) => cell.name!))].sort(compare)
  let mass = smallMass(lattice, k, status)
  for (;;) {
    if (mass <= Math.max(k, total * 0.02)) return status
    let best: { name: string; status: Status[]; mass: number } | null = null
    for (const name of names) {
      const cells = lattice.cells.map((cell, c) => cell.name === name && status[c] === 'shown' ? c : -1).filter((c) => c >= 0)
      if (cells.length === 0 || cells.some(pinned)) continue
      const trial = [...status]
      for (const c of cells) trial[c] = 'protects_smaller'
      const after = smallMass(lattice, k, trial)
      if (!best || after < best.mass) best = { name, status: trial, mass: after }
    }
    if (!best) return status
    status = best.status
    mass = best.mass
  }
}

/** Primary suppression of one measure: empty groups, and groups with fewer than k. */
function primary(lattice: Lattice, k: number, measure: number, base: readonly Status[] | null): Status[] {
  return lattice.cells.map((_, c) => {
    const inherited = base?.[c]
    if (inherited === 'too_few' || inherited === 'protects_smaller') return inherited
    const n = lattice.count(c, measure)
    if (n === 0) return 'empty'
    return n < k ? 'too_few' : 'shown'
  })
}

const groupSize = smallestShownGroup

/** What every surface may show of one side of a wave. */
export class Release {
  private readonly lattice: Lattice
  private readonly statuses: Status[][]

  /** Computes the release of `profiles`, or reads back a saved one (a staff step's) over the same profiles. */
  constructor(profiles: readonly Profile[], readonly minGroupSize: number, saved: SavedRelease | null = null, dimensions: readonly DimensionMeasure[] = []) {
    const k = groupSize(minGroupSize)
    this.lattice = new Lattice(profiles)
    this.statuses = saved && saved.k === k ? restore(this.lattice, k, saved) : decide(this.lattice, k, dimensions).statuses
  }

  private cellOf(group: GroupRef): number | undefined {
    return this.lattice.index.get(keyOfGroup(group))
  }

  /** Whether a group's figures for a measure (0: respondents) may be shown, and if not, why. */
  status(group: GroupRef, measure = 0): GroupStatus {
    const cell = this.cellOf(group)
    const statuses = this.statuses[measure]
    if (cell === undefined || !statuses) return { shown: false, reason: 'no_answers' }
    const status = statuses[cell]!
    if (status === 'shown') return { shown: true, n: this.lattice.count(cell, measure) }
    if (status === 'empty') return { shown: false, reason: 'no_answers' }
    return { shown: false, reason: status }
  }

  shown(group: GroupRef, measure = 0): boolean {
    return this.status(group, measure).shown
  }

  /**
   * How many respondents a group holds, shown or not. Only for saying how many more answers the whole
   * side needs before its figures appear: never print it for a hidden group below the whole.
   */
  respondents(group: GroupRef): number {
    const cell = this.cellOf(group)
    return cell === undefined ? 0 : this.lattice.count(cell, 0)
  }

  /**
   * Whether an attribute value may be asked for at all: only when its group across the side is shown.
   * Offering every value held by k or more would tell, next to the whole, how many hold the rest.
   */
  offers(name: string, value: string): boolean {
    const cell = this.lattice.index.get(keyOf(null, name, value))
    return cell !== undefined && this.statuses[0]![cell] === 'shown'
  }

  /** The attribute values a reader may filter by, per attribute name, sorted (see `offers`). */
  offeredValues(): Map<string, string[]> {
    const offered = new Map<string, string[]>()
    for (const cell of this.lattice.cells) {
      if (cell.unit !== null || cell.name === null) continue
      const value = (JSON.parse(cell.key) as [null, string, string])[2]
      if (!this.offers(cell.name, value)) continue
      ;(offered.get(cell.name) ?? offered.set(cell.name, []).get(cell.name)!).push(value)
    }
    for (const list of offered.values()) list.sort(compare)
    return new Map([...offered].sort(([a], [b]) => compare(a, b)))
  }

  /** The release as a staff step stores it. */
  save(): SavedRelease {
    return saveStatuses(this.lattice, this.statuses, () => 0, groupSize(this.minGroupSize))
  }

  /** How many groups of the lattice are shown and hidden (for the bench and the closing note). */
  tally(): { groups: number; shown: number; hiddenPrimary: number; hiddenSecondary: number } {
    const s = this.statuses[0]!.filter((x) => x !== 'empty')
    return {
      groups: s.length,
      shown: s.filter((x) => x === 'shown').length,
      hiddenPrimary: s.filter((x) => x === 'too_few').length,
      hiddenSecondary: s.filter((x) => x === 'protects_smaller').length,
    }
  }
}

/** Every measure's release: respondents first; a group hidden for its respondents is hidden for all. */
function decide(lattice: Lattice, k: number, dimensions: readonly DimensionMeasure[], shownSince: (measure: number, c: number) => number | null = () => null, step = 0) {
  const pinned = (m: number) => (c: number) => shownSince(m, c) !== null
  const since = (m: number) => (c: number) => shownSince(m, c) ?? step
  const stuck = new Set<number>()
  const first = withoutCrowdedAttributes(lattice, k, primary(lattice, k, 0, null), pinned(0))
  const respondents = anonymize(lattice, k, 0, first, pinned(0), since(0))
  respondents.stuck.forEach((p) => stuck.add(p))
  const statuses = [respondents.status]
  for (let m = 1; m < lattice.measureCount; m++) {
    // A measure every respondent counts on has the respondents' figures, so it has their release too.
    if (lattice.profiles.every((p) => (p.counts[m] ?? 0) === p.counts[0])) {
      statuses.push(respondents.status)
      continue
    }
    const result = anonymize(lattice, k, m, primary(lattice, k, m, respondents.status), pinned(m), since(m))
    result.stuck.forEach((p) => stuck.add(p))
    statuses.push(result.status)
  }
  for (const { measure, cell } of sameAnswerers(lattice, statuses, dimensions, (m, c) => pinned(m)(c))) {
    // Readers saw this dimension here before: a newcomer who skipped one of its items waits.
    for (const p of lattice.cells[cell]!.profiles) {
      const counts = lattice.profiles[p]!.counts
      if ((counts[measure] ?? 0) > 0 && dimensions.find((d) => d.measure === measure)!.items.some((i) => (counts[i] ?? 0) < (counts[measure] ?? 0))) stuck.add(p)
    }
  }
  return { statuses, stuck }
}

/**
 * A dimension's figures in a group add up each respondent's mean over the items they answered, so
 * next to the items' own figures they could single out who answered which items. They are shown only
 * where every item of the dimension is shown and was answered by everyone counted in the dimension.
 * Returns the places where that no longer holds but readers saw the dimension before (pinned).
 */
function sameAnswerers(lattice: Lattice, statuses: Status[][], dimensions: readonly DimensionMeasure[], pinned: (measure: number, c: number) => boolean) {
  const broken: Array<{ measure: number; cell: number }> = []
  for (const { measure, items } of dimensions) {
    if (!statuses[measure]) continue
    const status = [...statuses[measure]!]
    statuses[measure] = status
    lattice.cells.forEach((_, c) => {
      if (status[c] !== 'shown') return
      const n = lattice.count(c, measure)
      if (items.every((i) => statuses[i]?.[c] === 'shown' && lattice.count(c, i) === n)) return
      if (pinned(measure, c)) broken.push({ measure, cell: c })
      else status[c] = 'protects_smaller'
    })
  }
  return broken
}

function saveStatuses(lattice: Lattice, statuses: readonly Status[][], since: (measure: number, key: string) => number, k: number): SavedRelease {
  return {
    k,
    shown: statuses.map((status, m) => lattice.cells.filter((_, c) => status[c] === 'shown').map((cell) => cell.key).sort(compare)
      .map((key): [string, number] => [key, since(m, key)])),
  }
}

function restore(lattice: Lattice, k: number, saved: SavedRelease): Status[][] {
  return Array.from({ length: lattice.measureCount }, (_, m) => {
    const shown = new Set((saved.shown[m] ?? []).map(([key]) => key))
    return lattice.cells.map((cell, c) => {
      const n = lattice.count(c, m)
      if (n === 0) return 'empty'
      if (shown.has(cell.key)) return 'shown'
      return n < k ? 'too_few' : 'protects_smaller'
    })
  })
}

/**
 * The pending staff answers that may join the released figures now, and the release they make; null
 * while none may (wait for more). `current` are the released profiles with the step each joined at;
 * `previous` the release readers see now. The newcomers join as one new step: groups readers saw stay
 * shown, and newcomers who could only be told apart from everyone else by such a group wait for the
 * next step. So the classes of the new release — people alike in every shown group and step — all
 * hold 0 or at least k, over every release ever shown. A step always holds at least k answers.
 */
export function nextStaffStep(current: readonly Profile[], pending: readonly Profile[], minGroupSize: number, previous: SavedRelease | null,
  dimensions: readonly DimensionMeasure[] = []): { chosen: number[]; step: number; release: SavedRelease } | null {
  const k = groupSize(minGroupSize)
  const step = Math.max(0, ...current.map((p) => p.step ?? 0)) + 1
  let chosen = pending.map((_, i) => i)
  for (;;) {
    if (chosen.length < k) return null
    const newcomers = chosen.map((i) => ({ ...pending[i]!, step, chosenAs: i }))
    const lattice = new Lattice([...current, ...newcomers])
    const seen = (previous?.shown ?? []).map((entries) => new Map(entries))
    const shownSince = (m: number, c: number) => seen[m]?.get(lattice.cells[c]!.key) ?? null
    const { statuses, stuck } = decide(lattice, k, dimensions, shownSince, step)
    const waiting = new Set<number>()
    for (const p of stuck) {
      const profile = lattice.profiles[p] as Profile & { chosenAs?: number }
      // A class of earlier answers set apart by a group shown for the first time is mended by hiding
      // that group, so only newcomers are stuck, and they wait.
      if (profile.chosenAs !== undefined) waiting.add(profile.chosenAs)
    }
    if (waiting.size === 0) return { chosen, step, release: saveStatuses(lattice, statuses, (m, key) => seen[m]?.get(key) ?? step, k) }
    chosen = chosen.filter((i) => !waiting.has(i))
  }
}
