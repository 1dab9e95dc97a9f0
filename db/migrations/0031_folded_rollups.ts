// A response is one row, and the rollups are folded in behind it (issue 19).
//
// Answers: a customer's answers were an array in the row already (0015) next to twelve `answers` rows;
// the array is now the record, with the positions answered "not applicable" beside it (an array holds
// one null for both "no answer" and "not applicable"). A staff response keeps its answers as a jsonb
// object in its row (its keys include the prediction questions, which have no position). `answers`
// becomes a view over both, so everything that reads answers reads the same rows as before.
//
// Rollups: a public form no longer upserts seventeen rollup rows in its own statement. It adds its id
// to `fold_queue` in the same statement, and a background pass takes a batch off the queue and adds
// those rows to the rollups in one transaction. A report reads the rollups plus the queued rows, in
// one statement, so it is exact at every moment. Staff releases and imports, which write in batches,
// still add to the rollups themselves and queue nothing.
//
// With one writer at a time there is nothing to spread, so the slots go: each total is one row. The
// rollups carry organization_id, first in their keys, like the tables a distributed database would
// shard by organization.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements = [
  // Answers into the rows.
  `alter table responses add column staff_answers jsonb, add column not_applicable int2[]`,
  `update responses r set not_applicable = v.positions from (
     select a.response_id, array_agg(i.n order by i.n) as positions
     from answers a join responses r2 on r2.id = a.response_id
     join waves w on w.id = r2.wave_id
     join (select instrument_id, key, row_number() over (partition by instrument_id order by position)::int2 as n from items) i
       on i.instrument_id = w.instrument_id and i.key = a.item_key
     where r2.side = 'customer' and a.value is null
     group by a.response_id
   ) v where v.response_id = r.id`,
  `update responses r set staff_answers = coalesce((select jsonb_object_agg(a.item_key, a.value) from answers a where a.response_id = r.id), '{}')
   where r.side = 'staff'`,
  `alter table responses add constraint responses_staff_answers check ((side = 'staff') = (staff_answers is not null)),
     add constraint responses_answer_range check (0 <= all(answer_values) and 10 >= all(answer_values))`,
  `drop table answers`,
  // One row per answer, as the table had (and its response's organization): a customer's in item
  // order (n counts from 1, as arrays do).
  `create view answers (organization_id, response_id, item_key, value) as
     select r.organization_id, r.id, i.key, r.answer_values[i.n]
     from responses r
     join waves w on w.id = r.wave_id
     join (select instrument_id, key, row_number() over (partition by instrument_id order by position)::int as n from items) i
       on i.instrument_id = w.instrument_id
     where r.side = 'customer' and (r.answer_values[i.n] is not null or i.n = any(r.not_applicable))
   union all
     select r.organization_id, r.id, e.key, (e.value #>> '{}')::int2
     from responses r, jsonb_each(r.staff_answers) e
     where r.side = 'staff'`,
  // The public forms stored and not yet in the rollups: a short list the fold keeps short.
  `create table fold_queue (
     organization_id uuid not null,
     wave_id uuid not null,
     response_id uuid not null references responses (id) on delete cascade,
     primary key (organization_id, wave_id, response_id)
   )`,
]

/** Each rollup table: its key columns after the wave (without the slot) and its summed columns. */
const rollups = [
  { table: 'answer_rollups', keys: ['side', 'unit_key', 'item_key', 'value'], sums: { count: 'int4' } },
  { table: 'dimension_rollups', keys: ['side', 'unit_key', 'dimension'], sums: { respondents: 'int4', agree: 'int4', mean_sum: 'float8' } },
  { table: 'response_rollups', keys: ['side', 'unit_key'], sums: { respondents: 'int4' } },
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
  for (const { table, keys, sums } of rollups) {
    const columns = ['wave_id', ...keys].join(', ')
    await sql.raw(`create temporary table compacted as
      select w.organization_id, r.wave_id, ${keys.map((k) => `r.${k}`).join(', ')},
        ${Object.entries(sums).map(([s, type]) => `sum(r.${s})::${type} as ${s}`).join(', ')}
      from ${table} r join waves w on w.id = r.wave_id group by w.organization_id, r.wave_id, ${keys.map((k) => `r.${k}`).join(', ')}`).execute(db)
    await sql.raw(`drop table ${table} cascade`).execute(db)
    await sql.raw(`create table ${table} (like compacted)`).execute(db)
    for (const column of ['organization_id', 'wave_id', ...keys, ...Object.keys(sums)]) await sql.raw(`alter table ${table} alter column ${column} set not null`).execute(db)
    await sql.raw(`alter table ${table} add primary key (organization_id, ${columns}),
      add foreign key (wave_id, organization_id) references waves (id, organization_id) on delete cascade`).execute(db)
    await sql.raw(`insert into ${table} select * from compacted`).execute(db)
    await sql.raw('drop table compacted').execute(db)
  }
  // Profiles: the slots' count vectors summed entry by entry.
  await sql.raw(`create temporary table compacted as
    select w.organization_id, p.wave_id, p.side, p.unit_key, p.attributes, p.step, array_agg(s.total order by s.i)::int4[] as counts
    from (select wave_id, side, unit_key, attributes, step, t.i, sum(t.count)::int4 as total
          from profile_rollups, unnest(counts) with ordinality as t(count, i) group by wave_id, side, unit_key, attributes, step, t.i) s
    join (select distinct wave_id, side, unit_key, attributes, step from profile_rollups) p using (wave_id, side, unit_key, attributes, step)
    join waves w on w.id = p.wave_id
    group by w.organization_id, p.wave_id, p.side, p.unit_key, p.attributes, p.step`).execute(db)
  await sql.raw('drop table profile_rollups cascade').execute(db)
  await sql.raw(`create table profile_rollups (
    organization_id uuid not null,
    wave_id uuid not null,
    side text not null,
    unit_key uuid not null,
    attributes jsonb not null,
    step integer not null default 0,
    counts int4[] not null,
    primary key (organization_id, wave_id, side, unit_key, attributes, step),
    foreign key (wave_id, organization_id) references waves (id, organization_id) on delete cascade
  )`).execute(db)
  await sql.raw(`insert into profile_rollups (organization_id, wave_id, side, unit_key, attributes, step, counts)
    select organization_id, wave_id, side, unit_key, attributes, step, counts from compacted`).execute(db)
  await sql.raw('drop table compacted').execute(db)
}

export async function down(): Promise<void> {
  throw new Error('0031 cannot be undone: the answers rows and the rollup slots are gone')
}
