// The JSON API under /api/v1. Bearer tokens only; no cookies, so no CSRF.
import type { FastifyInstance } from 'fastify'
import alerts from './alerts.js'
import auditApi from './audit.js'
import contacts from './contacts.js'
import templates from './templates.js'
import tokens from './tokens.js'
import exportRoutes from './export.js'
import instruments from './instruments.js'
import invitations from './invitations.js'
import organization from './organization.js'
import plans from './plans.js'
// Colleagues, notification and retention settings.
import people from './people.js'
import notifications from './notifications.js'
import retention from './retention.js'
import report from './report.js'
import responses from './responses.js'
import units from './units.js'
import waves from './waves.js'
import webhooks from './webhooks.js'
// Organization settings and kiosks (api-settings)
import branding from './branding.js'
import kiosks from './kiosks.js'
import sso from './sso.js'
import { describeOperation } from '../../openapi.js'
import { idempotentCreation } from './idempotency.js'

export default async function api(app: FastifyInstance) {
  app.addHook('onRoute', describeOperation)
  // Creating POSTs take an Idempotency-Key (which ones, and why not POST /tokens: ./idempotency.ts).
  app.addHook('onRoute', idempotentCreation)
  await app.register(tokens)
  await app.register(templates)
  await app.register(instruments)
  await app.register(waves)
  await app.register(units)
  await app.register(responses)
  await app.register(report)
  await app.register(alerts)
  await app.register(exportRoutes)
  await app.register(contacts)
  await app.register(invitations)
  await app.register(webhooks)
  await app.register(plans)
  await app.register(organization)
  await app.register(auditApi)
  // Colleagues, notification and retention settings.
  await app.register(people)
  await app.register(notifications)
  await app.register(retention)
  // Organization settings and kiosks (api-settings)
  await app.register(branding)
  await app.register(sso)
  await app.register(kiosks)
}
