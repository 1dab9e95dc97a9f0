// The report's first screen (views/partials/blocks/summary.eta): what the gap is, whether it is
// closing, which items and which units to act on first, and the date of the staff figures. Built from
// the report object alone — the API's own fields (headline, prediction, trend, fixFirst, units,
// release) — so the dashboard shows nothing the API cannot return, and every part answers the
// report's filters or says in words what it compares instead. Plain words first; the exact interval
// and q-value go in a title, and in the tables further down the page.
import type { Analytics, FixFirst, Prediction } from '../domain/analytics/types.js'
import { isSuppressed, type Gap, type ItemResult, type Share } from '../domain/report.js'
import type { GapChange, Trend, UnitRow } from '../domain/report-parts.js'
import type { Side } from '../domain/types.js'
import * as f from '../format.js'
import { headlineSentence } from './analytics-prediction.js'

/** The fields of the report (services/report.ts WaveReport, design §7) the summary reads. */
export interface SummaryReport {
  minGroupSize: number
  filters: { unit: { id: string; name: string } | null; staff: Record<string, string>; customer: Record<string, string> }
  release: { at: string | null }
  headline: ItemResult
  prediction: Prediction | null
  fixFirst: FixFirst | null
  unavailable: Analytics['unavailable']
  /** Absent from a report built before the heat-map rows existed; null where the report has none. */
  units?: UnitRow[] | null
  trend?: Trend | null
}

export interface SummaryContext {
  /** The wave page, for the links to each unit's page. */
  waveUrl: string
  /** False for a unit manager: the units compared are theirs only. */
  whole: boolean
  /** Per side, the sentence to show in place of a hidden headline share (the dashboard's wording). */
  hidden?: Partial<Record<Side, string | null>>
  /** Where to make a plan for an item (null or absent: the reader may not make plans). */
  newPlan?: ((itemKey: string) => string) | null
}

/** "q < 0.001", "q = 0.012": the exact value behind the words. */
const exact = (name: 'p' | 'q', value: number) => `${name} ${value < 0.001 ? '< 0.001' : `= ${value.toFixed(3)}`}`
/** The whole-number size of a change, without sign: the sentence carries the direction. */
const size = (value: number) => `${Math.abs(value).toFixed(0)} ${Math.abs(value).toFixed(0) === '1' ? 'pt' : 'pts'}`

function gapVerdict(gap: Gap): string {
  if (!gap.significant) return 'no clear difference between staff and customers'
  return gap.points > 0 ? 'staff think better of the service than customers do' : 'customers think better of the service than staff do'
}

/** How a gap moved, whatever the language: held steady, crossed zero (both ends given), narrowed or widened. */
export type ChangeShape = { kind: 'steady' } | { kind: 'crossed'; before: number; now: number } | { kind: 'narrowed' | 'widened'; by: number }

/** The shape of a gap's move: from the gap now and its change (now − before). The digest words it in each language. */
export function changeShape(now: number, change: number): ChangeShape {
  const before = now - change
  if (Math.abs(change) < 0.5) return { kind: 'steady' }
  // The gap crossed zero: "narrowed" or "widened" would mislead, so give both ends.
  if (Math.round(before) !== 0 && Math.round(now) !== 0 && Math.sign(before) !== Math.sign(now)) return { kind: 'crossed', before, now }
  return { kind: Math.abs(now) < Math.abs(before) ? 'narrowed' : 'widened', by: Math.abs(change) }
}

/** How a gap moved, in words: from the gap now and its change (now − before). */
export function changeWords(now: number, change: number): string {
  const shape = changeShape(now, change)
  if (shape.kind === 'steady') return 'held steady'
  if (shape.kind === 'crossed') return `moved from ${f.points(shape.before)} to ${f.points(shape.now)}`
  return `${shape.kind} by ${size(change)}`
}

const isNarrowing = (now: number, change: GapChange) => Math.abs(now) < Math.abs(now - change.points)

/** A gap's change, the way every part of the summary states it. */
function changeFact(now: number, change: GapChange, since: string) {
  return {
    text: `${changeWords(now, change.points)} since ${since}`,
    chance: f.chance(change.qValue),
    title: `Change ${f.points(change.points)}, 95% interval ${f.pointsRange(change.ci95)} pts, ${exact('q', change.qValue)}`,
    significant: change.significant,
  }
}

function shareWay(share: Share, label: string, quote: string | null, hidden: string) {
  return isSuppressed(share)
    ? { value: null, label, quote, detail: null, hidden }
    : { value: f.percent(share.share), label, quote, detail: `95%: ${f.percentRange(share.ci95)} · n = ${f.count(share.n)}`, hidden: null }
}

function headlinePart(report: SummaryReport, context: SummaryContext) {
  const h = report.headline
  const hiddenText = (side: Side) => context.hidden?.[side] ?? `Hidden here: fewer than ${f.count(report.minGroupSize)} answers, or kept back so that a smaller group cannot be worked out`
  const prediction = report.prediction
  const predicted = prediction?.headline.predicted ?? null
  const ways = [
    { side: 'staff', ...shareWay(h.staff, 'of staff say', h.staffText, hiddenText('staff')) },
    ...(prediction
      ? [{
          side: 'predicted',
          ...(predicted
            ? { value: f.percent(predicted.share), label: 'is what staff predict customers say', quote: null, detail: `95%: ${f.percentRange(predicted.ci95)} · n = ${f.count(predicted.n)}`, hidden: null }
            : { value: null, label: 'is what staff predict customers say', quote: null, detail: null, hidden: 'Staff predictions are hidden here by the anonymity rules' }),
        }]
      : []),
    { side: 'customer', ...shareWay(h.customer, 'of customers say', h.customerText, hiddenText('customer')) },
  ]
  const gap = h.gap
  return {
    item: f.itemLabel(h.key),
    ways,
    gap: gap
      ? {
          points: f.points(gap.points),
          verdict: gapVerdict(gap),
          chance: f.chance(gap.qValue),
          title: `95% interval ${f.pointsRange(gap.ci95)} pts, ${exact('q', gap.qValue)} (${exact('p', gap.pValue)})`,
          classification: { key: h.classification, label: f.classification(h.classification) },
        }
      : null,
    noGap: gap ? null : 'No gap can be given: one side is hidden here.',
    /** How far staff's prediction is from customers, when the wave asks for predictions. */
    prediction: prediction ? headlineSentence(prediction.headline) : null,
  }
}

/** The headline gap's change since the previous wave, or why there is none (the summary and the digest both read it here). */
export function headlineChange(report: Pick<SummaryReport, 'trend' | 'headline'>):
  | { found: true; since: string; now: number; change: GapChange }
  | { found: false; why: 'no_trend' | 'first_wave' | 'hidden'; since: string | null } {
  const trend = report.trend
  if (!trend) return { found: false, why: 'no_trend', since: null }
  if (trend.change === null) return { found: false, why: 'first_wave', since: null }
  const since = trend.change.since.name
  const change = trend.change.items.find((item) => item.key === trend.headline)?.change ?? null
  const now = report.headline.gap?.points ?? null
  if (!change || now === null) return { found: false, why: 'hidden', since }
  return { found: true, since, now, change }
}

function changePart(report: SummaryReport) {
  if (report.trend === undefined) return null
  const found = headlineChange(report)
  if (found.found) return { fact: changeFact(found.now, found.change, found.since), note: null }
  if (found.why === 'no_trend') return { fact: null, note: 'No comparison with earlier waves for this view.' }
  if (found.why === 'first_wave') return { fact: null, note: 'First wave of this survey: nothing to compare with yet.' }
  return { fact: null, note: `No change since ${found.since} can be given: a side is hidden in one of the two waves.` }
}

/** Why fix first is missing, in one short sentence (the analytics block below gives the whole reason). */
function fixFirstMissing(unavailable: Analytics['unavailable']): string {
  const cause = unavailable.drivers?.code ?? unavailable.fixFirst?.code
  if (cause === 'not_enough_answers') return 'Too few customers here to weigh the items against their verdict.'
  if (cause === 'suppressed') return 'The anonymity rules hide some customer answers here, so the items cannot be weighed.'
  const message = unavailable.fixFirst?.message ?? 'Not available for this report.'
  return message.length > 140 ? `${message.slice(0, 137).trimEnd()}…` : message
}

function fixFirstPart(report: SummaryReport, context: SummaryContext) {
  const fix = report.fixFirst
  if (!fix) return { items: [], note: fixFirstMissing(report.unavailable), empty: null }
  return {
    items: fix.top.map((item) => ({
      label: f.itemLabel(item.key),
      planHref: context.newPlan?.(item.key) ?? null,
      gap: item.gapPoints === null ? 'gap hidden' : `gap ${f.points(item.gapPoints)}`,
      weight: `weight ${f.percent(item.weight)}`,
      title: `Gap 95% interval ${item.gapCi95 ? `${f.pointsRange(item.gapCi95)} pts` : '—'}; weight in customers' verdict 95% interval ${f.percentRange(item.weightCi95)}`,
    })),
    /** Said when the weights come from the whole wave although the page is filtered to a unit. */
    note: fix.scope.wholeWave ? 'Weights from the whole wave (too few customers here for their own); gaps from this view.' : null,
    empty: fix.top.length === 0 ? 'No item with a positive gap carries weight: nothing stands out to fix.' : null,
  }
}

/** The three widest significant unit gaps with staff above customers, widest first (the summary's and the digest's "where"). */
export function widestUnits(units: readonly UnitRow[]) {
  return units
    .filter((unit): unit is UnitRow & { gap: Gap } => unit.gap !== null && unit.gap.significant && unit.gap.points > 0)
    .sort((a, b) => b.gap.points - a.gap.points || a.name.localeCompare(b.name))
    .slice(0, 3)
}

/** The unit whose gap narrowed most by more than chance since the previous wave, if any. */
export function mostImproved(units: readonly UnitRow[]) {
  return units
    .filter((unit): unit is UnitRow & { gap: Gap; change: NonNullable<UnitRow['change']> } => unit.gap !== null && unit.change !== null && unit.change.significant && isNarrowing(unit.gap.points, unit.change))
    .map((unit) => ({ unit, by: Math.abs(unit.gap.points - unit.change.points) - Math.abs(unit.gap.points) }))
    .sort((a, b) => b.by - a.by || a.unit.name.localeCompare(b.unit.name))[0]
}

function whereUnits(report: SummaryReport, context: SummaryContext, units: readonly UnitRow[]) {
  const href = (unit: UnitRow) => {
    const query = new URLSearchParams({ unit: unit.name })
    for (const side of ['staff', 'customer'] as const) for (const [name, value] of Object.entries(report.filters[side])) query.set(`${side}.${name}`, value)
    return `${context.waveUrl}?${query.toString()}`
  }
  const gapFact = (gap: Gap) => ({ points: f.points(gap.points), title: `95% interval ${f.pointsRange(gap.ci95)} pts, ${exact('q', gap.qValue)}` })
  const widest = widestUnits(units)
  const improved = mostImproved(units)
  const anyChange = units.some((unit) => unit.change !== null)
  return {
    widest: widest.map((unit) => ({ name: unit.name, href: href(unit), ...gapFact(unit.gap) })),
    widestNote: widest.length > 0 ? null : 'No unit has a gap (staff above customers) that is unlikely to be chance.',
    improved: improved
      ? { name: improved.unit.name, href: href(improved.unit), ...changeFact(improved.unit.gap.points, improved.unit.change, improved.unit.change.since.name) }
      : null,
    improvedNote: improved ? null : anyChange ? 'No unit\'s gap narrowed by more than chance since the previous wave.' : 'No unit can be compared with a previous wave.',
  }
}

/** Under a unit filter: where that unit stands among the units compared (same attribute filters). */
function wherePlace(report: SummaryReport, units: readonly UnitRow[], unit: { id: string; name: string }) {
  const ranked = units.filter((row): row is UnitRow & { gap: Gap } => row.gap !== null).sort((a, b) => b.gap.points - a.gap.points || a.name.localeCompare(b.name))
  const at = ranked.findIndex((row) => row.id === unit.id)
  const row = units.find((candidate) => candidate.id === unit.id)
  if (at < 0 || !row) return { text: `${unit.name} cannot be placed among the units: a side of its gap is hidden.`, change: null }
  const of = ranked.length
  const text = of === 1
    ? `${unit.name} is the only unit with a gap to compare.`
    : at === 0 ? `${unit.name} has the widest gap of the ${f.count(of)} units compared.`
      : at === of - 1 ? `${unit.name} has the narrowest gap of the ${f.count(of)} units compared.`
        : `${unit.name} has the ${ordinal(at + 1)} widest gap of the ${f.count(of)} units compared.`
  return { text, change: row.change ? changeFact(row.gap!.points, row.change, row.change.since.name) : null }
}

const ordinal = (n: number) => {
  const tens = n % 100
  const suffix = tens >= 11 && tens <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th'
  return `${n}${suffix}`
}

function wherePart(report: SummaryReport, context: SummaryContext) {
  const units = report.units
  if (units === undefined) return null
  const whose = context.whole ? 'all units' : 'your units'
  const attributes = Object.keys(report.filters.staff).length + Object.keys(report.filters.customer).length > 0
  const same = attributes ? ', under the same attribute filters' : ''
  const unit = report.filters.unit
  if (unit) {
    return { kind: 'place' as const, scope: `Compares ${unit.name} with ${whose}${same}.`, place: wherePlace(report, units ?? [], unit), units: null, empty: null }
  }
  if (!units || units.length === 0) return { kind: 'units' as const, scope: null, place: null, units: null, empty: 'No units to compare.' }
  return { kind: 'units' as const, scope: `Among ${whose}${same}.`, place: null, units: whereUnits(report, context, units), empty: null }
}

export function presentSummary(report: SummaryReport, context: SummaryContext) {
  return {
    release: report.release.at ? `Staff figures as of ${f.date(new Date(report.release.at))}` : 'Staff figures not released yet',
    headline: headlinePart(report, context),
    change: changePart(report),
    fixFirst: fixFirstPart(report, context),
    where: wherePart(report, context),
  }
}

export type SummaryView = ReturnType<typeof presentSummary>
