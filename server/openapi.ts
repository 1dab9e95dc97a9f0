// The OpenAPI 3.1 document at /api/docs/json: @fastify/swagger's options, the operation ids and the
// finishing pass that turns what it generates from the routes' TypeBox schemas into valid 3.1.
// The routes' schemas stay the one declaration of each shape; this file only reshapes the copy.
import type { SwaggerOptions } from '@fastify/swagger'
import type { RouteOptions } from 'fastify'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './paths.js'
import { ErrorBody } from './routes/api/schemas.js'

type Json = Record<string, unknown>

/** The project's licence, as package.json names it (an SPDX identifier). */
const LICENSE = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string }).license

const TAGS: { name: string; description: string }[] = [
  { name: 'tokens', description: 'API tokens: trade an email and password for a bearer token, list yours, revoke one.' },
  { name: 'templates', description: 'The built-in instruments and your own, with their items.' },
  { name: 'instruments', description: 'Your own instruments: items, scales and translations.' },
  { name: 'waves', description: 'Survey waves: their links, dates, languages and status.' },
  { name: 'units', description: 'Teams, branches, stores or regions that responses belong to.' },
  { name: 'responses', description: 'Responses added by integrations and imports, and their deletion.' },
  { name: 'reports', description: 'The gap report of a wave: shares, gaps, analytics, heat map and trend.' },
  { name: 'alerts', description: 'Gaps that moved significantly since the previous wave.' },
  { name: 'exports', description: 'Responses of a wave as CSV.' },
  { name: 'contacts', description: 'People to invite: import, list, export and erase.' },
  { name: 'invitations', description: 'Personal invitations by email, and their counts.' },
  { name: 'webhooks', description: 'Signed event deliveries to your endpoints.' },
  { name: 'plans', description: 'Action plans and their measured effect.' },
  { name: 'organization', description: 'The organization\'s settings: name, minimum group size, language, sender, sign-in security.' },
  { name: 'audit', description: 'The audit log: who did what, when, from where (owners).' },
  // Colleagues, notification and retention settings.
  { name: 'people', description: 'Colleagues who can sign in, their roles and units, and invitations by email.' },
  { name: 'notifications', description: 'Your own alert mail, digest, language of mail and the units you follow.' },
  { name: 'retention', description: 'How long contacts and comments are kept.' },
  // Organization settings and kiosks (api-settings)
  { name: 'branding', description: 'The accent colour and logo that respondent pages, posters and survey mail show.' },
  { name: 'sso', description: 'Single sign-on with your OpenID Connect identity provider.' },
  { name: 'kiosks', description: 'Tablets on a counter that take one unit\'s customer answers, one person after another.' },
]

export function swaggerOptions(publicUrl: string): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Service Gap API',
        version: '1',
        description: 'Paired staff and customer surveys, and the gap between them. Errors are `{error, message, details?}`.',
        license: { name: LICENSE, identifier: LICENSE },
      },
      servers: [{ url: publicUrl, description: 'This server' }],
      tags: TAGS,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    hideUntagged: true,
    transformObject: (documentObject) => finishDocument(('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject) as Json) as never,
  }
}

const pascal = (word: string) => word.replace(/(^|[-_.])([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase())
const singular = (word: string) => word.endsWith('ies') ? `${word.slice(0, -3)}y` : word.replace(/s$/, '')

/**
 * A stable camelCase id from the method and path: GET /waves → listWaves, GET /waves/:id → getWave,
 * POST /waves → createWave, PATCH → updateWave, PUT → replace…, DELETE → delete…; a nested resource
 * carries its parents' names (GET /waves/:id/report → getWaveReport). A route may set its own.
 */
export function operationIdOf(method: string, url: string): string {
  const segments = url.replace(/^\/api\/v1\//, '').split('/')
  const last = segments[segments.length - 1]!
  const endsWithId = last.startsWith(':')
  const names = segments.filter((s) => !s.startsWith(':'))
  const collection = !endsWithId && /s$/.test(last)
  const verb = ({ GET: collection ? 'list' : 'get', POST: 'create', PUT: 'replace', PATCH: 'update', DELETE: 'delete' } as Record<string, string>)[method] ?? method.toLowerCase()
  const keepPlural = verb === 'list'
  const words = names.map((name, i) => (i === names.length - 1 && keepPlural ? name : singular(name)))
  return verb + words.map(pascal).join('')
}

const QUERY_PATTERNS = 'x-query-patterns'

/**
 * The errors any route of its kind can answer, whatever its handler does: 400 where fastify validates
 * a part of the request, 401 where a token is needed, 413 and 415 where a body is read.
 */
function inevitableErrors(schema: Json, access: unknown): number[] {
  const codes: number[] = []
  if (schema.params || schema.querystring || schema.body) codes.push(400)
  if (access !== 'public') codes.push(401)
  if (schema.body) codes.push(413, 415)
  return codes
}

/**
 * An onRoute hook for the API routes, before fastify compiles their schemas and @fastify/swagger reads
 * them: fills in `operationId` and the errors every such route can answer, and hands on a querystring's
 * `patternProperties` (which @fastify/swagger drops) for finishDocument.
 */
export function describeOperation(route: RouteOptions) {
  const schema = route.schema as (Json & { tags?: string[]; querystring?: Json; response?: Record<string, unknown> }) | undefined
  if (!schema?.tags) return
  const method = Array.isArray(route.method) ? route.method[0]! : route.method
  schema.operationId ??= operationIdOf(method, route.url)
  const response = (schema.response ??= {})
  for (const code of inevitableErrors(schema, (route.config as { access?: unknown } | undefined)?.access)) response[code] ??= ErrorBody
  if (schema.querystring?.patternProperties) schema[QUERY_PATTERNS] = schema.querystring.patternProperties
}

/** Query keys matching a pattern, as OpenAPI 3.1 says it: one object parameter, each key its own query parameter. */
function patternParameter(operation: Json) {
  const patterns = operation[QUERY_PATTERNS] as Json | undefined
  if (!patterns) return
  delete operation[QUERY_PATTERNS]
  const names = Object.keys(patterns).map((pattern) => `\`${pattern}\``).join(', ')
  const parameters = (operation.parameters ??= []) as Json[]
  parameters.push({
    name: 'filters',
    in: 'query',
    required: false,
    style: 'form',
    explode: true,
    description: `Any number of query parameters whose names match ${names}, each sent as its own \`name=value\` pair `
      + '(form style). The server also reads them as `filters[name]=value` (deepObject style, which openapi-fetch and similar clients send by default).',
    schema: { type: 'object', patternProperties: patterns, additionalProperties: false },
  })
}

/** What each status means across the API, for responses whose schema gives no description of its own. */
const STATUS_TEXT: Record<string, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted: queued', 204: 'Done; no content',
  400: 'The request is not valid: `details` lists each problem where it can',
  401: 'No valid bearer token',
  403: 'Your role does not allow this',
  404: 'Not found, or not in your organization',
  409: 'Conflicts with the current state, or a request with the same Idempotency-Key is still running',
  413: 'The body is too large',
  415: 'The body\'s content type is not accepted here',
  422: 'The fields need correcting (`details` says how), or the Idempotency-Key was used for another request',
  429: 'Too many attempts: wait as `retry-after` says',
  503: 'The database cannot be reached, or the read replica failed under the request: try again as `retry-after` says',
}

/**
 * Every titled schema becomes a reusable component (`#/components/schemas/<title>`), referenced
 * where it was inlined; two different shapes under one title are a mistake and fail the build.
 * Draft-07 tuples (`items: [..]`, what fastify's ajv validates) become 2020-12's `prefixItems`.
 */
export function finishDocument(document: Json): Json {
  const components = (document.components ??= {}) as Json
  const schemas = (components.schemas ??= {}) as Record<string, Json>
  const seen = new Map<string, string>()
  const visit = (node: unknown, top: boolean): unknown => {
    if (Array.isArray(node)) return node.map((child) => visit(child, false))
    if (node === null || typeof node !== 'object') return node
    const object: Json = {}
    for (const [key, value] of Object.entries(node as Json)) {
      object[key] = key === 'properties' || key === 'patternProperties' || key === 'content'
        ? Object.fromEntries(Object.entries(value as Json).map(([name, child]) => [name, visit(child, false)]))
        : visit(value, false)
    }
    if (Array.isArray(object.items)) {
      object.prefixItems = object.items
      delete object.additionalItems
      object.items = false
    }
    const title = object.title
    if (top || typeof title !== 'string' || !('type' in object || 'anyOf' in object || 'oneOf' in object)) return object
    const text = JSON.stringify(object)
    const earlier = seen.get(title)
    if (earlier !== undefined && earlier !== text) throw new Error(`Two different schemas are titled "${title}": give one of them another title.`)
    seen.set(title, text)
    schemas[title] = object
    return { $ref: `#/components/schemas/${title}` }
  }
  for (const item of Object.values((document.paths ?? {}) as Record<string, Record<string, Json>>)) {
    for (const operation of Object.values(item)) {
      patternParameter(operation)
      for (const [code, response] of Object.entries((operation.responses ?? {}) as Record<string, Json>)) {
        if (response.description === 'Default Response' && STATUS_TEXT[code]) response.description = STATUS_TEXT[code]
      }
    }
  }
  document.paths = visit(document.paths, true)
  return document
}
