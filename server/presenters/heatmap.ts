// The heat map of gaps by unit, as views/partials/blocks/heatmap.eta prints it: one row per unit of the
// report's `units` (services/unit-gaps.ts), each cell coloured by the step its gap falls in on a
// diverging scale centred on zero, the rows in the order the reader chose (?sort=gap|name|n), and a
// legend that names every colour, the significance mark and the hidden cells.
import type { Gap } from '../domain/report.js'
import type { UnitRow } from '../domain/report-parts.js'
import { SIDES, type Side } from '../domain/types.js'
import * as f from '../format.js'
import { answersFilter, answersOther, type BlockScope } from './block-scope.js'

export const HEATMAP_SORTS = ['gap', 'name', 'n'] as const
export type HeatmapSort = (typeof HEATMAP_SORTS)[number]

/** The sort a query asks for; anything else (missing, repeated, unknown) is the default, widest gap first. */
export function heatmapSort(raw: unknown): HeatmapSort {
  return HEATMAP_SORTS.find((sort) => sort === raw) ?? 'gap'
}

/**
 * The steps of the scale, by the size of the gap as printed (whole points): the lower bound of each.
 * Five steps each side of a neutral band, so that a gap of 30 and one of 76 never share a colour.
 */
export const GAP_STEPS = [5, 15, 30, 50, 70] as const

/**
 * The colour step of a gap: 'gap-0' for −4 … +4, 'gap-o1' … 'gap-o5' where staff think better of the
 * service than its customers (orange to brown), 'gap-u1' … 'gap-u5' the reverse (lilac to purple).
 */
export function gapStep(points: number): string {
  const size = Math.round(Math.abs(points))
  const step = GAP_STEPS.filter((bound) => size >= bound).length
  if (step === 0) return 'gap-0'
  return `${points > 0 ? 'gap-o' : 'gap-u'}${step}`
}

/** The legend: every step with the gaps it holds, staff-overrate first, widest first. */
function legend() {
  const range = (step: number, sign: 1 | -1) => {
    const lo = GAP_STEPS[step - 1]!
    const hi = GAP_STEPS[step]
    const signed = (value: number) => f.gapNumber(sign * value)
    return hi === undefined ? `${signed(lo)} or more` : `${signed(lo)} to ${signed(hi - 1)}`
  }
  const steps = [5, 4, 3, 2, 1]
  return [
    ...steps.map((step) => ({ shade: `gap-o${step}`, label: range(step, 1) })),
    { shade: 'gap-0', label: `${f.gapNumber(-(GAP_STEPS[0] - 1))} to ${f.gapNumber(GAP_STEPS[0] - 1)}` },
    ...[...steps].reverse().map((step) => ({ shade: `gap-u${step}`, label: range(step, -1) })),
  ]
}

const compareNames = (a: UnitRow, b: UnitRow) => a.name.localeCompare(b.name, 'en')

/** A unit's respondents for sorting: shown counts only (hidden ones sort last, never by their size). */
const shownCount = (n: number | null) => n ?? -1

function sorted(units: readonly UnitRow[], sort: HeatmapSort): UnitRow[] {
  const rows = [...units]
  if (sort === 'name') return rows.sort(compareNames)
  if (sort === 'n') {
    return rows.sort((a, b) => shownCount(b.respondents.customer) - shownCount(a.respondents.customer)
      || shownCount(b.respondents.staff) - shownCount(a.respondents.staff) || compareNames(a, b))
  }
  // Widest gap first, whichever its sign; units whose gap is hidden come last, by name.
  const size = (row: UnitRow) => (row.gap ? Math.abs(row.gap.points) : -1)
  return rows.sort((a, b) => size(b) - size(a) || compareNames(a, b))
}

export interface HeatmapOptions {
  /** The report's filters: the chosen unit is highlighted, links keep the attribute filters. */
  filters: { unit: { id: string; name: string } | null; staff: Record<string, string>; customer: Record<string, string> }
  /** Item keys in the report's order, for the columns. */
  itemKeys: readonly string[]
  /** Whether the reader sees the whole wave (false: a unit manager, their units only). */
  whole: boolean
  sort: HeatmapSort
  /** Why a figure is hidden, one wording for every reason (presenters/report.ts hiddenBecause). */
  hidden: string
  /** The wave's action plans: which unit × item cells have one, and where to make one (null: the reader may not). */
  plans?: { has: (unitId: string, itemKey: string) => string | null; newHref: ((unitId: string, itemKey: string) => string | null) | null }
}

/** The query string of the dashboard with these filters and this sort. */
function query(filters: HeatmapOptions['filters'], unit: string | null, sort: HeatmapSort) {
  const params = new URLSearchParams()
  if (unit !== null) params.set('unit', unit)
  for (const side of SIDES) for (const [name, value] of Object.entries(filters[side])) params.set(`${side}.${name}`, value)
  if (sort !== 'gap') params.set('sort', sort)
  const text = params.toString()
  return text === '' ? '?' : `?${text}`
}

/** What the block answers: the attribute filters always; under a unit filter, all units with that one highlighted. */
function scopeOf(options: HeatmapOptions): BlockScope {
  const unit = options.filters.unit
  if (!unit) return answersFilter
  const attributes = SIDES.some((side) => Object.keys(options.filters[side]).length > 0)
  return answersOther(`${options.whole ? 'All units' : 'All your units'}, for comparison${attributes ? ', under the same attribute filters' : ''}; ${unit.name} is highlighted.`)
}

export function presentHeatmap(units: readonly UnitRow[], options: HeatmapOptions) {
  if (units.length === 0) return null
  const { filters, sort } = options
  const cell = (gap: Gap | null) => (gap
    ? { shade: gapStep(gap.points), text: f.gapNumber(gap.points), title: null, significant: gap.significant }
    : { shade: 'hidden-cell', text: '—', title: `A side is ${options.hidden}`, significant: false })
  const since = units.find((row) => row.change)?.change?.since ?? null
  const count = (n: number | null) => (n === null ? 'hidden' : f.count(n))
  return {
    scope: scopeOf(options),
    attributesApply: SIDES.some((side) => Object.keys(filters[side]).length > 0),
    itemLabels: options.itemKeys.map(f.itemLabel),
    sinceName: since?.name ?? null,
    sorts: HEATMAP_SORTS.map((key) => ({
      key,
      label: key === 'gap' ? 'overall gap' : key === 'name' ? 'name' : 'respondents',
      href: query(filters, filters.unit?.name ?? null, key),
      current: key === sort,
    })),
    legend: legend(),
    hiddenNote: options.hidden,
    rows: sorted(units, sort).map((row) => ({
      unit: row.name,
      href: query(filters, row.name, sort),
      chosen: filters.unit?.id === row.id,
      overall: cell(row.gap),
      respondents: Object.fromEntries(SIDES.map((side) => [side, count(row.respondents[side])])) as Record<Side, string>,
      cells: row.items.map((item) => ({
        ...cell(item.gap),
        // A cell's plan: a link to it when there is one, and a link to make one for those who may.
        plan: options.plans?.has(row.id, item.key) ?? null,
        newPlan: options.plans?.newHref?.(row.id, item.key) ?? null,
        about: `${row.name}, ${f.itemLabel(item.key)}`,
      })),
      change: since === null ? null : row.change
        ? { text: f.points(row.change.points), range: f.pointsRange(row.change.ci95), flag: row.change.significant ? (row.change.points < 0 ? 'narrowed' : 'widened') : null }
        : { text: '—', range: null, flag: null },
    })),
  }
}

export type HeatmapView = NonNullable<ReturnType<typeof presentHeatmap>>
