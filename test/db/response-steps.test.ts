// Migration 0016 gives each staff response its release step: the rows stored before it get their
// wave's latest step (0 where the wave has none), customers none; and the responses refuse a step on
// a customer row. On every database.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../db/connect.js'
import { migrateToLatest } from '../../db/migrate.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { createWave } from '../../server/repositories/waves.js'
import { createTestDatabase, DATABASES, type TestDatabase } from '../helpers/databases.js'

for (const kind of DATABASES) {
  describe(`the responses' release steps backfill [${kind}]`, () => {
    let database: TestDatabase
    let db: Db

    beforeAll(async () => {
      database = await createTestDatabase(kind, { upTo: '0015_answer_vectors' })
      db = database.db
    })

    afterAll(async () => {
      await database?.drop()
    })

    it('gives staff rows their wave\'s latest step, customers none', async () => {
      const { organizationId } = await createOrganizationWithOwner(db, { name: 'Steps', email: 'owner@steps.test', password: 'correct horse battery staple' })
      const instrumentId = (await db.selectFrom('instruments').select('id').where('organization_id', 'is', null).executeTakeFirstOrThrow()).id
      const wave = (name: string) => createWave(db, organizationId, { name, instrumentId, status: 'open', opensAt: null, closesAt: null, locales: ['en'], unitIds: [] })
      const stepped = await wave('Stepped')
      const legacy = await wave('Legacy')
      for (const seq of [1, 2, 3]) {
        await sql`insert into staff_releases (wave_id, seq, respondents, shown) values (${stepped}::uuid, ${seq}::int, 5, '{"k":5,"shown":[]}'::jsonb)`.execute(db)
      }
      const insert = (waveId: string, side: string) => sql`insert into responses (organization_id, wave_id, side, locale, channel, attributes, answer_values)
        values (${organizationId}::uuid, ${waveId}::uuid, ${side}::text, 'en', 'import', '{}'::jsonb, ${side === 'customer' ? sql`'{4}'::int2[]` : sql`null`})`.execute(db)
      for (let i = 0; i < 6; i++) await insert(stepped, 'staff')
      for (let i = 0; i < 4; i++) await insert(legacy, 'staff')
      await insert(stepped, 'customer')
      expect((await migrateToLatest(db))[0]).toBe('0016_response_steps')
      const steps = await db.selectFrom('responses').select(['wave_id', 'side', 'release_step']).execute()
      expect(steps.filter((row) => row.wave_id === stepped && row.side === 'staff').map((row) => row.release_step)).toEqual([3, 3, 3, 3, 3, 3])
      expect(steps.filter((row) => row.wave_id === legacy).map((row) => row.release_step)).toEqual([0, 0, 0, 0])
      expect(steps.filter((row) => row.side === 'customer').map((row) => row.release_step)).toEqual([null])
      await expect(sql`update responses set release_step = 1 where side = 'customer'`.execute(db)).rejects.toThrow(/responses_release_step_staff/)
    })
  })
}
