// npm run db:shell: an SQL shell on the configured database. With psql installed it is psql (on the
// embedded database through the running server's socket); otherwise, or with --builtin, a small
// shell of our own: statements end with `;`, rows print as a table, \q quits. Without a running
// server the embedded database is opened directly, as the other commands do.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { embeddedDatabase, socketConnection } from '../../db/connect.js'
import { loadConfigOrExit } from '../config.js'
import { openOrExit } from '../database.js'

interface Result {
  fields: { name: string }[]
  rows: Record<string, unknown>[]
  command?: string | null
  affectedRows?: number | null
}

let builtin = false
try {
  builtin = parseArgs({ options: { builtin: { type: 'boolean' } } }).values.builtin ?? false
} catch (error) {
  console.error(`${(error as Error).message}\nusage: npm run db:shell [-- --builtin]`)
  process.exit(2)
}

const config = loadConfigOrExit(2)
const db = openOrExit(config)
const embedded = embeddedDatabase(db)

if (embedded !== null) {
  // No server runs: this process holds the data directory, and only the built-in shell can use it.
  await repl(async (text) => (await embedded.pglite.exec(text)) as Result[], () => db.destroy())
} else {
  // The database is a server's (PostgreSQL, or ours through its socket): the pool opened above has
  // not connected and is closed unused.
  await db.destroy()
  const connection: pg.ClientConfig = config.databaseUrl !== null ? { connectionString: config.databaseUrl } : socketConnection(config.dataDir)
  if (!builtin && (await hasPsql())) {
    process.exitCode = await psql(connection)
  } else {
    const client = new pg.Client(connection)
    client.on('error', () => {})
    try {
      await client.connect()
    } catch (error) {
      console.error(`Cannot reach the database: ${(error as Error).message}`)
      process.exit(1)
    }
    await repl(async (text) => {
      const results = (await client.query(text)) as unknown as pg.QueryResult | pg.QueryResult[]
      return (Array.isArray(results) ? results : [results]).map((r) => ({ fields: r.fields ?? [], rows: r.rows, command: r.command, affectedRows: r.rowCount }))
    }, () => client.end())
  }
}

async function hasPsql(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('psql', ['--version'], { stdio: 'ignore' })
    child.on('error', () => resolve(false))
    child.on('exit', (code) => resolve(code === 0))
  })
}

/** psql in this terminal; a password goes by environment, not on the command line where `ps` shows it. */
async function psql(connection: pg.ClientConfig): Promise<number> {
  const env = { ...process.env }
  let args: string[]
  if (connection.connectionString) {
    const url = new URL(connection.connectionString)
    if (url.password) env.PGPASSWORD = decodeURIComponent(url.password)
    url.password = ''
    args = [url.toString()]
  } else {
    args = ['-h', String(connection.host), '-p', String(connection.port), '-U', String(connection.user), '-d', String(connection.database)]
  }
  const child = spawn('psql', args, { stdio: 'inherit', env })
  // Ctrl-C belongs to psql (it cancels the statement there); this process waits for it to end.
  process.on('SIGINT', () => {})
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)))
}

async function repl(run: (text: string) => Promise<Result[]>, close: () => Promise<void>) {
  const input = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY })
  const interactive = process.stdin.isTTY === true
  if (interactive) console.log('Service Gap SQL shell. End a statement with ;  \\q quits.')
  let buffer = ''
  const prompt = () => {
    if (interactive) {
      input.setPrompt(buffer === '' ? 'sg=> ' : 'sg-> ')
      input.prompt()
    }
  }
  const execute = async () => {
    const text = buffer.trim()
    buffer = ''
    if (text === '') return
    try {
      for (const result of await run(text)) print(result)
    } catch (error) {
      console.log(`ERROR:  ${(error as Error).message}`)
      process.exitCode = 1
    }
  }
  // Ctrl-C drops the statement being typed, as in psql; on an empty line it quits.
  input.on('SIGINT', () => {
    if (buffer === '') input.close()
    else {
      buffer = ''
      process.stdout.write('\n')
      prompt()
    }
  })
  prompt()
  for await (const line of input) {
    if (buffer === '' && /^\s*\\q\s*$/.test(line)) break
    buffer += `${line}\n`
    if (/;\s*$/.test(line)) await execute()
    prompt()
  }
  await execute()
  input.close()
  await close()
}

/** Rows as psql prints them: a header, a rule, aligned columns, and the count. */
function print(result: Result) {
  if (result.fields.length === 0) {
    console.log(result.command ? `${result.command}${result.affectedRows !== null && result.affectedRows !== undefined ? ` ${result.affectedRows}` : ''}` : 'OK')
    return
  }
  const names = result.fields.map((field) => field.name)
  const cells = result.rows.map((row) => names.map((name) => show(row[name])))
  const widths = names.map((name, i) => Math.max(name.length, ...cells.map((row) => row[i]!.length)))
  console.log(names.map((name, i) => ` ${name.padEnd(widths[i]!)} `).join('|'))
  console.log(widths.map((width) => '-'.repeat(width + 2)).join('+'))
  for (const row of cells) console.log(row.map((cell, i) => ` ${cell.padEnd(widths[i]!)} `).join('|'))
  console.log(`(${result.rows.length} ${result.rows.length === 1 ? 'row' : 'rows'})\n`)
}

function show(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'object') return JSON.stringify(value)
  // Line breaks would break the table; they show as psql's continuation would not, escaped.
  return String(value).replace(/\r?\n/g, '\\n')
}
