// Cursors of the API's lists. A cursor is the sort key of the last row a page showed, sealed as
// base64url JSON: opaque to clients, stable while rows come and go (keyset paging, not offsets), and
// checked on the way back in, so a cursor that was edited or belongs to another list is refused.

/** The values a list sorts by, in order (a timestamp as ISO text, then the id that breaks ties). */
export type CursorKey = readonly (string | number)[]

export const DEFAULT_LIMIT = 100
export const MAX_LIMIT = 1000

export function encodeCursor(list: string, key: CursorKey): string {
  return Buffer.from(JSON.stringify([list, ...key])).toString('base64url')
}

/** The key sealed in a cursor of this list with this many parts, or null for anything else. */
export function decodeCursor(list: string, text: string, parts: number): CursorKey | null {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    return null
  }
  if (!Array.isArray(value) || value.length !== parts + 1 || value[0] !== list) return null
  const key = value.slice(1)
  return key.every((part) => typeof part === 'string' || (typeof part === 'number' && Number.isFinite(part))) ? key : null
}

/**
 * One page from rows fetched with limit + 1: the extra row only says that more follow, and the
 * cursor names the last row shown.
 */
export function pageOf<T>(list: string, rows: readonly T[], limit: number, keyOf: (row: T) => CursorKey): { rows: T[]; nextCursor: string | null } {
  const shown = rows.slice(0, limit)
  const last = shown.at(-1)
  return { rows: shown, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(list, keyOf(last)) : null }
}
