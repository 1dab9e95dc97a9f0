// The queries of the schedule pass (services/schedule-pass.ts), across organizations: which waves are
// due to repeat, open or close, and the conditional changes that make each happen once even when two
// instances run the pass at the same moment (a row lock, or an update that names the status it leaves).
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { PredictionMode, RepeatEvery } from '../domain/types.js'

/** How many waves one pass takes of each kind; the rest wait for the next pass. */
const BATCH = 100

export interface ScheduledWave {
  id: string
  organizationId: string
  name: string
  opensAt: Date | null
  closesAt: Date | null
  repeatedFrom: string | null
  /** Whether it belongs to a series (it repeats, or was made from one that does). */
  inSeries: boolean
}

const scheduled = (row: { id: string; organization_id: string; name: string; opens_at: Date | null; closes_at: Date | null; repeated_from: string | null; repeat_every: RepeatEvery | null }): ScheduledWave => ({
  id: row.id, organizationId: row.organization_id, name: row.name, opensAt: row.opens_at, closesAt: row.closes_at,
  repeatedFrom: row.repeated_from, inSeries: row.repeat_every !== null || row.repeated_from !== null,
})

const RETURNED = ['id', 'organization_id', 'name', 'opens_at', 'closes_at', 'repeated_from', 'repeat_every'] as const

/** Waves not closed in the database whose closing date has come. */
export async function wavesDueToClose(db: Db, now: Date): Promise<string[]> {
  const rows = await db.selectFrom('waves').select('id')
    .where('status', '<>', 'closed').where('closes_at', '<=', now).orderBy('closes_at').limit(BATCH).execute()
  return rows.map((row) => row.id)
}

/** Closes the wave if it is still not closed and its closing date has come; undefined when another pass did. */
export async function closeDueWave(db: Db, waveId: string, now: Date): Promise<ScheduledWave | undefined> {
  const row = await db.updateTable('waves').set({ status: 'closed' })
    .where('id', '=', waveId).where('status', '<>', 'closed').where('closes_at', '<=', now)
    .returning(RETURNED).executeTakeFirst()
  return row ? scheduled(row) : undefined
}

/** Drafts whose opening date has come and whose closing date has not. */
export async function wavesDueToOpen(db: Db, now: Date): Promise<string[]> {
  const rows = await db.selectFrom('waves').select('id')
    .where('status', '=', 'draft').where('opens_at', '<=', now)
    .where((eb) => eb.or([eb('closes_at', 'is', null), eb('closes_at', '>', now)]))
    .orderBy('opens_at').limit(BATCH).execute()
  return rows.map((row) => row.id)
}

/** Opens the draft if it still is one and its date has come; undefined when another pass (or a person) did. */
export async function openDueWave(db: Db, waveId: string, now: Date): Promise<ScheduledWave | undefined> {
  const row = await db.updateTable('waves').set({ status: 'open' })
    .where('id', '=', waveId).where('status', '=', 'draft').where('opens_at', '<=', now)
    .where((eb) => eb.or([eb('closes_at', 'is', null), eb('closes_at', '>', now)]))
    .returning(RETURNED).executeTakeFirst()
  return row ? scheduled(row) : undefined
}

/** Repeating waves that have opened (by date) and have no next wave yet. */
export async function wavesDueToRepeat(db: Db, now: Date): Promise<string[]> {
  const rows = await db.selectFrom('waves').select('id')
    .where('repeat_every', 'is not', null).where('opens_at', '<=', now)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('waves as next').select('next.id').whereRef('next.repeated_from', '=', 'waves.id'))))
    .orderBy('opens_at').limit(BATCH).execute()
  return rows.map((row) => row.id)
}

export interface WaveToRepeat {
  id: string
  organizationId: string
  name: string
  instrumentId: string
  repeatEvery: RepeatEvery
  opensAt: Date
  closesAt: Date | null
  locales: string[]
  predictions: PredictionMode
  reminders: { count: number; days: number }
  weeklyDigest: boolean
  /** Its units that have links of their own and are still in use (archived units get no new links). */
  unitIds: string[]
}

/**
 * Locks a repeating wave that has no next wave yet, for the rest of the transaction: a second pass
 * waits here, then finds the next wave made. Undefined when it has one (or no longer repeats).
 */
export async function lockWaveToRepeat(trx: Db, waveId: string): Promise<WaveToRepeat | undefined> {
  const row = await trx.selectFrom('waves')
    .select(['id', 'organization_id', 'name', 'instrument_id', 'repeat_every', 'opens_at', 'closes_at', 'locales', 'predictions', 'reminders', 'reminder_days', 'weekly_digest'])
    .where('id', '=', waveId).where('repeat_every', 'is not', null).where('opens_at', 'is not', null)
    .forUpdate().executeTakeFirst()
  if (!row) return undefined
  const made = await trx.selectFrom('waves').select('id').where('repeated_from', '=', waveId).executeTakeFirst()
  if (made) return undefined
  const units = await trx.selectFrom('links').innerJoin('units', 'units.id', 'links.unit_id')
    .select('units.id').distinct()
    .where('links.wave_id', '=', waveId).where('links.organization_id', '=', row.organization_id).where('units.archived_at', 'is', null)
    .orderBy('units.id').execute()
  return {
    id: row.id, organizationId: row.organization_id, name: row.name, instrumentId: row.instrument_id, repeatEvery: row.repeat_every!,
    opensAt: row.opens_at!, closesAt: row.closes_at, locales: row.locales, predictions: row.predictions,
    reminders: { count: row.reminders, days: row.reminder_days }, weeklyDigest: row.weekly_digest, unitIds: units.map((unit) => unit.id),
  }
}

/** Whether the organization has a wave of this name (names are unique per organization, case aside). */
export async function waveNameUsed(db: Db, organizationId: string, name: string): Promise<boolean> {
  const row = await db.selectFrom('waves').select('id')
    .where('organization_id', '=', organizationId).where(sql<boolean>`lower(name) = lower(${name})`).executeTakeFirst()
  return row !== undefined
}
