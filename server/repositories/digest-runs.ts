// Which digests are due: a wave's closing digest, and the weekly one of an open wave that asks for it.
// A run is marked (digest_runs, migration 0022) once every subscriber's mail of it is queued, so each
// pass looks only at runs without a mark. Every query names the organization.
import type { Db } from '../../db/connect.js'
import { waveIsClosed, waveIsOpen } from './wave-status.js'

export interface DueDigest { waveId: string; organizationId: string; run: string }

/**
 * Waves closed at `now` whose closing digest has not been queued, closed no earlier than `since`:
 * a wave closed long ago (a server that was down for weeks, a wave entered with past dates) gets no
 * closing digest; news that old is not news.
 */
export async function dueClosingDigests(db: Db, now: Date, since: Date): Promise<DueDigest[]> {
  const rows = await db.selectFrom('waves').select(['waves.id', 'waves.organization_id'])
    .where(waveIsClosed('waves', now)).where('waves.closes_at', '>', since)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('digest_runs').select('digest_runs.run')
      .whereRef('digest_runs.wave_id', '=', 'waves.id').where('digest_runs.run', '=', 'close'))))
    .orderBy('waves.closes_at').execute()
  return rows.map((row) => ({ waveId: row.id, organizationId: row.organization_id, run: 'close' }))
}

/** Open waves (at `now`) that send a weekly digest and have not sent this `week`'s. */
export async function dueWeeklyDigests(db: Db, now: Date, week: string): Promise<DueDigest[]> {
  const rows = await db.selectFrom('waves').select(['waves.id', 'waves.organization_id'])
    .where(waveIsOpen('waves', now)).where('waves.weekly_digest', '=', true)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('digest_runs').select('digest_runs.run')
      .whereRef('digest_runs.wave_id', '=', 'waves.id').where('digest_runs.run', '=', week))))
    .orderBy('waves.created_at').execute()
  return rows.map((row) => ({ waveId: row.id, organizationId: row.organization_id, run: week }))
}

/** Marks a run as queued (a second instance that finished the same run meanwhile changes nothing). */
export async function markDigestRun(db: Db, due: DueDigest): Promise<void> {
  await db.insertInto('digest_runs').values({ wave_id: due.waveId, organization_id: due.organizationId, run: due.run })
    .onConflict((oc) => oc.columns(['organization_id', 'wave_id', 'run']).doNothing()).execute()
}
