// A small TypeScript program outside the code base, as an integrator would write one: its files in a
// temporary folder that sees this project's node_modules (for @types/node, openapi-fetch and tsx),
// type-checked with tsc in strict mode, then run with node and tsx.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const run = promisify(execFile)

export interface Program {
  dir: string
  /** tsc --noEmit --strict over every file: resolves with tsc's output, rejects with it on any error. */
  typecheck(): Promise<string>
  /** Runs one file with node and tsx, with these environment variables (PATH and HOME are kept). */
  run(file: string, env?: Record<string, string>): Promise<{ stdout: string; stderr: string }>
  remove(): void
}

export function writeProgram(files: Record<string, string>): Program {
  const dir = mkdtempSync(join(tmpdir(), 'sg-program-'))
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }))
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext',
      lib: ['ES2022'], types: ['node'], skipLibCheck: false, noUncheckedIndexedAccess: true,
    },
    files: Object.keys(files),
  }))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return {
    dir,
    async typecheck() {
      try {
        const { stdout } = await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir })
        return stdout
      } catch (error) {
        const failed = error as { stdout?: string; stderr?: string }
        throw new Error(`tsc found errors:\n${failed.stdout ?? ''}${failed.stderr ?? ''}`, { cause: error })
      }
    },
    run: (file, env = {}) => run(process.execPath, ['--import', 'tsx', join(dir, file)], {
      cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env }, timeout: 60_000,
    }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}
