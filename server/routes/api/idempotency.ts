// The Idempotency-Key header on the API's creating POSTs (the IETF draft "The Idempotency-Key HTTP
// Header Field", as Stripe practises it). An onRoute hook for the API (registered in ./index.ts)
// gives each such route four hooks, and declares the header and its answers in the OpenAPI document:
// - preParsing: checks the key (400 naming the header) and hashes the body's bytes as they arrive;
// - preHandler (after validation: a request refused by its schema never holds a key, as with Stripe):
//   claims the key in the database, or replays the first answer (`Idempotent-Replayed: true`), or
//   answers 409 while the first request runs, 422 when the key was used for another request;
// - onSend: keeps the answer for 24 hours, when it is one to keep (domain/idempotency.ts says which);
// - onResponse: frees a claim whose request ended without sending through onSend.
// A request without the header is not touched.
import { finished } from 'node:stream/promises'
import { Transform, type Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import { Type } from 'typebox'
import { bodyHash, checkIdempotencyKey, IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_PATTERN, requestFingerprint } from '../../domain/idempotency.js'
import { HttpError } from '../../http-error.js'
import { abandonClaim, keepAnswer, keepsAnswer, startIdempotent, type Caller, type Claimed } from '../../services/idempotency.js'
import { ErrorBody } from './schemas.js'

/**
 * The rule, in one place: every POST of the API takes an Idempotency-Key (they all create something:
 * waves, units, responses, contacts, invitations, plans, webhooks, instruments), except these.
 */
const EXEMPT = new Map<string, string>([
  // A token is a secret shown once, and stored only as its hash, so that not even the database can
  // give it out again; a kept answer would be a second, readable copy, handed to whoever repeats the
  // request. And the caller has no credential yet to scope a key to (the password is in the body).
  // A retry costs nothing: at worst one more token, which the person can revoke.
  ['/api/v1/tokens', 'shows a secret once'],
])

export const takesIdempotencyKey = (method: string, url: string) => method === 'POST' && url.startsWith('/api/v1/') && !EXEMPT.has(url)

/** SHA-256 of no bytes: the body of a request that sent none. */
const NO_BODY = bodyHash().digest('hex')

interface KeyedRequest {
  caller: Caller
  /** The body as the route reads it, hashed on the way. */
  stream: Transform
  bytes: number
  /** Hex SHA-256 of the body, once it has been read to its end. */
  bodySha256: string | null
  claim: Claimed | null
  settled: boolean
}

const keyed = new WeakMap<FastifyRequest, KeyedRequest>()

const invalidKey = (problem: string) =>
  new HttpError(400, 'invalid_idempotency_key', `The Idempotency-Key header ${problem}.`, [{ field: 'Idempotency-Key', message: problem }])

function hashing(state: Omit<KeyedRequest, 'stream'>): Transform {
  const hash = bodyHash()
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      state.bytes += chunk.length
      hash.update(chunk)
      callback(null, chunk)
    },
    flush(callback) {
      state.bodySha256 = hash.digest('hex')
      callback()
    },
  })
}

async function preParsing(request: FastifyRequest, _reply: FastifyReply, payload: Readable): Promise<Readable> {
  const header = request.headers[IDEMPOTENCY_HEADER]
  // The routes all need a principal (auth refused the request otherwise); without a key, nothing changes.
  if (header === undefined || !request.principal) return payload
  const checked = checkIdempotencyKey(header)
  if ('problem' in checked) throw invalidKey(checked.problem)
  const state = {
    caller: { organizationId: request.principal.organizationId, userId: request.principal.userId, key: checked.key },
    bytes: 0, bodySha256: null, claim: null, settled: false,
  } as Omit<KeyedRequest, 'stream'> as KeyedRequest
  state.stream = hashing(state)
  // An error of the request stream (a client gone mid-body) reaches the body parser through this one.
  payload.on('error', (error) => state.stream.destroy(error))
  keyed.set(request, state)
  return payload.pipe(state.stream)
}

/** The body's hash; a body the route reads as a stream (a CSV import) is read to its end first, within the route's body limit. */
async function bodySha256(request: FastifyRequest, state: KeyedRequest): Promise<string> {
  if (state.bodySha256 !== null) return state.bodySha256
  if (request.body === undefined) return NO_BODY
  const limit = request.routeOptions.bodyLimit ?? Infinity
  state.stream.on('data', () => {
    if (state.bytes > limit) state.stream.destroy(new HttpError(413, 'payload_too_large', 'The body is larger than this operation accepts.'))
  })
  await finished(state.stream)
  return state.bodySha256!
}

const fingerprintOf = (request: FastifyRequest, bodySha: string) =>
  requestFingerprint({ method: request.method, url: request.url, contentType: request.headers['content-type'] ?? '', bodySha256: bodySha })

async function preHandler(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const state = keyed.get(request)
  if (!state) return undefined
  const { db, config } = request.server
  const start = await startIdempotent(db, config.signingSecret, state.caller, async () => fingerprintOf(request, await bodySha256(request, state)))
  if (start.outcome === 'run') {
    state.claim = start.claim
    return undefined
  }
  if (start.outcome === 'running') {
    throw new HttpError(409, 'idempotency_key_in_progress', 'A request with this Idempotency-Key is still running. Wait a moment and send it again to get its answer.')
  }
  if (start.outcome === 'reused') {
    throw new HttpError(422, 'idempotency_key_reused', 'This Idempotency-Key was used in the last 24 hours for another request (another path or body). '
      + 'Send the same request to get its answer again, or use a new key for a new request.', [{ field: 'Idempotency-Key', message: 'was used for another request' }])
  }
  state.settled = true
  // The first answer exactly: status, media type and bytes. `no-store`: it may hold a secret shown once (a webhook's).
  return reply.code(start.answer.status).header('content-type', start.answer.contentType).header('idempotent-replayed', 'true')
    .header('cache-control', 'no-store').send(start.answer.body)
}

async function onSend(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const state = keyed.get(request)
  if (!state?.claim || state.settled) return payload
  state.settled = true
  const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null
  const bodySha = state.bodySha256 ?? (request.body === undefined ? NO_BODY : null)
  const contentType = String(reply.getHeader('content-type') ?? '')
  const answer = body === null || contentType === '' ? null : { status: reply.statusCode, contentType, body }
  const fingerprint = bodySha === null ? null : fingerprintOf(request, bodySha)
  try {
    await keepAnswer(request.server.db, request.server.config.signingSecret, state.claim, answer, fingerprint)
  } catch (error) {
    // The answer goes out all the same: it is the truth about what was done. A kept answer that could
    // not be stored leaves the claim until its lease ends, so a retry meanwhile hears "in progress"
    // rather than doing the work twice. A claim that was to be freed (typically: the database went
    // away mid-request, the answer a 503) is freed as soon as the database is back.
    const e = error as { name?: string; code?: string }
    request.log.error({ error: { name: e?.name, code: e?.code } }, 'settling an idempotency key failed')
    if (!keepsAnswer(answer, fingerprint)) releaseSoon(request.server.db, state.claim)
  }
  return payload
}

/** Tries to free a claim again, less often each time (1 s, 2 s, 4 s … then every 30 s, for about three minutes). */
function releaseSoon(db: FastifyRequest['server']['db'], claim: Claimed, attempt = 0) {
  if (attempt >= 10) return
  const retry = () => void abandonClaim(db, claim).catch(() => releaseSoon(db, claim, attempt + 1))
  setTimeout(retry, Math.min(1000 * 2 ** attempt, 30_000)).unref()
}

async function onResponse(request: FastifyRequest): Promise<void> {
  const state = keyed.get(request)
  if (!state?.claim || state.settled) return
  state.settled = true
  const { db } = request.server
  const claim = state.claim
  await abandonClaim(db, claim).catch(() => releaseSoon(db, claim))
}

const KeyHeader = Type.Object({
  'Idempotency-Key': Type.Optional(Type.String({
    pattern: IDEMPOTENCY_KEY_PATTERN,
    description: 'Makes a retry safe: a key of your choice (1–255 visible ASCII characters, a UUID for instance), new for each new request. '
      + 'For 24 hours, the same request (method, path and body bytes) with the same key gets the first answer again, with the header '
      + '`Idempotent-Replayed: true`, and nothing is done twice. The same key with another request answers 422; while the first is still '
      + 'running, 409. A 5xx answer (and 401, 403, 408, 429) is not kept, so its retry runs afresh. Keys are per organization and person.',
  })),
})

/** On an answer replayed for a repeated key; absent on a first answer. */
const ReplayedHeader = {
  'Idempotent-Replayed': Type.Literal('true', { description: 'Present, as `true`, when this is the first answer to an earlier request with the same Idempotency-Key, replayed.' }),
}

type RouteSchema = { tags?: string[]; headers?: { properties?: Record<string, unknown> }; response?: Record<string, unknown> }
const asList = <T>(hooks: T | T[] | undefined): T[] => (hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks])

/** The onRoute hook: gives each route the rule above covers its hooks, and its document the header and the 409 and 422 it may answer. */
export function idempotentCreation(route: RouteOptions) {
  const method = Array.isArray(route.method) ? route.method[0]! : route.method
  if (!takesIdempotencyKey(method, route.url)) return
  route.preParsing = [...asList(route.preParsing), preParsing] as RouteOptions['preParsing']
  route.preHandler = [...asList(route.preHandler), preHandler] as RouteOptions['preHandler']
  route.onSend = [...asList(route.onSend), onSend] as RouteOptions['onSend']
  route.onResponse = [...asList(route.onResponse), onResponse] as RouteOptions['onResponse']
  const schema = route.schema as RouteSchema | undefined
  if (!schema?.tags) return
  schema.headers = { ...KeyHeader, ...schema.headers, properties: { ...KeyHeader.properties, ...schema.headers?.properties } }
  const response = (schema.response ??= {})
  // A copy of each success schema carries the header: the schema itself may be shared with other routes.
  for (const [code, body] of Object.entries(response)) {
    if (/^2/.test(code) && typeof body === 'object' && body !== null) response[code] = { ...body, headers: { ...(body as { headers?: object }).headers, ...ReplayedHeader } }
  }
  response[409] ??= ErrorBody
  response[422] ??= ErrorBody
}
