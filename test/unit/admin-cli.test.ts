// The admin command as a user runs it: a real process on a fresh embedded database.
import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'
import { openDatabase } from '../../db/connect.js'
import { hashToken } from '../../server/security/tokens.js'

const run = promisify(execFile)
const root = join(import.meta.dirname, '..', '..')

async function admin(args: string[], dataDir: string) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'server/cli/admin.ts', ...args], {
      cwd: root, env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' },
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

it('creates an organization with its owner and prints its id; refuses bad input with exit code 2', { timeout: 90_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sg-admin-'))
  const ok = await admin(['create-org', '--name', 'Cli Org', '--email', 'cli@example.test', '--password', 'a long password here'], dataDir)
  expect(ok.code).toBe(0)
  expect(ok.stdout.trim()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)

  const again = await admin(['create-org', '--name', 'Other', '--email', 'cli@example.test', '--password', 'a long password here'], dataDir)
  expect(again.code).toBe(2)
  expect(again.stderr).toContain('cli@example.test already has an account')

  const bad = await admin(['create-org', '--name', '', '--email', 'nope', '--password', 'short'], dataDir)
  expect(bad.code).toBe(2)
  expect(bad.stderr).toContain('--email: Enter an email address')
  expect(bad.stderr).toContain('--password: Use at least 12 characters.')
  expect(bad.stderr).not.toMatch(/\bat .+\.ts:\d+/)

  const unknown = await admin(['delete-everything'], dataDir)
  expect(unknown.code).toBe(2)
  expect(unknown.stderr).toContain('unknown command')
})

it('prints a single-use reset link for a locked-out owner, and refuses a password on the command line', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sg-admin-'))
  expect((await admin(['create-org', '--name', 'Cli Org', '--email', 'owner@example.test', '--password', 'a long password here'], dataDir)).code).toBe(0)

  const first = await admin(['reset-password', '--email', ' Owner@Example.test '], dataDir)
  expect(first.code).toBe(0)
  expect(first.stdout.trim()).toMatch(/^http:\/\/\S+\/reset-password\/[A-Za-z0-9_-]{43}$/)
  expect(first.stderr).toContain('works once, for 30 minutes')
  const second = await admin(['reset-password', '--email', 'owner@example.test'], dataDir)
  expect(second.code).toBe(0)
  expect(second.stdout).not.toBe(first.stdout)

  const unknown = await admin(['reset-password', '--email', 'nobody@example.test'], dataDir)
  expect(unknown.code).toBe(2)
  expect(unknown.stderr).toContain('no account has the address nobody@example.test')
  expect(unknown.stdout).toBe('')
  const withPassword = await admin(['reset-password', '--email', 'owner@example.test', '--password', 'a long password here'], dataDir)
  expect(withPassword.code).toBe(2)
  expect(withPassword.stderr).toContain('prints a link instead')
  expect((await admin(['reset-password', '--email', 'a,b@example.test'], dataDir)).code).toBe(2)
  expect((await admin(['reset-password'], dataDir)).stderr).toContain('reset-password --email EMAIL')

  // Only the newest link's hash is stored as usable; the first one was superseded.
  const db = openDatabase({ url: null, dataDir })
  try {
    const rows = await db.selectFrom('password_resets').select(['token_hash', 'used_at', 'created_at', 'expires_at']).orderBy('created_at').execute()
    const tokenOf = (out: string) => out.trim().split('/').at(-1)!
    expect(rows.map((row) => row.token_hash)).toEqual([hashToken(tokenOf(first.stdout)), hashToken(tokenOf(second.stdout))])
    expect(rows[0]!.used_at).not.toBeNull()
    expect(rows[1]!.used_at).toBeNull()
    expect(rows[1]!.expires_at.getTime() - rows[1]!.created_at.getTime()).toBeCloseTo(30 * 60 * 1000, -4)
  } finally {
    await db.destroy()
  }
})
