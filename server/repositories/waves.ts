// Waves (one run of an instrument for a period) and their public links.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Side, WaveStatus } from '../domain/types.js'
import { effectiveStatus } from '../domain/periods.js'
import { randomToken } from '../security/tokens.js'

export const SIDES: readonly Side[] = ['staff', 'customer']

export interface WaveSummary {
  id: string
  name: string
  status: WaveStatus
  opensAt: Date | null
  closesAt: Date | null
  locales: string[]
  templateKey: string
  templateVersion: number
  templateName: string
  itemCount: number
  createdAt: Date
}

export interface WaveLink {
  id: string
  side: Side
  token: string
  unit: { id: string; name: string } | null
}

export interface WaveDetail extends WaveSummary {
  links: WaveLink[]
  /** Reminders after the invitation: how many, and how many days apart. */
  reminders: { count: number; days: number }
}

function waveQuery(db: Db, organizationId: string) {
  return db.selectFrom('waves')
    .innerJoin('instruments', 'instruments.id', 'waves.instrument_id')
    .select([
      'waves.id', 'waves.name', 'waves.status', 'waves.opens_at', 'waves.closes_at', 'waves.locales', 'waves.created_at', 'waves.reminders', 'waves.reminder_days',
      'instruments.key as template_key', 'instruments.version as template_version', 'instruments.name as template_name',
      (eb) => eb.selectFrom('items').whereRef('items.instrument_id', '=', 'waves.instrument_id')
        .select((sub) => sub.fn.countAll<number>().as('n')).as('item_count'),
    ])
    .where('waves.organization_id', '=', organizationId)
}

type WaveRow = Awaited<ReturnType<ReturnType<typeof waveQuery>['executeTakeFirstOrThrow']>>

function toSummary(row: WaveRow, now: Date): WaveSummary {
  return {
    id: row.id,
    name: row.name,
    status: effectiveStatus(row, now),
    opensAt: row.opens_at,
    closesAt: row.closes_at,
    locales: row.locales,
    templateKey: row.template_key,
    templateVersion: row.template_version,
    templateName: row.template_name,
    itemCount: Number(row.item_count),
    createdAt: row.created_at,
  }
}

export async function listWaves(db: Db, organizationId: string, now = new Date()): Promise<WaveSummary[]> {
  const rows = await waveQuery(db, organizationId).orderBy('waves.created_at', 'desc').execute()
  return rows.map((row) => toSummary(row, now))
}

export async function waveNames(db: Db, organizationId: string): Promise<string[]> {
  const rows = await db.selectFrom('waves').select('name').where('organization_id', '=', organizationId).execute()
  return rows.map((row) => row.name)
}

export async function findWave(db: Db, organizationId: string, id: string, now = new Date()): Promise<WaveDetail | undefined> {
  const row = await waveQuery(db, organizationId).where('waves.id', '=', id).executeTakeFirst()
  if (!row) return undefined
  const links = await db.selectFrom('links')
    .leftJoin('units', 'units.id', 'links.unit_id')
    .select(['links.id', 'links.side', 'links.token', 'links.unit_id', 'units.name as unit_name'])
    .where('links.organization_id', '=', organizationId).where('links.wave_id', '=', id)
    .orderBy('units.name', 'asc').orderBy('links.side', 'desc')
    .execute()
  return {
    ...toSummary(row, now),
    reminders: { count: row.reminders, days: row.reminder_days },
    links: links.map((link) => ({
      id: link.id,
      side: link.side,
      token: link.token,
      unit: link.unit_id ? { id: link.unit_id, name: link.unit_name ?? '' } : null,
    })),
  }
}

/** A wave's id and name when it is the organization's: for routes that need no more than that it exists. */
export async function findWaveName(db: Db, organizationId: string, id: string): Promise<{ id: string; name: string } | undefined> {
  return db.selectFrom('waves').select(['id', 'name']).where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst()
}

export interface NewWave {
  name: string
  instrumentId: string
  status: WaveStatus
  opensAt: Date | null
  closesAt: Date | null
  locales: string[]
  /** Units that get a link of their own on each side, besides the wave's two general links. */
  unitIds: string[]
}

/** Creates the wave with a staff and a customer link (and one per side for each chosen unit) at once. */
export async function createWave(db: Db, organizationId: string, wave: NewWave): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto('waves').values({
      organization_id: organizationId,
      instrument_id: wave.instrumentId,
      name: wave.name.trim(),
      status: wave.status,
      opens_at: wave.opensAt,
      closes_at: wave.closesAt,
      locales: wave.locales,
    }).returning('id').executeTakeFirstOrThrow()
    await insertLinks(trx, organizationId, id, [null, ...wave.unitIds])
    return id
  })
}

async function insertLinks(db: Db, organizationId: string, waveId: string, unitIds: Array<string | null>): Promise<void> {
  const rows = unitIds.flatMap((unitId) => SIDES.map((side) => ({
    organization_id: organizationId, wave_id: waveId, side, unit_id: unitId, token: randomToken(16),
  })))
  if (rows.length > 0) await db.insertInto('links').values(rows).execute()
}

/** Adds the missing per-unit links of a wave; returns how many links were created. */
export async function addUnitLinks(db: Db, organizationId: string, waveId: string, unitIds: string[]): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('links').select('unit_id')
      .where('organization_id', '=', organizationId).where('wave_id', '=', waveId).where('unit_id', 'is not', null).execute()
    const have = new Set(existing.map((row) => row.unit_id))
    const missing = unitIds.filter((id) => !have.has(id))
    await insertLinks(trx, organizationId, waveId, missing)
    return missing.length * SIDES.length
  })
}

/** Opens or closes a wave now. Returns false when the wave is not the organization's. */
export async function setWaveStatus(db: Db, organizationId: string, id: string, status: 'open' | 'closed', now = new Date()): Promise<boolean> {
  const changes = status === 'open'
    ? { status, opens_at: now, closes_at: null }
    : { status, closes_at: now, opens_at: sql<Date | null>`least(opens_at, ${now})` }
  const result = await db.updateTable('waves').set(changes)
    .where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function findLink(db: Db, organizationId: string, waveId: string, linkId: string) {
  return db.selectFrom('links').leftJoin('units', 'units.id', 'links.unit_id')
    .select(['links.id', 'links.side', 'links.token', 'units.name as unit_name'])
    .where('links.organization_id', '=', organizationId).where('links.wave_id', '=', waveId).where('links.id', '=', linkId)
    .executeTakeFirst()
}
