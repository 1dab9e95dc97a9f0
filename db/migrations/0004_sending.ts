// Contacts, the mail queue (a transactional outbox), unsubscribes, the development outbox and the
// delivery columns of invitations.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements = [
  `create table contacts (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations on delete cascade,
    side text not null check (side in ('staff', 'customer')),
    email text not null check (email = lower(email)),
    name text not null default '',
    unit_id uuid,
    locale text,
    attributes jsonb not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (organization_id, email, side),
    foreign key (unit_id, organization_id) references units (id, organization_id) on delete set null (unit_id)
  )`,
  `create index contacts_organization_idx on contacts (organization_id, side)`,
  // Unsubscribing is per organization and email, so it outlives any contact row and any re-import.
  `create table unsubscribes (
    organization_id uuid not null references organizations on delete cascade,
    email text not null,
    created_at timestamptz not null default now(),
    primary key (organization_id, email)
  )`,
  `alter table invitations add column contact_id uuid references contacts on delete set null`,
  `alter table invitations add column reminders_sent integer not null default 0`,
  `alter table invitations add column last_sent_at timestamptz`,
  `alter table invitations add column error text`,
  `create unique index invitations_wave_contact_key on invitations (wave_id, contact_id) where contact_id is not null`,
  `alter table waves add column reminders integer not null default 2 check (reminders between 0 and 5)`,
  `alter table waves add column reminder_days integer not null default 4 check (reminder_days between 1 and 30)`,
  `create table mail_jobs (
    id bigserial primary key,
    organization_id uuid not null references organizations on delete cascade,
    invitation_id uuid not null references invitations on delete cascade,
    kind text not null check (kind in ('invitation', 'reminder')),
    status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
    attempts integer not null default 0,
    run_at timestamptz not null default now(),
    locked_at timestamptz,
    last_error text,
    created_at timestamptz not null default now(),
    sent_at timestamptz
  )`,
  `create index mail_jobs_due_idx on mail_jobs (run_at, id) where status = 'pending'`,
  `create index mail_jobs_stale_idx on mail_jobs (locked_at) where status = 'sending'`,
  `create index mail_jobs_invitation_idx on mail_jobs (invitation_id)`,
  // Sending pauses by itself when too many messages fail; a person resumes it.
  `create table mail_state (
    organization_id uuid primary key references organizations on delete cascade,
    paused_at timestamptz,
    paused_reason text
  )`,
  // Without SMTP_URL, messages land here so the whole flow works on a laptop.
  `create table outbox_messages (
    id bigserial primary key,
    organization_id uuid not null references organizations on delete cascade,
    recipient text not null,
    subject text not null,
    text_body text not null,
    html_body text not null,
    headers jsonb not null default '{}',
    created_at timestamptz not null default now()
  )`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'drop table if exists outbox_messages', 'drop table if exists mail_state', 'drop table if exists mail_jobs',
    'alter table waves drop column if exists reminders', 'alter table waves drop column if exists reminder_days',
    'drop index if exists invitations_wave_contact_key',
    'alter table invitations drop column if exists contact_id', 'alter table invitations drop column if exists reminders_sent',
    'alter table invitations drop column if exists last_sent_at', 'alter table invitations drop column if exists error',
    'drop table if exists unsubscribes', 'drop table if exists contacts',
  ]) await sql.raw(statement).execute(db)
}
