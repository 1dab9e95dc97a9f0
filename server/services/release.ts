// The anonymity release of a wave, as every surface reads it: one Release per side, computed from the
// side's respondent profiles (domain/release.ts) and kept while those profiles stay the same.
import type { Db } from '../../db/connect.js'
import type { Side } from '../domain/types.js'
import { dimensionMeasures, measureKeys } from '../domain/measures.js'
import { Release, type GroupRef } from '../domain/release.js'
import { LocalCache } from '../local-cache.js'
import { waveItems } from '../repositories/instruments.js'
import { profileCounts } from '../repositories/profiles.js'
import { releaseVersion } from '../repositories/respondents.js'
import { lastStaffRelease } from '../repositories/staff-pool.js'

const releases = new LocalCache<string, { release: Release; version: string }>({ max: 200 })

/**
 * The release of one side, with the version it was made from (step, respondents, revision): the same
 * profiles and group size give the same release, from the cache.
 */
async function sideRelease(db: Db, organizationId: string, waveId: string, side: Side, minGroupSize: number): Promise<{ release: Release; version: string }> {
  // Staff figures change only in release steps, and each step stores the release readers see.
  // Responses are otherwise only added, so the side's count and the step say whether anything changed;
  // a deletion or an erased contact's attributes raise the side's revision (repositories/erasure.ts).
  const { respondents: total, step, revision } = await releaseVersion(db, organizationId, waveId, side)
  const kept = releases.get(`${waveId}|${side}|${minGroupSize}|${step}|${total}|${revision}`)
  if (kept) return kept
  const [profiles, items, saved] = await Promise.all([profileCounts(db, organizationId, waveId, side), waveItems(db, waveId), side === 'staff' ? lastStaffRelease(db, organizationId, waveId) : null])
  const release = new Release(profiles, minGroupSize, saved?.shown ?? null, dimensionMeasures(items))
  // Kept under the count the profiles themselves hold, in case an answer arrived between the reads.
  const held = profiles.reduce((sum, p) => sum + (p.counts[0] ?? 0), 0)
  const version = `${saved?.step ?? 0}|${held}|${revision}`
  releases.set(`${waveId}|${side}|${minGroupSize}|${version}`, { release, version })
  return { release, version }
}

export interface WaveRelease {
  sides: Record<Side, Release>
  /** Measure key → index into a profile's counts ('respondents', item keys, 'dimension:…'). */
  measures: Map<string, number>
  /**
   * Names the release: both sides' step, respondents and revision. Two releases of a wave with the
   * same version show the same figures, so whatever is computed from a release can be kept under it.
   */
  version: string
}

export async function waveRelease(db: Db, organizationId: string, waveId: string, minGroupSize: number): Promise<WaveRelease> {
  const [items, staff, customer] = await Promise.all([
    waveItems(db, waveId), sideRelease(db, organizationId, waveId, 'staff', minGroupSize), sideRelease(db, organizationId, waveId, 'customer', minGroupSize),
  ])
  return {
    sides: { staff: staff.release, customer: customer.release },
    measures: new Map(measureKeys(items).map((key, i) => [key, i])),
    version: `staff ${staff.version}; customer ${customer.version}`,
  }
}

/** Whether the release shows a group's figures for a measure (an unknown measure is never shown). */
export function shows(release: WaveRelease, side: Side, group: GroupRef) {
  return (measure: string) => {
    const index = release.measures.get(measure)
    return index !== undefined && release.sides[side].shown(group, index)
  }
}

/** A side's group for a unit id (or the whole side) and at most one attribute filter. */
export function groupOf(unitId: string | null, attributes: Readonly<Record<string, string>>): GroupRef {
  const [entry] = Object.entries(attributes)
  return { unit: unitId, attribute: entry ? { name: entry[0], value: entry[1] } : null }
}
