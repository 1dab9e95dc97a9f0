// "Is this wave open now" in SQL: the rule of effectiveStatus (domain/periods.ts) for queries that
// must decide it at the moment they run, such as storing a form only while its wave is open. Every
// query that asks builds it here; test/db/rules.test.ts checks it against effectiveStatus.
import { sql, type RawBuilder } from 'kysely'

/**
 * True when the row of `waves` named by `table` is open at `at` (the statement's now() by default):
 * not closed, its closing date (if any) still ahead, and either open or a draft whose opening date has come.
 */
export function waveIsOpen(table = 'waves', at: Date | null = null): RawBuilder<boolean> {
  const column = (name: string) => sql.ref(`${table}.${name}`)
  const now = at === null ? sql`now()` : sql`${at}::timestamptz`
  return sql<boolean>`(${column('status')} <> 'closed'
    and (${column('closes_at')} is null or ${column('closes_at')} > ${now})
    and (${column('status')} = 'open' or (${column('opens_at')} is not null and ${column('opens_at')} <= ${now})))`
}

/** True when the row of `waves` named by `table` is closed at `at`: closed by a person, or past its closing date (effectiveStatus 'closed'). */
export function waveIsClosed(table = 'waves', at: Date | null = null): RawBuilder<boolean> {
  const column = (name: string) => sql.ref(`${table}.${name}`)
  const now = at === null ? sql`now()` : sql`${at}::timestamptz`
  return sql<boolean>`(${column('status')} = 'closed' or (${column('closes_at')} is not null and ${column('closes_at')} <= ${now}))`
}
