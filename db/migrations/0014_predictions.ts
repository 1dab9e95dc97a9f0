// Staff predictions of what customers say (issue 14, SERVQUAL's gap 1). A wave chooses whether its
// staff are asked "Out of 10 of our customers, how many would agree: …?": not at all, for the
// headline, or for every item. The answers are stored like any other answer of the staff response,
// under the item key `predict:<key>` (server/domain/predictions.ts), so they share its anonymity:
// the pool, the release steps and the rollups carry them without a table of their own.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`alter table waves add column predictions text not null default 'off'
    check (predictions in ('off', 'headline', 'all'))`).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('alter table waves drop column if exists predictions').execute(db)
}
