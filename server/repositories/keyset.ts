// Keyset paging of the API's lists, in SQL: a page is the rows after the last one shown, in the
// list's own order, found by one row comparison on the sort key (id last, so that no two rows tie)
// and read with one extra row that only says whether more follow. Rows added or removed between two
// pages move no row of the rest from one page to another, as an offset would.
import { sql, type Expression, type RawBuilder, type SelectQueryBuilder } from 'kysely'
import { pageOf, type CursorKey, type KeyPart, type Keyset } from '../domain/cursor.js'

/** Which page a caller wants: of which list, how many rows, after which key (null: from the start). */
export interface PageRequest {
  keyset: Keyset
  limit: number
  after: CursorKey | null
}

/** A page of rows and the cursor of the next one (null on the last page). */
export interface Page<T> {
  rows: T[]
  nextCursor: string | null
}

/**
 * A timestamp column as a key part: UTC ISO text to the microsecond. A JavaScript Date keeps only
 * milliseconds, and a key rounded to them would skip the rows in between.
 */
export const timeKey = (column: string) => sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

const SQL_TYPE: Record<KeyPart, string> = { time: 'timestamptz', uuid: 'uuid', text: 'text', integer: 'bigint' }

/** `(a, b, …) > (x, y, …)` for an ascending list, `<` for a descending one: the rows after the key. */
function afterKey(keyset: Keyset, key: CursorKey, columns: readonly Expression<unknown>[], direction: 'asc' | 'desc'): RawBuilder<boolean> {
  const values = key.map((part, i) => sql`cast(${part} as ${sql.raw(SQL_TYPE[keyset.parts[i]!])})`)
  return sql<boolean>`(${sql.join(columns)}) ${sql.raw(direction === 'asc' ? '>' : '<')} (${sql.join(values)})`
}

/**
 * The query narrowed to one page: after the requested key, ordered by the key's columns (all in one
 * direction; a column that sorts the other way is given negated), limit + 1 rows.
 */
export function inPage<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, page: PageRequest, columns: readonly Expression<unknown>[], direction: 'asc' | 'desc'): SelectQueryBuilder<DB, TB, O> {
  if (columns.length !== page.keyset.parts.length) throw new Error(`the ${page.keyset.list} list sorts by ${page.keyset.parts.length} columns, not ${columns.length}`)
  let ordered = page.after ? query.where(afterKey(page.keyset, page.after, columns, direction)) : query
  for (const column of columns) ordered = ordered.orderBy(column, direction)
  return ordered.limit(page.limit + 1)
}

/** The page of rows read by inPage: the rows shown, as `toRow` makes them, and the next page's cursor from the last one's key. */
export function pageFrom<R, T>(page: PageRequest, rows: readonly R[], keyOf: (row: R) => CursorKey, toRow: (row: R) => T): Page<T> {
  const shown = pageOf(page.keyset.list, rows, page.limit, keyOf)
  return { rows: shown.rows.map(toRow), nextCursor: shown.nextCursor }
}
