// Kiosk mode's orchestration: what a kiosk token opens (the kiosk and its unit's customer survey),
// making a kiosk of a unit's customer link, and storing one kiosk response with its limits checked
// and counted in the same transaction (the kiosk's row locked, so two tablets or two requests of one
// attacker are counted one after the other and the cap holds on both databases).
import type { Db } from '../../db/connect.js'
import { checkDailyCap, deviceBuckets, kioskDay, type KioskLimits } from '../domain/kiosk.js'
import type { Checked } from '../domain/inputs.js'
import {
  countDevice, countKioskDay, deleteKiosk, deviceResponses, findKiosk, findManagedKiosk, kiosksOfWave, lockKiosk, saveKiosk,
  type Kiosk, type KioskOfLink, type ManagedKiosk,
} from '../repositories/kiosks.js'
import { storeResponse, type NewResponse } from '../repositories/responses.js'
import { findUnit } from '../repositories/units.js'
import { findLink, findUnitCustomerLink, findWave, type LinkOfWave } from '../repositories/waves.js'
import { audit, type Caller } from './audit.js'
import { openSurveyToken, type OpenedToken } from './survey.js'

/** A kiosk's public address, for the tablet's browser. */
export const kioskUrl = (publicUrl: string, token: string) => `${publicUrl}/k/${token}`

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

export type KioskRefusal = 'no_wave' | 'no_unit' | 'archived' | 'no_link' | 'exists'

/**
 * Makes a kiosk of a unit's customer link in a wave (the API's way; the page starts from the link):
 * the wave and the unit must be the organization's, the unit in use, the link there, and no kiosk
 * on it yet (`exists` gives that one's id). The daily cap is checked as the page's form checks it.
 */
export async function createKiosk(db: Db, caller: Caller, input: { waveId: string; unitId: string; dailyCap: number }, now = new Date()): Promise<
  { ok: true; kiosk: ManagedKiosk } | { ok: false; errors: Record<string, string> } | { ok: false; refused: KioskRefusal; existingId?: string }
> {
  const organizationId = caller.principal!.organizationId
  const [wave, unit] = await Promise.all([findWave(db, organizationId, input.waveId), findUnit(db, organizationId, input.unitId)])
  if (!wave) return { ok: false, refused: 'no_wave' }
  if (!unit) return { ok: false, refused: 'no_unit' }
  if (unit.archived) return { ok: false, refused: 'archived' }
  const link = await findUnitCustomerLink(db, organizationId, wave.id, unit.id)
  if (!link) return { ok: false, refused: 'no_link' }
  const existing = (await kiosksOfWave(db, organizationId, wave.id)).get(link.id)
  if (existing) return { ok: false, refused: 'exists', existingId: existing.id }
  const made = await makeKiosk(db, organizationId, link, { dailyCap: String(input.dailyCap) })
  if (!made.ok) return 'errors' in made ? made : { ok: false, refused: 'no_link' }
  await auditKiosk(db, caller, wave, link, made.value.dailyCap)
  return { ok: true, kiosk: (await findManagedKiosk(db, organizationId, made.value.id, kioskDay(now)))! }
}

/** Changes a kiosk's daily cap (none given: no change); undefined when the organization has no such kiosk. */
export async function changeKioskCap(db: Db, caller: Caller, id: string, dailyCap: number | undefined, now = new Date()): Promise<Checked<ManagedKiosk> | undefined> {
  const organizationId = caller.principal!.organizationId
  const kiosk = await findManagedKiosk(db, organizationId, id, kioskDay(now))
  const link = kiosk && await findLink(db, organizationId, kiosk.waveId, kiosk.linkId)
  if (!kiosk || !link) return undefined
  if (dailyCap === undefined || dailyCap === kiosk.dailyCap) return { ok: true, value: kiosk }
  const made = await makeKiosk(db, organizationId, link, { dailyCap: String(dailyCap) })
  if (!made.ok) return 'errors' in made ? made : undefined
  await auditKiosk(db, caller, { id: kiosk.waveId, name: kiosk.waveName }, link, made.value.dailyCap)
  return { ok: true, value: { ...kiosk, dailyCap: made.value.dailyCap } }
}

/** Revokes a kiosk (its address opens nothing any more); false when the organization has no such kiosk. */
export async function revokeKiosk(db: Db, caller: Caller, id: string): Promise<boolean> {
  const organizationId = caller.principal!.organizationId
  const kiosk = await findManagedKiosk(db, organizationId, id, kioskDay(new Date()))
  if (!kiosk || !(await deleteKiosk(db, organizationId, id))) return false
  await audit(db, caller, 'kiosk_revoked', { target: `kiosk for ${kiosk.unitName} in wave ${kiosk.waveName}`, detail: { wave: kiosk.waveId, link: kiosk.linkId } })
  return true
}

/** The audit line of a kiosk made or changed, the same from the page and the API. */
export function auditKiosk(db: Db, caller: Caller, wave: { id: string; name: string }, link: LinkOfWave, dailyCap: number) {
  return audit(db, caller, 'kiosk_saved', { target: `kiosk for ${link.unitName ?? 'a unit'} in wave ${wave.name}`, detail: { wave: wave.id, link: link.id, dailyCap } })
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
      const cap = await lockKiosk(trx, response.organizationId, kioskId)
      if (cap === undefined) return 'daily_cap'
      const already = await trx.selectFrom('responses').select('id')
        .where('organization_id', '=', response.organizationId).where('wave_id', '=', response.waveId).where('submission_key', '=', response.submissionKey).executeTakeFirst()
      if (already) return 'duplicate'
      if (await deviceResponses(trx, response.organizationId, kioskId, device.hash, windowStart) >= limits.perDevice) return 'device_limit'
      if (!await countKioskDay(trx, response.organizationId, kioskId, kioskDay(now), cap)) return 'daily_cap'
      if (await storeResponse(trx, response) !== 'stored') throw new Duplicate()
      await countDevice(trx, response.organizationId, kioskId, device.hash, bucket, windowStart)
      return 'stored'
    })
  } catch (error) {
    // Stored by another way in the meantime: the day's count is rolled back with the transaction.
    if (error instanceof Duplicate) return 'duplicate'
    throw error
  }
}
