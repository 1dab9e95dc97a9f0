// Who is calling, and whether they may. Every route declares `config.access`: 'public' or the
// permission it needs; a route without one stops the app at start-up, so nothing is open by accident.
// Browsers authenticate with a session cookie; the JSON API with `Authorization: Bearer <token>`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { can, type Permission } from '../domain/roles.js'
import { HttpError } from '../http-error.js'
import {
  createSession, deleteSession, resolveApiToken, resolveSession, type Principal,
} from '../repositories/credentials.js'
import { countUsers } from '../repositories/organizations.js'
import { SESSION_ABSOLUTE_MS } from '../repositories/credentials.js'
import { cookieName, cookieOptions } from './security.js'
import { isApiRequest } from './errors.js'

export type Access = 'public' | Permission
export interface RouteAccess { method: string; url: string; access: Access; csrf?: 'manual' | 'exempt' }

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
  }
  interface FastifyRequest {
    principal: Principal | null
  }
  interface FastifyReply {
    /** Starts a fresh session (a new id every time, so a planted one is useless) and sets its cookie. */
    signIn(user: { id: string; organizationId: string }): Promise<void>
    signOut(): Promise<void>
  }
  interface FastifyInstance {
    /** True until the first organization and owner exist. */
    needsSetup(): Promise<boolean>
    /** Every route with the access it declares; security tests are driven from this list. */
    accessTable(): RouteAccess[]
  }
}

const HOME = '/waves'
const BASE = 'http://same-origin.invalid'

/** A path that no decoding or URL parsing turns into another host: one leading slash, no backslash, no space or control character. */
const plainPath = (path: string) => path.startsWith('/') && !path.startsWith('//') && !/[\\\s\p{C}\p{Z}]/u.test(path)

/**
 * Only a path of this site may be a redirect target after sign-in. Browsers drop tabs and line
 * breaks from URLs and read a backslash as a slash, so `/%09/host`, `/\host` or `//host` would lead
 * off-site: the value is refused unless it is printable ASCII (also what a Location header can
 * carry), its path stays a plain path however often it is decoded, and it resolves to this origin.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000 || !/^[\x21-\x7e]+$/.test(next)) return HOME
  // Only the path decides where a browser goes; a query may hold an encoded space (`?q=a%20b`).
  let decoded = next.split(/[?#]/, 1)[0]!
  for (let round = 0; round < 3; round++) {
    if (!plainPath(decoded)) return HOME
    let again: string
    try {
      again = decodeURIComponent(decoded)
    } catch {
      return HOME
    }
    if (again === decoded) break
    decoded = again
  }
  if (!plainPath(decoded)) return HOME
  return new URL(next, BASE).origin === BASE ? next : HOME
}

export default fp(async function auth(app: FastifyInstance, { config }: { config: Config }) {
  const sessionCookie = cookieName(config, 'sg_session')
  let setupDone = false

  app.decorate('needsSetup', async () => {
    if (!setupDone) setupDone = (await countUsers(app.db)) > 0
    return !setupDone
  })
  app.decorateRequest('principal', null)

  app.decorateReply('signIn', async function signIn(this: FastifyReply, user: { id: string; organizationId: string }) {
    const old = this.request.cookies[sessionCookie]
    if (old) await deleteSession(app.db, old, null)
    const token = await createSession(app.db, user.id, user.organizationId)
    this.setCookie(sessionCookie, token, { ...cookieOptions(config), maxAge: SESSION_ABSOLUTE_MS / 1000 })
  })
  app.decorateReply('signOut', async function signOut(this: FastifyReply) {
    const token = this.request.cookies[sessionCookie]
    if (token) await deleteSession(app.db, token, this.request.principal?.organizationId ?? null)
    this.clearCookie(sessionCookie, cookieOptions(config))
  })

  // Checked once all routes (and the hooks of encapsulated plugins) have had their say.
  const routes: Array<{ method: unknown; url: string; config?: { access?: Access; csrf?: 'manual' | 'exempt' } }> = []
  app.addHook('onRoute', (route) => void routes.push(route))
  app.decorate('accessTable', () => routes.flatMap((route) =>
    [route.method].flat().map((method) => ({ method: String(method), url: route.url, access: route.config!.access!, ...(route.config?.csrf ? { csrf: route.config.csrf } : {}) }))))
  app.addHook('onReady', async () => {
    const open = routes.filter((route) => route.config?.access === undefined)
    if (open.length > 0) throw new Error(`routes without config.access: ${open.map((r) => `${String(r.method)} ${r.url}`).join(', ')}`)
  })

  async function identify(request: FastifyRequest): Promise<Principal | null> {
    if (isApiRequest(request)) {
      const header = request.headers.authorization
      const match = header?.match(/^Bearer\s+(\S+)$/i)
      return match ? resolveApiToken(app.db, match[1]!) : null
    }
    const token = request.cookies[sessionCookie]
    return token ? resolveSession(app.db, token) : null
  }

  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config?.access
    if (access === undefined) return
    request.principal = await identify(request)
    if (access === 'public') return
    if (!request.principal) {
      if (isApiRequest(request)) throw new HttpError(401, 'unauthorized', 'Send a valid API token as "Authorization: Bearer <token>". Create one with POST /api/v1/tokens.')
      if (request.method !== 'GET') throw new HttpError(401, 'unauthorized', 'Your session has ended. Please sign in again.')
      const target = (await app.needsSetup()) ? '/setup' : `/login?next=${encodeURIComponent(request.url)}`
      return reply.redirect(target, 303)
    }
    if (!can(request.principal.role, access)) {
      throw new HttpError(403, 'forbidden', `Your role (${request.principal.role}) does not allow this. Ask an owner or admin of your organization.`)
    }
  })
}, { name: 'auth', dependencies: ['security', 'db'] })
