// Scenario 4: invitation dispatch. N contacts invited to a wave (N mail jobs), an SMTP server in this
// process (smtp-server) that records every message by its Message-ID, and the mail worker in a child
// process (dispatch-worker.ts) at MAIL_RATE 5000. The worker is restarted twice on the way: stopped
// gracefully (SIGTERM) after a third, killed (SIGKILL) after two thirds, each time replaced by a fresh
// one. Duplicates and losses are counted per restart from the Message-IDs received.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { sql } from 'kysely'
import { SMTPServer } from 'smtp-server'
import { DEFAULT_SMTP_CONNECTIONS } from '../../server/mail/transport.js'
import { inviteContacts } from '../../server/repositories/invitations.js'
import { findLatestInstrument } from '../../server/repositories/instruments.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { createWave } from '../../server/repositories/waves.js'
import {
  ADMIN, createPostgresDatabase, log, openBenchDatabase, PROFILE_DIR, ROOT, round, SIGNING_SECRET, sleep, type Row, type ScenarioResult,
} from './lib.js'

export interface DispatchOptions {
  invitations: number
  rate?: number
  /** CPU-profile the workers (node --cpu-prof) into PROFILE_DIR/dispatch-…. */
  profile?: boolean
}

const TARGET_RATE = 300
/** A job left claimed by a killed worker is taken back after this long (120 s in production). */
const STALE_MS = 3000

interface Received { id: string; phase: number; at: number }

/** An SMTP server that keeps the Message-ID, phase and time of every message it accepts. */
async function smtpServer() {
  const received: Received[] = []
  const seen = new Map<string, number>()
  let phase = 0
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false, size: 1024 * 1024,
    onData(stream, _session, callback) {
      let head = ''
      let done = false
      stream.on('data', (chunk: Buffer) => {
        if (done) return
        head += chunk.toString('latin1')
        if (head.includes('\r\n\r\n') || head.length > 64 * 1024) done = true
      })
      stream.on('end', () => {
        const id = /^Message-ID:\s*(<[^>]+>)/im.exec(head.replace(/\r\n[ \t]+/g, ' '))?.[1] ?? `(none ${received.length})`
        received.push({ id, phase, at: performance.now() })
        seen.set(id, (seen.get(id) ?? 0) + 1)
        callback()
      })
    },
  })
  server.listen(0, '127.0.0.1')
  await once(server.server, 'listening')
  const port = (server.server.address() as AddressInfo).port
  return {
    received,
    unique: () => seen.size,
    setPhase: (value: number) => { phase = value },
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

async function startWorker(env: Record<string, string>, profile: string | null): Promise<ChildProcess> {
  const args = ['--import', 'tsx']
  if (profile) args.push('--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, profile)}`)
  const child = spawn(process.execPath, [...args, join(ROOT, 'test/bench/dispatch-worker.ts')], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const started = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve())
    child.once('exit', (code) => reject(new Error(`the mail worker exited (${code}) before it started:\n${output}`)))
  })
  await started
  return child
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const until = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

export async function dispatchScenario(options: DispatchOptions): Promise<ScenarioResult> {
  const total = options.invitations
  const rate = options.rate ?? 5000
  const database = await createPostgresDatabase('dispatch')
  const db = await openBenchDatabase(database)
  const rows: Row[] = []
  const details: Record<string, unknown> = { invitations: total, mailRate: rate, staleMs: STALE_MS }
  const smtp = await smtpServer()
  let worker: ChildProcess | null = null
  try {
    const { organizationId } = await createOrganizationWithOwner(db, { name: 'Dispatch Co', email: ADMIN.email, password: ADMIN.password })
    const instrument = (await findLatestInstrument(db, organizationId, 'service-gap-index'))!
    const waveId = await createWave(db, organizationId, {
      name: 'Dispatch wave', instrumentId: instrument.id, status: 'open', opensAt: null, closesAt: null, locales: ['en', 'es', 'de'], unitIds: [],
    })
    await sql`
      insert into contacts (organization_id, side, email, name, locale)
      select ${organizationId}::uuid, case when g % 4 = 0 then 'staff' else 'customer' end, 'contact' || g || '@example.test', 'Contact ' || g,
        (array['en', 'es', 'de'])[1 + g % 3]
      from generate_series(1, ${total}::int) as g`.execute(db)
    const queueStart = performance.now()
    const queued = await inviteContacts(db, SIGNING_SECRET, { organizationId, waveId })
    details.queueSeconds = round((performance.now() - queueStart) / 1000, 2)
    if (queued !== total) throw new Error(`queued ${queued} of ${total}`)
    log(`dispatch: ${queued.toLocaleString('en-US')} invitations queued in ${details.queueSeconds} s`)

    const env = {
      DATABASE_URL: database.url!, SMTP_URL: smtp.url + (process.env.BENCH_SMTP_QUERY ?? ''), MAIL_RATE: String(rate), SIGNING_SECRET, PUBLIC_URL: 'http://sg.bench',
      MAIL_FROM: 'Surveys <surveys@sg.bench>', LOG_LEVEL: 'warn', BENCH_STALE_MS: String(STALE_MS), ...(process.env.BENCH_LANES ? { BENCH_LANES: process.env.BENCH_LANES } : {}),
    }
    const profile = options.profile ? `dispatch-${Date.now()}` : null
    const started = performance.now()
    // Phase 0 → graceful stop after a third.
    worker = await startWorker(env, profile)
    await waitFor(() => smtp.unique() >= total / 3, 120_000, 'a third of the messages')
    worker.kill('SIGTERM')
    await once(worker, 'exit')
    const graceful = smtp.received.length
    log(`dispatch: worker stopped (SIGTERM) after ${graceful.toLocaleString('en-US')} messages`)
    // Phase 1 → killed after two thirds.
    smtp.setPhase(1)
    worker = await startWorker(env, profile)
    await waitFor(() => smtp.unique() >= (2 * total) / 3, 120_000, 'two thirds of the messages')
    worker.kill('SIGKILL')
    await once(worker, 'exit')
    const killedAt = performance.now()
    log(`dispatch: worker killed (SIGKILL) after ${smtp.received.length.toLocaleString('en-US')} messages`)
    // Phase 2 → a fresh worker finishes, taking back what the killed one held once it is STALE_MS old.
    smtp.setPhase(2)
    worker = await startWorker(env, profile)
    const pending = async () => Number((await db.selectFrom('mail_jobs').select(sql<number>`count(*)::int`.as('n')).where('status', '!=', 'sent').executeTakeFirstOrThrow()).n)
    await waitFor(async () => smtp.unique() >= total && (await pending()) === 0, 300_000, 'every message')
    const finished = performance.now()
    await sleep(STALE_MS + 1000)
    worker.kill('SIGTERM')
    await once(worker, 'exit')
    worker = null

    const first = new Map<string, number>()
    const duplicates = [0, 0, 0]
    const crossing = { graceful: 0, killed: 0, other: 0 }
    for (const message of smtp.received) {
      const before = first.get(message.id)
      if (before === undefined) {
        first.set(message.id, message.phase)
        continue
      }
      duplicates[message.phase]!++
      if (before === 0 && message.phase === 1) crossing.graceful++
      else if (before === 1 && message.phase === 2) crossing.killed++
      else crossing.other++
    }
    const unique = first.size
    const lost = total - unique
    const sentRows = Number((await db.selectFrom('invitations').select(sql<number>`count(*)::int`.as('n')).where('status', '=', 'sent').executeTakeFirstOrThrow()).n)
    const phase0 = smtp.received.filter((m) => m.phase === 0)
    const steady = phase0.length / ((phase0.at(-1)!.at - phase0[0]!.at) / 1000)
    const overall = unique / ((finished - started) / 1000)
    details.received = smtp.received.length
    details.unique = unique
    details.duplicates = { ...crossing, byPhase: duplicates }
    details.steadyRate = round(steady, 1)
    details.overallRate = round(overall, 1)
    details.afterKillSeconds = round((finished - killedAt) / 1000, 1)
    rows.push({
      scenario: 'dispatch', metric: 'messages/s (steady, first worker)', value: round(steady, 0), unit: '/s', target: `≥ ${TARGET_RATE}/s`,
      pass: steady >= TARGET_RATE, note: `MAIL_RATE ${rate}; to smtp-server in the benchmark process, over nodemailer's pool of ${DEFAULT_SMTP_CONNECTIONS} connections (one message in flight on each)`,
    })
    rows.push({
      scenario: 'dispatch', metric: `messages/s overall (${total.toLocaleString('en-US')}, 2 restarts)`, value: round(overall, 0), unit: '/s',
      note: `from the first start to the last message, including two restarts and the ${STALE_MS / 1000} s before jobs held by the killed worker are taken back (120 s in production)`,
    })
    rows.push({ scenario: 'dispatch', metric: 'lost (never received)', value: lost, target: '0', pass: lost === 0 && sentRows === total, note: `${sentRows} invitations marked sent` })
    rows.push({ scenario: 'dispatch', metric: 'duplicates across a graceful restart (SIGTERM)', value: crossing.graceful, target: '0', pass: crossing.graceful === 0 })
    rows.push({
      scenario: 'dispatch', metric: 'duplicates across a hard kill (SIGKILL)', value: crossing.killed, target: '0', pass: crossing.killed === 0 && crossing.other === 0,
      note: `a message the SMTP server accepted in the instant before the kill, whose "sent" mark was never written, goes out again: at most one per connection (${DEFAULT_SMTP_CONNECTIONS})`
        + (crossing.other > 0 ? `; ${crossing.other} other duplicates` : ''),
    })
  } finally {
    if (worker && worker.exitCode === null) worker.kill('SIGKILL')
    await smtp.close()
    await db.destroy()
    await database.drop()
  }
  return { rows, details }
}
