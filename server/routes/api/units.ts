// Units through the API: list and create.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { HttpError } from '../../http-error.js'
import { createUnit, listUnits } from '../../repositories/units.js'
import { isUniqueViolation } from '../../../db/connect.js'
import { errors } from './schemas.js'

const Unit = Type.Object({ id: Type.String(), name: Type.String() })

export default async function units(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get('/units', {
    config: { access: 'read' },
    schema: { tags: ['units'], summary: 'List units', response: { 200: Type.Array(Unit), ...errors(401) } },
  }, async (request) => (await listUnits(app.db, request.principal!.organizationId)).map(({ id, name }) => ({ id, name })))

  app.post('/units', {
    config: { access: 'manage_waves' },
    schema: {
      tags: ['units'],
      summary: 'Create a unit (team, branch, store or region)',
      body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }) }, { additionalProperties: false }),
      response: { 201: Unit, ...errors(400, 401, 403, 409) },
    },
  }, async (request, reply) => {
    const name = request.body.name.trim()
    try {
      const id = await createUnit(app.db, request.principal!.organizationId, name)
      return reply.code(201).send({ id, name })
    } catch (error) {
      if (isUniqueViolation(error)) throw new HttpError(409, 'conflict', `A unit named "${name}" already exists.`)
      throw error
    }
  })
}
