// Queues the digest for subscribers when a wave closes, and weekly while it is open where the wave
// asks for it (waves.weekly_digest, for subscribers who chose 'weekly').
//
// The marker is digest_runs (migration 0022): a run ('close', or the ISO week of a weekly digest) is
// marked once every subscriber's mail of it is queued, and a pass asks only for runs without a mark,
// so an idle pass is two indexed queries, not a rebuild of every report every two seconds. The
// migration marks every wave already closed when it ran, and a wave closed more than
// CLOSING_DIGEST_DAYS ago is never due: old quarters are not digested when the feature first deploys.
// The mark is written after the mails, not before: a pass stopped halfway runs again and re-queues,
// and queueNotificationMail's unique (kind, ref, recipient) keeps that, or a second instance doing
// the same run, from sending anyone the same digest twice.
import type { Db } from '../../db/connect.js'
import { isoWeek } from '../domain/periods.js'
import { HttpError } from '../http-error.js'
import type { LoopContext } from '../loop/plugin.js'
import { dueClosingDigests, dueWeeklyDigests, markDigestRun, type DueDigest } from '../repositories/digest-runs.js'
import { queueNotificationMail } from '../repositories/notification-mails.js'
import { subscribers } from '../repositories/notification-settings.js'
import { getOrganization } from '../repositories/organizations.js'
import { findWave } from '../repositories/waves.js'
import { digestFor, startDigestRun } from './digest.js'

/** A wave closed longer ago than this gets no closing digest. */
export const CLOSING_DIGEST_DAYS = 7

/** One pass; returns how many digests it queued. */
export async function queueDigests(db: Db, context: LoopContext): Promise<number> {
  const now = context.now()
  const since = new Date(now.getTime() - CLOSING_DIGEST_DAYS * 86_400_000)
  const due = [...await dueClosingDigests(db, now, since), ...await dueWeeklyDigests(db, now, isoWeek(now))]
  let queued = 0
  for (const run of due) {
    try {
      queued += await queueRun(db, run, now)
    } catch (error) {
      // One wave's trouble does not hold back the others; its run stays unmarked and is tried on the next pass.
      const err = error as { name?: string; code?: string } | null
      context.log.warn({ waveId: run.waveId, run: run.run, error: { name: err?.name, code: err?.code } }, 'digest run failed')
    }
  }
  return queued
}

async function queueRun(db: Db, due: DueDigest, now: Date): Promise<number> {
  const organization = await getOrganization(db, due.organizationId)
  const wave = await findWave(db, due.organizationId, due.waveId, now)
  if (!wave) return 0
  const run = await startDigestRun(db, organization, wave, due.run)
  const wanted = (await subscribers(db, organization.id, organization.defaultLocale))
    .filter((person) => (due.run === 'close' ? person.digest !== 'off' : person.digest === 'weekly'))
  let queued = 0
  for (const person of wanted) {
    let params
    try {
      params = await digestFor(db, run, person)
    } catch (error) {
      // A reader the report refuses (no units of theirs any more) gets no digest; anything else stops the run, to be tried again.
      if (error instanceof HttpError && error.statusCode === 403) continue
      throw error
    }
    if (!params) continue
    if (await queueNotificationMail(db, {
      organizationId: organization.id, userId: person.userId, kind: 'digest', ref: `digest:${wave.id}:${due.run}`,
      recipient: person.email, locale: person.locale, params: { ...params },
    })) queued++
  }
  await markDigestRun(db, due)
  return queued
}
