// The queries behind the responses export (services/export.ts): its staff per unit, the customers'
// attribute names, and its responses a page at a time in id order.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Channel, Side } from '../domain/types.js'

/** Staff respondents per unit (null for those without one). */
export async function staffRespondentsPerUnit(db: Db, waveId: string): Promise<Array<{ unitId: string | null; n: number }>> {
  const rows = await db.selectFrom('responses').select(['unit_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('wave_id', '=', waveId).where('side', '=', 'staff').groupBy('unit_id').execute()
  return rows.map((row) => ({ unitId: row.unit_id, n: Number(row.n) }))
}

/** Every attribute name the wave's customer responses carry, sorted. */
export async function customerAttributeNames(db: Db, waveId: string): Promise<string[]> {
  const rows = await db.selectFrom('responses')
    .select(sql<string>`distinct jsonb_object_keys(attributes)`.as('name'))
    .where('wave_id', '=', waveId).where('side', '=', 'customer').execute()
  return rows.map((row) => row.name).sort()
}

export interface ExportedResponse {
  id: string
  side: Side
  unitId: string | null
  unitName: string | null
  submittedAt: Date
  locale: string
  channel: Channel
  comment: string | null
  attributes: Record<string, string>
  /** Item key → value (null for not applicable); items not answered are absent. */
  answers: Record<string, number | null>
}

/** Up to `limit` responses of the wave with ids after `after` (null for the first page), in id order. */
export async function responsePage(db: Db, organizationId: string, waveId: string, after: string | null, limit: number): Promise<ExportedResponse[]> {
  const rows = await db.selectFrom('responses').leftJoin('units', 'units.id', 'responses.unit_id')
    .select(['responses.id', 'responses.side', 'responses.unit_id', 'units.name as unit_name', 'responses.submitted_at', 'responses.locale',
      'responses.channel', 'responses.comment', 'responses.attributes',
      (eb) => eb.selectFrom('answers').whereRef('answers.response_id', '=', 'responses.id')
        .select(sql<Record<string, number | null>>`jsonb_object_agg(item_key, value)`.as('a')).as('answers')])
    .where('responses.organization_id', '=', organizationId).where('responses.wave_id', '=', waveId)
    .$if(after !== null, (q) => q.where('responses.id', '>', after!))
    .orderBy('responses.id').limit(limit).execute()
  return rows.map((row) => ({
    id: row.id, side: row.side, unitId: row.unit_id, unitName: row.unit_name, submittedAt: row.submitted_at, locale: row.locale,
    channel: row.channel, comment: row.comment, attributes: row.attributes, answers: row.answers ?? {},
  }))
}
