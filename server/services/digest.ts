// One recipient's digest of a wave: the report built as that person reads it (services/report.ts,
// the scope rule of report-scope.ts: a unit manager's units only), the plans of the units it covers
// with their verdicts (services/plan-effect.ts), and presenters/digest.ts's facts. Nothing here counts
// answers: every figure is the report's, so each comes through the wave's release.
import type { Db } from '../../db/connect.js'
import { localize } from '../domain/instrument.js'
import * as f from '../format.js'
import { presentDigest, type DigestParams, type DigestPlan, type DigestScope } from '../presenters/digest.js'
import { listActionPlans } from '../repositories/action-plans.js'
import { waveItems, type WaveItem } from '../repositories/instruments.js'
import type { Subscriber } from '../repositories/notification-settings.js'
import type { OrganizationSettings } from '../repositories/organizations.js'
import { listUnits } from '../repositories/units.js'
import { earlierWaves, type Wave } from '../repositories/waves.js'
import { planEffects } from './plan-effect.js'
import { waveReport, type WaveReport } from './report.js'
import { reportScope, type Reader } from './report-scope.js'
import { waveRelease, type WaveRelease } from './release.js'

/** What every recipient's digest of one run shares: read once per run, not once per recipient. */
export interface DigestRun {
  organization: OrganizationSettings
  wave: Wave
  run: string
  release: WaveRelease
  items: WaveItem[]
  units: Map<string, string>
  /** The waves whose plans the digest lists: this one and the earlier waves of the same instrument. */
  waves: Map<string, string>
  /** Reports already built in this run, by whose scope and which unit (readers of the whole wave share one). */
  reports: Map<string, Promise<WaveReport>>
}

export async function startDigestRun(db: Db, organization: OrganizationSettings, wave: Wave, run: string): Promise<DigestRun> {
  const [release, items, units, waves] = await Promise.all([
    waveRelease(db, organization.id, wave.id, organization.minGroupSize),
    waveItems(db, wave.id),
    listUnits(db, organization.id),
    earlierWaves(db, organization.id, wave, { includeThis: true, limit: 1000 }),
  ])
  return {
    organization, wave, run, release, items, reports: new Map(),
    units: new Map(units.map((unit) => [unit.id, unit.name])),
    waves: new Map(waves.map((w) => [w.id, w.name])),
  }
}

/**
 * Which unit the digest is filtered to, and why. Someone who follows exactly one unit they may read
 * gets that unit; a unit manager otherwise gets their first unit, as their dashboard opens (a report
 * for them must name one of their units); everyone else gets the whole wave. Several followed units
 * cannot be one report, so the digest says it shows the whole scope rather than pretend to narrow.
 */
function chooseScope(subscriber: Subscriber, scope: Awaited<ReturnType<typeof reportScope>>, units: Map<string, string>): { unit: { id: string; name: string } | null; scope: DigestScope } | null {
  const followed = subscriber.unitIds ?? []
  const readable = scope.whole ? [...units].map(([id, name]) => ({ id, name })) : [...scope.units]
  const only = followed.length === 1 ? readable.find((unit) => unit.id === followed[0]) : undefined
  if (only) return { unit: only, scope: { kind: 'unit', unit: only.name } }
  if (!scope.whole) {
    const [first] = scope.units
    if (!first) return null
    return { unit: first, scope: scope.units.length === 1 ? { kind: 'unit', unit: first.name } : { kind: 'first_of_your_units', unit: first.name, of: scope.units.length } }
  }
  return { unit: null, scope: { kind: followed.length > 1 ? 'all_units_followed_several' : 'all_units' } }
}

/** The plans of the units the digest covers, made from this wave or an earlier one of the instrument, each with its verdict. */
async function plansOf(db: Db, run: DigestRun, reader: Reader, unitIds: readonly string[] | undefined, itemText: (key: string) => string): Promise<DigestPlan[]> {
  const plans = (await listActionPlans(db, run.organization.id, unitIds ? { unitIds } : {}))
    .filter((plan) => run.waves.has(plan.waveId) && plan.status !== 'dropped')
  const effects = await planEffects(db, run.organization, plans, reader)
  const out: DigestPlan[] = plans.map((plan, i) => ({
    unit: run.units.get(plan.unitId) ?? '—', item: plan.itemKey ? itemText(plan.itemKey) : null, dimension: plan.dimension,
    change: plan.change, owner: plan.owner, status: plan.status, since: run.waves.get(plan.waveId)!, verdict: effects[i]!.verdict,
  }))
  // Plans with a verdict first (worked, then worse), then the rest; newest first within each (the list's order).
  const rank = (plan: DigestPlan) => (plan.verdict === 'worked' ? 0 : plan.verdict === 'worse' ? 1 : plan.verdict === 'no_effect_yet' ? 2 : 3)
  return out.map((plan, at) => ({ plan, at })).sort((a, b) => rank(a.plan) - rank(b.plan) || a.at - b.at).map(({ plan }) => plan)
}

/** The digest of `run` for one subscriber, or null when there is nothing they may read (a unit manager without units). */
export async function digestFor(db: Db, run: DigestRun, subscriber: Subscriber): Promise<DigestParams | null> {
  const reader: Reader = { organizationId: run.organization.id, userId: subscriber.userId, role: subscriber.role }
  const scope = await reportScope(db, reader)
  const chosen = chooseScope(subscriber, scope, run.units)
  if (!chosen) return null
  const key = `${scope.whole ? 'whole' : `user:${subscriber.userId}`}:${chosen.unit?.id ?? 'all'}`
  let report = run.reports.get(key)
  if (!report) {
    report = waveReport(db, run.organization, run.wave, { unit: chosen.unit?.id ?? null, staff: {}, customer: {} }, reader, run.release)
    run.reports.set(key, report)
  }
  const byKey = new Map(run.items.map((item) => [item.key, item]))
  const itemText = (itemKey: string) => {
    const item = byKey.get(itemKey)
    return item ? localize(item.customerText, subscriber.locale, run.organization.name) : f.itemLabel(itemKey)
  }
  const unitIds = chosen.unit ? [chosen.unit.id] : scope.whole ? undefined : scope.units.map((unit) => unit.id)
  return presentDigest({
    report: await report, run: run.run, scope: chosen.scope, whole: scope.whole, itemText,
    plans: await plansOf(db, run, reader, unitIds, itemText),
  })
}
