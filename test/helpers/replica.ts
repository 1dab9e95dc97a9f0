// A real streaming replica of the local PostgreSQL for the fault tests: pg_basebackup into a temporary
// directory (owned by the postgres user, mode 0700, with its own replication slot so the primary keeps
// the WAL it needs), started with pg_ctl on a free port, and killed or removed again. The primary must
// accept replication connections from loopback; allowReplication adds the pg_hba.conf lines if missing
// (.ci/run does the same on a clean machine).
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chownSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { openDatabase, type Db } from '../../db/connect.js'
import { freePort } from './server-process.js'

const BIN = '/usr/lib/postgresql/15/bin'
const SLOT_PREFIX = 'servicegap_replica_'
/** Settings a hot standby must have at least as high as its primary's. */
const AT_LEAST_PRIMARY = ['max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction']

const asPostgres = (command: string, args: string[]) =>
  execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }).toString()

/** Lets the primary stream to a replica on loopback (idempotent), and reloads its configuration if it changed. */
export async function allowReplication(primary: Db): Promise<void> {
  const lines = ['local replication all trust', 'host replication all 127.0.0.1/32 trust']
  const hba = (await sql<{ file: string }>`select current_setting('hba_file') as file`.execute(primary)).rows[0]!.file
  const present = readFileSync(hba, 'utf8').split('\n').map((line) => line.trim().replace(/\s+/g, ' '))
  const missing = lines.filter((line) => !present.includes(line))
  if (missing.length === 0) return
  appendFileSync(hba, `\n# Streaming replicas on this machine (Service Gap's read-replica test)\n${missing.join('\n')}\n`)
  await sql`select pg_reload_conf()`.execute(primary)
}

export interface Replica {
  /** The replica's URL for a database of the primary (same name). */
  urlOf(database: string): string
  port: number
  /** Kills the replica's postmaster with SIGKILL, as a crash would, and waits until its port is closed. */
  kill(): Promise<void>
  /**
   * Stops the replica with pg_ctl: `fast` ends each session with an error (57P01 admin_shutdown),
   * `immediate` ends them at once, as a crash does (a warning, then the connection closes).
   */
  stop(mode: 'fast' | 'immediate'): Promise<void>
  /** Starts a stopped replica again; it resumes streaming from its slot. */
  start(): Promise<void>
  /**
   * Stops the replica's processes (SIGSTOP) without closing anything: its connections stay open and
   * unanswered, as with a host that froze or was cut off by the network. `thaw` lets them go on.
   */
  freeze(): void
  thaw(): void
  /** Stops whatever is left, removes the directory and drops the replication slot. */
  remove(): Promise<void>
}

/** A running hot standby of `primaryUrl`'s server, caught up and accepting connections. */
export async function startReplica(primaryUrl: string): Promise<Replica> {
  const primary = openDatabase({ url: primaryUrl, dataDir: null, poolSize: 1 })
  await allowReplication(primary)
  // Slots of earlier runs that died before cleaning up would keep WAL on the primary for ever.
  await sql`select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name like ${`${SLOT_PREFIX}%`} and not active`.execute(primary)
  const settings = await Promise.all(AT_LEAST_PRIMARY.map(async (name) => `${name} = ${(await sql<{ v: string }>`select current_setting(${name}) as v`.execute(primary)).rows[0]!.v}`))

  const slot = `${SLOT_PREFIX}${randomBytes(4).toString('hex')}`
  const parent = mkdtempSync(join(tmpdir(), 'sg-replica-'))
  chownSync(parent, uidOf('postgres'), gidOf('postgres'))
  chmodSync(parent, 0o700)
  const dir = join(parent, 'data')
  const port = await freePort()
  const started = performance.now()
  try {
    // A fast checkpoint (the default spreads it over minutes), and no fsync of a copy that lives for a minute.
    asPostgres('pg_basebackup', ['-h', '127.0.0.1', '-p', new URL(primaryUrl).port || '5432', '-U', 'postgres', '-D', dir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync', '-C', '-S', slot])
    // Debian keeps the configuration outside the data directory: the replica gets its own, small one.
    writeFileSync(join(dir, 'postgresql.conf'), [
      `port = ${port}`, `listen_addresses = '127.0.0.1'`, `unix_socket_directories = '${parent}'`, 'hot_standby = on',
      'hot_standby_feedback = on', 'shared_buffers = 32MB', 'fsync = off', 'logging_collector = off', ...settings, '',
    ].join('\n'))
    writeFileSync(join(dir, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 trust\n')
    writeFileSync(join(dir, 'pg_ident.conf'), '')
    execFileSync('chown', ['-R', 'postgres:postgres', dir])
    asPostgres(`${BIN}/pg_ctl`, ['-D', dir, '-l', join(parent, 'log'), '-w', '-t', '60', 'start'])
  } catch (error) {
    const log = existsSync(join(parent, 'log')) ? readFileSync(join(parent, 'log'), 'utf8') : ''
    rmSync(parent, { recursive: true, force: true })
    await sql`select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = ${slot} and not active`.execute(primary)
    await primary.destroy()
    throw new Error(`the replica did not start: ${(error as Error).message}\n${log}`, { cause: error })
  }
  console.log(`replica: base backup and start in ${Math.round(performance.now() - started)} ms (port ${port})`)

  const postmasterPid = () => {
    const file = join(dir, 'postmaster.pid')
    return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : null
  }
  const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`
  /** The processes freeze stopped, for thaw. */
  let frozen: number[] = []
  const thaw = () => {
    for (const pid of frozen) {
      try {
        process.kill(pid, 'SIGCONT')
      } catch {
        // ended meanwhile
      }
    }
    frozen = []
  }
  return {
    urlOf,
    port,
    async kill() {
      const pid = postmasterPid()
      if (pid === null) throw new Error('the replica is not running')
      process.kill(pid, 'SIGKILL')
      // Its backends end once they see the postmaster gone; the port is free when nothing answers on it.
      for (let i = 0; i < 100 && accepting(port); i++) await new Promise((resolve) => setTimeout(resolve, 100))
    },
    async stop(mode) {
      asPostgres(`${BIN}/pg_ctl`, ['-D', dir, '-m', mode, '-w', '-t', '60', 'stop'])
    },
    async start() {
      asPostgres(`${BIN}/pg_ctl`, ['-D', dir, '-l', join(parent, 'log'), '-w', '-t', '60', 'start'])
    },
    freeze() {
      const pid = postmasterPid()
      if (pid === null) throw new Error('the replica is not running')
      // The postmaster first, so that it starts no process the list would miss.
      frozen = [pid]
      process.kill(pid, 'SIGSTOP')
      frozen.push(...execFileSync('pgrep', ['-P', String(pid)]).toString().split('\n').filter(Boolean).map(Number))
      for (const child of frozen.slice(1)) process.kill(child, 'SIGSTOP')
    },
    thaw,
    async remove() {
      thaw()
      try {
        if (postmasterPid() !== null) asPostgres(`${BIN}/pg_ctl`, ['-D', dir, '-m', 'immediate', 'stop'])
      } catch {
        // killed already: its processes end on their own
      }
      rmSync(parent, { recursive: true, force: true })
      // The slot is active until the walreceiver has gone.
      for (let i = 0; i < 50; i++) {
        const { rows } = await sql<{ active: boolean }>`select active from pg_replication_slots where slot_name = ${slot}`.execute(primary)
        if (rows.length === 0) break
        if (!rows[0]!.active) {
          await sql`select pg_drop_replication_slot(${slot})`.execute(primary)
          break
        }
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      await primary.destroy()
    },
  }
}

function accepting(port: number): boolean {
  try {
    execFileSync(`${BIN}/pg_isready`, ['-h', '127.0.0.1', '-p', String(port), '-q'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const uidOf = (user: string) => Number(execFileSync('id', ['-u', user]).toString().trim())
const gidOf = (user: string) => Number(execFileSync('id', ['-g', user]).toString().trim())
