// Units: list, add, rename, delete (only while no survey link uses it).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { isUniqueViolation } from '../../../db/connect.js'
import { isUuid } from '../../domain/formats.js'
import { checkUnitName, type FieldErrors } from '../../domain/inputs.js'
import { HttpError, notFound } from '../../http-error.js'
import { createUnit, deleteUnit, findUnit, listUnits, renameUnit, unitLinkCount } from '../../repositories/units.js'

type Params = { id: string }

export default async function unitPages(app: FastifyInstance) {
  const orgOf = (request: FastifyRequest) => request.principal!.organizationId

  async function render(request: FastifyRequest, status: number, form: { values?: Record<string, unknown>; errors?: FieldErrors; editing?: string } = {}) {
    const units = await listUnits(app.db, orgOf(request))
    return { status, data: { title: 'Units', units, values: form.values ?? {}, errors: form.errors ?? {}, editing: form.editing ?? null } }
  }

  app.get('/units', { config: { access: 'read' } }, async (request, reply) => {
    const { data } = await render(request, 200)
    return reply.page('units', data)
  })

  app.post('/units', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const body = request.body as Record<string, unknown>
    const checked = checkUnitName(body.name)
    let errors = checked.ok ? null : checked.errors
    if (checked.ok) {
      try {
        await createUnit(app.db, orgOf(request), checked.value)
      } catch (error) {
        if (!isUniqueViolation(error)) throw error
        errors = { name: `A unit named "${checked.value}" already exists.` }
      }
    }
    if (errors) {
      const { data } = await render(request, 422, { values: body, errors })
      return reply.code(422).page('units', data)
    }
    return reply.redirect('/units', 303)
  })

  app.post<{ Params: Params }>('/units/:id', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const body = request.body as Record<string, unknown>
    const id = request.params.id
    if (!isUuid(id) || !(await findUnit(app.db, orgOf(request), id))) throw notFound('This unit')
    const checked = checkUnitName(body.name)
    let errors = checked.ok ? null : { rename: checked.errors.name! }
    if (checked.ok) {
      try {
        await renameUnit(app.db, orgOf(request), id, checked.value)
      } catch (error) {
        if (!isUniqueViolation(error)) throw error
        errors = { rename: `A unit named "${checked.value}" already exists.` }
      }
    }
    if (errors) {
      const { data } = await render(request, 422, { values: { rename: body.name }, errors, editing: id })
      return reply.code(422).page('units', data)
    }
    return reply.redirect('/units', 303)
  })

  app.post<{ Params: Params }>('/units/:id/delete', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const id = request.params.id
    if (!isUuid(id) || !(await findUnit(app.db, orgOf(request), id))) throw notFound('This unit')
    if ((await unitLinkCount(app.db, orgOf(request), id)) > 0) {
      throw new HttpError(409, 'unit_in_use', 'This unit has survey links in a wave, so its answers would lose their unit. Rename it instead of deleting it.')
    }
    await deleteUnit(app.db, orgOf(request), id)
    return reply.redirect('/units', 303)
  })
}
