// Made-up customer answers for key drivers (tests and test/bench/drivers.ts): each predictor on a 1–5
// scale is a shared factor plus its own noise, the headline a weighted mix of the predictors plus noise,
// and some predictor answers are missing. Seeded, so a test or a timing sees the same answers each run.
import type { DriverRows } from '../../server/domain/analytics/drivers.js'
import { seededRandom } from '../../server/domain/analytics/random.js'

export interface DriverAnswers {
  n: number
  /** How strongly each predictor moves the headline (one per predictor). */
  effects: number[]
  seed: number
  /** The chance that a predictor answer is missing. */
  missing?: number
  /** How much of each predictor is the shared factor, and how much its own noise. */
  shared?: number
  noise?: number
  /** The headline: outcomeWeight × Σ effect·predictor + outcomeNoise × noise, then put on the scale. */
  outcomeWeight?: number
  outcomeNoise?: number
}

export function driverAnswers({ n, effects, seed, missing = 0, shared = 0.5, noise = 1, outcomeWeight = 0.6, outcomeNoise = 0.6 }: DriverAnswers): DriverRows {
  const random = seededRandom(seed)
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  const toScale = (latent: number) => Math.max(1, Math.min(5, Math.round(3 + latent)))
  const q = 1 + effects.length
  const values = new Float64Array(n * q)
  for (let i = 0; i < n; i++) {
    const factor = normal()
    let outcome = 0
    effects.forEach((effect, j) => {
      const latent = shared * factor + noise * normal()
      outcome += effect * latent
      values[i * q + 1 + j] = random() < missing ? NaN : toScale(latent)
    })
    values[i * q] = toScale(outcomeWeight * outcome + outcomeNoise * normal())
  }
  const predictors = effects.map((_, j) => ({ key: `item_${j + 1}`, dimension: `dimension_${j + 1}` }))
  return { outcome: 'headline', predictors, values, n }
}
