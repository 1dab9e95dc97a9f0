// Kiosk mode's orchestration: what a kiosk token opens (the kiosk and its unit's customer survey),
// making a kiosk of a unit's customer link, and storing one kiosk response with its limits checked
// and counted in the same transaction (the kiosk's row locked, so two tablets or two requests of one
// attacker are counted one after the other and the cap holds on both databases).
import type { Db } from '../../db/connect.js'
import { checkDailyCap, deviceBuckets, kioskDay, type KioskLimits } from '../domain/kiosk.js'
import type { Checked } from '../domain/inputs.js'
import { countDevice, countKioskDay, deviceResponses, findKiosk, lockKiosk, saveKiosk, type Kiosk, type KioskOfLink } from '../repositories/kiosks.js'
import { storeResponse, type NewResponse } from '../repositories/responses.js'
import type { LinkOfWave } from '../repositories/waves.js'
import { openSurveyToken, type OpenedToken } from './survey.js'

export interface OpenedKiosk {
  kiosk: Kiosk
  found: OpenedToken
}

/** The kiosk behind a token and its unit's customer survey (undefined when either is not there). */
export async function openKiosk(db: Db, token: string, now: Date): Promise<OpenedKiosk | undefined> {
  const kiosk = await findKiosk(db, token, kioskDay(now))
  if (!kiosk) return undefined
  const found = await openSurveyToken(db, kiosk.linkToken, null, now)
  return found && found.entry.side === 'customer' ? { kiosk, found } : undefined
}

export type KioskLinkProblem = 'staff_link' | 'no_unit'

/** Makes a unit's customer link a kiosk, or changes its cap; a staff link or the wave's general link never becomes one. */
export async function makeKiosk(db: Db, organizationId: string, link: LinkOfWave, input: { dailyCap: unknown }): Promise<Checked<KioskOfLink> | { ok: false; refused: KioskLinkProblem }> {
  if (link.side !== 'customer') return { ok: false, refused: 'staff_link' }
  if (link.unitId === null) return { ok: false, refused: 'no_unit' }
  const cap = checkDailyCap(input.dailyCap)
  if (!cap.ok) return cap
  const saved = await saveKiosk(db, organizationId, link, cap.value)
  return saved ? { ok: true, value: saved } : { ok: false, refused: 'staff_link' }
}

export type KioskStoreResult = 'stored' | 'duplicate' | 'device_limit' | 'daily_cap'

class Duplicate extends Error {}

/**
 * Stores a kiosk response when the device is under its limit and the kiosk under today's cap, and
 * counts it towards both; otherwise stores nothing. A form stored already (the same render token sent
 * again) stores nothing and counts nothing.
 */
export async function storeKioskResponse(
  db: Db, kioskId: string, response: NewResponse & { submissionKey: string }, device: { hash: string }, now: Date, limits: KioskLimits,
): Promise<KioskStoreResult> {
  const { bucket, windowStart } = deviceBuckets(now, limits)
  try {
    return await db.transaction().execute(async (trx) => {
      const cap = await lockKiosk(trx, kioskId)
      if (cap === undefined) return 'daily_cap'
      const already = await trx.selectFrom('responses').select('id')
        .where('wave_id', '=', response.waveId).where('submission_key', '=', response.submissionKey).executeTakeFirst()
      if (already) return 'duplicate'
      if (await deviceResponses(trx, kioskId, device.hash, windowStart) >= limits.perDevice) return 'device_limit'
      if (!await countKioskDay(trx, kioskId, kioskDay(now), cap)) return 'daily_cap'
      if (await storeResponse(trx, response) !== 'stored') throw new Duplicate()
      await countDevice(trx, kioskId, device.hash, bucket, windowStart)
      return 'stored'
    })
  } catch (error) {
    // Stored by another way in the meantime: the day's count is rolled back with the transaction.
    if (error instanceof Duplicate) return 'duplicate'
    throw error
  }
}
