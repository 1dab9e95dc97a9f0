// Scenario 3: a 100,000-contact CSV through POST /api/v1/contacts (text/csv) on the real server in a
// child process. Seconds, and the server's RSS sampled while it imports. "Bounded" is judged by
// comparing with a file a tenth the size: memory that grew with the file would grow about tenfold.
// Every contact must come back created (none updated, no errors) and be stored: what the suite's
// 100,000-contact test asserted before it moved here.
import { sql } from 'kysely'
import {
  createPostgresDatabase, log, MB, openBenchDatabase, openWave, round, sampleRss, sleep, startServer, type Row, type ScenarioResult,
} from './lib.js'

export interface ImportOptions {
  contacts: number
}

const TARGET_SECONDS = 10
/** How much more the server may grow for the full file than for one a tenth its size. */
const BOUNDED_SLACK_MB = 50

function csv(rows: number, prefix: string): string {
  const lines = ['email,name,side,tier,region,language']
  for (let i = 0; i < rows; i++) {
    const side = i % 4 === 0 ? 'staff' : 'customer'
    lines.push(`${prefix}${i}@example.com,Person ${prefix}${i},${side},${['gold', 'silver', 'bronze'][i % 3]},Region ${i % 7},${['en', 'es', 'de'][i % 3]}`)
  }
  return lines.join('\n') + '\n'
}

export async function importScenario(options: ImportOptions): Promise<ScenarioResult> {
  const database = await createPostgresDatabase('import')
  const rows: Row[] = []
  const details: Record<string, unknown> = { contacts: options.contacts }
  try {
    const server = await startServer({ database })
    try {
      const { token } = await openWave(server.url)
      const send = async (body: string) => {
        const response = await fetch(`${server.url}/api/v1/contacts`, {
          method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body,
        })
        const text = await response.text()
        if (response.status !== 200) throw new Error(`POST /api/v1/contacts: ${response.status} ${text.slice(0, 300)}`)
        return JSON.parse(text) as { created: number; updated: number; errorCount?: number; errors: unknown[] }
      }
      const run = async (count: number, prefix: string) => {
        const body = csv(count, prefix)
        await sleep(500)
        const before = server.rss()
        const sampler = sampleRss(() => server.rss(), 50)
        const start = performance.now()
        const result = await send(body)
        const seconds = (performance.now() - start) / 1000
        const { max } = sampler.stop()
        return { count, bytes: Buffer.byteLength(body), seconds, before, peak: max, growth: max - before, result }
      }
      log(`import: warming up with 1,000 contacts`)
      await run(1000, 'warm')
      const small = Math.max(1000, Math.round(options.contacts / 10))
      log(`import: ${small.toLocaleString('en-US')} contacts`)
      const tenth = await run(small, 'small')
      log(`import: ${options.contacts.toLocaleString('en-US')} contacts`)
      const full = await run(options.contacts, 'full')
      details.runs = { tenth, full }
      const stored = await (async () => {
        const db = await openBenchDatabase(database)
        try {
          const row = await db.selectFrom('contacts').select(sql<number>`count(*)::int`.as('n')).where('email', 'like', 'full%').executeTakeFirstOrThrow()
          return Number(row.n)
        } finally {
          await db.destroy()
        }
      })()
      const bounded = full.growth / MB <= tenth.growth / MB + BOUNDED_SLACK_MB
      rows.push({
        scenario: 'import', metric: `${options.contacts.toLocaleString('en-US')}-contact CSV`, value: round(full.seconds, 1), unit: 's',
        target: `≤ ${TARGET_SECONDS} s`, pass: full.seconds <= TARGET_SECONDS,
        note: `${round(full.bytes / MB, 1)} MB of CSV through POST /api/v1/contacts (text/csv); ${Math.round(options.contacts / full.seconds).toLocaleString('en-US')} contacts/s`,
      })
      rows.push({
        scenario: 'import', metric: 'contacts stored / created', value: `${stored} / ${full.result.created}`, target: `${options.contacts}`,
        pass: stored === options.contacts && full.result.created === options.contacts && full.result.updated === 0
          && (full.result.errorCount ?? full.result.errors.length) === 0 && full.result.errors.length === 0,
        note: `updated ${full.result.updated}, errors ${full.result.errorCount ?? full.result.errors.length}`,
      })
      rows.push({ scenario: 'import', metric: 'server peak RSS while importing', value: round(full.peak / MB, 0), unit: 'MB' })
      rows.push({
        scenario: 'import', metric: 'RSS growth: full file / a tenth', value: `${round(full.growth / MB, 0)} / ${round(tenth.growth / MB, 0)} MB`,
        target: `bounded (≤ tenth + ${BOUNDED_SLACK_MB} MB)`, pass: bounded,
        note: `growth over the RSS just before each import; the tenth (${small.toLocaleString('en-US')} rows) took ${round(tenth.seconds, 1)} s`,
      })
    } finally {
      await server.stop()
    }
  } finally {
    await database.drop()
  }
  return { rows, details }
}
