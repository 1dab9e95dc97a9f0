// The counters behind every rate limit, shared by all instances (0029). Each instance tallies its hits
// in memory (domain/rate-tally.ts) and stores them here in one statement per flush: every key's hits
// are added to its window, or start a new window when the last one has ended, and the statement
// answers with the totals, which include every other instance's hits stored so far. Two instances
// adding to the same keys at once are serialised by the rows; they take the rows in the same order
// (the batch is sorted by name and key), so they cannot deadlock. Windows follow the app's clock
// (instances differ by the few milliseconds their clocks do, which moves a window's end by as much).
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { CountDelta, CountKey, StoredCount } from '../domain/rate-tally.js'

/** The largest count kept: a flood goes on being refused without overflowing the column. */
const MAX_HITS = 2_147_483_647

/**
 * Adds the deltas (one per key) and reads back their totals, with those of `refreshed` (keys only
 * read). A key whose window has ended and was purged, or that was never stored, is not in the answer.
 */
export async function addHits(db: Db, deltas: CountDelta[], refreshed: CountKey[], now = new Date()): Promise<StoredCount[]> {
  const { rows } = await sql<{ name: string; key_hash: string; hits: number; resets_at: Date }>`
    with added as (
      insert into rate_limits as r (name, key_hash, hits, resets_at)
      select d.name, d.key_hash, least(d.hits, ${MAX_HITS}), ${now}::timestamptz + d.window_ms * interval '1 millisecond'
      from unnest(${deltas.map((d) => d.name)}::text[], ${deltas.map((d) => d.keyHash)}::text[], ${deltas.map((d) => d.hits)}::bigint[], ${deltas.map((d) => d.windowMs)}::bigint[])
        as d(name, key_hash, hits, window_ms)
      on conflict (name, key_hash) do update set
        hits = case when r.resets_at <= ${now}::timestamptz then excluded.hits else least(r.hits::bigint + excluded.hits, ${MAX_HITS}) end,
        resets_at = case when r.resets_at <= ${now}::timestamptz then excluded.resets_at else r.resets_at end
      returning r.name, r.key_hash, r.hits, r.resets_at
    )
    select name, key_hash, hits, resets_at from added
    union all
    select r.name, r.key_hash, r.hits, r.resets_at from rate_limits r
    join unnest(${refreshed.map((k) => k.name)}::text[], ${refreshed.map((k) => k.keyHash)}::text[]) as k(name, key_hash)
      on r.name = k.name and r.key_hash = k.key_hash`.execute(db)
  return rows.map((row) => ({ name: row.name, keyHash: row.key_hash, hits: Number(row.hits), resetsAt: new Date(row.resets_at).getTime() }))
}

/** Deletes the counters whose window ended by `now`; returns how many. */
export async function purgeRateLimits(db: Db, now = new Date()): Promise<number> {
  const result = await db.deleteFrom('rate_limits').where('resets_at', '<=', now).executeTakeFirst()
  return Number(result.numDeletedRows)
}
