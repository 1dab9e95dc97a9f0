// Single sign-on pages: the organization's settings (/settings/sso), the "Sign in with single
// sign-on" form (/auth/oidc), the start of a sign-in (/auth/oidc/:org) and the provider's return
// (/auth/oidc/:org/callback), which ends in finishSignIn like every other way of signing in.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { EMAIL, type FieldErrors } from '../../domain/inputs.js'
import { JIT_ROLES } from '../../domain/sso.js'
import { isUuid } from '../../domain/formats.js'
import type { Config } from '../../config.js'
import { cookieName, cookieOptions } from '../../plugins/security.js'
import { safeNext } from '../../plugins/auth.js'
import { organizationExists } from '../../repositories/sso.js'
import { isTokenShaped, randomToken } from '../../security/tokens.js'
import { auditAs } from '../../services/audit.js'
import {
  completeSsoSignIn, redirectUri, saveSsoSettingsForm, signInUrl, SIGN_IN_TTL_MS, ssoOrganizationFor, ssoSettingsPage,
  ssoFormValues, startSsoSignIn, testSsoConfiguration, type SsoFailure, type TestResult,
} from '../../services/sso.js'
import { finishSignIn } from '../sign-in.js'

type Params = { org: string }
const str = (value: unknown) => (typeof value === 'string' ? value : '')

export default async function ssoPages(app: FastifyInstance) {
  const config: Config = app.config
  const browserCookie = cookieName(config, 'sg_oidc')

  // -- settings --

  async function settingsPage(request: FastifyRequest, extra: { values?: Record<string, unknown>; errors?: FieldErrors; test?: TestResult | null; saved?: boolean } = {}) {
    const principal = request.principal!
    const { settings, owners } = await ssoSettingsPage(app.db, principal.organizationId)
    return {
      title: 'Single sign-on',
      values: { ...ssoFormValues(settings), ...extra.values, clientSecret: '' },
      errors: extra.errors ?? {},
      hasClientSecret: settings.hasClientSecret,
      owners,
      isOwner: principal.role === 'owner',
      roles: JIT_ROLES,
      redirectUri: redirectUri(config, principal.organizationId),
      signInUrl: signInUrl(config, principal.organizationId),
      test: extra.test ?? null,
      saved: extra.saved ?? false,
    }
  }

  app.get('/settings/sso', { config: { access: 'manage_settings' } }, async (request, reply) =>
    reply.page('sso-settings', await settingsPage(request, { saved: 'saved' in (request.query as object) })))

  app.post('/settings/sso', { config: { access: 'manage_settings' } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const saved = await saveSsoSettingsForm(app.db, config, request, body)
    if (!saved.ok) {
      const typed = Object.fromEntries(['enabled', 'issuer', 'clientId', 'signInMode', 'allowedDomains', 'defaultRole', 'ssoRequired', 'breakGlassUserId']
        .map((key) => [key, str(body[key])]))
      return reply.code(422).page('sso-settings', await settingsPage(request, { values: typed, errors: saved.errors }))
    }
    return reply.redirect('/settings/sso?saved', 303)
  })

  app.post('/settings/sso/test', { config: { access: 'manage_settings', rateLimit: { max: 20, timeWindow: '1 minute' } } }, async (request, reply) => {
    const test = await testSsoConfiguration(app.db, config, request.principal!.organizationId)
    if (!test.ok) return reply.code(422).page('sso-settings', await settingsPage(request, { errors: test.errors }))
    return reply.page('sso-settings', await settingsPage(request, { test }))
  })

  // -- signing in --

  const failed = (reply: FastifyReply, failure: SsoFailure, organizationId: string | null) =>
    reply.code(failure.status).page('sso-failed', { title: 'Single sign-on did not work', reason: failure.reason, organizationId })

  async function auditFailure(request: FastifyRequest, organizationId: string, failure: SsoFailure & { email?: string }) {
    if (!(await organizationExists(app.db, organizationId))) return
    await auditAs(app.db, request, { organizationId, userId: null, email: failure.email ?? '' }, 'sso_sign_in_failed', { detail: { reason: failure.code } })
  }

  const startPage = (reply: FastifyReply, values: { email: string; next: string }, error: string | null) =>
    reply.page('sso-start', { title: 'Sign in with single sign-on', values, error, next: values.next })

  app.get('/auth/oidc', { config: { access: 'public' } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>
    return startPage(reply, { email: str(query.email).slice(0, 254), next: safeNext(query.next) }, null)
  })

  // The form on the login page and on /auth/oidc: the email says which organization's provider to use.
  app.post('/auth/oidc', { config: { access: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const email = str(body.email).trim().toLowerCase()
    const next = safeNext(body.next)
    if (email === '' || !EMAIL.test(email) || email.length > 254) {
      return reply.code(422).page('sso-start', { title: 'Sign in with single sign-on', values: { email: email.slice(0, 254), next }, next, error: 'Enter your work email address, like name@example.com.' })
    }
    const organizationId = await ssoOrganizationFor(app.db, email)
    if (!organizationId) {
      return reply.code(422).page('sso-start', {
        title: 'Sign in with single sign-on', values: { email, next }, next,
        error: 'Single sign-on is not set up for this email address. Sign in with your password, or ask your administrator for the single sign-on link.',
      })
    }
    return reply.page('sso-continue', { title: 'Sign in with single sign-on', url: `/auth/oidc/${organizationId}?${new URLSearchParams({ login_hint: email, next })}` })
  })

  app.get<{ Params: Params }>('/auth/oidc/:org', { config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } } }, async (request, reply) => {
    const organizationId = request.params.org
    const notSetUp: SsoFailure = { ok: false, status: 404, code: 'not_configured', reason: 'Single sign-on is not set up at this address. Check the link, or sign in with your email and password.' }
    if (!isUuid(organizationId)) return failed(reply, notSetUp, null)
    const query = request.query as Record<string, unknown>
    const hint = str(query.login_hint).trim().toLowerCase()
    // One value per browser, reused by sign-ins in several tabs; the pending sign-in stores only its hash.
    const existing = request.cookies[browserCookie]
    const browserToken = isTokenShaped(existing) ? existing : randomToken()
    const started = await startSsoSignIn(app.db, config, organizationId.toLowerCase(), {
      browserToken, next: safeNext(query.next), loginHint: EMAIL.test(hint) && hint.length <= 254 ? hint : null,
    })
    if (!started.ok) {
      if (started.status !== 404) await auditFailure(request, organizationId, started)
      return failed(reply, started.status === 404 ? notSetUp : started, started.status === 404 ? null : organizationId)
    }
    reply.setCookie(browserCookie, browserToken, { ...cookieOptions(config), maxAge: SIGN_IN_TTL_MS / 1000 })
    return reply.redirect(started.url, 303)
  })

  app.get<{ Params: Params }>('/auth/oidc/:org/callback', { config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } } }, async (request, reply) => {
    const organizationId = request.params.org.toLowerCase()
    if (!isUuid(organizationId)) {
      return failed(reply, { ok: false, status: 404, code: 'not_configured', reason: 'Single sign-on is not set up at this address.' }, null)
    }
    const query = new URL(request.url, 'http://callback.invalid').searchParams
    const done = await completeSsoSignIn(app.db, config, request, organizationId, { query, browserToken: request.cookies[browserCookie] })
    if (!done.ok) {
      await auditFailure(request, organizationId, done)
      return failed(reply, done, organizationId)
    }
    return finishSignIn(app, request, reply, { id: done.account.id, organizationId: done.account.organizationId, email: done.account.email }, done.next, 'sso')
  })
}
