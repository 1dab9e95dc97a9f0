// A seeded pseudo-random generator for the bootstraps: the same seed gives the same replicates, so a
// report read twice (or on two instances) shows the same intervals. Not for secrets (use node:crypto).
// mulberry32: 32 bits of state, full period 2^32, good enough for resampling indices.

/** Uniform numbers in [0, 1) from a 32-bit seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A uniform integer in 0 … n−1. */
export const randomIndex = (random: () => number, n: number) => Math.floor(random() * n)

/** The seed every analytics bootstrap of the product uses (documented in the report's method). */
export const ANALYTICS_SEED = 20261201
export const BOOTSTRAP_REPLICATES = 1000
