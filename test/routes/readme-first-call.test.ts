// The README's "First call in five minutes", run as written: its shell steps with the real curl (and
// jq) in one bash session, its TypeScript steps as one file type-checked by tsc --strict and run with
// node and tsx, each against the real server process on a free port. Both must print exactly what
// the README says they print, ending with a headline where both sides are shown.
import { execFile, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASES } from '../helpers/databases.js'
import { OWNER } from '../helpers/server-process.js'
import { serverOn, type RunningServer } from '../helpers/server-on.js'
import { writeProgram } from '../helpers/typescript-program.js'

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const HEADING = '## First call in five minutes'
const SETTINGS = ['SG_URL', 'SG_EMAIL', 'SG_PASSWORD']

/** The fenced code blocks of the README's section under HEADING, with their info strings. */
function sectionBlocks(): Array<{ lang: string; code: string }> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const start = readme.indexOf(`\n${HEADING}\n`)
  if (start === -1) throw new Error(`README.md has no "${HEADING}" section`)
  const end = readme.indexOf('\n## ', start + HEADING.length + 2)
  const section = readme.slice(start, end === -1 ? undefined : end)
  return [...section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((match) => ({ lang: match[1]!, code: match[2]! }))
}

const blocks = sectionBlocks()
const shell = blocks.filter((block) => block.lang === 'sh')
const settings = shell.filter((block) => block.code.startsWith('export '))
const curlSteps = shell.filter((block) => !block.code.startsWith('export '))
const typescript = blocks.filter((block) => block.lang === 'ts').map((block) => block.code).join('\n')
const expected = blocks.filter((block) => block.lang === 'text').map((block) => block.code)

it('has one settings line naming what the steps read, four curl steps, their TypeScript, and the expected output', () => {
  expect(settings).toHaveLength(1)
  expect([...settings[0]!.code.matchAll(/\b(SG_[A-Z]+)=/g)].map((match) => match[1])).toEqual(SETTINGS)
  expect(curlSteps).toHaveLength(4)
  for (const step of curlSteps) expect(step.code).toMatch(/\bcurl -sf /)
  for (const name of SETTINGS) {
    expect(curlSteps.map((step) => step.code).join('\n')).toContain(`$${name}`)
    expect(typescript).toContain(name)
  }
  expect(blocks.filter((block) => block.lang === 'ts')).toHaveLength(5)
  expect(typescript).not.toMatch(/^import /m)
  expect(expected).toHaveLength(1)
}, 30_000)

/** The two lines every version prints: the number of stored rows, then the headline. */
function checkOutput(stdout: string) {
  expect(stdout).toBe(expected[0])
  const headline = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>
  // Both sides are shown (not suppressed), and so is the gap between them.
  expect(headline).toEqual({ staff: expect.any(Number), customer: expect.any(Number), gap: expect.any(Number) })
}

/**
 * The shell steps need bash, curl and jq. CI installs them (.ci/run); on a machine with only Node
 * the TypeScript steps still run, and the shell steps are left out, named as skipped.
 */
const SHELL_TOOLS = ['bash', 'curl', 'jq'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0)

for (const kind of DATABASES) {
  describe(`the README's first call against the real server [${kind}]`, () => {
    let running: RunningServer
    let env: Record<string, string>
    beforeAll(async () => {
      running = await serverOn(kind)
      env = { SG_URL: running.server.url, SG_EMAIL: OWNER.email, SG_PASSWORD: OWNER.password }
    }, 120_000)
    afterAll(async () => running?.stop(), 30_000)

    it.runIf(SHELL_TOOLS)('runs the curl steps in one bash session and prints the headline with both sides', async () => {
      const script = ['set -euo pipefail', ...curlSteps.map((step) => step.code)].join('\n')
      const { stdout } = await promisify(execFile)('bash', ['-c', script], {
        env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000,
      })
      checkOutput(stdout)
    }, 90_000)

    it('type-checks the TypeScript steps with tsc --strict, runs them with tsx, and prints the same', async () => {
      const program = writeProgram({ 'first-call.mts': typescript })
      try {
        await program.typecheck()
        const { stdout } = await program.run('first-call.mts', env)
        checkOutput(stdout)
      } finally {
        program.remove()
      }
    }, 120_000)

    it('left a wave of ten responses for each version run, as the steps said', async () => {
      const { token } = await (await fetch(`${env.SG_URL}/api/v1/tokens`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: OWNER.email, password: OWNER.password }),
      })).json() as { token: string }
      const waves = await (await fetch(`${env.SG_URL}/api/v1/waves`, { headers: { authorization: `Bearer ${token}` } })).json() as Array<{ id: string; name: string }>
      const firstCalls = waves.filter((wave) => wave.name.startsWith('First call '))
      expect(firstCalls).toHaveLength(SHELL_TOOLS ? 2 : 1)
      for (const wave of firstCalls) {
        const csv = await (await fetch(`${env.SG_URL}/api/v1/waves/${wave.id}/export.csv`, { headers: { authorization: `Bearer ${token}` } })).text()
        const rows = csv.trim().split('\n').slice(1)
        expect(rows.filter((row) => row.split(',')[1] === 'staff')).toHaveLength(5)
        expect(rows.filter((row) => row.split(',')[1] === 'customer')).toHaveLength(5)
      }
    }, 30_000)
  })
}
