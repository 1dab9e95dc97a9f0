// Action plans for the pages and the API alike: who may read and change which plans, the checks of a
// new plan against its wave and unit, and every change landing with its audit entry and its
// `plan_changed` webhook event in one transaction (the event is queued exactly when the change commits).
// Owners and admins plan for any unit; a unit manager for their own units only, and sees only those
// units' plans (another unit's plan is "not found" to them, as its report would be). Analysts and
// viewers read (the routes' `plans` permission keeps them from writing).
import type { Db } from '../../db/connect.js'
import { checkNewPlan, checkPlanChanges, type PlanTargets } from '../domain/action-plans.js'
import type { PlanEffect } from '../domain/action-effect.js'
import { isUuid } from '../domain/formats.js'
import type { Checked, FieldErrors } from '../domain/inputs.js'
import { ORG_PLACEHOLDER } from '../domain/instrument.js'
import { notFound } from '../http-error.js'
import {
  deleteActionPlan, findActionPlan, insertActionPlan, listActionPlanPage, listActionPlans, updateActionPlan, type ActionPlan, type PlanFilter,
} from '../repositories/action-plans.js'
import type { Page, PageRequest } from '../repositories/keyset.js'
import { atomically } from '../repositories/atomically.js'
import type { Principal } from '../repositories/credentials.js'
import { waveItems } from '../repositories/instruments.js'
import { findUnit, listUnits } from '../repositories/units.js'
import { queueWebhookEvent } from '../repositories/webhook-events.js'
import { findWave, listWaves, type Wave } from '../repositories/waves.js'
import { audit, type Caller } from './audit.js'
import { planEffects } from './plan-effect.js'
import { reportScope, type Reader, type ReportScope } from './report-scope.js'

/** Whoever changes a plan: a signed-in request. */
export type PlanCaller = Caller

function principalOf(caller: Caller): Principal {
  if (!caller.principal) throw new Error('changing a plan needs a signed-in person')
  return caller.principal
}

type Organization = { id: string; name: string; minGroupSize: number }

/** What a plan of this wave may be about: its instrument's items (with their customer wording, the organization's name in it) and dimensions. */
export async function planTargets(db: Db, waveId: string, organizationName: string) {
  const items = await waveItems(db, waveId)
  const wording = (text: Record<string, string>) => (text.en ?? Object.values(text)[0] ?? '').replaceAll(ORG_PLACEHOLDER, organizationName)
  const dimensions = [...new Set(items.map((item) => item.dimension))]
  return {
    items: items.map((item) => ({ key: item.key, wording: wording(item.customerText) || item.key })),
    dimensions,
    keys: { itemKeys: items.map((item) => item.key), dimensions } satisfies PlanTargets,
  }
}

const inScope = (scope: ReportScope, unitId: string) => scope.whole || scope.units.some((unit) => unit.id === unitId)

/** The plan when the reader may see it: the organization's, and of one of a unit manager's units. 404 otherwise, also for an id that is no UUID. */
export async function readablePlan(db: Db, reader: Reader, id: string): Promise<ActionPlan> {
  const plan = isUuid(id) ? await findActionPlan(db, reader.organizationId, id) : undefined
  if (!plan || !inScope(await reportScope(db, reader), plan.unitId)) throw notFound('This plan')
  return plan
}

/** Which plans a reader may see: of one wave, of one unit, or both; a unit manager's of their units only. */
async function readableFilter(db: Db, reader: Reader, where: { waveId?: string; unitId?: string }): Promise<PlanFilter> {
  const scope = await reportScope(db, reader)
  const wanted = where.unitId === undefined ? undefined : [where.unitId]
  const unitIds = scope.whole ? wanted : scope.units.map((unit) => unit.id).filter((id) => !wanted || wanted.includes(id))
  return { ...(where.waveId ? { waveId: where.waveId } : {}), ...(unitIds ? { unitIds } : {}) }
}

/** The plans a reader may see, newest first: of one wave, of one unit, or both; a unit manager's of their units only. */
export async function readablePlans(db: Db, reader: Reader, where: { waveId?: string; unitId?: string } = {}): Promise<ActionPlan[]> {
  return listActionPlans(db, reader.organizationId, await readableFilter(db, reader, where))
}

/** One page of the plans a reader may see (as readablePlans). */
export async function readablePlanPage(db: Db, reader: Reader, where: { waveId?: string; unitId?: string }, page: PageRequest): Promise<Page<ActionPlan>> {
  return listActionPlanPage(db, reader.organizationId, await readableFilter(db, reader, where), page)
}

/** Each plan with its effect over the later waves (services/plan-effect.ts), in the same order. */
export async function withEffects<P extends ActionPlan>(db: Db, organization: Organization, plans: readonly P[], reader: Reader): Promise<Array<P & { effect: PlanEffect }>> {
  // In one batch: each wave's figures are read once for every plan that needs them.
  const effects = await planEffects(db, organization, plans, reader)
  return plans.map((plan, i) => ({ ...plan, effect: effects[i]! }))
}

/** The names a list of plans prints: its units', its waves' and its items' customer wording. */
export interface PlanNames {
  units: ReadonlyMap<string, string>
  waves: ReadonlyMap<string, string>
  wordings: ReadonlyMap<string, string>
}

/** The plans a reader may see (as readablePlans), each with its effect, and the names to print them with. */
export async function plansToShow(db: Db, organization: Organization, reader: Reader, where: { waveId?: string; unitId?: string }) {
  const plans = await readablePlans(db, reader, where)
  const [units, waves] = await Promise.all([listUnits(db, reader.organizationId), listWaves(db, reader.organizationId)])
  const wordings = new Map<string, string>()
  for (const waveId of new Set(plans.map((plan) => plan.waveId))) {
    for (const item of (await planTargets(db, waveId, organization.name)).items) wordings.set(item.key, item.wording)
  }
  const names: PlanNames = { units: new Map(units.map((unit) => [unit.id, unit.name])), waves: new Map(waves.map((wave) => [wave.id, wave.name])), wordings }
  // The units a new plan may be made for (within the reader's scope, not archived), for the "Plan" links.
  const scope = await reportScope(db, reader)
  const plannable = new Set(units.filter((unit) => !unit.archived && inScope(scope, unit.id)).map((unit) => unit.id))
  return { plans: await withEffects(db, organization, plans, reader), names, plannable }
}

export type PlansToShow = Awaited<ReturnType<typeof plansToShow>>

/**
 * What a plan_changed event carries: ids, the item or dimension, status and due date. Not the owner
 * nor what will change: those are free text people type (names of staff, remarks about them), and a
 * receiver that needs them reads the plan through the API, under its own token's rights.
 */
function eventOf(plan: ActionPlan, action: 'created' | 'updated' | 'deleted') {
  return { action, plan: { id: plan.id, waveId: plan.waveId, unitId: plan.unitId, itemKey: plan.itemKey, dimension: plan.dimension, status: plan.status, dueOn: plan.dueOn } }
}

const auditFacts = (plan: ActionPlan, changed?: string[]) => ({
  target: `plan ${plan.id}`,
  detail: { wave: plan.waveId, unit: plan.unitId, ...(plan.itemKey ? { item: plan.itemKey } : { dimension: plan.dimension }), status: plan.status, ...(changed ? { changed } : {}) },
})

/** The unit a plan may be made for: the organization's, within the caller's scope, not archived. */
async function unitProblem(db: Db, caller: PlanCaller, unitId: unknown): Promise<string | null> {
  const unit = typeof unitId === 'string' ? await findUnit(db, principalOf(caller).organizationId, unitId) : undefined
  if (!unit) return typeof unitId === 'string' && unitId.trim() !== '' ? 'Choose a unit of your organization.' : 'Choose the unit this plan is for.'
  if (!inScope(await reportScope(db, principalOf(caller)), unit.id)) return 'You can make plans for your own units only.'
  if (unit.archived) return `${unit.name} is archived: restore it before planning for it.`
  return null
}

/**
 * Makes a plan from a wave: `input` holds unitId, itemKey or dimension, owner, change, dueOn, status
 * as typed or sent. 404 for a wave that is not the organization's; field errors otherwise.
 */
export async function createPlan(db: Db, caller: PlanCaller, waveId: string, input: Record<string, unknown>): Promise<Checked<ActionPlan> & { wave?: Wave }> {
  const organizationId = principalOf(caller).organizationId
  const wave = await findWave(db, organizationId, waveId)
  if (!wave) throw notFound('This wave')
  const errors: FieldErrors = {}
  const unitError = await unitProblem(db, caller, input.unitId)
  if (unitError) errors.unitId = unitError
  // Only the keys are checked against: the wording is not needed.
  const checked = checkNewPlan(input, (await planTargets(db, wave.id, '')).keys, errors)
  if (!checked.ok) return checked
  const plan = await atomically(db, async (trx) => {
    const made = await insertActionPlan(trx, organizationId, { waveId: wave.id, unitId: input.unitId as string, createdBy: principalOf(caller).userId, ...checked.value })
    await queueWebhookEvent(trx, organizationId, 'plan_changed', eventOf(made, 'created'))
    await audit(trx, caller, 'plan_created', auditFacts(made))
    return made
  })
  return { ok: true, value: plan, wave }
}

/** Changes a plan's owner, what will change, due date or status. 404 for a plan the caller may not see. */
export async function changePlan(db: Db, caller: PlanCaller, id: string, input: Record<string, unknown>): Promise<Checked<ActionPlan>> {
  const before = await readablePlan(db, principalOf(caller), id)
  const checked = checkPlanChanges(input)
  if (!checked.ok) return checked
  const changes = checked.value
  const changed = (Object.keys(changes) as Array<keyof typeof changes>).filter((key) => changes[key] !== before[key])
  if (changed.length === 0) return { ok: true, value: before }
  const plan = await atomically(db, async (trx) => {
    const after = await updateActionPlan(trx, principalOf(caller).organizationId, before.id, changes)
    if (!after) throw notFound('This plan')
    await queueWebhookEvent(trx, principalOf(caller).organizationId, 'plan_changed', eventOf(after, 'updated'))
    await audit(trx, caller, 'plan_updated', auditFacts(after, changed))
    return after
  })
  return { ok: true, value: plan }
}

/** Deletes a plan. 404 for a plan the caller may not see. */
export async function removePlan(db: Db, caller: PlanCaller, id: string): Promise<ActionPlan> {
  const plan = await readablePlan(db, principalOf(caller), id)
  await atomically(db, async (trx) => {
    if (!(await deleteActionPlan(trx, principalOf(caller).organizationId, plan.id))) throw notFound('This plan')
    await queueWebhookEvent(trx, principalOf(caller).organizationId, 'plan_changed', eventOf(plan, 'deleted'))
    await audit(trx, caller, 'plan_deleted', auditFacts(plan))
  })
  return plan
}
