// Builds the gap report from counts: per item and per dimension, each side's share (or its
// suppression), the gap between the sides, its test and classification. Pure: the counts come from
// the rollups, the rules from statistics.ts and anonymity.ts.
import type { Scale, Side } from './types.js'
import { DIMENSION_SCALE, scaleLength } from './scale.js'
import { benjaminiHochberg, classify, gap, SIGNIFICANCE, summarize, wilson, type Classification, type Interval } from './statistics.js'

export type Share =
  | { n: number; agree: number; share: number; ci95: Interval; mean: number | null; distribution: number[] }
  | { suppressed: true }

export interface Gap {
  points: number
  ci95: Interval
  pValue: number
  qValue: number
  significant: boolean
}

export interface ItemResult {
  key: string
  dimension: string
  /** The item's scale: its distribution has one count per point of it (5 for 1–5, 11 for 0–10). */
  scale: Scale
  headline: boolean
  staffText: string
  customerText: string
  staff: Share
  customer: Share
  gap: Gap | null
  classification: Classification
}

export interface DimensionResult {
  key: string
  staff: Share
  customer: Share
  gap: Gap | null
  classification: Classification
}

export interface ReportItem {
  key: string
  dimension: string
  scale: Scale
  headline: boolean
  staffText: string
  customerText: string
}

/** Counts for one side in the group asked for, and what the wave's release lets a reader see of them. */
export interface SideCounts {
  /** Respondents in the group. */
  respondents: number
  /** Per item: answers per scale point, lowest first. */
  distributions: ReadonlyMap<string, readonly number[]>
  /** Per dimension: respondents with an opinion, those agreeing, the sum of their means. */
  dimensions: ReadonlyMap<string, { n: number; agree: number; meanSum: number }>
  /**
   * Whether the release (domain/release.ts) shows this group's figures for a measure: 'respondents',
   * an item key, or 'dimension:' and a dimension key (domain/measures.ts).
   */
  shown: (measure: string) => boolean
}

export interface ReportInput {
  items: readonly ReportItem[]
  sides: Record<Side, SideCounts>
}

const SUPPRESSED = { suppressed: true } as const
export const isSuppressed = (share: Share): share is { suppressed: true } => 'suppressed' in share

function itemShare(counts: SideCounts, item: ReportItem): Share {
  const distribution = [...(counts.distributions.get(item.key) ?? [])]
  while (distribution.length < scaleLength(item.scale)) distribution.push(0)
  const { n, agree, mean } = summarize(distribution, item.scale)
  if (n === 0 || !counts.shown('respondents') || !counts.shown(item.key)) return SUPPRESSED
  return { n, agree, share: agree / n, ci95: wilson(agree, n)!, mean, distribution }
}

function dimensionShare(counts: SideCounts, key: string): Share {
  const d = counts.dimensions.get(key) ?? { n: 0, agree: 0, meanSum: 0 }
  if (d.n === 0 || !counts.shown('respondents') || !counts.shown(`dimension:${key}`)) return SUPPRESSED
  return { n: d.n, agree: d.agree, share: d.agree / d.n, ci95: wilson(d.agree, d.n)!, mean: d.meanSum / d.n, distribution: [] }
}

/** Gaps for a family of rows, with Benjamini–Hochberg q-values over those that have both sides. */
function gapsFor(rows: ReadonlyArray<{ staff: Share; customer: Share }>) {
  const raw = rows.map(({ staff, customer }) =>
    isSuppressed(staff) || isSuppressed(customer) ? null : gap(staff, customer))
  const q = benjaminiHochberg(raw.map((g) => g?.pValue ?? null))
  return raw.map((g, i): Gap | null => g && { ...g, qValue: q[i]!, significant: q[i]! < SIGNIFICANCE })
}

function classification(staff: Share, customer: Share, g: Gap | null): Classification {
  if (isSuppressed(staff) || isSuppressed(customer) || !g) return 'insufficient_data'
  return classify(staff.share, customer.share, g.points, g.qValue)
}

/**
 * Whether an item's answers count in its dimension's figures: not the headline (the overall dimension is
 * the headline itself), and on the dimension scale (domain/scale.ts DIMENSION_SCALE: 0–10 items are
 * left out of every dimension mean).
 */
export const countsInDimension = (item: { headline: boolean; scale: Scale }): boolean => !item.headline && item.scale === DIMENSION_SCALE

/** The dimensions the report shows, in the order they first appear: those with an item that counts in them. */
export function dimensionKeys(items: ReadonlyArray<{ dimension: string; headline: boolean; scale: Scale }>): string[] {
  return [...new Set(items.filter(countsInDimension).map((item) => item.dimension))]
}

/**
 * Every non-headline dimension, in the order they first appear: the dimension slots of a measure
 * vector (domain/measures.ts). Stored profile rollups hold vectors in this layout, so it does not
 * depend on scales; a dimension without a 1–5 item keeps its slot and always counts 0 in it.
 */
export function dimensionSlots(items: ReadonlyArray<{ dimension: string; headline: boolean }>): string[] {
  return [...new Set(items.filter((item) => !item.headline).map((item) => item.dimension))]
}

export function buildReport(input: ReportInput) {
  const { items, sides } = input
  const shares = items.map((item) => ({ staff: itemShare(sides.staff, item), customer: itemShare(sides.customer, item) }))
  const itemGaps = gapsFor(shares)
  const itemResults: ItemResult[] = items.map((item, i) => ({
    key: item.key,
    dimension: item.dimension,
    scale: item.scale,
    headline: item.headline,
    staffText: item.staffText,
    customerText: item.customerText,
    staff: shares[i]!.staff,
    customer: shares[i]!.customer,
    gap: itemGaps[i]!,
    classification: classification(shares[i]!.staff, shares[i]!.customer, itemGaps[i]!),
  }))
  const keys = dimensionKeys(items)
  const dimensionShares = keys.map((key) => ({ staff: dimensionShare(sides.staff, key), customer: dimensionShare(sides.customer, key) }))
  const dimensionGaps = gapsFor(dimensionShares)
  const dimensions: DimensionResult[] = keys.map((key, i) => ({
    key,
    staff: dimensionShares[i]!.staff,
    customer: dimensionShares[i]!.customer,
    gap: dimensionGaps[i]!,
    classification: classification(dimensionShares[i]!.staff, dimensionShares[i]!.customer, dimensionGaps[i]!),
  }))
  const headline = itemResults.find((item) => item.headline) ?? itemResults[0]!
  return { headline, items: itemResults, dimensions }
}

export interface ReportFilters {
  /** A unit id or name, resolved by the caller. */
  unit: string | null
  staff: Record<string, string>
  customer: Record<string, string>
}

/** An attribute filter's name: `staff.<attribute>` or `customer.<attribute>`. */
export const FILTER = /^(staff|customer)\.([A-Za-z][A-Za-z0-9_]{0,39})$/

/**
 * An attribute filter as a client serializes the document's `filters` object in deepObject style
 * (`filters[customer.tier]=gold`, openapi-fetch's default): the same filter as `customer.tier=gold`.
 */
const DEEP_FILTER = /^filters\[([^\]]+)\]$/

/**
 * Reads `unit`, `staff.<attribute>` and `customer.<attribute>` from a query string (the attribute
 * filters also as `filters[<name>]`); anything else is refused.
 */
export function parseReportFilters(query: Record<string, unknown>): { ok: true; value: ReportFilters } | { ok: false; message: string } {
  // Maps without a prototype, so an attribute called constructor or toString is just a name.
  const value: ReportFilters = { unit: null, staff: Object.create(null), customer: Object.create(null) }
  for (const [given, raw] of Object.entries(query)) {
    const name = DEEP_FILTER.exec(given)?.[1] ?? given
    // A filter left at "All" in a form arrives empty: it means no filter.
    if (raw === '') continue
    if (Array.isArray(raw)) return { ok: false, message: `The filter "${given}" is given more than once; give each filter once.` }
    if (typeof raw !== 'string' || raw.trim() === '' || raw.length > 200) return { ok: false, message: `The filter "${given}" needs a value (at most 200 characters).` }
    if (given === 'unit') {
      value.unit = raw.trim()
      continue
    }
    const match = FILTER.exec(name)
    if (!match) return { ok: false, message: `Unknown filter "${given}". Use unit, staff.<attribute> or customer.<attribute>.` }
    const side = match[1] as Side
    // One attribute per side keeps the groups anyone can read to a lattice the release can protect.
    if (Object.keys(value[side]).length > 0) return { ok: false, message: `Filter by one ${side} attribute at a time (with or without a unit).` }
    value[side][match[2]!] = raw
  }
  return { ok: true, value }
}
