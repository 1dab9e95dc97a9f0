// The leadership analytics over a large wave (issue 14): 100,000 customers by default (the wave of
// report.ts, three customers to one staff member, 20 units). Timed: reading the customers' answer rows
// for the key drivers alone, then the report with its analytics cold (first read after a release) and
// warm (the same read again, from the cache of that release), through app.inject in this process.
import { sql } from 'kysely'
import { buildApp } from '../../server/app.js'
import { loadConfig } from '../../server/config.js'
import { answerRows } from '../../server/repositories/analytics.js'
import { generateWave } from './report.js'
import {
  createPgliteDirectory, createPostgresDatabase, log, openBenchDatabase, percentile, round, SIGNING_SECRET,
  type Engine, type Row, type ScenarioResult,
} from './lib.js'

export interface AnalyticsOptions {
  engine: Engine
  customers: number
  /** Warm reads timed. */
  requests?: number
}

const TARGET_COLD_MS = 2000
const TARGET_WARM_MS = 10

export async function analyticsScenario(options: AnalyticsOptions): Promise<ScenarioResult> {
  const { engine, customers } = options
  const requests = options.requests ?? 50
  const label = engine === 'postgres' ? 'analytics' : 'analytics (PGlite)'
  const database = engine === 'postgres' ? await createPostgresDatabase('analytics') : createPgliteDirectory('analytics')
  let db = await openBenchDatabase(database, 4)
  const rows: Row[] = []
  const details: Record<string, unknown> = { engine, customers }
  async function reopen() {
    await db.destroy()
    db = await openBenchDatabase(database, 4)
  }
  try {
    // generateWave makes one staff response in four.
    const responses = Math.ceil(customers * 4 / 3)
    log(`${label}: generating ${responses.toLocaleString('en-US')} responses`)
    // The profile rollups' insert in generateWave is planned with nested loops over its CTEs, which
    // takes minutes at this size; planned with hash joins it takes seconds. Only for generating.
    // (PGlite has one connection, so a session setting reaches every query.)
    await sql.raw(database.url ? `alter database ${database.name} set enable_nestloop = off` : 'set enable_nestloop = off').execute(db)
    if (database.url) await reopen()
    const wave = await generateWave(db, responses, 20)
    await sql.raw(database.url ? `alter database ${database.name} reset enable_nestloop` : 'reset enable_nestloop').execute(db)
    if (database.url) await reopen()
    const items = await db.selectFrom('items').select(['key', 'headline']).where('instrument_id', '=', wave.instrumentId).orderBy('position').execute()
    const keys = [...items.filter((i) => i.headline), ...items.filter((i) => !i.headline)].map((i) => i.key)
    const readStart = performance.now()
    const read = await answerRows(db, wave.waveId, 'customer', { unitId: null, attributes: {} }, keys)
    const readMs = performance.now() - readStart
    const stored = await db.selectFrom('responses').select(sql<number>`count(*)::int`.as('n')).where('side', '=', 'customer').executeTakeFirstOrThrow()
    rows.push({ scenario: label, metric: 'customer answer rows read', value: round(readMs, 0), unit: 'ms', note: `${read.n.toLocaleString('en-US')} customers (${Number(stored.n).toLocaleString('en-US')} stored) × ${keys.length} answers` })
    details.readMs = round(readMs, 1)

    const config = loadConfig({ PUBLIC_URL: 'http://127.0.0.1', SIGNING_SECRET, DATA_DIR: database.dataDir ?? '/tmp', LOG_LEVEL: 'silent' })
    const app = await buildApp({ config, db, logger: false, mail: { worker: false }, release: { worker: false } })
    await app.ready()
    try {
      const get = () => app.inject({ method: 'GET', url: `/api/v1/waves/${wave.waveId}/report`, headers: { authorization: `Bearer ${wave.token}` } })
      const coldStart = performance.now()
      const cold = await get()
      const coldMs = performance.now() - coldStart
      if (cold.statusCode !== 200) throw new Error(`report answered ${cold.statusCode}: ${cold.body.slice(0, 300)}`)
      const body = cold.json() as { drivers: { n: number; r2: number } | null; unavailable: Record<string, unknown> }
      rows.push({ scenario: label, metric: 'report with analytics, cold', value: round(coldMs, 0), unit: 'ms', target: `≤ ${TARGET_COLD_MS}`, pass: coldMs <= TARGET_COLD_MS,
        note: body.drivers ? `drivers over ${body.drivers.n.toLocaleString('en-US')} customers, R² ${body.drivers.r2.toFixed(3)}` : `drivers unavailable: ${JSON.stringify(body.unavailable)}` })
      const warm: number[] = []
      for (let i = 0; i < requests; i++) {
        const start = performance.now()
        await get()
        warm.push(performance.now() - start)
      }
      const p50 = percentile(warm, 50)
      rows.push({ scenario: label, metric: `report with analytics, warm p50 (${requests} reads)`, value: round(p50, 1), unit: 'ms', target: `≤ ${TARGET_WARM_MS}`, pass: p50 <= TARGET_WARM_MS,
        note: `p95 ${round(percentile(warm, 95), 1)} ms` })
      details.coldMs = round(coldMs, 1)
      details.warmP50 = round(p50, 2)
    } finally {
      await app.close()
    }
  } finally {
    await db.destroy()
    await database.drop()
  }
  return { rows, details }
}
