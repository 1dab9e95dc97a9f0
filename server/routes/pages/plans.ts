// Action plan pages: a wave's Plans tab, making a plan (prefilled from the report cell it came from),
// changing and deleting one (after a confirmation), and every plan of one unit across waves.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { PLAN_STATUS_NAMES } from '../../domain/action-plans.js'
import type { FieldErrors } from '../../domain/inputs.js'
import { PLAN_STATUSES } from '../../domain/types.js'
import * as f from '../../format.js'
import { notFound } from '../../http-error.js'
import { presentPlan, presentPlans } from '../../presenters/plans.js'
import { getOrganization } from '../../repositories/organizations.js'
import { findUnit, listActiveUnits, listUnits } from '../../repositories/units.js'
import type { Wave } from '../../repositories/waves.js'
import { can } from '../../domain/roles.js'
import { changePlan, createPlan, planTargets, plansToShow, readablePlan, removePlan, withEffects } from '../../services/action-plans.js'
import { reportScope } from '../../services/report-scope.js'
import { loadWave } from '../load-wave.js'

type Params = { id: string }
type PlanParams = { id: string; planId: string }

const typed = (value: unknown) => (typeof value === 'string' ? value : '')
const statusOptions = PLAN_STATUSES.map((status) => ({ value: status, label: PLAN_STATUS_NAMES[status] }))

/** The form's one "About" field is either item:<key> or dimension:<key>; its problems are shown there. */
function target(value: unknown): { itemKey?: string; dimension?: string } {
  const text = typed(value)
  if (text.startsWith('item:')) return { itemKey: text.slice(5) }
  if (text.startsWith('dimension:')) return { dimension: text.slice(10) }
  return text === '' ? {} : { itemKey: text }
}
function formErrors(errors: FieldErrors): FieldErrors {
  const { itemKey, dimension, ...rest } = errors
  const about = itemKey ?? dimension
  return about ? { ...rest, target: about } : rest
}

export default async function planPages(app: FastifyInstance) {
  const orgOf = (request: FastifyRequest) => request.principal!.organizationId

  /** The plans as the list prints them, with their effects and the names of their units, waves and items. */
  async function rows(request: FastifyRequest, where: { waveId?: string; unitId?: string }) {
    const organization = await getOrganization(app.db, orgOf(request))
    return presentPlans(await plansToShow(app.db, organization, request.principal!, where), { change: can(request.principal!.role, 'plans') })
  }

  app.get<{ Params: Params }>('/waves/:id/plans', { config: { access: 'read' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    const scope = await reportScope(app.db, request.principal!)
    return reply.page('wave-plans', { title: `Plans · ${wave.name}`, wave, whole: scope.whole, plans: await rows(request, { waveId: wave.id }), styles: ['/public/report.css'] })
  })

  /** The new-plan form: the units the reader may plan for, the wave's items and dimensions, what was chosen or typed. */
  async function newForm(request: FastifyRequest, wave: Wave, values: Record<string, string>, errors: FieldErrors = {}) {
    const scope = await reportScope(app.db, request.principal!)
    const active = await listActiveUnits(app.db, orgOf(request))
    const units = active.filter((unit) => scope.whole || scope.units.some((mine) => mine.id === unit.id))
    const targets = await planTargets(app.db, wave.id, (await getOrganization(app.db, orgOf(request))).name)
    return {
      title: `New plan · ${wave.name}`, wave, plan: null, units, values, errors, statuses: statusOptions, action: `/waves/${wave.id}/plans`,
      targets: { items: targets.items.map((item) => ({ ...item, label: f.itemLabel(item.key) })), dimensions: targets.dimensions.map((key) => ({ key, label: f.dimension(key) })) },
    }
  }

  app.get<{ Params: Params }>('/waves/:id/plans/new', { config: { access: 'plans' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    const query = request.query as Record<string, unknown>
    // Prefilled from the cell it came from: ?unit=<id>&item=<key> (or &dimension=<key>); anything else is left to choose.
    const unit = typeof query.unit === 'string' ? await findUnit(app.db, orgOf(request), query.unit) : undefined
    const about = typeof query.item === 'string' ? `item:${query.item}` : typeof query.dimension === 'string' ? `dimension:${query.dimension}` : ''
    return reply.page('plan-form', await newForm(request, wave, { unitId: unit?.id ?? '', target: about, owner: '', change: '', dueOn: '', status: 'planned' }))
  })

  app.post<{ Params: Params }>('/waves/:id/plans', { config: { access: 'plans' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    const body = (request.body ?? {}) as Record<string, unknown>
    const input = { unitId: body.unitId, ...target(body.target), owner: body.owner, change: body.change, dueOn: body.dueOn, status: body.status }
    const created = await createPlan(app.db, request, wave.id, input)
    if (!created.ok) {
      const values = Object.fromEntries(['unitId', 'target', 'owner', 'change', 'dueOn', 'status'].map((key) => [key, typed(body[key])]))
      return reply.code(422).page('plan-form', await newForm(request, wave, values, formErrors(created.errors)))
    }
    return reply.redirect(`/waves/${wave.id}/plans#plan-${created.value.id}`, 303)
  })

  /** A plan of this wave the reader may see (404 otherwise, also for a plan of another wave). */
  async function planOf(request: FastifyRequest<{ Params: PlanParams }>, wave: Wave) {
    const plan = await readablePlan(app.db, request.principal!, request.params.planId)
    if (plan.waveId !== wave.id) throw notFound('This plan')
    const organization = await getOrganization(app.db, orgOf(request))
    const units = await listUnits(app.db, orgOf(request))
    const names = { units: new Map(units.map((unit) => [unit.id, unit.name])), waves: new Map([[wave.id, wave.name]]), wordings: new Map<string, string>() }
    const [withEffect] = await withEffects(app.db, organization, [plan], request.principal!)
    return { plan, row: presentPlan(withEffect!, names, { change: true }) }
  }

  async function editForm(request: FastifyRequest<{ Params: PlanParams }>, wave: Wave, values?: Record<string, string>, errors: FieldErrors = {}) {
    const { plan, row } = await planOf(request, wave)
    return {
      title: `Change plan · ${wave.name}`, wave, plan: row, units: [], targets: { items: [], dimensions: [] }, statuses: statusOptions, errors,
      values: values ?? { owner: plan.owner, change: plan.change, dueOn: plan.dueOn ?? '', status: plan.status },
      action: `/waves/${wave.id}/plans/${plan.id}`,
    }
  }

  app.get<{ Params: PlanParams }>('/waves/:id/plans/:planId/edit', { config: { access: 'plans' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    return reply.page('plan-form', await editForm(request, wave))
  })

  app.post<{ Params: PlanParams }>('/waves/:id/plans/:planId', { config: { access: 'plans' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    const { plan } = await planOf(request, wave)
    const body = (request.body ?? {}) as Record<string, unknown>
    // The form always sends every field: a missing one is an empty one.
    const input = Object.fromEntries(['owner', 'change', 'dueOn', 'status'].map((key) => [key, typed(body[key])]))
    const changed = await changePlan(app.db, request, plan.id, input)
    if (!changed.ok) return reply.code(422).page('plan-form', await editForm(request, wave, input, changed.errors))
    return reply.redirect(`/waves/${wave.id}/plans#plan-${plan.id}`, 303)
  })

  app.get<{ Params: PlanParams }>('/waves/:id/plans/:planId/delete', { config: { access: 'plans' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    const { row } = await planOf(request, wave)
    return reply.page('plan-delete', { title: 'Delete this plan?', wave, plan: row })
  })

  app.post<{ Params: PlanParams }>('/waves/:id/plans/:planId/delete', { config: { access: 'plans' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    const { plan, row } = await planOf(request, wave)
    // Without confirm=yes the answer is the page that asks (it works without JavaScript).
    if ((request.body as Record<string, unknown> | undefined)?.confirm !== 'yes') return reply.page('plan-delete', { title: 'Delete this plan?', wave, plan: row })
    await removePlan(app.db, request, plan.id)
    return reply.redirect(`/waves/${wave.id}/plans`, 303)
  })

  app.get<{ Params: Params }>('/units/:id/plans', { config: { access: 'read' } }, async (request, reply) => {
    const unit = await findUnit(app.db, orgOf(request), request.params.id)
    if (!unit) throw notFound('This unit')
    return reply.page('unit-plans', { title: `Plans · ${unit.name}`, unit, plans: await rows(request, { unitId: unit.id }), styles: ['/public/report.css'] })
  })
}
