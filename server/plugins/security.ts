// Security headers, cookies, form parsing, rate limiting and CSRF protection for every form.
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

declare module 'fastify' {
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
    /** 'manual': the route checks request.csrfValid() itself (to keep a respondent's answers on failure). */
    csrf?: 'manual'
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

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
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'too_many_requests', `Too many attempts. Please wait ${Math.ceil(context.ttl / 1000)} seconds and try again.`),
  })

  app.decorateReply('csrfToken', function csrfToken(this: FastifyReply) {
    let value = this.request.csrfCookieValue ?? this.request.cookies[csrfCookie]
    if (!value || value.length < 32) {
      value = randomToken()
      this.setCookie(csrfCookie, value, cookieOptions(config))
    }
    this.request.csrfCookieValue = value
    return hmac(config.sessionSecret, value)
  })

  app.decorateRequest('csrfValid', function csrfValid(this: FastifyRequest) {
    const cookieValue = this.cookies[csrfCookie]
    const body = this.body as Record<string, unknown> | undefined
    const sent = (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? this.headers['x-csrf-token']
    return Boolean(cookieValue) && typeof sent === 'string' && safeEqual(sent, hmac(config.sessionSecret, cookieValue!))
  })

  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (SAFE_METHODS.has(request.method) || isApiRequest(request) || request.routeOptions.config?.csrf === 'manual') return
    if (!request.csrfValid()) {
      throw new HttpError(403, 'csrf_failed', 'This form has expired or did not come from this site. Go back, reload the page and try again.')
    }
  })
}, { name: 'security' })
