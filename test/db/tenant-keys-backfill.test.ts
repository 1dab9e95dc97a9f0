// Migration 0032 on a database that holds data: the tables that had no organization_id take their
// parent's, a set-null foreign key made composite still clears only its own column, and a row that
// points at another organization's parent is refused. Starts at 0030 (0031, when there, runs on the
// way and touches none of the rows made here). On every database.
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../db/connect.js'
import { migrateToLatest } from '../../db/migrate.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { createTestDatabase, DATABASES, type TestDatabase } from '../helpers/databases.js'

const PASSWORD = 'correct horse battery staple'

for (const kind of DATABASES) {
  describe(`the tenant keys migration on existing rows [${kind}]`, () => {
    let database: TestDatabase
    let db: Db

    beforeAll(async () => {
      database = await createTestDatabase(kind, { upTo: '0030_caller_writes' })
      db = database.db
    })
    afterAll(async () => {
      await database?.drop()
    })

    it('backfills organization_id from each parent and keys the rows by it', async () => {
      const organization = async (name: string) => {
        const { organizationId } = await createOrganizationWithOwner(db, { name, email: `owner@${name.toLowerCase()}.test`, password: PASSWORD })
        const instrument = (await sql<{ id: string }>`select id from instruments where organization_id is null limit 1`.execute(db)).rows[0]!.id
        const run = async <T>(statement: ReturnType<typeof sql<T>>) => (await statement.execute(db)).rows[0]!
        const unit = await run(sql<{ id: string }>`insert into units (organization_id, name) values (${organizationId}::uuid, 'North') returning id`)
        const wave = await run(sql<{ id: string }>`insert into waves (organization_id, instrument_id, name, status, locales)
          values (${organizationId}::uuid, ${instrument}::uuid, 'Q4', 'open', '{en}') returning id`)
        const link = await run(sql<{ id: string }>`insert into links (organization_id, wave_id, side, unit_id, token)
          values (${organizationId}::uuid, ${wave.id}::uuid, 'customer', ${unit.id}::uuid, ${`link-${name}`}) returning id`)
        const kiosk = await run(sql<{ id: string }>`insert into kiosks (organization_id, link_id, unit_id, token, daily_cap)
          values (${organizationId}::uuid, ${link.id}::uuid, ${unit.id}::uuid, ${`kiosk-${name}`}, 10) returning id`)
        await sql`insert into kiosk_days (kiosk_id, day, responses) values (${kiosk.id}::uuid, '2026-12-01', 3)`.execute(db)
        await sql`insert into kiosk_device_counts (kiosk_id, device_hash, bucket, responses) values (${kiosk.id}::uuid, repeat('d', 64), now(), 1)`.execute(db)
        await sql`insert into release_revisions (wave_id, side, revision) values (${wave.id}::uuid, 'customer', 2)`.execute(db)
        await sql`insert into staff_releases (wave_id, seq, respondents, shown) values (${wave.id}::uuid, 1, 5, '{"k":5,"shown":[]}'::jsonb)`.execute(db)
        const upload = await run(sql<{ id: string }>`insert into uploads (organization_id, kind, filename) values (${organizationId}::uuid, 'contacts', 'c.csv') returning id`)
        await sql`insert into upload_parts (upload_id, position, data) values (${upload.id}::uuid, 0, '\\x41'::bytea)`.execute(db)
        const hook = await run(sql<{ id: string }>`insert into webhooks (organization_id, url, secret, events)
          values (${organizationId}::uuid, 'https://hooks.example.test', 'sealed', '{wave_closed}') returning id`)
        const delivery = await run(sql<{ id: number }>`insert into webhook_deliveries (organization_id, webhook_id, event_id, event, payload)
          values (${organizationId}::uuid, ${hook.id}::uuid, gen_random_uuid(), 'wave_closed', '{}'::jsonb) returning id`)
        await sql`insert into webhook_attempts (delivery_id, status_code) values (${delivery.id}, 200)`.execute(db)
        const contact = await run(sql<{ id: string }>`insert into contacts (organization_id, side, email) values (${organizationId}::uuid, 'customer', 'c@example.test') returning id`)
        const invitation = await run(sql<{ id: string }>`insert into invitations (organization_id, wave_id, side, token_hash, contact_id)
          values (${organizationId}::uuid, ${wave.id}::uuid, 'customer', ${`hash-${name}`}, ${contact.id}::uuid) returning id`)
        return { organizationId, waveId: wave.id, unitId: unit.id, contactId: contact.id, invitationId: invitation.id }
      }
      const acme = await organization('Acme')
      const other = await organization('Other')

      expect(await migrateToLatest(db)).toContain('0032_tenant_keys')

      for (const table of ['kiosk_days', 'kiosk_device_counts', 'release_revisions', 'staff_releases', 'upload_parts', 'webhook_attempts']) {
        const { rows } = await sql<{ organization_id: string }>`select organization_id from ${sql.table(table)} order by organization_id`.execute(db)
        expect(rows.map((row) => row.organization_id), table).toEqual([acme.organizationId, other.organizationId].sort())
      }
      // Deleting a contact clears its invitations' contact_id and keeps their organization.
      await sql`delete from contacts where id = ${acme.contactId}::uuid`.execute(db)
      const { rows: [invitation] } = await sql<{ organization_id: string; contact_id: string | null }>`
        select organization_id, contact_id from invitations where id = ${acme.invitationId}::uuid`.execute(db)
      expect(invitation).toEqual({ organization_id: acme.organizationId, contact_id: null })
      // A unit manager of one organization cannot be given another organization's unit.
      const { rows: [owner] } = await sql<{ id: string }>`select id from users where organization_id = ${acme.organizationId}::uuid`.execute(db)
      await expect(sql`insert into unit_managers (organization_id, user_id, unit_id) values (${acme.organizationId}::uuid, ${owner!.id}::uuid, ${other.unitId}::uuid)`.execute(db))
        .rejects.toThrow(/unit_managers_unit_id_fkey/)
      // Deleting a wave still takes its steps and revisions with it.
      await sql`delete from waves where id = ${other.waveId}::uuid`.execute(db)
      const { rows: left } = await sql<{ n: number }>`select count(*)::int as n from staff_releases where organization_id = ${other.organizationId}::uuid`.execute(db)
      expect(left[0]!.n).toBe(0)
    })
  })
}
