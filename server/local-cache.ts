// A small in-process cache for copies of database rows that either never change (a frozen instrument)
// or are checked again by the database whenever they are used (a survey link read a moment ago). It is
// bounded the simplest way: once it holds `max` entries it starts afresh.
export class LocalCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>()

  constructor(private readonly options: { ttlMs?: number; max?: number } = {}) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    if (entry.until > Date.now()) return entry.value
    this.entries.delete(key)
    return undefined
  }

  set(key: K, value: V): void {
    if (this.entries.size >= (this.options.max ?? 1000)) this.entries.clear()
    this.entries.set(key, { value, until: Date.now() + (this.options.ttlMs ?? Infinity) })
  }

  delete(key: K): void {
    this.entries.delete(key)
  }

  /** The kept value, or the loaded one, kept from now on. */
  async getOrLoad(key: K, load: () => Promise<V>): Promise<V> {
    const kept = this.get(key)
    if (kept !== undefined) return kept
    const value = await load()
    this.set(key, value)
    return value
  }
}
