// The write-ahead log positions that route reads between the primary and a streaming replica
// (server/plugins/reads.ts): where the primary is, how far the replica has replayed, and each
// person's last write.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'

/** The primary's current write position. */
export async function primaryPosition(db: Db): Promise<string> {
  const { rows } = await sql<{ lsn: string }>`select pg_current_wal_lsn()::text as lsn`.execute(db)
  return rows[0]!.lsn
}

/** How far a standby has replayed; null when the server is not a standby (promoted, or never one). */
export async function replayedPosition(db: Db): Promise<string | null> {
  const { rows } = await sql<{ standby: boolean; lsn: string | null }>`
    select pg_is_in_recovery() as standby, pg_last_wal_replay_lsn()::text as lsn`.execute(db)
  return rows[0]!.standby ? rows[0]!.lsn : null
}

/** Notes that a person has just written: the primary's position now covers everything they committed. */
export async function noteCallerWrite(db: Db, organizationId: string, userId: string): Promise<void> {
  await sql`
    insert into caller_writes (organization_id, user_id, lsn) values (${organizationId}, ${userId}, pg_current_wal_lsn())
    on conflict (organization_id, user_id) do update set lsn = excluded.lsn`.execute(db)
}

/** The position after a person's last write, or null when none is noted. */
export async function callerWritePosition(db: Db, organizationId: string, userId: string): Promise<string | null> {
  const row = await db.selectFrom('caller_writes').select(sql<string>`lsn::text`.as('lsn'))
    .where('organization_id', '=', organizationId).where('user_id', '=', userId).executeTakeFirst()
  return row?.lsn ?? null
}
