// The counters behind every rate limit, shared by all instances (0029). A hit is one statement that
// adds itself to the key's window, or starts a new window when the last one has ended, and returns
// the count: two instances counting the same key at once are serialised by the row, so neither can
// read a count the other is about to raise. Windows follow the app's clock (instances differ by the
// few milliseconds their clocks do, which moves a window's end by as much).
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
export async function countHit(db: Db, name: string, keyHash: string, windowMs: number, now = new Date()): Promise<Hit> {
  const { rows } = await sql<{ hits: number; resets_at: Date }>`
    insert into rate_limits as r (name, key_hash, hits, resets_at)
    values (${name}, ${keyHash}, 1, ${new Date(now.getTime() + windowMs)}::timestamptz)
    on conflict (name, key_hash) do update set
      hits = case when r.resets_at <= ${now}::timestamptz then 1 else least(r.hits, ${MAX_HITS - 1}) + 1 end,
      resets_at = case when r.resets_at <= ${now}::timestamptz then excluded.resets_at else r.resets_at end
    returning hits, resets_at`.execute(db)
  const row = rows[0]!
  return { hits: row.hits, ttlMs: Math.max(0, new Date(row.resets_at).getTime() - now.getTime()) }
}

/** Deletes the counters whose window ended by `now`; returns how many. */
export async function purgeRateLimits(db: Db, now = new Date()): Promise<number> {
  const result = await db.deleteFrom('rate_limits').where('resets_at', '<=', now).executeTakeFirst()
  return Number(result.numDeletedRows)
}
