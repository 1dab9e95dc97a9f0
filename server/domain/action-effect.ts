// The effect of an action plan (design §4, "Action effect"): for a plan on unit u × item i (or a
// dimension) made from wave t₀, the change of u's customer share and of its gap from t₀ to each later
// wave, and the difference-in-differences of the customer share against the control units (those
// without a plan on that item). Pure arithmetic on counts; which counts a reader may see is the
// caller's (services/plan-effect.ts reads them through each wave's release).
import { gapChange, newcombe, type Interval } from './statistics.js'
import type { PlanVerdict } from './types.js'

/** A share as counts: agree of n. */
export interface Counted { agree: number; n: number }

/** An estimate in points with its 95% interval. */
export interface Change { points: number; ci95: Interval }

/** One later wave's effect, in points. Every field is null when that wave's release hides a figure it needs. */
export interface PlanEffectPoint {
  wave: { id: string; name: string }
  /** Customer share of the unit now minus at t₀ (Newcombe interval). */
  customerChange: Change | null
  /** Gap (staff − customers) of the unit now minus at t₀ (MOVER interval): negative when it narrowed. */
  gapChange: Change | null
  /** The unit's customer change minus the mean customer change of the control units (MOVER), with how many controls. */
  differenceInDifferences: { points: number; ci95: Interval; controls: number } | null
  /** null when the customer change cannot be judged (hidden). */
  verdict: PlanVerdict | null
}

export interface PlanEffect {
  /** The plan's starting wave (t₀). */
  since: { id: string; name: string }
  /** Each later wave of the same instrument, oldest first. */
  points: PlanEffectPoint[]
  /** The latest judged wave's verdict (a later wave whose figures are still hidden does not blank it), or null before any. */
  verdict: PlanVerdict | null
}

/** A unit's figures in one wave as its report shows them: null for a side the release hides. */
export interface UnitFigures { staff: Counted | null; customer: Counted | null }

/**
 * The change of a share from `before` to `now` (independent samples: different waves), in points, with
 * Newcombe's hybrid score interval (Newcombe 1998, method 10) from the two Wilson intervals.
 */
export function shareChange(before: Counted, now: Counted): Change | null {
  const ci = newcombe(now.agree, now.n, before.agree, before.n)
  if (!ci) return null
  return { points: (now.agree / now.n - before.agree / before.n) * 100, ci95: [ci[0] * 100, ci[1] * 100] }
}

/**
 * The mean of m independent changes d₁ … d_m with intervals [l_j, u_j], by MOVER for a sum (Zou & Donner
 * 2008, eq. for Σθ_j) scaled by 1/m:
 *   D̄ = Σ d_j / m,   L = D̄ − √Σ (d_j − l_j)² / m,   U = D̄ + √Σ (u_j − d_j)² / m.
 * Null without any change to average.
 */
export function meanChange(changes: readonly Change[]): Change | null {
  const m = changes.length
  if (m === 0) return null
  let sum = 0
  let below = 0
  let above = 0
  for (const { points, ci95: [lower, upper] } of changes) {
    sum += points
    below += (points - lower) ** 2
    above += (upper - points) ** 2
  }
  const mean = sum / m
  return { points: mean, ci95: [mean - Math.sqrt(below) / m, mean + Math.sqrt(above) / m] }
}

/**
 * a − b for two independent estimates with their own intervals, by MOVER (Zou & Donner 2008):
 *   L = (a − b) − √((a − l_a)² + (u_b − b)²),   U = (a − b) + √((u_a − a)² + (b − l_b)²).
 * With Wilson intervals for a and b this is Newcombe's interval; here a is the unit's change and b the
 * controls' mean change.
 */
export function differenceOf(a: Change, b: Change): Change {
  const d = a.points - b.points
  return {
    points: d,
    ci95: [d - Math.sqrt((a.points - a.ci95[0]) ** 2 + (b.ci95[1] - b.points) ** 2), d + Math.sqrt((a.ci95[1] - a.points) ** 2 + (b.points - b.ci95[0]) ** 2)],
  }
}

/**
 * The difference-in-differences of the customer share: the unit's change minus the mean change of the
 * m controls (each control's change by Newcombe, their mean by meanChange, the difference by MOVER).
 * Null when the unit's change is hidden or there are no controls to compare with.
 */
export function differenceInDifferences(unit: Change | null, controls: readonly Change[]): { points: number; ci95: Interval; controls: number } | null {
  const mean = meanChange(controls)
  if (!unit || !mean) return null
  return { ...differenceOf(unit, mean), controls: controls.length }
}

/**
 * The verdict of design §4: `worked` when the customer change's interval lies above 0 and the gap
 * narrowed; `worse` when it lies below 0; otherwise `no_effect_yet` (the interval spans 0, or customers
 * rose while the gap did not narrow or cannot be seen). Null when the customer change is hidden.
 */
export function verdictOf(customer: Change | null, gap: Change | null): PlanVerdict | null {
  if (!customer) return null
  if (customer.ci95[0] > 0 && gap !== null && gap.points < 0) return 'worked'
  if (customer.ci95[1] < 0) return 'worse'
  return 'no_effect_yet'
}

/**
 * One later wave's effect from the unit's figures at t₀ and at t and the controls' customer counts in
 * both (each control shown in both waves). A figure needing a hidden side is null.
 */
export function effectAt(
  wave: { id: string; name: string },
  unit: { before: UnitFigures; now: UnitFigures },
  controls: ReadonlyArray<{ before: Counted; now: Counted }>,
): PlanEffectPoint {
  const { before, now } = unit
  const customerChange = before.customer && now.customer ? shareChange(before.customer, now.customer) : null
  const gapStats = before.staff && before.customer && now.staff && now.customer
    ? gapChange({ staff: now.staff, customer: now.customer }, { staff: before.staff, customer: before.customer })
    : null
  const gap = gapStats && { points: gapStats.points, ci95: gapStats.ci95 }
  const controlChanges = controls.map((c) => shareChange(c.before, c.now)).filter((c): c is Change => c !== null)
  return {
    wave,
    customerChange,
    gapChange: gap,
    differenceInDifferences: differenceInDifferences(customerChange, controlChanges),
    verdict: verdictOf(customerChange, gap),
  }
}

/** The effect over the later waves (oldest first); its verdict is the latest wave's. */
export function planEffectOf(since: { id: string; name: string }, points: PlanEffectPoint[]): PlanEffect {
  // The latest wave that can be judged: a wave just opened, whose customers are still too few to show,
  // does not blank the verdict the wave before it gave.
  const judged = points.filter((point) => point.verdict !== null)
  return { since, points, verdict: judged.at(-1)?.verdict ?? null }
}
