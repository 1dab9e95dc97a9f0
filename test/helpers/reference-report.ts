// An independent reference for the gap report (design §4, "Shares and gaps") on both answer scales,
// computed from the raw rows a test posted. Written from the design's definitions, never from the
// product's code (nothing here imports server/): shares with Wilson, Newcombe gaps, the pooled
// z-test by way of the incomplete gamma function (erfc(x) = Q(½, x²)), Benjamini–Hochberg by its
// step-up definition, the classification, distributions, means and the dimension rule for mixed
// scales (a dimension averages each respondent's 1–5 items only; 0–10 items are left out of it).
import { logGamma, mover, wilson, type Interval } from './reference-numerics.js'

export type ReferenceScale = 'agree5' | 'likelihood11'
export interface ReferenceItem { key: string; dimension: string; headline: boolean; scale: ReferenceScale }
export interface ReferenceRow { side: 'staff' | 'customer'; answers: Record<string, number | null> }

/** The points of each scale and where agreement starts: 4–5 of 1–5, 9–10 of 0–10. */
export const POINTS: Record<ReferenceScale, { from: number; to: number; agreeFrom: number }> = {
  agree5: { from: 1, to: 5, agreeFrom: 4 },
  likelihood11: { from: 0, to: 10, agreeFrom: 9 },
}

export interface ReferenceItemShare { n: number; agree: number; share: number; ci95: Interval; mean: number; distribution: number[] }

const answered = (rows: readonly ReferenceRow[], key: string) =>
  rows.flatMap((row) => { const v = row.answers[key]; return v === undefined || v === null ? [] : [v] })

export function itemShare(rows: readonly ReferenceRow[], item: ReferenceItem): ReferenceItemShare | null {
  const values = answered(rows, item.key)
  if (values.length === 0) return null
  const { from, to, agreeFrom } = POINTS[item.scale]
  const distribution: number[] = []
  for (let v = from; v <= to; v++) distribution.push(values.filter((x) => x === v).length)
  const agree = values.filter((x) => x >= agreeFrom).length
  return { n: values.length, agree, share: agree / values.length, ci95: wilson(agree, values.length), mean: values.reduce((s, x) => s + x, 0) / values.length, distribution }
}

/** Respondents with at least one 1–5 non-headline item of the dimension answered; agree when their mean is ≥ 4. */
export function dimensionShare(rows: readonly ReferenceRow[], items: readonly ReferenceItem[], dimension: string) {
  const keys = items.filter((item) => item.dimension === dimension && !item.headline && item.scale === 'agree5').map((item) => item.key)
  const means = rows.flatMap((row) => {
    const values = keys.flatMap((key) => { const v = row.answers[key]; return v === undefined || v === null ? [] : [v] })
    return values.length === 0 ? [] : [values.reduce((s, x) => s + x, 0) / values.length]
  })
  if (means.length === 0) return null
  const agree = means.filter((m) => m >= 4).length
  return { n: means.length, agree, share: agree / means.length, ci95: wilson(agree, means.length), mean: means.reduce((s, x) => s + x, 0) / means.length }
}

/** The dimensions a report should show: those with a non-headline 1–5 item, in order of first appearance. */
export const reportedDimensions = (items: readonly ReferenceItem[]) =>
  [...new Set(items.filter((item) => !item.headline && item.scale === 'agree5').map((item) => item.dimension))]

/** Q(a, x), the regularized upper incomplete gamma: series below a + 1, continued fraction above. */
function upperGamma(a: number, x: number): number {
  if (x <= 0) return 1
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a))
  if (x < a + 1) {
    let term = 1 / a, sum = term
    for (let n = 1; n < 1000 && Math.abs(term) > Math.abs(sum) * 1e-17; n++) {
      term *= x / (a + n)
      sum += term
    }
    return 1 - front * sum
  }
  // Modified Lentz on Q's continued fraction (b = x + 1 − a, a_n = −n(n − a), b += 2).
  const tiny = 1e-300
  let b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
  for (let n = 1; n < 1000; n++) {
    const an = -n * (n - a)
    b += 2
    d = an * d + b
    if (Math.abs(d) < tiny) d = tiny
    c = b + an / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < 1e-16) break
  }
  return front * h
}

/** Two-sided p of the pooled two-proportion z-test: P(|Z| > z) = erfc(z/√2) = Q(½, z²/2). */
export function pooledPValue(k1: number, n1: number, k2: number, n2: number): number {
  const pooled = (k1 + k2) / (n1 + n2)
  const variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
  if (variance === 0) return 1
  const z = (k1 / n1 - k2 / n2) / Math.sqrt(variance)
  return Math.min(1, upperGamma(0.5, (z * z) / 2))
}

/** Benjamini–Hochberg by definition: q_i = min over p_j ≥ p_i of m·p_j / rank_j, at most 1. */
export function bh(ps: ReadonlyArray<number | null>): Array<number | null> {
  const present = ps.filter((p): p is number => p !== null)
  const m = present.length
  const sorted = [...present].sort((a, b) => a - b)
  return ps.map((p) => {
    if (p === null) return null
    let best = Infinity
    sorted.forEach((pj, j) => { if (pj >= p) best = Math.min(best, (m * pj) / (j + 1)) })
    return Math.min(1, best)
  })
}

export interface ReferenceGap { points: number; ci95: Interval; pValue: number; qValue: number; significant: boolean }

type Counted = { agree: number; n: number; share: number; ci95: Interval }

/** Gaps of a family (items, or dimensions) with their q-values over the family. */
export function gaps(pairs: ReadonlyArray<{ staff: Counted | null; customer: Counted | null }>): Array<ReferenceGap | null> {
  const raw = pairs.map(({ staff, customer }) => {
    if (!staff || !customer) return null
    const ci = mover(staff.share, staff.ci95, customer.share, customer.ci95)
    return { points: (staff.share - customer.share) * 100, ci95: [ci[0] * 100, ci[1] * 100] as Interval, pValue: pooledPValue(staff.agree, staff.n, customer.agree, customer.n) }
  })
  const q = bh(raw.map((g) => g?.pValue ?? null))
  return raw.map((g, i) => g && { ...g, qValue: q[i]!, significant: q[i]! < 0.05 })
}

export function classification(staff: Counted | null, customer: Counted | null, g: ReferenceGap | null): string {
  if (!staff || !customer || !g) return 'insufficient_data'
  if (g.significant && g.points > 0) return 'blind_spot'
  if (g.significant && g.points < 0) return 'hidden_strength'
  if (staff.share >= 0.7 && customer.share >= 0.7) return 'shared_strength'
  if (staff.share < 0.5 && customer.share < 0.5) return 'shared_weakness'
  return 'aligned'
}

/** The whole report of a wave with every group released: items (headline among them) and dimensions. */
export function referenceReport(items: readonly ReferenceItem[], rows: readonly ReferenceRow[]) {
  const staff = rows.filter((row) => row.side === 'staff')
  const customers = rows.filter((row) => row.side === 'customer')
  const itemPairs = items.map((item) => ({ staff: itemShare(staff, item), customer: itemShare(customers, item) }))
  const itemGaps = gaps(itemPairs)
  const dimensions = reportedDimensions(items)
  const dimensionPairs = dimensions.map((d) => ({ staff: dimensionShare(staff, items, d), customer: dimensionShare(customers, items, d) }))
  const dimensionGaps = gaps(dimensionPairs)
  return {
    items: items.map((item, i) => ({ key: item.key, ...itemPairs[i]!, gap: itemGaps[i]!, classification: classification(itemPairs[i]!.staff, itemPairs[i]!.customer, itemGaps[i]!) })),
    dimensions: dimensions.map((key, i) => ({ key, ...dimensionPairs[i]!, gap: dimensionGaps[i]!, classification: classification(dimensionPairs[i]!.staff, dimensionPairs[i]!.customer, dimensionGaps[i]!) })),
  }
}
