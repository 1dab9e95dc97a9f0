// Tables and columns for single sign-on (OIDC) per organization.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements: string[] = [
  // One identity provider per organization. The client secret is kept only encrypted
  // (server/security/secret-box.ts, a key derived from SIGNING_SECRET).
  `create table sso_settings (
    organization_id uuid primary key references organizations on delete cascade,
    enabled boolean not null default false,
    issuer text not null default '',
    client_id text not null default '',
    client_secret_sealed text,
    sign_in_mode text not null default 'invitation' check (sign_in_mode in ('domains', 'invitation')),
    allowed_domains text[] not null default '{}',
    default_role text not null default 'viewer' check (default_role in ('viewer', 'analyst')),
    sso_required boolean not null default false,
    break_glass_user_id uuid references users on delete set null,
    updated_at timestamptz not null default now()
  )`,
  // A sign-in under way, between the redirect to the provider and its return: single use (the row
  // is deleted when the provider sends the browser back), bound to the browser by a cookie's hash.
  `create table sso_sign_ins (
    state_hash text primary key,
    organization_id uuid not null references organizations on delete cascade,
    browser_hash text not null,
    issuer text not null,
    nonce text not null,
    code_verifier_sealed text not null,
    next text not null default '/waves',
    created_at timestamptz not null default now(),
    expires_at timestamptz not null
  )`,
  `create index sso_sign_ins_expires_idx on sso_sign_ins (expires_at)`,
  // An account signed in with SSO is linked to its subject at that issuer; an SSO-only account has no password.
  `alter table users add column sso_issuer text`,
  `alter table users add column sso_subject text`,
  `create unique index users_sso_subject_key on users (organization_id, sso_issuer, sso_subject) where sso_subject is not null`,
  `alter table users alter column password_hash drop not null`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    // Accounts without a password cannot go back to a schema that requires one.
    `delete from users where password_hash is null`,
    'alter table users alter column password_hash set not null',
    'drop index if exists users_sso_subject_key',
    'alter table users drop column if exists sso_subject',
    'alter table users drop column if exists sso_issuer',
    'drop table if exists sso_sign_ins',
    'drop table if exists sso_settings',
  ]) await sql.raw(statement).execute(db)
}
