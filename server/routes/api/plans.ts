// Action plans through the API: list (by wave and unit), make, read, change and delete, each plan with
// its effect after later waves. Owners and admins for any unit; unit managers for their own units
// only (another unit's plan is 404 to them); analysts and viewers read.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { PlanEffect as Effect } from '../../domain/action-effect.js'
import { fieldsInvalid } from '../../http-error.js'
import { PLAN_LIST, type ActionPlan } from '../../repositories/action-plans.js'
import { getOrganization } from '../../repositories/organizations.js'
import { changePlan, createPlan, readablePlan, readablePlanPage, removePlan, withEffects } from '../../services/action-plans.js'
import type { Reader } from '../../services/report-scope.js'
import { NewPlanBody, Plan, PlanChangesBody, PlanQuery } from './plan-schemas.js'
import { pageRequest, pageResponse, sendPage } from './paging.js'
import { errors, IdParams } from './schemas.js'

const planJson = (plan: ActionPlan & { effect: Effect }) => ({
  id: plan.id, waveId: plan.waveId, unitId: plan.unitId, itemKey: plan.itemKey, dimension: plan.dimension, owner: plan.owner, change: plan.change,
  dueOn: plan.dueOn, status: plan.status, createdAt: plan.createdAt.toISOString(), updatedAt: plan.updatedAt.toISOString(), effect: plan.effect,
})

export default async function plans(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  async function withEffect(reader: Reader, list: ActionPlan[]) {
    const organization = await getOrganization(app.db, reader.organizationId)
    return (await withEffects(app.db, organization, list, reader)).map(planJson)
  }

  app.get('/plans', {
    config: { access: 'read' },
    schema: {
      tags: ['plans'],
      summary: 'List action plans, newest first',
      description: 'Each with its `effect` after later waves of the same instrument (empty `points` before the next wave). A unit manager gets the plans of their own units only. A page of `limit` plans; the `Link` and `Next-Cursor` headers lead to the next one.',
      querystring: PlanQuery,
      response: { 200: pageResponse(Type.Array(Plan), 'A page of action plans, newest first'), ...errors(400, 401) },
    },
  }, async (request, reply) => {
    const reader = request.principal!
    const page = await readablePlanPage(app.db, reader, { waveId: request.query.wave, unitId: request.query.unit }, pageRequest(PLAN_LIST, request.query))
    // Effects for the plans of this page only.
    return sendPage(request, reply, { ...page, rows: await withEffect(reader, page.rows) })
  })

  app.post('/plans', {
    config: { access: 'plans' },
    schema: {
      tags: ['plans'],
      summary: 'Make an action plan for one unit and one item (or dimension) of a wave',
      body: NewPlanBody,
      response: { 201: Plan, ...errors(400, 401, 403, 404, 422) },
    },
  }, async (request, reply) => {
    const { waveId, ...input } = request.body
    const created = await createPlan(app.db, request, waveId, input)
    if (!created.ok) throw fieldsInvalid(created.errors, 422)
    const [plan] = await withEffect(request.principal!, [created.value])
    return reply.code(201).send(plan!)
  })

  app.get('/plans/:id', {
    config: { access: 'read' },
    schema: { tags: ['plans'], summary: 'One action plan, with its effect', params: IdParams, response: { 200: Plan, ...errors(400, 401, 404) } },
  }, async (request) => {
    const [plan] = await withEffect(request.principal!, [await readablePlan(app.db, request.principal!, request.params.id)])
    return plan!
  })

  app.patch('/plans/:id', {
    config: { access: 'plans' },
    schema: {
      tags: ['plans'],
      summary: "Change a plan's owner, what will change, due date or status",
      params: IdParams,
      body: PlanChangesBody,
      response: { 200: Plan, ...errors(400, 401, 403, 404, 422) },
    },
  }, async (request) => {
    const changed = await changePlan(app.db, request, request.params.id, request.body)
    if (!changed.ok) throw fieldsInvalid(changed.errors, 422)
    const [plan] = await withEffect(request.principal!, [changed.value])
    return plan!
  })

  app.delete('/plans/:id', {
    config: { access: 'plans' },
    schema: { tags: ['plans'], summary: 'Delete an action plan', params: IdParams, response: { 204: Type.Null(), ...errors(400, 401, 403, 404) } },
  }, async (request, reply) => {
    await removePlan(app.db, request, request.params.id)
    return reply.code(204).send(null)
  })
}
