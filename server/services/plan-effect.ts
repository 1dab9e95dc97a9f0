// A plan's effect over the waves after it started, read through each wave's own release (design §5):
// the unit's customer share and gap at t₀ and at each later wave as that wave's report shows them to
// the reader, and the control units' (those without a plan on the same item) under the same release.
// (Groundwork: the signature is fixed; the computation lands with issue 16.)
import type { Db } from '../../db/connect.js'
import type { PlanEffect } from '../domain/action-effect.js'
import type { ActionPlan } from '../repositories/action-plans.js'
import type { Reader } from './report-scope.js'

export async function planEffect(
  _db: Db,
  _organization: { id: string; name: string; minGroupSize: number },
  plan: Pick<ActionPlan, 'id' | 'waveId' | 'unitId' | 'itemKey' | 'dimension'>,
  _reader: Reader,
): Promise<PlanEffect> {
  return { since: { id: plan.waveId, name: '' }, points: [], verdict: null }
}
