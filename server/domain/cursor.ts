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

/**
 * What each part of a list's sort key is: a timestamp to the microsecond as the database keeps it
 * (ISO 8601, six decimals, UTC), a UUID, a text or a whole number.
 */
export type KeyPart = 'time' | 'uuid' | 'text' | 'integer'

/** A list's cursors: its name and the parts of its sort key, in order. */
export interface Keyset {
  list: string
  parts: readonly KeyPart[]
}

const MICRO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})\d{3}Z$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Whether a real instant is written this way: month 13, 30 February or the year 0 are not (SQL would refuse them). */
function isMicroTime(text: string): boolean {
  const millis = MICRO_TIME.exec(text)?.[1]
  if (millis === undefined) return false
  const date = new Date(`${millis}Z`)
  return !Number.isNaN(date.getTime()) && date.getUTCFullYear() >= 1 && date.toISOString() === `${millis}Z`
}

const fits: Record<KeyPart, (part: string | number) => boolean> = {
  time: (part) => typeof part === 'string' && isMicroTime(part),
  uuid: (part) => typeof part === 'string' && UUID.test(part),
  text: (part) => typeof part === 'string',
  integer: (part) => typeof part === 'number' && Number.isSafeInteger(part),
}

/** The key a cursor of this list seals when each part is of its kind; null for anything else (edited, or another list's). */
export function decodeKey(keyset: Keyset, text: string): CursorKey | null {
  const key = decodeCursor(keyset.list, text, keyset.parts.length)
  return key && key.every((part, i) => fits[keyset.parts[i]!](part)) ? key : null
}
