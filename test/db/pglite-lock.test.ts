// The data directory's lock: a live owner keeps everyone else out, and names itself; an owner that is
// gone (killed with SIGKILL, a zombie never reaped, or a pid now held by an unrelated process) does not
// block a restart.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DatabaseInUseError, openDatabase } from '../../db/connect.js'

const root = join(import.meta.dirname, '..', '..')
const started: ChildProcess[] = []
const dirs: string[] = []

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  vi.restoreAllMocks()
})

function dataDir() {
  const dir = mkdtempSync(join(tmpdir(), 'sg-lock-'))
  dirs.push(dir)
  return dir
}

/** Starts a process holding the database (through `sh -c`, whose command line may put it behind a parent) and waits until it holds it. */
async function holder(command: string, dir: string): Promise<{ child: ChildProcess; pid: number }> {
  const child = spawn('sh', ['-c', command], { cwd: root, env: { ...process.env, DIR: dir, DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'inherit'] })
  started.push(child)
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const deadline = Date.now() + 60_000
  while (!output.includes('holding')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the holder did not start: ${output}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { child, pid: JSON.parse(readFileSync(join(dir, 'pglite.lock'), 'utf8')).pid }
}

const HOLDER = `${process.execPath} --import tsx test/helpers/lock-holder.ts "$DIR"`

async function opensAndWorks(dir: string) {
  const db = openDatabase({ url: null, dataDir: dir })
  try {
    const { rows } = await sql<{ n: number }>`select 1 as n`.execute(db)
    expect(rows[0]!.n).toBe(1)
  } finally {
    await db.destroy()
  }
  expect(existsSync(join(dir, 'pglite.lock'))).toBe(false)
}

const processState = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]
}

describe('the embedded database lock', { timeout: 120_000 }, () => {
  it('refuses while the owner runs, naming its pid', async () => {
    const dir = dataDir()
    const { pid } = await holder(`exec ${HOLDER}`, dir)
    let refused: unknown = null
    try {
      openDatabase({ url: null, dataDir: dir })
    } catch (error) {
      refused = error
    }
    expect(refused).toBeInstanceOf(DatabaseInUseError)
    expect((refused as Error).message).toContain(`in use by process ${pid}`)
    expect((refused as DatabaseInUseError).pid).toBe(pid)
  })

  it('is taken over, with a line saying so, from an owner killed with SIGKILL', async () => {
    const dir = dataDir()
    const { child, pid } = await holder(`exec ${HOLDER}`, dir)
    child.kill('SIGKILL')
    await once(child, 'exit')
    expect(existsSync(join(dir, 'pglite.lock'))).toBe(true) // SIGKILL leaves it behind
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    await opensAndWorks(dir)
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`process ${pid}, is no longer running`))
  })

  it('is taken over from a zombie owner that its parent never reaps', async () => {
    const dir = dataDir()
    // sh starts the holder in the background and becomes `sleep`, which never waits for children.
    const { pid } = await holder(`${HOLDER} & exec sleep 120`, dir)
    process.kill(pid, 'SIGKILL')
    const deadline = Date.now() + 10_000
    while (processState(pid) !== 'Z') {
      if (Date.now() > deadline) throw new Error('the holder did not become a zombie')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(() => process.kill(pid, 0)).not.toThrow() // a zombie still answers signal 0
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    await opensAndWorks(dir)
  })

  it('is taken over when its pid now belongs to another process', async () => {
    const dir = dataDir()
    const other = spawn('sleep', ['120'], { stdio: 'ignore' })
    started.push(other)
    await once(other, 'spawn')
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    // The lock of a process that had this pid and started at another time.
    writeFileSync(join(dir, 'pglite.lock'), JSON.stringify({ pid: other.pid, start: '1' }))
    await opensAndWorks(dir)
    // A lock from before start times were recorded: a bare pid, now a process that is not Node.
    writeFileSync(join(dir, 'pglite.lock'), String(other.pid))
    await opensAndWorks(dir)
    // A lock of this very process, by a previous run that had the same pid (a restarted container).
    writeFileSync(join(dir, 'pglite.lock'), String(process.pid))
    await opensAndWorks(dir)
  })

  it('keeps a second open in the same process out', async () => {
    const dir = dataDir()
    const db = openDatabase({ url: null, dataDir: dir })
    try {
      expect(() => openDatabase({ url: null, dataDir: dir })).toThrow(DatabaseInUseError)
    } finally {
      await db.destroy()
    }
  })

  it('is released by a database closed before its first query', async () => {
    const dir = dataDir()
    const db = openDatabase({ url: null, dataDir: dir })
    await db.destroy()
    expect(existsSync(join(dir, 'pglite.lock'))).toBe(false)
    await opensAndWorks(dir)
  })
})
