// Release steps: staff answers wait in the pool until enough have gathered that they can join the
// figures together without anyone being singled out by comparing two reads (design §5, "over time";
// the rule is nextStaffStep in domain/release.ts). A step moves the answers chosen into `responses`
// in random order, adds them to the rollups and records the step, all in one transaction under a
// per-wave lock, so two instances can never take the same answers or interleave two steps.
import { randomInt } from 'node:crypto'
import type { Db } from '../../db/connect.js'
import { tooSmall } from '../domain/anonymity.js'
import { dimensionMeasures, measureVector } from '../domain/measures.js'
import { nextStaffStep, Release } from '../domain/release.js'
import { atomically } from '../repositories/atomically.js'
import { profileCounts } from '../repositories/profiles.js'
import { addToRollups, measureItems } from '../repositories/rollups.js'
import {
  lastStaffRelease, lockStaffRelease, pendingStaffAnswers, releaseStaffAnswers, waveMinGroupSize, wavesWithPendingStaff,
} from '../repositories/staff-pool.js'

/** Fisher–Yates with the operating system's CSPRNG: the order of a step says nothing of the order of arrival. */
function shuffled<T>(list: readonly T[]): T[] {
  const out = [...list]
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/**
 * Takes the next release step of a wave's staff figures if the pool allows one. Returns how many
 * answers joined (0: they wait). One transaction (the caller's, when it passes one) holding the
 * wave's release lock.
 */
export async function advanceStaff(db: Db, organizationId: string, waveId: string, minGroupSize: number): Promise<number> {
  return atomically(db, async (trx) => {
    if (!(await lockStaffRelease(trx, organizationId, waveId))) return 0
    const pending = await pendingStaffAnswers(trx, organizationId, waveId)
    // A step always holds at least k answers; fewer need not be weighed.
    if (tooSmall(pending.length, minGroupSize)) return 0
    const items = await measureItems(trx, waveId)
    const current = await profileCounts(trx, organizationId, waveId, 'staff')
    // Readers see the last step's release; before the first step, staff stored before release steps
    // existed are seen as the release computed from them.
    const last = await lastStaffRelease(trx, organizationId, waveId)
    const dimensions = dimensionMeasures(items)
    const previous = last?.shown ?? (current.length > 0 ? new Release(current, minGroupSize, null, dimensions).save() : null)
    const step = nextStaffStep(current, pending.map((entry) => ({
      unitKey: entry.unitKey, attributes: entry.attributes, counts: measureVector(items, entry.answers),
    })), minGroupSize, previous, dimensions)
    if (!step) return 0
    const joining = shuffled(step.chosen.map((i) => pending[i]!))
    await releaseStaffAnswers(trx, organizationId, waveId, joining.map((entry) => entry.id), step.step, step.release)
    await addToRollups(trx, organizationId, waveId, joining.map((entry) => ({ side: 'staff' as const, unitId: entry.unitId, attributes: entry.attributes, answers: entry.answers })), step.step)
    return joining.length
  })
}

/** Where a step that failed is reported: no answers, units or attributes, only what went wrong in the database. */
export interface StepLog {
  error(details: object, message: string): void
}

const describeError = (error: unknown) => {
  const e = error as { name?: string; code?: string; table?: string; constraint?: string; routine?: string } | null
  return { name: e?.name, code: e?.code, table: e?.table, constraint: e?.constraint, routine: e?.routine }
}

/**
 * The step after staff answers were stored (a form, an import): with the organization's minimum
 * group size, so that a batch large enough shows at once. The answers are safe in the pool whatever
 * happens here: a failure is logged and the background steps try again.
 */
export async function advanceStaffAfterStore(db: Db, organizationId: string, waveId: string, log: StepLog): Promise<number> {
  try {
    const minGroupSize = await waveMinGroupSize(db, organizationId, waveId)
    return minGroupSize === undefined ? 0 : await advanceStaff(db, organizationId, waveId, minGroupSize)
  } catch (error) {
    log.error({ waveId, error: describeError(error) }, 'staff release step failed')
    return 0
  }
}

/**
 * One pass of the background steps: every wave with answers waiting, open or closed (a wave that
 * closes gets one more look). `tried` remembers, per wave, the pool it last found unable to move, so an
 * unchanged pool is not weighed again and again; a pool that changes is.
 */
export async function advanceWaitingStaff(db: Db, log: StepLog, tried: Map<string, string>): Promise<number> {
  let joined = 0
  const waves = await wavesWithPendingStaff(db)
  const waiting = new Set(waves.map((wave) => wave.waveId))
  for (const waveId of tried.keys()) if (!waiting.has(waveId)) tried.delete(waveId)
  for (const wave of waves) {
    const state = `${wave.pending}/${wave.minGroupSize}/${wave.open}`
    if (tried.get(wave.waveId) === state) continue
    try {
      const moved = await advanceStaff(db, wave.organizationId, wave.waveId, wave.minGroupSize)
      joined += moved
      if (moved === 0) tried.set(wave.waveId, state)
      else tried.delete(wave.waveId)
    } catch (error) {
      log.error({ waveId: wave.waveId, error: describeError(error) }, 'staff release step failed')
    }
  }
  return joined
}
