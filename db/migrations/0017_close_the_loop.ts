// Closing the loop (design §4 "Action effect", "Gap drift"; issue 16): what a quarterly benchmark
// needs to run itself and to tell whether what was done about it worked.
// - action_plans: what a unit will change about one item (or dimension), started after a wave.
// - notification_settings: per user, which units they follow, alert mail on or off, the digest.
// - notification_mails: alert and digest mail, queued once per recipient and thing (the unique key
//   is what makes "sent at most once" hold across workers and restarts), sent by the mail worker.
// - alerts: a released finding of one unit × item between two waves, stored once per rule.
// - wave_watch: how far the alert pass has looked at each wave (its release step, its closing).
// - webhooks, webhook_deliveries, webhook_attempts: an organization's endpoints, the durable queue of
//   events to deliver (rows written in the same transaction as what they announce) and every try.
// - waves gain a schedule: repeat every month or quarter, the wave a repeat was made from, the opening
//   date the worker opens it on, and whether subscribers get a weekly digest while it is open.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements = [
  `create table action_plans (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations on delete cascade,
    wave_id uuid not null,
    unit_id uuid not null,
    item_key text,
    dimension text,
    owner text not null check (length(owner) between 1 and 200),
    change text not null check (length(change) between 1 and 2000),
    due_on date,
    status text not null default 'planned' check (status in ('planned', 'in_progress', 'done', 'dropped')),
    created_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check ((item_key is null) <> (dimension is null)),
    foreign key (wave_id, organization_id) references waves (id, organization_id) on delete cascade,
    foreign key (unit_id, organization_id) references units (id, organization_id) on delete cascade
  )`,
  `create index action_plans_wave_idx on action_plans (organization_id, wave_id)`,
  `create index action_plans_unit_idx on action_plans (organization_id, unit_id)`,
  `create table notification_settings (
    user_id uuid primary key references users on delete cascade,
    organization_id uuid not null references organizations on delete cascade,
    -- null: every unit the user may read; otherwise these units only.
    unit_ids uuid[],
    alert_email boolean not null default true,
    digest text not null default 'close' check (digest in ('off', 'close', 'weekly')),
    locale text not null default 'en',
    updated_at timestamptz not null default now()
  )`,
  `create table notification_mails (
    id bigserial primary key,
    organization_id uuid not null references organizations on delete cascade,
    user_id uuid references users on delete set null,
    kind text not null check (kind in ('alert', 'digest')),
    -- What it is about, unique per kind and recipient: an alert's id, a digest's wave and period.
    ref text not null,
    recipient text not null,
    locale text not null default 'en',
    params jsonb not null default '{}',
    status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
    attempts integer not null default 0,
    run_at timestamptz not null default now(),
    locked_at timestamptz,
    last_error text,
    created_at timestamptz not null default now(),
    sent_at timestamptz,
    unique (kind, ref, recipient)
  )`,
  `create index notification_mails_due_idx on notification_mails (run_at, id) where status = 'pending'`,
  `create table alerts (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations on delete cascade,
    wave_id uuid not null,
    previous_wave_id uuid not null,
    unit_id uuid not null,
    item_key text not null,
    rule text not null check (rule in ('gap_drift', 'customers_fell')),
    -- The aggregates the alert states (released figures only), and the release step it was found at.
    figures jsonb not null,
    release_seq integer not null default 0,
    created_at timestamptz not null default now(),
    unique (wave_id, unit_id, item_key, rule),
    foreign key (wave_id, organization_id) references waves (id, organization_id) on delete cascade
  )`,
  `create index alerts_wave_idx on alerts (organization_id, wave_id, created_at desc)`,
  `create table wave_watch (
    wave_id uuid primary key references waves on delete cascade,
    organization_id uuid not null references organizations on delete cascade,
    evaluated_seq integer not null default -1,
    closed_evaluated_at timestamptz,
    updated_at timestamptz not null default now()
  )`,
  `create table webhooks (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations on delete cascade,
    url text not null,
    -- Sealed with the signing secret (security/encryption.ts): the server must read it to sign.
    secret text not null,
    events text[] not null,
    active boolean not null default true,
    created_at timestamptz not null default now()
  )`,
  `create index webhooks_organization_idx on webhooks (organization_id)`,
  `create table webhook_deliveries (
    id bigserial primary key,
    organization_id uuid not null references organizations on delete cascade,
    webhook_id uuid not null references webhooks on delete cascade,
    event_id uuid not null,
    event text not null,
    payload jsonb not null,
    status text not null default 'pending' check (status in ('pending', 'sending', 'delivered', 'failed')),
    attempts integer not null default 0,
    run_at timestamptz not null default now(),
    locked_at timestamptz,
    last_status integer,
    last_error text,
    created_at timestamptz not null default now(),
    delivered_at timestamptz,
    unique (webhook_id, event_id)
  )`,
  `create index webhook_deliveries_due_idx on webhook_deliveries (run_at, id) where status = 'pending'`,
  `create index webhook_deliveries_webhook_idx on webhook_deliveries (webhook_id, id desc)`,
  `create table webhook_attempts (
    id bigserial primary key,
    delivery_id bigint not null references webhook_deliveries on delete cascade,
    at timestamptz not null default now(),
    status_code integer,
    error text,
    duration_ms integer not null default 0
  )`,
  `create index webhook_attempts_delivery_idx on webhook_attempts (delivery_id, id)`,
  `alter table waves add column repeat_every text check (repeat_every in ('month', 'quarter'))`,
  `alter table waves add column repeated_from uuid references waves on delete set null`,
  `create unique index waves_repeated_from_key on waves (repeated_from) where repeated_from is not null`,
  `alter table waves add column weekly_digest boolean not null default false`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'alter table waves drop column if exists weekly_digest', 'drop index if exists waves_repeated_from_key',
    'alter table waves drop column if exists repeated_from', 'alter table waves drop column if exists repeat_every',
    'drop table if exists webhook_attempts', 'drop table if exists webhook_deliveries', 'drop table if exists webhooks',
    'drop table if exists wave_watch', 'drop table if exists alerts', 'drop table if exists notification_mails',
    'drop table if exists notification_settings', 'drop table if exists action_plans',
  ]) await sql.raw(statement).execute(db)
}
