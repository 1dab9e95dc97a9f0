// Linkage across units (design §4): each unit's staff climate against its customers' headline share,
// over the units whose groups the release shows on both sides, with each side's ICC and, with the
// instrument's earlier wave under its own release, the cross-lag. Only released units feed it: their
// released figures, and for the staff ICC the within-unit spread of their respondents' scores, which
// leaves the database only as sums per unit and reaches readers only pooled into one ratio over at
// least five released units (no per-unit figure of it is shown).
import type { Db } from '../../db/connect.js'
import { linkage, type IccGroup } from '../domain/analytics/linkage.js'
import { ANALYTICS_SEED, BOOTSTRAP_REPLICATES } from '../domain/analytics/random.js'
import type { Linkage, LinkagePoint, Unavailable } from '../domain/analytics/types.js'
import { summarize } from '../domain/statistics.js'
import type { Scale } from '../domain/types.js'
import { countsPerUnit, scoreSumsPerUnit } from '../repositories/analytics.js'
import type { Counts } from '../repositories/reports.js'
import { listUnits } from '../repositories/units.js'
import { reportItems } from './report.js'
import { groupOf, shows, type WaveRelease } from './release.js'

export type UnitRef = { id: string; name: string }
type Filters = { staff: Record<string, string>; customer: Record<string, string> }

interface UnitSides {
  point: LinkagePoint
  headline: { n: number; agree: number }
}

/** The units of one wave with both sides shown under the filters, and what linkage reads of each. */
async function releasedUnits(db: Db, organization: { id: string; name: string }, waveId: string, release: WaveRelease, units: readonly UnitRef[], filters: Filters) {
  const items = await reportItems(db, waveId, organization.name)
  const scales = new Map<string, Scale>(items.map((item) => [item.key, item.scale]))
  const headline = items.find((item) => item.headline) ?? items[0]
  if (!headline) return { items, headline: null, units: [] }
  const [staff, customer] = await Promise.all([
    countsPerUnit(db, organization.id, waveId, 'staff', filters.staff, scales), countsPerUnit(db, organization.id, waveId, 'customer', filters.customer, scales),
  ])
  const counted = (counts: Counts, key: string) => summarize(counts.distributions.get(key) ?? [], scales.get(key)!)
  const found: UnitSides[] = []
  for (const unit of units) {
    const staffShown = shows(release, 'staff', groupOf(unit.id, filters.staff))
    const customerShown = shows(release, 'customer', groupOf(unit.id, filters.customer))
    if (!staffShown('respondents') || !items.every((item) => staffShown(item.key))) continue
    if (!customerShown('respondents') || !customerShown(headline.key)) continue
    const staffCounts = staff(unit.id)
    const perItem = items.map((item) => counted(staffCounts, item.key))
    const n = perItem.reduce((sum, c) => sum + c.n, 0)
    const outcome = counted(customer(unit.id), headline.key)
    if (n === 0 || outcome.n === 0) continue
    found.push({
      point: {
        unit, staff: perItem.reduce((sum, c) => sum + c.agree, 0) / n, customer: outcome.agree / outcome.n,
        staffN: staffCounts.respondents, customerN: outcome.n,
      },
      headline: { n: outcome.n, agree: outcome.agree },
    })
  }
  return { items, headline: headline.key, units: found }
}

export async function linkageFor(db: Db, organization: { id: string; name: string; minGroupSize: number }, waveId: string, release: WaveRelease, filters: Filters,
  previous: { wave: UnitRef; release: WaveRelease } | null): Promise<Omit<Linkage, 'scope'> | Unavailable> {
  const units = (await listUnits(db, organization.id)).map(({ id, name }) => ({ id, name }))
  const now = await releasedUnits(db, organization, waveId, release, units, filters)
  // The staff ANOVA: each respondent's share of the items they answered that they agree with, over the
  // linkage units only, among the staff who answered the headline: each unit's n is then its released
  // headline n, never a count of the few who answered no item (which icc1 and icc2 together give away).
  let staffIcc: IccGroup[] | null = null
  if (now.units.length >= 2 && now.headline) {
    const sums = await scoreSumsPerUnit(db, organization.id, waveId, 'staff', filters.staff, now.items, now.headline)
    staffIcc = now.units.flatMap((u) => {
      const s = sums.get(u.point.unit.id)
      return s && s.n > 0 ? [s] : []
    })
    if (staffIcc.length < 2) staffIcc = null
  }
  const customerIcc = now.units.map((u) => ({ n: u.headline.n, sum: u.headline.agree, sumSquares: u.headline.agree }))
  const before = previous ? await releasedUnits(db, organization, previous.wave.id, previous.release, units, filters) : null
  return linkage({
    points: now.units.map((u) => u.point),
    staffIcc,
    customerIcc,
    previous: previous && before ? { from: previous.wave, points: before.units.map((u) => u.point) } : null,
    bootstrap: { seed: ANALYTICS_SEED, replicates: BOOTSTRAP_REPLICATES },
  })
}
