// Where each table would live if the database were distributed by organization (Citus, design §6
// "Scale beyond one machine"). The one list of it: test/db/tenant-keys.test.ts holds the schema and
// the queries the app runs to it, and the README's "Distributing with Citus" follows it.
//
// - tenant: distributed by organization_id, all co-located. Its primary key starts with
//   organization_id, a foreign key to another tenant table carries it, and every query names it, so
//   that a statement goes to the one node holding that organization.
// - reference: copied to every node. Small, read by every organization, written rarely.
// - global: not about one organization; distributed by a key of its own (or left on the coordinator).
import type { Database } from './schema.js'

export type Placement = 'tenant' | 'reference' | 'global'

export const TABLE_PLACEMENT = {
  // -- reference --
  /** The tenants themselves: every tenant table's organization_id points here. */
  organizations: 'reference',
  /** Global: one account per email across the installation, and signing in finds the organization from the email. */
  users: 'reference',
  /** A user's recovery codes, read with the user at sign-in (like users, no organization is known before). */
  recovery_codes: 'reference',
  /** Built-in instruments have no organization (organization_id null) and every organization's waves use them. */
  instruments: 'reference',
  /** The items of an instrument, built-in or own. */
  items: 'reference',

  // -- global --
  /** Counters per client address, counted before anyone is known (distribute by key_hash). */
  rate_limits: 'global',
  /** Failed sign-ins and reset requests per hashed email, before the account is known (distribute by key_hash). */
  throttle_events: 'global',

  // -- tenant --
  sessions: 'tenant',
  api_tokens: 'tenant',
  units: 'tenant',
  waves: 'tenant',
  links: 'tenant',
  kiosks: 'tenant',
  kiosk_days: 'tenant',
  kiosk_device_counts: 'tenant',
  idempotency_keys: 'tenant',
  caller_writes: 'tenant',
  responses: 'tenant',
  /** A view over responses.answer_values from 0031 on; its rows are the responses' own. */
  answers: 'tenant',
  invitations: 'tenant',
  contacts: 'tenant',
  unsubscribes: 'tenant',
  mail_jobs: 'tenant',
  mail_state: 'tenant',
  outbox_messages: 'tenant',
  uploads: 'tenant',
  upload_parts: 'tenant',
  answer_rollups: 'tenant',
  dimension_rollups: 'tenant',
  response_rollups: 'tenant',
  profile_rollups: 'tenant',
  fold_queue: 'tenant',
  staff_pool: 'tenant',
  staff_releases: 'tenant',
  audit_log: 'tenant',
  account_mails: 'tenant',
  password_resets: 'tenant',
  colleague_invitations: 'tenant',
  unit_managers: 'tenant',
  sso_settings: 'tenant',
  sso_sign_ins: 'tenant',
  two_factor_challenges: 'tenant',
  suppressions: 'tenant',
  release_revisions: 'tenant',
  retention_settings: 'tenant',
  action_plans: 'tenant',
  notification_settings: 'tenant',
  notification_mails: 'tenant',
  alerts: 'tenant',
  wave_watch: 'tenant',
  webhooks: 'tenant',
  webhook_deliveries: 'tenant',
  webhook_attempts: 'tenant',
  digest_runs: 'tenant',
  organization_branding: 'tenant',
} as const satisfies Record<keyof Database, Placement>

export type TableName = keyof typeof TABLE_PLACEMENT

export const tablesPlaced = (placement: Placement): TableName[] =>
  (Object.keys(TABLE_PLACEMENT) as TableName[]).filter((table) => TABLE_PLACEMENT[table] === placement)

/** Kysely's own bookkeeping: stays on the coordinator, where migrations run. */
export const MIGRATION_TABLES = ['kysely_migration', 'kysely_migration_lock'] as const
