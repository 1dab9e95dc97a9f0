// Two things every rollout feature writes to:
// - audit_log: who did what, when, from where, per organization. Rows are only ever added: a trigger
//   refuses any update, so nothing in the product (or a slip in it) can rewrite history. Rows go
//   only when their organization does.
// - account_mails: mail about accounts (password reset, colleague invitation), sent by the mail
//   worker. A row names what it is about (ref_id); the link in it is rebuilt from the server's secret
//   when it is sent, so the database never holds a usable link.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements = [
  `create table audit_log (
    id bigserial primary key,
    organization_id uuid not null references organizations on delete cascade,
    at timestamptz not null default now(),
    -- No foreign key: the entry outlives the person's account.
    actor_user_id uuid,
    actor_email text not null default '',
    action text not null,
    target text not null default '',
    detail jsonb not null default '{}',
    ip text not null default ''
  )`,
  `create index audit_log_organization_idx on audit_log (organization_id, at desc, id desc)`,
  `create function audit_log_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only';
    end
  $$`,
  `create trigger audit_log_no_update before update on audit_log
    for each row execute function audit_log_is_append_only()`,
  `create table account_mails (
    id bigserial primary key,
    organization_id uuid not null references organizations on delete cascade,
    kind text not null,
    ref_id uuid not null,
    recipient text not null,
    params jsonb not null default '{}',
    status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
    attempts integer not null default 0,
    run_at timestamptz not null default now(),
    locked_at timestamptz,
    last_error text,
    created_at timestamptz not null default now(),
    sent_at timestamptz
  )`,
  `create index account_mails_due_idx on account_mails (run_at, id) where status = 'pending'`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'drop table if exists account_mails',
    'drop trigger if exists audit_log_no_update on audit_log',
    'drop table if exists audit_log',
    'drop function if exists audit_log_is_append_only()',
  ]) await sql.raw(statement).execute(db)
}
