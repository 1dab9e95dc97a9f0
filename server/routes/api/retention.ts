// The organization's retention rules through the API: how many months contacts not invited and
// comments are kept (null: kept until deleted). Owners only (delete_data), as on /settings/retention;
// the daily run applies them.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { MAX_RETENTION_MONTHS } from '../../domain/data-rights.js'
import { fieldsInvalid } from '../../http-error.js'
import { retentionSettings } from '../../repositories/retention.js'
import { changeRetention } from '../../services/retention-settings.js'
import { errors } from './schemas.js'

// One type list rather than a union: fastify's ajv coerces types, and a union with null would take 0 for null.
const Months = (what: string) => Type.Unsafe<number | null>({
  type: ['integer', 'null'], minimum: 1, maximum: MAX_RETENTION_MONTHS, description: `${what}, in months (1–${MAX_RETENTION_MONTHS}); null: kept until deleted.`,
})

const Retention = Type.Object({
  contactMonths: Months('How long a contact not invited since is kept'),
  commentMonths: Months('How long a comment is kept'),
}, { title: 'RetentionSettings' })

const ChangeRetention = Type.Partial(Type.Object({ contactMonths: Retention.properties.contactMonths, commentMonths: Retention.properties.commentMonths }), { additionalProperties: false })

export default async function retention(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const access = 'delete_data' as const

  app.get('/settings/retention', {
    config: { access },
    schema: { operationId: 'getRetentionSettings', tags: ['retention'], summary: 'How long contacts and comments are kept', response: { 200: Retention, ...errors(401, 403) } },
  }, async (request) => retentionSettings(app.db, request.principal!.organizationId))

  app.patch('/settings/retention', {
    config: { access },
    schema: {
      operationId: 'updateRetentionSettings',
      tags: ['retention'],
      summary: 'Change how long contacts and comments are kept; a field left out stays as it is',
      description: 'The change is audited. The daily run deletes what is older than the rules.',
      body: ChangeRetention,
      response: { 200: Retention, ...errors(400, 401, 403) },
    },
  }, async (request) => {
    const changed = await changeRetention(app.db, { principal: request.principal!, ip: request.ip }, request.body)
    if (!changed.ok) throw fieldsInvalid(changed.errors)
    return changed.value
  })
}
