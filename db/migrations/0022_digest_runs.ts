// The digest's marker (issue 16 part 5): one row per wave and digest run ('close', or an ISO week such
// as '2026-W48' for the weekly digest of an open wave), written once every subscriber's digest of that
// run is queued. The digest pass looks only for runs that are due and have no row, so it does not
// rebuild reports every few seconds, and a run once done is never repeated.
// Every wave closed before this migration gets its 'close' row here: the closing digest is for waves
// that close after the feature exists, not for every old quarter on the day it is deployed.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements = [
  `create table digest_runs (
    wave_id uuid not null references waves on delete cascade,
    organization_id uuid not null references organizations on delete cascade,
    run text not null check (run = 'close' or run ~ '^[0-9]{4}-W[0-9]{2}$'),
    queued_at timestamptz not null default now(),
    primary key (wave_id, run)
  )`,
  `insert into digest_runs (wave_id, organization_id, run)
    select id, organization_id, 'close' from waves where status = 'closed' or (closes_at is not null and closes_at <= now())`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop table if exists digest_runs').execute(db)
}
