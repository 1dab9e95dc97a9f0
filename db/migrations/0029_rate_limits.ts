// Rate-limit counters in the database (scale-out): every instance behind a load balancer counts the
// same requests, so a limit of ten a minute stays ten however many instances answer. One row per
// limit and key: the hits in the current window and when that window ends. The key is a keyed hash
// (HMAC under the signing secret) of what is counted, usually the client's address, never the address
// itself. Rows whose window has ended are purged by the periodic worker. Frozen in time: written
// against Kysely<any>.
import { sql, type Kysely } from 'kysely'

const statements = [
  `create table rate_limits (
    name text not null check (length(name) between 1 and 200),
    key_hash text not null check (key_hash ~ '^[A-Za-z0-9_-]{43}$'),
    hits integer not null check (hits >= 1),
    resets_at timestamptz not null,
    primary key (name, key_hash)
  )`,
  `create index rate_limits_resets_at on rate_limits (resets_at)`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop table if exists rate_limits').execute(db)
}
