// Single sign-on settings through the API, with the settings page's permission (owners and admins)
// and its checks (services/sso.ts): read them (the client secret only as set or not), change some of
// them, or turn single sign-on off. What only an owner may change is refused to anyone else with 403.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { SsoSettings as StoredSettings, SsoSettingsChange } from '../../domain/sso.js'
import { fieldsInvalid, HttpError } from '../../http-error.js'
import { changeSsoSettings, redirectUri, signInUrl, ssoSettingsPage } from '../../services/sso.js'
import { errors } from './schemas.js'
import { ChangeSsoBody, SsoSettings } from './sso-schemas.js'

export default async function sso(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const access = 'manage_settings' as const

  const settingsJson = (organizationId: string, settings: StoredSettings) => ({
    enabled: settings.enabled, issuer: settings.issuer, clientId: settings.clientId, clientSecretSet: settings.hasClientSecret,
    signInMode: settings.signInMode, allowedDomains: settings.allowedDomains, defaultRole: settings.defaultRole,
    ssoRequired: settings.ssoRequired, breakGlassUserId: settings.breakGlassUserId,
    redirectUri: redirectUri(app.config, organizationId), signInUrl: signInUrl(app.config, organizationId),
  })

  async function change(request: FastifyRequest, asked: Partial<SsoSettingsChange>) {
    const changed = await changeSsoSettings(app.db, app.config, request, asked)
    if (!changed.ok) {
      if ('ownerOnly' in changed) {
        throw new HttpError(403, 'forbidden', `Only an owner may change ${changed.ownerOnly.join(', ')}.`, changed.ownerOnly.map((field) => ({ field, message: 'Only an owner may change this.' })))
      }
      throw fieldsInvalid(changed.errors)
    }
    return settingsJson(request.principal!.organizationId, changed.settings)
  }

  app.get('/sso', {
    config: { access },
    schema: { tags: ['sso'], operationId: 'getSsoSettings', summary: 'The single sign-on settings (the client secret only as set or not)', response: { 200: SsoSettings, ...errors(401, 403) } },
  }, async (request) => {
    const organizationId = request.principal!.organizationId
    return settingsJson(organizationId, (await ssoSettingsPage(app.db, organizationId)).settings)
  })

  app.patch('/sso', {
    config: { access },
    schema: {
      tags: ['sso'], operationId: 'updateSsoSettings', summary: 'Change single sign-on settings',
      body: ChangeSsoBody, response: { 200: SsoSettings, ...errors(400, 401, 403) },
    },
  }, async (request) => change(request, request.body))

  app.delete('/sso', {
    config: { access },
    schema: {
      tags: ['sso'], operationId: 'disableSso', summary: 'Turn single sign-on off (owners)',
      description: 'Password sign-in works again for everyone; the provider\'s settings are kept, to turn it back on with `enabled: true`.',
      response: { 200: SsoSettings, ...errors(400, 401, 403) },
    },
  }, async (request) => change(request, { enabled: false, ssoRequired: false }))
}
