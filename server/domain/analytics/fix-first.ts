// Fix first (design §4): which items to work on, from what drives customers' verdict (the key-driver
// weight w_j) and how far staff overrate the item (the gap, staff − customers, in points):
//
//   F_j = w_j × max(0, gap_j / 100),
//
// ranked largest first (ties: the larger weight, then the key). Beside it the importance–performance
// quadrant: importance = w_j, performance = the customers' share, each split at its mean over the
// items that have a customer share. An item without a customer share (its customer side suppressed)
// is placed by its weight alone, on the high-performance side, so nothing is called "fix first"
// without the customers' evidence; an item without a gap has index 0.
import type { Drivers, FixFirst, FixFirstItem, Quadrant } from './types.js'

export interface FixFirstInput {
  key: string
  dimension: string
  customerText: string
  gap: { points: number; ci95: [number, number] } | null
  staffShare: number | null
  customerShare: number | null
}

/** Short names of the built-in items, as a sentence would say them. */
const LABELS: Readonly<Record<string, string>> = {
  excellent_service: 'excellent service',
  want_to_help: 'wanting to help',
  valued: 'feeling valued',
  can_solve: 'solving problems',
  easy: 'ease',
  promises: 'keeping promises',
  individual: 'being treated as an individual',
  anticipates: 'anticipating needs',
  trust: 'trust',
  fit: 'the way we work',
  asks: 'asking and acting on it',
  supported: 'well-supported staff',
}

/** How a sentence names an item: its short name, or its key with spaces. */
export function itemLabel(key: string): string {
  return Object.hasOwn(LABELS, key) ? LABELS[key]! : key.replaceAll('_', ' ')
}

export function fixFirst(drivers: Omit<Drivers, 'scope'>, items: ReadonlyArray<FixFirstInput>): Omit<FixFirst, 'scope'> {
  const weights = new Map(drivers.weights.map((weight) => [weight.key, weight]))
  const scored = items.flatMap((item) => {
    const weight = weights.get(item.key)
    if (weight === undefined) return []
    const index = weight.weight * Math.max(0, (item.gap?.points ?? 0) / 100)
    return [{ item, weight, index }]
  })

  const withShare = scored.filter(({ item }) => item.customerShare !== null)
  const cuts = {
    weight: mean((withShare.length > 0 ? withShare : scored).map(({ weight }) => weight.weight)),
    customerShare: mean(withShare.map(({ item }) => item.customerShare!)),
  }

  scored.sort((a, b) => b.index - a.index || b.weight.weight - a.weight.weight || compareKeys(a.item.key, b.item.key))
  const ranked: FixFirstItem[] = scored.map(({ item, weight, index }, position) => ({
    key: item.key,
    dimension: item.dimension,
    customerText: item.customerText,
    weight: weight.weight,
    weightCi95: weight.weightCi95,
    gapPoints: item.gap?.points ?? null,
    gapCi95: item.gap?.ci95 ?? null,
    customerShare: item.customerShare,
    staffShare: item.staffShare,
    index,
    rank: position + 1,
    quadrant: quadrant(weight.weight, item.customerShare, cuts),
  }))

  const top = ranked
    .filter((item) => item.index > 0)
    .slice(0, 3)
    .map((item, position) => ({ ...item, sentence: sentence(item, position) }))
  return { items: ranked, top, cuts }
}

function quadrant(weight: number, customerShare: number | null, cuts: { weight: number; customerShare: number }): Quadrant {
  const important = weight >= cuts.weight
  const performing = customerShare === null || customerShare >= cuts.customerShare
  if (important) return performing ? 'keep_up' : 'fix_first'
  return performing ? 'possible_overkill' : 'low_priority'
}

/** The n-th of the top three in words: the first says what the verdict depends on, the others follow. */
function sentence(item: FixFirstItem, position: number): string {
  const label = itemLabel(item.key)
  const share = percent(item.weight)
  const points = pointsText(item.gapPoints ?? 0)
  if (position === 0) {
    return `Customers' overall verdict depends most on ${label} (${share} of what we can explain), and staff overrate it by ${points}.`
  }
  if (position === 1) return `Next comes ${label} (${share}), which staff overrate by ${points}.`
  return `Then ${label} (${share}), overrated by ${points}.`
}

/** A weight as a whole percentage ("24%"), "less than 1%" below half a percent. */
function percent(weight: number): string {
  const rounded = Math.round(weight * 100)
  return rounded < 1 ? 'less than 1%' : `${rounded}%`
}

/** A positive gap in whole points ("41 points", "1 point", "less than 1 point"). */
function pointsText(points: number): string {
  const rounded = Math.round(points)
  if (rounded < 1) return 'less than 1 point'
  return rounded === 1 ? '1 point' : `${rounded} points`
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length
}

const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
