// The in-process tally behind the shared rate limits (plugins/rate-limit-store.ts). An instance
// decides each hit at once, on what it knows: the key's total in the shared store as last read, plus
// the hits it has taken since. Every flush interval it hands over the hits not yet sent (take), and
// the store's answer, everyone's totals, becomes its new view (settle). Keys sent in the last
// SETTLE_FLUSHES flushes are read again on the next ones even when they took no hit, so a view
// catches up with the other instances' last hits after a burst ends.
//
// The bound. A hit is let through when the view says the limit is not reached. The view lacks the
// hits other instances took and had not yet stored when this one last read: about two flush intervals
// of their traffic on that key (their hits wait up to one interval to be sent, and this view is up
// to one interval old). A key this instance has not seen for longer is decided on its older view
// until its next flush, one interval later. So with N instances a limit of `max` a window lets
// through at most `max` plus what the other instances take on that key within about two flush
// intervals, and never more than N × `max`: an instance's own hits are always in its view. With one
// instance the limit is exact.
//
// Windows are the store's: a window starts with its first hit and lasts `windowMs`. Until the
// store has answered, the tally assumes the window started with its own first hit. A window that
// ends here starts afresh at once; hits not yet sent are kept and go into the store's next window
// (an over-count of at most one interval's hits, at the boundary). A failed flush puts its hits back
// to be sent with the next one; meanwhile each instance goes on counting on its own, so an outage of
// the store never refuses a hit the shared count would have let through.
//
// Memory is bounded: at most `maxKeys` keys are held. Ended windows with nothing to send are dropped
// at each flush and, when the tally is full, also keys not hit lately; a hit on a new key while it is
// still full is not counted (let through) and reported by take().

/** Flushes after its last hit that a key is read again, so its view catches up with the others' hits. */
export const SETTLE_FLUSHES = 3

export interface TallyDecision {
  /** Hits in the window as far as this instance knows, this one included. */
  current: number
  /** Milliseconds until the window ends. */
  ttlMs: number
}

/** A limit and a key, as the shared store names them (the key a keyed hash, never as it came). */
export interface CountKey {
  name: string
  keyHash: string
}

export interface CountDelta extends CountKey {
  /** Hits to add to the key's window. */
  hits: number
  windowMs: number
}

/** A key's count in the shared store: everyone's hits in its window, and when the window ends (epoch ms). */
export interface StoredCount extends CountKey {
  hits: number
  resetsAt: number
}

export interface TallyBatch {
  /** Hits to add, one row per key, in the same order on every instance (name, then key). */
  counted: CountDelta[]
  /** Keys to read back without adding to them. */
  refreshed: CountKey[]
  /** Hits let through uncounted since the last batch because the tally was full. */
  uncounted: number
}

interface Entry extends CountKey {
  windowMs: number
  /** The store's total as last read; it includes this instance's hits sent until then. */
  shared: number
  /** Hits sent in the flush under way. */
  inFlight: number
  /** Hits not sent yet. */
  pending: number
  /** When the window ends (epoch ms). */
  resetsAt: number
  /** The flush (by number) that last sent this key's hits. */
  sentIn: number
}

const byKey = (a: CountKey, b: CountKey) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.keyHash < b.keyHash ? -1 : a.keyHash > b.keyHash ? 1 : 0

export class RateTally {
  private readonly entries = new Map<string, Entry>()
  /** The keys of the flush under way, by name and stored key, with the window each was in when taken. */
  private readonly batch = new Map<string, { entry: Entry; resetsAt: number }>()
  private flushes = 0
  private uncounted = 0

  /**
   * @param hashKey turns a limit's name and a key as it came (an address) into the key stored; called once per key held.
   * @param maxKeys how many keys the tally holds at most.
   */
  constructor(private readonly hashKey: (name: string, key: string) => string, private readonly maxKeys: number) {}

  get size(): number {
    return this.entries.size
  }

  /** Counts one hit; null when the tally is full and the key new (the hit is let through uncounted). */
  hit(name: string, key: string, windowMs: number, now: number): TallyDecision | null {
    const id = `${name}\n${key}`
    let entry = this.entries.get(id)
    if (!entry) {
      if (this.entries.size >= this.maxKeys) {
        this.uncounted++
        return null
      }
      entry = { name, keyHash: this.hashKey(name, key), windowMs, shared: 0, inFlight: 0, pending: 0, resetsAt: now + windowMs, sentIn: -SETTLE_FLUSHES }
      this.entries.set(id, entry)
    } else if (now >= entry.resetsAt) {
      entry.shared = 0
      entry.resetsAt = now + windowMs
    }
    entry.windowMs = windowMs
    entry.pending++
    return { current: entry.shared + entry.inFlight + entry.pending, ttlMs: entry.resetsAt - now }
  }

  /** The next flush's work, or null when there is none; its hits count as in flight until settle or fail. */
  take(now: number): TallyBatch | null {
    if (this.batch.size) throw new Error('a flush is still under way')
    const flush = ++this.flushes
    const full = this.entries.size >= this.maxKeys
    const counted: Entry[] = []
    const refreshed: Entry[] = []
    for (const [id, entry] of this.entries) {
      if (entry.pending) {
        counted.push(entry)
        continue
      }
      const recent = flush - entry.sentIn <= SETTLE_FLUSHES
      if (entry.resetsAt <= now || (full && !recent)) this.entries.delete(id)
      else if (recent) refreshed.push(entry)
    }
    const uncounted = this.uncounted
    this.uncounted = 0
    if (!counted.length && !refreshed.length && !uncounted) return null
    for (const entry of counted) {
      entry.inFlight = entry.pending
      entry.pending = 0
      entry.sentIn = flush
    }
    for (const entry of [...counted, ...refreshed]) this.batch.set(`${entry.name}\n${entry.keyHash}`, { entry, resetsAt: entry.resetsAt })
    return {
      counted: counted.map((e) => ({ name: e.name, keyHash: e.keyHash, hits: e.inFlight, windowMs: e.windowMs })).sort(byKey),
      refreshed: refreshed.map((e) => ({ name: e.name, keyHash: e.keyHash })),
      uncounted,
    }
  }

  /** The store took the batch: its answer (the totals of the keys it holds) becomes the view. */
  settle(stored: StoredCount[], now: number): void {
    for (const count of stored) {
      const taken = this.batch.get(`${count.name}\n${count.keyHash}`)
      if (!taken) continue
      const { entry } = taken
      if (count.resetsAt > now) {
        entry.shared = count.hits
        entry.resetsAt = count.resetsAt
      } else if (entry.resetsAt === taken.resetsAt) {
        // The store's window has ended, and this entry has not started a new one since the batch
        // was taken: the next hit starts one.
        entry.shared = 0
        entry.resetsAt = count.resetsAt
      }
    }
    for (const { entry } of this.batch.values()) entry.inFlight = 0
    this.batch.clear()
  }

  /** The store did not take the batch: its hits are sent again with the next one. */
  fail(): void {
    for (const { entry } of this.batch.values()) {
      if (!entry.inFlight) continue
      entry.pending += entry.inFlight
      entry.inFlight = 0
    }
    this.batch.clear()
  }
}
