// The shapes of the report's comparisons, beside the gap report itself (report.ts): each unit's row of
// the heat map and the trend of the gap across the waves of the same instrument. The API returns them
// as `units` and `trend` (design §7), and the dashboard prints nothing else: the first screen's
// "where" and "change since" are chosen from these. Every figure here answers the report's filters.
import type { Gap, Share } from './report.js'
import type { Classification, Interval } from './statistics.js'
import type { ItemRevision } from './wording-changes.js'

export interface WaveRef { id: string; name: string }

/** A gap's change between two waves (statistics.ts gapChange), with its BH q over the cells compared. */
export interface GapChange {
  /** This wave's gap minus the earlier wave's, in points: negative when the gap narrowed. */
  points: number
  ci95: Interval
  pValue: number
  qValue: number
  significant: boolean
}

/** One unit's row of the heat map: its headline, every item's gap, and the headline gap's change since the previous wave. */
export interface UnitRow {
  id: string
  name: string
  /** Respondents per side in this unit under the filters, as the release shows them: null when hidden. */
  respondents: { staff: number | null; customer: number | null }
  /** The headline item's shares for this unit, under the report's attribute filters. */
  staff: Share
  customer: Share
  gap: Gap | null
  classification: Classification
  items: Array<{ key: string; gap: Gap | null; classification: Classification }>
  /**
   * Headline gap change since the previous wave in this unit (same attribute filters, each wave its own
   * release); null when either is hidden. Its q is BH over the reader's units compared, so a unit
   * manager's q-values depend on their units only.
   */
  change: (GapChange & { since: WaveRef }) | null
}

/**
 * One side's share in one wave of the trend, or null when that wave's release hides it. `agree` (the
 * count agreeing, share × n) is what a reader needs to recompute the gap's change from the counts.
 */
export interface TrendShare { share: number; agree: number; ci95: Interval; n: number }

/** One wave's figures for an item. */
export interface TrendFigures {
  wave: WaveRef
  staff: TrendShare | null
  customer: TrendShare | null
  /** staff − customers in points, with its Newcombe interval; null unless both sides are shown. */
  gap: { points: number; ci95: Interval } | null
}

/**
 * A point of the trend: the figures, and how the item's instrument changed since the latest earlier
 * wave of the trend that has it (wording-changes.ts itemRevisions). A new scale breaks the line: no gap
 * change is measured across it.
 */
export type TrendPoint = TrendFigures & ItemRevision

/** The gap of every item (and the headline) across waves, oldest first, ending with this wave. */
export interface Trend {
  waves: WaveRef[]
  headline: string
  items: Array<{ key: string; points: TrendPoint[] }>
  /**
   * Each item's gap change from the previous wave to this one (BH over the items compared); null
   * without a previous wave. An item whose scale changed in this wave has no change (not comparable).
   */
  change: { since: WaveRef; items: Array<{ key: string; change: GapChange | null }> } | null
}
