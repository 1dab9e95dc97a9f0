// Action plans as views/partials/plan-list.eta prints them: the unit, the item (with its customer
// wording) or dimension, owner, what will change, due date, status, and the effect after later waves
// (services/plan-effect.ts) in plain words. Every number is formatted here; the template only prints.
import type { PlanEffect } from '../domain/action-effect.js'
import { PLAN_STATUS_NAMES } from '../domain/action-plans.js'
import type { PlanVerdict } from '../domain/types.js'
import * as f from '../format.js'
import type { ActionPlan } from '../repositories/action-plans.js'
import type { PlanNames, PlansToShow } from '../services/action-plans.js'
import { answersFilter, answersOther } from './block-scope.js'

export const VERDICT_WORDS: Record<PlanVerdict, string> = {
  worked: 'Worked: more customers agree than before, and the gap narrowed',
  no_effect_yet: 'No effect yet: the change since could be chance',
  worse: 'Worse: fewer customers agree than before',
}

export const NO_LATER_WAVE = 'No later wave yet — the effect shows after the next wave.'


const change = (value: { points: number; ci95: [number, number] } | null) =>
  (value ? `${f.points(value.points)} (95% interval ${f.pointsRange(value.ci95)})` : 'hidden in that wave')

function presentEffect(effect: PlanEffect) {
  // The latest wave that could be judged (as the verdict is), else the latest: a wave just opened does not hide the one before.
  const latest = effect.points.findLast((point) => point.verdict !== null) ?? effect.points.at(-1)
  if (!latest) return { none: NO_LATER_WAVE, wave: null, customer: null, gap: null, versus: null, verdict: null, verdictKey: null }
  const did = latest.differenceInDifferences
  return {
    none: null,
    wave: latest.wave.name,
    customer: change(latest.customerChange),
    gap: change(latest.gapChange),
    versus: did
      ? `${f.points(did.points)} (95% interval ${f.pointsRange(did.ci95)}) against ${f.count(did.controls)} ${did.controls === 1 ? 'unit' : 'units'} without a plan on it`
      : 'not available: no unit without a plan on it shows both waves',
    verdict: latest.verdict ? VERDICT_WORDS[latest.verdict] : 'Cannot be judged yet: the customers\' figures are hidden in that wave',
    verdictKey: latest.verdict,
  }
}

export function presentPlan(plan: ActionPlan & { effect: PlanEffect }, names: PlanNames, can: { change: boolean }) {
  const base = `/waves/${plan.waveId}/plans/${plan.id}`
  return {
    id: plan.id,
    unit: names.units.get(plan.unitId) ?? 'A deleted unit',
    unitHref: `/units/${plan.unitId}/plans`,
    wave: names.waves.get(plan.waveId) ?? '',
    waveHref: `/waves/${plan.waveId}/plans`,
    about: plan.itemKey ? f.itemLabel(plan.itemKey) : `${f.dimension(plan.dimension ?? '')} (dimension)`,
    wording: plan.itemKey ? names.wordings.get(plan.itemKey) ?? null : null,
    owner: plan.owner,
    change: plan.change,
    dueOn: plan.dueOn ?? '—',
    status: PLAN_STATUS_NAMES[plan.status],
    effect: presentEffect(plan.effect),
    editHref: can.change ? `${base}/edit` : null,
    deleteHref: can.change ? `${base}/delete` : null,
  }
}

export type PlanRow = ReturnType<typeof presentPlan>

export const presentPlans = (shown: PlansToShow, can: { change: boolean }) => shown.plans.map((plan) => presentPlan(plan, shown.names, can))

/** Which cells (unit × item or dimension) have a plan, as `unitId item:key` or `unitId dimension:key`. */
export const planCell = (unitId: string, target: { itemKey: string | null; dimension: string | null }) =>
  `${unitId} ${target.itemKey !== null ? `item:${target.itemKey}` : `dimension:${target.dimension}`}`

export interface PlansBlockOptions {
  filters: { unit: { id: string; name: string } | null; staff: Record<string, string>; customer: Record<string, string> }
  whole: boolean
  canPlan: boolean
  waveUrl: string
}

/**
 * The report's plans block: the filtered unit's plans, or every plan the reader may see. A plan is
 * made for a unit, never for a group of respondents, so under attribute filters it says so.
 */
export function presentPlansBlock(shown: PlansToShow, options: PlansBlockOptions) {
  const unit = options.filters.unit
  const attributes = Object.keys(options.filters.staff).length + Object.keys(options.filters.customer).length > 0
  const whose = unit ? `${unit.name}'s plans` : options.whole ? 'the plans of every unit' : 'the plans of your units'
  const plans = unit ? shown.plans.filter((plan) => plan.unitId === unit.id) : shown.plans
  return {
    scope: attributes
      ? answersOther(`Plans are made for a unit, not for a group of respondents: these are ${whose}, each with its effect on the whole unit, whatever the attribute filters.`)
      : answersFilter,
    heading: unit ? `Action plans of ${unit.name}` : 'Action plans',
    empty: `No plans from this wave${unit ? ` for ${unit.name}` : options.whole ? '' : ' for your units'} yet.`,
    rows: plans.map((plan) => presentPlan(plan, shown.names, { change: options.canPlan })),
    showUnit: unit === null,
    newHref: options.canPlan ? `${options.waveUrl}/plans/new${unit ? `?unit=${encodeURIComponent(unit.id)}` : ''}` : null,
    listHref: `${options.waveUrl}/plans`,
  }
}
