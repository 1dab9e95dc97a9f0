// Running totals per wave, side and unit, kept current in the same transaction as each response, so
// a report reads a few hundred rows instead of every answer. Each total is split over a few slots
// chosen at random per transaction, so concurrent submissions rarely wait on the same row.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements = [
  `create table answer_rollups (
    wave_id uuid not null references waves on delete cascade,
    side text not null,
    unit_key uuid not null,
    item_key text not null,
    value smallint not null,
    slot smallint not null,
    count integer not null,
    primary key (wave_id, side, unit_key, item_key, value, slot)
  )`,
  `create table dimension_rollups (
    wave_id uuid not null references waves on delete cascade,
    side text not null,
    unit_key uuid not null,
    dimension text not null,
    slot smallint not null,
    respondents integer not null,
    agree integer not null,
    mean_sum double precision not null,
    primary key (wave_id, side, unit_key, dimension, slot)
  )`,
  `create table response_rollups (
    wave_id uuid not null references waves on delete cascade,
    side text not null,
    unit_key uuid not null,
    slot smallint not null,
    respondents integer not null,
    primary key (wave_id, side, unit_key, slot)
  )`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['response_rollups', 'dimension_rollups', 'answer_rollups']) await sql.raw(`drop table if exists ${table}`).execute(db)
}
