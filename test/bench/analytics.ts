// Scenario: the report with its leadership analytics (issue 14: drivers, fix first, predictions,
// linkage) over one wave of 100,000 customers and a staff side over the demo's six units, with every
// staff prediction asked. The respondents come from the demo's model (server/cli/demo-data.ts), so the
// drivers, predictions and linkage have real structure to find; they are written in bulk (one
// statement per chunk for responses, answers in their rows, the rollups by the app's own addToRollups).
//
// Cold: the first read after a new release. Before each cold read one more customer is stored through
// importResponses, which changes the customer side's release, so the release and everything cached
// under it are computed again, as after any new answer. Warm: many reads of an unchanged release.
// Baselines measured in the same run: for cold, one plain pass over the customers' raw answers that
// builds the 12 × 12 correlation matrix the drivers start from (read from the database and summed in
// Node); for warm, the same report route on a small wave whose analytics have too few answers to run.
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import { buildApp } from '../../server/app.js'
import { loadConfig } from '../../server/config.js'
import type { PredictionMode } from '../../server/domain/types.js'
import type { ImportedResponse } from '../../server/domain/responses.js'
import { seededRandom } from '../../server/domain/analytics/random.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { respondent, UNITS } from '../../server/cli/demo-data.js'
import { createApiToken } from '../../server/repositories/credentials.js'
import { findLatestInstrument } from '../../server/repositories/instruments.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { importResponses } from '../../server/repositories/responses.js'
import { addToRollups, measureItems } from '../../server/repositories/rollups.js'
import { answerVector, notApplicablePositions } from '../../server/domain/measures.js'
import { createWave } from '../../server/repositories/waves.js'
import {
  ADMIN, createPgliteDirectory, createPostgresDatabase, log, openBenchDatabase, percentile, round, SIGNING_SECRET,
  type Engine, type Row, type ScenarioResult,
} from './lib.js'

export interface AnalyticsOptions {
  engine: Engine
  customers: number
  /** Staff respondents in each of the six units. */
  staffPerUnit?: number
  coldRuns?: number
  warmReads?: number
}

const TARGET_COLD_MS = 2000
const TARGET_WARM_MS = 10
const CHUNK = 5000
/** The quarter of the demo's story the bench draws from: the newest, where every item is predicted. */
const QUARTER = 3

/** Writes respondents as they would be after import and release: responses, answers, rollups. */
async function insertRespondents(db: Db, organizationId: string, waveId: string, rows: readonly ImportedResponse[]) {
  const ids = rows.map(() => randomUUID())
  const items = await measureItems(db, waveId)
  // A customer's answer array (0015) as an array literal, cast per row.
  const vectors = rows.map((r) => (r.side === 'customer' ? `{${answerVector(items, r.answers).map((v) => v ?? 'NULL').join(',')}}` : null))
  // Its "not applicable" positions, null for none, as insertResponse stores them.
  const notApplicable = rows.map((r) => {
    const positions = r.side === 'customer' ? notApplicablePositions(items, r.answers) : []
    return positions.length === 0 ? null : `{${positions.join(',')}}`
  })
  const staffAnswers = rows.map((r) => (r.side === 'staff' ? JSON.stringify(r.answers) : null))
  await sql`
    insert into responses (id, organization_id, wave_id, side, unit_id, locale, channel, attributes, comment, answer_values, not_applicable, staff_answers)
    select id, ${organizationId}::uuid, ${waveId}::uuid, side, unit_id, 'en', 'import', attributes, comment, answer_values::int2[], not_applicable::int2[], staff_answers
    from unnest(${ids}::uuid[], ${rows.map((r) => r.side)}::text[], ${rows.map((r) => r.unitId)}::uuid[],
      ${rows.map((r) => JSON.stringify(r.attributes))}::jsonb[], ${rows.map((r) => r.comment)}::text[], ${vectors}::text[], ${notApplicable}::text[],
      ${staffAnswers}::jsonb[]) as t(id, side, unit_id, attributes, comment, answer_values, not_applicable, staff_answers)`.execute(db)
  await addToRollups(db, organizationId, waveId, rows)
}

/** A wave of the built-in instrument with `customers` customers and `staffPerUnit` staff in each of the demo's units. */
async function seedWave(db: Db, organizationId: string, unitIds: string[], name: string, customers: number, staffPerUnit: number, predictions: PredictionMode) {
  const instrument = (await findLatestInstrument(db, organizationId, 'service-gap-index'))!
  const waveId = await createWave(db, organizationId, {
    name, instrumentId: instrument.id, status: 'open', opensAt: null, closesAt: null, locales: ['en'], predictions, unitIds: [],
  })
  const rand = seededRandom(customers)
  const draw = (side: 'staff' | 'customer', i: number) => respondent(rand, side, UNITS[i % UNITS.length]!, unitIds[i % UNITS.length]!, QUARTER, predictions)
  const staff = Array.from({ length: staffPerUnit * UNITS.length }, (_, i) => draw('staff', i))
  await insertRespondents(db, organizationId, waveId, staff)
  const started = performance.now()
  for (let start = 0; start < customers; start += CHUNK) {
    const chunk = Array.from({ length: Math.min(CHUNK, customers - start) }, (_, i) => draw('customer', start + i))
    await insertRespondents(db, organizationId, waveId, chunk)
    if ((start / CHUNK) % 5 === 4) log(`analytics: ${(start + chunk.length).toLocaleString('en-US')} of ${customers.toLocaleString('en-US')} customers (${((performance.now() - started) / 1000).toFixed(0)} s)`)
  }
  for (const table of ['responses', 'answer_rollups', 'dimension_rollups', 'response_rollups', 'profile_rollups']) await sql.raw(`analyze ${table}`).execute(db)
  return { waveId, draw }
}

/**
 * The baseline for a cold read: the customers' raw answers read once and summed into the pairwise
 * sums of every item pair (n, Σx, Σy, Σx², Σy², Σxy), then the 12 × 12 correlation matrix.
 */
async function correlationPass(db: Db, waveId: string): Promise<number[][]> {
  const keys = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
  const index = new Map(keys.map((key, i) => [key, i]))
  const rows = await sql<{ id: string; key: string; value: number }>`
    select answers.response_id as id, answers.item_key as key, answers.value
    from answers join responses on responses.id = answers.response_id
    where responses.wave_id = ${waveId} and responses.side = 'customer' and answers.value is not null
    order by answers.response_id`.execute(db)
  const p = keys.length
  const sums = Array.from({ length: p * p }, () => [0, 0, 0, 0, 0, 0])
  const values: Array<number | null> = new Array(p).fill(null)
  const flush = () => {
    for (let a = 0; a < p; a++) {
      const x = values[a]
      if (x === null || x === undefined) continue
      for (let b = 0; b < p; b++) {
        const y = values[b]
        if (y === null || y === undefined) continue
        const s = sums[a * p + b]!
        s[0]! += 1; s[1]! += x; s[2]! += y; s[3]! += x * x; s[4]! += y * y; s[5]! += x * y
      }
    }
    values.fill(null)
  }
  let current: string | null = null
  for (const row of rows.rows) {
    if (row.id !== current) {
      flush()
      current = row.id
    }
    const i = index.get(row.key)
    if (i !== undefined) values[i] = Number(row.value)
  }
  flush()
  return keys.map((_, a) => keys.map((_, b) => {
    const [n, sx, sy, sxx, syy, sxy] = sums[a * p + b]!
    return (sxy! - (sx! * sy!) / n!) / Math.sqrt((sxx! - (sx! * sx!) / n!) * (syy! - (sy! * sy!) / n!))
  }))
}

async function timed(fn: () => Promise<unknown>, times: number): Promise<number[]> {
  const latencies: number[] = []
  for (let i = 0; i < times; i++) {
    const start = performance.now()
    await fn()
    latencies.push(performance.now() - start)
  }
  return latencies
}

const ANALYSES = ['drivers', 'fixFirst', 'prediction', 'linkage'] as const

export async function analyticsScenario(options: AnalyticsOptions): Promise<ScenarioResult> {
  const { engine, customers } = options
  const staffPerUnit = options.staffPerUnit ?? 200
  const coldRuns = options.coldRuns ?? 5
  const warmReads = options.warmReads ?? 200
  const label = engine === 'postgres' ? 'analytics' : 'analytics (PGlite)'
  const database = engine === 'postgres' ? await createPostgresDatabase('analytics') : createPgliteDirectory('analytics')
  const rows: Row[] = []
  const details: Record<string, unknown> = { engine, customers, staffPerUnit, units: UNITS.length, coldRuns, warmReads }
  const db = await openBenchDatabase(database, 4)
  try {
    const { organizationId, userId } = await createOrganizationWithOwner(db, { name: 'Analytics Co', email: ADMIN.email, password: ADMIN.password })
    const units = await db.insertInto('units').values(UNITS.map((unit) => ({ organization_id: organizationId, name: unit.name }))).returning('id').execute()
    const unitIds = units.map((unit) => unit.id)
    log(`${label}: seeding ${customers.toLocaleString('en-US')} customers and ${(staffPerUnit * UNITS.length).toLocaleString('en-US')} staff over ${UNITS.length} units`)
    const seedStart = performance.now()
    const large = await seedWave(db, organizationId, unitIds, 'Large wave', customers, staffPerUnit, 'all')
    const seeded = (performance.now() - seedStart) / 1000
    // Too few customers for drivers (fewer than 110) and no predictions: the report without its heavy analyses.
    const small = await seedWave(db, organizationId, unitIds, 'Small wave', 60, 10, 'off')
    details.seedSeconds = round(seeded, 1)
    rows.push({
      scenario: label, metric: 'customers seeded (bulk SQL)', value: customers, target: '100,000',
      note: `${(staffPerUnit * UNITS.length).toLocaleString('en-US')} staff with every prediction, ${UNITS.length} units, in ${round(seeded, 0)} s`,
    })
    const token = await createApiToken(db, { userId, organizationId }, 'bench')
    const config = loadConfig({ PUBLIC_URL: 'http://127.0.0.1', SIGNING_SECRET, DATA_DIR: database.dataDir ?? '/tmp', LOG_LEVEL: 'silent' })
    const app = await buildApp({ config, db, logger: false, mail: { worker: false }, release: { worker: false } })
    await app.ready()
    try {
      const read = async (waveId: string) => {
        const response = await app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/report`, headers: { authorization: `Bearer ${token}` } })
        if (response.statusCode !== 200) throw new Error(`report: ${response.statusCode} ${response.body.slice(0, 300)}`)
        return response.json() as Record<string, unknown> & { unavailable?: Record<string, { message: string }> }
      }
      const report = await read(large.waveId)
      const present = ANALYSES.filter((name) => report[name] !== undefined && report[name] !== null)
      details.analyses = Object.fromEntries(ANALYSES.map((name) => [name, report[name] ? 'computed' : report.unavailable?.[name]?.message ?? 'absent']))
      rows.push({
        scenario: label, metric: 'analyses in the report', value: `${present.length} of 4`, target: '4 of 4', pass: present.length === 4,
        note: ANALYSES.filter((name) => !present.includes(name)).map((name) => `${name}: ${report.unavailable?.[name]?.message ?? 'not in the report'}`).join('; ') || undefined,
      })

      // Cold: one more customer (a new customer release), then the first read.
      const cold: number[] = []
      for (let run = 0; run < coldRuns; run++) {
        await importResponses(db, { organizationId, waveId: large.waveId, locale: 'en', channel: 'import' }, [large.draw('customer', run)])
        cold.push(...(await timed(() => read(large.waveId), 1)))
      }
      log(`${label}: cold reads ${cold.map((ms) => round(ms, 0)).join(', ')} ms`)
      const baselineCold = await timed(() => correlationPass(db, large.waveId), 3)

      await timed(() => read(large.waveId), 10)
      const warm = await timed(() => read(large.waveId), warmReads)
      await timed(() => read(small.waveId), 10)
      const baselineWarm = await timed(() => read(small.waveId), warmReads)

      const stats = (values: number[]) => ({ p50: round(percentile(values, 50), 1), p95: round(percentile(values, 95), 1), max: round(Math.max(...values), 1), n: values.length })
      const c = stats(cold), bc = stats(baselineCold), w = stats(warm), bw = stats(baselineWarm)
      details.cold = { ...c, runs: cold.map((ms) => round(ms, 1)) }
      details.baselineCold = bc
      details.warm = w
      details.baselineWarm = bw
      rows.push({
        scenario: label, metric: 'cold: first read after a new release (p50)', value: c.p50, unit: 'ms', baseline: bc.p50, ratio: c.p50 / bc.p50,
        target: `≤ ${TARGET_COLD_MS} ms`, pass: c.max <= TARGET_COLD_MS,
        note: `${coldRuns} runs, each after one more customer is stored: ${cold.map((ms) => round(ms, 0)).join(', ')} ms (the target is judged on the slowest); `
          + `baseline: the customers' raw answers read and summed into the 12 × 12 correlation matrix (${bc.n} runs); ratio = how many of those passes a cold report costs`,
      })
      rows.push({
        scenario: label, metric: 'warm: p50', value: w.p50, unit: 'ms', baseline: bw.p50, ratio: w.p50 / bw.p50,
        note: `${warmReads} reads of GET /api/v1/waves/:id/report through app.inject; baseline: the same route on a wave of 60 customers and 60 staff, too few for drivers and without predictions; ratio = report with analytics ÷ report without`,
      })
      rows.push({
        scenario: label, metric: 'warm: p95', value: w.p95, unit: 'ms', baseline: bw.p95, ratio: w.p95 / bw.p95,
        target: `≤ ${TARGET_WARM_MS} ms`, pass: w.p95 <= TARGET_WARM_MS,
      })
    } finally {
      await app.close()
    }
  } finally {
    await db.destroy()
    await database.drop()
  }
  return { rows, details }
}
