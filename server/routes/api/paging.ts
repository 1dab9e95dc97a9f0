// The API's lists page by cursor: the page a request asks for, its answer's schema, and the next page
// announced in headers (`Link: <…>; rel="next"` after RFC 8288, and `Next-Cursor`), so that the body
// stays the bare array that integrations already read (design §7). Both headers are absent on the
// last page.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type, type TSchema } from '@fastify/type-provider-typebox'
import { decodeKey, DEFAULT_LIMIT, MAX_LIMIT, type Keyset } from '../../domain/cursor.js'
import { fieldsInvalid, invalidCursor } from '../../http-error.js'
import type { Page, PageRequest } from '../../repositories/keyset.js'

interface PageParams { limit?: number; cursor?: string }

/** The page a request's `limit` and `cursor` name in this list; a cursor the list did not give out is a 400. */
export function pageRequest(keyset: Keyset, query: PageParams, maxLimit = MAX_LIMIT): PageRequest {
  const limit = query.limit ?? DEFAULT_LIMIT
  // The schema already holds it to the range; this keeps a coerced Infinity or NaN from reaching SQL all the same.
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > maxLimit) throw fieldsInvalid({ limit: `must be a whole number from 1 to ${maxLimit}` })
  if (query.cursor === undefined) return { keyset, limit, after: null }
  const after = decodeKey(keyset, query.cursor)
  if (!after) throw invalidCursor()
  return { keyset, limit, after }
}

/**
 * Announces the page after this one in the headers (nothing on the last page) and gives back the
 * rows. The link repeats the request with `cursor` and `limit` set, its other query parameters kept
 * (less any that the cursor supersedes, such as an older list's own `before`).
 */
export function sendPage<T>(request: FastifyRequest, reply: FastifyReply, page: Page<T>, options: { superseded?: readonly string[] } = {}): T[] {
  if (page.nextCursor === null) return page.rows
  const [path, search = ''] = request.url.split('?', 2) as [string, string?]
  const query = new URLSearchParams(search)
  for (const name of ['cursor', 'limit', ...(options.superseded ?? [])]) query.delete(name)
  query.set('cursor', page.nextCursor)
  query.set('limit', String((request.query as PageParams).limit ?? DEFAULT_LIMIT))
  const next = `${request.server.config.publicUrl.replace(/\/+$/, '')}${path}?${query.toString()}`
  reply.header('link', `<${next}>; rel="next"`)
  reply.header('next-cursor', page.nextCursor)
  return page.rows
}

/** The 200 of a paged list: the array of rows, and the headers that lead to the next page. */
export function pageResponse<T extends TSchema>(rows: T, description: string) {
  return {
    description,
    headers: {
      Link: Type.String({ description: 'The next page, as `<url>; rel="next"` (RFC 8288): this request with `cursor` and `limit` set. Absent on the last page.' }),
      'Next-Cursor': Type.String({ description: 'The cursor of the next page, to pass as `cursor`. Absent on the last page.' }),
    },
    content: { 'application/json': { schema: rows } },
  }
}
