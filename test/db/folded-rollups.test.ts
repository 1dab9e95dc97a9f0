// Public forms are one row each, queued and folded into the rollups later (repositories/rollups.ts): the
// figures must equal a recount before the fold, halfway through it (a batch that stops early), after
// it, and while another transaction holds a queued entry or stores a form (PostgreSQL, where another
// connection can hold one open). A deletion takes out of the rollups exactly what is in them.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../db/connect.js'
import type { Answers } from '../../server/domain/responses.js'
import type { Scale, Side } from '../../server/domain/types.js'
import { eraseResponse } from '../../server/repositories/erasure.js'
import { waveItems } from '../../server/repositories/instruments.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { releaseVersion } from '../../server/repositories/respondents.js'
import { fromAnswers, fromRollups, type Counts } from '../../server/repositories/reports.js'
import { storeResponse } from '../../server/repositories/responses.js'
import { foldAll, foldRollups, lockQueued } from '../../server/repositories/rollups.js'
import { createUnit } from '../../server/repositories/units.js'
import { createWave } from '../../server/repositories/waves.js'
import { createTestDatabase, DATABASES, type TestDatabase } from '../helpers/databases.js'
import { profilesAndRecount } from '../helpers/recount.js'

const queued = async (db: Db) => Number((await sql<{ n: string }>`select count(*) as n from fold_queue`.execute(db)).rows[0]!.n)

/** Folds until the queue is empty. */
async function foldEverything(db: Db): Promise<void> {
  await foldAll(db)
  expect(await queued(db)).toBe(0)
}

/** The rollup tables' own rows for a wave: what the fold has written so far. */
const rolledRespondents = async (db: Db, waveId: string) =>
  Number((await sql<{ n: string | null }>`select sum(respondents) as n from response_rollups where wave_id = ${waveId}::uuid`.execute(db)).rows[0]!.n ?? 0)

function expectSameCounts(rolled: Counts, counted: Counts, what: string) {
  expect(rolled.respondents, what).toBe(counted.respondents)
  expect(rolled.distributions, what).toEqual(counted.distributions)
  expect([...rolled.dimensions.keys()].sort(), what).toEqual([...counted.dimensions.keys()].sort())
  for (const [dimension, sum] of counted.dimensions) {
    const got = rolled.dimensions.get(dimension)!
    expect([got.n, got.agree], `${what} ${dimension}`).toEqual([sum.n, sum.agree])
    expect(got.meanSum, `${what} ${dimension}`).toBeCloseTo(sum.meanSum, 9)
  }
}

for (const kind of DATABASES) {
  describe(`folded rollups [${kind}]`, () => {
    let database: TestDatabase
    let db: Db
    let organizationId: string
    let waveId: string
    let north: string
    let scales: Map<string, Scale>
    let keys: string[]

    beforeAll(async () => {
      database = await createTestDatabase(kind)
      db = database.db
      organizationId = (await createOrganizationWithOwner(db, { name: 'Fold', email: 'owner@fold.test', password: 'correct horse battery staple' })).organizationId
      const instrumentId = (await db.selectFrom('instruments').select('id').where('organization_id', 'is', null).executeTakeFirstOrThrow()).id
      north = await createUnit(db, organizationId, 'North')
      waveId = await createWave(db, organizationId, { name: 'Q4', instrumentId, status: 'open', opensAt: null, closesAt: null, locales: ['en'], predictions: 'off', unitIds: [] })
      const items = await waveItems(db, waveId)
      scales = new Map(items.map((item) => [item.key, item.scale]))
      keys = items.map((item) => item.key)
    })
    afterAll(async () => {
      await database?.drop()
    })

    /** Every figure a report reads, against a recount from the rows, for the whole wave and each unit. */
    async function expectExact(what: string) {
      for (const unitId of [null, north, '00000000-0000-0000-0000-000000000000']) {
        const counted = await fromAnswers(db, organizationId, waveId, 'customer', { unitId, attributes: {} }, scales)
        expectSameCounts(await fromRollups(db, organizationId, waveId, 'customer', unitId, scales), counted, `${what}, unit ${unitId}`)
      }
      const { rolled, recounted } = await profilesAndRecount(db, waveId, 'customer')
      expect(rolled, what).toEqual(recounted)
      const stored = await db.selectFrom('responses').select(db.fn.countAll<string>().as('n')).where('wave_id', '=', waveId).executeTakeFirstOrThrow()
      expect((await releaseVersion(db, organizationId, waveId, 'customer')).respondents, what).toBe(Number(stored.n))
    }

    let next = 0
    /** A form through the public link's path, with a skipped item and a "not applicable" now and then. */
    async function submit(count: number) {
      for (let n = 0; n < count; n++) {
        const i = next++
        const answers: Answers = Object.fromEntries(keys.flatMap((key, k) => {
          if ((i + k) % 7 === 0) return []
          return [[key, (i + k) % 5 === 0 ? null : key === keys[0] ? (i * 3 + k) % 11 : 1 + ((i + k) % 5)]]
        }))
        const response = { organizationId, waveId, side: 'customer' as Side, unitId: i % 3 === 0 ? null : north, locale: 'en', channel: 'link' as const,
          attributes: (i % 2 === 0 ? { tier: 'gold' } : {}) as Record<string, string>, comment: null, answers, submissionKey: `form-${i}` }
        expect(await storeResponse(db, response)).toBe('stored')
      }
    }

    it('counts unfolded forms from their rows, keeps "not applicable" apart from a skipped item, and stays exact through partial folds', async () => {
      await submit(40)
      expect(await rolledRespondents(db, waveId)).toBe(0)
      await expectExact('before any fold')

      // The answers view gives back what was sent: a "not applicable" as a null row, a skipped item as no row.
      const first = await db.selectFrom('responses').select('id').where('submission_key', '=', 'form-0').executeTakeFirstOrThrow()
      const answers = await db.selectFrom('answers').select(['item_key', 'value']).where('response_id', '=', first.id).orderBy('item_key').execute()
      const sent = Object.fromEntries(keys.flatMap((key, k) => (k % 7 === 0 ? [] : [[key, k % 5 === 0 ? null : key === keys[0] ? k % 11 : 1 + (k % 5)]])))
      expect(Object.fromEntries(answers.map((a) => [a.item_key, a.value]))).toEqual(sent)

      // A fold of at most 15 rows moves part of the way, and the figures do not move at all.
      await foldEverything(db)
      await submit(30)
      expect(await foldRollups(db, 15)).toBe(15)
      expect(await queued(db)).toBe(15)
      expect(await rolledRespondents(db, waveId)).toBe(55)
      await expectExact('halfway through a fold')

      await foldEverything(db)
      expect(await rolledRespondents(db, waveId)).toBe(70)
      await expectExact('after the fold')
    })

    it('deletes a folded and an unfolded response, each taking out of the rollups only what is in them', async () => {
      await foldEverything(db)
      const folded = await db.selectFrom('responses').select('id').where('submission_key', '=', 'form-3').executeTakeFirstOrThrow()
      expect((await eraseResponse(db, organizationId, waveId, folded.id)).outcome).toBe('deleted')
      await expectExact('after deleting a folded response')
      expect(await rolledRespondents(db, waveId)).toBe(69)

      await submit(2)
      const fresh = await db.selectFrom('responses').select('id').where('submission_key', '=', `form-${next - 1}`).executeTakeFirstOrThrow()
      expect((await eraseResponse(db, organizationId, waveId, fresh.id)).outcome).toBe('deleted')
      await expectExact('after deleting an unfolded response')
      expect(await rolledRespondents(db, waveId)).toBe(69)
      await foldEverything(db)
      expect(await rolledRespondents(db, waveId)).toBe(70)
      await expectExact('after folding the rest')
    })

    // PostgreSQL only: PGlite has one connection, so nothing else can run while a transaction is open.
    if (kind === 'postgres') it('folds around an erasure in progress, and a form in an open transaction only once it commits', async () => {
      await foldEverything(db)
      await submit(4)
      const held = await db.selectFrom('responses').select('id').where('submission_key', '=', `form-${next - 1}`).executeTakeFirstOrThrow()
      let release!: () => void
      const waiting = new Promise<void>((resolve) => { release = resolve })
      let inside!: () => void
      const started = new Promise<void>((resolve) => { inside = resolve })
      // A transaction holds one queued form's entry (as an erasure does) and stores another form.
      const open = db.transaction().execute(async (trx) => {
        expect(await lockQueued(trx, organizationId, [held.id])).toEqual(new Set([held.id]))
        await storeResponse(trx, { organizationId, waveId, side: 'customer', unitId: north, locale: 'en', channel: 'link', attributes: {}, comment: null,
          answers: { [keys[1]!]: 5 }, submissionKey: 'held-open' })
        inside()
        await waiting
      })
      await started
      // The fold takes the three it may and passes the held one by; the uncommitted one it cannot see.
      expect(await foldAll(db)).toBe(3)
      expect(await queued(db)).toBe(1)
      await expectExact('with a transaction open')
      release()
      await open
      expect(await queued(db)).toBe(2)
      await expectExact('after it committed')
      await foldEverything(db)
      expect(await rolledRespondents(db, waveId)).toBe(75)
      await expectExact('after the fold')
    })
  })
}
