// The organization's settings through the API: read them, and change any of them. The same checks
// and the same audit entries as the settings and sign-in security pages (services/organization-settings.ts).
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { LOCALES } from '../../domain/languages.js'
import { MAX_SENDER_NAME } from '../../domain/sender.js'
import { fieldsInvalid } from '../../http-error.js'
import { changeOrganizationSettings, organizationSettings } from '../../services/organization-settings.js'
import { errors } from './schemas.js'

const locales = LOCALES.map((code) => `"${code}"`).join(', ')

const Organization = Type.Object({
  name: Type.String(),
  minGroupSize: Type.Integer({ description: 'The fewest respondents a figure may describe; smaller groups are hidden (3–50).' }),
  defaultLocale: Type.String({ description: 'The language of mail and surveys when a contact or wave names none.' }),
  senderName: Type.String({ description: 'The name invitations come from; empty for the installation\'s.' }),
  replyTo: Type.Union([Type.String(), Type.Null()], { description: 'Where replies to invitations go; null for the installation\'s sender.' }),
  requireTwoFactor: Type.Boolean({ description: 'Whether everyone must sign in with a second factor.' }),
}, { title: 'Organization' })

const OrganizationChange = Type.Object({
  name: Type.Optional(Type.String({ description: 'At most 100 characters.' })),
  minGroupSize: Type.Optional(Type.Integer({ description: 'A whole number from 3 to 50.' })),
  defaultLocale: Type.Optional(Type.String({ description: `One of ${locales}.` })),
  senderName: Type.Optional(Type.String({ description: `One line, at most ${MAX_SENDER_NAME} characters; empty for the installation's.` })),
  replyTo: Type.Optional(Type.Union([Type.String({ description: 'One email address.' }), Type.Null()], { description: 'null or empty removes it.' })),
  requireTwoFactor: Type.Optional(Type.Boolean({ description: 'Owners only. Turning it on signs out everyone else who has not set up a second factor.' })),
}, { additionalProperties: false })

export default async function organization(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get('/organization', {
    config: { access: 'manage_settings' },
    schema: {
      tags: ['organization'],
      operationId: 'getOrganization',
      summary: 'The organization\'s settings',
      response: { 200: Organization, ...errors(401, 403) },
    },
  }, async (request) => organizationSettings(app.db, request.principal!.organizationId))

  app.patch('/organization', {
    config: { access: 'manage_settings' },
    schema: {
      tags: ['organization'],
      operationId: 'updateOrganization',
      summary: 'Change the organization\'s settings',
      description: 'Fields left out keep their value. Each is checked as the settings page checks it; every problem is named under its field '
        + 'in `details`, and nothing is changed while there is one. Only an owner may change `requireTwoFactor` (403). '
        + 'Audited, by the names of the fields changed.',
      body: OrganizationChange,
      response: { 200: Organization, ...errors(400, 401, 403) },
    },
  }, async (request) => {
    const changed = await changeOrganizationSettings(app.db, { principal: request.principal!, ip: request.ip }, request.body)
    if (!changed.ok) throw fieldsInvalid(changed.errors)
    return changed.settings
  })
}
