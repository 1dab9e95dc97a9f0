// The commands while the real server runs on the embedded database: they reach its database
// through the socket it serves in DATA_DIR (0600, in a 0700 directory), take turns with the requests
// it serves, and, once the server has stopped, open the data directory directly again.
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { socketPath } from '../../db/connect.js'
import { OWNER, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const root = join(import.meta.dirname, '..', '..')
const dataDir = mkdtempSync(join(tmpdir(), 'sg-cli-'))
let server: ServerProcess | null = null

afterAll(() => {
  server?.kill()
  rmSync(dataDir, { recursive: true, force: true })
})

async function command(script: string, args: string[], input?: string) {
  const child = execFile(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root, env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', SIGNING_SECRET: 'fault-secret-fault-secret-fault-secret-0123' },
  })
  if (input !== undefined) child.stdin!.end(input)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  return { code, stdout, stderr }
}

const admin = (...args: string[]) => command('server/cli/admin.ts', args)
const signIn = (url: string, email: string, password: string) =>
  fetch(`${url}/api/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })

it('runs admin, migrate and the shell through the running server, then directly once it stopped', { timeout: 360_000 }, async () => {
  server = await startServerProcess({ dataDir })
  const path = socketPath(dataDir)
  expect(statSync(path).isSocket()).toBe(true)
  expect(statSync(path).mode & 0o777).toBe(0o600)
  expect(statSync(dataDir).mode & 0o777).toBe(0o700)

  // Requests keep being served while the command runs; none fails.
  const token = (await (await signIn(server.url, OWNER.email, OWNER.password)).json()).token as string
  let load = true
  const statuses: number[] = []
  const traffic = (async () => {
    while (load) statuses.push((await fetch(`${server!.url}/api/v1/waves`, { headers: { authorization: `Bearer ${token}` } })).status)
  })()
  const created = await admin('create-org', '--name', 'Socket Org', '--email', 'socket@example.test', '--password', 'a long password here')
  load = false
  await traffic
  expect(created.stderr).toBe('')
  expect(created.code).toBe(0)
  expect(created.stdout.trim()).toMatch(/^[0-9a-f-]{36}$/)
  expect(statuses.length).toBeGreaterThan(0)
  expect(new Set(statuses)).toEqual(new Set([200]))
  // The server sees the new owner at once.
  expect((await signIn(server.url, 'socket@example.test', 'a long password here')).status).toBe(201)

  // The same refusals as without a server.
  const again = await admin('create-org', '--name', 'Other', '--email', 'socket@example.test', '--password', 'a long password here')
  expect(again.code).toBe(2)
  expect(again.stderr).toContain('already has an account')

  const migrated = await command('server/cli/migrate.ts', [])
  expect(migrated.code).toBe(0)
  expect(migrated.stdout).toContain('up to date')

  // The built-in shell, and psql through the shell command; a SET of theirs does not stay with the server.
  const builtin = await command('server/cli/shell.ts', ['--builtin'], "set search_path = nowhere;\nselect name from organizations where name = 'Socket Org';\n")
  expect(builtin.code).toBe(0)
  expect(builtin.stdout).toMatch(/ name\s*\n-+\n Socket Org\s*\n\(1 row\)/)
  const psql = await command('server/cli/shell.ts', [], "select count(*) as orgs from organizations;\nbegin;\nset local search_path = nowhere;\n")
  expect(psql.code).toBe(0)
  expect(psql.stdout).toMatch(/orgs\s*\n-+\n\s*2\s*\n/)
  expect((await fetch(`${server.url}/api/v1/waves`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200)

  // Stopped: the socket is gone, and the commands open the data directory themselves.
  server.child.kill('SIGTERM')
  expect(await server.exited).toBe(0)
  server = null
  expect(existsSync(socketPath(dataDir))).toBe(false)
  expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(false)
  const direct = await admin('create-org', '--name', 'Direct Org', '--email', 'direct@example.test', '--password', 'a long password here')
  expect(direct.code).toBe(0)
  const shell = await command('server/cli/shell.ts', [], 'select count(*)::int as orgs from organizations;\n')
  expect(shell.stdout).toMatch(/orgs\s*\n-+\n\s*3\s*\n/)

  // The server starts again on the same directory, and sees all three.
  server = await startServerProcess({ dataDir })
  expect((await signIn(server.url, 'direct@example.test', 'a long password here')).status).toBe(201)

  // Killed outright, it leaves its lock and socket behind; neither keeps a command or the next server out.
  server.child.kill('SIGKILL')
  await server.exited
  server = null
  expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(true)
  expect(existsSync(socketPath(dataDir))).toBe(true)
  const afterKill = await admin('create-org', '--name', 'After Kill', '--email', 'after-kill@example.test', '--password', 'a long password here')
  expect(afterKill.code).toBe(0)
  expect(afterKill.stderr).toContain('is no longer running')
  // Another process holds the directory now, not a server: the socket left behind is not taken for its own.
  const holder = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/lock-holder.ts', dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    await new Promise<void>((resolve) => holder.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('holding') && resolve()))
    const refused = await admin('create-org', '--name', 'Refused', '--email', 'refused@example.test', '--password', 'a long password here')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`is in use by process ${holder.pid}`)
    expect(refused.stderr).toContain('does not offer its database to commands')
  } finally {
    holder.kill('SIGKILL')
    await once(holder, 'exit')
  }
  server = await startServerProcess({ dataDir })
  const throughSocket = await admin('create-org', '--name', 'Again', '--email', 'again@example.test', '--password', 'a long password here')
  expect(throughSocket.code).toBe(0)
  expect((await signIn(server.url, 'again@example.test', 'a long password here')).status).toBe(201)
  expect((await signIn(server.url, 'after-kill@example.test', 'a long password here')).status).toBe(201)
})
