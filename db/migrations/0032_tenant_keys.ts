// Tenant keys (issue 19, "Citus on paper"): every table that belongs to one organization gets
// organization_id in its primary key, and a foreign key from one such table to another carries it,
// so that the tables could be distributed by organization_id (db/tenancy.ts) and every row, and the
// rows it points to, live on the same node.
//
// 1. Tables that had no organization_id take it from their parent row (NOT NULL, references
//    organizations).
// 2. Foreign keys between tenant tables that lack organization_id are dropped, the primary keys
//    become (organization_id, <old key>), and the foreign keys come back as composite
//    (organization_id, …) references to them, with their old delete rules (a SET NULL sets only the
//    old columns: the organization stays).
// 3. The unique keys that `insert … on conflict` relies on lead with organization_id.
//
// answers and the four rollup tables are left as they are: 0031 folds them. Were a foreign key of
// theirs still to point at a primary key changed here (a database on which 0031 has not run), it is
// put back as it was, on a unique key of the old columns kept for it. The token uniques (links,
// invitations, kiosks, api_tokens, password and colleague invitation links) and the submission keys of
// responses and staff_pool stay as they are: see the README's "Distributing with Citus".
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

/** The tables this migration keys by organization (the tenant tables of its day, less 0031's). */
const TENANT_TABLES = [
  'sessions', 'api_tokens', 'units', 'waves', 'links', 'kiosks', 'kiosk_days', 'kiosk_device_counts', 'idempotency_keys',
  'caller_writes', 'responses', 'invitations', 'contacts', 'unsubscribes', 'mail_jobs', 'mail_state', 'outbox_messages',
  'uploads', 'upload_parts', 'staff_pool', 'staff_releases', 'audit_log', 'account_mails', 'password_resets',
  'colleague_invitations', 'unit_managers', 'sso_settings', 'sso_sign_ins', 'two_factor_challenges', 'suppressions',
  'release_revisions', 'retention_settings', 'action_plans', 'notification_settings', 'notification_mails', 'alerts',
  'wave_watch', 'webhooks', 'webhook_deliveries', 'webhook_attempts', 'digest_runs', 'organization_branding', 'fold_queue',
]

/** Left to 0031 (answers becomes a view; the rollups get organization_id of their own). */
const FOLDED_ELSEWHERE = ['answers', 'answer_rollups', 'dimension_rollups', 'response_rollups', 'profile_rollups']

/** Tables without organization_id, and the parent each row takes it from. */
const BACKFILLS: Array<{ table: string; column: string; parent: string }> = [
  { table: 'kiosk_days', column: 'kiosk_id', parent: 'kiosks' },
  { table: 'kiosk_device_counts', column: 'kiosk_id', parent: 'kiosks' },
  { table: 'release_revisions', column: 'wave_id', parent: 'waves' },
  { table: 'staff_releases', column: 'wave_id', parent: 'waves' },
  { table: 'upload_parts', column: 'upload_id', parent: 'uploads' },
  { table: 'webhook_attempts', column: 'delivery_id', parent: 'webhook_deliveries' },
]

/** Unique keys used by `on conflict` (or by one row per thing) that now lead with organization_id. */
const UNIQUE_KEYS = [
  ['alter table alerts drop constraint alerts_wave_id_unit_id_item_key_rule_key',
    'alter table alerts add constraint alerts_wave_unit_item_rule_key unique (organization_id, wave_id, unit_id, item_key, rule)'],
  ['alter table webhook_deliveries drop constraint webhook_deliveries_webhook_id_event_id_key',
    'alter table webhook_deliveries add constraint webhook_deliveries_event_key unique (organization_id, webhook_id, event_id)'],
  ['alter table notification_mails drop constraint notification_mails_kind_ref_recipient_key',
    'alter table notification_mails add constraint notification_mails_ref_key unique (organization_id, kind, ref, recipient)'],
  ['alter table kiosks drop constraint kiosks_link_id_key',
    'alter table kiosks add constraint kiosks_link_key unique (organization_id, link_id)'],
  ['drop index invitations_wave_contact_key',
    'create unique index invitations_wave_contact_key on invitations (organization_id, wave_id, contact_id) where contact_id is not null'],
  ['drop index links_wave_side_key',
    'create unique index links_wave_side_key on links (organization_id, wave_id, side) where unit_id is null'],
  ['drop index links_wave_side_unit_key',
    'create unique index links_wave_side_unit_key on links (organization_id, wave_id, side, unit_id) where unit_id is not null'],
  ['drop index waves_repeated_from_key',
    'create unique index waves_repeated_from_key on waves (organization_id, repeated_from) where repeated_from is not null'],
].flat()

interface ForeignKey {
  name: string
  source: string
  target: string
  columns: string[]
  target_columns: string[]
  on_delete: string
  definition: string
}

const ON_DELETE: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' }

const list = (names: readonly string[]) => names.map((name) => `"${name}"`).join(', ')

async function foreignKeys(db: Kysely<any>): Promise<ForeignKey[]> {
  const { rows } = await sql<ForeignKey>`
    select con.conname as name, src.relname as source, tgt.relname as target,
      array(select a.attname::text from unnest(con.conkey) with ordinality k(n, i)
        join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i) as columns,
      array(select a.attname::text from unnest(con.confkey) with ordinality k(n, i)
        join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.i) as target_columns,
      con.confdeltype as on_delete, pg_get_constraintdef(con.oid) as definition
    from pg_constraint con
    join pg_class src on src.oid = con.conrelid
    join pg_class tgt on tgt.oid = con.confrelid
    where con.contype = 'f' and src.relnamespace = current_schema()::regnamespace
    order by src.relname, con.conname`.execute(db)
  return rows
}

async function primaryKeys(db: Kysely<any>): Promise<Map<string, { name: string; columns: string[] }>> {
  const { rows } = await sql<{ table: string; name: string; columns: string[] }>`
    select rel.relname as table, con.conname as name,
      array(select a.attname::text from unnest(con.conkey) with ordinality k(n, i)
        join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i) as columns
    from pg_constraint con join pg_class rel on rel.oid = con.conrelid
    where con.contype = 'p' and rel.relnamespace = current_schema()::regnamespace`.execute(db)
  return new Map(rows.map((row) => [row.table, { name: row.name, columns: row.columns }]))
}

const run = (db: Kysely<any>, statement: string) => sql.raw(statement).execute(db)

export async function up(db: Kysely<any>): Promise<void> {
  for (const { table, column, parent } of BACKFILLS) {
    await run(db, `alter table ${table} add column organization_id uuid`)
    await run(db, `update ${table} t set organization_id = p.organization_id from ${parent} p where p.id = t.${column}`)
    await run(db, `alter table ${table} alter column organization_id set not null`)
    await run(db, `alter table ${table} add constraint ${table}_organization_id_fkey foreign key (organization_id) references organizations (id) on delete cascade`)
  }

  const tenant = new Set(TENANT_TABLES)
  const primary = await primaryKeys(db)
  const rekeyed = TENANT_TABLES.filter((table) => !primary.get(table)!.columns.includes('organization_id'))
  const changing = new Set(rekeyed)
  const keys = await foreignKeys(db)
  // Between tenant tables, without organization_id: made composite.
  const composite = keys.filter((fk) => tenant.has(fk.source) && tenant.has(fk.target) && !fk.columns.includes('organization_id'))
  // From a table 0031 folds onto a primary key changed here: put back as it was.
  const kept = keys.filter((fk) => FOLDED_ELSEWHERE.includes(fk.source) && changing.has(fk.target)
    && sameColumns(fk.target_columns, primary.get(fk.target)!.columns))
  for (const fk of [...composite, ...kept]) await run(db, `alter table ${fk.source} drop constraint ${fk.name}`)

  for (const table of rekeyed) {
    const { name, columns } = primary.get(table)!
    await run(db, `alter table ${table} drop constraint ${name}`)
    await run(db, `alter table ${table} add constraint ${table}_pkey primary key (organization_id, ${list(columns)})`)
  }
  for (const statement of UNIQUE_KEYS) await run(db, statement)

  for (const fk of composite) {
    const rule = ON_DELETE[fk.on_delete]!
    const onDelete = rule === 'set null' ? `set null (${list(fk.columns)})` : rule
    await run(db, `alter table ${fk.source} add constraint ${fk.name} foreign key (organization_id, ${list(fk.columns)})
      references ${fk.target} (organization_id, ${list(fk.target_columns)}) on delete ${onDelete}`)
  }
  const oldKeys = new Set<string>()
  for (const fk of kept) {
    const name = `${fk.target}_${fk.target_columns.join('_')}_key`
    if (!oldKeys.has(name)) await run(db, `alter table ${fk.target} add constraint ${name} unique (${list(fk.target_columns)})`)
    oldKeys.add(name)
    await run(db, `alter table ${fk.source} add constraint ${fk.name} ${fk.definition}`)
  }
}

const sameColumns = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((name) => b.includes(name))

export async function down(): Promise<void> {
  throw new Error('0032_tenant_keys cannot be undone: restore a backup taken before it')
}
