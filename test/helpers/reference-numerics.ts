// Numerical building blocks of the reference analytics (reference-analytics.ts), written from the
// textbooks and independent of the product's code and of ml-matrix/@stdlib: Jacobi's eigenvalue
// iteration, Gaussian elimination, Pearson and average-rank Spearman, the Student t quantile by
// bisection on the regularized incomplete beta, Wilson, Newcombe and MOVER intervals.
export type Interval = [number, number]

export const Z95 = 1.959963984540054

// ---------- Linear algebra ----------

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: A = V diag(values) Vᵀ, the
 * eigenvectors in V's columns. Each rotation zeroes one off-diagonal pair exactly; sweeps repeat
 * until the off-diagonal mass is below rounding.
 */
export function jacobiEigen(matrix: readonly (readonly number[])[]): { values: number[]; vectors: number[][] } {
  const n = matrix.length
  const a = matrix.map((row) => [...row])
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)))
  const scale = a.reduce((sum, row) => sum + row.reduce((s, x) => s + x * x, 0), 0)
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2
    if (off <= 1e-30 * scale) break
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!
        if (apq === 0) continue
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq)
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        // A ← Jᵀ A J with J the rotation in the (p, q) plane: columns first, then rows.
        for (let k = 0; k < n; k++) {
          const kp = a[k]![p]!, kq = a[k]![q]!
          a[k]![p] = c * kp - s * kq
          a[k]![q] = s * kp + c * kq
        }
        for (let k = 0; k < n; k++) {
          const pk = a[p]![k]!, qk = a[q]![k]!
          a[p]![k] = c * pk - s * qk
          a[q]![k] = s * pk + c * qk
        }
        a[p]![q] = 0
        a[q]![p] = 0
        for (let k = 0; k < n; k++) {
          const kp = v[k]![p]!, kq = v[k]![q]!
          v[k]![p] = c * kp - s * kq
          v[k]![q] = s * kp + c * kq
        }
      }
    }
  }
  return { values: a.map((row, i) => row[i]!), vectors: v }
}

/** x with A x = b, by Gaussian elimination with partial pivoting. */
export function solve(matrix: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length
  const m = matrix.map((row, i) => [...row, b[i]!])
  for (let col = 0; col < n; col++) {
    let pivot = col
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r
    ;[m[col], m[pivot]] = [m[pivot]!, m[col]!]
    for (let r = col + 1; r < n; r++) {
      const f = m[r]![col]! / m[col]![col]!
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!
    }
  }
  const x = new Array<number>(n).fill(0)
  for (let r = n - 1; r >= 0; r--) {
    let sum = m[r]![n]!
    for (let c = r + 1; c < n; c++) sum -= m[r]![c]! * x[c]!
    x[r] = sum / m[r]![r]!
  }
  return x
}

// ---------- Correlation ----------

export const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length

/** Pearson r of paired values; NaN without spread. */
export function pearson(xs: readonly number[], ys: readonly number[]): number {
  const mx = mean(xs), my = mean(ys)
  let sxy = 0, sxx = 0, syy = 0
  xs.forEach((x, i) => {
    const dx = x - mx, dy = ys[i]! - my
    sxy += dx * dy
    sxx += dx * dx
    syy += dy * dy
  })
  return sxy / Math.sqrt(sxx * syy)
}

/** Ranks 1 … n, ties sharing the mean of their ranks. */
export function averageRanks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0])
  const ranks = new Array<number>(xs.length)
  for (let start = 0; start < order.length;) {
    let end = start
    while (end + 1 < order.length && order[end + 1]![0] === order[start]![0]) end++
    for (let k = start; k <= end; k++) ranks[order[k]![1]] = (start + end) / 2 + 1
    start = end + 1
  }
  return ranks
}

export const spearman = (xs: readonly number[], ys: readonly number[]) => pearson(averageRanks(xs), averageRanks(ys))

/** Fisher-z interval of a correlation from J pairs: tanh(atanh r ± z/√(J − 3)). */
export const fisherInterval = (r: number, j: number): Interval =>
  [Math.tanh(Math.atanh(r) - Z95 / Math.sqrt(j - 3)), Math.tanh(Math.atanh(r) + Z95 / Math.sqrt(j - 3))]

// ---------- Student t ----------

const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7]

/** log Γ(x) for x > 0 (Lanczos, g = 7). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x)
  const z = x - 1
  let sum = LANCZOS[0]!
  for (let i = 1; i < 9; i++) sum += LANCZOS[i]! / (z + i)
  const t = z + 7.5
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum)
}

/** Continued fraction of the incomplete beta (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300
  let c = 1, d = 1 - ((a + b) * x) / (a + 1)
  d = 1 / (Math.abs(d) < tiny ? tiny : d)
  let h = d
  for (let m = 1; m <= 10_000; m++) {
    for (const numerator of [(m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)), -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))]) {
      d = 1 + numerator * d
      d = 1 / (Math.abs(d) < tiny ? tiny : d)
      c = 1 + numerator / c
      if (Math.abs(c) < tiny) c = tiny
      h *= d * c
    }
    if (Math.abs(d * c - 1) < 1e-16) break
  }
  return h
}

/** The regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x))
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b
}

/** P(T ≤ t) for Student's t with ν degrees of freedom. */
export function tCdf(t: number, nu: number): number {
  const tail = 0.5 * incompleteBeta(nu / (nu + t * t), nu / 2, 0.5)
  return t >= 0 ? 1 - tail : tail
}

/** The p-quantile of Student's t (p > 0.5), by bisection on the CDF to the last bit. */
export function tQuantile(p: number, nu: number): number {
  let lo = 0, hi = 1
  while (tCdf(hi, nu) < p) hi *= 2
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = (lo + hi) / 2
    if (tCdf(mid, nu) < p) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

// ---------- Intervals of shares ----------

/** Wilson score interval, no continuity correction. */
export function wilson(agree: number, n: number): Interval {
  const p = agree / n, z2 = Z95 * Z95
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n)
  const half = (Z95 / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))
  return [centre - half, centre + half]
}

/**
 * MOVER (Zou & Donner 2008) interval of a − b from each estimate's own interval; Newcombe's hybrid
 * score interval is this with Wilson intervals.
 */
export function mover(a: number, aCi: Interval, b: number, bCi: Interval): Interval {
  const d = a - b
  return [d - Math.sqrt((a - aCi[0]) ** 2 + (bCi[1] - b) ** 2), d + Math.sqrt((aCi[1] - a) ** 2 + (b - bCi[0]) ** 2)]
}

// ---------- Resampling ----------

/** A small seeded generator of the test's own (xorshift32), unrelated to the product's. */
export function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 1
  return () => {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state / 4294967296
  }
}

/** The p-quantile of sorted values with linear interpolation (type 7). */
export function quantile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p
  const lo = Math.floor(h)
  return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]!) - sorted[lo]!)
}
