// Johnson's (2000) relative weights from a correlation matrix: how much of the explained variance R²
// each predictor carries, even when the predictors correlate with one another. Row and column 0 are
// the outcome, 1 … p the predictors.
//
//   R_xx = VΛVᵀ,  Λ* = VΛ^½Vᵀ,  β* = Λ*⁻¹ r_xy,  ε_j = Σ_k λ*²_jk β*²_k,  Σ_j ε_j = R².
//
// Two repairs keep every answer a number (never NaN) when the matrix is not what the textbook assumes:
// - A matrix of pairwise-complete correlations need not be positive semi-definite. When the whole
//   (1 + p) matrix is not (R_xx has a negative eigenvalue, or R² > 1), its negative eigenvalues are
//   set to 0 and the result is rescaled to a unit diagonal (a near correlation matrix by eigenvalue
//   clipping, not Higham's nearest one); then R² ≤ 1.
// - A singular or nearly singular R_xx (a duplicated item, say) is inverted by a pseudo-inverse:
//   eigenvalues below 1e-10 × the largest count as 0, so Λ*⁻¹ uses only the directions the data
//   span. Two identical predictors then share their weight equally.
import { EigenvalueDecomposition, Matrix } from 'ml-matrix'

/** Eigenvalues below this share of the largest are treated as 0 (a direction the data do not span). */
const RELATIVE_EIGENVALUE_FLOOR = 1e-10

export interface RelativeWeights {
  /** Σ ε_j: the share of the outcome's variance the predictors explain together. */
  r2: number
  /** ε_j per predictor, in the matrix's order. */
  raw: number[]
}

export function relativeWeights(correlations: readonly (readonly number[])[]): RelativeWeights {
  const size = correlations.length
  for (const row of correlations) {
    if (row.length !== size) throw new RangeError('relativeWeights needs a square correlation matrix')
    for (const value of row) if (!Number.isFinite(value)) throw new RangeError('relativeWeights needs finite correlations')
  }
  const p = size - 1
  if (p <= 0) return { r2: 0, raw: [] }

  const whole = symmetric(correlations)
  return weightsOf(whole, false) ?? weightsOf(nearestByClipping(whole), true)!
}

/**
 * The weights of a matrix; null when the matrix turns out not to be positive semi-definite (and was
 * not repaired yet): R_xx has a negative eigenvalue, or R² > 1, which is its Schur complement
 * 1 − r_xyᵀ R_xx⁻¹ r_xy turning negative.
 */
function weightsOf(whole: Matrix, repaired: boolean): RelativeWeights | null {
  const p = whole.rows - 1
  const rxx = whole.subMatrix(1, p, 1, p)
  const rxy = new Float64Array(p)
  for (let j = 0; j < p; j++) rxy[j] = whole.get(j + 1, 0)

  const { realEigenvalues, eigenvectorMatrix } = new EigenvalueDecomposition(rxx, { assumeSymmetric: true })
  const vectors = eigenvectorMatrix.to2DArray()
  let largest = 0
  let smallest = Infinity
  for (const value of realEigenvalues) {
    largest = Math.max(largest, value)
    smallest = Math.min(smallest, value)
  }
  if (!repaired && smallest < -largest * RELATIVE_EIGENVALUE_FLOOR) return null
  const roots = realEigenvalues.map((value) => (value > largest * RELATIVE_EIGENVALUE_FLOOR ? Math.sqrt(value) : 0))

  // β* = V diag(1/√λ) Vᵀ r_xy, skipping the directions with λ = 0.
  const projected = new Float64Array(p)
  for (let m = 0; m < p; m++) {
    if (roots[m]! === 0) continue
    let sum = 0
    for (let k = 0; k < p; k++) sum += vectors[k]![m]! * rxy[k]!
    projected[m] = sum / roots[m]!
  }
  const beta = new Float64Array(p)
  for (let k = 0; k < p; k++) {
    let sum = 0
    for (let m = 0; m < p; m++) sum += vectors[k]![m]! * projected[m]!
    beta[k] = sum
  }

  // ε_j = Σ_k (Λ*_jk)² β*_k², with Λ*_jk = Σ_m V_jm √λ_m V_km.
  const raw = new Array<number>(p).fill(0)
  for (let j = 0; j < p; j++) {
    for (let k = j; k < p; k++) {
      let lambda = 0
      for (let m = 0; m < p; m++) lambda += vectors[j]![m]! * roots[m]! * vectors[k]![m]!
      const squared = lambda * lambda
      raw[j]! += squared * beta[k]! * beta[k]!
      if (k !== j) raw[k]! += squared * beta[j]! * beta[j]!
    }
  }
  const r2 = raw.reduce((sum, value) => sum + value, 0)
  if (!repaired && r2 > 1 + 1e-12) return null
  // Round-off carries a perfect fit (an item that repeats the outcome) a few ulps past 1.
  if (r2 > 1) return { r2: 1, raw: raw.map((value) => value / r2) }
  return { r2, raw }
}

/** The matrix with its upper triangle mirrored, so rounding in the input cannot make it asymmetric. */
function symmetric(correlations: readonly (readonly number[])[]): Matrix {
  const size = correlations.length
  const matrix = new Matrix(size, size)
  for (let j = 0; j < size; j++) {
    matrix.set(j, j, 1)
    for (let k = j + 1; k < size; k++) {
      matrix.set(j, k, correlations[j]![k]!)
      matrix.set(k, j, correlations[j]![k]!)
    }
  }
  return matrix
}

/** Negative eigenvalues set to 0, then rescaled to a unit diagonal: positive semi-definite again. */
function nearestByClipping(matrix: Matrix): Matrix {
  const size = matrix.rows
  const { realEigenvalues, eigenvectorMatrix } = new EigenvalueDecomposition(matrix, { assumeSymmetric: true })
  const vectors = eigenvectorMatrix.to2DArray()
  const values = realEigenvalues.map((value) => Math.max(0, value))
  const rebuilt: number[][] = []
  for (let j = 0; j < size; j++) {
    rebuilt.push(new Array<number>(size).fill(0))
    for (let k = 0; k <= j; k++) {
      let sum = 0
      for (let m = 0; m < size; m++) sum += vectors[j]![m]! * values[m]! * vectors[k]![m]!
      rebuilt[j]![k] = sum
    }
  }
  const scale = rebuilt.map((row, j) => (row[j]! > 0 ? 1 / Math.sqrt(row[j]!) : 0))
  const repaired = new Matrix(size, size)
  for (let j = 0; j < size; j++) {
    repaired.set(j, j, 1)
    for (let k = 0; k < j; k++) {
      const value = Math.max(-1, Math.min(1, rebuilt[j]![k]! * scale[j]! * scale[k]!))
      repaired.set(j, k, value)
      repaired.set(k, j, value)
    }
  }
  return repaired
}
