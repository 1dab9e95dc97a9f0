// Scenario 1 (and 5, 6): survey submissions under load. The real server (`server/server.ts`, what
// `npm start` runs) in a child process; autocannon in this process with 50 connections for 20 s
// against the survey form (POST /s/:token, a CSRF cookie + token and a new submission key on every
// request) and against the JSON API (POST /api/v1/waves/:id/responses, one object per request).
// Afterwards the rows stored are compared with the answers the load generator received.
// Baseline on PostgreSQL: pgbench storing each response as one row with its answers in it (the fair
// peer baseline of design §8), with the same number of connections for the same time; then, for
// comparison, pgbench running the app's own insert (response, 12 answers, the rollup upserts) and two
// variants of it. On PGlite: the same insert (storeResponse) called in a loop in this process, without HTTP.
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import autocannon, { type Result } from 'autocannon'
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import { NO_UNIT } from '../../db/schema.js'
import { storeResponse } from '../../server/repositories/responses.js'
import { SLOTS } from '../../server/repositories/rollups.js'
import {
  createPgliteDirectory, createPostgresDatabase, log, MB, openBenchDatabase, openWave, percentile, round, sampleRss, SERVER_URL, sleep,
  startServer, type BenchDatabase, type Engine, type Row, type ScenarioResult,
} from './lib.js'

const run = promisify(execFile)

export interface SubmitOptions {
  engine: Engine
  connections?: number
  /** Seconds per load run. */
  duration?: number
  /** CPU-profile the server (node --cpu-prof) into PROFILE_DIR/<label>. */
  profile?: boolean
}

const TARGET_RATE = 3000
const TARGET_P99_MS = 50
const TARGET_BASELINE_SHARE = 0.6
const TARGET_RSS_MB = 250

/** What one load run saw, and what it sent. */
interface LoadRun {
  result: Result
  /** CPU time the server used during the run, in ms. */
  serverCpuMs: number
  /** Keys whose success answer arrived. */
  answered: Set<string>
  /** Keys sent whose answer had not arrived when the load generator stopped. */
  inFlight: Set<string>
  statuses: Map<number, number>
}

/** Answers 1–5 for every item, at random, as a respondent would pick them. */
const randomAnswers = (keys: readonly string[]) => Object.fromEntries(keys.map((key) => [key, 1 + Math.floor(Math.random() * 5)]))

async function load(options: {
  url: string
  serverCpu: () => number
  connections: number
  duration: number
  method: string
  path: string
  headers: Record<string, string>
  success: number
  /** The body of the request with key `key`. */
  body: (key: string) => string
  prefix: string
}): Promise<LoadRun> {
  const answered = new Set<string>()
  const inFlight = new Set<string>()
  const statuses = new Map<number, number>()
  let counter = 0
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.duration,
    timeout: 10,
    requests: [{
      method: options.method,
      path: options.path,
      headers: options.headers,
      setupRequest(request, context) {
        const key = `${options.prefix}${(counter++).toString(36).padStart(20, '0')}`
        context.key = key
        inFlight.add(key)
        return { ...request, body: options.body(key) }
      },
      onResponse(status, _body, context) {
        const key = context.key as string
        inFlight.delete(key)
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
        if (status === options.success) answered.add(key)
      },
    }],
  })
  const cpuBefore = options.serverCpu()
  const result = await instance
  return { result, serverCpuMs: options.serverCpu() - cpuBefore, answered, inFlight, statuses }
}

/** Rows stored under each key of a run, checked against what the run was answered. */
function reconcile(run: LoadRun, stored: Set<string>) {
  let lost = 0
  for (const key of run.answered) if (!stored.has(key)) lost++
  let cutOff = 0
  let unexplained = 0
  for (const key of stored) {
    if (run.answered.has(key)) continue
    if (run.inFlight.has(key)) cutOff++
    else unexplained++
  }
  return { stored: stored.size, answered: run.answered.size, lost, cutOff, unexplained, equal: lost === 0 && unexplained === 0 }
}

function rowsFor(label: string, run: LoadRun, check: ReturnType<typeof reconcile>, successCode: number, baseline: Baseline | null, engine: Engine): Row[] {
  const { result } = run
  const rate = check.answered / result.duration
  const errors = result.errors + [...run.statuses].filter(([status]) => status !== successCode).reduce((sum, [, n]) => sum + n, 0)
  const ratioTarget = engine === 'postgres' ? TARGET_BASELINE_SHARE : undefined
  const baseName = baseline?.name ?? ''
  return [
    {
      scenario: label, metric: 'requests/s', value: round(rate, 0), unit: '/s', target: engine === 'postgres' ? `≥ ${TARGET_RATE}` : undefined,
      baseline: baseline ? round(baseline.rate, 0) : undefined, ratio: baseline ? rate / baseline.rate : undefined,
      pass: engine === 'postgres' ? rate >= TARGET_RATE && (!baseline || rate / baseline.rate >= TARGET_BASELINE_SHARE) : undefined,
      note: baseline ? `baseline: ${baseName}${ratioTarget ? `; target ratio ≥ ${ratioTarget}` : ''}` : undefined,
    },
    { scenario: label, metric: 'latency p50', value: result.latency.p50, unit: 'ms', baseline: baseline?.p50, ratio: baseline ? result.latency.p50 / baseline.p50 : undefined },
    { scenario: label, metric: 'latency p97.5', value: result.latency.p97_5, unit: 'ms', baseline: baseline?.p975, ratio: baseline ? result.latency.p97_5 / baseline.p975 : undefined },
    {
      scenario: label, metric: 'latency p99', value: result.latency.p99, unit: 'ms', target: engine === 'postgres' ? `≤ ${TARGET_P99_MS} ms` : undefined,
      baseline: baseline?.p99, ratio: baseline ? result.latency.p99 / baseline.p99 : undefined,
      pass: engine === 'postgres' ? result.latency.p99 <= TARGET_P99_MS : undefined,
    },
    {
      scenario: label, metric: 'server CPU per request', value: round(run.serverCpuMs / Math.max(1, check.answered), 2), unit: 'ms',
      note: 'CPU time of the server process (user + system) divided by the answers; the load generator and PostgreSQL run in other processes',
    },
    {
      scenario: label, metric: 'errors (non-' + successCode + ', socket, timeout)', value: errors, target: '0', pass: errors === 0,
      note: [...run.statuses].map(([s, n]) => `${s}: ${n}`).join(', '),
    },
    {
      scenario: label, metric: `rows stored / ${successCode} answers`, value: `${check.stored} / ${check.answered}`,
      target: 'equal', pass: check.equal,
      note: `${check.cutOff} stored whose answer was still in flight when the load generator closed its connections; ${check.lost} answered but not stored; ${check.unexplained} stored unexplained`,
    },
  ]
}

interface Baseline {
  name: string
  rate: number
  p50: number
  p975: number
  p99: number
  transactions: number
}

// ---------------------------------------------------------------------------------------------
// pgbench: what storeResponse sends for a public link's form, statement for statement (kept in step
// with insertResponse in server/repositories/responses.ts): one statement that inserts the response,
// its 12 answers and its share of the four rollups. For comparison, 'transaction' is the same work as
// eight statements in a transaction (BEGIN, six INSERTs, COMMIT), as storeResponse did before; and
// 'no-rollups' is the statement without its rollup upserts: what the database can do when nothing but
// the response and its answers is written (the ceiling the Scaling section of the README reasons from).

interface Item { key: string; dimension: string; headline: boolean }
export type ScriptForm = 'statement' | 'transaction' | 'no-rollups' | 'one-row'

/**
 * The fair peer baseline of design §8: a response stored the simplest durable way, as one row with
 * its answers in that row (what LimeSurvey and Formbricks do), keeping only the guarantee that a
 * double submit stores once (a unique submission key). Its own table, made before pgbench runs.
 */
export const ONE_ROW_TABLE = `CREATE TABLE IF NOT EXISTS bench_one_row (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), organization_id uuid NOT NULL,`
  + ` wave_id uuid NOT NULL, side text NOT NULL, answers int2[] NOT NULL, comment text, submission_key text NOT NULL,`
  + ` submitted_at timestamptz NOT NULL DEFAULT now(), UNIQUE (wave_id, submission_key))`

export function pgbenchScript(form: ScriptForm, organizationId: string, waveId: string, items: readonly Item[]): string {
  const keys = items.map((item) => item.key)
  const sorted = [...keys].sort()
  const v = (key: string) => `:v${keys.indexOf(key)}`
  const dimensions = new Map<string, string[]>()
  for (const item of items) if (!item.headline) dimensions.set(item.dimension, [...(dimensions.get(item.dimension) ?? []), item.key])
  const dims = [...dimensions.keys()].sort()
  const mean = (dimension: string) => {
    const members = dimensions.get(dimension)!
    return `((${members.map((key) => `${v(key)}::int`).join(' + ')})::float8 / ${members.length})`
  }
  const array = (values: string[], type: string) => `ARRAY[${values.join(', ')}]::${type}[]`
  const lines: string[] = keys.map((_key, i) => `\\set v${i} random(1, 5)`)
  lines.push(`\\set slot random(0, ${SLOTS - 1})`)
  const response = `INSERT INTO responses (organization_id, wave_id, side, unit_id, locale, channel, attributes, comment, submission_key, submitted_at, answer_values) `
    + `VALUES ('${organizationId}', '${waveId}', 'customer', NULL, 'en', 'link', '{}', NULL, 'p' || md5(random()::text || clock_timestamp()::text), now(), `
    + `${array(keys.map(v), 'int2')}) `
    + `ON CONFLICT (wave_id, submission_key) WHERE submission_key IS NOT NULL DO NOTHING RETURNING id`
  const answerConflict = `ON CONFLICT (wave_id, side, unit_key, item_key, value, slot) DO UPDATE SET count = answer_rollups.count + excluded.count`
  const dimensionConflict = `ON CONFLICT (wave_id, side, unit_key, dimension, slot) DO UPDATE SET respondents = dimension_rollups.respondents + excluded.respondents,`
    + ` agree = dimension_rollups.agree + excluded.agree, mean_sum = dimension_rollups.mean_sum + excluded.mean_sum`
  const responseConflict = `ON CONFLICT (wave_id, side, unit_key, slot) DO UPDATE SET respondents = response_rollups.respondents + excluded.respondents`
  // Every item answered with a value: the respondent, each item and each dimension count 1 (domain/measures.ts).
  const counts = array(['1', ...keys.map(() => '1'), ...dims.map(() => '1')], 'int4')
  const profileConflict = `ON CONFLICT (wave_id, side, unit_key, attributes, step, slot) DO UPDATE SET counts =`
    + ` (SELECT array_agg(a + b ORDER BY i) FROM unnest(profile_rollups.counts, excluded.counts) WITH ORDINALITY AS t(a, b, i))`
  if (form === 'one-row') {
    lines.push(`INSERT INTO bench_one_row (organization_id, wave_id, side, answers, comment, submission_key) `
      + `VALUES ('${organizationId}', '${waveId}', 'customer', ${array(keys.map(v), 'int2')}, NULL, 'p' || md5(random()::text || clock_timestamp()::text)) `
      + `ON CONFLICT (wave_id, submission_key) DO NOTHING RETURNING id;`)
    return lines.join('\n') + '\n'
  }
  if (form === 'no-rollups') {
    lines.push([
      `WITH inserted AS (${response}),`,
      ` new_answers AS (INSERT INTO answers (response_id, item_key, value) SELECT inserted.id, a.item_key, a.value`,
      ` FROM inserted, unnest(${array(keys.map((key) => `'${key}'`), 'text')}, ${array(keys.map(v), 'int2')}) AS a(item_key, value))`,
      ` SELECT id FROM inserted;`,
    ].join(''))
    return lines.join('\n') + '\n'
  }
  if (form === 'statement') {
    lines.push([
      `WITH inserted AS (${response}),`,
      ` new_answers AS (INSERT INTO answers (response_id, item_key, value) SELECT inserted.id, a.item_key, a.value`,
      ` FROM inserted, unnest(${array(keys.map((key) => `'${key}'`), 'text')}, ${array(keys.map(v), 'int2')}) AS a(item_key, value)),`,
      ` answer_totals AS (INSERT INTO answer_rollups (wave_id, side, unit_key, item_key, value, slot, count)`,
      ` SELECT '${waveId}'::uuid, 'customer'::text, '${NO_UNIT}'::uuid, t.item_key, t.value, :slot::int2, t.count`,
      ` FROM inserted, unnest(${array(sorted.map((key) => `'${key}'`), 'text')}, ${array(sorted.map(v), 'int2')}, ${array(sorted.map(() => '1'), 'int4')})`,
      ` WITH ORDINALITY AS t(item_key, value, count, n) ORDER BY t.n ${answerConflict} RETURNING 1),`,
      ` dimension_totals AS (INSERT INTO dimension_rollups (wave_id, side, unit_key, dimension, slot, respondents, agree, mean_sum)`,
      ` SELECT '${waveId}'::uuid, 'customer'::text, '${NO_UNIT}'::uuid, t.dimension, :slot::int2, t.respondents, t.agree, t.mean_sum`,
      ` FROM inserted, unnest(${array(dims.map((d) => `'${d}'`), 'text')}, ${array(dims.map(() => '1'), 'int4')},`,
      ` ${array(dims.map((d) => `CASE WHEN ${mean(d)} >= 4 THEN 1 ELSE 0 END`), 'int4')}, ${array(dims.map(mean), 'float8')})`,
      ` WITH ORDINALITY AS t(dimension, respondents, agree, mean_sum, n) WHERE (SELECT count(*) FROM answer_totals) >= 0 ORDER BY t.n ${dimensionConflict} RETURNING 1),`,
      ` response_totals AS (INSERT INTO response_rollups (wave_id, side, unit_key, slot, respondents)`,
      ` SELECT '${waveId}'::uuid, 'customer'::text, '${NO_UNIT}'::uuid, :slot::int2, 1 FROM inserted`,
      ` WHERE (SELECT count(*) FROM dimension_totals) >= 0 ${responseConflict} RETURNING 1),`,
      ` profile_totals AS (INSERT INTO profile_rollups (wave_id, side, unit_key, attributes, slot, counts)`,
      ` SELECT '${waveId}'::uuid, 'customer'::text, '${NO_UNIT}'::uuid, '{}'::jsonb, :slot::int2, ${counts} FROM inserted`,
      ` WHERE (SELECT count(*) FROM response_totals) >= 0 ${profileConflict} RETURNING 1)`,
      ` SELECT id FROM inserted WHERE (SELECT count(*) FROM profile_totals) >= 0;`,
    ].join(''))
    return lines.join('\n') + '\n'
  }
  lines.push('BEGIN;')
  lines.push(`${response} \\gset response_`)
  lines.push(`INSERT INTO answers (response_id, item_key, value) VALUES ${keys.map((key) => `(:response_id::uuid, '${key}', ${v(key)})`).join(', ')};`)
  lines.push(`INSERT INTO answer_rollups (wave_id, side, unit_key, item_key, value, slot, count) VALUES `
    + sorted.map((key) => `('${waveId}', 'customer', '${NO_UNIT}', '${key}', ${v(key)}, :slot, 1)`).join(', ') + ` ${answerConflict};`)
  lines.push(`INSERT INTO dimension_rollups (wave_id, side, unit_key, dimension, slot, respondents, agree, mean_sum) VALUES `
    + dims.map((d) => `('${waveId}', 'customer', '${NO_UNIT}', '${d}', :slot, 1, CASE WHEN ${mean(d)} >= 4 THEN 1 ELSE 0 END, ${mean(d)})`).join(', ')
    + ` ${dimensionConflict};`)
  lines.push(`INSERT INTO response_rollups (wave_id, side, unit_key, slot, respondents) VALUES ('${waveId}', 'customer', '${NO_UNIT}', :slot, 1) ${responseConflict};`)
  lines.push(`INSERT INTO profile_rollups (wave_id, side, unit_key, attributes, slot, counts) VALUES ('${waveId}', 'customer', '${NO_UNIT}', '{}', :slot, ${counts}) ${profileConflict};`)
  lines.push('COMMIT;')
  return lines.join('\n') + '\n'
}

const SCRIPT_NAMES: Record<ScriptForm, string> = {
  statement: 'the app\'s insert statement',
  transaction: 'the same rows as an 8-statement transaction',
  'no-rollups': 'the response and its answers only, no rollups',
  'one-row': 'one row per response, its answers in that row',
}

async function pgbenchBaseline(database: BenchDatabase, db: Db, waveId: string, form: ScriptForm, connections: number, duration: number): Promise<Baseline> {
  const wave = await db.selectFrom('waves').select(['organization_id', 'instrument_id']).where('id', '=', waveId).executeTakeFirstOrThrow()
  const items = await db.selectFrom('items').select(['key', 'dimension', 'headline']).where('instrument_id', '=', wave.instrument_id).orderBy('position').execute()
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-pgbench-'))
  try {
    if (form === 'one-row') await sql.raw(ONE_ROW_TABLE).execute(db)
    const script = join(dir, 'submit.sql')
    writeFileSync(script, pgbenchScript(form, wave.organization_id, waveId, items))
    const server = new URL(SERVER_URL)
    // The protocol node-postgres uses: extended query protocol, unnamed statements (parsed every time).
    const protocol = 'extended'
    const args = [
      '-n', '-c', String(connections), '-j', '2', '-T', String(duration), '-M', protocol, '-f', script,
      '-l', `--log-prefix=${join(dir, 'log')}`,
      '-h', server.hostname, '-p', server.port || '5432', '-U', decodeURIComponent(server.username || 'postgres'), database.name,
    ]
    log(`pgbench ${args.join(' ')}`)
    const { stdout } = await run('pgbench', args, { maxBuffer: 16 * MB, env: { ...process.env, PGPASSWORD: decodeURIComponent(server.password) } })
    const tps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1])
    const transactions = Number(/number of transactions actually processed: (\d+)/.exec(stdout)?.[1])
    const failed = Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0)
    if (failed > 0) log(`pgbench: ${failed} failed transactions`)
    const latencies: number[] = []
    for (const file of readdirSync(dir).filter((name) => name.startsWith('log'))) {
      for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
        const fields = line.split(' ')
        if (fields.length >= 3) latencies.push(Number(fields[2]) / 1000)
      }
    }
    return {
      name: `pgbench -c ${connections} -j 2 -T ${duration} -M ${protocol}, ${SCRIPT_NAMES[form]}`,
      rate: tps,
      transactions,
      p50: round(percentile(latencies, 50), 2),
      p975: round(percentile(latencies, 97.5), 2),
      p99: round(percentile(latencies, 99), 2),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The embedded database's own speed: storeResponse in a loop in this process, no HTTP. */
async function pgliteBaseline(db: Db, waveId: string, duration: number): Promise<Baseline> {
  const wave = await db.selectFrom('waves').select(['organization_id', 'instrument_id']).where('id', '=', waveId).executeTakeFirstOrThrow()
  const items = await db.selectFrom('items').select('key').where('instrument_id', '=', wave.instrument_id).execute()
  const keys = items.map((item) => item.key)
  const latencies: number[] = []
  const started = performance.now()
  const until = started + duration * 1000
  let n = 0
  while (performance.now() < until) {
    const t = performance.now()
    await storeResponse(db, {
      organizationId: wave.organization_id, waveId, side: 'customer', unitId: null, locale: 'en', channel: 'link', attributes: {},
      comment: null, answers: randomAnswers(keys), submissionKey: `q${(n++).toString(36).padStart(20, '0')}`,
    })
    latencies.push(performance.now() - t)
  }
  const seconds = (performance.now() - started) / 1000
  return {
    name: 'storeResponse in a loop in-process (no HTTP), one connection',
    rate: latencies.length / seconds,
    transactions: latencies.length,
    p50: round(percentile(latencies, 50), 2),
    p975: round(percentile(latencies, 97.5), 2),
    p99: round(percentile(latencies, 99), 2),
  }
}

// ---------------------------------------------------------------------------------------------

export async function submitScenario(options: SubmitOptions): Promise<ScenarioResult> {
  const { engine } = options
  const connections = options.connections ?? 50
  const duration = options.duration ?? 20
  const label = engine === 'postgres' ? 'submit' : 'submit (PGlite)'
  const database = engine === 'postgres' ? await createPostgresDatabase('submit') : createPgliteDirectory('submit')
  const rows: Row[] = []
  const details: Record<string, unknown> = { connections, duration, engine }
  try {
    log(`${label}: starting the server`)
    const server = await startServer({
      database,
      env: { SUBMIT_RATE_LIMIT: '1000000', SUBMIT_LINK_RATE_LIMIT: '1000000' },
      profile: options.profile ? `submit-${engine}-${Date.now()}` : null,
    })
    let form: LoadRun
    let json: LoadRun
    let rss: { max: number; startup: number }
    let tenant: Awaited<ReturnType<typeof openWave>>
    try {
      tenant = await openWave(server.url)
      // One browser: the survey page once for the CSRF cookie, its token and the item names.
      const page = await fetch(`${server.url}${tenant.customerPath}`)
      const html = await page.text()
      const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
      const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1]
      const keys = [...new Set([...html.matchAll(/name="?a_([a-z0-9_]+)/g)].map((m) => m[1]!))]
      if (!csrf || !cookie || keys.length === 0) throw new Error('the survey page has no CSRF token, cookie or items')
      details.items = keys.length
      const formBody = (key: string) => {
        const body = new URLSearchParams({ _csrf: csrf, submission: key, lang: 'en' })
        for (const [item, value] of Object.entries(randomAnswers(keys))) body.append(`a_${item}`, String(value))
        return body.toString()
      }
      const formHeaders = { cookie, 'content-type': 'application/x-www-form-urlencoded' }
      const apiPath = `/api/v1/waves/${tenant.waveId}/responses`
      const apiHeaders = { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/json' }
      const apiBody = (key: string) => JSON.stringify({ side: 'customer', answers: randomAnswers(keys), comment: key })

      const sampler = sampleRss(() => server.rss())
      log(`${label}: warming up (3 s of each)`)
      await load({ url: server.url, serverCpu: server.cpuMs, connections, duration: 3, method: 'POST', path: tenant.customerPath, headers: formHeaders, success: 303, body: formBody, prefix: 'w' })
      await load({ url: server.url, serverCpu: server.cpuMs, connections, duration: 3, method: 'POST', path: apiPath, headers: apiHeaders, success: 201, body: apiBody, prefix: 'x' })
      log(`${label}: survey form, ${connections} connections, ${duration} s`)
      form = await load({ url: server.url, serverCpu: server.cpuMs, connections, duration, method: 'POST', path: tenant.customerPath, headers: formHeaders, success: 303, body: formBody, prefix: 'f' })
      log(`${label}: JSON API, ${connections} connections, ${duration} s`)
      json = await load({ url: server.url, serverCpu: server.cpuMs, connections, duration, method: 'POST', path: apiPath, headers: apiHeaders, success: 201, body: apiBody, prefix: 'j' })
      rss = { max: sampler.stop().max, startup: server.peakRss() }
      // Requests the load generator gave up on at the end are still running: let them finish.
      await sleep(2000)
    } finally {
      await server.stop()
    }
    const failures = server.output().split('\n').filter((line) => /"level":(50|60)/.test(line))
    if (failures.length > 0) {
      log(`${label}: the server logged ${failures.length} errors; the first: ${failures[0]!.slice(0, 2000)}`)
      details.serverErrors = failures.slice(0, 20)
    }

    // Counted once the server has stopped, so that every request it took has finished.
    const db = await openBenchDatabase(database)
    try {
      const keyed = async (column: 'submission_key' | 'comment', prefix: string) => {
        const found = await db.selectFrom('responses').select(sql<string>`${sql.ref(column)}`.as('key'))
          .where('wave_id', '=', tenant.waveId).where(sql.ref(column), 'like', `${prefix}%`).execute()
        return new Set(found.map((row) => row.key))
      }
      const formCheck = reconcile(form, await keyed('submission_key', 'f'))
      const jsonCheck = reconcile(json, await keyed('comment', 'j'))
      log(`${label}: measuring the baseline`)
      const extra: Row[] = []
      // On PostgreSQL the targets are judged against the fair baseline (one row per response); the
      // app's own statement run by pgbench, today's design without HTTP, follows as a second row.
      const baseline = engine === 'postgres'
        ? await pgbenchBaseline(database, db, tenant.waveId, 'one-row', connections, duration)
        : await pgliteBaseline(db, tenant.waveId, Math.min(duration, 10))
      details.baseline = baseline
      // The rollups must still agree with the raw answers after all this (checked before the run without rollups).
      let consistent: boolean
      if (engine === 'postgres') {
        const own = await pgbenchBaseline(database, db, tenant.waveId, 'statement', connections, duration)
        details.baselineOwnStatement = own
        extra.push({
          scenario: label, metric: 'pgbench: the app\'s own insert statement', value: round(own.rate, 0), unit: '/s',
          baseline: round(baseline.rate, 0), ratio: own.rate / baseline.rate,
          note: `the response, 12 answer rows and the rollup upserts in one statement, without HTTP: p50 ${own.p50} ms, p99 ${own.p99} ms; the form's rate ÷ this = ${round(formCheck.answered / form.result.duration / own.rate, 2)}`,
        })
        const transaction = await pgbenchBaseline(database, db, tenant.waveId, 'transaction', connections, duration)
        details.baselineTransaction = transaction
        extra.push({
          scenario: label, metric: 'pgbench: same rows, 8-statement transaction', value: round(transaction.rate, 0), unit: '/s',
          baseline: round(baseline.rate, 0), ratio: transaction.rate / baseline.rate,
          note: `for comparison with the app's one-statement insert (${round(own.rate, 0)}/s): p50 ${transaction.p50} ms, p99 ${transaction.p99} ms`,
        })
        consistent = await rollupsAgree(db, tenant.waveId)
        const bare = await pgbenchBaseline(database, db, tenant.waveId, 'no-rollups', connections, duration)
        details.baselineNoRollups = bare
        extra.push({
          scenario: label, metric: 'pgbench: response and answers only, no rollups', value: round(bare.rate, 0), unit: '/s',
          baseline: round(baseline.rate, 0), ratio: bare.rate / baseline.rate,
          note: `what the database does with 12 answer rows and no rollup upserts (the ceiling if they left the request): p50 ${bare.p50} ms, p99 ${bare.p99} ms`,
        })
      } else {
        consistent = await rollupsAgree(db, tenant.waveId)
      }
      rows.push(...rowsFor(`${label}: form`, form, formCheck, 303, baseline, engine))
      rows.push(...rowsFor(`${label}: JSON API`, json, jsonCheck, 201, baseline, engine))
      rows.push(...extra)
      rows.push({ scenario: label, metric: 'rollups = raw answers after the run', value: consistent ? 'yes' : 'no', target: 'yes', pass: consistent })
      rows.push({
        scenario: engine === 'postgres' ? 'memory' : 'memory (PGlite)', metric: 'server peak RSS during submit', value: round(rss.max / MB, 0), unit: 'MB',
        target: engine === 'postgres' ? `≤ ${TARGET_RSS_MB} MB` : undefined, pass: engine === 'postgres' ? rss.max / MB <= TARGET_RSS_MB : undefined,
        note: `sampled every 100 ms while the load ran; the peak while starting (loading, migrating) was ${round(rss.startup / MB, 0)} MB`
          + (engine === 'pglite' ? '; includes the embedded database (its WebAssembly memory), which lives in the server process, so no target' : ''),
      })
      details.form = summary(form, formCheck)
      details.json = summary(json, jsonCheck)
      details.peakRssBytes = rss.max
    } finally {
      await db.destroy()
    }
  } finally {
    await database.drop()
  }
  return { rows, details }
}

function summary(run: LoadRun, check: ReturnType<typeof reconcile>) {
  const { result } = run
  return {
    duration: result.duration,
    requests: result.requests,
    latency: result.latency,
    errors: result.errors,
    timeouts: result.timeouts,
    statuses: Object.fromEntries(run.statuses),
    check,
  }
}

/** Compares the rollups of a wave with counts straight from its answers. */
export async function rollupsAgree(db: Db, waveId: string): Promise<boolean> {
  const fromRollups = await db.selectFrom('answer_rollups').select(['side', 'item_key', 'value', sql<number>`sum(count)::int`.as('n')])
    .where('wave_id', '=', waveId).groupBy(['side', 'item_key', 'value']).execute()
  const fromAnswers = await db.selectFrom('answers').innerJoin('responses', 'responses.id', 'answers.response_id')
    .select(['responses.side', 'answers.item_key', 'answers.value', sql<number>`count(*)::int`.as('n')])
    .where('responses.wave_id', '=', waveId).where('answers.value', 'is not', null)
    .groupBy(['responses.side', 'answers.item_key', 'answers.value']).execute()
  const key = (row: { side: string; item_key: string; value: number | null }) => `${row.side}|${row.item_key}|${row.value}`
  const expected = new Map(fromAnswers.map((row) => [key(row), Number(row.n)]))
  const respondents = await db.selectFrom('response_rollups').select(sql<number>`coalesce(sum(respondents), 0)::int`.as('n')).where('wave_id', '=', waveId).executeTakeFirstOrThrow()
  const responses = await db.selectFrom('responses').select(sql<number>`count(*)::int`.as('n')).where('wave_id', '=', waveId).executeTakeFirstOrThrow()
  return fromRollups.length === expected.size && fromRollups.every((row) => expected.get(key(row)) === Number(row.n)) && Number(respondents.n) === Number(responses.n)
}
