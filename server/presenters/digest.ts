// The digest's content (issue 16 part 5): the report's first screen as facts that any language can
// word — the headline three ways, its change, fix first, the widest and the most improved units —
// chosen by the same rules as the dashboard's summary (presenters/summary.ts) and formatted by
// format.ts, plus the plans with their verdicts. Everything here comes from one report built as the
// recipient reads it, so the digest holds only figures that reader's dashboard shows. The words
// themselves are i18n/digest-mail.ts's; what this returns is stored as the mail's params.
import { isSuppressed, type Share } from '../domain/report.js'
import type { PlanStatus, PlanVerdict } from '../domain/types.js'
import * as f from '../format.js'
import type { WaveReport } from '../services/report.js'
import { changeShape, headlineChange, mostImproved, widestUnits, type ChangeShape } from './summary.js'

/** What the digest covers: the reader's whole scope, or one unit (and why that unit). */
export type DigestScope =
  | { kind: 'all_units' }
  /** Someone who follows several units: the digest cannot narrow to several, so it shows everything they read. */
  | { kind: 'all_units_followed_several' }
  /** Exactly one unit followed, or a unit manager's only unit. */
  | { kind: 'unit'; unit: string }
  /** A unit manager with several units: their first, as the dashboard opens; the units section compares all of theirs. */
  | { kind: 'first_of_your_units'; unit: string; of: number }

export interface DigestChange {
  shape: ChangeShape['kind']
  /** Whole points, unsigned (narrowed / widened). */
  by: string | null
  before: string | null
  now: string | null
  since: string
  /** The 95% interval's limits, each signed as format.ts signs points; the mail joins them in its language. */
  range: [string, string]
  chance: ReturnType<typeof f.chanceLevel>
  significant: boolean
}

export interface DigestPlan {
  unit: string
  /** The item in the recipient's language, or null for a plan on a dimension. */
  item: string | null
  dimension: string | null
  change: string
  owner: string
  status: PlanStatus
  /** The wave the plan was made from. */
  since: string
  verdict: PlanVerdict | null
}

export interface DigestParams {
  /** The shape of these params, should the wording ever need to tell old rows from new. */
  version: 1
  waveId: string
  wave: string
  /** 'close' or the ISO week of a weekly digest. */
  run: string
  /** The dashboard, filtered as the digest is; also the board pack's query. */
  path: string
  packQuery: string
  scope: DigestScope
  /** When the staff figures were last released (ISO), dated in the recipient's language by the mail. */
  releasedAt: string | null
  headline: {
    item: string
    staff: string | null
    /** null: predictions asked but hidden; absent when the wave asks for none. */
    predicted?: string | null
    customer: string | null
    gap: string | null
    gapRange: [string, string] | null
    verdict: 'staff_higher' | 'customers_higher' | 'no_clear' | null
    chance: ReturnType<typeof f.chanceLevel> | null
  }
  change: DigestChange | { shape: null; why: 'no_trend' | 'first_wave' | 'hidden'; since: string | null }
  fixFirst: { items: Array<{ item: string; gap: string | null; weight: string }>; wholeWave: boolean; missing: 'not_enough_answers' | 'suppressed' | 'other' | null }
  where: {
    /** Whether the units compared are the reader's own (a unit manager) rather than all. */
    yours: boolean
    widest: Array<{ unit: string; gap: string }>
    improved: (DigestChange & { unit: string }) | null
    comparable: boolean
  }
  plans: DigestPlan[]
  morePlans: number
}

/** An interval in points as its two limits, each as the report prints it (true minus, rounded before the sign). */
const limits = ([lo, hi]: [number, number]): [string, string] => [f.gapNumber(lo), f.gapNumber(hi)]
const share = (value: Share) => (isSuppressed(value) ? null : f.percent(value.share))

function changeOf(now: number, change: { points: number; ci95: [number, number]; qValue: number; significant: boolean }, since: string): DigestChange {
  const shape = changeShape(now, change.points)
  return {
    shape: shape.kind,
    by: shape.kind === 'narrowed' || shape.kind === 'widened' ? f.count(Math.round(shape.by)) : null,
    before: shape.kind === 'crossed' ? f.gapNumber(shape.before) : null,
    now: shape.kind === 'crossed' ? f.gapNumber(shape.now) : null,
    since,
    range: limits(change.ci95),
    chance: f.chanceLevel(change.qValue),
    significant: change.significant,
  }
}

export interface DigestInput {
  report: WaveReport
  run: string
  scope: DigestScope
  /** False for a unit manager: the units compared are theirs only. */
  whole: boolean
  /** The item's wording in the recipient's language (the instrument's text, the organization's name filled in). */
  itemText: (key: string) => string
  plans: DigestPlan[]
  /** How many plans to list; the rest are counted. */
  planLimit?: number
}

export function presentDigest({ report, run, scope, whole, itemText, plans, planLimit = 8 }: DigestInput): DigestParams {
  const h = report.headline
  const unit = report.filters.unit
  const packQuery = unit ? `?${new URLSearchParams({ unit: unit.name }).toString()}` : ''
  const found = headlineChange(report)
  const fix = report.fixFirst
  const cause = report.unavailable.drivers?.code ?? report.unavailable.fixFirst?.code
  const improved = mostImproved(report.units)
  const predicted = report.prediction ? report.prediction.headline.predicted : undefined
  return {
    version: 1,
    waveId: report.wave.id,
    wave: report.wave.name,
    run,
    path: `/waves/${report.wave.id}${packQuery}`,
    packQuery,
    scope,
    releasedAt: report.release.at,
    headline: {
      item: itemText(h.key),
      staff: share(h.staff),
      ...(predicted === undefined ? {} : { predicted: predicted ? f.percent(predicted.share) : null }),
      customer: share(h.customer),
      gap: h.gap ? f.gapNumber(h.gap.points) : null,
      gapRange: h.gap ? limits(h.gap.ci95) : null,
      verdict: h.gap ? (!h.gap.significant ? 'no_clear' : h.gap.points > 0 ? 'staff_higher' : 'customers_higher') : null,
      chance: h.gap ? f.chanceLevel(h.gap.qValue) : null,
    },
    change: found.found ? changeOf(found.now, found.change, found.since) : { shape: null, why: found.why, since: found.since },
    fixFirst: {
      items: (fix?.top ?? []).map((item) => ({ item: itemText(item.key), gap: item.gapPoints === null ? null : f.gapNumber(item.gapPoints), weight: f.percent(item.weight) })),
      wholeWave: fix?.scope.wholeWave ?? false,
      missing: fix ? null : cause === 'not_enough_answers' || cause === 'suppressed' ? cause : 'other',
    },
    where: {
      yours: !whole,
      widest: widestUnits(report.units).map((row) => ({ unit: row.name, gap: f.gapNumber(row.gap.points) })),
      improved: improved ? { unit: improved.unit.name, ...changeOf(improved.unit.gap.points, improved.unit.change, improved.unit.change.since.name) } : null,
      comparable: report.units.some((row) => row.change !== null),
    },
    plans: plans.slice(0, planLimit),
    morePlans: Math.max(0, plans.length - planLimit),
  }
}
