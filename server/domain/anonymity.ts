// The minimum group size and the export's unit rule. Which groups a report may show is decided by the
// wave's release (release.ts), from these same sizes.

export const DEFAULT_MIN_GROUP_SIZE = 5
export const SMALLEST_MIN_GROUP_SIZE = 3

/** True when a count of people is too small to show. Zero is not shown either: there is nothing to show. */
export function tooSmall(n: number, minGroupSize: number): boolean {
  return n < Math.max(minGroupSize, SMALLEST_MIN_GROUP_SIZE)
}

/**
 * The units whose name a staff row of the export may carry. A unit with fewer staff respondents than
 * the minimum is left out. The rows left without their unit must themselves be a group large enough
 * to hide in, so while they are too few, the smallest unit still shown is left out too (complementary
 * suppression; ties go to the lower unit id, so the answer does not depend on the order given). Staff
 * without a unit count among the rows left out. Only when the whole side is too small do fewer than
 * the minimum stay hidden: then no unit is shown at all.
 */
export function staffUnitsShownInExport(staffPerUnit: ReadonlyArray<{ unitId: string | null; n: number }>, minGroupSize: number): Set<string> {
  const shown = new Set<string>()
  for (const { unitId, n } of staffPerUnit) if (unitId !== null && !tooSmall(n, minGroupSize)) shown.add(unitId)
  let hidden = staffPerUnit.filter((row) => row.unitId === null || !shown.has(row.unitId)).reduce((sum, row) => sum + row.n, 0)
  const bySize = staffPerUnit.filter((row): row is { unitId: string; n: number } => row.unitId !== null && shown.has(row.unitId))
    .sort((a, b) => a.n - b.n || (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0))
  while (hidden > 0 && tooSmall(hidden, minGroupSize) && bySize.length > 0) {
    const next = bySize.shift()!
    shown.delete(next.unitId)
    hidden += next.n
  }
  return shown
}
