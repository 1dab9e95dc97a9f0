// The "Over time" block (views/partials/blocks/trend.eta) and the items table's "Since" column, from
// the report's trend (services/trend.ts): every number formatted through server/format.ts, every word
// chosen here, the chart's data as JSON for public/dashboard.js (kind 'gap').
import type { GapChange, Trend, TrendPoint } from '../domain/report-parts.js'
import type { ReportFilters } from '../domain/report.js'
import { SIDES } from '../domain/types.js'
import * as f from '../format.js'

/** The spec of the gap chart: per wave [points, low, high] of the gap, or null where a side is hidden; the texts as the tables print them. */
export interface GapChartSpec {
  kind: 'gap'
  /** The item the chart follows. */
  item: string
  labels: string[]
  gap: Array<[number, number, number] | null>
  text: Array<string | null>
  range: Array<string | null>
  /** The waves (by index) where the item's scale changed: the line restarts there rather than joining two different measures. */
  breaks: number[]
}

type Filters = { unit: { id: string; name: string } | null; staff: ReportFilters['staff']; customer: ReportFilters['customer'] }

/** The group the figures follow, in words: "all respondents" or "unit North · customers with tier gold". */
export function groupText(filters: Filters): string {
  const parts = [
    ...(filters.unit ? [`unit ${filters.unit.name}`] : []),
    ...SIDES.flatMap((side) => Object.entries(filters[side]).map(([name, value]) => `${f.side(side).toLowerCase()} with ${name} ${value}`)),
  ]
  return parts.length > 0 ? parts.join(' · ') : 'all respondents of each wave'
}

/** The page's address with the same filters and another item for the chart. */
export function trendHref(filters: Filters, key: string): string {
  const pairs: Array<[string, string]> = [
    ...(filters.unit ? [['unit', filters.unit.name] as [string, string]] : []),
    ...SIDES.flatMap((side) => Object.entries(filters[side]).map(([name, value]) => [`${side}.${name}`, value] as [string, string])),
    ['trend', key],
  ]
  return `?${pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&')}#trend-title`
}

/** How likely chance is, in plain words, for a q-value. */
export function chanceWords(q: number): string {
  if (q < 0.001) return 'very unlikely to be chance'
  if (q < 0.05) return 'unlikely to be chance'
  return 'could be chance'
}

/** Which way the gap moved between two waves: by its size, or "reversed" when it changed sides. */
export function direction(before: number, now: number): 'narrowed' | 'widened' | 'reversed' | 'no change' {
  if (Math.round(now) === Math.round(before)) return 'no change'
  if (Math.round(before) !== 0 && Math.round(now) !== 0 && Math.sign(before) !== Math.sign(now)) return 'reversed'
  return Math.abs(now) < Math.abs(before) ? 'narrowed' : 'widened'
}

export interface ChangeCell {
  text: string
  range: string
  q: string
  significant: boolean
  /** "narrowed, unlikely to be chance", "widened, could be chance", … */
  verdict: string
  /** The exact q, for a title attribute. */
  title: string
  /** ▼ (the gap, staff − customers, fell) or ▲ (it rose). */
  arrow: string
}

export function changeCell(change: GapChange, before: TrendPoint | undefined, now: TrendPoint | undefined): ChangeCell {
  const moved = before?.gap && now?.gap ? direction(before.gap.points, now.gap.points) : (change.points < 0 ? 'narrowed' : 'widened')
  return {
    text: f.points(change.points),
    range: f.pointsRange(change.ci95),
    q: f.pValue(change.qValue),
    significant: change.significant,
    verdict: moved === 'no change' && !change.significant ? 'no change' : `${moved}, ${chanceWords(change.qValue)}`,
    title: `q = ${change.qValue < 0.001 ? change.qValue.toExponential(2) : change.qValue.toFixed(3)} (Benjamini–Hochberg over the items compared)`,
    arrow: change.points < 0 ? '▼' : '▲',
  }
}

/** Each item's change cell since the previous wave, by item key; empty without a previous wave. */
export function changeCells(trend: Trend): { since: string | null; byItem: Map<string, ChangeCell | null> } {
  if (!trend.change) return { since: null, byItem: new Map() }
  const points = new Map(trend.items.map((item) => [item.key, item.points]))
  return {
    since: trend.change.since.name,
    byItem: new Map(trend.change.items.map(({ key, change }) => {
      const series = points.get(key) ?? []
      return [key, change ? changeCell(change, series.at(-2), series.at(-1)) : null]
    })),
  }
}

/** The short mark in a wave's cell where the item changed: a new scale weighs more than new words. */
export function revisionMark(point: Pick<TrendPoint, 'wordingChanged' | 'scaleChanged'>): string | null {
  if (point.scaleChanged) return point.wordingChanged ? 'new scale and wording' : 'new scale'
  return point.wordingChanged ? 'wording changed' : null
}

/** The sentences under the chart for the item it follows: in which waves its wording or its scale changed. */
export function revisionNotes(points: readonly TrendPoint[]): string[] {
  const where = (flag: 'wordingChanged' | 'scaleChanged') => points.filter((p) => p[flag]).map((p) => p.wave.name)
  const list = (names: string[]) => (names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`)
  const [wording, scale] = [where('wordingChanged'), where('scaleChanged')]
  return [
    ...(wording.length ? [`Wording changed in ${list(wording)}: a move there may come from the new words rather than from the service.`] : []),
    ...(scale.length ? [`Scale changed in ${list(scale)}: its shares count other answers as agreeing, so the line starts again there and no change is measured across it.`] : []),
  ]
}

const hiddenText = (min: string) => `hidden in this wave for this group: fewer than ${min} answers, or kept back so that a smaller group cannot be worked out`

/**
 * The "Over time" block, or null with fewer than two waves. `chosen` is the item the reader picked
 * (?trend=<key>); anything else falls back to the headline.
 */
export function presentTrend(report: { trend: Trend; filters: Filters; minGroupSize: number }, chosen: string | null) {
  const { trend, filters } = report
  if (trend.waves.length < 2) return null
  const min = f.count(report.minGroupSize)
  const follows = trend.items.find((item) => item.key === chosen) ?? trend.items.find((item) => item.key === trend.headline) ?? trend.items[0]
  if (!follows) return null
  const spec: GapChartSpec = {
    kind: 'gap',
    item: f.itemLabel(follows.key),
    labels: trend.waves.map((w) => w.name),
    gap: follows.points.map((p) => (p.gap ? [p.gap.points, p.gap.ci95[0], p.gap.ci95[1]] : null)),
    text: follows.points.map((p) => (p.gap ? f.points(p.gap.points) : null)),
    range: follows.points.map((p) => (p.gap ? f.pointsRange(p.gap.ci95) : null)),
    breaks: follows.points.flatMap((p, i) => (p.scaleChanged ? [i] : [])),
  }
  const shares = (p: TrendPoint) => `staff ${p.staff ? f.percent(p.staff.share) : '—'} · customers ${p.customer ? f.percent(p.customer.share) : '—'}`
  const { since, byItem } = changeCells(trend)
  return {
    item: f.itemLabel(follows.key),
    isHeadline: follows.key === trend.headline,
    group: groupText(filters),
    chart: JSON.stringify(spec),
    notes: revisionNotes(follows.points),
    picker: trend.items.map((item) => ({ label: f.itemLabel(item.key), href: trendHref(filters, item.key), current: item.key === follows.key })),
    waves: trend.waves.map((w) => w.name),
    hidden: hiddenText(min),
    rows: trend.items.map((item) => ({
      label: f.itemLabel(item.key),
      current: item.key === follows.key,
      cells: item.points.map((p) => ({
        ...(p.gap
          ? { gap: f.points(p.gap.points), range: f.pointsRange(p.gap.ci95), shares: shares(p), title: null }
          : { gap: '—', range: null, shares: p.staff || p.customer ? shares(p) : null, title: hiddenText(min) }),
        revision: revisionMark(p),
      })),
    })),
    change: since === null ? null : {
      since,
      now: trend.waves.at(-1)!.name,
      rows: trend.items.map((item) => {
        const [before, now] = [item.points.at(-2), item.points.at(-1)]
        const cell = byItem.get(item.key) ?? null
        return {
          label: f.itemLabel(item.key),
          before: before?.gap ? f.points(before.gap.points) : '—',
          now: now?.gap ? f.points(now.gap.points) : '—',
          change: cell,
          // Why there is no change (a new scale is not compared), or what to keep in mind reading it.
          missing: now?.scaleChanged ? 'new scale: not compared' : 'hidden in one of the two waves',
          revision: now && !now.scaleChanged && now.wordingChanged ? 'wording changed' : null,
        }
      }),
    },
  }
}

export type TrendView = NonNullable<ReturnType<typeof presentTrend>>
