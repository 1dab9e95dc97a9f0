// Data rights (issue 13): suppressions that outlive a deleted contact who had unsubscribed, a revision per wave side that the cached
// anonymity release reads (so a deletion is noticed even when the count comes back to the same
// number), and each organization's retention settings.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements: string[] = [
  // HMAC-SHA256 of the normalized email under the server secret: enough to refuse the address again,
  // not enough to read it back.
  `create table suppressions (
    organization_id uuid not null references organizations on delete cascade,
    email_hash text not null,
    created_at timestamptz not null default now(),
    primary key (organization_id, email_hash)
  )`,
  `create table release_revisions (
    wave_id uuid not null references waves on delete cascade,
    side text not null check (side in ('staff', 'customer')),
    revision integer not null default 0,
    primary key (wave_id, side)
  )`,
  `create table retention_settings (
    organization_id uuid primary key references organizations on delete cascade,
    contact_months integer check (contact_months between 1 and 600),
    comment_months integer check (comment_months between 1 and 600),
    updated_at timestamptz not null default now()
  )`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'drop table if exists retention_settings',
    'drop table if exists release_revisions',
    'drop table if exists suppressions',
  ] as string[]) await sql.raw(statement).execute(db)
}
