// The pgbench scripts of the submit benchmark (submit.ts): what the database is asked to do per form,
// without HTTP or Node. test/db/bench-script.test.ts runs each once and checks what it writes.
//
// - 'statement': what storeResponse sends for a public form today (insertResponse in
//   server/repositories/responses.ts, kept in step with it): one row, its answers in it, and its
//   entry in the fold's queue. The fold's own work comes later and is timed apart (submit.ts).
// - 'before-fold': the design before issue 19's fold (7fbc9b5), today's baseline in that issue: one
//   statement that inserts the response, its 12 answer rows and its 17 rollup upserts, over 16 slots.
//   Those tables are gone, so it writes scratch copies of their old shapes (BEFORE_FOLD_TABLES).
// - 'one-row': the fair peer baseline of design §8 (ONE_ROW_TABLE).
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'

export interface Item { key: string; dimension: string; headline: boolean }
export type ScriptForm = 'statement' | 'before-fold' | 'one-row'

/**
 * The fair peer baseline of design §8: a response stored the simplest durable way, as one row with
 * its answers in that row (what LimeSurvey and Formbricks do), keeping only the guarantee that a
 * double submit stores once (a unique submission key). Its own table, made before pgbench runs.
 */
export const ONE_ROW_TABLE = `CREATE TABLE IF NOT EXISTS bench_one_row (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), organization_id uuid NOT NULL,`
  + ` wave_id uuid NOT NULL, side text NOT NULL, answers int2[] NOT NULL, comment text, submission_key text NOT NULL,`
  + ` submitted_at timestamptz NOT NULL DEFAULT now(), UNIQUE (wave_id, submission_key))`

/** How many slots each rollup total was spread over before the fold. */
const BEFORE_FOLD_SLOTS = 16

/**
 * The tables 'before-fold' writes: responses as they were before 0031 (today's table, its indexes
 * and foreign keys, without the three columns 0031 added), answers one row each (0002), and the
 * rollups keyed by wave and slot (0003, 0006). Scratch copies, so the app's own tables and their
 * figures are left alone. The rollups' old foreign key to waves is left out: since 0032 waves are
 * keyed by (organization_id, id), which the old rollups do not carry; it cost a check only when a
 * total's row was first made, never on the updates that are nearly every write.
 */
export const BEFORE_FOLD_TABLES = [
  `CREATE TABLE bench_responses (LIKE responses INCLUDING ALL)`,
  `ALTER TABLE bench_responses DROP COLUMN staff_answers, DROP COLUMN not_applicable, DROP CONSTRAINT responses_answer_range,`
    + ` ADD UNIQUE (id), ADD FOREIGN KEY (wave_id, organization_id) REFERENCES waves (id, organization_id) ON DELETE CASCADE,`
    + ` ADD FOREIGN KEY (unit_id, organization_id) REFERENCES units (id, organization_id)`,
  `CREATE TABLE bench_answers (response_id uuid NOT NULL REFERENCES bench_responses (id) ON DELETE CASCADE, item_key text NOT NULL,`
    + ` value smallint CHECK (value BETWEEN 0 AND 10), PRIMARY KEY (response_id, item_key))`,
  `CREATE TABLE bench_answer_rollups (wave_id uuid NOT NULL, side text NOT NULL, unit_key uuid NOT NULL,`
    + ` item_key text NOT NULL, value smallint NOT NULL, slot smallint NOT NULL, count integer NOT NULL, PRIMARY KEY (wave_id, side, unit_key, item_key, value, slot))`,
  `CREATE TABLE bench_dimension_rollups (wave_id uuid NOT NULL, side text NOT NULL, unit_key uuid NOT NULL,`
    + ` dimension text NOT NULL, slot smallint NOT NULL, respondents integer NOT NULL, agree integer NOT NULL, mean_sum double precision NOT NULL,`
    + ` PRIMARY KEY (wave_id, side, unit_key, dimension, slot))`,
  `CREATE TABLE bench_response_rollups (wave_id uuid NOT NULL, side text NOT NULL, unit_key uuid NOT NULL,`
    + ` slot smallint NOT NULL, respondents integer NOT NULL, PRIMARY KEY (wave_id, side, unit_key, slot))`,
  `CREATE TABLE bench_profile_rollups (wave_id uuid NOT NULL, side text NOT NULL, unit_key uuid NOT NULL,`
    + ` attributes jsonb NOT NULL, step integer NOT NULL DEFAULT 0, slot int2 NOT NULL, counts int4[] NOT NULL,`
    + ` PRIMARY KEY (wave_id, side, unit_key, attributes, step, slot))`,
]

/** Makes the tables a form's script writes, unless they are there already. */
export async function createScriptTables(db: Db, form: ScriptForm): Promise<void> {
  if (form === 'one-row') await sql.raw(ONE_ROW_TABLE).execute(db)
  if (form !== 'before-fold') return
  const { rows } = await sql<{ exists: boolean }>`select to_regclass('bench_responses') is not null as exists`.execute(db)
  if (rows[0]?.exists) return
  await db.transaction().execute(async (trx) => {
    for (const statement of BEFORE_FOLD_TABLES) await sql.raw(statement).execute(trx)
  })
}

/** A fresh submission key per form, as the survey page hands out. */
const SUBMISSION_KEY = `'p' || md5(random()::text || clock_timestamp()::text)`

export function pgbenchScript(form: ScriptForm, organizationId: string, waveId: string, items: readonly Item[]): string {
  const keys = items.map((item) => item.key)
  const v = (key: string) => `:v${keys.indexOf(key)}`
  const array = (values: string[], type: string) => `ARRAY[${values.join(', ')}]::${type}[]`
  // Every item answered 1–5: the answer vector has no null, so no position is "not applicable".
  const lines: string[] = keys.map((_key, i) => `\\set v${i} random(1, 5)`)
  if (form === 'one-row') {
    lines.push(`INSERT INTO bench_one_row (organization_id, wave_id, side, answers, comment, submission_key) `
      + `VALUES ('${organizationId}', '${waveId}', 'customer', ${array(keys.map(v), 'int2')}, NULL, ${SUBMISSION_KEY}) `
      + `ON CONFLICT (wave_id, submission_key) DO NOTHING RETURNING id;`)
  } else if (form === 'statement') {
    lines.push(`WITH inserted AS (INSERT INTO responses (organization_id, wave_id, side, unit_id, locale, channel, attributes, comment, submission_key,`
      + ` submitted_at, answer_values, not_applicable) `
      + `VALUES ('${organizationId}', '${waveId}', 'customer', NULL, 'en', 'link', '{}', NULL, ${SUBMISSION_KEY}, now(), `
      + `${array(keys.map(v), 'int2')}, NULL) `
      + `ON CONFLICT (wave_id, submission_key) WHERE submission_key IS NOT NULL DO NOTHING RETURNING id) `
      + `INSERT INTO fold_queue (organization_id, wave_id, response_id) SELECT '${organizationId}', '${waveId}', id FROM inserted RETURNING response_id;`)
  } else {
    lines.push(`\\set slot random(0, ${BEFORE_FOLD_SLOTS - 1})`)
    lines.push(beforeFoldStatement(organizationId, waveId, items, v, array))
  }
  return lines.join('\n') + '\n'
}

/**
 * storeResponse's statement before the fold, word for word but for the table names: the response, its
 * answers and its share of the four rollups. The sub-statements of a WITH run in no set order unless
 * one reads another, so each upsert waits for the count of the one before, locking rows answers →
 * dimensions → responses → profiles, each in sorted order, as a batch did.
 */
function beforeFoldStatement(organizationId: string, waveId: string, items: readonly Item[], v: (key: string) => string, array: (values: string[], type: string) => string): string {
  const keys = items.map((item) => item.key)
  const sorted = [...keys].sort()
  const dimensions = new Map<string, string[]>()
  for (const item of items) if (!item.headline) dimensions.set(item.dimension, [...(dimensions.get(item.dimension) ?? []), item.key])
  const dims = [...dimensions.keys()].sort()
  const mean = (dimension: string) => {
    const members = dimensions.get(dimension)!
    return `((${members.map((key) => `${v(key)}::int`).join(' + ')})::float8 / ${members.length})`
  }
  const response = `INSERT INTO bench_responses (organization_id, wave_id, side, unit_id, locale, channel, attributes, comment, submission_key, submitted_at, answer_values) `
    + `VALUES ('${organizationId}', '${waveId}', 'customer', NULL, 'en', 'link', '{}', NULL, ${SUBMISSION_KEY}, now(), ${array(keys.map(v), 'int2')}) `
    + `ON CONFLICT (wave_id, submission_key) WHERE submission_key IS NOT NULL DO NOTHING RETURNING id`
  const answerConflict = `ON CONFLICT (wave_id, side, unit_key, item_key, value, slot) DO UPDATE SET count = bench_answer_rollups.count + excluded.count`
  const dimensionConflict = `ON CONFLICT (wave_id, side, unit_key, dimension, slot) DO UPDATE SET respondents = bench_dimension_rollups.respondents + excluded.respondents,`
    + ` agree = bench_dimension_rollups.agree + excluded.agree, mean_sum = bench_dimension_rollups.mean_sum + excluded.mean_sum`
  const responseConflict = `ON CONFLICT (wave_id, side, unit_key, slot) DO UPDATE SET respondents = bench_response_rollups.respondents + excluded.respondents`
  // Every item answered with a value: the respondent, each item and each dimension count 1 (domain/measures.ts).
  const counts = array(['1', ...keys.map(() => '1'), ...dims.map(() => '1')], 'int4')
  const profileConflict = `ON CONFLICT (wave_id, side, unit_key, attributes, step, slot) DO UPDATE SET counts =`
    + ` (SELECT array_agg(a + b ORDER BY i) FROM unnest(bench_profile_rollups.counts, excluded.counts) WITH ORDINALITY AS t(a, b, i))`
  return [
    `WITH inserted AS (${response}),`,
    ` new_answers AS (INSERT INTO bench_answers (response_id, item_key, value) SELECT inserted.id, a.item_key, a.value`,
    ` FROM inserted, unnest(${array(keys.map((key) => `'${key}'`), 'text')}, ${array(keys.map(v), 'int2')}) AS a(item_key, value)),`,
    ` answer_totals AS (INSERT INTO bench_answer_rollups (wave_id, side, unit_key, item_key, value, slot, count)`,
    ` SELECT '${waveId}'::uuid, 'customer'::text, '${NO_UNIT}'::uuid, t.item_key, t.value, :slot::int2, t.count`,
    ` FROM inserted, unnest(${array(sorted.map((key) => `'${key}'`), 'text')}, ${array(sorted.map(v), 'int2')}, ${array(sorted.map(() => '1'), 'int4')})`,
    ` WITH ORDINALITY AS t(item_key, value, count, n) ORDER BY t.n ${answerConflict} RETURNING 1),`,
    ` dimension_totals AS (INSERT INTO bench_dimension_rollups (wave_id, side, unit_key, dimension, slot, respondents, agree, mean_sum)`,
    ` SELECT '${waveId}'::uuid, 'customer'::text, '${NO_UNIT}'::uuid, t.dimension, :slot::int2, t.respondents, t.agree, t.mean_sum`,
    ` FROM inserted, unnest(${array(dims.map((d) => `'${d}'`), 'text')}, ${array(dims.map(() => '1'), 'int4')},`,
    ` ${array(dims.map((d) => `CASE WHEN ${mean(d)} >= 4 THEN 1 ELSE 0 END`), 'int4')}, ${array(dims.map(mean), 'float8')})`,
    ` WITH ORDINALITY AS t(dimension, respondents, agree, mean_sum, n) WHERE (SELECT count(*) FROM answer_totals) >= 0 ORDER BY t.n ${dimensionConflict} RETURNING 1),`,
    ` response_totals AS (INSERT INTO bench_response_rollups (wave_id, side, unit_key, slot, respondents)`,
    ` SELECT '${waveId}'::uuid, 'customer'::text, '${NO_UNIT}'::uuid, :slot::int2, 1 FROM inserted`,
    ` WHERE (SELECT count(*) FROM dimension_totals) >= 0 ${responseConflict} RETURNING 1),`,
    ` profile_totals AS (INSERT INTO bench_profile_rollups (wave_id, side, unit_key, attributes, slot, counts)`,
    ` SELECT '${waveId}'::uuid, 'customer'::text, '${NO_UNIT}'::uuid, '{}'::jsonb, :slot::int2, ${counts} FROM inserted`,
    ` WHERE (SELECT count(*) FROM response_totals) >= 0 ${profileConflict} RETURNING 1)`,
    ` SELECT id FROM inserted WHERE (SELECT count(*) FROM profile_totals) >= 0;`,
  ].join('')
}
