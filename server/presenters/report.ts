// Turns a wave's dashboard into exactly what views/partials/report.eta prints: every number formatted
// (through server/format.ts), every label chosen, and the charts' data as the JSON text that the
// template puts, escaped, into a data-chart attribute for public/dashboard.js. The template only prints.
import { SIDES, type Side } from '../domain/types.js'
import { isSuppressed, type Gap, type Share } from '../domain/report.js'
import type { Classification } from '../domain/statistics.js'
import * as f from '../format.js'
import type { ShownCount, WaveDashboard } from '../services/dashboard.js'
import { presentAnalytics } from './analytics.js'
import { answersFilter, answersOther } from './block-scope.js'
import { presentHeatmap, type HeatmapSort } from './heatmap.js'
import { planCell, presentPlansBlock } from './plans.js'
import { presentSummary } from './summary.js'
import { presentAlerts } from './alerts.js'
import { changeCells, presentTrend } from './trend.js'
import { DEFAULT_ITEM_ORDER, orderItems, type ItemOrder } from './items.js'
import { agreeRule, presentSpread } from './spread.js'
import { DIMENSION_SCALE } from '../domain/scale.js'


/** One side's share as public/dashboard.js draws it: [share, low, high] of the 95% interval, or null when hidden. */
type ChartPoint = [number, number, number] | null

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

/** How the page asked to see the report: the order of the item table, the heat map's order, the item the trend follows. */
export interface DashboardView {
  order?: ItemOrder; sort?: HeatmapSort; trend?: string | null
  /** Whether the reader may make action plans (the heat map's and fix first's "Plan" links). */
  canPlan?: boolean
}

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
  const attributesApply = SIDES.some((side) => Object.keys(filters[side]).length > 0)
  const chosen = (side: Side, name: string) => (Object.hasOwn(filters[side], name) ? filters[side][name] : undefined)
  const active = [
    ...(filters.unit ? [`unit ${filters.unit.name}`] : []),
    ...SIDES.flatMap((side) => Object.entries(filters[side]).map(([name, value]) => `${f.side(side).toLowerCase()} with ${name} ${value}`)),
  ]
  const headline = report.headline
  const since = changeCells(report.trend)
  const canPlan = view.canPlan ?? false
  const newPlan = (query: Record<string, string>) => `${waveUrl}/plans/new?${new URLSearchParams(query).toString()}`
  const planned = new Map(dashboard.plans.plans.map((plan) => [planCell(plan.unitId, plan), `${waveUrl}/plans#plan-${plan.id}`]))
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

    /** The first screen: the headline three or two ways, the change since the previous wave, fix first, where, the release date. */
    summary: presentSummary(report, {
      waveUrl: `/waves/${waveId}`,
      whole: dashboard.whole,
      hidden: Object.fromEntries(SIDES.map((side) => [side, isSuppressed(headline[side]) ? headlineHidden(side) : null])),
      newPlan: canPlan ? (itemKey) => newPlan({ ...(filters.unit ? { unit: filters.unit.id } : {}), item: itemKey }) : null,
    }),

    /** The wave's alerts the reader may see: the unit's under a unit filter (presenters/alerts.ts). */
    alerts: presentAlerts(dashboard.alerts, { wave: report.wave.name, unit: filters.unit?.name ?? null, attributesApply }),

    items: {
      // The chart follows the table's order.
      chart: pairs(ordered.items.map((i) => ({ ...i, label: f.itemLabel(i.key) }))),
      order: ordered.order,
      /** What agreeing means on the instrument's scales ("4 or 5 of 5; 9 or 10 of 0–10"), and how many items the correction covers. */
      agreeRule: agreeRule(report.items),
      itemCount: f.count(report.items.length),
      caption: `Agreement per item, staff and customers${since.since !== null ? `, with the gap's change since ${since.since}` : ''}, ${ordered.order.caption}`,
      previousName: since.since,
      rows: ordered.items.map((item) => {
        return {
          label: f.itemLabel(item.key),
          staffText: item.staffText,
          customerText: item.customerText,
          staff: shareCell(item.staff),
          customer: shareCell(item.customer),
          gap: gapCell(item.gap),
          q: item.gap ? f.pValue(item.gap.qValue) : '—',
          classification: badge(item.classification),
          /** The gap's change since the previous wave (null: a side hidden in either wave), or undefined without one. */
          since: since.since === null ? undefined : since.byItem.get(item.key) ?? null,
        }
      }),
    },

    /** Each item's answers per point of its scale, both sides, in the instrument's order. */
    spread: presentSpread(report.items, hiddenBecause(min)),

    dimensions: {
      note: `A respondent agrees on a dimension when the average of their answers to its ${report.items.some((item) => item.scale !== DIMENSION_SCALE) ? '1–5 items is 4 or more; 0–10 items are not averaged into a dimension' : 'items is 4 or more'}.`,
      chart: pairs(report.dimensions.map((x) => ({ ...x, label: f.dimension(x.key) }))),
      rows: report.dimensions.map((dimension) => ({
        label: f.dimension(dimension.key),
        staff: shareCell(dimension.staff),
        customer: shareCell(dimension.customer),
        gap: gapCell(dimension.gap),
        classification: badge(dimension.classification),
      })),
    },

    heatmap: presentHeatmap(report.units, { filters, itemKeys: report.items.map((item) => item.key), whole: dashboard.whole, sort: view.sort ?? 'gap', hidden: hiddenBecause(min),
      plans: {
        has: (unitId, itemKey) => planned.get(planCell(unitId, { itemKey, dimension: null })) ?? null,
        newHref: canPlan ? (unitId, itemKey) => (dashboard.plans.plannable.has(unitId) ? newPlan({ unit: unitId, item: itemKey }) : null) : null,
      },
    }),

    plans: presentPlansBlock(dashboard.plans, { filters, whole: dashboard.whole, canPlan, waveUrl }),

    respondents: {
      // Every unit's row under a unit filter (the chosen one highlighted); the planner (its own block) answers the filter.
      scope: filters.unit ? answersOther(`${dashboard.whole ? 'Every unit, with the whole wave\'s total' : 'Each of your units'}${attributesApply ? ', under the same attribute filters' : ''}, for comparison; ${filters.unit.name} is highlighted.`) : answersFilter,
      attributesApply,
      rows: dashboard.respondents.perUnit.map((row) => ({
        unit: row.unit.name,
        chosen: filters.unit?.id === row.unit.id,
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
      // The filtered group's respondents, as the release shows them.
      have: SIDES.map((side) => {
        const count = dashboard.group[side]
        return count.shown ? `${f.count(count.n)} ${side === 'staff' ? 'staff' : 'customers'}` : `${side === 'staff' ? 'staff' : 'customers'}: ${hiddenBecause(min)}`
      }).join(' and '),
      /** The group those counts are of, when the page is filtered. */
      group: active.length > 0 ? ` (${active.join(', ')})` : '',
    },

    trend: presentTrend(report, view.trend ?? null),

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

