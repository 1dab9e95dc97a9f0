// A plan's effect over the waves after it started (design §4, "Action effect"), read through each
// wave's own release (design §5): the unit's customer share and gap at t₀ and at each later wave are
// exactly what that wave's single-unit report shows the reader, and the controls' customer shares are
// those the same reader's reports show of the other units. Nothing hidden by a release enters a sum.
import type { Db } from '../../db/connect.js'
import { effectAt, planEffectOf, type Counted, type PlanEffect, type UnitFigures } from '../domain/action-effect.js'
import { buildReport, isSuppressed, type Share } from '../domain/report.js'
import { SIDES, type Scale } from '../domain/types.js'
import type { ActionPlan } from '../repositories/action-plans.js'
import { plannedUnits } from '../repositories/planned-units.js'
import { countsPerUnit } from '../repositories/reports.js'
import { listUnits } from '../repositories/units.js'
import { findWave, laterWaves } from '../repositories/waves.js'
import { reportItems } from './report.js'
import { groupOf, shows, waveRelease } from './release.js'
import { reportScope, type Reader } from './report-scope.js'

/** At most this many later waves per plan. */
export const EFFECT_WAVES = 8

type Organization = { id: string; name: string; minGroupSize: number }
type Plan = Pick<ActionPlan, 'id' | 'waveId' | 'unitId' | 'itemKey' | 'dimension'>
type Measure = { kind: 'item' | 'dimension'; key: string }

const measureOf = (plan: Pick<ActionPlan, 'itemKey' | 'dimension'>): Measure =>
  (plan.itemKey !== null ? { kind: 'item', key: plan.itemKey } : { kind: 'dimension', key: plan.dimension ?? '' })
const measureName = (m: Measure) => `${m.kind}:${m.key}`
const counted = (share: Share): Counted | null => (isSuppressed(share) ? null : { agree: share.agree, n: share.n })
const HIDDEN: UnitFigures = { staff: null, customer: null }

/** One wave's figures of any unit for any item or dimension, as that unit's report of the wave shows them. */
type WaveFigures = (unitId: string, measure: Measure) => UnitFigures

/**
 * Reads a wave once for every plan and unit: its items, its release, and both sides' counts per unit
 * (one query per rollup table, as the heat map does). A unit's figures are its single-unit report
 * (unit filter only, no attribute filters) built from those counts under the release.
 */
async function waveFigures(db: Db, organization: Organization, waveId: string): Promise<WaveFigures> {
  const [items, release] = await Promise.all([reportItems(db, waveId, organization.name), waveRelease(db, organization.id, waveId, organization.minGroupSize)])
  if (items.length === 0) return () => HIDDEN
  const scales = new Map<string, Scale>(items.map((item) => [item.key, item.scale]))
  const [staff, customer] = await Promise.all(SIDES.map((side) => countsPerUnit(db, organization.id, waveId, side, {}, scales)))
  const reports = new Map<string, ReturnType<typeof buildReport>>()
  const reportOf = (unitId: string) => {
    let report = reports.get(unitId)
    if (!report) {
      report = buildReport({
        items,
        sides: {
          staff: { ...staff!(unitId), shown: shows(release, 'staff', groupOf(unitId, {})) },
          customer: { ...customer!(unitId), shown: shows(release, 'customer', groupOf(unitId, {})) },
        },
      })
      reports.set(unitId, report)
    }
    return report
  }
  return (unitId, measure) => {
    const report = reportOf(unitId)
    const result = measure.kind === 'item' ? report.items.find((item) => item.key === measure.key) : report.dimensions.find((d) => d.key === measure.key)
    return result ? { staff: counted(result.staff), customer: counted(result.customer) } : HIDDEN
  }
}

/**
 * The effects of many plans at once, in the order given: each wave is read once, however many plans
 * look at it. Controls for a plan on unit u × item i are the units the reader may read, other than u,
 * with no plan (other than a dropped one) on i in a wave of the same instrument, whose customer
 * figures for i are shown in both t₀ and the later wave. A unit manager's controls are thus their own
 * other units only; a plan on a unit the reader may not read gets no figures at all.
 */
export async function planEffects(db: Db, organization: Organization, plans: readonly Plan[], reader: Reader): Promise<PlanEffect[]> {
  if (plans.length === 0) return []
  const scope = await reportScope(db, reader)
  const readable = scope.whole ? (await listUnits(db, organization.id)).map((unit) => unit.id) : scope.units.map((unit) => unit.id)
  const readableSet = new Set(readable)

  const starts = new Map<string, { id: string; name: string; instrumentKey: string; later: Array<{ id: string; name: string }> } | null>()
  for (const waveId of new Set(plans.map((plan) => plan.waveId))) {
    const wave = await findWave(db, organization.id, waveId)
    starts.set(waveId, wave ? { id: wave.id, name: wave.name, instrumentKey: wave.instrumentKey, later: await laterWaves(db, organization.id, wave, EFFECT_WAVES) } : null)
  }

  const figures = new Map<string, WaveFigures>()
  for (const start of starts.values()) {
    for (const wave of start ? [start, ...start.later] : []) {
      if (!figures.has(wave.id)) figures.set(wave.id, await waveFigures(db, organization, wave.id))
    }
  }

  // Per instrument, the units with a plan on each item or dimension.
  const planned = new Map<string, Map<string, Set<string>>>()
  for (const key of new Set([...starts.values()].flatMap((start) => (start ? [start.instrumentKey] : [])))) {
    const byMeasure = new Map<string, Set<string>>()
    for (const row of await plannedUnits(db, organization.id, key)) {
      const name = measureName(measureOf(row))
      byMeasure.set(name, (byMeasure.get(name) ?? new Set()).add(row.unitId))
    }
    planned.set(key, byMeasure)
  }

  return plans.map((plan) => {
    const start = starts.get(plan.waveId)
    if (!start) return planEffectOf({ id: plan.waveId, name: '' }, [])
    const measure = measureOf(plan)
    const before = figures.get(start.id)!
    const treated = planned.get(start.instrumentKey)?.get(measureName(measure)) ?? new Set<string>()
    const controls = readable.filter((unitId) => unitId !== plan.unitId && !treated.has(unitId))
    const mine = readableSet.has(plan.unitId)
    const points = start.later.map((wave) => {
      const now = figures.get(wave.id)!
      const pairs = controls.flatMap((unitId) => {
        const [then, later] = [before(unitId, measure).customer, now(unitId, measure).customer]
        return then && later ? [{ before: then, now: later }] : []
      })
      const unit = mine ? { before: before(plan.unitId, measure), now: now(plan.unitId, measure) } : { before: HIDDEN, now: HIDDEN }
      return effectAt({ id: wave.id, name: wave.name }, unit, pairs)
    })
    return planEffectOf({ id: start.id, name: start.name }, points)
  })
}

/** The effect of one plan (planEffects for a single plan). */
export async function planEffect(db: Db, organization: Organization, plan: Plan, reader: Reader): Promise<PlanEffect> {
  const [effect] = await planEffects(db, organization, [plan], reader)
  return effect!
}
