// Schemas shared by the API routes; they validate requests, type handlers and feed the OpenAPI document.
import { Type } from 'typebox'
import { DEFAULT_LIMIT, MAX_LIMIT } from '../../domain/cursor.js'

export const ErrorBody = Type.Object({
  error: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
}, { $id: 'Error', title: 'Error' })

export const errors = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, ErrorBody]))

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

export const LocalizedText = Type.Record(Type.String(), Type.String())

/** The paging query of every list: `limit` rows after `cursor` (what the page before gave as the next one's). */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: `How many rows a page holds (1–${MAX_LIMIT}, ${DEFAULT_LIMIT} by default).` })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'Where the page starts: the cursor the page before gave (its `Next-Cursor` header, or `nextCursor` where the body has one). Leave out for the first page.' })),
}

export const NextCursor = Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last page.' })
