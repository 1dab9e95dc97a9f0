// Changing a wave after it was made, for its settings form, its open and close buttons and the API
// alike: name, dates, languages, prediction questions, its schedule (repeat, weekly digest), opening and closing it now, and
// deleting it whole. Opening and closing go through setStatus only, so the buttons and PATCH follow
// one rule.
import { isUniqueViolation, type Db } from '../../db/connect.js'
import type { Checked, FieldErrors } from '../domain/inputs.js'
import { checkWaveChanges, PREDICTIONS_LOCKED, type WaveChanges } from '../domain/wave-changes.js'
import { waveEventPayload } from '../domain/schedule.js'
import { notFound } from '../http-error.js'
import { atomically } from '../repositories/atomically.js'
import { invitationCounts } from '../repositories/invitations.js'
import { countResponses } from '../repositories/responses.js'
import { forgetMeasureItems } from '../repositories/rollups.js'
import { queueWebhookEvent } from '../repositories/webhook-events.js'
import { deleteWave, findWave, setWavePredictions, setWaveStatus, updateWave, waveNames, type Wave } from '../repositories/waves.js'
import { audit, type Caller } from './audit.js'
import { advanceStaffAfterStore, type StepLog } from './release-steps.js'

export const waveNameTaken = (name: string) => `A wave named "${name}" already exists. Choose another name.`

/** The problem that makes a refused change a conflict (409) rather than bad input: a taken name, or prediction questions locked by answers. */
export function conflictIn(errors: FieldErrors): string | null {
  if (errors.name?.includes('already exists')) return errors.name
  return errors.predictions === PREDICTIONS_LOCKED ? errors.predictions : null
}

/**
 * Opens or closes a wave now. Opening sets its opening date to now and clears its closing date (a
 * repeating wave keeps one still ahead); closing sets the closing date to now. The wave_opened or
 * wave_closed webhook event is queued with the change. A wave that closes gets its last staff step at
 * once rather than at the next background pass.
 */
export async function setStatus(db: Db, organizationId: string, waveId: string, status: 'open' | 'closed', log: StepLog): Promise<void> {
  await atomically(db, async (trx) => {
    if (!(await setWaveStatus(trx, organizationId, waveId, status))) throw notFound('This wave')
    const wave = (await findWave(trx, organizationId, waveId))!
    await queueWebhookEvent(trx, organizationId, status === 'open' ? 'wave_opened' : 'wave_closed',
      waveEventPayload({ ...wave, repeatedFrom: wave.repeatedFrom?.id ?? null }, 'person'))
  })
  if (status === 'closed') await advanceStaffAfterStore(db, organizationId, waveId, log)
}

export interface ChangedWave {
  wave: Wave
  /** The fields that now differ from before (for the audit log). */
  changed: Array<keyof WaveChanges>
}

/** Applies the fields given; 404 for a wave that is not the organization's, field errors otherwise. */
export async function changeWave(
  db: Db,
  organizationId: string,
  waveId: string,
  input: Record<string, unknown>,
  options: { log: StepLog; now?: Date },
): Promise<Checked<ChangedWave>> {
  const now = options.now ?? new Date()
  const before = await findWave(db, organizationId, waveId, now)
  if (!before) throw notFound('This wave')
  const checked = checkWaveChanges(input, {
    now, opensAt: before.opensAt, instrumentLocales: before.instrumentLocales,
    status: before.status, closesAt: before.closesAt, repeatEvery: before.repeatEvery,
  })
  if (!checked.ok) return checked
  const changes = checked.value
  const changed: Array<keyof WaveChanges> = []
  if (changes.name !== undefined && changes.name !== before.name) changed.push('name')
  if (changes.closesAt !== undefined && changes.closesAt?.getTime() !== before.closesAt?.getTime()) changed.push('closesAt')
  if (changes.locales !== undefined && changes.locales.join() !== before.locales.join()) changed.push('locales')
  if (changes.status !== undefined && changes.status !== before.status) changed.push('status')
  if (changes.predictions !== undefined && changes.predictions !== before.predictions) changed.push('predictions')
  if (changes.opensAt !== undefined && changes.opensAt?.getTime() !== before.opensAt?.getTime()) changed.push('opensAt')
  if (changes.repeatEvery !== undefined && changes.repeatEvery !== before.repeatEvery) changed.push('repeatEvery')
  if (changes.weeklyDigest !== undefined && changes.weeklyDigest !== before.weeklyDigest) changed.push('weeklyDigest')
  // A taken name is refused before anything changes, so a refused request changes nothing.
  if (changed.includes('name')) {
    const wanted = changes.name!.toLowerCase()
    const others = (await waveNames(db, organizationId)).filter((name) => name.toLowerCase() !== before.name.toLowerCase())
    if (others.some((name) => name.toLowerCase() === wanted)) return { ok: false, errors: { name: waveNameTaken(changes.name!) } }
  }
  // The prediction questions before anything else changes, so that a wave holding answers refuses
  // the whole request. The measures kept for the wave follow at once (they are read again).
  if (changed.includes('predictions')) {
    if (!(await setWavePredictions(db, organizationId, waveId, changes.predictions!))) return { ok: false, errors: { predictions: PREDICTIONS_LOCKED } }
    forgetMeasureItems(waveId)
  }
  // Status first: opening clears the closing date, which a closing date given with it then sets.
  if (changed.includes('status')) await setStatus(db, organizationId, waveId, changes.status!, options.log)
  try {
    await updateWave(db, organizationId, waveId, {
      name: changed.includes('name') ? changes.name : undefined,
      closesAt: changed.includes('closesAt') || (changed.includes('status') && changes.closesAt !== undefined) ? changes.closesAt : undefined,
      locales: changed.includes('locales') ? changes.locales : undefined,
      opensAt: changed.includes('opensAt') ? changes.opensAt : undefined,
      repeatEvery: changed.includes('repeatEvery') ? changes.repeatEvery : undefined,
      weeklyDigest: changed.includes('weeklyDigest') ? changes.weeklyDigest : undefined,
    })
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, errors: { name: waveNameTaken(changes.name!) } }
    throw error
  }
  return { ok: true, value: { wave: (await findWave(db, organizationId, waveId))!, changed } }
}

/** Deletes a wave and everything of it; returns its name (for the audit log). 404 when it is not the organization's. */
export async function removeWave(db: Db, organizationId: string, waveId: string): Promise<string> {
  const wave = await findWave(db, organizationId, waveId)
  if (!wave || !(await deleteWave(db, organizationId, waveId))) throw notFound('This wave')
  return wave.name
}

/**
 * Records a change in the audit log: closing as wave_closed, everything else (reopening included) as
 * wave_updated with the names of the fields that changed.
 */
export async function auditWaveChange(db: Db, caller: Caller, change: ChangedWave): Promise<void> {
  const target = `wave ${change.wave.name}`
  const closed = change.changed.includes('status') && change.wave.status === 'closed'
  if (closed) await audit(db, caller, 'wave_closed', { target })
  const rest = change.changed.filter((field) => !(closed && field === 'status'))
  if (rest.length > 0) await audit(db, caller, 'wave_updated', { target, detail: { changed: rest } })
}

/** What deleting or closing a wave affects, for the confirmation pages. */
export async function waveHoldings(db: Db, organizationId: string, waveId: string) {
  const [responses, invitations] = await Promise.all([countResponses(db, organizationId, waveId), invitationCounts(db, organizationId, waveId)])
  return { responses, invitations: invitations.queued + invitations.sent + invitations.failed + invitations.bounced }
}
