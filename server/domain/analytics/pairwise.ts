// Pairwise-complete correlations from respondent rows, weighted so that a bootstrap replicate is the
// same computation with each respondent counted as often as it was drawn.
//
// Rows are grouped by which columns they answer (their pattern). Within a pattern every pair of its
// columns has the same respondents, so one pass over a pattern's rows sums Σx per column and Σxy per
// pair of its columns; those sums then add into the pairwise totals of every pair the pattern
// answers (count, Σx_j, Σx_j², Σx_j·x_k over the respondents who answered both j and k). A complete
// row costs q + q(q+1)/2 multiply-adds, and each pattern a q² flush per replicate.
//
// Values should be centred and scaled beforehand (keyDrivers standardizes each column): the sums are
// then of numbers near 1, and shifting or rescaling an item changes nothing but rounding.

/** Rows that answer the same columns, stored contiguously: `rows` × `present.length` values. */
export interface PatternBlock {
  present: Int32Array
  rows: number
  /** Position of the block's first row in the weights of a replicate. */
  start: number
  values: Float64Array
  /**
   * For weighted sums (replicates): each row's x_a, then x_a·x_c for a ≤ c, stored one term at a
   * time over the rows (term-major), so each sum of a replicate is one dot product with its weights.
   */
  products: Float64Array | null
}

export interface PatternBlocks {
  columns: number
  rows: number
  blocks: PatternBlock[]
}

/**
 * Groups the given rows of `values` (row-major, `columns` per row, NaN where unanswered) by pattern.
 * A replicate's weights follow the blocks' order: block.start + i is the i-th row of a block. With
 * `weighted`, the blocks also hold the products that weighted sums read (about 8 × (q + q(q+1)/2)
 * bytes a row: for resampled subsets, not for 100,000 rows).
 */
export function groupByPattern(values: Float64Array, columns: number, rowIndices: ArrayLike<number>, weighted = false): PatternBlocks {
  const byPattern = new Map<number | string, number[]>()
  for (let i = 0; i < rowIndices.length; i++) {
    const row = rowIndices[i]!
    const key = patternKey(values, columns, row)
    const rows = byPattern.get(key)
    if (rows) rows.push(row)
    else byPattern.set(key, [row])
  }
  const blocks: PatternBlock[] = []
  let start = 0
  for (const rows of byPattern.values()) {
    const first = rows[0]! * columns
    const presentColumns: number[] = []
    for (let j = 0; j < columns; j++) if (!Number.isNaN(values[first + j]!)) presentColumns.push(j)
    const present = Int32Array.from(presentColumns)
    const m = present.length
    const packed = new Float64Array(rows.length * m)
    for (let i = 0; i < rows.length; i++) {
      const base = rows[i]! * columns
      for (let a = 0; a < m; a++) packed[i * m + a] = values[base + present[a]!]!
    }
    blocks.push({ present, rows: rows.length, start, values: packed, products: weighted ? termMajorProducts(packed, rows.length, m) : null })
    start += rows.length
  }
  return { columns, rows: start, blocks }
}

function termMajorProducts(packed: Float64Array, rows: number, m: number): Float64Array {
  const products = new Float64Array((m + (m * (m + 1)) / 2) * rows)
  for (let a = 0; a < m; a++) for (let i = 0; i < rows; i++) products[a * rows + i] = packed[i * m + a]!
  let term = m
  for (let a = 0; a < m; a++) {
    for (let c = a; c < m; c++, term++) {
      const offset = term * rows
      for (let i = 0; i < rows; i++) products[offset + i] = packed[i * m + a]! * packed[i * m + c]!
    }
  }
  return products
}

function patternKey(values: Float64Array, columns: number, row: number): number | string {
  const base = row * columns
  if (columns <= 52) {
    let key = 0
    for (let j = 0, bit = 1; j < columns; j++, bit *= 2) if (!Number.isNaN(values[base + j]!)) key += bit
    return key
  }
  let key = ''
  for (let j = 0; j < columns; j++) key += Number.isNaN(values[base + j]!) ? '0' : '1'
  return key
}

/** A block's Σx_a and Σx_a·x_c (a ≤ c, in ss[a·m + c]), each row once; returns the row count. */
function sumsOfRows(block: PatternBlock, s: Float64Array, ss: Float64Array): number {
  const { present, values, rows } = block
  const m = present.length
  for (let i = 0; i < rows; i++) {
    const base = i * m
    for (let a = 0; a < m; a++) {
      const x = values[base + a]!
      s[a]! += x
      const row = a * m
      for (let c = a; c < m; c++) ss[row + c]! += x * values[base + c]!
    }
  }
  return rows
}

/** The same sums with row i counted weights[block.start + i] times; returns the total weight. */
function sumsOfProducts(block: PatternBlock, weights: Float64Array, s: Float64Array, ss: Float64Array): number {
  const { present, rows, start } = block
  const products = block.products
  if (products === null) throw new Error('weighted sums need blocks grouped with products')
  const m = present.length
  const end = start + rows
  let total = 0
  for (let i = start; i < end; i++) total += weights[i]!
  for (let a = 0; a < m; a++) s[a] = dot(weights, products, a * rows - start, start, end)
  let term = m
  for (let a = 0; a < m; a++) {
    for (let c = a; c < m; c++, term++) ss[a * m + c] = dot(weights, products, term * rows - start, start, end)
  }
  return total
}

/** Σ weights[i] · products[offset + i] for i in [start, end). */
function dot(weights: Float64Array, products: Float64Array, offset: number, start: number, end: number): number {
  let sum = 0
  for (let i = start; i < end; i++) sum += weights[i]! * products[offset + i]!
  return sum
}

/** Reusable sums for one size of matrix, so a thousand replicates allocate nothing. */
export class PairwiseSums {
  readonly count: Float64Array
  /**
   * For j < k, over the rows that answer both: count[j·q + k], crossProducts[j·q + k] = Σ x_j·x_k,
   * sum[j·q + k] = Σ x_j and sum[k·q + j] = Σ x_k, sumOfSquares likewise.
   */
  readonly sum: Float64Array
  readonly sumOfSquares: Float64Array
  readonly crossProducts: Float64Array
  private readonly blockSum: Float64Array
  private readonly blockProducts: Float64Array

  constructor(readonly columns: number) {
    const cells = columns * columns
    this.count = new Float64Array(cells)
    this.sum = new Float64Array(cells)
    this.sumOfSquares = new Float64Array(cells)
    this.crossProducts = new Float64Array(cells)
    this.blockSum = new Float64Array(columns)
    this.blockProducts = new Float64Array(cells)
  }

  /**
   * The pairwise-complete correlation matrix (row-major, unit diagonal) of the blocks, each row
   * counted `weights[block.start + i]` times (once each without weights). A pair with no spread in
   * one of its columns, or fewer than two respondents, gets correlation 0.
   */
  correlations(data: PatternBlocks, weights: Float64Array | null, out: Float64Array): Float64Array {
    const q = this.columns
    const { count, sum, sumOfSquares, crossProducts, blockSum: s, blockProducts: ss } = this
    count.fill(0)
    sum.fill(0)
    sumOfSquares.fill(0)
    crossProducts.fill(0)
    for (const block of data.blocks) {
      const { present } = block
      const m = present.length
      s.fill(0, 0, m)
      ss.fill(0, 0, m * m)
      const total = weights === null ? sumsOfRows(block, s, ss) : sumsOfProducts(block, weights, s, ss)
      if (total === 0) continue
      // Pairs j < k only (present is ascending): [j·q + k] holds j's side and the pair's, [k·q + j] k's side.
      for (let a = 0; a < m; a++) {
        const j = present[a]!
        const sumJ = s[a]!
        const squaresJ = ss[a * m + a]!
        for (let c = a + 1; c < m; c++) {
          const k = present[c]!
          const jk = j * q + k
          const kj = k * q + j
          count[jk]! += total
          sum[jk]! += sumJ
          sum[kj]! += s[c]!
          sumOfSquares[jk]! += squaresJ
          sumOfSquares[kj]! += ss[c * m + c]!
          crossProducts[jk]! += ss[a * m + c]!
        }
      }
    }
    for (let j = 0; j < q; j++) {
      out[j * q + j] = 1
      for (let k = j + 1; k < q; k++) {
        const jk = j * q + k
        const kj = k * q + j
        const n = count[jk]!
        const spreadJ = n * sumOfSquares[jk]! - sum[jk]! * sum[jk]!
        const spreadK = n * sumOfSquares[kj]! - sum[kj]! * sum[kj]!
        let r = 0
        if (n >= 2 && spreadJ > 1e-12 * n * sumOfSquares[jk]! && spreadK > 1e-12 * n * sumOfSquares[kj]!) {
          r = (n * crossProducts[jk]! - sum[jk]! * sum[kj]!) / Math.sqrt(spreadJ * spreadK)
          r = Math.max(-1, Math.min(1, r))
        }
        out[jk] = r
        out[kj] = r
      }
    }
    return out
  }
}
