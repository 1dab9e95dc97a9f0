import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../db/connect.js'
import { MIGRATION_NAMES } from '../../db/migrate.js'
import { migrate } from '../../server/repositories/migrate.js'
import type { InstrumentDefinition } from '../../server/domain/instrument.js'
import { BUILT_IN_INSTRUMENTS } from '../../server/domain/built-in-instruments.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { createInstrument, listInstruments } from '../../server/repositories/instruments.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { createUnit } from '../../server/repositories/units.js'
import { createWave, type NewWave } from '../../server/repositories/waves.js'
import { createTestDatabase, DATABASES, type TestDatabase } from '../helpers/databases.js'

const PASSWORD = 'correct horse battery staple'

/** The SQLSTATE a statement fails with; fails the test when the statement succeeds. */
async function sqlState(statement: Promise<unknown>): Promise<string> {
  try {
    await statement
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (typeof code !== 'string') throw error
    return code
  }
  throw new Error('the statement succeeded, but it should have failed')
}

/** An own instrument: the built-in definition under another key. */
function ownDefinition(key: string): InstrumentDefinition {
  return structuredClone({ ...SERVICE_GAP_INDEX_V1, key, name: `Own ${key}` })
}

function wave(instrumentId: string, name: string, extra: Partial<NewWave> = {}): NewWave {
  return { name, instrumentId, status: 'open', opensAt: new Date(), closesAt: null, locales: ['en'], unitIds: [], ...extra }
}

for (const kind of DATABASES) {
  describe(`database contract [${kind}]`, () => {
    let database: TestDatabase
    let db: Db
    let orgA: string
    let orgB: string
    let builtInId: string

    beforeAll(async () => {
      database = await createTestDatabase(kind)
      db = database.db
      orgA = (await createOrganizationWithOwner(db, { name: 'Org A', email: 'owner-a@example.test', password: PASSWORD })).organizationId
      orgB = (await createOrganizationWithOwner(db, { name: 'Org B', email: 'owner-b@example.test', password: PASSWORD })).organizationId
      const builtIn = await db.selectFrom('instruments').select('id')
        .where('organization_id', 'is', null).where('key', '=', 'service-gap-index').where('version', '=', 1)
        .executeTakeFirstOrThrow()
      builtInId = builtIn.id
    })

    afterAll(async () => {
      await database?.drop()
    })

    describe('JavaScript types of query results', () => {
      it('returns count(*) and bigint as numbers', async () => {
        const { rows } = await sql<{ count: unknown; big: unknown; int: unknown }>`
          select count(*) as count, 9007199254740991::bigint as big, 42::integer as int from organizations`.execute(db)
        expect(rows).toEqual([{ count: 2, big: 9007199254740991, int: 42 }])
      })

      it('returns numeric and avg() as numbers', async () => {
        const { rows } = await sql<{ num: unknown; avg: unknown }>`
          select 12.5::numeric as num, (select avg(min_group_size) from organizations) as avg`.execute(db)
        expect(rows).toEqual([{ num: 12.5, avg: 5 }])
      })

      if (kind === 'pglite') {
        it('returns numeric as a number on an embedded database kept on disk', async () => {
          const dataDir = mkdtempSync(join(tmpdir(), 'sg-db-test-'))
          const onDisk = openDatabase({ url: null, dataDir })
          try {
            const { rows } = await sql<{ num: unknown; count: unknown }>`select 12.5::numeric as num, count(*) as count from (values (1), (2)) v`.execute(onDisk)
            expect(rows).toEqual([{ num: 12.5, count: 2 }])
          } finally {
            await onDisk.destroy()
            rmSync(dataDir, { recursive: true, force: true })
          }
        }, 90_000)
      }

      it('returns kysely countAll as a number', async () => {
        const { count } = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
        expect(typeof count).toBe('number')
        expect(count).toBe(2)
      })

      it('returns timestamptz as a Date at the right instant', async () => {
        const { rows } = await sql<{ at: unknown }>`select '2026-05-10T12:34:56.789Z'::timestamptz as at`.execute(db)
        expect(rows[0]!.at).toBeInstanceOf(Date)
        expect((rows[0]!.at as Date).toISOString()).toBe('2026-05-10T12:34:56.789Z')
        const org = await db.selectFrom('organizations').select('created_at').where('id', '=', orgA).executeTakeFirstOrThrow()
        expect(org.created_at).toBeInstanceOf(Date)
      })

      it('returns jsonb as an object and text[] as an array of strings', async () => {
        const { rows } = await sql<{ doc: unknown; list: unknown; empty: unknown }>`
          select '{"a": 1, "b": [true, null], "c": "x"}'::jsonb as doc, array['en', 'es', 'de']::text[] as list, '{}'::text[] as empty`.execute(db)
        expect(rows[0]).toEqual({ doc: { a: 1, b: [true, null], c: 'x' }, list: ['en', 'es', 'de'], empty: [] })
        const row = await db.selectFrom('instruments').select(['staff_question', 'locales']).where('id', '=', builtInId).executeTakeFirstOrThrow()
        expect(row.staff_question).toEqual(SERVICE_GAP_INDEX_V1.staffQuestion)
        expect(row.locales).toEqual(['en', 'es', 'de'])
      })

      it('returns null as null and booleans as booleans', async () => {
        const { rows } = await sql<{ nothing: unknown; yes: unknown }>`select null::text as nothing, true as yes`.execute(db)
        expect(rows[0]).toEqual({ nothing: null, yes: true })
      })
    })

    describe('migrations', () => {
      it('apply nothing when run again', async () => {
        expect(await migrate(db)).toEqual([])
        const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)
        expect(rows.map((row) => row.name)).toEqual(MIGRATION_NAMES)
        expect(MIGRATION_NAMES).toEqual([...MIGRATION_NAMES].sort())
      })

      it('do not duplicate the built-in instrument when run again', async () => {
        await migrate(db)
        const instruments = await db.selectFrom('instruments').select('id')
          .where('organization_id', 'is', null).where('key', '=', 'service-gap-index').where('version', '=', 1).execute()
        expect(instruments).toHaveLength(1)
        const items = await db.selectFrom('items').select('key').where('instrument_id', '=', instruments[0]!.id).orderBy('position').execute()
        expect(items).toHaveLength(12)
        expect(items.map((item) => item.key)).toEqual(SERVICE_GAP_INDEX_V1.items.map((item) => item.key))
      })

      it('store each built-in instrument exactly as its definition says: SGI v1 and v2', async () => {
        const all = await listInstruments(db, orgA)
        const builtIn = all.filter((row) => row.organizationId === null)
        expect(builtIn.map((row) => row.definition).sort((a, b) => a.version - b.version)).toStrictEqual([...BUILT_IN_INSTRUMENTS])
        expect(builtIn.find((row) => row.definition.version === 1)!.id).toBe(builtInId)
        expect(builtIn.find((row) => row.definition.version === 1)!.definition).toStrictEqual(SERVICE_GAP_INDEX_V1)
      })
    })

    describe('instrument listing', () => {
      it('shows each organization the built-in instruments and only its own', async () => {
        const ownId = await createInstrument(db, orgB, ownDefinition('only-org-b'))
        const forA = await listInstruments(db, orgA)
        const forB = await listInstruments(db, orgB)
        expect(forA.map((row) => row.id)).not.toContain(ownId)
        expect(forB.map((row) => row.id)).toContain(ownId)
        expect(forB.find((row) => row.id === ownId)!.definition).toStrictEqual(ownDefinition('only-org-b'))
        expect(forB[0]!.organizationId).toBeNull()
      })
    })

    describe('transactions', () => {
      const unitNamed = (name: string) => db.selectFrom('units').select('id').where('name', '=', name).executeTakeFirst()

      it('commit what the callback wrote when it returns', async () => {
        await db.transaction().execute(async (trx) => {
          await trx.insertInto('units').values({ organization_id: orgA, name: 'Committed unit' }).execute()
        })
        expect(await unitNamed('Committed unit')).toBeDefined()
      })

      it('roll back everything when the callback throws', async () => {
        await expect(db.transaction().execute(async (trx) => {
          await trx.insertInto('units').values({ organization_id: orgA, name: 'Rolled back unit' }).execute()
          const inside = await trx.selectFrom('units').select('id').where('name', '=', 'Rolled back unit').executeTakeFirst()
          expect(inside).toBeDefined()
          throw new Error('boom')
        })).rejects.toThrow('boom')
        expect(await unitNamed('Rolled back unit')).toBeUndefined()
      })

      it('roll back earlier statements when a later statement fails', async () => {
        const code = await sqlState(db.transaction().execute(async (trx) => {
          await trx.insertInto('units').values({ organization_id: orgA, name: 'Before failure' }).execute()
          await trx.insertInto('units').values({ organization_id: orgA, name: '' }).execute()
        }))
        expect(code).toBe('23514')
        expect(await unitNamed('Before failure')).toBeUndefined()
      })

      it('keep a query sent meanwhile from outside out of an open transaction', async () => {
        let inserted!: () => void
        const insertedYet = new Promise<void>((resolve) => (inserted = resolve))
        const rolledBack = db.transaction().execute(async (trx) => {
          await trx.insertInto('units').values({ organization_id: orgA, name: 'Seen only inside' }).execute()
          inserted()
          await new Promise((resolve) => setTimeout(resolve, 50))
          throw new Error('rolled back')
        })
        await insertedYet
        const outside = unitNamed('Seen only inside')
        await expect(rolledBack).rejects.toThrow('rolled back')
        expect(await outside).toBeUndefined()
      })

      it('keep concurrent transactions apart: one rolling back takes nothing of the other', async () => {
        const [kept, dropped] = await Promise.allSettled([
          db.transaction().execute(async (trx) => {
            await trx.insertInto('units').values({ organization_id: orgA, name: 'Kept side by side' }).execute()
            await new Promise((resolve) => setTimeout(resolve, 20))
          }),
          db.transaction().execute(async (trx) => {
            await trx.insertInto('units').values({ organization_id: orgA, name: 'Dropped side by side' }).execute()
            throw new Error('rolled back')
          }),
        ])
        expect([kept.status, dropped.status]).toEqual(['fulfilled', 'rejected'])
        expect(await unitNamed('Kept side by side')).toBeDefined()
        expect(await unitNamed('Dropped side by side')).toBeUndefined()
      })

      it('leave the database usable after a rollback', async () => {
        expect(await createUnit(db, orgA, 'After rollback')).toMatch(/^[0-9a-f-]{36}$/)
      })
    })

    describe('an instrument used by a wave is immutable', () => {
      let ownId: string
      let otherId: string
      const itemOf = (instrumentId: string, key: string) =>
        db.selectFrom('items').selectAll().where('instrument_id', '=', instrumentId).where('key', '=', key).executeTakeFirstOrThrow()

      beforeAll(async () => {
        ownId = await createInstrument(db, orgA, ownDefinition('own-frozen'))
        otherId = await createInstrument(db, orgA, ownDefinition('own-unused'))
      })

      it('lets an unused instrument and its items change', async () => {
        const updated = await db.updateTable('items').set({ dimension: 'simplicity' })
          .where('instrument_id', '=', ownId).where('key', '=', 'easy').executeTakeFirst()
        expect(updated.numUpdatedRows).toBe(1n)
        expect((await itemOf(ownId, 'easy')).dimension).toBe('simplicity')

        await db.updateTable('instruments').set({ name: 'Own, renamed' }).where('id', '=', ownId).execute()
        await db.insertInto('items').values({
          instrument_id: ownId, position: 12, key: 'extra', dimension: 'extra', scale: 'agree5', headline: false,
          staff_text: JSON.stringify({ en: 'Extra.' }), customer_text: JSON.stringify({ en: 'Extra.' }),
        }).execute()
        const deleted = await db.deleteFrom('items').where('instrument_id', '=', ownId).where('key', '=', 'extra').executeTakeFirst()
        expect(deleted.numDeletedRows).toBe(1n)
      })

      it('freezes the instrument once a wave uses it', async () => {
        await createWave(db, orgA, wave(ownId, 'Frozen wave'))
        const code = await sqlState(db.updateTable('items').set({ dimension: 'structure' })
          .where('instrument_id', '=', ownId).where('key', '=', 'easy').execute())
        expect(code).toBe('SG001')
      })

      it('refuses an UPDATE of its items with SG001 and keeps them as they were', async () => {
        expect(await sqlState(db.updateTable('items').set({ staff_text: JSON.stringify({ en: 'Changed.' }) })
          .where('instrument_id', '=', ownId).execute())).toBe('SG001')
        expect((await itemOf(ownId, 'valued')).staff_text).toEqual(SERVICE_GAP_INDEX_V1.items[2]!.staffText)
      })

      it('refuses a DELETE of its items with SG001', async () => {
        expect(await sqlState(db.deleteFrom('items').where('instrument_id', '=', ownId).where('key', '=', 'trust').execute())).toBe('SG001')
        const { count } = await db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('count'))
          .where('instrument_id', '=', ownId).executeTakeFirstOrThrow()
        expect(count).toBe(12)
      })

      it('refuses an INSERT of a new item with SG001', async () => {
        expect(await sqlState(db.insertInto('items').values({
          instrument_id: ownId, position: 12, key: 'extra', dimension: 'extra', scale: 'agree5', headline: false,
          staff_text: JSON.stringify({ en: 'Extra.' }), customer_text: JSON.stringify({ en: 'Extra.' }),
        }).execute())).toBe('SG001')
        const extra = await db.selectFrom('items').select('id').where('instrument_id', '=', ownId).where('key', '=', 'extra').executeTakeFirst()
        expect(extra).toBeUndefined()
      })

      it('refuses an UPDATE of the instrument row with SG001', async () => {
        expect(await sqlState(db.updateTable('instruments').set({ name: 'Renamed again' }).where('id', '=', ownId).execute())).toBe('SG001')
        expect(await sqlState(db.updateTable('instruments').set({ locales: ['en'] }).where('id', '=', ownId).execute())).toBe('SG001')
        const row = await db.selectFrom('instruments').select(['name', 'locales']).where('id', '=', ownId).executeTakeFirstOrThrow()
        expect(row).toEqual({ name: 'Own, renamed', locales: ['en', 'es', 'de'] })
      })

      it('refuses a DELETE of the instrument row with SG001', async () => {
        expect(await sqlState(db.deleteFrom('instruments').where('id', '=', ownId).execute())).toBe('SG001')
        expect(await db.selectFrom('instruments').select('id').where('id', '=', ownId).executeTakeFirst()).toBeDefined()
      })

      it('refuses moving an item of another instrument into it with SG001', async () => {
        expect(await sqlState(db.updateTable('items').set({ instrument_id: ownId, position: 40, key: 'moved' })
          .where('instrument_id', '=', otherId).where('key', '=', 'fit').execute())).toBe('SG001')
        expect((await itemOf(otherId, 'fit')).instrument_id).toBe(otherId)
      })

      it('still lets an instrument no wave uses change', async () => {
        const updated = await db.updateTable('items').set({ dimension: 'changed' })
          .where('instrument_id', '=', otherId).where('key', '=', 'asks').executeTakeFirst()
        expect(updated.numUpdatedRows).toBe(1n)
      })

      it('lets an organization be deleted together with its waves and own used instrument', async () => {
        const { id: orgC } = await db.insertInto('organizations').values({ name: 'Org C' }).returning('id').executeTakeFirstOrThrow()
        const instrumentOfC = await createInstrument(db, orgC, ownDefinition('own-of-c'))
        await createWave(db, orgC, wave(instrumentOfC, 'Wave of C'))
        await db.deleteFrom('organizations').where('id', '=', orgC).execute()
        expect(await db.selectFrom('instruments').select('id').where('id', '=', instrumentOfC).executeTakeFirst()).toBeUndefined()
      })

      it('freezes the built-in instrument once any organization runs a wave with it', async () => {
        await createWave(db, orgB, wave(builtInId, 'Built-in wave'))
        expect(await sqlState(db.updateTable('items').set({ dimension: 'x' }).where('instrument_id', '=', builtInId).execute())).toBe('SG001')
        expect(await sqlState(db.updateTable('instruments').set({ name: 'x' }).where('id', '=', builtInId).execute())).toBe('SG001')
      })
    })

    describe('constraints', () => {
      it('refuses a minimum group size outside 3..50 and accepts the bounds', async () => {
        for (const size of [2, 51, 0, -5]) {
          expect(await sqlState(db.updateTable('organizations').set({ min_group_size: size }).where('id', '=', orgA).execute())).toBe('23514')
          expect(await sqlState(db.insertInto('organizations').values({ name: 'Tiny', min_group_size: size }).execute())).toBe('23514')
        }
        for (const size of [3, 50]) {
          const result = await db.updateTable('organizations').set({ min_group_size: size }).where('id', '=', orgA).executeTakeFirst()
          expect(result.numUpdatedRows).toBe(1n)
        }
        await db.updateTable('organizations').set({ min_group_size: 5 }).where('id', '=', orgA).execute()
      })

      it('refuses a second user with the same email, even in another organization', async () => {
        const user = { email: 'owner-a@example.test', role: 'viewer' as const, password_hash: 'x' }
        expect(await sqlState(db.insertInto('users').values({ ...user, organization_id: orgA }).execute())).toBe('23505')
        expect(await sqlState(db.insertInto('users').values({ ...user, organization_id: orgB }).execute())).toBe('23505')
        // Emails are stored lower-case, so a differently cased copy cannot slip past the unique index.
        expect(await sqlState(db.insertInto('users').values({ ...user, email: 'Owner-A@example.test', organization_id: orgB }).execute())).toBe('23514')
      })

      it('refuses a second owner account through createOrganizationWithOwner and leaves no organization behind', async () => {
        const before = await db.selectFrom('organizations').select('id').execute()
        expect(await sqlState(createOrganizationWithOwner(db, { name: 'Copycat', email: 'OWNER-B@example.test', password: PASSWORD }))).toBe('23505')
        expect(await db.selectFrom('organizations').select('id').execute()).toHaveLength(before.length)
      })

      it('refuses a duplicate wave name in the same organization, ignoring case', async () => {
        await createWave(db, orgA, wave(builtInId, '2026-Q3'))
        expect(await sqlState(createWave(db, orgA, wave(builtInId, '2026-q3')))).toBe('23505')
        expect(await sqlState(createWave(db, orgA, wave(builtInId, ' 2026-Q3 ')))).toBe('23505')
        const waves = await db.selectFrom('waves').select('id').where('organization_id', '=', orgA)
          .where(sql<boolean>`lower(name) = '2026-q3'`).execute()
        expect(waves).toHaveLength(1)
      })

      it('allows the same wave name in another organization', async () => {
        const id = await createWave(db, orgB, wave(builtInId, '2026-Q3'))
        const row = await db.selectFrom('waves').select(['organization_id', 'name']).where('id', '=', id).executeTakeFirstOrThrow()
        expect(row).toEqual({ organization_id: orgB, name: '2026-Q3' })
      })

      it('refuses a link to a unit of another organization by the composite foreign key', async () => {
        const unitOfB = await createUnit(db, orgB, 'Branch of B')
        expect(await sqlState(createWave(db, orgA, wave(builtInId, 'Cross-tenant wave', { unitIds: [unitOfB] })))).toBe('23503')
        // The whole wave is rolled back, not only its links.
        expect(await db.selectFrom('waves').select('id').where('name', '=', 'Cross-tenant wave').executeTakeFirst()).toBeUndefined()

        const waveOfA = await createWave(db, orgA, wave(builtInId, 'Own unit wave'))
        expect(await sqlState(db.insertInto('links').values({
          organization_id: orgA, wave_id: waveOfA, side: 'staff', unit_id: unitOfB, token: 'cross-tenant-token',
        }).execute())).toBe('23503')
      })

      it('accepts a link to a unit of the same organization', async () => {
        const unitOfA = await createUnit(db, orgA, 'Branch of A')
        const id = await createWave(db, orgA, wave(builtInId, 'Unit wave', { unitIds: [unitOfA] }))
        const links = await db.selectFrom('links').select(['side', 'unit_id']).where('wave_id', '=', id).orderBy('side').execute()
        expect(links).toHaveLength(4)
        expect(links.filter((link) => link.unit_id === unitOfA).map((link) => link.side).sort()).toEqual(['customer', 'staff'])
      })

      it('refuses a link that claims another organization than its wave', async () => {
        const waveOfA = await createWave(db, orgA, wave(builtInId, 'Wave with a stray link'))
        const unitOfB = await createUnit(db, orgB, 'Another branch of B')
        // The unit matches the claimed organization B; only the wave does not.
        expect(await sqlState(db.insertInto('links').values({
          organization_id: orgB, wave_id: waveOfA, side: 'customer', unit_id: unitOfB, token: 'stray-link-token',
        }).execute())).toBe('23503')
      })
    })
  })
}
