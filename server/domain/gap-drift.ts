// Gap drift (design §4, alerts): per unit × item released in two consecutive waves of the same
// instrument, whether the gap widened by a practical amount beyond chance, or customers' share fell
// while staff's did not clearly move ("customers fell unnoticed"). Pure: counts in, alerts out; the
// pass (services/alert-pass.ts) reads the counts through each wave's own release.
import { benjaminiHochberg, gap, gapChange, newcombe, wilson, type Interval } from './statistics.js'
import type { AlertRule } from './types.js'

/** q below which a widening counts (BH over every cell compared). */
export const DRIFT_Q = 0.10
/** The practical minimum, in points: the change's interval must clear it. */
export const DRIFT_MIN_POINTS = 5

type Counted = { agree: number; n: number }
type Wave = { staff: Counted; customer: Counted }

export interface DriftCell {
  unitId: string
  itemKey: string
  now: Wave
  before: Wave
}

export interface ShareFigures { before: number; now: number; ci95: { before: Interval; now: Interval } }

/** What an alert states: released shares, gaps and changes with their intervals, and q. No n. */
export interface AlertFigures {
  staff: ShareFigures
  customer: ShareFigures
  /** Gaps in points, with Newcombe intervals. */
  gap: { before: number; now: number; ci95: { before: Interval; now: Interval } }
  /** The gap's change in points (MOVER), its p and its q across every cell compared. */
  change: { points: number; ci95: Interval; pValue: number; qValue: number }
  /** Each side's change of share in points (Newcombe). */
  staffChange: { points: number; ci95: Interval }
  customerChange: { points: number; ci95: Interval }
}

export interface DriftAlert { unitId: string; itemKey: string; rule: AlertRule; figures: AlertFigures }

export interface DriftOptions { q?: number; minimumPoints?: number }

const shareOf = (c: Counted) => c.agree / c.n

function shareFigures(now: Counted, before: Counted): ShareFigures {
  return { before: shareOf(before), now: shareOf(now), ci95: { before: wilson(before.agree, before.n)!, now: wilson(now.agree, now.n)! } }
}

function sideChange(now: Counted, before: Counted) {
  const ci = newcombe(now.agree, now.n, before.agree, before.n)!
  return { points: (shareOf(now) - shareOf(before)) * 100, ci95: [ci[0] * 100, ci[1] * 100] as Interval }
}

const usable = (c: Counted) => Number.isInteger(c.agree) && Number.isInteger(c.n) && c.n > 0 && c.agree >= 0 && c.agree <= c.n

/**
 * The alerts among `cells`: `gap_drift` where q < options.q (0.10) and the change's lower limit is
 * above +minimumPoints (5); `customers_fell` where the customer share's change has its upper limit
 * below −minimumPoints while the staff share's change spans 0. Cells with an empty side are left out
 * (and out of the BH family).
 */
export function gapDrift(cells: readonly DriftCell[], options: DriftOptions = {}): DriftAlert[] {
  const qLimit = options.q ?? DRIFT_Q
  const minimum = options.minimumPoints ?? DRIFT_MIN_POINTS
  const compared = cells.filter((c) => [c.now.staff, c.now.customer, c.before.staff, c.before.customer].every(usable))
  const changes = compared.map((c) => gapChange(c.now, c.before)!)
  const q = benjaminiHochberg(changes.map((change) => change.pValue))
  const alerts: DriftAlert[] = []
  compared.forEach((cell, i) => {
    const change = changes[i]!
    const gapNow = gap(cell.now.staff, cell.now.customer)!
    const gapBefore = gap(cell.before.staff, cell.before.customer)!
    const figures: AlertFigures = {
      staff: shareFigures(cell.now.staff, cell.before.staff),
      customer: shareFigures(cell.now.customer, cell.before.customer),
      gap: { before: gapBefore.points, now: gapNow.points, ci95: { before: gapBefore.ci95, now: gapNow.ci95 } },
      change: { points: change.points, ci95: change.ci95, pValue: change.pValue, qValue: q[i]! },
      staffChange: sideChange(cell.now.staff, cell.before.staff),
      customerChange: sideChange(cell.now.customer, cell.before.customer),
    }
    const base = { unitId: cell.unitId, itemKey: cell.itemKey, figures }
    if (q[i]! < qLimit && change.ci95[0] > minimum) alerts.push({ ...base, rule: 'gap_drift' })
    const staffSpansZero = figures.staffChange.ci95[0] <= 0 && figures.staffChange.ci95[1] >= 0
    if (figures.customerChange.ci95[1] < -minimum && staffSpansZero) alerts.push({ ...base, rule: 'customers_fell' })
  })
  return alerts
}
