// Times keyDrivers (server/domain/analytics/drivers.ts) on synthetic customer answers: 11 predictors
// on a 1–5 scale driven by one shared factor and their own noise, the headline built from them, 5% of
// the predictor answers missing. `node --import tsx test/bench/drivers.ts [n …]` (default 1,000,
// 10,000 and 100,000). Each size runs four times; the first run of the first size also pays for the
// JIT warming up. Wall-clock and CPU time are both shown.
import { keyDrivers } from '../../server/domain/analytics/drivers.js'
import { driverAnswers } from '../helpers/driver-answers.js'

const PREDICTORS = 11
const effects = Array.from({ length: PREDICTORS }, (_, j) => (j + 1) / PREDICTORS)
const answers = (n: number, seed: number) =>
  driverAnswers({ n, effects, seed, missing: 0.05, shared: 0.6, noise: 0.8, outcomeWeight: 0.25, outcomeNoise: 0.7 })

/** A run's wall-clock time and the CPU time it used (the two differ when other processes share the cores). */
const figures = (wall: number[], cpu: number[], run: number) => `${wall[run]!.toFixed(0)} ms (CPU ${cpu[run]!.toFixed(0)} ms)`

/** The same machine's speed right now: CPU time of 100 million multiply-adds in a plain loop. */
function baseline(): number {
  const a = new Float64Array(1_000_000).fill(1.5)
  const w = new Float64Array(1_000_000).fill(2)
  let sum = 0
  const usage = process.cpuUsage()
  for (let run = 0; run < 100; run++) for (let i = 0; i < a.length; i++) sum += w[i]! * a[i]!
  const used = process.cpuUsage(usage)
  if (sum === 0) throw new Error('unreachable')
  return (used.user + used.system) / 1000
}

console.log(`baseline: 100 million multiply-adds take ${baseline().toFixed(0)} ms of CPU`)
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0)
for (const n of sizes.length > 0 ? sizes : [1_000, 10_000, 100_000]) {
  const rows = answers(n, 7)
  const times: number[] = []
  const cpu: number[] = []
  let scheme = ''
  for (let run = 0; run < 4; run++) {
    const started = performance.now()
    const usage = process.cpuUsage()
    const result = keyDrivers(rows)
    times.push(performance.now() - started)
    const used = process.cpuUsage(usage)
    cpu.push((used.user + used.system) / 1000)
    if ('code' in result) throw new Error(result.message)
    scheme = `${result.method.bootstrap.scheme}, R² ${result.r2.toFixed(3)} [${result.r2Ci95.map((v) => v.toFixed(3)).join(', ')}]`
  }
  console.log(`n = ${n.toLocaleString('en-US')}: first ${figures(times, cpu, 0)}, then ${figures(times, cpu, 1)}, ${figures(times, cpu, 2)}, ${figures(times, cpu, 3)} (${scheme})`)
}
