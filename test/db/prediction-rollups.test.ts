// The rollups of a wave with prediction questions (issue 14), on every database: staff predictions
// imported into the pool and released in a step are counted in the profile rollups as measures of
// their own (domain/measures.ts) and in the answer rollups under `predict:<key>`, equal to a recount
// from the raw answers; customers count 0 for them; a wave without predictions has none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../db/connect.js'
import { measureKeys } from '../../server/domain/measures.js'
import type { ImportedResponse } from '../../server/domain/responses.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { waveItems } from '../../server/repositories/instruments.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { importResponses } from '../../server/repositories/responses.js'
import { measureItems } from '../../server/repositories/rollups.js'
import { createUnit } from '../../server/repositories/units.js'
import { createWave } from '../../server/repositories/waves.js'
import { advanceStaff } from '../../server/services/release-steps.js'
import { createTestDatabase, DATABASES, type TestDatabase } from '../helpers/databases.js'
import { profilesAndRecount } from '../helpers/recount.js'

const HEADLINE = SERVICE_GAP_INDEX_V1.items.find((item) => item.headline)!.key

for (const kind of DATABASES) {
  describe(`rollups with staff predictions [${kind}]`, () => {
    let database: TestDatabase
    let db: Db
    beforeAll(async () => {
      database = await createTestDatabase(kind)
      db = database.db
    })
    afterAll(async () => {
      await database?.drop()
    })

    it('count the released predictions as their own measures, equal to a recount', async () => {
      const { organizationId } = await createOrganizationWithOwner(db, { name: 'Predict', email: 'owner@predict.test', password: 'correct horse battery staple' })
      const instrumentId = (await db.selectFrom('instruments').select('id').where('organization_id', 'is', null).executeTakeFirstOrThrow()).id
      const north = await createUnit(db, organizationId, 'North')
      const wave = (predictions: 'off' | 'headline' | 'all', name: string) =>
        createWave(db, organizationId, { name, instrumentId, status: 'open', opensAt: null, closesAt: null, locales: ['en'], predictions, unitIds: [] })
      const waveId = await wave('headline', 'Headline')
      const staff = (i: number): ImportedResponse => ({
        side: 'staff', unitId: i % 2 === 0 ? north : null, attributes: {}, comment: null,
        answers: { [HEADLINE]: 4, valued: i % 3 === 0 ? null : 5, [`predict:${HEADLINE}`]: i % 4 === 0 ? null : i % 11 },
      })
      const customer = (i: number): ImportedResponse => ({ side: 'customer', unitId: north, attributes: { tier: i % 2 ? 'gold' : 'basic' }, comment: null, answers: { [HEADLINE]: 2 + (i % 4) } })
      const target = { organizationId, waveId, locale: 'en', channel: 'import' as const }
      await importResponses(db, target, [...Array.from({ length: 12 }, (_, i) => staff(i)), ...Array.from({ length: 7 }, (_, i) => customer(i))])
      await importResponses(db, target, [staff(12)])
      expect(await advanceStaff(db, organizationId, waveId, 5)).toBeGreaterThanOrEqual(10)

      const keys = measureKeys(await measureItems(db, waveId))
      expect(keys.at(-1)).toBe(`predict:${HEADLINE}`)
      expect(keys).toEqual(measureKeys(await waveItems(db, waveId)))
      for (const side of ['staff', 'customer'] as const) {
        const { rolled, recounted } = await profilesAndRecount(db, waveId, side)
        expect(rolled, side).toEqual(recounted)
        for (const profile of rolled) expect(profile.counts, side).toHaveLength(keys.length)
      }
      const released = await db.selectFrom('answers').innerJoin('responses', 'responses.id', 'answers.response_id')
        .select(['answers.value']).where('responses.wave_id', '=', waveId).where('answers.item_key', '=', `predict:${HEADLINE}`).execute()
      const given = released.filter((a) => a.value !== null).length
      const { rolled } = await profilesAndRecount(db, waveId, 'staff')
      expect(rolled.reduce((sum, p) => sum + p.counts.at(-1)!, 0)).toBe(given)
      expect(given).toBeGreaterThan(0)
      expect((await profilesAndRecount(db, waveId, 'customer')).rolled.every((p) => p.counts.at(-1) === 0)).toBe(true)
      const answerRollups = await db.selectFrom('answer_rollups').select(['value', (eb) => eb.fn.sum<number>('count').as('n')])
        .where('wave_id', '=', waveId).where('side', '=', 'staff').where('item_key', '=', `predict:${HEADLINE}`).groupBy('value').execute()
      expect(answerRollups.reduce((sum, row) => sum + Number(row.n), 0)).toBe(given)

      const plain = await wave('off', 'Plain')
      await importResponses(db, { ...target, waveId: plain }, [customer(1), customer(2)])
      expect(measureKeys(await measureItems(db, plain)).some((key) => key.startsWith('predict:'))).toBe(false)
      const plainLength = measureKeys(await waveItems(db, plain)).length
      expect(plainLength).toBe(keys.length - 1)
      expect((await profilesAndRecount(db, plain, 'customer')).rolled.map((p) => p.counts.length)).toEqual([plainLength, plainLength])
    })
  })
}
