// An independent reference implementation of the leadership analytics (design §4, "Leadership
// analytics"), computed from the raw rows a test posted. Written from the definitions and the
// literature (Johnson 2000; Zou & Donner 2008; Shrout & Fleiss 1979; Bliese 2000), never from the
// product's code, and by other numerical routes (Jacobi rotations, Gaussian elimination, a t quantile
// by bisection), so that a mistake shared by both is unlikely. The route tests compare the report API
// with it figure by figure.
import {
  fisherInterval, jacobiEigen, mean, mover, pearson, quantile, solve, spearman, tQuantile, wilson, xorshift, type Interval,
} from './reference-numerics.js'

export type Answers = Record<string, number | null>

/** A response as the test posted it (every row names its unit). */
export interface PostedRow {
  side: 'staff' | 'customer'
  unit: string
  answers: Answers
  predictions?: Record<string, number | null>
}

const valueOf = (answers: Answers, key: string) => (answers[key] === undefined ? null : answers[key]!)
/** Top-two box of the 5-point scale. */
export const agrees = (value: number) => value >= 4

/** Where agreement starts for an item: 4 on 1–5 (the default), 9 on a 0–10 item (pass 9 for it). */
export type AgreeFrom = (key: string) => number
const FIVE_POINT: AgreeFrom = () => 4

// ---------- Shares ----------

export interface ReferenceShare { n: number; agree: number; share: number; ci95: Interval }

export function share(rows: readonly PostedRow[], key: string, agreeFrom: AgreeFrom = FIVE_POINT): ReferenceShare | null {
  const values = rows.map((row) => valueOf(row.answers, key)).filter((v): v is number => v !== null)
  if (values.length === 0) return null
  const agree = values.filter((v) => v >= agreeFrom(key)).length
  return { n: values.length, agree, share: agree / values.length, ci95: wilson(agree, values.length) }
}

/** Staff − customers in points with Newcombe's hybrid score interval. */
export function gap(staff: ReferenceShare, customer: ReferenceShare): { points: number; ci95: Interval } {
  const ci = mover(staff.share, staff.ci95, customer.share, customer.ci95)
  return { points: (staff.share - customer.share) * 100, ci95: [ci[0] * 100, ci[1] * 100] }
}

// ---------- Key drivers ----------

export interface ReferenceWeight { key: string; correlation: number; raw: number; weight: number }
export interface ReferenceDrivers { n: number; r2: number; r2FromSolve: number; weights: ReferenceWeight[] }

/** Pearson r over the rows where both values are present (means and spreads of those rows alone). */
export function pairwise(rows: readonly Answers[], a: string, b: string): number {
  const xs: number[] = [], ys: number[] = []
  for (const row of rows) {
    const x = valueOf(row, a), y = valueOf(row, b)
    if (x !== null && y !== null) {
      xs.push(x)
      ys.push(y)
    }
  }
  return pearson(xs, ys)
}

/** The customers the driver analysis takes: an outcome and at least one predictor answered. */
export const driverRespondents = (customers: readonly Answers[], outcome: string, predictors: readonly string[]) =>
  customers.filter((row) => valueOf(row, outcome) !== null && predictors.some((key) => valueOf(row, key) !== null))

/**
 * Johnson's relative weights from pairwise-complete correlations: R_xx = VΛVᵀ (Jacobi), Λ* = VΛ^½Vᵀ,
 * β* = Λ*⁻¹ r_xy, ε_j = Σ_k Λ*²_jk β*²_k. R² also by solving R_xx b = r_xy (r2FromSolve), a check
 * of the first route.
 */
export function drivers(customers: readonly Answers[], outcome: string, predictors: readonly string[]): ReferenceDrivers {
  const rows = driverRespondents(customers, outcome, predictors)
  const rxx = predictors.map((a, i) => predictors.map((b, j) => (i === j ? 1 : pairwise(rows, a, b))))
  const rxy = predictors.map((key) => pairwise(rows, key, outcome))
  const { raw, r2, r2FromSolve } = relativeWeights(rxx, rxy)
  const weights = predictors.map((key, j) => ({ key, correlation: rxy[j]!, raw: raw[j]!, weight: raw[j]! / r2 }))
  weights.sort((x, y) => y.raw - x.raw)
  return { n: rows.length, r2, r2FromSolve, weights }
}

/** Johnson's raw weights of a correlation matrix and the predictors' correlations with the outcome. */
export function relativeWeights(rxx: readonly (readonly number[])[], rxy: readonly number[]) {
  const p = rxy.length
  const { values, vectors } = jacobiEigen(rxx)
  const power = (exponent: number) => rxy.map((_, i) => rxy.map((_, j) => {
    let sum = 0
    for (let k = 0; k < p; k++) sum += vectors[i]![k]! * vectors[j]![k]! * values[k]! ** exponent
    return sum
  }))
  const root = power(0.5)
  const beta = power(-0.5).map((row) => row.reduce((sum, x, k) => sum + x * rxy[k]!, 0))
  const raw = root.map((row) => row.reduce((sum, x, k) => sum + x * x * beta[k]! ** 2, 0))
  const b = solve(rxx, rxy)
  return { raw, r2: raw.reduce((s, x) => s + x, 0), r2FromSolve: b.reduce((s, x, k) => s + x * rxy[k]!, 0) }
}

export interface ReferenceBootstrap { r2: Interval; raw: Map<string, Interval>; weight: Map<string, Interval> }

/** Percentile bootstrap over the analysis' respondents, with the test's own generator and seed. */
export function bootstrapDrivers(customers: readonly Answers[], outcome: string, predictors: readonly string[], replicates: number, seed: number): ReferenceBootstrap {
  const rows = driverRespondents(customers, outcome, predictors)
  const random = xorshift(seed)
  const r2s: number[] = []
  const raws = new Map(predictors.map((key) => [key, [] as number[]]))
  const weights = new Map(predictors.map((key) => [key, [] as number[]]))
  for (let b = 0; b < replicates; b++) {
    const sample = rows.map(() => rows[Math.floor(random() * rows.length)]!)
    const result = drivers(sample, outcome, predictors)
    r2s.push(result.r2)
    for (const w of result.weights) {
      raws.get(w.key)!.push(w.raw)
      weights.get(w.key)!.push(w.weight)
    }
  }
  const interval = (xs: number[]): Interval => {
    const sorted = [...xs].sort((a, b) => a - b)
    return [quantile(sorted, 0.025), quantile(sorted, 0.975)]
  }
  return {
    r2: interval(r2s),
    raw: new Map([...raws].map(([key, xs]) => [key, interval(xs)])),
    weight: new Map([...weights].map(([key, xs]) => [key, interval(xs)])),
  }
}

// ---------- Fix first ----------

export type Quadrant = 'fix_first' | 'keep_up' | 'low_priority' | 'possible_overkill'
export interface ReferenceFixFirstItem { key: string; weight: number; gapPoints: number | null; customerShare: number | null; index: number; rank: number; quadrant: Quadrant }

/** F_j = w_j × max(0, gap_j/100), ranked by index, then weight, then key; quadrants split at the means. */
export function fixFirst(weights: readonly ReferenceWeight[], staff: readonly PostedRow[], customers: readonly PostedRow[], agreeFrom: AgreeFrom = FIVE_POINT) {
  const items = weights.map((w) => {
    const s = share(staff, w.key, agreeFrom), c = share(customers, w.key, agreeFrom)
    const gapPoints = s && c ? (s.share - c.share) * 100 : null
    return { key: w.key, weight: w.weight, gapPoints, customerShare: c?.share ?? null, index: w.weight * Math.max(0, (gapPoints ?? 0) / 100) }
  })
  const shares = items.flatMap((item) => (item.customerShare === null ? [] : [item.customerShare]))
  const cuts = { weight: mean(items.map((item) => item.weight)), customerShare: mean(shares) }
  items.sort((a, b) => b.index - a.index || b.weight - a.weight || (a.key < b.key ? -1 : 1))
  const ranked: ReferenceFixFirstItem[] = items.map((item, i) => {
    const important = item.weight >= cuts.weight
    const performing = item.customerShare !== null && item.customerShare >= cuts.customerShare
    const quadrant: Quadrant = important ? (performing ? 'keep_up' : 'fix_first') : (performing ? 'possible_overkill' : 'low_priority')
    return { ...item, rank: i + 1, quadrant }
  })
  return { items: ranked, top: ranked.filter((item) => item.index > 0).slice(0, 3).map((item) => item.key), cuts }
}

// ---------- Staff predict the customer ----------

export interface ReferencePredicted { n: number; share: number; sd: number; ci95: Interval; distribution: number[] }

/** q̄ = mean of k/10 with the t-interval (n − 1 degrees of freedom), clipped to [0, 1]. */
export function predicted(staff: readonly PostedRow[], key: string): ReferencePredicted | null {
  // A prediction left out and one answered "I can't say" (null) are both no prediction.
  const ks = staff.flatMap((row) => { const k = row.predictions?.[key]; return k === undefined || k === null ? [] : [k] })
  if (ks.length < 2) return null
  const qs = ks.map((k) => k / 10)
  const q = mean(qs)
  const sd = Math.sqrt(qs.reduce((s, x) => s + (x - q) ** 2, 0) / (qs.length - 1))
  const half = tQuantile(0.975, qs.length - 1) * (sd / Math.sqrt(qs.length))
  const distribution = Array.from({ length: 11 }, (_, k) => ks.filter((x) => x === k).length)
  return { n: qs.length, share: q, sd, ci95: [Math.max(0, q - half), Math.min(1, q + half)], distribution }
}

/** e = q̄ − p in points with MOVER from the t-interval and Wilson. */
export function predictionError(q: ReferencePredicted, p: ReferenceShare): { points: number; ci95: Interval } {
  const ci = mover(q.share, q.ci95, p.share, p.ci95)
  return { points: (q.share - p.share) * 100, ci95: [ci[0] * 100, ci[1] * 100] }
}

export interface ReferenceUnitPrediction { unit: string; items: number; optimismBias: number; meanAbsoluteError: number; tracking: number | null }

/** Per unit over the predicted items: bias = mean e, MAE = mean |e| (points), tracking = Pearson of q̄ and p; most optimistic first. */
export function unitPredictions(rows: readonly PostedRow[], keys: readonly string[]): ReferenceUnitPrediction[] {
  const units = [...new Set(rows.map((row) => row.unit))]
  const result = units.map((unit) => {
    const staff = rows.filter((row) => row.unit === unit && row.side === 'staff')
    const customers = rows.filter((row) => row.unit === unit && row.side === 'customer')
    const pairs = keys.flatMap((key) => {
      const q = predicted(staff, key), p = share(customers, key)
      return q && p ? [[q.share, p.share] as const] : []
    })
    const errors = pairs.map(([q, p]) => (q - p) * 100)
    const qs = pairs.map(([q]) => q), ps = pairs.map(([, p]) => p)
    const spread = (xs: number[]) => xs.some((x) => x !== xs[0])
    return {
      unit, items: pairs.length, optimismBias: mean(errors), meanAbsoluteError: mean(errors.map(Math.abs)),
      tracking: pairs.length >= 3 && spread(qs) && spread(ps) ? pearson(qs, ps) : null,
    }
  })
  return result.sort((a, b) => b.optimismBias - a.optimismBias)
}

// ---------- Linkage across units ----------

export interface ReferenceIcc { icc1: number; icc2: number; units: number; respondents: number }

/** ICC(1) and ICC(2) from the one-way ANOVA of scores on groups (k̄ for unequal group sizes). */
export function icc(groups: readonly (readonly number[])[]): ReferenceIcc {
  const all = groups.flat()
  const N = all.length, J = groups.length
  const grand = mean(all)
  const ssb = groups.reduce((s, g) => s + g.length * (mean(g) - grand) ** 2, 0)
  const ssw = groups.reduce((s, g) => { const m = mean(g); return s + g.reduce((t, y) => t + (y - m) ** 2, 0) }, 0)
  const msb = ssb / (J - 1), msw = ssw / (N - J)
  const kbar = (N - groups.reduce((s, g) => s + g.length ** 2, 0) / N) / (J - 1)
  return { icc1: (msb - msw) / (msb + (kbar - 1) * msw), icc2: (msb - msw) / msb, units: J, respondents: N }
}

export interface ReferenceLinkagePoint { unit: string; staff: number; customer: number; staffN: number; customerN: number }

/**
 * Staff climate = pooled share agreeing over every staff answer of the unit; customer outcome = the
 * headline's share. Staff respondent score = share of their answered items agreed, for the respondents
 * who answered the headline (so each unit's n is its released headline n), over every linkage unit; customer score = headline agree 0/1.
 */
export function linkage(rows: readonly PostedRow[], keys: readonly string[], headline: string) {
  const units = [...new Set(rows.map((row) => row.unit))].sort()
  const staffOf = (unit: string) => rows.filter((row) => row.unit === unit && row.side === 'staff')
  const customersOf = (unit: string) => rows.filter((row) => row.unit === unit && row.side === 'customer')
  const answered = (row: PostedRow) => keys.map((key) => valueOf(row.answers, key)).filter((v): v is number => v !== null)
  const points: ReferenceLinkagePoint[] = units.map((unit) => {
    const values = staffOf(unit).flatMap(answered)
    const customer = share(customersOf(unit), headline)!
    return { unit, staff: values.filter(agrees).length / values.length, customer: customer.share, staffN: staffOf(unit).length, customerN: customer.n }
  })
  const xs = points.map((p) => p.staff), ys = points.map((p) => p.customer)
  const r = pearson(xs, ys), rho = spearman(xs, ys)
  const staffIcc = units.length >= 2
    ? icc(units.map((unit) => staffOf(unit).filter((row) => valueOf(row.answers, headline) !== null).map((row) => answered(row).filter(agrees).length / answered(row).length)))
    : null
  const customerIcc = icc(units.map((unit) => customersOf(unit).flatMap((row) => {
    const v = valueOf(row.answers, headline)
    return v === null ? [] : [agrees(v) ? 1 : 0]
  })))
  const disattenuated = staffIcc && staffIcc.icc2 > 0 && customerIcc.icc2 > 0
    ? Math.max(-1, Math.min(1, r / Math.sqrt(staffIcc.icc2 * customerIcc.icc2))) : null
  const unitsFor80Power = r === 0 ? null : Math.ceil(((1.959964 + 0.841621) / Math.atanh(r)) ** 2 + 3)
  return {
    units: units.length, points,
    pearson: { r, ci95: fisherInterval(r, units.length) }, spearman: { r: rho, ci95: fisherInterval(rho, units.length) },
    icc: { staff: staffIcc, customer: customerIcc }, disattenuated, unitsFor80Power,
  }
}

/** Ordinary least squares with an intercept: the coefficients of the columns, intercept first. */
function ols(columns: readonly (readonly number[])[], y: readonly number[]): number[] {
  const x = y.map((_, i) => [1, ...columns.map((column) => column[i]!)])
  const xtx = x[0]!.map((_, a) => x[0]!.map((_, b) => x.reduce((s, row) => s + row[a]! * row[b]!, 0)))
  const xty = x[0]!.map((_, a) => x.reduce((s, row, i) => s + row[a]! * y[i]!, 0))
  return solve(xtx, xty)
}

/**
 * The cross-lagged estimates between two waves' linkage points (units in both): the coefficient of
 * staff(t) in customers(t+1) ~ customers(t) + staff(t), and of customers(t) in staff(t+1) ~ staff(t) + customers(t).
 */
export function crossLagged(earlier: readonly ReferenceLinkagePoint[], later: readonly ReferenceLinkagePoint[]) {
  const pairs = earlier.flatMap((a) => later.filter((b) => b.unit === a.unit).map((b) => [a, b] as const))
  const staffT = pairs.map(([a]) => a.staff), customersT = pairs.map(([a]) => a.customer)
  return {
    units: pairs.length,
    staffLeads: ols([customersT, staffT], pairs.map(([, b]) => b.customer))[2]!,
    customersLead: ols([staffT, customersT], pairs.map(([, b]) => b.staff))[2]!,
  }
}
