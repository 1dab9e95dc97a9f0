// Scenario 2 (and 5): the gap report over a large wave. The wave is generated with set-based SQL
// (insert … select from generate_series), not through HTTP: N responses across 20 units, 12 answers
// each in the response's row (a customer's vector, a staff member's jsonb), and the rollups filled
// with one insert … select … group by each, as if every response had been folded (none queued).
// The rollups are checked against the raw answers, then 200 report requests are timed for the whole
// wave and for one unit (app.inject, in this process). Baseline: the plain GROUP BY over the raw
// answers (the `answers` view over the rows), timed the same way.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'
import type { Scale } from '../../server/domain/types.js'
import { buildApp } from '../../server/app.js'
import { loadConfig } from '../../server/config.js'
import { createApiToken } from '../../server/repositories/credentials.js'
import { findLatestInstrument } from '../../server/repositories/instruments.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { fromAnswers, fromRollups } from '../../server/repositories/reports.js'
import { createWave } from '../../server/repositories/waves.js'
import {
  ADMIN, createPgliteDirectory, createPostgresDatabase, log, openBenchDatabase, percentile, round, SIGNING_SECRET,
  type Engine, type Row, type ScenarioResult,
} from './lib.js'

export interface ReportOptions {
  engine: Engine
  responses: number
  units?: number
  /** Report requests timed per view. */
  requests?: number
}

const TARGET_WHOLE_P95 = 50
const TARGET_UNIT_P95 = 100
const TARGET_SPEEDUP = 50
const CHUNK = 100_000

async function timed(fn: () => Promise<unknown>, times: number): Promise<number[]> {
  const latencies: number[] = []
  for (let i = 0; i < times; i++) {
    const start = performance.now()
    await fn()
    latencies.push(performance.now() - start)
  }
  return latencies
}

/** A wave with `count` responses across `units` units, written with set-based SQL. */
export async function generateWave(db: Db, count: number, unitCount: number) {
  const { organizationId, userId } = await createOrganizationWithOwner(db, { name: 'Report Co', email: ADMIN.email, password: ADMIN.password })
  const units = await db.insertInto('units')
    .values(Array.from({ length: unitCount }, (_, i) => ({ organization_id: organizationId, name: `Unit ${String(i + 1).padStart(2, '0')}` })))
    .returning('id').execute()
  const unitIds = units.map((unit) => unit.id)
  const instrument = (await findLatestInstrument(db, organizationId, 'service-gap-index'))!
  const waveId = await createWave(db, organizationId, {
    name: 'Large wave', instrumentId: instrument.id, status: 'open', opensAt: null, closesAt: null, locales: ['en'], unitIds: [],
  })
  const keys = (await db.selectFrom('items').select('key').where('instrument_id', '=', instrument.id).orderBy('position').execute()).map((item) => item.key)
  const started = performance.now()
  for (let start = 1; start <= count; start += CHUNK) {
    const end = Math.min(count, start + CHUNK - 1)
    // One in four responses is staff. Staff agree more than customers (a gap to find); 3 % "not applicable".
    await sql`
      with generated as materialized (
        select gen_random_uuid() as id, g, case when g % 4 = 0 then 'staff' else 'customer' end as side,
          array(select case when random() < 0.03 then null
                            when g % 4 = 0 then least(5, 2 + floor(random() * 4)::int)
                            else 1 + floor(random() * 5)::int end
                from generate_series(1, ${keys.length}::int) as i)::int2[] as answer_values
        from generate_series(${start}::int, ${end}::int) as g
      )
      -- Every item answered, so a null is "not applicable": a customer's positions beside the vector
      -- (null when there are none, as insertResponse stores it), a staff member's as a null in the object.
      insert into responses (id, organization_id, wave_id, side, unit_id, locale, channel, attributes, submitted_at, answer_values, not_applicable, staff_answers)
      select id, ${organizationId}::uuid, ${waveId}::uuid, side,
        (${unitIds}::uuid[])[1 + (g / 4) % ${unitCount}], 'en', 'import',
        case when g % 4 = 0 then '{}'::jsonb else jsonb_build_object('tier', case when g % 3 = 0 then 'gold' else 'silver' end) end,
        now() - (g % 90) * interval '1 day',
        case when side = 'customer' then answer_values end,
        case when side = 'customer' then nullif(array(select n from generate_series(1, ${keys.length}::int2) as n where answer_values[n] is null), '{}') end,
        case when side = 'staff' then (select jsonb_object_agg(k.key, answer_values[k.n]) from unnest(${keys}::text[]) with ordinality as k(key, n)) end
      from generated`.execute(db)
    log(`report: ${end.toLocaleString('en-US')} of ${count.toLocaleString('en-US')} responses (${((performance.now() - started) / 1000).toFixed(0)} s)`)
  }
  const generated = (performance.now() - started) / 1000
  const rollupStart = performance.now()
  // One row per total, read from the answers view, as the fold would have left them.
  await sql`
    insert into answer_rollups (organization_id, wave_id, side, unit_key, item_key, value, count)
    select responses.organization_id, responses.wave_id, responses.side, coalesce(responses.unit_id, ${NO_UNIT}::uuid), answers.item_key, answers.value, count(*)
    from answers join responses on responses.id = answers.response_id
    where responses.wave_id = ${waveId} and answers.value is not null
    group by 1, 2, 3, 4, 5, 6`.execute(db)
  await sql`
    insert into dimension_rollups (organization_id, wave_id, side, unit_key, dimension, respondents, agree, mean_sum)
    select organization_id, wave_id, side, unit_key, dimension, count(*), count(*) filter (where mean >= 4), sum(mean)
    from (
      select responses.organization_id, responses.wave_id, responses.side, coalesce(responses.unit_id, ${NO_UNIT}::uuid) as unit_key, items.dimension,
        avg(answers.value)::float8 as mean
      from answers join responses on responses.id = answers.response_id
      join items on items.instrument_id = ${instrument.id} and items.key = answers.item_key
      where responses.wave_id = ${waveId} and answers.value is not null and not items.headline
      group by responses.id, 1, 2, 3, 4, 5
    ) as per_respondent
    group by 1, 2, 3, 4, 5`.execute(db)
  await sql`
    insert into response_rollups (organization_id, wave_id, side, unit_key, respondents)
    select organization_id, wave_id, side, coalesce(unit_id, ${NO_UNIT}::uuid), count(*)
    from responses where wave_id = ${waveId}
    group by 1, 2, 3, 4`.execute(db)
  // The profiles the staff release reads (domain/measures.ts): per respondent 1, each item answered,
  // each dimension with an opinion; summed per unit and attribute set.
  await sql`
    with measures as (
      select 0::bigint as ord, 'respondents' as kind, null::text as key
      union all
      select row_number() over (order by position), 'item', key from items where instrument_id = ${instrument.id}
      union all
      select (select count(*) from items where instrument_id = ${instrument.id}) + row_number() over (order by min(position)), 'dimension', dimension
      from items where instrument_id = ${instrument.id} and not headline group by dimension
    ), groups as (
      select responses.id, responses.side, coalesce(responses.unit_id, ${NO_UNIT}::uuid) as unit_key, responses.attributes
      from responses where responses.wave_id = ${waveId}
    ), counted as (
      select side, unit_key, attributes, 0::bigint as ord, count(*) as n from groups group by 1, 2, 3
      union all
      select g.side, g.unit_key, g.attributes, m.ord, count(*)
      from groups g join answers a on a.response_id = g.id and a.value is not null join measures m on m.kind = 'item' and m.key = a.item_key
      group by 1, 2, 3, 4
      union all
      select g.side, g.unit_key, g.attributes, m.ord, count(distinct g.id)
      from groups g join answers a on a.response_id = g.id and a.value is not null
      join items i on i.instrument_id = ${instrument.id} and i.key = a.item_key and not i.headline
      join measures m on m.kind = 'dimension' and m.key = i.dimension
      group by 1, 2, 3, 4
    ), profiles as (
      select distinct side, unit_key, attributes from counted
    )
    insert into profile_rollups (organization_id, wave_id, side, unit_key, attributes, counts)
    select ${organizationId}::uuid, ${waveId}::uuid, p.side, p.unit_key, p.attributes, array_agg(coalesce(c.n, 0)::int4 order by m.ord)
    from profiles p cross join measures m
    left join counted c on c.side = p.side and c.unit_key = p.unit_key and c.attributes = p.attributes and c.ord = m.ord
    group by p.side, p.unit_key, p.attributes`.execute(db)
  await sql`analyze responses`.execute(db)
  await sql`analyze answer_rollups`.execute(db)
  await sql`analyze dimension_rollups`.execute(db)
  await sql`analyze response_rollups`.execute(db)
  const rolledUp = (performance.now() - rollupStart) / 1000
  const token = await createApiToken(db, { userId, organizationId }, 'bench')
  return { organizationId, waveId, unitIds, token, instrumentId: instrument.id, generated, rolledUp }
}

/** The rollups against a recount of the raw answers, for the whole wave and one unit, on both sides. */
async function rollupsMatch(db: Db, waveId: string, unitId: string, scales: ReadonlyMap<string, Scale>): Promise<{ ok: boolean; checked: string[] }> {
  const checked: string[] = []
  let ok = true
  const { organization_id: organizationId } = await db.selectFrom('waves').select('organization_id').where('id', '=', waveId).executeTakeFirstOrThrow()
  for (const side of ['staff', 'customer'] as const) {
    for (const unit of [null, unitId]) {
      const rolled = await fromRollups(db, organizationId, waveId, side, unit, scales)
      const raw = await fromAnswers(db, organizationId, waveId, side, { unitId: unit, attributes: {} }, scales)
      const same = rolled.respondents === raw.respondents
        && [...raw.distributions].every(([item, counts]) => JSON.stringify(rolled.distributions.get(item)) === JSON.stringify(counts))
        && rolled.distributions.size === raw.distributions.size
        && [...raw.dimensions].every(([dimension, d]) => {
          const r = rolled.dimensions.get(dimension)
          return r !== undefined && r.n === d.n && r.agree === d.agree && Math.abs(r.meanSum - d.meanSum) <= 1e-6 * Math.max(1, d.meanSum)
        })
      checked.push(`${side}/${unit === null ? 'whole' : 'unit'}: ${raw.respondents} respondents ${same ? '=' : '≠'}`)
      ok &&= same
    }
  }
  return { ok, checked }
}

export async function reportScenario(options: ReportOptions): Promise<ScenarioResult> {
  const { engine, responses } = options
  const unitCount = options.units ?? 20
  const requests = options.requests ?? 200
  const label = engine === 'postgres' ? 'report' : 'report (PGlite)'
  const database = engine === 'postgres' ? await createPostgresDatabase('report') : createPgliteDirectory('report')
  const rows: Row[] = []
  const details: Record<string, unknown> = { engine, responses, units: unitCount, requests }
  const db = await openBenchDatabase(database, 4)
  try {
    log(`${label}: generating ${responses.toLocaleString('en-US')} responses across ${unitCount} units`)
    const wave = await generateWave(db, responses, unitCount)
    details.generateSeconds = round(wave.generated, 1)
    details.rollupSeconds = round(wave.rolledUp, 1)
    const answers = await db.selectFrom('answers').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()
    details.answers = Number(answers.n)
    rows.push({
      scenario: label, metric: 'responses generated (SQL)', value: responses, target: engine === 'postgres' ? '1,000,000' : undefined,
      note: `${Number(answers.n).toLocaleString('en-US')} answers in ${round(wave.generated, 0)} s; rollups filled in ${round(wave.rolledUp, 0)} s`
        + (engine === 'pglite' ? '; smaller than on PostgreSQL (see BENCH_PGLITE_RESPONSES) because the embedded database is single-threaded WebAssembly' : ''),
    })
    const items = await db.selectFrom('items').select(['key', 'scale']).where('instrument_id', '=', wave.instrumentId).execute()
    const scales = new Map<string, Scale>(items.map((item) => [item.key, item.scale]))
    const unitId = wave.unitIds[0]!
    log(`${label}: checking the rollups against the raw answers`)
    const match = await rollupsMatch(db, wave.waveId, unitId, scales)
    details.rollupCheck = match.checked
    rows.push({ scenario: label, metric: 'rollups = raw answers (both sides, whole and unit)', value: match.ok ? 'yes' : 'no', target: 'yes', pass: match.ok, note: match.checked.join('; ') })

    const config = loadConfig({ PUBLIC_URL: 'http://127.0.0.1', SIGNING_SECRET, DATA_DIR: database.dataDir ?? '/tmp', LOG_LEVEL: 'silent' })
    // No mail worker: its polling would share the database with the timed reports.
    const app = await buildApp({ config, db, logger: false, mail: { worker: false } })
    await app.ready()
    try {
      const headers = { authorization: `Bearer ${wave.token}` }
      const report = async (query: string) => {
        const response = await app.inject({ method: 'GET', url: `/api/v1/waves/${wave.waveId}/report${query}`, headers })
        if (response.statusCode !== 200) throw new Error(`report ${query}: ${response.statusCode} ${response.body.slice(0, 300)}`)
        return response
      }
      const sample = (await report('')).json() as { headline: { staff: { n?: number } } }
      details.headlineStaffN = sample.headline.staff.n
      await timed(() => report(''), 10)
      await timed(() => report(`?unit=${unitId}`), 10)
      log(`${label}: timing ${requests} report requests, whole wave and one unit`)
      const whole = await timed(() => report(''), requests)
      const unit = await timed(() => report(`?unit=${unitId}`), requests)

      // Baseline: the plain GROUP BY over the raw answers, timed the same way (fewer times: it is slow).
      const plain = (unitFilter: string | null) => sql`
        select responses.side, answers.item_key, answers.value, count(*) as n
        from answers join responses on responses.id = answers.response_id
        where responses.wave_id = ${wave.waveId} ${unitFilter === null ? sql`` : sql`and responses.unit_id = ${unitFilter}`}
        group by responses.side, answers.item_key, answers.value`.execute(db)
      const first = await timed(() => plain(null), 1)
      const baselineRuns = Math.max(3, Math.min(requests, Math.floor(60_000 / Math.max(1, first[0]!))))
      log(`${label}: baseline, ${baselineRuns} plain GROUP BY queries per view (one took ${round(first[0]!, 0)} ms)`)
      const plainWhole = await timed(() => plain(null), baselineRuns)
      await timed(() => plain(unitId), 1)
      const plainUnit = await timed(() => plain(unitId), Math.min(requests, baselineRuns * 4))

      const stats = (values: number[]) => ({ p50: round(percentile(values, 50), 1), p95: round(percentile(values, 95), 1), n: values.length })
      const views = [
        { name: 'whole wave', measured: stats(whole), baseline: stats(plainWhole), target: TARGET_WHOLE_P95 },
        { name: 'one unit', measured: stats(unit), baseline: stats(plainUnit), target: TARGET_UNIT_P95 },
      ]
      details.views = views
      for (const view of views) {
        const speedup = view.baseline.p50 / view.measured.p50
        const note = `${view.measured.n} report requests (GET /api/v1/waves/:id/report${view.name === 'one unit' ? '?unit=…' : ''} through app.inject: HTTP handling, auth, statistics, JSON); `
          + `baseline: ${view.baseline.n} runs of select side, item_key, value, count(*) from answers join responses … group by`
        // The speed-up is judged on the full 1,000,000-response wave only: the baseline grows with the wave, the report does not.
        const judged = responses >= 1_000_000
        rows.push({
          scenario: label, metric: `${view.name}: p50`, value: view.measured.p50, unit: 'ms', baseline: view.baseline.p50,
          ratio: speedup, target: judged ? `≥ ${TARGET_SPEEDUP}× faster` : undefined, pass: judged ? speedup >= TARGET_SPEEDUP : undefined,
          note: note + (judged ? '' : `; ${responses.toLocaleString('en-US')} responses, so the ratio is not judged (the raw GROUP BY grows with the wave, the report does not)`),
        })
        rows.push({
          scenario: label, metric: `${view.name}: p95`, value: view.measured.p95, unit: 'ms', baseline: view.baseline.p95,
          ratio: view.baseline.p95 / view.measured.p95, target: `≤ ${view.target} ms`, pass: view.measured.p95 <= view.target,
        })
      }
    } finally {
      await app.close()
    }
  } finally {
    await db.destroy()
    await database.drop()
  }
  return { rows, details }
}
