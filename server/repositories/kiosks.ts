// Kiosks (a unit's customer link in kiosk mode) and their counters: finding one by its public token,
// the kiosks of a wave, making one (or changing its cap), and the per-day and per-device counts that
// a submission checks and adds to inside its transaction (see services/kiosk.ts).
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Keyset } from '../domain/cursor.js'
import { isUuid } from '../domain/formats.js'
import { inPage, pageFrom, timeKey, type Page, type PageRequest } from './keyset.js'
import { isTokenShaped, randomToken } from '../security/tokens.js'

export interface Kiosk {
  id: string
  organizationId: string
  waveId: string
  linkId: string
  /** The token of the unit's customer link whose survey the kiosk shows. */
  linkToken: string
  dailyCap: number
  /** Responses taken on the day asked about. */
  today: number
  /** The unit is archived: the kiosk takes nothing more. */
  unitArchived: boolean
}

/** The kiosk behind a public kiosk token, with what it took on `day` (YYYY-MM-DD, UTC). */
export async function findKiosk(db: Db, token: string, day: string): Promise<Kiosk | undefined> {
  if (!isTokenShaped(token)) return undefined
  const row = await db.selectFrom('kiosks')
    .innerJoin('links', (join) => join.onRef('links.organization_id', '=', 'kiosks.organization_id').onRef('links.id', '=', 'kiosks.link_id'))
    .innerJoin('units', (join) => join.onRef('units.organization_id', '=', 'kiosks.organization_id').onRef('units.id', '=', 'kiosks.unit_id'))
    .leftJoin('kiosk_days', (join) => join.onRef('kiosk_days.organization_id', '=', 'kiosks.organization_id').onRef('kiosk_days.kiosk_id', '=', 'kiosks.id')
      .on('kiosk_days.day', '=', day))
    .select(['kiosks.id', 'kiosks.organization_id', 'links.wave_id', 'kiosks.link_id', 'links.token as link_token', 'kiosks.daily_cap', 'kiosk_days.responses', 'units.archived_at'])
    .where('kiosks.token', '=', token).executeTakeFirst()
  return row && {
    id: row.id, organizationId: row.organization_id, waveId: row.wave_id, linkId: row.link_id, linkToken: row.link_token,
    dailyCap: row.daily_cap, today: row.responses ?? 0, unitArchived: row.archived_at !== null,
  }
}

export interface KioskOfLink {
  id: string
  token: string
  dailyCap: number
}

/** The kiosks of a wave, by the id of the link each one shows. */
export async function kiosksOfWave(db: Db, organizationId: string, waveId: string): Promise<Map<string, KioskOfLink>> {
  if (!isUuid(waveId)) return new Map()
  const rows = await db.selectFrom('kiosks')
    .innerJoin('links', (join) => join.onRef('links.organization_id', '=', 'kiosks.organization_id').onRef('links.id', '=', 'kiosks.link_id'))
    .select(['kiosks.id', 'kiosks.link_id', 'kiosks.token', 'kiosks.daily_cap'])
    .where('kiosks.organization_id', '=', organizationId).where('links.wave_id', '=', waveId).execute()
  return new Map(rows.map((row) => [row.link_id, { id: row.id, token: row.token, dailyCap: row.daily_cap }]))
}

/**
 * Makes the link a kiosk with this daily cap, or sets the cap of the kiosk it is already. The foreign
 * key takes only a customer link of one unit: for any other link nothing is written and null comes back.
 */
export async function saveKiosk(db: Db, organizationId: string, link: { id: string; unitId: string | null }, dailyCap: number): Promise<KioskOfLink | null> {
  if (link.unitId === null) return null
  try {
    const row = await db.insertInto('kiosks')
      .values({ organization_id: organizationId, link_id: link.id, unit_id: link.unitId, token: randomToken(), daily_cap: dailyCap })
      .onConflict((oc) => oc.columns(['organization_id', 'link_id']).doUpdateSet({ daily_cap: dailyCap }).where('kiosks.organization_id', '=', organizationId))
      .returning(['id', 'token', 'daily_cap']).executeTakeFirst()
    return row ? { id: row.id, token: row.token, dailyCap: row.daily_cap } : null
  } catch (error) {
    // 23503 / 23514: the link is a staff link (the side check or the foreign key refuses it).
    const code = (error as { code?: string }).code
    if (code === '23503' || code === '23514') return null
    throw error
  }
}

/** Locks the kiosk's row for the rest of the transaction, so its submissions are counted one at a time; returns its cap. */
export async function lockKiosk(trx: Db, organizationId: string, kioskId: string): Promise<number | undefined> {
  const { rows } = await sql<{ daily_cap: number }>`
    select daily_cap from kiosks where organization_id = ${organizationId}::uuid and id = ${kioskId}::uuid for update`.execute(trx)
  return rows[0]?.daily_cap
}

/** Responses the device sent since `windowStart` (the buckets starting then or later). */
export async function deviceResponses(trx: Db, organizationId: string, kioskId: string, deviceHash: string, windowStart: Date): Promise<number> {
  const row = await trx.selectFrom('kiosk_device_counts').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('responses'), sql<number>`0`).as('total'))
    .where('organization_id', '=', organizationId).where('kiosk_id', '=', kioskId).where('device_hash', '=', deviceHash).where('bucket', '>=', windowStart).executeTakeFirst()
  return Number(row?.total ?? 0)
}

/**
 * Counts one response towards the kiosk's day, in one statement that adds only below the cap: true
 * when it was counted, false when the day is full (then nothing changed).
 */
export async function countKioskDay(trx: Db, organizationId: string, kioskId: string, day: string, dailyCap: number): Promise<boolean> {
  const { rows } = await sql<{ responses: number }>`
    insert into kiosk_days (organization_id, kiosk_id, day, responses) select ${organizationId}::uuid, ${kioskId}::uuid, ${day}::date, 1 where ${dailyCap}::int >= 1
    on conflict (organization_id, kiosk_id, day) do update set responses = kiosk_days.responses + 1
      where kiosk_days.responses < ${dailyCap}::int and kiosk_days.organization_id = ${organizationId}::uuid
    returning responses`.execute(trx)
  return rows.length > 0
}

/** Counts one response towards the device's bucket and forgets the device's buckets that left the window. */
export async function countDevice(trx: Db, organizationId: string, kioskId: string, deviceHash: string, bucket: Date, windowStart: Date): Promise<void> {
  await trx.insertInto('kiosk_device_counts').values({ organization_id: organizationId, kiosk_id: kioskId, device_hash: deviceHash, bucket, responses: 1 })
    .onConflict((oc) => oc.columns(['organization_id', 'kiosk_id', 'device_hash', 'bucket']).doUpdateSet({ responses: sql<number>`kiosk_device_counts.responses + 1` }))
    .execute()
  await trx.deleteFrom('kiosk_device_counts').where('organization_id', '=', organizationId).where('kiosk_id', '=', kioskId).where('bucket', '<', windowStart).execute()
}

// -- the kiosks of an organization, for the API --

/** A kiosk as its organization manages it. */
export interface ManagedKiosk {
  id: string
  waveId: string
  waveName: string
  unitId: string
  unitName: string
  linkId: string
  token: string
  dailyCap: number
  /** Responses taken on the day asked about. */
  today: number
  unitArchived: boolean
  createdAt: Date
}

export const KIOSK_LIST: Keyset = { list: 'kiosks', parts: ['time', 'uuid'] }

function managedKiosks(db: Db, organizationId: string, day: string) {
  return db.selectFrom('kiosks')
    .innerJoin('links', (join) => join.onRef('links.organization_id', '=', 'kiosks.organization_id').onRef('links.id', '=', 'kiosks.link_id'))
    .innerJoin('waves', (join) => join.onRef('waves.organization_id', '=', 'kiosks.organization_id').onRef('waves.id', '=', 'links.wave_id'))
    .innerJoin('units', (join) => join.onRef('units.organization_id', '=', 'kiosks.organization_id').onRef('units.id', '=', 'kiosks.unit_id'))
    .leftJoin('kiosk_days', (join) => join.onRef('kiosk_days.organization_id', '=', 'kiosks.organization_id').onRef('kiosk_days.kiosk_id', '=', 'kiosks.id')
      .on('kiosk_days.day', '=', day))
    .select(['kiosks.id', 'links.wave_id', 'waves.name as wave_name', 'kiosks.unit_id', 'units.name as unit_name', 'kiosks.link_id', 'kiosks.token',
      'kiosks.daily_cap', 'kiosk_days.responses', 'units.archived_at', 'kiosks.created_at'])
    .where('kiosks.organization_id', '=', organizationId)
}

type ManagedRow = { id: string; wave_id: string; wave_name: string; unit_id: string; unit_name: string; link_id: string; token: string; daily_cap: number; responses: number | null; archived_at: Date | null; created_at: Date }
const toManaged = (row: ManagedRow): ManagedKiosk => ({
  id: row.id, waveId: row.wave_id, waveName: row.wave_name, unitId: row.unit_id, unitName: row.unit_name, linkId: row.link_id, token: row.token,
  dailyCap: row.daily_cap, today: row.responses ?? 0, unitArchived: row.archived_at !== null, createdAt: row.created_at,
})

/** A page of the organization's kiosks (of one wave, when given), oldest first, with what each took on `day`. */
export async function listKioskPage(db: Db, organizationId: string, page: PageRequest, day: string, waveId?: string): Promise<Page<ManagedKiosk>> {
  let query = managedKiosks(db, organizationId, day).select(timeKey('kiosks.created_at').as('key_at'))
  if (waveId !== undefined) query = query.where('links.wave_id', '=', waveId)
  const rows = await inPage(query, page, [sql.ref('kiosks.created_at'), sql.ref('kiosks.id')], 'asc').execute()
  return pageFrom(page, rows, (row) => [row.key_at, row.id], toManaged)
}

export async function findManagedKiosk(db: Db, organizationId: string, id: string, day: string): Promise<ManagedKiosk | undefined> {
  if (!isUuid(id)) return undefined
  const row = await managedKiosks(db, organizationId, day).where('kiosks.id', '=', id).executeTakeFirst()
  return row && toManaged(row)
}

/** Revokes a kiosk: its token opens nothing any more (its counters go with it); the unit's own link stays. */
export async function deleteKiosk(db: Db, organizationId: string, id: string): Promise<boolean> {
  if (!isUuid(id)) return false
  const result = await db.deleteFrom('kiosks').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst()
  return result.numDeletedRows > 0n
}
