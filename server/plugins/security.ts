// Security headers, cookies, form parsing, rate limiting and CSRF protection for every form.
// Rate limits are tallied in each instance and stored in the database every flush interval
// (plugins/rate-limit-store.ts), so they hold across instances.
// CSRF: each browser gets a random cookie; forms carry an HMAC of it under the server's secret, and
// every state-changing request outside the bearer-token API must bring a matching token.
import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { HttpError } from '../http-error.js'
import { hmac, randomToken, safeEqual } from '../security/tokens.js'
import { isApiRequest } from './errors.js'
import { sharedLimits, type SharedLimits } from './rate-limit-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The rate limits' tally: flush() stores the hits counted so far and reads every instance's totals back. */
    rateLimits: Pick<SharedLimits, 'flush'>
  }
  interface FastifyReply {
    /** The CSRF token for forms on this page (sets the browser's CSRF cookie if it has none). */
    csrfToken(): string
  }
  interface FastifyRequest {
    csrfCookieValue?: string
    /** True when the request carries the CSRF token that matches this browser's cookie. */
    csrfValid(): boolean
  }
  interface FastifyContextConfig {
    /**
     * 'manual': the route checks request.csrfValid() itself (to keep a respondent's answers on failure).
     * 'exempt': no token by design (RFC 8058 one-click unsubscribe, posted by mail programs without cookies).
     */
    csrf?: 'manual' | 'exempt'
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The answer to a form without a valid CSRF token: here, and in routes that check it themselves ('manual'). */
export const csrfFailed = () => new HttpError(403, 'csrf_failed', 'This form has expired or did not come from this site. Go back, reload the page and try again.')

export function cookieName(config: Config, name: string): string {
  return config.secureCookies ? `__Host-${name}` : name
}

export function cookieOptions(config: Config) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: config.secureCookies }
}

export default fp(async function security(app: FastifyInstance, { config }: { config: Config }) {
  const csrfCookie = cookieName(config, 'sg_csrf')

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        'connect-src': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'base-uri': ["'none'"],
        'object-src': ["'none'"],
        ...(config.secureCookies ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    // Survey links carry their token in the URL, so no page ever sends a Referer.
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: config.secureCookies ? { maxAge: 31536000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  })
  await app.register(cookie)
  await app.register(formbody, { bodyLimit: 256 * 1024 })
  const limits = sharedLimits(app.db, config.signingSecret, app.log, { flushMs: config.rateLimitFlushMs })
  // Before the database is closed (server.ts closes it after the app): the last hits are stored.
  app.addHook('onClose', () => limits.close())
  app.decorate('rateLimits', { flush: limits.flush })
  await app.register(rateLimit, {
    global: false,
    store: limits.Store,
    // A limiter that cannot count lets the request through (see rate-limit-store.ts).
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'too_many_requests', `Too many attempts. Please wait ${Math.ceil(context.ttl / 1000)} seconds and try again.`),
  })

  app.decorateReply('csrfToken', function csrfToken(this: FastifyReply) {
    // No cookies are parsed on the answer to an address the router could not read (see frameworkErrors in app.ts).
    let value = this.request.csrfCookieValue ?? this.request.cookies?.[csrfCookie]
    if (!value || value.length < 32) {
      value = randomToken()
      this.setCookie(csrfCookie, value, cookieOptions(config))
    }
    this.request.csrfCookieValue = value
    return hmac(config.signingSecret, value)
  })

  app.decorateRequest('csrfValid', function csrfValid(this: FastifyRequest) {
    const cookieValue = this.cookies[csrfCookie]
    const body = this.body as Record<string, unknown> | undefined
    const sent = (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? this.headers['x-csrf-token']
    return Boolean(cookieValue) && typeof sent === 'string' && safeEqual(sent, hmac(config.signingSecret, cookieValue!))
  })

  // PostgreSQL cannot store NUL characters or unpaired UTF-16 surrogates in text; they carry no
  // meaning anyone typed, so they are taken out of every body and query before anything reads them.
  app.addHook('preValidation', async (request: FastifyRequest) => {
    request.body = storable(request.body)
    request.query = storable(request.query)
    // A page's form handler reads fields off an object. A post with no body, or a JSON null, array or
    // string, or plain text, is a form with no fields: the route answers it like an empty form
    // (its own 422) instead of failing on a property of null.
    if (!SAFE_METHODS.has(request.method) && !isApiRequest(request) && !isRecord(request.body)) request.body = Object.create(null)
  })

  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (SAFE_METHODS.has(request.method) || isApiRequest(request) || request.routeOptions.config?.csrf !== undefined) return
    if (!request.csrfValid()) {
      throw csrfFailed()
    }
  })
}, { name: 'security', dependencies: ['db'] })

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * Parsed JSON and form objects: plain objects, and the ones form parsers make whose prototype has no
 * prototype itself. Streams, Buffers and class instances are left alone.
 */
const isRecord = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === null || prototype === Object.prototype || Object.getPrototypeOf(prototype) === null
}

const MAX_DEPTH = 64

/** A copy of a parsed body or query whose strings PostgreSQL can store (no NUL, no lone surrogates). */
export function storable<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return value.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\uFFFD') as T
  if (depth > MAX_DEPTH && value !== null && typeof value === 'object') {
    throw new HttpError(400, 'bad_request', `The request is nested more than ${MAX_DEPTH} levels deep.`)
  }
  if (Array.isArray(value)) return value.map((inner) => storable(inner, depth + 1)) as T
  if (isRecord(value)) {
    const out: Record<string, unknown> = Object.create(Object.getPrototypeOf(value))
    for (const [key, inner] of Object.entries(value)) out[storable(key)] = storable(inner, depth + 1)
    return out as T
  }
  return value
}
