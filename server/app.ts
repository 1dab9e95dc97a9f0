// Builds the Fastify application (no listen): plugins first, then routes, wired top to bottom so the
// whole app can be read here. Background work (the mail worker, the release steps) is a plugin too, so the server, the
// demo and tests all run it. Tests call buildApp and use app.inject.
import swagger from '@fastify/swagger'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Db } from '../db/connect.js'
import type { Config } from './config.js'
import authPlugin from './plugins/auth.js'
import dbPlugin from './plugins/db.js'
import readsPlugin from './plugins/reads.js'
import errorsPlugin, { sendUnroutable } from './plugins/errors.js'
import { HttpError } from './http-error.js'
import mailPlugin, { type MailOptions } from './mail/plugin.js'
import releasePlugin, { type ReleaseOptions } from './release/plugin.js'
import foldPlugin from './plugins/fold.js'
import loopPlugin, { type LoopOptions } from './loop/plugin.js'
import retentionPlugin, { type RetentionOptions } from './retention/plugin.js'
import securityPlugin from './plugins/security.js'
import staticPlugin from './plugins/static.js'
import viewsPlugin from './plugins/views.js'
import apiRoutes from './routes/api/index.js'
import { swaggerOptions } from './openapi.js'
import apiDocs from './routes/api-docs.js'
import healthRoutes from './routes/health.js'
import surveyRoutes from './routes/survey/index.js'
import kioskRoutes, { type KioskOptions } from './routes/survey/kiosk.js'
import unsubscribeRoutes from './routes/unsubscribe.js'
import sendingPages from './routes/pages/sending.js'
import accountPages from './routes/pages/account.js'
import notificationPages from './routes/pages/notifications.js'
import passwordResetPages from './routes/pages/password-reset.js'
import settingsPages from './routes/pages/settings.js'
import joinPages from './routes/pages/join.js'
import tokenPages from './routes/pages/tokens.js'
import unitPages from './routes/pages/units.js'
import wavePages from './routes/pages/waves.js'
import kioskPages from './routes/pages/kiosks.js'
import packPages from './routes/pages/pack.js'
import importPages from './routes/pages/imports.js'
import contactPages from './routes/pages/contacts.js'
import twoFactorPages from './routes/pages/two-factor.js'
import ssoPages from './routes/pages/sso.js'
import auditPages from './routes/pages/audit.js'
import webhookPages from './routes/pages/webhooks.js'
import planPages from './routes/pages/plans.js'
import brandingPages from './routes/pages/branding.js'
import brandRoutes from './routes/brand.js'
import instrumentPages from './routes/pages/instruments.js'

export interface AppOptions {
  config: Config
  db: Db
  /** Pino options; tests pass false to keep output quiet. */
  logger?: boolean | object
  /** The mail worker; by default it runs, sending to SMTP_URL or the development outbox. See MailOptions. */
  mail?: MailOptions
  /** The background release steps of staff figures; by default they run. See ReleaseOptions. */
  release?: ReleaseOptions
  /** Alerts, the schedule of repeating waves, digests and webhook delivery; by default they run. See LoopOptions. */
  loop?: LoopOptions
  /** The daily retention run (contacts and comments past the organization's limits); by default it runs. See RetentionOptions. */
  retention?: RetentionOptions
  /** The kiosk's clock and limits; by default the real clock and KIOSK_LIMITS. See KioskOptions. */
  kiosk?: KioskOptions
}

/** Paths whose next segment is a secret: survey and kiosk links, unsubscribe links, password resets, invitations. */
const TOKEN_PATHS = ['s', 'k', 'u', 'reset-password', 'join']

/**
 * Logs show the route, never the secret. The path is judged the way a router or a proxy might read
 * it: percent-decoded (`/%73/…` is `/s/…`), any case, with doubled slashes collapsed. Everything after
 * the prefix, the query string included, is dropped, since a token may sit in either; other paths
 * keep their path only.
 */
export function maskTokens(url: string): string {
  // An absolute-form request target (`GET http://host/s/… HTTP/1.1`) is judged by its path.
  const target = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '')
  const cut = target.search(/[?#]/)
  const path = cut === -1 ? target : target.slice(0, cut)
  // Decoded byte by byte, so a malformed escape elsewhere cannot make the check throw and log the raw URL.
  const decoded = path.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  const segments = decoded.replace(/[/\\]+/g, '/').split('/')
  const prefix = segments[1]?.toLowerCase()
  if (prefix !== undefined && TOKEN_PATHS.includes(prefix) && (segments.length > 2 || cut !== -1)) return `/${prefix}/[token]`
  // Query strings can carry personal data (a contact search, the address of a data export) and single
  // sign-on's one-time code and state: the log keeps only that there was one.
  return cut === -1 ? url : `${url.slice(0, url.length - (target.length - cut))}?[query]`
}

export function loggerOptions(level: string, stream?: NodeJS.WritableStream) {
  return {
    level,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    serializers: {
      req: (request: { method: string; url: string; ip?: string }) => ({ method: request.method, url: maskTokens(request.url) }),
    },
    ...(stream ? { stream } : {}),
  }
}

/**
 * Slow clients: a request (headers and body) must arrive within `request`, or the client gets 408 and
 * is disconnected; Node checks for that every second at most, not its default 30 s. A connection where
 * nothing moves for `socket` is closed, and an idle one after `keepAlive`.
 */
function serverTimeouts({ timeouts }: Config) {
  return {
    http: { requestTimeout: timeouts.request, headersTimeout: timeouts.request, connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.round(timeouts.request / 4))) },
    requestTimeout: timeouts.request,
    connectionTimeout: timeouts.socket,
    keepAliveTimeout: timeouts.keepAlive,
  }
}

export async function buildApp({ config, db, logger, mail, release, loop, retention, kiosk }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? loggerOptions(config.logLevel),
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    ...serverTimeouts(config),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Unknown fields are refused rather than silently dropped: a typo must not pass unnoticed.
    ajv: { customOptions: { removeAdditional: false } },
    // An address the router cannot read (a broken percent escape, a parameter over maxParamLength) is
    // answered like every other refusal, a page or {error, message}, not Fastify's own JSON echoing the path.
    frameworkErrors: (error, request, reply) => void sendUnroutable(app, request, reply, error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new HttpError(414, 'uri_too_long', 'Check the link and try again: no address of this site is that long.')
      : new HttpError(400, 'bad_request', 'Check the link and try again: part of it is not valid text.')),
  }).withTypeProvider<TypeBoxTypeProvider>()

  await app.register(dbPlugin, { db, config })
  await app.register(mailPlugin, { ...mail, db, config })
  await app.register(releasePlugin, { ...release, db })
  await app.register(foldPlugin, { db })
  await app.register(loopPlugin, { ...loop, db, config })
  await app.register(retentionPlugin, { ...retention, db, config })
  await app.register(securityPlugin, { config })
  await app.register(viewsPlugin)
  await app.register(errorsPlugin)
  await app.register(authPlugin, { config })
  await app.register(readsPlugin, { config })
  await app.register(swagger, swaggerOptions(config.publicUrl))

  await app.register(staticPlugin)
  await app.register(healthRoutes)
  await app.register(surveyRoutes)
  await app.register(kioskRoutes, kiosk ?? {})
  await app.register(unsubscribeRoutes)
  await app.register(sendingPages)
  await app.register(accountPages)
  await app.register(notificationPages)
  await app.register(passwordResetPages)
  await app.register(packPages)
  await app.register(wavePages)
  await app.register(kioskPages)
  await app.register(importPages)
  await app.register(unitPages)
  await app.register(contactPages)
  await app.register(settingsPages)
  await app.register(ssoPages)
  await app.register(joinPages)
  await app.register(tokenPages)
  await app.register(twoFactorPages)
  await app.register(auditPages)
  await app.register(webhookPages)
  await app.register(planPages)
  await app.register(brandingPages)
  await app.register(brandRoutes)
  await app.register(instrumentPages)
  await app.register(apiRoutes, { prefix: '/api/v1' })

  await app.register(apiDocs)
  return app
}
