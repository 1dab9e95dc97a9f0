// The queries behind the responses export (services/export.ts): its staff rows counted by their
// quasi-identifiers (with their ids), the customers' attribute names, and its responses a page at a time in id order.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { StaffQuasiIdentifiers } from '../domain/export-anonymity.js'
import type { Channel, Side } from '../domain/types.js'

/** The UTC day a response was submitted, YYYY-MM-DD: the same words in the counts and in the rows. */
const submittedDay = sql<string>`to_char(responses.submitted_at at time zone 'UTC', 'YYYY-MM-DD')`

/** A staff response as the export counts it: its id, its quasi-identifiers and its release step (no answers). */
export interface StaffRowKey extends StaffQuasiIdentifiers {
  id: string
  /** The release step it joined the figures in; 0 for a row stored outside the steps. */
  step: number
}

/** The wave's staff responses: id, unit (null for none), UTC day submitted, language, channel and release step. */
export async function staffRowKeys(db: Db, organizationId: string, waveId: string): Promise<StaffRowKey[]> {
  const rows = await db.selectFrom('responses')
    .select(['responses.id', 'responses.unit_id', submittedDay.as('day'), 'responses.locale', 'responses.channel', 'responses.release_step'])
    .where('responses.organization_id', '=', organizationId).where('responses.wave_id', '=', waveId).where('responses.side', '=', 'staff').execute()
  return rows.map((row) => ({ id: row.id, unitId: row.unit_id, day: row.day, language: row.locale, channel: row.channel, step: row.release_step ?? 0 }))
}

/** Every attribute name the wave's customer responses carry, sorted. */
export async function customerAttributeNames(db: Db, organizationId: string, waveId: string): Promise<string[]> {
  const rows = await db.selectFrom('responses')
    .select(sql<string>`distinct jsonb_object_keys(attributes)`.as('name'))
    .where('organization_id', '=', organizationId).where('wave_id', '=', waveId).where('side', '=', 'customer').execute()
  return rows.map((row) => row.name).sort()
}

export interface ExportedResponse {
  id: string
  side: Side
  unitId: string | null
  unitName: string | null
  submittedAt: Date
  /** The UTC day of submittedAt, YYYY-MM-DD. */
  day: string
  locale: string
  channel: Channel
  comment: string | null
  attributes: Record<string, string>
  /** Item key → value (null for not applicable); items not answered are absent. */
  answers: Record<string, number | null>
}

/** Up to `limit` responses of the wave with ids after `after` (null for the first page), in id order. */
export async function responsePage(db: Db, organizationId: string, waveId: string, after: string | null, limit: number): Promise<ExportedResponse[]> {
  const rows = await db.selectFrom('responses')
    .leftJoin('units', (join) => join.onRef('units.organization_id', '=', 'responses.organization_id').onRef('units.id', '=', 'responses.unit_id'))
    .select(['responses.id', 'responses.side', 'responses.unit_id', 'units.name as unit_name', 'responses.submitted_at', submittedDay.as('day'), 'responses.locale',
      'responses.channel', 'responses.comment', 'responses.attributes',
      (eb) => eb.selectFrom('answers').whereRef('answers.response_id', '=', 'responses.id')
        .select(sql<Record<string, number | null>>`jsonb_object_agg(item_key, value)`.as('a')).as('answers')])
    .where('responses.organization_id', '=', organizationId).where('responses.wave_id', '=', waveId)
    .$if(after !== null, (q) => q.where('responses.id', '>', after!))
    .orderBy('responses.id').limit(limit).execute()
  return rows.map((row) => ({
    id: row.id, side: row.side, unitId: row.unit_id, unitName: row.unit_name, submittedAt: row.submitted_at, day: row.day, locale: row.locale,
    channel: row.channel, comment: row.comment, attributes: row.attributes, answers: row.answers ?? {},
  }))
}
