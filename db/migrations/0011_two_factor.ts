// Tables and columns for two-factor sign-in (TOTP and recovery codes).
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements: string[] = [
  // The TOTP secret is stored sealed (AES-256-GCM under a key derived from SIGNING_SECRET), never in
  // clear. totp_last_step is the time step of the last code accepted, so no code works twice.
  // A pending secret waits there until the person confirms it with a code.
  `alter table users
    add column totp_secret text,
    add column totp_enabled_at timestamptz,
    add column totp_last_step integer,
    add column totp_pending_secret text,
    add column totp_pending_at timestamptz,
    add column two_factor_failures integer not null default 0,
    add column two_factor_failed_at timestamptz`,
  `alter table organizations add column require_two_factor boolean not null default false`,
  // Only a keyed hash of each recovery code; used_at makes each one single use.
  `create table recovery_codes (
    user_id uuid not null references users on delete cascade,
    code_hash text not null,
    used_at timestamptz,
    primary key (user_id, code_hash)
  )`,
  // A sign-in that has proved the password but not yet the second factor (or must set one up first).
  // The browser holds a random token in an httpOnly cookie; only its hash is kept here.
  `create table two_factor_challenges (
    token_hash text primary key,
    user_id uuid not null references users on delete cascade,
    organization_id uuid not null references organizations on delete cascade,
    purpose text not null check (purpose in ('verify', 'enrol')),
    next text not null,
    failures integer not null default 0,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null
  )`,
  `create index two_factor_challenges_expires_idx on two_factor_challenges (expires_at)`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'drop table if exists two_factor_challenges',
    'drop table if exists recovery_codes',
    'alter table organizations drop column if exists require_two_factor',
    `alter table users drop column if exists totp_secret, drop column if exists totp_enabled_at, drop column if exists totp_last_step,
      drop column if exists totp_pending_secret, drop column if exists totp_pending_at,
      drop column if exists two_factor_failures, drop column if exists two_factor_failed_at`,
  ]) await sql.raw(statement).execute(db)
}
