// Responses and their answers, personal invitations (single-use tokens; the contacts they are sent
// to arrive with sending), and uploaded CSV files waiting for confirmation.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements = [
  `create table responses (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null,
    wave_id uuid not null,
    side text not null check (side in ('staff', 'customer')),
    unit_id uuid,
    locale text not null,
    channel text not null check (channel in ('link', 'invitation', 'import', 'api')),
    attributes jsonb not null default '{}',
    comment text check (length(comment) <= 2000),
    submission_key text,
    submitted_at timestamptz not null default now(),
    foreign key (wave_id, organization_id) references waves (id, organization_id) on delete cascade,
    foreign key (unit_id, organization_id) references units (id, organization_id)
  )`,
  // The same form sent twice (a double click, a resent tab) carries the same key and is stored once.
  `create unique index responses_submission_key on responses (wave_id, submission_key) where submission_key is not null`,
  `create index responses_wave_idx on responses (wave_id, side, unit_id)`,
  `create table answers (
    response_id uuid not null references responses on delete cascade,
    item_key text not null,
    value smallint check (value between 0 and 10),
    primary key (response_id, item_key)
  )`,
  `create table invitations (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null,
    wave_id uuid not null,
    side text not null check (side in ('staff', 'customer')),
    unit_id uuid,
    locale text,
    attributes jsonb not null default '{}',
    token_hash text not null unique,
    status text not null default 'queued' check (status in ('queued', 'sent', 'failed', 'bounced')),
    -- A used invitation records that it was used; only a customer's also records when, so that no
    -- timestamp can tie a staff member's invitation to their anonymous response.
    used boolean not null default false,
    used_at timestamptz,
    check (used_at is null or (used and side = 'customer')),
    created_at timestamptz not null default now(),
    foreign key (wave_id, organization_id) references waves (id, organization_id) on delete cascade,
    foreign key (unit_id, organization_id) references units (id, organization_id)
  )`,
  `create index invitations_wave_idx on invitations (wave_id)`,
  `create table imports (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null,
    wave_id uuid not null,
    user_id uuid references users on delete set null,
    filename text not null,
    content text not null,
    row_count integer not null,
    created_at timestamptz not null default now(),
    imported_at timestamptz,
    foreign key (wave_id, organization_id) references waves (id, organization_id) on delete cascade
  )`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['imports', 'invitations', 'answers', 'responses']) await sql.raw(`drop table if exists ${table}`).execute(db)
}
