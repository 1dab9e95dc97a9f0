// Repeating waves: makes the next wave of a series once the current one has opened, opens waves on
// their opening date (inviting the contacts of a series wave), and closes them on their closing date,
// each with its wave_opened / wave_closed webhook event and an audit entry by the product, in the
// transaction of the change. Every change is conditional on the state it leaves, so a pass run twice
// or by two instances at once does each thing once. Logs carry wave ids and counts, nothing personal.
import type { Db } from '../../db/connect.js'
import { nextDates, nextWaveName, waveEventPayload } from '../domain/schedule.js'
import type { AuditAction } from '../domain/audit.js'
import type { LoopContext } from '../loop/plugin.js'
import { recordAudit } from '../repositories/audit.js'
import { inviteContacts } from '../repositories/invitations.js'
import { createWave } from '../repositories/waves.js'
import {
  closeDueWave, lockWaveToRepeat, openDueWave, waveNameUsed, wavesDueToClose, wavesDueToOpen, wavesDueToRepeat,
  type ScheduledWave, type WaveToRepeat,
} from '../repositories/wave-schedule.js'
import { queueWebhookEvent } from '../repositories/webhook-events.js'
import { advanceStaffAfterStore } from './release-steps.js'

/** An audit entry whose actor is the product itself, as the retention runs write theirs. */
const bySystem = (db: Db, organizationId: string, action: AuditAction, target: string, detail: Record<string, unknown>) =>
  recordAudit(db, { organizationId, actorUserId: null, actorEmail: '', action, target, detail: { ...detail, by: 'schedule' } })

/** One pass; returns how many things it did (waves closed, opened and made). */
export async function runSchedule(db: Db, context: LoopContext): Promise<number> {
  const now = context.now()
  const closed = await closeWaves(db, context, now)
  const opened = await openWaves(db, context, now)
  const made = await repeatWaves(db, context, now)
  // A wave made for a period that has already begun opens in the same pass.
  const late = made > 0 ? await openWaves(db, context, now) : 0
  return closed + opened + made + late
}

async function closeWaves(db: Db, context: LoopContext, now: Date): Promise<number> {
  let done = 0
  for (const id of await wavesDueToClose(db, now)) {
    const wave = await db.transaction().execute(async (trx) => {
      const wave = await closeDueWave(trx, id, now)
      if (wave) await announce(trx, wave, 'wave_closed', 'wave_closed')
      return wave
    })
    if (!wave) continue
    done++
    context.log.info({ waveId: wave.id }, 'wave closed on its closing date')
    // Its last staff step at once, as when a person closes it (services/wave-settings.ts setStatus).
    await advanceStaffAfterStore(db, wave.organizationId, wave.id, context.log)
  }
  return done
}

async function openWaves(db: Db, context: LoopContext, now: Date): Promise<number> {
  let done = 0
  for (const id of await wavesDueToOpen(db, now)) {
    // Opening and inviting land together: a failed invitation run leaves the draft for the next pass.
    const result = await db.transaction().execute(async (trx) => {
      const wave = await openDueWave(trx, id, now)
      if (!wave) return undefined
      // A wave of a series invites the contacts that match, both sides, as the Operations tab's button
      // does with no side or unit chosen; a one-off wave opened on its date waits for a person to invite.
      const invited = wave.inSeries ? await inviteContacts(trx, context.config.signingSecret, { organizationId: wave.organizationId, waveId: wave.id }) : 0
      await announce(trx, wave, 'wave_opened', 'wave_opened', { invited })
      return { wave, invited }
    })
    if (!result) continue
    done++
    context.log.info({ waveId: result.wave.id, invited: result.invited }, 'wave opened on its opening date')
  }
  return done
}

async function repeatWaves(db: Db, context: LoopContext, now: Date): Promise<number> {
  let done = 0
  for (const id of await wavesDueToRepeat(db, now)) {
    const made = await db.transaction().execute(async (trx) => {
      const wave = await lockWaveToRepeat(trx, id)
      return wave ? makeNext(trx, wave, now) : undefined
    })
    if (!made) continue
    done++
    context.log.info({ waveId: id, nextWaveId: made }, 'next wave of a series made')
  }
  return done
}

/** Makes the next wave of a locked repeating wave: its settings and unit links, dated one period on. */
async function makeNext(trx: Db, wave: WaveToRepeat, now: Date): Promise<string> {
  const dates = nextDates(wave, wave.repeatEvery, now)
  const wanted = nextWaveName(wave.name, wave.repeatEvery, dates.opensAt, dates.steps)
  // A name already taken (a wave made by hand for the period) gets a number rather than stopping the series.
  let name = wanted
  for (let n = 2; await waveNameUsed(trx, wave.organizationId, name); n++) name = `${wanted} (${n})`
  const id = await createWave(trx, wave.organizationId, {
    name, instrumentId: wave.instrumentId, status: 'draft', opensAt: dates.opensAt, closesAt: dates.closesAt,
    locales: wave.locales, predictions: wave.predictions, unitIds: wave.unitIds,
    repeatEvery: wave.repeatEvery, weeklyDigest: wave.weeklyDigest, repeatedFrom: wave.id, reminders: wave.reminders,
  })
  await bySystem(trx, wave.organizationId, 'wave_repeated', `wave ${name}`, { from: wave.id, wave: id, opensAt: dates.opensAt.toISOString() })
  return id
}

/** The webhook event and the audit entry of a change the schedule made. */
async function announce(trx: Db, wave: ScheduledWave, event: 'wave_opened' | 'wave_closed', action: AuditAction, detail: Record<string, unknown> = {}) {
  await queueWebhookEvent(trx, wave.organizationId, event, waveEventPayload(wave, 'schedule'))
  await bySystem(trx, wave.organizationId, action, `wave ${wave.name}`, { wave: wave.id, ...detail })
}
