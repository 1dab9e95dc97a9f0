// Builds the real app on a test database, and a small client that behaves like a browser:
// it keeps cookies and fills in the CSRF token of the last page it loaded.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe } from 'vitest'
import { buildApp, type AppOptions } from '../../server/app.js'
import { loadConfig, type Config } from '../../server/config.js'
import type { Role } from '../../server/domain/types.js'
import { addUser, createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { createTestDatabase, DATABASES, type DatabaseKind, type TestDatabase } from './databases.js'

export const PASSWORD = 'correct horse battery staple'
/** A Chromium path that names no file: the app then makes no PDFs (see server/routes/pages/pack.ts). */
export const NO_CHROMIUM = '/nonexistent/chromium-for-tests'

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    PUBLIC_URL: 'http://sg.test',
    SIGNING_SECRET: 'test-secret-test-secret-test-secret-0123',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'sg-test-')),
    // No board pack PDFs unless a test asks (the browser tests do): a route sweep must not start Chromium.
    CHROMIUM_PATH: NO_CHROMIUM,
    ...env,
  })
}

export interface TestContext {
  kind: DatabaseKind
  app: FastifyInstance
  database: TestDatabase
  config: Config
}

/**
 * Runs `fn` once per database, with a fresh app and database for each. The app is built as the
 * server builds it, mail worker and release steps included; `options.mail` and `options.release`
 * change that (see MailOptions, ReleaseOptions).
 */
export function describeEachDatabase(title: string, fn: (ctx: TestContext) => void, env: Record<string, string> = {}, options: Pick<AppOptions, 'mail' | 'release' | 'loop' | 'retention' | 'kiosk'> = {}) {
  for (const kind of DATABASES) {
    describe(`${title} [${kind}]`, () => {
      const ctx = { kind } as TestContext
      beforeAll(async () => {
        ctx.database = await createTestDatabase(kind)
        ctx.config = testConfig(env)
        ctx.app = await buildApp({ ...options, config: ctx.config, db: ctx.database.db, logger: false })
        await ctx.app.ready()
      })
      afterAll(async () => {
        await ctx.app?.close()
        await ctx.database?.drop()
      })
      fn(ctx)
    })
  }
}

let counter = 0
/** A unique email per call, so tests in one database never collide. */
export const uniqueEmail = (label = 'user') => `${label}-${Date.now().toString(36)}-${counter++}@example.test`

export interface Tenant {
  organizationId: string
  owner: { email: string; userId: string }
}

export async function createTenant(ctx: TestContext, name = 'Acme'): Promise<Tenant> {
  const email = uniqueEmail('owner')
  const { organizationId, userId } = await createOrganizationWithOwner(ctx.database.db, { name, email, password: PASSWORD })
  return { organizationId, owner: { email, userId } }
}

export async function addPerson(ctx: TestContext, tenant: Tenant, role: Role): Promise<string> {
  const email = uniqueEmail(role)
  await addUser(ctx.database.db, tenant.organizationId, { email, name: '', role, password: PASSWORD })
  return email
}

const CSRF_FIELD = /name="_csrf" value="([^"]+)"/

export class Browser {
  private cookies = new Map<string, string>()
  csrf: string | null = null

  constructor(private readonly app: FastifyInstance) {}

  private remember(response: LightMyRequestResponse) {
    for (const cookie of response.cookies) {
      if (cookie.maxAge === 0 || cookie.value === '' || (cookie.expires && cookie.expires.getTime() < Date.now())) this.cookies.delete(cookie.name)
      else this.cookies.set(cookie.name, cookie.value)
    }
    const match = response.body.match(CSRF_FIELD)
    if (match) this.csrf = match[1]!
  }

  cookie(name: string) {
    return this.cookies.get(name)
  }

  async request(options: InjectOptions & { url: string }) {
    const response = await this.app.inject({
      ...options,
      headers: {
        accept: 'text/html',
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...options.headers,
      },
    })
    this.remember(response)
    return response
  }

  get(url: string) {
    return this.request({ method: 'GET', url })
  }

  /** Submits a form as a browser would, with the CSRF token of the last page unless one is given. */
  post(url: string, form: Record<string, string | string[]> = {}) {
    const body = new URLSearchParams()
    if (!('_csrf' in form) && this.csrf) body.append('_csrf', this.csrf)
    for (const [key, value] of Object.entries(form)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(key, v)
    }
    return this.request({ method: 'POST', url, payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  }

  async login(email: string, password = PASSWORD) {
    await this.get('/login')
    const response = await this.post('/login', { email, password })
    if (response.statusCode !== 303) throw new Error(`login failed: ${response.statusCode}`)
    await this.get('/waves')
    return this
  }
}

export async function signedIn(ctx: TestContext, email: string) {
  return new Browser(ctx.app).login(email)
}

export async function apiToken(ctx: TestContext, email: string): Promise<string> {
  const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email, password: PASSWORD } })
  if (response.statusCode !== 201) throw new Error(`token failed: ${response.statusCode} ${response.body}`)
  return response.json().token
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
