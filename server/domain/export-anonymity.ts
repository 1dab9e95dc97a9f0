// What the responses export may show of a staff row (design §5, "Exports"). Staff rows are
// k-anonymous over their quasi-identifiers — unit, day submitted, language and channel (their
// attributes are never exported): every combination of exported values occurs in at least k staff
// rows, k being the organization's minimum group size (never below the product's smallest).
//
// Day, language and channel are generalized for the whole file, along a ladder (day → ISO week →
// month → withheld; language and channel: shown → withheld). A unit's name is either shown on all of
// its rows or on none, so that no row can be told apart from the unit's others by subtracting the
// named ones from the report; the rows left without a unit (those that had none and those whose unit
// is withheld) must be k-anonymous among themselves too. Every rung of the ladder is tried, the
// units to withhold are worked out for it, and the one that loses the least is kept.
//
// Over time: staff rows join the figures in release steps (services/release-steps.ts), and an export
// holds every step so far, so two exports taken on either side of steps differ by exactly those
// steps' rows — matched by their answers, they are known apart from the rest. A step adds at least k
// staff, but a combination could grow by one row (North's German answers 5 → 6), and that row would
// be one person's. So the release step is a hidden quasi-identifier: it is never printed, but every
// (step, combination) must hold 0 or at least k rows. Then the rows any two exports differ by — a
// union of whole steps — are k-anonymous in the later file as well. The coarsest rung (every unit
// the release shows named, nothing else) always works while each step holds at least k rows: a
// step's newcomers to a unit the release shows are 0 or at least k (the release keeps every
// respondent's class, over shown groups and steps, at 0 or at least k, and a unit once shown stays
// shown), and so are the rest of its newcomers. Only a step shrunk below k (rows deleted) can leave
// no rung: then no staff row is exported.
//
// Answers, staff predictions (`predict:<key>`) included, are not quasi-identifiers, but each answer
// column is a measure the report may hide for a group (fewer than k answered it there, or secondary
// suppression): counting a unit's non-empty cells would print the figure the report hides. So an
// answer cell is shown only where the release shows the figure of the group the row is exported
// under, for that measure (staffAnswerRule): a named unit's rows under their unit, the rows without
// a unit under the whole side — and those only while every named unit's figure for the measure is
// shown too, for else the whole side's figure minus the named units' and the unnamed rows' cells
// would leave exactly the named units the report hides. Every count the export then prints (rows
// per named unit, non-empty cells per column and group) is a released figure or the whole side's
// released figure minus released ones, so it tells nothing the report does not.
//
// The answer cells need no rule per step of their own: a named unit's filled cells of a column are
// the release's n for the unit and measure (every released row of the unit is in the file), so where
// two exports both show the column they differ by what the release moved between two reads, and the
// release moves a shown figure by 0 or at least k (each newcomer's class records its step on every
// shown group, the whole side among them, and holds 0 or at least k). The rows without a unit are the
// whole side less the named units: differences of such figures. A column the earlier export blanked
// and the later one shows is the release's figure whole (a group once shown stays shown), and a
// column the later one blanks shows nothing new. test/routes/export-steps.test.ts checks it.

import { smallestShownGroup, tooSmall } from './anonymity.js'

export const DAY_LEVELS = ['day', 'week', 'month', 'withheld'] as const
export type DayLevel = (typeof DAY_LEVELS)[number]

/** A staff row's quasi-identifiers; `day` is the UTC day it was submitted, YYYY-MM-DD. */
export interface StaffQuasiIdentifiers {
  unitId: string | null
  day: string
  language: string
  channel: string
}

/** How many staff rows share one combination of quasi-identifiers, and their release step. */
export interface StaffGroup extends StaffQuasiIdentifiers {
  n: number
  /** The release step the rows joined the figures in (responses.release_step): never exported, but each step is k-anonymous on its own. Absent: 0. */
  step?: number
}

export interface StaffGeneralization {
  /** False when the whole staff side is fewer than k, or a release step is and no rung hides it: no staff row is exported at all. */
  exported: boolean
  /** Why no staff row is exported: the side is fewer than k, or a release step is (rows deleted since); null when they are. */
  notExported: 'too_few' | 'small_step' | null
  /** The k the rows are anonymous over. */
  k: number
  day: DayLevel
  language: 'shown' | 'withheld'
  channel: 'shown' | 'withheld'
  /** The units whose name staff rows carry; every other staff row has an empty unit. */
  unitsShown: ReadonlySet<string>
}

/** What an exported staff row says: its unit's name only when `unitShown`. */
export interface ExportedStaffCells {
  unitShown: boolean
  submitted: string
  language: string
  channel: string
}

// What a cell withheld from one row costs, by how much it tells an analyst: the unit most (the
// report is read by unit: its name is worth the rest of the row together), then the day (its week
// loses a third of it, its month two thirds), the language, and the channel least.
const UNIT_COST = 6
const DAY_COST: Record<DayLevel, number> = { day: 0, week: 1, month: 2, withheld: 3 }
const LANGUAGE_COST = 2
const CHANNEL_COST = 1

/** The staff rows' generalization: of those that are k-anonymous, the one losing the least (costs above). */
export function generalizeStaff(groups: readonly StaffGroup[], minGroupSize: number): StaffGeneralization {
  const k = smallestShownGroup(minGroupSize)
  const total = groups.reduce((sum, group) => sum + group.n, 0)
  const nothing = (why: 'too_few' | 'small_step'): StaffGeneralization =>
    ({ exported: false, notExported: why, k, day: 'withheld', language: 'withheld', channel: 'withheld', unitsShown: new Set() })
  if (tooSmall(total, minGroupSize)) return nothing('too_few')
  let best: { generalization: StaffGeneralization; cost: number; unitRowsWithheld: number } | null = null
  for (const day of DAY_LEVELS) {
    for (const language of ['shown', 'withheld'] as const) {
      for (const channel of ['shown', 'withheld'] as const) {
        const levels = { day, language, channel }
        const unitsShown = unitsShownAt(groups, levels, minGroupSize)
        if (unitsShown === null) continue
        const unitRowsWithheld = groups.filter((g) => g.unitId !== null && !unitsShown.has(g.unitId)).reduce((sum, g) => sum + g.n, 0)
        const perRow = DAY_COST[day] + (language === 'withheld' ? LANGUAGE_COST : 0) + (channel === 'withheld' ? CHANNEL_COST : 0)
        const cost = unitRowsWithheld * UNIT_COST + total * perRow
        // Ties keep the unit, then the first rung tried (finer day, then language over channel).
        if (best === null || cost < best.cost || (cost === best.cost && unitRowsWithheld < best.unitRowsWithheld)) {
          best = { generalization: { exported: true, notExported: null, k, ...levels, unitsShown }, cost, unitRowsWithheld }
        }
      }
    }
  }
  // Withholding everything but the unit always works while each step has k rows (see the top).
  return best?.generalization ?? nothing('small_step')
}

type Levels = Pick<StaffGeneralization, 'day' | 'language' | 'channel'>

/**
 * The units that can be named at these levels, or null when no choice of units makes the rows
 * k-anonymous. A combination here is the exported values together with the release step (each step
 * on its own, see the top). A unit is named only when each of its combinations has at least k rows. The rows
 * left without a unit must be so too: while one of their combinations is too small, the smallest
 * named unit that has rows in it is withheld as well (ties go to the lower unit id, so that the
 * answer does not depend on the order of the input). Withholding a unit never makes a combination
 * smaller, so this ends; when no named unit can help, these levels do not work. Units withheld on
 * the way that later ones made unnecessary are named again.
 */
function unitsShownAt(groups: readonly StaffGroup[], levels: Levels, minGroupSize: number): Set<string> | null {
  const units = new Map<string, { n: number; combinations: Map<string, number> }>()
  const unnamed = new Map<string, number>()
  for (const group of groups) {
    if (group.n <= 0) continue
    const key = `${group.step ?? 0}\u0000${combination(group, levels)}`
    if (group.unitId === null) {
      add(unnamed, key, group.n)
      continue
    }
    const unit = units.get(group.unitId) ?? { n: 0, combinations: new Map<string, number>() }
    unit.n += group.n
    add(unit.combinations, key, group.n)
    units.set(group.unitId, unit)
  }
  const named: Array<{ unitId: string; n: number; combinations: Map<string, number> }> = []
  for (const [unitId, unit] of units) {
    if ([...unit.combinations.values()].every((n) => !tooSmall(n, minGroupSize))) named.push({ unitId, ...unit })
    else for (const [key, n] of unit.combinations) add(unnamed, key, n)
  }
  named.sort((a, b) => a.n - b.n || (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0))
  const short = new Set([...unnamed].filter(([, n]) => tooSmall(n, minGroupSize)).map(([key]) => key))
  const withheld: typeof named = []
  while (short.size > 0) {
    const index = named.findIndex((unit) => [...short].some((key) => unit.combinations.has(key)))
    if (index < 0) return null
    const [unit] = named.splice(index, 1)
    withheld.push(unit!)
    for (const [key, n] of unit!.combinations) {
      add(unnamed, key, n)
      if (!tooSmall(unnamed.get(key)!, minGroupSize)) short.delete(key)
    }
  }
  // A unit withheld early may not be needed once later ones are: name it again, largest first,
  // when the rows left without a unit stay k-anonymous (each combination 0 or at least k) without it.
  withheld.sort((a, b) => b.n - a.n || (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0))
  for (const unit of withheld) {
    const without = [...unit.combinations].map(([key, n]) => unnamed.get(key)! - n)
    if (!without.every((n) => n === 0 || !tooSmall(n, minGroupSize))) continue
    for (const [key, n] of unit.combinations) unnamed.set(key, unnamed.get(key)! - n)
    named.push(unit)
  }
  return new Set(named.map((unit) => unit.unitId))
}

function add(counts: Map<string, number>, key: string, n: number) {
  counts.set(key, (counts.get(key) ?? 0) + n)
}

function combination(row: StaffQuasiIdentifiers, levels: Levels): string {
  const cells = exportedCells(row, levels)
  return `${cells.submitted}\u0000${cells.language}\u0000${cells.channel}`
}

function exportedCells(row: StaffQuasiIdentifiers, levels: Levels) {
  return {
    submitted: generalizedDay(row.day, levels.day),
    language: levels.language === 'shown' ? row.language : '',
    channel: levels.channel === 'shown' ? row.channel : '',
  }
}

/** The cells an exported staff row carries for its quasi-identifiers. */
export function exportedStaffCells(generalization: StaffGeneralization, row: StaffQuasiIdentifiers): ExportedStaffCells {
  return { unitShown: row.unitId !== null && generalization.unitsShown.has(row.unitId), ...exportedCells(row, generalization) }
}

/** A day (YYYY-MM-DD) as itself, its ISO week (2026-W48), its month (2026-11), or nothing. */
export function generalizedDay(day: string, level: DayLevel): string {
  if (level === 'day') return day
  if (level === 'month') return day.slice(0, 7)
  if (level === 'withheld') return ''
  const date = new Date(`${day}T00:00:00Z`)
  // The ISO week is the one holding this week's Thursday, numbered within that Thursday's year.
  date.setUTCDate(date.getUTCDate() + 3 - ((date.getUTCDay() + 6) % 7))
  const year = date.getUTCFullYear()
  const week = Math.floor((date.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 / 7) + 1
  return `${year}-W${String(week).padStart(2, '0')}`
}

/** Whether the release shows a staff group's figure for a measure ('respondents', an item key, `predict:<key>`), and if not, whether the group has no answers to it at all. */
export type MeasureStatus = 'shown' | 'hidden' | 'empty'

/** The staff release as the export reads it: a unit's group (null: the whole side) and a measure. */
export type StaffMeasureRelease = (unitId: string | null, measure: string) => MeasureStatus

export interface StaffAnswerRule {
  /** False when the release hides the whole staff side's respondents: then no staff row is written. */
  rowsExported: boolean
  /** Whether a row exported under this unit (null: a row with an empty unit cell) shows its answer for the measure. */
  shows(unitId: string | null, measure: string): boolean
}

/**
 * Which answer cells of staff rows the export fills (see the top of this file). `namedUnits` are
 * the units whose name the rows carry; `measures` the answer columns.
 */
export function staffAnswerRule(release: StaffMeasureRelease, namedUnits: Iterable<string>, measures: readonly string[]): StaffAnswerRule {
  const named = [...namedUnits]
  const rowsExported = release(null, 'respondents') === 'shown'
  // A group nobody answered the measure in has nothing to hide: its count, 0, splits no one off (its
  // cells hold only "na" and blanks). One that hides its respondents hides every column.
  const open = (unitId: string | null, measure: string) => release(unitId, measure) !== 'hidden'
  const unitShows = (unitId: string, measure: string) => release(unitId, 'respondents') === 'shown' && open(unitId, measure)
  const unnamed = new Set(measures.filter((measure) => rowsExported && open(null, measure) && named.every((unitId) => unitShows(unitId, measure))))
  const byUnit = new Map(named.map((unitId) => [unitId, new Set(measures.filter((measure) => unitShows(unitId, measure)))]))
  return {
    rowsExported,
    shows: (unitId, measure) => rowsExported && (unitId === null ? unnamed.has(measure) : (byUnit.get(unitId)?.has(measure) ?? false)),
  }
}

/**
 * The words the export's `anonymity` column carries on every staff row (the same on all of them,
 * so that it tells no row from another), or on the one note row when staff rows are not exported.
 */
export function generalizationNote(generalization: StaffGeneralization): string {
  const { k } = generalization
  if (generalization.notExported === 'small_step') return `staff rows not exported: a release step has fewer than ${k} staff responses`
  if (!generalization.exported) return `staff rows not exported: fewer than ${k} staff responses`
  const parts = [`k-anonymous, k=${k}`, 'unit empty when none or withheld', 'answer empty where the report hides its group']
  if (generalization.day === 'week') parts.push('submitted as ISO week')
  if (generalization.day === 'month') parts.push('submitted as month')
  if (generalization.day === 'withheld') parts.push('submitted withheld')
  if (generalization.language === 'withheld') parts.push('language withheld')
  if (generalization.channel === 'withheld') parts.push('channel withheld')
  return parts.join('; ')
}
