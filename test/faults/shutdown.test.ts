// SIGTERM while 50 connections submit survey forms to the real server process: it must stop taking
// requests, finish the ones it took, and exit with status 0 within seconds. SIGKILL at the same
// moment: it stops dead, with forms stored and not yet folded into the rollups. Either way every form
// that was answered 303 is stored, each stored response holds exactly the answers that were sent, and
// the figures agree with a recount of the raw answers: at once (the rollups and the fold's queue), and
// once the fold has taken what the killed server left queued (the rollups alone).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../db/connect.js'
import type { Scale } from '../../server/domain/types.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { fromAnswers, fromRollups } from '../../server/repositories/reports.js'
import { foldAll } from '../../server/repositories/rollups.js'
import { createTestDatabase, DATABASES, type DatabaseKind } from '../helpers/databases.js'
import { openWave, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const SCALES = new Map<string, Scale>(SERVICE_GAP_INDEX_V1.items.map((item) => [item.key, item.scale]))
const CONNECTIONS = 50
const LOAD_BEFORE_SIGNAL_MS = 1500
const EXIT_WITHIN_MS = 5000

/** A server on a fresh database of the given kind; `open()` reads it from this process once the server is gone. */
async function freshDatabase(kind: DatabaseKind) {
  if (kind === 'postgres') {
    const database = await createTestDatabase('postgres')
    return { target: { url: database.url! }, open: async () => database.db, drop: () => database.drop() }
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'sg-shutdown-'))
  let db: Db | null = null
  return {
    target: { dataDir },
    open: async () => (db = openDatabase({ url: null, dataDir })),
    drop: async () => {
      await db?.destroy()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

const CASES = [
  { signal: 'SIGTERM', what: 'finishes what it accepted, stores every accepted response whole, and exits with status 0' },
  { signal: 'SIGKILL', what: 'loses no accepted response, and the fold takes what was left queued' },
] as const

describe(`a signal while ${CONNECTIONS} connections submit`, () => {
  // Each case has a server process of its own, so they run side by side.
  for (const kind of DATABASES) for (const { signal, what } of CASES) {
    it.concurrent(`${signal}: ${what} [${kind}]`, async () => {
      const database = await freshDatabase(kind)
      let server: ServerProcess | null = null
      try {
        server = await startServerProcess(database.target, { env: { SUBMIT_RATE_LIMIT: '1000000', SUBMIT_LINK_RATE_LIMIT: '1000000' } })
        const { waveId, customerPath } = await openWave(server.url)
        const page = await fetch(`${server.url}${customerPath}`)
        const html = await page.text()
        const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
        const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!

        // Each request carries its own submission key and its own answers, remembered to check what was stored.
        const sent = new Map<string, Record<string, number>>()
        const answered = new Set<string>()
        const inFlight = new Set<string>()
        const statuses = new Map<number, number>()
        let counter = 0
        const load = autocannon({
          url: server.url,
          connections: CONNECTIONS,
          duration: 30,
          timeout: 10,
          requests: [{
            method: 'POST',
            path: customerPath,
            headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
            setupRequest(request, context) {
              const key = `k${(counter++).toString(36).padStart(16, '0')}`
              const answers = Object.fromEntries(KEYS.map((item) => [item, 1 + Math.floor(Math.random() * 5)]))
              sent.set(key, answers)
              inFlight.add(key)
              context.key = key
              const body = new URLSearchParams({ _csrf: csrf, submission: key, lang: 'en' })
              for (const [item, value] of Object.entries(answers)) body.append(`a_${item}`, String(value))
              return { ...request, body: body.toString() }
            },
            onResponse(status, _body, context) {
              const key = context.key as string
              inFlight.delete(key)
              statuses.set(status, (statuses.get(status) ?? 0) + 1)
              if (status === 303) answered.add(key)
            },
          }],
        })

        // The signal comes after 1.5 s, and not before the load is in full swing on a slow machine.
        const loadStarted = performance.now()
        while (performance.now() - loadStarted < LOAD_BEFORE_SIGNAL_MS || (answered.size < 2 * CONNECTIONS && performance.now() - loadStarted < 15_000)) {
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        const acceptedBeforeSignal = answered.size
        const signalled = performance.now()
        server.child.kill(signal)
        const code = await server.exited
        const exitMs = performance.now() - signalled
        load.stop()
        await load

        expect(acceptedBeforeSignal, 'the load was running when the signal came').toBeGreaterThan(CONNECTIONS)
        if (signal === 'SIGTERM') {
          expect(code, server.output()).toBe(0)
          expect(exitMs).toBeLessThan(EXIT_WITHIN_MS)
          // Nothing failed on the way down: no error was logged.
          expect(server.output().split('\n').filter((line) => /"level":(50|60)/.test(line))).toEqual([])
          // Refused requests were answered 503 or had their connection closed; none got anything else.
          expect([...statuses.keys()].filter((status) => status !== 303 && status !== 503)).toEqual([])
        } else {
          expect([...statuses.keys()].filter((status) => status !== 303)).toEqual([])
        }

        const db = await database.open()
        const rows = await db.selectFrom('responses').leftJoin('answers', 'answers.response_id', 'responses.id')
          .select(['responses.submission_key', 'answers.item_key', 'answers.value']).where('responses.wave_id', '=', waveId).execute()
        const stored = new Map<string, Record<string, number>>()
        for (const row of rows) {
          const answers = stored.get(row.submission_key!) ?? {}
          if (row.item_key !== null) answers[row.item_key] = row.value!
          stored.set(row.submission_key!, answers)
        }
        const lost = [...answered].filter((key) => !stored.has(key))
        expect(lost, 'answered 303 but not stored').toEqual([])
        for (const [key, answers] of stored) {
          expect(answered.has(key) || inFlight.has(key), `${key} was stored but never sent`).toBe(true)
          expect(answers, `the answers of ${key}`).toEqual(sent.get(key))
        }

        const { organization_id: organizationId } = await db.selectFrom('waves').select('organization_id').where('id', '=', waveId).executeTakeFirstOrThrow()
        const raw = await fromAnswers(db, organizationId, waveId, 'customer', { unitId: null, attributes: {} }, SCALES)
        expect(raw.respondents).toBe(stored.size)
        const expectEqualsRecount = async (when: string) => {
          const rolled = await fromRollups(db, organizationId, waveId, 'customer', null, SCALES)
          expect(rolled.respondents, when).toBe(stored.size)
          expect(Object.fromEntries(rolled.distributions), when).toEqual(Object.fromEntries(raw.distributions))
          for (const [dimension, counts] of raw.dimensions) {
            expect(rolled.dimensions.get(dimension), when).toMatchObject({ n: counts.n, agree: counts.agree })
            expect(rolled.dimensions.get(dimension)!.meanSum, when).toBeCloseTo(counts.meanSum, 6)
          }
        }
        await expectEqualsRecount('as the server left them')
        await foldAll(db)
        expect(await db.selectFrom('fold_queue').select('response_id').execute(), 'queued after the fold').toEqual([])
        await expectEqualsRecount('after the fold')
      } finally {
        server?.kill()
        await database.drop()
      }
    }, 90_000)
  }
})
