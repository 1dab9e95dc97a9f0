// Who may be seen: results for fewer respondents than the organization's minimum group size are
// suppressed, and so is a group whose complement (the rest of its side) is that small, or the rest
// could be worked out by subtraction.

export const DEFAULT_MIN_GROUP_SIZE = 5
export const SMALLEST_MIN_GROUP_SIZE = 3

/** The smallest group that may be shown: the organization's minimum, but never below the product's. */
export function smallestShownGroup(minGroupSize: number): number {
  return Math.max(minGroupSize, SMALLEST_MIN_GROUP_SIZE)
}

/** True when a count of people is too small to show. Zero is not shown either: there is nothing to show. */
export function tooSmall(n: number, minGroupSize: number): boolean {
  return n < smallestShownGroup(minGroupSize)
}

/**
 * True when a filtered group must be hidden because of what it leaves out: the rest of the side
 * (total − group) has between 1 and min − 1 people. `total` is null when no filter is applied.
 */
export function revealsRemainder(group: number, total: number | null, minGroupSize: number): boolean {
  if (total === null) return false
  const rest = total - group
  return rest >= 1 && tooSmall(rest, minGroupSize)
}

/** A cell is shown only when it is large enough itself and does not expose its remainder. */
export function isShown(group: number, total: number | null, minGroupSize: number): boolean {
  return !tooSmall(group, minGroupSize) && !revealsRemainder(group, total, minGroupSize)
}

/**
 * Comments are shown only for a side that is shown, and only when the filter does not narrow the
 * group below the minimum (the caller passes the filtered group's count).
 */
export function commentsShown(sideShown: boolean, respondents: number, minGroupSize: number): boolean {
  return sideShown && !tooSmall(respondents, minGroupSize)
}
