// Summarises a V8 CPU profile (node --cpu-prof, or BENCH_PROFILE=1 npm run bench -- submit):
// where the time went, by function (self time) and by package or source file.
//   node --import tsx test/bench/profile.ts /tmp/sg-bench-profiles/<run>/<file>.cpuprofile [top] [skip seconds]
import { readFileSync } from 'node:fs'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}

interface Profile {
  nodes: Node[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

/** Self time per node id, in microseconds, from the sample deltas; samples before `skipSeconds` left out. */
function selfTimes(profile: Profile, skipSeconds: number): Map<number, number> {
  const times = new Map<number, number>()
  let at = 0
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0
    if (at < skipSeconds * 1e6) return
    times.set(id, (times.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0))
  })
  return times
}

/** node_modules/<package> or the project file, for grouping. */
function place(url: string): string {
  if (!url) return '(native / V8)'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg) return pkg[1]!
  if (url.startsWith('node:')) return url
  const own = /\/((?:server|db|test)\/.*)$/.exec(url)
  return own ? own[1]! : url.replace(/^file:\/\//, '')
}

export function summarise(file: string, top = 25, skipSeconds = 0): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
  const self = selfTimes(profile, skipSeconds)
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]))
  const byFunction = new Map<string, number>()
  const byPlace = new Map<string, number>()
  for (const [id, time] of self) {
    const node = byNode.get(id)!
    const { functionName, url, lineNumber } = node.callFrame
    const name = `${functionName || '(anonymous)'} ${place(url)}${url ? `:${lineNumber + 1}` : ''}`
    byFunction.set(name, (byFunction.get(name) ?? 0) + time)
    byPlace.set(place(url), (byPlace.get(place(url)) ?? 0) + time)
  }
  const share = (time: number) => `${((100 * time) / total).toFixed(1).padStart(5)} %`
  const list = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, time]) => `${share(time)}  ${name}`)
  return [
    `${file}: ${(total / 1e6).toFixed(1)} s sampled${skipSeconds ? ` (after the first ${skipSeconds} s)` : ''}`,
    '',
    'By package or file (self time):',
    ...list(byPlace),
    '',
    'By function (self time):',
    ...list(byFunction),
  ].join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, top, skip] = process.argv.slice(2)
  if (!file) {
    console.error('usage: node --import tsx test/bench/profile.ts <file.cpuprofile> [top] [seconds to skip, e.g. start-up]')
    process.exit(2)
  }
  console.log(summarise(file, Number(top) || 25, Number(skip) || 0))
}
