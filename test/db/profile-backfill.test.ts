// Migration 0006 fills profile_rollups from the responses stored before it (written in SQL, frozen):
// its counts must be those of measureVector (domain/measures.ts) over the same raw answers, on every
// database, for answers left out, null, on the headline only, and attribute sets written in any order.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describe } from 'vitest'
import type { Db } from '../../db/connect.js'
import { migrateToLatest } from '../../db/migrate.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { createUnit } from '../../server/repositories/units.js'
import { createWave } from '../../server/repositories/waves.js'
import { createTestDatabase, DATABASES, type TestDatabase } from '../helpers/databases.js'
import { profilesAndRecount } from '../helpers/recount.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)

for (const kind of DATABASES) {
  describe(`the profile rollups' backfill [${kind}]`, () => {
    let database: TestDatabase
    let db: Db

    beforeAll(async () => {
      database = await createTestDatabase(kind, { upTo: '0005_uploads' })
      db = database.db
    })

    afterAll(async () => {
      await database?.drop()
    })

    it('counts every response stored before the migration as measureVector does', async () => {
      const { organizationId } = await createOrganizationWithOwner(db, { name: 'Before', email: 'owner@before.test', password: 'correct horse battery staple' })
      const instrumentId = (await db.selectFrom('instruments').select('id').where('organization_id', 'is', null).executeTakeFirstOrThrow()).id
      const units = [await createUnit(db, organizationId, 'North'), await createUnit(db, organizationId, 'South')]
      const waves = [] as string[]
      for (const name of ['Q1', 'Q2']) waves.push(await createWave(db, organizationId, { name, instrumentId, status: 'open', opensAt: null, closesAt: null, locales: ['en'], unitIds: [] }))
      const attributeSets = [{}, { role: 'lead', site: 'a' }, { site: 'a', role: 'lead' }, { role: 'agent' }]
      let n = 0
      for (const [w, waveId] of waves.entries()) {
        for (let i = 0; i < 40; i++) {
          n++
          const side = i % 3 === 0 ? 'customer' : 'staff'
          const { id } = await db.insertInto('responses').values({
            organization_id: organizationId, wave_id: waveId, side, unit_id: i % 4 === 0 ? null : units[i % 2]!, locale: 'en',
            channel: 'import', attributes: JSON.stringify(attributeSets[(i + w) % attributeSets.length]), comment: null, submission_key: null,
          }).returning('id').executeTakeFirstOrThrow()
          // Some answer everything, some only the headline, some nothing at all; nulls and missing keys mixed.
          const answers = KEYS.flatMap((key, k) => {
            if (i % 7 === 0) return []
            if (i % 5 === 0) return k === 0 ? [{ response_id: id, item_key: key, value: 4 }] : []
            if ((i + k) % 4 === 0) return []
            return [{ response_id: id, item_key: key, value: (i + k) % 6 === 0 ? null : ((i + k) % 5) + 1 }]
          })
          if (answers.length > 0) await db.insertInto('answers').values(answers).execute()
        }
      }
      expect((await migrateToLatest(db))[0]).toBe('0006_release')
      let respondents = 0
      for (const waveId of waves) {
        for (const side of ['staff', 'customer'] as const) {
          const { rolled, recounted } = await profilesAndRecount(db, waveId, side)
          expect(rolled).toEqual(recounted)
          respondents += rolled.reduce((sum, p) => sum + p.counts[0]!, 0)
          // The same attribute set written in two orders is one profile.
          expect(new Set(rolled.map((p) => p.key)).size).toBe(rolled.length)
        }
      }
      expect(respondents).toBe(n)
    })
  })
}
