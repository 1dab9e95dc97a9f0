// The anonymity release (server/domain/release.ts) for a large organization: 200 units and 5 staff
// attributes, at three sizes. Timed in this process, without a database: computing a release from its
// profiles, the next staff step with 50 answers waiting, and reading a cached release (what a report
// does while the profiles stay the same). Baseline: primary suppression alone — summing each group
// and comparing it with k — the least any release must do over the same lattice.
import { Release, nextStaffStep, type Profile } from '../../server/domain/release.js'
import { round, type Row, type ScenarioResult } from './lib.js'

const UNITS = 200
const ATTRIBUTES = 5
const MEASURES = 18
const K = 5

/** A small seeded generator, so every run measures the same organization. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Respondents spread unevenly over units and attribute values (some lack an attribute), as profiles. */
export function organization(respondents: number, seed = 7): Profile[] {
  const next = random(seed)
  const profiles = new Map<string, { unitKey: string; attributes: Record<string, string>; counts: number[] }>()
  for (let i = 0; i < respondents; i++) {
    const unitKey = `unit-${Math.floor(next() * next() * UNITS)}`
    const attributes: Record<string, string> = {}
    for (let a = 0; a < ATTRIBUTES; a++) if (next() < 0.95) attributes[`attribute${a}`] = `value${Math.floor(next() * next() * 6)}`
    const counts = [1, ...Array.from({ length: MEASURES - 1 }, () => (next() < 0.9 ? 1 : 0))]
    const key = JSON.stringify([unitKey, attributes])
    const profile = profiles.get(key)
    if (profile) counts.forEach((c, m) => { profile.counts[m]! += c })
    else profiles.set(key, { unitKey, attributes, counts })
  }
  return [...profiles.values()]
}

/** Primary suppression only: every group's respondents summed and compared with k. */
function primaryOnly(profiles: readonly Profile[]): number {
  const counts = new Map<string, number>()
  const add = (key: string, n: number) => counts.set(key, (counts.get(key) ?? 0) + n)
  for (const p of profiles) {
    for (let m = 0; m < MEASURES; m++) {
      const n = p.counts[m] ?? 0
      add(`${m}|*`, n)
      add(`${m}|${p.unitKey}`, n)
      for (const [name, value] of Object.entries(p.attributes)) {
        add(`${m}|*|${name}=${value}`, n)
        add(`${m}|${p.unitKey}|${name}=${value}`, n)
      }
    }
  }
  let hidden = 0
  for (const n of counts.values()) if (n > 0 && n < K) hidden++
  return hidden
}

function time<T>(run: () => T, times: number): { ms: number; result: T } {
  let result!: T
  const spent: number[] = []
  for (let i = 0; i < times; i++) {
    const start = performance.now()
    result = run()
    spent.push(performance.now() - start)
  }
  spent.sort((a, b) => a - b)
  return { ms: spent[Math.floor(spent.length / 2)]!, result }
}

export async function releaseScenario(): Promise<ScenarioResult> {
  const rows: Row[] = []
  const details: Record<string, unknown> = { units: UNITS, attributes: ATTRIBUTES, measures: MEASURES, k: K }
  for (const respondents of [2_000, 20_000, 100_000]) {
    const profiles = organization(respondents)
    const baseline = time(() => primaryOnly(profiles), 3)
    const computed = time(() => new Release(profiles, K), 3)
    const tally = computed.result.tally()
    rows.push({
      scenario: 'release', metric: `compute, ${respondents.toLocaleString('en-US')} staff (${profiles.length.toLocaleString('en-US')} profiles)`,
      value: round(computed.ms, 0), unit: 'ms', baseline: round(baseline.ms, 1), ratio: round(computed.ms / baseline.ms, 1),
      note: `${UNITS} units × ${ATTRIBUTES} attributes, ${MEASURES} measures; groups ${tally.groups}: shown ${tally.shown}, too few ${tally.hiddenPrimary}, hidden to protect others ${tally.hiddenSecondary}`,
    })
    details[`groups-${respondents}`] = tally
    const pending = organization(50, respondents)
    const released = profiles.map((p) => ({ ...p, step: 1 }))
    const step = time(() => nextStaffStep(released, pending, K, computed.result.save()), 1)
    rows.push({
      scenario: 'release', metric: `next staff step, 50 waiting, ${respondents.toLocaleString('en-US')} released`, value: round(step.ms, 0), unit: 'ms',
      note: `${step.result?.chosen.length ?? 0} of 50 may join now; runs in the background worker, not in a request`,
    })
  }
  // A report reads the release from a cache keyed by its profiles; what that read costs.
  const cache = new Map<string, Release>([['wave', new Release(organization(20_000), K)]])
  const lookups = time(() => {
    const release = cache.get('wave')!
    let shown = 0
    for (let u = 0; u < UNITS; u++) if (release.shown({ unit: `unit-${u}`, attribute: null })) shown++
    return shown
  }, 9)
  rows.push({
    scenario: 'release', metric: 'cached release: every unit asked once (200 reads)', value: round(lookups.ms, 2), unit: 'ms', target: '≤ 5 ms',
    pass: lookups.ms <= 5, note: 'what the heat map and respondents table ask of a cached release',
  })
  return { rows, details }
}
