// Whether a statement must be answered (issue 17 part 3): the instrument decides, per item. Customers
// may skip any statement that is not required, and a skipped one is stored as null, as "Not
// applicable" is. Every instrument stored before this migration keeps its headline required and lets
// the other statements be skipped, which is what the built-in instrument asks from now on. The
// frozen-instrument trigger is set aside for this one update: it changes what a form may leave out,
// never a wording, a scale or an answer already given.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements = [
  `alter table items add column required boolean not null default false`,
  `alter table items disable trigger items_frozen`,
  `update items set required = true where headline`,
  `alter table items enable trigger items_frozen`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('alter table items drop column if exists required').execute(db)
}
