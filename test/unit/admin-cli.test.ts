// The admin command as a user runs it: a real process on a fresh embedded database.
import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

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
