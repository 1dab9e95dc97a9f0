// The real server in a child process (compiled and started as `npm start` does it), for
// tests that need a process to signal: it listens on a free port, creates its owner from the
// environment, and is reached over HTTP.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildServer, SERVER_ARGS } from '../../server/cli/build.js'
import { SERVER_BUILT_ENV } from './built-server.js'

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)))
export const OWNER = { email: 'owner@faults.test', password: 'fault test passphrase' }

export interface ServerProcess {
  url: string
  child: ChildProcess
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>
  /** What the process printed so far. */
  output(): string
  /** Ends the process if it still runs (SIGKILL: for clean-up after a failed test). */
  kill(): void
}

/** Compiled once per test file, however many servers it starts. */
let built: Promise<void> | null = null

/** A port nothing listens on right now (for a server, or a load balancer in front of servers). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  await new Promise<void>((done) => server.close(() => done()))
  return port
}

export interface ServerProcessOptions {
  /** Set on top of the defaults (owner, secret, port, quiet log). */
  env?: Record<string, string>
  /** Node flags before the server's own, e.g. --cpu-prof. */
  nodeArgs?: string[]
}

/** Starts the server on a database (a postgres:// URL, or an embedded database's data directory) and waits until /health answers. */
export async function startServerProcess(database: { url: string } | { dataDir: string }, options: ServerProcessOptions = {}): Promise<ServerProcess> {
  // Compiled once for the whole run by the global setup (./built-server.ts); a run without it compiles here.
  built ??= process.env[SERVER_BUILT_ENV] ? Promise.resolve() : buildServer()
  await built
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...SERVER_ARGS], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: url,
      SIGNING_SECRET: 'fault-secret-fault-secret-fault-secret-0123',
      ADMIN_EMAIL: OWNER.email,
      ADMIN_PASSWORD: OWNER.password,
      LOG_LEVEL: 'warn',
      ...('url' in database ? { DATABASE_URL: database.url } : { DATA_DIR: database.dataDir }),
      ...options.env,
    },
  })
  let output = ''
  const keep = (chunk: Buffer) => {
    output += chunk.toString()
    // A long load test prints a lot; the end is what explains a failure.
    if (output.length > 200_000) output = output.slice(-100_000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  const started = Date.now()
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before it answered:\n${output}`)
    try {
      if ((await fetch(`${url}/health`)).ok) break
    } catch {
      // not listening yet
    }
    // A first start on a fresh embedded database (initdb and every migration in WebAssembly) is slow
    // on a busy machine.
    if (Date.now() - started > 60_000) {
      kill()
      throw new Error(`the server did not answer within 60 s:\n${output}`)
    }
    await new Promise((done) => setTimeout(done, 100))
  }
  return { url, child, exited, output: () => output, kill }
}

export interface OpenedWave {
  /** The owner's API token. */
  token: string
  waveId: string
  /** Paths of the wave's general links, /s/<token>. */
  customerPath: string
  staffPath: string
}

/** Signs in as the owner over the API and opens a wave of the built-in instrument. */
export async function openWave(url: string, owner: { email: string; password: string } = OWNER, name = 'Open wave'): Promise<OpenedWave> {
  const post = async (path: string, body: unknown, token?: string) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    })
    if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`)
    return response.json() as Promise<Record<string, unknown>>
  }
  const { token } = await post('/api/v1/tokens', owner) as { token: string }
  const wave = await post('/api/v1/waves', { name, templateKey: 'service-gap-index' }, token) as { id: string; links: { staff: string; customer: string } }
  return { token, waveId: wave.id, customerPath: new URL(wave.links.customer).pathname, staffPath: new URL(wave.links.staff).pathname }
}
