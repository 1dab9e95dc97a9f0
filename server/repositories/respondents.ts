// What the dashboard reads about a wave's respondents beyond the rollups: how many answered per side
// and unit, which attribute values they carry, whether an attribute occurs at all, and their comments.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Side } from '../domain/types.js'

/** Respondents per side and unit key (a unit id, or NO_UNIT), from the rollups. */
export async function respondentsPerUnit(db: Db, waveId: string): Promise<Array<{ side: Side; unitKey: string; n: number }>> {
  const rows = await db.selectFrom('response_rollups').select(['side', 'unit_key', (eb) => eb.fn.sum<number>('respondents').as('n')])
    .where('wave_id', '=', waveId).groupBy(['side', 'unit_key']).execute()
  return rows.map((row) => ({ side: row.side, unitKey: row.unit_key, n: Number(row.n) }))
}

/** The attribute values respondents of each side carry, per attribute name (at most 400 pairs in all). */
export async function attributeValues(db: Db, waveId: string): Promise<Record<Side, Map<string, string[]>>> {
  const rows = await db.selectFrom('responses')
    .select(['side', sql<string>`kv.key`.as('name'), sql<string>`kv.value`.as('value')])
    .innerJoin(sql`jsonb_each_text(responses.attributes)`.as('kv'), (join) => join.onTrue())
    .where('wave_id', '=', waveId).groupBy(['side', sql`kv.key`, sql`kv.value`]).orderBy(sql`kv.key`).orderBy(sql`kv.value`).limit(400).execute()
  const values: Record<Side, Map<string, string[]>> = { staff: new Map(), customer: new Map() }
  for (const row of rows) {
    const list = values[row.side].get(row.name)
    if (list) list.push(row.value)
    else values[row.side].set(row.name, [row.value])
  }
  return values
}

/** Whether any response of this side in the wave carries the attribute. */
export async function attributeOccurs(db: Db, waveId: string, side: Side, name: string): Promise<boolean> {
  const row = await db.selectFrom('responses').select(sql<number>`1`.as('one'))
    .where('wave_id', '=', waveId).where('side', '=', side).where(sql<boolean>`jsonb_exists(attributes, ${name})`)
    .limit(1).executeTakeFirst()
  return row !== undefined
}

/** The most frequent comments of a group first (identical ones counted once, with how many gave them). */
export async function frequentComments(
  db: Db,
  waveId: string,
  group: { side: Side; unitId: string | null; attributes: Record<string, string> },
  limit = 12,
): Promise<Array<{ comment: string; times: number }>> {
  const rows = await db.selectFrom('responses').select(['comment', (eb) => eb.fn.countAll<number>().as('times')])
    .where('wave_id', '=', waveId).where('side', '=', group.side).where('comment', 'is not', null)
    .$if(group.unitId !== null, (q) => q.where('unit_id', '=', group.unitId))
    .$if(Object.keys(group.attributes).length > 0, (q) => q.where(sql<boolean>`attributes @> ${JSON.stringify(group.attributes)}::jsonb`))
    .groupBy('comment').orderBy('times', 'desc').orderBy('comment').limit(limit).execute()
  return rows.map((row) => ({ comment: row.comment!, times: Number(row.times) }))
}
