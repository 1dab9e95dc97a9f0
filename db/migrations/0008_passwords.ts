// Password resets by email, and the counters behind the per-account limits of sign-in and reset.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements: string[] = [
  // A reset link: single use (used_at), valid until expires_at. The link's token is rebuilt from the
  // server's secret and this id by the mail worker; only its hash is kept.
  `create table password_resets (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations on delete cascade,
    user_id uuid not null references users on delete cascade,
    token_hash text not null unique,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at timestamptz
  )`,
  `create index password_resets_user_idx on password_resets (user_id, created_at)`,
  // One row per counted event (a failed sign-in, a reset request), keyed by a hash of what is limited
  // (an email address as typed, so unknown addresses are limited the same way). Kept in the database
  // so every server process sees the same counts; rows older than the longest window are deleted.
  `create table throttle_events (
    id bigint generated always as identity primary key,
    scope text not null check (scope in ('sign_in', 'password_reset')),
    key_hash text not null,
    at timestamptz not null default now()
  )`,
  `create index throttle_events_key_idx on throttle_events (scope, key_hash, at)`,
  `create index throttle_events_at_idx on throttle_events (at)`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of ['drop table if exists throttle_events', 'drop table if exists password_resets']) await sql.raw(statement).execute(db)
}
