// The in-process rate-limit tally: decisions on the view (last stored total plus the hits since),
// what a flush sends and reads back, windows, a failed flush, the size cap, and the overshoot bound
// with several instances on one store (a store here in memory that adds as the database's statement does).
import { describe, expect, it } from 'vitest'
import { RateTally, SETTLE_FLUSHES, type CountDelta, type CountKey, type StoredCount } from '../../server/domain/rate-tally.js'

const hash = (name: string, key: string) => `h(${name}|${key})`
const MINUTE = 60_000

/** The database's statement (repositories/rate-limits.ts addHits) in memory. */
class Store {
  readonly rows = new Map<string, StoredCount>()
  add(deltas: CountDelta[], refreshed: CountKey[], now: number): StoredCount[] {
    const out: StoredCount[] = []
    for (const d of deltas) {
      const id = `${d.name}\n${d.keyHash}`
      const row = this.rows.get(id)
      const next = !row || row.resetsAt <= now ? { ...d, hits: d.hits, resetsAt: now + d.windowMs } : { ...row, hits: row.hits + d.hits }
      const stored = { name: d.name, keyHash: d.keyHash, hits: next.hits, resetsAt: next.resetsAt }
      this.rows.set(id, stored)
      out.push(stored)
    }
    for (const k of refreshed) {
      const row = this.rows.get(`${k.name}\n${k.keyHash}`)
      if (row) out.push(row)
    }
    return out
  }
}

function flush(tally: RateTally, store: Store, now: number) {
  const batch = tally.take(now)
  if (batch) tally.settle(store.add(batch.counted, batch.refreshed, now), now)
  return batch
}

describe('rate tally', () => {
  it('decides on its own hits at once and sends them in one row per key, with the stored key hashed', () => {
    const tally = new RateTally(hash, 100)
    expect(tally.hit('login', '198.51.100.1', MINUTE, 0)).toEqual({ current: 1, ttlMs: MINUTE })
    expect(tally.hit('login', '198.51.100.1', MINUTE, 10)).toEqual({ current: 2, ttlMs: MINUTE - 10 })
    expect(tally.hit('login', '198.51.100.2', MINUTE, 20)!.current).toBe(1)
    const batch = tally.take(30)!
    expect(batch.counted).toEqual([
      { name: 'login', keyHash: hash('login', '198.51.100.1'), hits: 2, windowMs: MINUTE },
      { name: 'login', keyHash: hash('login', '198.51.100.2'), hits: 1, windowMs: MINUTE },
    ])
    expect(JSON.stringify(batch)).not.toContain('"198.51.100')
    // Hits during the flush count on top of those in flight.
    expect(tally.hit('login', '198.51.100.1', MINUTE, 40)!.current).toBe(3)
  })

  it('adds the totals the store answers with: the other instances\' hits join the view', () => {
    const store = new Store()
    const [a, b] = [new RateTally(hash, 100), new RateTally(hash, 100)]
    for (let i = 0; i < 4; i++) b.hit('form', 'x', MINUTE, 0)
    flush(b, store, 100)
    a.hit('form', 'x', MINUTE, 110)
    flush(a, store, 200)
    // a's view: the stored 5 (b's four and its own one); the next hit is the sixth.
    expect(a.hit('form', 'x', MINUTE, 210)!.current).toBe(6)
    // b reads the key again on its next flushes though it took no hit: its view catches up.
    expect(flush(b, store, 300)!.refreshed).toEqual([{ name: 'form', keyHash: hash('form', 'x') }])
    expect(b.hit('form', 'x', MINUTE, 310)!.current).toBe(6)
  })

  it('reads a key again for SETTLE_FLUSHES flushes after its last hits, then leaves it', () => {
    const store = new Store()
    const tally = new RateTally(hash, 100)
    tally.hit('form', 'x', MINUTE, 0)
    expect(flush(tally, store, 1)!.counted).toHaveLength(1)
    for (let i = 1; i < SETTLE_FLUSHES + 1; i++) expect(flush(tally, store, 1 + i)!.refreshed).toHaveLength(1)
    expect(tally.take(100)).toBeNull()
  })

  it('starts a new window when the last one ends, and follows the store\'s window', () => {
    const store = new Store()
    const tally = new RateTally(hash, 100)
    for (let i = 0; i < 3; i++) tally.hit('form', 'x', MINUTE, 0)
    flush(tally, store, 0)
    expect(tally.hit('form', 'x', MINUTE, MINUTE - 1)).toEqual({ current: 4, ttlMs: 1 })
    flush(tally, store, MINUTE - 1)
    expect(tally.hit('form', 'x', MINUTE, MINUTE)).toEqual({ current: 1, ttlMs: MINUTE })
    flush(tally, store, MINUTE + 5)
    expect(store.rows.get(`form\n${hash('form', 'x')}`)).toMatchObject({ hits: 1, resetsAt: 2 * MINUTE + 5 })
    expect(tally.hit('form', 'x', MINUTE, MINUTE + 10)).toEqual({ current: 2, ttlMs: MINUTE - 5 })
  })

  it('keeps the hits of a failed flush and sends them with the next one', () => {
    const store = new Store()
    const tally = new RateTally(hash, 100)
    tally.hit('form', 'x', MINUTE, 0)
    tally.hit('form', 'x', MINUTE, 0)
    expect(tally.take(10)!.counted[0]!.hits).toBe(2)
    tally.hit('form', 'x', MINUTE, 20)
    tally.fail()
    // The view still holds all three while the store is away: the limit goes on counting here.
    expect(tally.hit('form', 'x', MINUTE, 30)!.current).toBe(4)
    expect(flush(tally, store, 40)!.counted[0]!.hits).toBe(4)
    expect(store.rows.get(`form\n${hash('form', 'x')}`)!.hits).toBe(4)
  })

  it('holds at most maxKeys keys: a new key beyond is let through and reported; ended and idle keys make room', () => {
    const store = new Store()
    const tally = new RateTally(hash, 3)
    for (const key of ['a', 'b', 'c']) tally.hit('form', key, 1000, 0)
    expect(tally.hit('form', 'd', 1000, 0)).toBeNull()
    expect(tally.hit('form', 'a', 1000, 0)!.current).toBe(2)
    const batch = flush(tally, store, 10)!
    expect(batch.uncounted).toBe(1)
    expect(tally.size).toBe(3)
    // Ended windows with nothing to send are dropped at the next flush (the store's windows started at its flush).
    tally.take(1010)
    expect(tally.size).toBe(0)
    expect(tally.hit('form', 'd', 1000, 1011)!.current).toBe(1)
    // While the store is away, keys with hits to send are kept, and the tally stays full.
    for (const key of ['e', 'f']) tally.hit('form', key, 1000, 1011)
    tally.take(1012)
    tally.fail()
    expect(tally.hit('form', 'g', 1000, 1013)).toBeNull()
    expect(tally.size).toBe(3)
  })

  it('with several instances lets through at most the limit plus about two intervals of the others\' hits, never more than N × the limit', () => {
    const INTERVAL = 200
    const MAX = 100
    for (const instances of [2, 3, 5]) {
      for (const perTick of [1, 5, 50]) {
        const store = new Store()
        const tallies = Array.from({ length: instances }, () => new RateTally(hash, 100))
        let allowed = 0
        // 10 ms ticks, each instance taking perTick hits; each flushes every INTERVAL, at its own phase.
        for (let now = 0; now < 20_000; now += 10) {
          tallies.forEach((tally, i) => {
            for (let h = 0; h < perTick; h++) if (tally.hit('form', 'x', MINUTE, now)!.current <= MAX) allowed++
            const phase = Math.round((i * INTERVAL) / instances / 10) * 10
            if ((now + phase) % INTERVAL === 0) flush(tally, store, now)
          })
        }
        const othersInTwoIntervals = (instances - 1) * perTick * ((2 * INTERVAL) / 10)
        expect(allowed).toBeGreaterThanOrEqual(MAX)
        expect(allowed).toBeLessThanOrEqual(Math.min(MAX + othersInTwoIntervals, instances * MAX))
        // Per-instance limits would let every instance take the whole limit: the shared one does not, while it can tell.
        if (othersInTwoIntervals < (instances - 1) * MAX) expect(allowed).toBeLessThan(instances * MAX)
      }
    }
  })

  it('is exact with one instance', () => {
    const store = new Store()
    const tally = new RateTally(hash, 100)
    let allowed = 0
    for (let now = 0; now < 5000; now += 10) {
      if (tally.hit('form', 'x', MINUTE, now)!.current <= 10) allowed++
      if (now % 200 === 0) flush(tally, store, now)
    }
    expect(allowed).toBe(10)
  })
})
