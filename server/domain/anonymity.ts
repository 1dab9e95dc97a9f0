// The minimum group size. Which groups a report may show is decided by the wave's release
// (release.ts), and how staff rows of the export are generalized by export-anonymity.ts, from it.

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
