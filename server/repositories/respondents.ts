// What the dashboard reads about a wave's respondents beyond the rollups: their comments.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Side } from '../domain/types.js'

/**
 * How many respondents a side of the wave holds, from the rollups: the version of its profiles
 * (responses are only ever added, so the same count means the same respondents).
 */
export async function sideRespondents(db: Db, waveId: string, side: Side): Promise<number> {
  const row = await db.selectFrom('response_rollups').select((eb) => eb.fn.sum<number>('respondents').as('n'))
    .where('wave_id', '=', waveId).where('side', '=', side).executeTakeFirst()
  return Number(row?.n ?? 0)
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
