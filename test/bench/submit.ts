// Scenario 1 (and 5, 6): survey submissions under load. The real server (`server/server.ts`, what
// `npm start` runs) in a child process; autocannon in this process with 50 connections for 20 s
// against the survey form (POST /s/:token, a CSRF cookie + token and a new submission key on every
// request) and against the JSON API (POST /api/v1/waves/:id/responses, one object per request).
// Afterwards the rows stored are compared with the answers the load generator received, what the
// server's fold had left behind is folded (and timed), and the rollups are compared with a recount.
// Baseline on PostgreSQL: pgbench storing each response as one row with its answers in it (the fair
// peer baseline of design §8), with the same number of connections for the same time; then, for
// comparison, pgbench running the app's own insert, and the insert as it was before the fold
// (submit-scripts.ts). On PGlite: the same insert (storeResponse) called in a loop in this process,
// without HTTP.
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import autocannon, { type Result } from 'autocannon'
import { sql } from 'kysely'
import { openDatabase, type Db } from '../../db/connect.js'
import { storeResponse } from '../../server/repositories/responses.js'
import {
  createPgliteDirectory, createPostgresDatabase, foldEverything, log, MB, openBenchDatabase, openWave, percentile, round, sampleRss, SERVER_URL, sleep,
  startServer, unfoldedRows, type BenchDatabase, type Engine, type Row, type ScenarioResult,
} from './lib.js'
import { createScriptTables, pgbenchScript, type ScriptForm } from './submit-scripts.js'

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
// pgbench: the scripts of submit-scripts.ts, with the same connections for the same time.

const SCRIPT_NAMES: Record<ScriptForm, string> = {
  statement: 'the app\'s insert statement',
  'before-fold': 'the insert before the fold (response, 12 answer rows, 17 rollup upserts)',
  'one-row': 'one row per response, its answers in that row',
}

async function pgbenchBaseline(database: BenchDatabase, db: Db, waveId: string, form: ScriptForm, connections: number, duration: number): Promise<Baseline> {
  const wave = await db.selectFrom('waves').select(['organization_id', 'instrument_id']).where('id', '=', waveId).executeTakeFirstOrThrow()
  const items = await db.selectFrom('items').select(['key', 'dimension', 'headline']).where('instrument_id', '=', wave.instrument_id).orderBy('position').execute()
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-pgbench-'))
  try {
    await createScriptTables(db, form)
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
    // What the server's fold has not reached when each run ends, seen from another connection (an
    // embedded database has only the server's, so PGlite goes without).
    const watcher = database.url ? openDatabase({ url: database.url, dataDir: null, poolSize: 1 }) : null
    const behind = async () => (watcher ? unfoldedRows(watcher) : null)
    let unfoldedAtEnd: { form: number | null; json: number | null }
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
      const formBehind = await behind()
      log(`${label}: JSON API, ${connections} connections, ${duration} s`)
      json = await load({ url: server.url, serverCpu: server.cpuMs, connections, duration, method: 'POST', path: apiPath, headers: apiHeaders, success: 201, body: apiBody, prefix: 'j' })
      unfoldedAtEnd = { form: formBehind, json: await behind() }
      rss = { max: sampler.stop().max, startup: server.peakRss() }
      // Requests the load generator gave up on at the end are still running: let them finish.
      await sleep(2000)
    } finally {
      await server.stop()
      await watcher?.destroy()
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
      // What the server's fold left when it stopped, folded here as it would have been.
      const afterLoad = await foldEverything(db)
      details.unfoldedAtEnd = unfoldedAtEnd
      details.foldAfterLoad = afterLoad
      log(`${label}: measuring the baseline`)
      const extra: Row[] = []
      // On PostgreSQL the targets are judged against the fair baseline (one row per response); the
      // app's own statement run by pgbench, today's design without HTTP, follows, and then the
      // statement of the design before the fold.
      const baseline = engine === 'postgres'
        ? await pgbenchBaseline(database, db, tenant.waveId, 'one-row', connections, duration)
        : await pgliteBaseline(db, tenant.waveId, Math.min(duration, 10))
      details.baseline = baseline
      let own: Baseline | null = null
      if (engine === 'postgres') {
        own = await pgbenchBaseline(database, db, tenant.waveId, 'statement', connections, duration)
        details.baselineOwnStatement = own
        extra.push({
          scenario: label, metric: 'pgbench: the app\'s own insert statement', value: round(own.rate, 0), unit: '/s',
          baseline: round(baseline.rate, 0), ratio: own.rate / baseline.rate,
          note: `one row with its answers and its queue entry for the fold, without HTTP and without the fold running beside it (next rows): `
            + `p50 ${own.p50} ms, p99 ${own.p99} ms; the form's rate ÷ this = ${round(formCheck.answered / form.result.duration / own.rate, 2)}`,
        })
      }
      // The forms of pgbench's statement (or of storeResponse in a loop) wait for the fold too, and
      // nothing has folded them yet: this times the fold on a full backlog.
      const backlog = await foldEverything(db)
      details.foldBacklog = backlog
      const folds = foldRows(label, unfoldedAtEnd, afterLoad, backlog, own ?? baseline, engine)
      const consistent = await rollupsAgree(db, tenant.waveId)
      if (engine === 'postgres') {
        const before = await pgbenchBaseline(database, db, tenant.waveId, 'before-fold', connections, duration)
        details.baselineBeforeFold = before
        extra.push({
          scenario: label, metric: 'pgbench: the insert before the fold', value: round(before.rate, 0), unit: '/s',
          baseline: round(baseline.rate, 0), ratio: before.rate / baseline.rate,
          note: `the response, 12 answer rows and 17 rollup upserts over 16 slots in one statement (storeResponse up to 167231a), `
            + `into scratch tables of the old shapes: p50 ${before.p50} ms, p99 ${before.p99} ms`
            + (own ? `; today's statement ÷ this = ${round(own.rate / before.rate, 2)}` : ''),
        })
      }
      rows.push(...rowsFor(`${label}: form`, form, formCheck, 303, baseline, engine))
      rows.push(...rowsFor(`${label}: JSON API`, json, jsonCheck, 201, baseline, engine))
      rows.push(...extra, ...folds)
      rows.push({
        scenario: label, metric: 'rollups = raw answers after the fold', value: consistent ? 'yes' : 'no', target: 'yes', pass: consistent,
        note: 'the rollup tables alone (no tail), once every form of the run and of the baselines has been folded, against a recount of the answers view',
      })
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

type Folded = Awaited<ReturnType<typeof foldEverything>>

/**
 * The fold's rows: how far behind the server's fold was when the load stopped, what it had left when
 * the server stopped, and how fast a backlog folds (the baseline's forms, which nothing folded while
 * they arrived) against the rate they arrived at.
 */
function foldRows(label: string, atEnd: { form: number | null; json: number | null }, afterLoad: Folded, backlog: Folded, arrived: Baseline, engine: Engine): Row[] {
  const rows: Row[] = []
  if (atEnd.form !== null) {
    rows.push({
      scenario: label, metric: 'fold: rows unfolded when the load ended', value: `${atEnd.form} / ${atEnd.json}`,
      note: 'form run / JSON API run, counted from another connection as the load generator stopped; the server folds every 200 ms, and until then every report counts them from the rows',
    })
  }
  const left = (fold: Folded) => (fold.left === 0 ? '' : `; ${fold.left} still unfolded after waiting ${round(fold.waitedMs / 1000, 1)} s for entries other transactions held`)
  rows.push({
    scenario: label, metric: 'fold: rows left when the server stopped', value: afterLoad.rows, target: 'none left', pass: afterLoad.left === 0,
    note: `folded here by foldAll in ${round(afterLoad.ms, 0)} ms, 2 s after the load ended and once the server had shut down${left(afterLoad)}`,
  })
  const rate = backlog.rows / Math.max(backlog.ms / 1000, 1e-3)
  rows.push({
    scenario: label, metric: `fold: ${engine === 'postgres' ? 'pgbench\'s' : 'the loop\'s'} forms, folded afterwards`, value: round(rate, 0), unit: '/s',
    baseline: round(arrived.rate, 0), ratio: rate / arrived.rate, target: 'none left', pass: backlog.left === 0,
    note: `${backlog.rows} rows folded by foldAll in ${round(backlog.ms, 0)} ms (transactions of up to 5,000 rows), on a database doing nothing else; `
      + `the baseline is the rate they were stored at, so the ratio says how many times faster the fold goes than forms arrived${left(backlog)}`,
  })
  return rows
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
