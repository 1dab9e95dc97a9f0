// Units through the API: list (archived ones too, marked), create, rename, archive and restore.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { fieldsInvalid, HttpError } from '../../http-error.js'
import { createUnit, listUnitPage, UNIT_LIST, type Unit as StoredUnit } from '../../repositories/units.js'
import { audit } from '../../services/audit.js'
import { changeUnit, deleteUnusedUnit, unitNameTaken } from '../../services/units.js'
import { isUniqueViolation } from '../../../db/connect.js'
import { pageRequest, pageResponse, sendPage } from './paging.js'
import { errors, IdParams, PageQuery } from './schemas.js'

const Unit = Type.Object({
  id: Type.String(),
  name: Type.String(),
  archived: Type.Boolean({ description: 'An archived unit keeps its history but gets no new links, contacts or invitations.' }),
}, { title: 'Unit' })
const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })
const unitJson = (unit: Pick<StoredUnit, 'id' | 'name' | 'archived'>) => ({ id: unit.id, name: unit.name, archived: unit.archived })

export default async function units(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get('/units', {
    config: { access: 'read' },
    schema: {
      tags: ['units'],
      summary: 'List units by name, archived ones too',
      description: 'A page of `limit` units; the `Link` and `Next-Cursor` headers lead to the next one.',
      querystring: Type.Object(PageQuery),
      response: { 200: pageResponse(Type.Array(Unit), 'A page of units, by name'), ...errors(400, 401) },
    },
  }, async (request, reply) => {
    const page = await listUnitPage(app.db, request.principal!.organizationId, pageRequest(UNIT_LIST, request.query))
    return sendPage(request, reply, page).map(unitJson)
  })

  app.post('/units', {
    config: { access: 'manage_waves' },
    schema: {
      tags: ['units'],
      summary: 'Create a unit (team, branch, store or region)',
      body: Type.Object({ name: Name }, { additionalProperties: false }),
      response: { 201: Unit, ...errors(400, 401, 403, 409) },
    },
  }, async (request, reply) => {
    const name = request.body.name.trim()
    try {
      const id = await createUnit(app.db, request.principal!.organizationId, name)
      return reply.code(201).send({ id, name, archived: false })
    } catch (error) {
      if (isUniqueViolation(error)) throw new HttpError(409, 'conflict', unitNameTaken(name))
      throw error
    }
  })

  app.patch('/units/:id', {
    config: { access: 'manage_waves' },
    schema: {
      tags: ['units'],
      summary: 'Rename, archive or restore a unit',
      description: 'An archived unit keeps its responses and its links in existing waves, so reports of past waves still show it; it is offered for no new link, contact or invitation, and imports naming it are refused. `archived: false` restores it.',
      params: IdParams,
      body: Type.Object({ name: Type.Optional(Name), archived: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      response: { 200: Unit, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (request) => {
    const changed = await changeUnit(app.db, request.principal!.organizationId, request.params.id, request.body)
    if (!changed.ok) {
      throw changed.errors.name?.includes('already exists') ? fieldsInvalid(changed.errors, 409, 'conflict', changed.errors.name) : fieldsInvalid(changed.errors)
    }
    if (changed.archived !== null) await audit(app.db, request, changed.archived ? 'unit_archived' : 'unit_restored', { target: `unit ${changed.unit.name}` })
    return unitJson(changed.unit)
  })

  app.delete('/units/:id', {
    config: { access: 'manage_waves' },
    schema: {
      tags: ['units'],
      operationId: 'deleteUnit',
      summary: 'Delete a unit that nothing refers to',
      description: 'Only a unit that no response, link, contact or invitation names goes: one in use answers 409, and can be archived instead (PATCH `archived: true`).',
      params: IdParams,
      response: { 204: Type.Null(), ...errors(401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    const result = await deleteUnusedUnit(app.db, request.principal!.organizationId, request.params.id)
    if (!result.deleted) throw new HttpError(409, 'unit_in_use', `${result.unit.name} is in use: responses, links, contacts or invitations name it. Archive it instead.`)
    await audit(app.db, request, 'unit_deleted', { target: `unit ${result.unit.name}` })
    return reply.code(204).send(null)
  })
}
