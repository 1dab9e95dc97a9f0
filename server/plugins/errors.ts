// Error and not-found handling. API callers get {error, message, details?}; browsers get a page.
// Unexpected errors are logged with the request and answered with a generic message.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { isDatabaseUnavailable, isRecoveryConflict } from '../../db/connect.js'
import * as format from '../format.js'
import { HttpError } from '../http-error.js'

export const isApiRequest = (request: FastifyRequest) => request.url.startsWith('/api/')

/** What a 503 asks a caller to wait when the database is out: long enough not to add to its load, short enough for a restart. */
const DATABASE_RETRY_SECONDS = 10

function normalize(error: FastifyError | HttpError | Error, request: FastifyRequest): HttpError {
  if (error instanceof HttpError) return error
  const fe = error as FastifyError
  if (fe.validation) {
    const details = fe.validation.map((v) => ({ field: (v.instancePath || '').replace(/^\//, '').replaceAll('/', '.') || (v.params as { missingProperty?: string })?.missingProperty || '', message: v.message ?? 'is invalid' }))
    // An id in the path that is not even a UUID names nothing: say so rather than quote the format.
    const malformedIds = fe.validationContext === 'params' && fe.validation.every((v) => v.keyword === 'format' && (v.params as { format?: string }).format === 'uuid')
    if (malformedIds) {
      const named = details.map((d) => ({ ...d, message: 'is not an id: ids are UUIDs, as the API gives them' }))
      return new HttpError(400, 'validation_failed', `The request is not valid: ${named.map((d) => `"${d.field}" in the path`).join(' and ')} is not an id: ids are UUIDs, as the API gives them.`, named)
    }
    return new HttpError(400, 'validation_failed', `The request is not valid: ${fe.message}`, details)
  }
  if (isDatabaseUnavailable(error)) {
    // The read replica lost under this request: the request is not read again elsewhere (its figures
    // would come from two servers), but the next one reads the primary at once (plugins/reads.ts).
    if (request.server.replicaFailed(error)) {
      return new HttpError(503, 'database_unavailable', 'The database copy that serves reports stopped answering while this was read. Please try again: the next attempt reads the main database.', undefined, 1)
    }
    return new HttpError(503, 'database_unavailable', 'The database cannot be reached right now. Please try again in a moment.', undefined, DATABASE_RETRY_SECONDS)
  }
  // The replica stopped this read to replay what the primary did meanwhile: it is well, and a second
  // try (on it or the primary, whichever the next request reads) starts afresh.
  if (request.readsFrom === 'replica' && isRecoveryConflict(error)) {
    return new HttpError(503, 'database_unavailable', 'The database copy that serves reports cancelled this read to catch up with the main database. Please try again.', undefined, 1)
  }
  const status = fe.statusCode ?? 500
  if (status >= 400 && status < 500) {
    const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : status === 429 ? 'too_many_requests' : 'bad_request'
    return new HttpError(status, code, fe.message)
  }
  return new HttpError(500, 'internal_error', 'Something went wrong on our side. The problem has been logged.')
}

const TITLES: Record<number, string> = {
  400: 'That request was not understood',
  401: 'Please sign in',
  403: 'You do not have access to this',
  404: 'Page not found',
  409: 'That conflicts with something that exists',
  410: 'This is no longer available',
  413: 'That was too large',
  414: 'That address is too long',
  429: 'Too many attempts',
  503: 'Temporarily unavailable',
}

export async function sendError(request: FastifyRequest, reply: FastifyReply, error: HttpError): Promise<FastifyReply> {
  reply.code(error.statusCode)
  // A header set already (a sign-in's own lockout) says best how long.
  if (error.statusCode === 429) reply.header('retry-after', reply.getHeader('retry-after') ?? String(error.retryAfter ?? 60))
  if (error.statusCode === 503 && error.retryAfter !== undefined) reply.header('retry-after', reply.getHeader('retry-after') ?? String(error.retryAfter))
  if (isApiRequest(request) || !request.headers.accept?.includes('text/html')) {
    return reply.send({ error: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) })
  }
  return reply.page('error', {
    title: TITLES[error.statusCode] ?? 'Something went wrong',
    message: error.message,
    status: error.statusCode,
  })
}

/**
 * The answer to an address the router cannot read (a broken percent escape, a parameter longer than
 * the router takes). Fastify calls this before any hook or reply decoration exists, so the page is
 * rendered through the app's view engine directly, as for someone not signed in.
 */
export async function sendUnroutable(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, error: HttpError): Promise<FastifyReply> {
  reply.code(error.statusCode).header('x-content-type-options', 'nosniff')
  if (isApiRequest(request) || !request.headers.accept?.includes('text/html')) {
    return reply.type('application/json; charset=utf-8').send(JSON.stringify({ error: error.code, message: error.message }))
  }
  const html = await app.view('pages/error', {
    title: TITLES[error.statusCode] ?? 'Something went wrong', message: error.message, status: error.statusCode,
    principal: null, can: () => false, csrf: '', path: '/', format,
  })
  return reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'self'; frame-ancestors 'none'; base-uri 'none'").send(html)
}

export default fp(async function errors(app: FastifyInstance) {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const normalized = normalize(error, request)
    // A replica lost mid-request is an outage of one server, answered and routed around: a warning.
    if (normalized.statusCode === 503 && (request.server.replicaFailed(error) || isRecoveryConflict(error))) request.log.warn({ err: error }, 'the read replica failed under this request')
    else if (normalized.statusCode >= 500) request.log.error({ err: error }, 'request failed')
    return sendError(request, reply, normalized)
  })
  app.setNotFoundHandler(async (request, reply) =>
    sendError(request, reply, new HttpError(404, 'not_found', isApiRequest(request)
      ? `There is no ${request.method} ${request.url.split('?')[0]} in this API.`
      : 'There is nothing at this address. Check the link, or go back to the waves list.')),
  )
}, { name: 'errors', dependencies: ['views'] })
