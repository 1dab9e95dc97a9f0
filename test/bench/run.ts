// `npm run bench` runs every scenario in order and prints one table; `npm run bench -- submit report`
// runs only those. Figures also go to test/bench/results/latest.json (git-ignored).
//
// Scenarios: submit, report, import, dispatch (PostgreSQL), release (in process, no database), embedded (submit and report on PGlite;
// also embedded-submit or embedded-report alone), analytics (the report with its leadership analytics on PGlite, and on PostgreSQL
// too when DATABASE_URL or BENCH_DATABASE_URL is set).
// Settings (environment): BENCH_DATABASE_URL (default DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres),
// BENCH_DURATION (s, 20), BENCH_CONNECTIONS (50), BENCH_RESPONSES (1000000), BENCH_PGLITE_RESPONSES (100000),
// BENCH_CONTACTS (100000), BENCH_ANALYTICS_CUSTOMERS (100000), BENCH_INVITATIONS (10000), BENCH_PROFILE=1 (CPU profiles of the server and the
// mail workers; summarise one with `node --import tsx test/bench/profile.ts FILE`), BENCH_WAIT_QUIET=seconds
// (before each scenario, wait up to that long for the machine's 1-minute load average to drop below 1).
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { openDatabase } from '../../db/connect.js'
import { analyticsScenario } from './analytics.js'
import { dispatchScenario } from './dispatch.js'
import { importScenario } from './import.js'
import { formatTable, log, markdownTable, PROFILE_DIR, ROOT, SERVER_URL, sleep, type Row, type ScenarioResult } from './lib.js'
import { releaseScenario } from './release.js'
import { reportScenario } from './report.js'
import { submitScenario } from './submit.js'

const number = (name: string, fallback: number) => {
  const value = Number(process.env[name])
  return Number.isFinite(value) && value > 0 ? value : fallback
}

const duration = number('BENCH_DURATION', 20)
const connections = number('BENCH_CONNECTIONS', 50)
const profile = process.env.BENCH_PROFILE === '1'
const waitQuiet = number('BENCH_WAIT_QUIET', 0)

const SCENARIOS: Record<string, () => Promise<ScenarioResult>> = {
  submit: () => submitScenario({ engine: 'postgres', connections, duration, profile }),
  report: () => reportScenario({ engine: 'postgres', responses: number('BENCH_RESPONSES', 1_000_000) }),
  import: () => importScenario({ contacts: number('BENCH_CONTACTS', 100_000) }),
  dispatch: () => dispatchScenario({ invitations: number('BENCH_INVITATIONS', 10_000), profile }),
  release: () => releaseScenario(),
  'embedded-submit': () => submitScenario({ engine: 'pglite', connections, duration, profile }),
  'embedded-report': () => reportScenario({ engine: 'pglite', responses: number('BENCH_PGLITE_RESPONSES', 100_000) }),
  analytics: async () => {
    const customers = number('BENCH_ANALYTICS_CUSTOMERS', 100_000)
    const embedded = await analyticsScenario({ engine: 'pglite', customers })
    if (!process.env.DATABASE_URL && !process.env.BENCH_DATABASE_URL) return embedded
    const postgres = await analyticsScenario({ engine: 'postgres', customers })
    return { rows: [...embedded.rows, ...postgres.rows], details: { pglite: embedded.details, postgres: postgres.details } }
  },
}
const GROUPS: Record<string, string[]> = { embedded: ['embedded-submit', 'embedded-report'] }
const ORDER = ['submit', 'report', 'release', 'import', 'dispatch', 'embedded-submit', 'embedded-report', 'analytics']

const asked = process.argv.slice(2).filter((arg) => !arg.startsWith('-'))
const unknown = asked.filter((name) => !(name in SCENARIOS) && !(name in GROUPS))
if (unknown.length > 0) {
  console.error(`Unknown scenario ${unknown.join(', ')}. Choose from: ${[...ORDER, ...Object.keys(GROUPS)].join(', ')}.`)
  process.exit(2)
}
const wanted = new Set(asked.flatMap((name) => GROUPS[name] ?? [name]))
const chosen = wanted.size === 0 ? ORDER : ORDER.filter((name) => wanted.has(name))

async function machine() {
  let postgres = 'unreachable'
  const db = openDatabase({ url: SERVER_URL, dataDir: null, poolSize: 1 })
  try {
    const row = await sql<{ version: string }>`select version()`.execute(db)
    postgres = row.rows[0]!.version.replace(/ on .*/, '')
  } catch {
    // reported as unreachable
  } finally {
    await db.destroy()
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    postgres,
    platform: `${process.platform} ${process.arch}`,
  }
}

const started = new Date()
const info = await machine()
log(`${info.cpu}, ${info.cores} cores, ${info.memoryGB} GB, Node ${info.node}, ${info.postgres}`)
const rows: Row[] = []
const details: Record<string, unknown> = {}
let crashed = false
const load: Record<string, { before: number; after: number }> = {}
for (const name of chosen) {
  if (waitQuiet > 0 && loadavg()[0]! >= 1) {
    log(`waiting up to ${waitQuiet} s for a quiet machine (load average ${loadavg()[0]!.toFixed(1)})`)
    const until = Date.now() + waitQuiet * 1000
    while (loadavg()[0]! >= 1 && Date.now() < until) await sleep(5000)
  }
  const t = performance.now()
  const before = loadavg()[0]!
  log(`— ${name} (load average ${before.toFixed(1)})`)
  try {
    const result = await SCENARIOS[name]!()
    rows.push(...result.rows)
    details[name] = result.details ?? {}
  } catch (error) {
    crashed = true
    const message = error instanceof Error ? error.message : String(error)
    log(`${name} failed: ${error instanceof Error ? error.stack : message}`)
    rows.push({ scenario: name, metric: 'run', value: 'error', pass: false, note: message.split('\n')[0] })
    details[name] = { error: message }
  }
  load[name] = { before: Math.round(before * 10) / 10, after: Math.round(loadavg()[0]! * 10) / 10 }
  log(`${name} took ${((performance.now() - t) / 1000).toFixed(0)} s`)
}

console.log(`\nService Gap benchmarks — ${started.toISOString()}`)
console.log(`${info.cpu}, ${info.cores} cores, ${info.memoryGB} GB RAM, Node ${info.node}, ${info.postgres}`)
console.log(`1-minute load average when each scenario started: ${Object.entries(load).map(([name, l]) => `${name} ${l.before}`).join(', ')}`)
console.log('(other work on the machine competes with the figures below; the ratios to baselines measured in the same run are steadier)\n')
console.log(formatTable(rows))
const notes = rows.filter((row) => row.note)
if (notes.length > 0) {
  console.log('\nNotes:')
  for (const row of notes) console.log(`- ${row.scenario} / ${row.metric}: ${row.note}`)
}
if (profile) console.log(`\nCPU profiles of the server: ${PROFILE_DIR}`)

const dir = join(ROOT, 'test/bench/results')
mkdirSync(dir, { recursive: true })
writeFileSync(join(dir, 'latest.json'), JSON.stringify({
  startedAt: started.toISOString(),
  finishedAt: new Date().toISOString(),
  machine: info,
  settings: { duration, connections, scenarios: chosen },
  loadAverage: load,
  rows,
  markdown: markdownTable(rows),
  details,
}, null, 2) + '\n')
console.log(`\nWritten to test/bench/results/latest.json`)
process.exit(crashed ? 1 : 0)
