// Shared pieces of the benchmarks: throw-away databases, the real server in a child process, memory
// sampling, percentiles and the result rows that run.ts prints as one table.
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { openWave as openSharedWave, startServerProcess, type OpenedWave } from '../helpers/server-process.js'
import { openDatabase, type Db } from '../../db/connect.js'
import { migrate } from '../../server/repositories/migrate.js'
import { foldAll } from '../../server/repositories/rollups.js'

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)))
/** The PostgreSQL server the benchmarks create their databases on (trust auth on 127.0.0.1 by default). */
export const SERVER_URL = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
export const SIGNING_SECRET = 'bench-secret-bench-secret-bench-secret-0123456789'
export const ADMIN = { email: 'bench-owner@example.test', password: 'benchmark passphrase' }
/** Profiles (node --cpu-prof) land here when BENCH_PROFILE=1. */
export const PROFILE_DIR = process.env.BENCH_PROFILE_DIR || join(tmpdir(), 'sg-bench-profiles')

export type Engine = 'postgres' | 'pglite'

/** One line of the table: a figure, and when there is one, its target, its baseline and their ratio. */
export interface Row {
  scenario: string
  metric: string
  value: number | string
  unit?: string
  /** The quality bar, as text ("≥ 3000"), checked by `pass`. */
  target?: string
  baseline?: number | string
  /** value ÷ baseline, or baseline ÷ value when smaller is better: always "how many baselines". */
  ratio?: number
  pass?: boolean
  note?: string
}

export interface ScenarioResult {
  rows: Row[]
  /** Anything else worth keeping in latest.json (raw histograms, settings). */
  details?: Record<string, unknown>
}

export const log = (message: string) => process.stderr.write(`[bench] ${message}\n`)

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits

/** The p-th percentile (0–100) by the nearest-rank method. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[Math.min(rank, sorted.length) - 1]!
}

export const MB = 1024 * 1024

// ---------------------------------------------------------------------------------------------
// Databases

export interface BenchDatabase {
  engine: Engine
  /** A postgres:// URL, or null for PGlite. */
  url: string | null
  /** PGlite's data directory (the server keeps its files in <dataDir>/pglite), or null. */
  dataDir: string | null
  name: string
  drop(): Promise<void>
}

/** A fresh, empty PostgreSQL database on the local server; dropped (with force) by drop(). */
export async function createPostgresDatabase(label: string): Promise<BenchDatabase> {
  const name = `sg_bench_${label}_${randomBytes(4).toString('hex')}`
  const admin = openDatabase({ url: SERVER_URL, dataDir: null, poolSize: 1 })
  try {
    await sql.raw(`create database ${name}`).execute(admin)
  } finally {
    await admin.destroy()
  }
  const url = new URL(SERVER_URL)
  url.pathname = `/${name}`
  return {
    engine: 'postgres',
    url: url.toString(),
    dataDir: null,
    name,
    async drop() {
      const again = openDatabase({ url: SERVER_URL, dataDir: null, poolSize: 1 })
      try {
        await sql.raw(`drop database if exists ${name} with (force)`).execute(again)
      } finally {
        await again.destroy()
      }
    },
  }
}

/** A temporary directory for an embedded (PGlite) database; removed by drop(). */
export function createPgliteDirectory(label: string): BenchDatabase {
  const dataDir = mkdtempSync(join(tmpdir(), `sg-bench-${label}-`))
  return { engine: 'pglite', url: null, dataDir, name: dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) }
}

/** Opens (and migrates) the database in this process. */
export async function openBenchDatabase(database: BenchDatabase, poolSize = 4): Promise<Db> {
  const db = openDatabase({ url: database.url, dataDir: database.dataDir, poolSize })
  await migrate(db)
  return db
}

// ---------------------------------------------------------------------------------------------
// The server in a child process, compiled and started exactly as `npm start` does it.

export interface RunningServer {
  url: string
  pid: number
  child: ChildProcess
  /** Current resident set size of the server process, in bytes (Linux /proc). */
  rss(): number
  /** The highest resident set size the server process reached so far (VmHWM), in bytes. */
  peakRss(): number
  /** CPU time the server process has used so far, in ms. */
  cpuMs(): number
  /** SIGTERM, then waits for the graceful shutdown to finish. */
  stop(): Promise<void>
  output(): string
}

/** CPU time (user + system) a process has used so far, in milliseconds (Linux /proc). */
export function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
    // After the command name: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return NaN
  }
}

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) * 1024 : NaN
  } catch {
    return NaN
  }
}

export interface ServerOptions {
  database: BenchDatabase
  env?: Record<string, string>
  /** Writes a CPU profile into PROFILE_DIR/<label> on exit. */
  profile?: string | null
}

export async function startServer({ database, env = {}, profile = null }: ServerOptions): Promise<RunningServer> {
  const nodeArgs: string[] = []
  if (profile) {
    const dir = join(PROFILE_DIR, profile)
    mkdirSync(dir, { recursive: true })
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${dir}`)
  }
  const server = await startServerProcess(database.url ? { url: database.url } : { dataDir: database.dataDir! }, {
    nodeArgs,
    env: { NODE_ENV: 'production', SIGNING_SECRET, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, ORG_NAME: 'Bench Co', ...env },
  })
  const { child } = server
  return {
    url: server.url,
    pid: child.pid!,
    child,
    rss: () => procStatus(child.pid!, 'VmRSS'),
    peakRss: () => procStatus(child.pid!, 'VmHWM'),
    cpuMs: () => cpuMs(child.pid!),
    output: server.output,
    async stop() {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      await server.exited
      clearTimeout(timer)
    },
  }
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms))

/** Samples a process's RSS every `everyMs` while running; `stop()` returns the highest seen. */
export function sampleRss(read: () => number, everyMs = 100) {
  let max = 0
  const samples: number[] = []
  const timer = setInterval(() => {
    const value = read()
    if (Number.isFinite(value)) {
      samples.push(value)
      if (value > max) max = value
    }
  }, everyMs)
  return {
    stop() {
      clearInterval(timer)
      return { max, samples }
    },
  }
}

// ---------------------------------------------------------------------------------------------
// A tenant to work in, through the public API of the running server.

export type Tenant = OpenedWave

/** Signs in as the owner created from ADMIN_EMAIL, and opens a wave of the built-in instrument. */
export const openWave = (baseUrl: string, name = 'Bench wave'): Promise<Tenant> => openSharedWave(baseUrl, ADMIN, name)

// ---------------------------------------------------------------------------------------------
// The table

const pad = (text: string, width: number, right = false) => (right ? text.padStart(width) : text.padEnd(width))

export function formatNumber(value: number | string | undefined, unit = ''): string {
  if (value === undefined) return ''
  if (typeof value === 'string') return value
  if (!Number.isFinite(value)) return 'n/a'
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2
  const text = value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })
  return unit ? `${text} ${unit}` : text
}

export function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return ''
  return ratio >= 10 ? `${Math.round(ratio)}×` : `${ratio.toFixed(2)}×`
}

const COLUMNS = ['scenario', 'metric', 'value', 'target', 'baseline', 'ratio', 'pass'] as const

export function tableCells(rows: readonly Row[]): string[][] {
  return rows.map((row) => [
    row.scenario,
    row.metric,
    formatNumber(row.value, row.unit),
    row.target ?? '',
    formatNumber(row.baseline, typeof row.baseline === 'number' ? row.unit : ''),
    formatRatio(row.ratio),
    row.pass === undefined ? '' : row.pass ? 'pass' : 'FAIL',
  ])
}

/** A plain-text table for the terminal. */
export function formatTable(rows: readonly Row[]): string {
  const cells = tableCells(rows)
  const widths = COLUMNS.map((name, i) => Math.max(name.length, ...cells.map((c) => c[i]!.length)))
  const numeric = new Set([2, 4, 5])
  const line = (values: readonly string[]) => values.map((v, i) => pad(v, widths[i]!, numeric.has(i))).join('  ').trimEnd()
  return [line(COLUMNS), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n')
}

/** The same table in Markdown, for the README. */
export function markdownTable(rows: readonly Row[]): string {
  const cells = tableCells(rows)
  const escape = (text: string) => text.replaceAll('|', '\\|')
  return [
    `| ${COLUMNS.join(' | ')} |`,
    '|---|---|--:|---|--:|--:|---|',
    ...cells.map((c) => `| ${c.map(escape).join(' | ')} |`),
  ].join('\n')
}

// ---------------------------------------------------------------------------------------------
// The fold (server/repositories/rollups.ts): public forms join the rollups a moment after they are stored.

/** Forms stored and not yet in the rollups: the fold's queue. */
export async function unfoldedRows(db: Db): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from fold_queue`.execute(db)
  return Number(rows[0]!.n)
}

/**
 * Folds every form queued so far, as the server's fold would, and times it (`ms`: inside foldAll only).
 * Entries another transaction holds are passed by, so this waits for them, up to `patienceMs`; `left`
 * is what was still queued.
 */
export async function foldEverything(db: Db, patienceMs = 60_000): Promise<{ rows: number; ms: number; waitedMs: number; left: number }> {
  const until = performance.now() + patienceMs
  let rows = 0
  let ms = 0
  let waitedMs = 0
  for (;;) {
    const start = performance.now()
    rows += await foldAll(db)
    ms += performance.now() - start
    const left = await unfoldedRows(db)
    if (left === 0 || performance.now() > until) return { rows, ms, waitedMs, left }
    await sleep(50)
    waitedMs += 50
  }
}
