// Rules written once in TypeScript and once in SQL, checked against each other on the same data, on
// every database: whether a wave is open (effectiveStatus and waveIsOpen), and whether a respondent
// agrees on a dimension (agreesOnDimension, which the rollups count with, and the SQL that counts raw answers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../db/connect.js'
import { effectiveStatus } from '../../server/domain/periods.js'
import type { Answers, ImportedResponse } from '../../server/domain/responses.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { agreesOnDimension, dimensionMean } from '../../server/domain/statistics.js'
import type { Scale, Side, WaveStatus } from '../../server/domain/types.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { fromAnswers, fromRollups } from '../../server/repositories/reports.js'
import { importResponses, storeResponse } from '../../server/repositories/responses.js'
import { waveIsClosed, waveIsOpen } from '../../server/repositories/wave-status.js'
import { advanceStaff } from '../../server/services/release-steps.js'
import { createWave } from '../../server/repositories/waves.js'
import { createTestDatabase, DATABASES, type TestDatabase } from '../helpers/databases.js'

const HOUR = 3_600_000
const T = new Date('2026-06-15T12:00:00.000Z')
const before = new Date(T.getTime() - HOUR)
const after = new Date(T.getTime() + HOUR)

/** Every combination of status and dates that matters, the edges (a date exactly at T) included. */
const WAVES: Array<{ status: WaveStatus; opensAt: Date | null; closesAt: Date | null }> = []
for (const status of ['draft', 'open', 'closed'] as const) {
  for (const opensAt of [null, before, T, after]) {
    for (const closesAt of [null, before, T, after]) {
      // The schema wants a closing date after the opening date.
      if (opensAt && closesAt && closesAt <= opensAt) continue
      WAVES.push({ status, opensAt, closesAt })
    }
  }
}

/** A small deterministic generator, so a failure names data that can be reproduced. */
function generator(seed: number) {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
}

for (const kind of DATABASES) {
  describe(`rules in TypeScript and SQL agree [${kind}]`, () => {
    let database: TestDatabase
    let db: Db
    let organizationId: string
    let instrumentId: string

    beforeAll(async () => {
      database = await createTestDatabase(kind)
      db = database.db
      organizationId = (await createOrganizationWithOwner(db, { name: 'Rules', email: 'owner@rules.test', password: 'correct horse battery staple' })).organizationId
      instrumentId = (await db.selectFrom('instruments').select('id').where('organization_id', 'is', null)
        .where('key', '=', 'service-gap-index').executeTakeFirstOrThrow()).id
    })

    afterAll(async () => {
      await database?.drop()
    })

    it('waveIsOpen says open exactly when effectiveStatus says open, at a given instant and now', async () => {
      const ids: string[] = []
      for (const [i, wave] of WAVES.entries()) {
        ids.push(await createWave(db, organizationId, { name: `Status ${i}`, instrumentId, status: wave.status, opensAt: wave.opensAt, closesAt: wave.closesAt, locales: ['en'], unitIds: [] }))
      }
      expect(WAVES.length).toBeGreaterThan(20)
      const rows = await db.selectFrom('waves').select(['id', 'status', 'opens_at', 'closes_at', waveIsOpen('waves', T).as('open_at_t'), waveIsOpen().as('open_now')])
        .where('id', 'in', ids).execute()
      expect(rows).toHaveLength(WAVES.length)
      const now = new Date()
      for (const row of rows) {
        const stored = { status: row.status, opensAt: row.opens_at, closesAt: row.closes_at }
        const wave = `${row.status}, opens ${row.opens_at?.toISOString() ?? '–'}, closes ${row.closes_at?.toISOString() ?? '–'}`
        expect({ wave, open: row.open_at_t }).toEqual({ wave, open: effectiveStatus(stored, T) === 'open' })
        // Every date is months before the real now, so now() sees every draft opened and every closing date passed.
        expect({ wave, open: row.open_now }).toEqual({ wave, open: effectiveStatus(stored, now) === 'open' })
      }
      // Both answers occur, so neither side of the comparison can be constant.
      expect(new Set(rows.map((row) => row.open_at_t))).toEqual(new Set([true, false]))
    })

    it('waveIsClosed says closed exactly when effectiveStatus says closed (the digest pass asks it)', async () => {
      const rows = await db.selectFrom('waves').select(['status', 'opens_at', 'closes_at', waveIsClosed('waves', T).as('closed_at_t')])
        .where('organization_id', '=', organizationId).where('name', 'like', 'Status %').execute()
      expect(rows).toHaveLength(WAVES.length)
      for (const row of rows) {
        const wave = `${row.status}, opens ${row.opens_at?.toISOString() ?? '–'}, closes ${row.closes_at?.toISOString() ?? '–'}`
        expect({ wave, closed: row.closed_at_t }).toEqual({ wave, closed: effectiveStatus({ status: row.status, opensAt: row.opens_at, closesAt: row.closes_at }, T) === 'closed' })
      }
      expect(new Set(rows.map((row) => row.closed_at_t))).toEqual(new Set([true, false]))
    })

    it('the rollups and the raw-answer SQL count the same respondents agreeing on each dimension as agreesOnDimension', async () => {
      const waveId = await createWave(db, organizationId, { name: 'Agreement', instrumentId, status: 'open', opensAt: null, closesAt: null, locales: ['en'], unitIds: [] })
      const items = SERVICE_GAP_INDEX_V1.items
      const random = generator(11)
      // Answers near the threshold, so that means of exactly 4 and just below it are common.
      const answer = () => (random() < 0.15 ? null : [2, 3, 3, 4, 4, 4, 5, 5][Math.floor(random() * 8)]!)
      const responses: Array<{ side: Side; answers: Answers }> = []
      for (let i = 0; i < 60; i++) {
        responses.push({ side: i % 2 === 0 ? 'staff' : 'customer', answers: Object.fromEntries(items.map((item) => [item.key, answer()])) })
      }
      // Half through the form's single statement, half through a batch import: both keep the rollups.
      for (const r of responses.slice(0, 30)) {
        expect(await storeResponse(db, { organizationId, waveId, unitId: null, locale: 'en', channel: 'link', attributes: {}, comment: null, submissionKey: null, ...r })).toBe('stored')
      }
      const imported: ImportedResponse[] = responses.slice(30).map((r) => ({ ...r, unitId: null, attributes: {}, comment: null }))
      await importResponses(db, { organizationId, waveId, locale: 'en', channel: 'import' }, imported)
      // The 30 staff answers wait in the pool until a release step moves them, which keeps the rollups too.
      expect(await advanceStaff(db, organizationId, waveId, 5)).toBe(30)

      const scales = new Map<string, Scale>(items.map((item) => [item.key, item.scale]))
      const dimensions = [...new Set(items.filter((item) => !item.headline).map((item) => item.dimension))]
      let agreeing = 0
      for (const side of ['staff', 'customer'] as const) {
        const expected = new Map<string, { n: number; agree: number; meanSum: number }>()
        for (const r of responses.filter((response) => response.side === side)) {
          for (const dimension of dimensions) {
            const values = items.filter((item) => !item.headline && item.dimension === dimension).map((item) => r.answers[item.key] ?? null)
            const agrees = agreesOnDimension(values)
            if (agrees === null) continue
            const sum = expected.get(dimension) ?? { n: 0, agree: 0, meanSum: 0 }
            expected.set(dimension, { n: sum.n + 1, agree: sum.agree + (agrees ? 1 : 0), meanSum: sum.meanSum + dimensionMean(values)! })
            if (agrees) agreeing++
          }
        }
        const rolled = await fromRollups(db, organizationId, waveId, side, null, scales)
        const counted = await fromAnswers(db, organizationId, waveId, side, { unitId: null, attributes: {} }, scales)
        for (const dimension of dimensions) {
          const want = expected.get(dimension)!
          for (const [source, got] of [['rollups', rolled.dimensions.get(dimension)!], ['answers', counted.dimensions.get(dimension)!]] as const) {
            expect({ side, dimension, source, n: got.n, agree: got.agree }).toEqual({ side, dimension, source, n: want.n, agree: want.agree })
            expect(got.meanSum).toBeCloseTo(want.meanSum, 9)
          }
        }
      }
      // Some respondents agree and some do not, so a threshold off by any amount would show.
      expect(agreeing).toBeGreaterThan(0)
      expect(agreeing).toBeLessThan(responses.length * dimensions.length)
    })
  })
}
