// Archived units and each organization's mail sender settings.
// - units.archived_at: set when a unit is retired. It keeps its responses and links (reports of past
//   waves still show it) but is offered nowhere new; cleared again on restore.
// - organizations.sender_name / reply_to: the display name of the From header of survey mail (the
//   installation's address stays the sender) and the address replies go to. The checks repeat the
//   form's rules that matter for safety, so no row can carry a line break into a mail header.
// Every table of a wave already goes with it (on delete cascade since 0001–0006), so deleting a wave
// needs nothing here.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements: string[] = [
  `alter table units add column archived_at timestamptz`,
  `alter table organizations add column sender_name text not null default ''
    check (length(sender_name) <= 100 and sender_name !~ '[[:cntrl:]]')`,
  `alter table organizations add column reply_to text
    check (reply_to is null or (length(reply_to) <= 254 and reply_to = lower(reply_to) and reply_to ~ '^[^[:space:][:cntrl:]<>,;"@]+@[^[:space:][:cntrl:]<>,;"@]+$'))`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'alter table organizations drop column if exists reply_to',
    'alter table organizations drop column if exists sender_name',
    'alter table units drop column if exists archived_at',
  ]) await sql.raw(statement).execute(db)
}
