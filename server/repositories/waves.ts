// Waves (one run of an instrument for a period) and their public links. Every function takes a `db`
// that may be a transaction, so a service can compose them.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import { isUuid } from '../domain/formats.js'
import { SIDES, type PredictionMode, type RepeatEvery, type Side, type WaveStatus } from '../domain/types.js'
import { effectiveStatus } from '../domain/periods.js'
import { randomToken } from '../security/tokens.js'
import { atomically } from './atomically.js'
import { inPage, pageFrom, timeKey, type Page, type PageRequest } from './keyset.js'
import type { Keyset } from '../domain/cursor.js'


export interface Wave {
  id: string
  name: string
  status: WaveStatus
  opensAt: Date | null
  closesAt: Date | null
  locales: string[]
  instrumentKey: string
  instrumentVersion: number
  instrumentName: string
  /** The languages of the wave's instrument: those the wave may be offered in. */
  instrumentLocales: string[]
  itemCount: number
  createdAt: Date
  /** Reminders after the invitation: how many, and how many days apart. */
  reminders: { count: number; days: number }
  /** Which items its staff predict customers' answers for (domain/predictions.ts). */
  predictions: PredictionMode
  /** null, or how often the next wave of its series is made (services/schedule-pass.ts). */
  repeatEvery: RepeatEvery | null
  /** The wave this one was made from, and the one made from it, when there are. */
  repeatedFrom: { id: string; name: string } | null
  repeat: { id: string; name: string; opensAt: Date | null } | null
  weeklyDigest: boolean
}

export interface WaveLink {
  id: string
  side: Side
  token: string
  unit: { id: string; name: string } | null
}

function waveQuery(db: Db, organizationId: string) {
  return db.selectFrom('waves')
    .innerJoin('instruments', 'instruments.id', 'waves.instrument_id')
    // At most one repeat per wave (the unique index on repeated_from), so neither join adds rows.
    .leftJoin('waves as origin', (join) => join.onRef('origin.organization_id', '=', 'waves.organization_id').onRef('origin.id', '=', 'waves.repeated_from'))
    .leftJoin('waves as repeat', (join) => join.onRef('repeat.organization_id', '=', 'waves.organization_id').onRef('repeat.repeated_from', '=', 'waves.id'))
    .select([
      'waves.repeat_every', 'waves.weekly_digest', 'origin.id as origin_id', 'origin.name as origin_name',
      'repeat.id as repeat_id', 'repeat.name as repeat_name', 'repeat.opens_at as repeat_opens_at',
      'waves.id', 'waves.name', 'waves.status', 'waves.opens_at', 'waves.closes_at', 'waves.locales', 'waves.created_at', 'waves.reminders', 'waves.reminder_days', 'waves.predictions',
      'instruments.key as instrument_key', 'instruments.version as instrument_version', 'instruments.name as instrument_name', 'instruments.locales as instrument_locales',
      (eb) => eb.selectFrom('items').whereRef('items.instrument_id', '=', 'waves.instrument_id')
        .select((sub) => sub.fn.countAll<number>().as('n')).as('item_count'),
    ])
    .where('waves.organization_id', '=', organizationId)
}

type WaveRow = Awaited<ReturnType<ReturnType<typeof waveQuery>['executeTakeFirstOrThrow']>>

function toWave(row: WaveRow, now: Date): Wave {
  return {
    id: row.id,
    name: row.name,
    status: effectiveStatus({ status: row.status, opensAt: row.opens_at, closesAt: row.closes_at }, now),
    opensAt: row.opens_at,
    closesAt: row.closes_at,
    locales: row.locales,
    instrumentKey: row.instrument_key,
    instrumentVersion: row.instrument_version,
    instrumentName: row.instrument_name,
    instrumentLocales: row.instrument_locales,
    itemCount: Number(row.item_count),
    createdAt: row.created_at,
    reminders: { count: row.reminders, days: row.reminder_days },
    predictions: row.predictions,
    repeatEvery: row.repeat_every,
    repeatedFrom: row.origin_id ? { id: row.origin_id, name: row.origin_name! } : null,
    repeat: row.repeat_id ? { id: row.repeat_id, name: row.repeat_name!, opensAt: row.repeat_opens_at } : null,
    weeklyDigest: row.weekly_digest,
  }
}

/** Newest first; the id orders waves made in the same microsecond, here and in the API's pages. */
export async function listWaves(db: Db, organizationId: string, now = new Date()): Promise<Wave[]> {
  const rows = await waveQuery(db, organizationId).orderBy('waves.created_at', 'desc').orderBy('waves.id', 'desc').execute()
  return rows.map((row) => toWave(row, now))
}

/** The API's pages of waves: newest first, as listWaves. */
export const WAVE_LIST: Keyset = { list: 'waves', parts: ['time', 'uuid'] }

export async function listWavePage(db: Db, organizationId: string, page: PageRequest, now = new Date()): Promise<Page<Wave>> {
  const query = waveQuery(db, organizationId).select(timeKey('waves.created_at').as('key_at'))
  const rows = await inPage(query, page, [sql.ref('waves.created_at'), sql.ref('waves.id')], 'desc').execute()
  return pageFrom(page, rows, (row) => [row.key_at, row.id], (row) => toWave(row, now))
}

export async function waveNames(db: Db, organizationId: string): Promise<string[]> {
  const rows = await db.selectFrom('waves').select('name').where('organization_id', '=', organizationId).execute()
  return rows.map((row) => row.name)
}

/**
 * The wave when it is the organization's; undefined otherwise, also for an id that is not a UUID at
 * all (an address typed by hand), so that every caller answers 404 for both the same way.
 */
export async function findWave(db: Db, organizationId: string, waveId: string, now = new Date()): Promise<Wave | undefined> {
  if (!isUuid(waveId)) return undefined
  const row = await waveQuery(db, organizationId).where('waves.id', '=', waveId).executeTakeFirst()
  return row ? toWave(row, now) : undefined
}

/** The public links of each of these waves, per wave id: general links first, then by unit name. */
export async function listWaveLinks(db: Db, organizationId: string, waveIds: readonly string[]): Promise<Map<string, WaveLink[]>> {
  const byWave = new Map<string, WaveLink[]>(waveIds.map((id) => [id, []]))
  if (waveIds.length === 0) return byWave
  const rows = await db.selectFrom('links')
    .leftJoin('units', (join) => join.onRef('units.organization_id', '=', 'links.organization_id').onRef('units.id', '=', 'links.unit_id'))
    .select(['links.wave_id', 'links.id', 'links.side', 'links.token', 'links.unit_id', 'units.name as unit_name'])
    .where('links.organization_id', '=', organizationId).where('links.wave_id', 'in', waveIds)
    .orderBy('units.name', 'asc').orderBy('links.side', 'desc')
    .execute()
  for (const row of rows) {
    byWave.get(row.wave_id)!.push({
      id: row.id,
      side: row.side,
      token: row.token,
      unit: row.unit_id ? { id: row.unit_id, name: row.unit_name ?? '' } : null,
    })
  }
  return byWave
}

export interface NewWave {
  name: string
  instrumentId: string
  status: WaveStatus
  opensAt: Date | null
  closesAt: Date | null
  locales: string[]
  /** 'off' (the column's default) when not given. */
  predictions?: PredictionMode
  /** Units that get a link of their own on each side, besides the wave's two general links. */
  unitIds: string[]
  repeatEvery?: RepeatEvery | null
  weeklyDigest?: boolean
  /** The wave of the series this one repeats (services/schedule-pass.ts). */
  repeatedFrom?: string | null
  /** The columns' defaults when not given. */
  reminders?: { count: number; days: number }
}

/** Creates the wave with a staff and a customer link (and one per side for each chosen unit) at once. */
export async function createWave(db: Db, organizationId: string, wave: NewWave): Promise<string> {
  return atomically(db, async (trx) => {
    const { id } = await trx.insertInto('waves').values({
      organization_id: organizationId,
      instrument_id: wave.instrumentId,
      name: wave.name.trim(),
      status: wave.status,
      opens_at: wave.opensAt,
      closes_at: wave.closesAt,
      locales: wave.locales,
      // Left to the column's default ('off') when not given.
      ...(wave.predictions ? { predictions: wave.predictions } : {}),
      // The schedule's columns only when set, so that a wave can still be made on a database migrated
      // only as far as an older step (the backfill tests do).
      ...(wave.repeatEvery ? { repeat_every: wave.repeatEvery } : {}),
      ...(wave.weeklyDigest ? { weekly_digest: true } : {}),
      ...(wave.repeatedFrom ? { repeated_from: wave.repeatedFrom } : {}),
      ...(wave.reminders ? { reminders: wave.reminders.count, reminder_days: wave.reminders.days } : {}),
    }).returning('id').executeTakeFirstOrThrow()
    await insertLinks(trx, organizationId, id, [null, ...wave.unitIds])
    return id
  })
}

/** A staff and a customer link for each unit given (null: the wave's general links). */
export async function insertLinks(db: Db, organizationId: string, waveId: string, unitIds: ReadonlyArray<string | null>): Promise<number> {
  const rows = unitIds.flatMap((unitId) => SIDES.map((side) => ({
    organization_id: organizationId, wave_id: waveId, side, unit_id: unitId, token: randomToken(16),
  })))
  if (rows.length > 0) await db.insertInto('links').values(rows).execute()
  return rows.length
}

/** The units that have links of their own in a wave. */
export async function unitsWithLinks(db: Db, organizationId: string, waveId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('links').select('unit_id')
    .where('organization_id', '=', organizationId).where('wave_id', '=', waveId).where('unit_id', 'is not', null).execute()
  return new Set(rows.map((row) => row.unit_id!))
}

/**
 * Opens or closes a wave now. Returns false when the wave is not the organization's. Opening clears the
 * closing date, except a repeating wave's while it lies ahead: the series needs it.
 */
export async function setWaveStatus(db: Db, organizationId: string, waveId: string, status: 'open' | 'closed', now = new Date()): Promise<boolean> {
  if (!isUuid(waveId)) return false
  const changes = status === 'open'
    ? { status, opens_at: now, closes_at: sql<Date | null>`case when repeat_every is not null and closes_at > ${now} then closes_at end` }
    : { status, closes_at: now, opens_at: sql<Date | null>`least(opens_at, ${now})` }
  const result = await db.updateTable('waves').set(changes)
    .where('organization_id', '=', organizationId).where('id', '=', waveId).executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** Changes a wave's name, dates, languages or schedule (only those given). False when it is not the organization's. */
export async function updateWave(
  db: Db,
  organizationId: string,
  waveId: string,
  changes: { name?: string; closesAt?: Date | null; locales?: string[]; opensAt?: Date | null; repeatEvery?: RepeatEvery | null; weeklyDigest?: boolean },
): Promise<boolean> {
  if (!isUuid(waveId)) return false
  const set = {
    ...(changes.opensAt !== undefined ? { opens_at: changes.opensAt } : {}),
    ...(changes.repeatEvery !== undefined ? { repeat_every: changes.repeatEvery } : {}),
    ...(changes.weeklyDigest !== undefined ? { weekly_digest: changes.weeklyDigest } : {}),
    ...(changes.name !== undefined ? { name: changes.name.trim() } : {}),
    ...(changes.closesAt !== undefined ? { closes_at: changes.closesAt } : {}),
    ...(changes.locales !== undefined ? { locales: changes.locales } : {}),
  }
  if (Object.keys(set).length === 0) return (await findWave(db, organizationId, waveId)) !== undefined
  const result = await db.updateTable('waves').set(set)
    .where('organization_id', '=', organizationId).where('id', '=', waveId).executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/**
 * Sets which items a wave's staff predict, only while the wave holds no answer at all: none among its
 * responses and none waiting in the staff pool (the answers stored so far were counted with the
 * measures of the mode they came under). One statement, so the check and the change cannot be split.
 * False when the wave is not the organization's or holds answers.
 */
export async function setWavePredictions(db: Db, organizationId: string, waveId: string, predictions: PredictionMode): Promise<boolean> {
  if (!isUuid(waveId)) return false
  const result = await db.updateTable('waves').set({ predictions })
    .where('organization_id', '=', organizationId).where('id', '=', waveId)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('responses').select('responses.id').whereRef('responses.organization_id', '=', 'waves.organization_id').whereRef('responses.wave_id', '=', 'waves.id'))))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('staff_pool').select('staff_pool.id').whereRef('staff_pool.organization_id', '=', 'waves.organization_id').whereRef('staff_pool.wave_id', '=', 'waves.id'))))
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** Whether a wave holds any answer: among its responses, or waiting in the staff pool. */
export async function waveHoldsAnswers(db: Db, waveId: string): Promise<boolean> {
  const { rows } = await sql<{ holds: boolean }>`select exists (select 1 from responses where wave_id = ${waveId}::uuid)
    or exists (select 1 from staff_pool where wave_id = ${waveId}::uuid) as holds`.execute(db)
  return rows[0]!.holds
}

/**
 * Deletes a wave and, through the foreign keys' on delete cascade, everything of it: links, responses
 * and their answers, invitations and their mail jobs, rollups, the staff pool and its releases, uploads.
 * Returns false when it is not the organization's.
 */
export async function deleteWave(db: Db, organizationId: string, waveId: string): Promise<boolean> {
  if (!isUuid(waveId)) return false
  const result = await db.deleteFrom('waves').where('organization_id', '=', organizationId).where('id', '=', waveId).executeTakeFirst()
  return result.numDeletedRows > 0n
}

/** How many reminders a wave's invitations get, and how many days apart. */
export async function setWaveReminders(db: Db, organizationId: string, waveId: string, reminders: { count: number; days: number }): Promise<boolean> {
  if (!isUuid(waveId)) return false
  const result = await db.updateTable('waves').set({ reminders: reminders.count, reminder_days: reminders.days })
    .where('organization_id', '=', organizationId).where('id', '=', waveId).executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export interface LinkOfWave {
  id: string
  side: Side
  token: string
  unitId: string | null
  unitName: string | null
}

export async function findLink(db: Db, organizationId: string, waveId: string, linkId: string): Promise<LinkOfWave | undefined> {
  if (!isUuid(waveId) || !isUuid(linkId)) return undefined
  const row = await db.selectFrom('links')
    .leftJoin('units', (join) => join.onRef('units.organization_id', '=', 'links.organization_id').onRef('units.id', '=', 'links.unit_id'))
    .select(['links.id', 'links.side', 'links.token', 'links.unit_id', 'units.name as unit_name'])
    .where('links.organization_id', '=', organizationId).where('links.wave_id', '=', waveId).where('links.id', '=', linkId)
    .executeTakeFirst()
  return row ? { id: row.id, side: row.side, token: row.token, unitId: row.unit_id, unitName: row.unit_name } : undefined
}

/** The customer link of one unit in a wave (the first, should there be more), as findLink gives it. */
export async function findUnitCustomerLink(db: Db, organizationId: string, waveId: string, unitId: string): Promise<LinkOfWave | undefined> {
  if (!isUuid(waveId) || !isUuid(unitId)) return undefined
  const row = await db.selectFrom('links')
    .innerJoin('units', (join) => join.onRef('units.organization_id', '=', 'links.organization_id').onRef('units.id', '=', 'links.unit_id'))
    .select(['links.id', 'links.side', 'links.token', 'links.unit_id', 'units.name as unit_name'])
    .where('links.organization_id', '=', organizationId).where('links.wave_id', '=', waveId).where('links.unit_id', '=', unitId)
    .where('links.side', '=', 'customer').orderBy('links.created_at').orderBy('links.id').limit(1)
    .executeTakeFirst()
  return row ? { id: row.id, side: row.side, token: row.token, unitId: row.unit_id, unitName: row.unit_name } : undefined
}

/**
 * The waves of the same instrument key made before this one (or up to and including it), newest
 * first, each with the id of the instrument version it runs. Compared by the creation time as the
 * database holds it: PostgreSQL keeps microseconds that a JavaScript Date would round away.
 */
export async function earlierWaves(
  db: Db,
  organizationId: string,
  wave: { id: string; instrumentKey: string },
  options: { includeThis: boolean; limit: number },
): Promise<Array<{ id: string; name: string; instrumentId: string }>> {
  const createdAt = db.selectFrom('waves as w').select('w.created_at').where('w.organization_id', '=', organizationId).where('w.id', '=', wave.id)
  return db.selectFrom('waves').innerJoin('instruments', 'instruments.id', 'waves.instrument_id')
    .select(['waves.id', 'waves.name', 'waves.instrument_id as instrumentId'])
    .where('waves.organization_id', '=', organizationId).where('instruments.key', '=', wave.instrumentKey)
    .where('waves.created_at', options.includeThis ? '<=' : '<', createdAt)
    .orderBy('waves.created_at', 'desc').limit(options.limit).execute()
}

/** The id of the instrument version a wave of the organization runs; undefined for another organization's wave. */
export async function waveInstrumentId(db: Db, organizationId: string, waveId: string): Promise<string | undefined> {
  const row = await db.selectFrom('waves').select('instrument_id').where('id', '=', waveId).where('organization_id', '=', organizationId).executeTakeFirst()
  return row?.instrument_id
}

/**
 * The waves of the same instrument created after this one, oldest first, at most `limit`: the waves an
 * action plan made from this wave is judged on (design §4, "Action effect").
 */
export async function laterWaves(
  db: Db,
  organizationId: string,
  wave: { id: string; instrumentKey: string },
  limit: number,
): Promise<Array<{ id: string; name: string }>> {
  const createdAt = db.selectFrom('waves as w').select('w.created_at').where('w.organization_id', '=', organizationId).where('w.id', '=', wave.id)
  return db.selectFrom('waves').innerJoin('instruments', 'instruments.id', 'waves.instrument_id')
    .select(['waves.id', 'waves.name'])
    .where('waves.organization_id', '=', organizationId).where('instruments.key', '=', wave.instrumentKey)
    .where('waves.created_at', '>', createdAt)
    // A wave made ahead of its date (a repeating wave's next) is not a later wave until it opens.
    .where((eb) => eb.or([eb('waves.status', '<>', 'draft'), eb('waves.opens_at', '<=', sql<Date>`now()`)]))
    .orderBy('waves.created_at', 'asc').orderBy('waves.id').limit(limit).execute()
}
