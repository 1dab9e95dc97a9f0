// Turns a wave's dashboard into exactly what views/partials/report.eta prints: every number formatted
// (through server/format.ts), every label chosen, and the charts' data as the JSON text that the
// template puts, escaped, into a data-chart attribute for public/dashboard.js. The template only prints.
import { SIDES, type Side } from '../domain/types.js'
import { isSuppressed, type Gap, type Share } from '../domain/report.js'
import type { Classification } from '../domain/statistics.js'
import * as f from '../format.js'
import type { ShownCount, TrendShare, WaveDashboard } from '../services/dashboard.js'
import { presentAnalytics } from './analytics.js'
import { DEFAULT_ITEM_ORDER, orderItems, type ItemOrder } from './items.js'


/** One side's share as public/dashboard.js draws it: [share, low, high] of the 95% interval, or null when hidden. */
type ChartPoint = [number, number, number] | null

/** The spec a canvas's data-chart attribute holds; public/dashboard.js reads this shape. */
export interface ChartSpec {
  kind: 'pairs' | 'trend'
  labels: string[]
  staff: ChartPoint[]
  customer: ChartPoint[]
}

/**
 * A 'pairs' chart (staff and customer bars per row): besides the numbers it draws, the texts it
 * prints, formatted here as the tables print them: each pair's gap at its end, each bar's tooltip.
 */
export interface PairsSpec {
  kind: 'pairs'
  labels: string[]
  staff: ChartPoint[]
  customer: ChartPoint[]
  /** Each pair's gap ("+72 pts", "−5 pts"), null where a side is hidden. */
  gaps: Array<string | null>
  /** Each bar's tooltip ("72%, 95% interval 64–79%"), null where the side is hidden. */
  tips: Record<Side, Array<string | null>>
}

const point = (share: Share): ChartPoint => (isSuppressed(share) ? null : [share.share, share.ci95[0], share.ci95[1]])
const tip = (share: Share) => (isSuppressed(share) ? null : `${f.percent(share.share)}, 95% interval ${f.percentRange(share.ci95)}`)
const pairs = (rows: ReadonlyArray<{ label: string; staff: Share; customer: Share; gap: Gap | null }>) => JSON.stringify({
  kind: 'pairs',
  labels: rows.map((row) => row.label),
  staff: rows.map((row) => point(row.staff)),
  customer: rows.map((row) => point(row.customer)),
  gaps: rows.map((row) => (row.gap ? f.points(row.gap.points) : null)),
  tips: { staff: rows.map((row) => tip(row.staff)), customer: rows.map((row) => tip(row.customer)) },
} satisfies PairsSpec)
const trendPoint = (share: TrendShare | null | undefined): ChartPoint => (share ? [share.share, share.ci95[0], share.ci95[1]] : null)
const chart = (spec: ChartSpec) => JSON.stringify(spec)

const badge = (value: Classification) => ({ key: value, label: f.classification(value) })
const gapCell = (gap: Gap | null) => (gap ? { points: f.points(gap.points), range: f.pointsRange(gap.ci95) } : null)

/** Why a group's figures are not shown, in the words a reader sees next to them (one for every reason). */
export function hiddenBecause(min: number): string {
  // One wording for both reasons: telling "fewer than k" from "hidden to protect others" would say,
  // next to the shown total, how many sit in each hidden group.
  return `hidden: ${whyHidden(min)}`
}

const whyHidden = (min: number) => `fewer than ${f.count(min)} answers here, or kept back so that a smaller group cannot be worked out`

const countText = (count: ShownCount) => (count.shown ? f.count(count.n) : 'hidden')

/** How the page asked to see the report: the order of the item table (?order=…). */
export interface DashboardView { order?: ItemOrder }

export function presentDashboard(dashboard: WaveDashboard, waveId: string, view: DashboardView = {}) {
  const { report } = dashboard
  const waveUrl = `/waves/${waveId}`
  const ordered = orderItems(report, view.order ?? DEFAULT_ITEM_ORDER, waveUrl)
  const min = report.minGroupSize
  const shareText = (share: Share) => (isSuppressed(share) ? 'hidden' : f.percent(share.share))
  const shareCell = (share: Share) => ({
    text: shareText(share),
    detail: isSuppressed(share) ? null : { range: f.percentRange(share.ci95), n: f.count(share.n), mean: f.mean(share.mean) },
  })
  const filters = report.filters
  const chosen = (side: Side, name: string) => (Object.hasOwn(filters[side], name) ? filters[side][name] : undefined)
  const active = [
    ...(filters.unit ? [`unit ${filters.unit.name}`] : []),
    ...SIDES.flatMap((side) => Object.entries(filters[side]).map(([name, value]) => `${f.side(side).toLowerCase()} with ${name} ${value}`)),
  ]
  const headline = report.headline
  const previous = dashboard.previous
  const headlineHidden = (side: Side) => {
    const group = dashboard.group[side]
    const who = side === 'staff' ? 'staff' : 'customer'
    if (group.needed !== null) return `${f.count(group.needed)} more ${who} ${group.needed === 1 ? 'answer' : 'answers'} before figures appear`
    if (!group.shown) return `Hidden for this filter: ${whyHidden(min)}`
    if (group.n === 0) return `No ${who} answers for this filter yet`
    return `Hidden for this filter: fewer than ${f.count(min)} answered this question`
  }

  return {
    minGroupSize: f.count(min),
    waveUrl,
    /** False for a unit manager: no "All units", no whole-wave totals, trend and heat map of their units. */
    whole: dashboard.whole,
    filterForm: {
      allUnits: dashboard.whole,
      units: dashboard.units.map((unit) => ({ value: unit.name, label: unit.name, selected: filters.unit?.id === unit.id })),
      attributes: SIDES.flatMap((side) => [...dashboard.attributeOptions[side]].map(([name, values]) => ({
        id: `f-${side}-${name}`,
        label: `${f.side(side)}: ${name}`,
        name: `${side}.${name}`,
        options: values.map((value) => ({ value, selected: chosen(side, name) === value })),
      }))),
      clearable: active.length > 0,
    },
    activeFilters: active.length > 0 ? active.join(' · ') : null,

    headline: {
      staff: shareText(headline.staff),
      customer: shareText(headline.customer),
      staffText: headline.staffText,
      customerText: headline.customerText,
      facts: Object.fromEntries(SIDES.map((side) => {
        const share = headline[side]
        return [side, isSuppressed(share) ? headlineHidden(side) : `${f.percentRange(share.ci95)}, n = ${f.count(share.n)}`]
      })) as Record<Side, string>,
      /** Per side: a sentence in place of the share when the side's figures are hidden. */
      hidden: Object.fromEntries(SIDES.map((side) => [side, isSuppressed(headline[side]) ? headlineHidden(side) : null])) as Record<Side, string | null>,
      gap: headline.gap
        ? { ...gapCell(headline.gap)!, verdict: headline.gap.significant ? ', a real difference' : ', could be chance' }
        : null,
      classification: badge(headline.classification),
    },

    items: {
      // The chart follows the table's order.
      chart: pairs(ordered.items.map((i) => ({ ...i, label: f.itemLabel(i.key) }))),
      order: ordered.order,
      caption: `Agreement per item, staff and customers${previous ? `, with the change since ${previous.wave.name}` : ''}, ${ordered.order.caption}`,
      previousName: previous?.wave.name ?? null,
      rows: ordered.items.map((item) => {
        const since = previous?.byItem.get(item.key)
        return {
          label: f.itemLabel(item.key),
          staffText: item.staffText,
          customerText: item.customerText,
          staff: shareCell(item.staff),
          customer: shareCell(item.customer),
          gap: gapCell(item.gap),
          q: item.gap ? f.pValue(item.gap.qValue) : '—',
          classification: badge(item.classification),
          since: previous
            ? SIDES.map((side) => {
              const change = since?.[side] ?? null
              return {
                text: `${f.side(side)}: ${change ? f.points(change.points) : '—'}`,
                flag: change?.significant ? `${change.points > 0 ? '▲' : '▼'} significant` : null,
              }
            })
            : null,
        }
      }),
    },

    dimensions: {
      chart: pairs(report.dimensions.map((x) => ({ ...x, label: f.dimension(x.key) }))),
      rows: report.dimensions.map((dimension) => ({
        label: f.dimension(dimension.key),
        staff: shareCell(dimension.staff),
        customer: shareCell(dimension.customer),
        gap: gapCell(dimension.gap),
        classification: badge(dimension.classification),
      })),
    },

    heatmap: dashboard.heatmap.length === 0 ? null : {
      itemLabels: report.items.map((item) => f.itemLabel(item.key)),
      rows: dashboard.heatmap.map((row) => ({
        unit: row.unit.name,
        href: `?unit=${encodeURIComponent(row.unit.name)}`,
        cells: row.items.map((cell) => (cell.gap
          ? { shade: f.gapShade(cell.gap.points), title: null, text: String(Math.round(cell.gap.points)), significant: cell.gap.significant }
          : { shade: 'hidden-cell', title: `A side is ${hiddenBecause(min)}`, text: '—', significant: false })),
      })),
    },

    respondents: {
      rows: dashboard.respondents.perUnit.map((row) => ({
        unit: row.unit.name,
        ...Object.fromEntries(SIDES.map((side) => [side, countText(row[side])])) as Record<Side, string>,
      })),
      hiddenNote: whyHidden(min),
      totalLabel: dashboard.whole ? 'All' : null,
      staff: countText(dashboard.respondents.staff),
      customer: countText(dashboard.respondents.customer),
    },
    planner: {
      gapPoints: String(dashboard.planner.gapPoints),
      assumption: `${isSuppressed(headline.customer) ? 'assuming about' : 'when about'} ${f.percent(dashboard.planner.expectedShare)} of customers agree${isSuppressed(headline.customer) ? ' (their share is hidden here)' : ''}`,
      perSide: dashboard.planner.perSide ? f.count(dashboard.planner.perSide) : '—',
      have: SIDES.map((side) => {
        const count = dashboard.respondents[side]
        return count.shown ? `${f.count(count.n)} ${side === 'staff' ? 'staff' : 'customers'}` : `${side === 'staff' ? 'staff' : 'customers'}: ${hiddenBecause(min)}`
      }).join(' and '),
    },

    trend: dashboard.trend.length < 2 ? null : {
      headline: f.itemLabel(headline.key),
      chart: chart({
        kind: 'trend',
        labels: dashboard.trend.map((t) => t.wave.name),
        staff: dashboard.trend.map((t) => trendPoint(t.shares.get(headline.key)?.staff)),
        customer: dashboard.trend.map((t) => trendPoint(t.shares.get(headline.key)?.customer)),
      }),
      waves: dashboard.trend.map((t) => t.wave.name),
      rows: report.items.map((item) => ({
        label: f.itemLabel(item.key),
        cells: dashboard.trend.map((t) => {
          const shares = t.shares.get(item.key)
          const staff = shares?.staff ?? null
          const customer = shares?.customer ?? null
          return {
            shares: `${staff ? f.percent(staff.share) : '—'} / ${customer ? f.percent(customer.share) : '—'}`,
            ranges: staff || customer ? `${staff ? f.percentRange(staff.ci95) : '—'} / ${customer ? f.percentRange(customer.ci95) : '—'}` : null,
          }
        }),
      })),
    },

    /** Drivers, fix first, staff predictions and linkage: after the report's own blocks. */
    analytics: presentAnalytics(report),

    comments: SIDES.map((side) => {
      const list = dashboard.comments[side]
      return {
        heading: f.side(side),
        hidden: list === null,
        list: (list ?? []).map((c) => ({ comment: c.comment, times: c.times > 1 ? f.count(c.times) : null })),
      }
    }),
  }
}

