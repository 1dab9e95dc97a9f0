// The effect of an action plan (design §4, "Action effect"): for a plan on unit u × item i made from
// wave t₀, the change of u's customer share and of its gap from t₀ to each later wave, and the
// difference-in-differences of the customer share against the units without a plan on that item.
// The shapes are fixed here; the arithmetic (pure, on counts) follows with issue 16.
import type { Interval } from './statistics.js'
import type { PlanVerdict } from './types.js'

/** A share as counts: agree of n. */
export interface Counted { agree: number; n: number }

/** One later wave's effect, in points. Every field is null when that wave's release hides a figure it needs. */
export interface PlanEffectPoint {
  wave: { id: string; name: string }
  /** Customer share of the unit now minus at t₀ (Newcombe interval). */
  customerChange: { points: number; ci95: Interval } | null
  /** Gap (staff − customers) of the unit now minus at t₀ (MOVER interval): negative when it narrowed. */
  gapChange: { points: number; ci95: Interval } | null
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
  /** The latest wave's verdict, or null before any later wave or when it is hidden. */
  verdict: PlanVerdict | null
}
