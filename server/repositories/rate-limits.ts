// The counters behind every rate limit, shared by all instances (0029). A hit is one statement that
// adds itself to the key's window, or starts a new window when the last one has ended, and returns
// the count: two instances counting the same key at once are serialised by the row, so neither can
// read a count the other is about to raise. Windows run on the database's clock, which all instances
// share, not on each machine's own.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'

/** The largest count kept: a flood goes on being refused without overflowing the column. */
const MAX_HITS = 2_147_483_647

export interface Hit {
  /** Hits in the window, this one included. */
  hits: number
  /** Milliseconds until the window ends. */
  ttlMs: number
}

/** Counts one hit of a key against a limit whose windows last `windowMs`. */
export async function countHit(db: Db, name: string, keyHash: string, windowMs: number): Promise<Hit> {
  const { rows } = await sql<{ hits: number; ttl_ms: number }>`
    insert into rate_limits as r (name, key_hash, hits, resets_at)
    values (${name}, ${keyHash}, 1, now() + ${windowMs}::int8 * interval '1 millisecond')
    on conflict (name, key_hash) do update set
      hits = case when r.resets_at <= now() then 1 else least(r.hits, ${MAX_HITS - 1}) + 1 end,
      resets_at = case when r.resets_at <= now() then excluded.resets_at else r.resets_at end
    returning hits, greatest(0, ceil(extract(epoch from (resets_at - now())) * 1000))::float8 as ttl_ms`.execute(db)
  const row = rows[0]!
  return { hits: row.hits, ttlMs: Number(row.ttl_ms) }
}

/** Deletes the counters whose window has ended (by the database's clock); returns how many. */
export async function purgeRateLimits(db: Db): Promise<number> {
  const result = await db.deleteFrom('rate_limits').where('resets_at', '<=', sql<Date>`now()`).executeTakeFirst()
  return Number(result.numDeletedRows)
}
