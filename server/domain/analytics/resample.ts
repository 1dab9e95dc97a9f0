// What a bootstrap draws and reads: how often each of `cells` points is picked when `draws` points are
// drawn with replacement (a uniform multinomial), and percentiles of the replicates.
//
// Drawing the counts one point at a time costs `draws` random numbers; the bag of little bootstraps
// draws n = 100,000 points over a few thousand cells a thousand times, so the counts come from
// Poisson variables instead: independent Poisson(λ) counts, given their total m, are multinomial with
// m draws, and adding the n − m missing draws one at a time makes them multinomial with n (exact,
// not an approximation). λ is set a little below n / cells so the total rarely passes n; when it does,
// the counts are drawn again.
import { randomIndex } from './random.js'

/** Fills `counts` (one per cell) with a uniform multinomial draw of `draws` points; returns it. */
export function multinomialCounts(random: () => number, draws: number, counts: Float64Array): Float64Array {
  const cells = counts.length
  if (cells === 0) return counts
  // Three standard deviations of the total below n: the total passes n about once in 740 tries.
  const lambda = Math.max(0, (draws - 3 * Math.sqrt(draws)) / cells)
  for (;;) {
    let total = 0
    for (let cell = 0; cell < cells; cell++) {
      const count = lambda === 0 ? 0 : poisson(random, lambda)
      counts[cell] = count
      total += count
    }
    if (total > draws) continue
    for (let missing = draws - total; missing > 0; missing--) counts[randomIndex(random, cells)]!++
    return counts
  }
}

/** A Poisson(λ) variable: by inversion for small λ, by Hörmann's (1993) transformed rejection (PTRS) above. */
export function poisson(random: () => number, lambda: number): number {
  if (lambda < 10) {
    // Multiply uniforms until the product drops below e^(−λ).
    const limit = Math.exp(-lambda)
    let count = 0
    let product = random()
    while (product > limit) {
      count++
      product *= random()
    }
    return count
  }
  const logLambda = Math.log(lambda)
  const b = 0.931 + 2.53 * Math.sqrt(lambda)
  const a = -0.059 + 0.02483 * b
  const inverseAlpha = 1.1239 + 1.1328 / (b - 3.4)
  const acceptBox = 0.9277 - 3.6224 / (b - 2)
  for (;;) {
    const u = random() - 0.5
    const v = random()
    const us = 0.5 - Math.abs(u)
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43)
    if (us >= 0.07 && v <= acceptBox) return k
    if (k < 0 || (us < 0.013 && v > us)) continue
    if (Math.log(v) + Math.log(inverseAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * logLambda - logFactorial(k)) return k
  }
}

const FACTORIAL_TABLE_SIZE = 128
const LOG_FACTORIALS = (() => {
  const table = new Float64Array(FACTORIAL_TABLE_SIZE)
  for (let k = 1; k < FACTORIAL_TABLE_SIZE; k++) table[k] = table[k - 1]! + Math.log(k)
  return table
})()

/** ln k!, from a table below 128 and Stirling's series above (error below 1e-15 there). */
export function logFactorial(k: number): number {
  if (k < FACTORIAL_TABLE_SIZE) return LOG_FACTORIALS[k]!
  const inverse = 1 / k
  const inverse2 = inverse * inverse
  return k * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI * k) + inverse * (1 / 12 - inverse2 * (1 / 360 - inverse2 / 1260))
}

/** The q-quantile of sorted values, interpolating between order statistics (Hyndman & Fan type 7). */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const last = sorted.length - 1
  const position = last * q
  const below = Math.floor(position)
  const above = Math.min(last, below + 1)
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!)
}

/** The 95% percentile interval of replicates (sorted in place). */
export function percentileInterval(replicates: Float64Array): [number, number] {
  replicates.sort()
  return [quantileOfSorted(replicates, 0.025), quantileOfSorted(replicates, 0.975)]
}
