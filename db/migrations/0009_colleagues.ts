// Colleague invitations by email, and unit managers: a role that reads reports only of the units
// assigned to it.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements: string[] = [
  `alter table users drop constraint if exists users_role_check`,
  `alter table users add constraint users_role_check check (role in ('owner', 'admin', 'analyst', 'viewer', 'unit_manager'))`,
  // A pending invitation: single use (accepted_at), valid until expires_at, withdrawn by revoked_at.
  // The link's token is rebuilt from the server's secret and this id; only its hash is kept.
  `create table colleague_invitations (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations on delete cascade,
    email text not null check (email = lower(email)),
    name text not null default '',
    role text not null check (role in ('owner', 'admin', 'analyst', 'viewer', 'unit_manager')),
    unit_ids uuid[] not null default '{}',
    invited_by uuid references users on delete set null,
    token_hash text not null unique,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    accepted_at timestamptz,
    revoked_at timestamptz
  )`,
  `create index colleague_invitations_organization_idx on colleague_invitations (organization_id, email)`,
  // At most one open invitation per address and organization, also when two admins invite at once.
  `create unique index colleague_invitations_open_idx on colleague_invitations (organization_id, email) where accepted_at is null and revoked_at is null`,
  `create table unit_managers (
    organization_id uuid not null references organizations on delete cascade,
    user_id uuid not null references users on delete cascade,
    unit_id uuid not null references units on delete cascade,
    primary key (user_id, unit_id)
  )`,
  `create index unit_managers_unit_idx on unit_managers (unit_id)`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'drop table if exists unit_managers', 'drop table if exists colleague_invitations',
    `update users set role = 'viewer' where role = 'unit_manager'`,
    'alter table users drop constraint if exists users_role_check',
    `alter table users add constraint users_role_check check (role in ('owner', 'admin', 'analyst', 'viewer'))`,
  ]) await sql.raw(statement).execute(db)
}
