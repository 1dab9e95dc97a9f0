// Each customer response carries its answers as one array too, in the order of its instrument's items
// (null where there is no answer): the key drivers read every customer of a wave as a respondent row,
// and reading 100,000 rows of one array each costs a fraction of regrouping 1,200,000 answer rows per
// response. `answers` stays the record every count is checked against; this is a copy written in the
// same statement. Staff responses have none (their answers reach the figures only through the rollups
// and the release steps).
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`alter table responses add column answer_values int2[]`).execute(db)
  await sql.raw(`update responses r set answer_values = v.answer_values from (
      select r2.id, array_agg(a.value order by i.position) as answer_values
      from responses r2
      join waves w on w.id = r2.wave_id
      join items i on i.instrument_id = w.instrument_id
      left join answers a on a.response_id = r2.id and a.item_key = i.key
      where r2.side = 'customer'
      group by r2.id
    ) v where v.id = r.id`).execute(db)
  await sql.raw(`alter table responses add constraint responses_customer_answer_values
    check ((side = 'customer') = (answer_values is not null))`).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('alter table responses drop column if exists answer_values').execute(db)
}
