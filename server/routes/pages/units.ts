// Units: list (in use, then archived), add, rename, archive and restore, delete (only while nothing
// refers to it; otherwise the page offers to archive it).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { isUniqueViolation } from '../../../db/connect.js'
import { checkUnitName, type FieldErrors } from '../../domain/inputs.js'
import { createUnit, listUnits, type Unit } from '../../repositories/units.js'
import { audit } from '../../services/audit.js'
import { changeUnit, deleteUnusedUnit, unitNameTaken } from '../../services/units.js'

type Params = { id: string }

interface Form {
  values?: Record<string, unknown>
  errors?: FieldErrors
  /** The unit whose rename was refused. */
  editing?: string
  /** The unit that could not be deleted because something refers to it. */
  inUse?: Unit
}

export default async function unitPages(app: FastifyInstance) {
  const orgOf = (request: FastifyRequest) => request.principal!.organizationId

  async function pageData(request: FastifyRequest, form: Form = {}) {
    const all = await listUnits(app.db, orgOf(request))
    return {
      title: 'Units',
      units: all.filter((unit) => !unit.archived),
      archivedUnits: all.filter((unit) => unit.archived),
      values: form.values ?? {},
      errors: form.errors ?? {},
      editing: form.editing ?? null,
      inUse: form.inUse ?? null,
    }
  }

  app.get('/units', { config: { access: 'read' } }, async (request, reply) => reply.page('units', await pageData(request)))

  app.post('/units', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const checked = checkUnitName(body.name)
    let errors = checked.ok ? null : checked.errors
    if (checked.ok) {
      try {
        await createUnit(app.db, orgOf(request), checked.value)
      } catch (error) {
        if (!isUniqueViolation(error)) throw error
        errors = { name: unitNameTaken(checked.value) }
      }
    }
    if (errors) return reply.code(422).page('units', await pageData(request, { values: { name: typeof body.name === 'string' ? body.name : '' }, errors }))
    return reply.redirect('/units', 303)
  })

  app.post<{ Params: Params }>('/units/:id', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    // The rename form always names the unit: a missing name is an empty one.
    const changed = await changeUnit(app.db, orgOf(request), request.params.id, { name: body.name ?? '' })
    if (!changed.ok) {
      const values = { rename: typeof body.name === 'string' ? body.name : '' }
      return reply.code(422).page('units', await pageData(request, { values, errors: { rename: changed.errors.name! }, editing: request.params.id }))
    }
    return reply.redirect('/units', 303)
  })

  for (const [action, archived] of [['archive', true], ['restore', false]] as const) {
    app.post<{ Params: Params }>(`/units/:id/${action}`, { config: { access: 'manage_waves' } }, async (request, reply) => {
      const changed = await changeUnit(app.db, orgOf(request), request.params.id, { archived })
      if (changed.ok && changed.archived !== null) {
        await audit(app.db, request, archived ? 'unit_archived' : 'unit_restored', { target: `unit ${changed.unit.name}` })
      }
      return reply.redirect('/units', 303)
    })
  }

  app.post<{ Params: Params }>('/units/:id/delete', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const result = await deleteUnusedUnit(app.db, orgOf(request), request.params.id)
    if (!result.deleted) return reply.code(409).page('units', await pageData(request, { inUse: result.unit }))
    await audit(app.db, request, 'unit_deleted', { target: `unit ${result.unit.name}` })
    return reply.redirect('/units', 303)
  })
}
