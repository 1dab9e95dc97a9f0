// What changed in the wording between two versions of an instrument, item by item, by key. The trend
// flags a wave whose item kept its key but not its wording (so a reader knows a move may come from the
// new words rather than the service); an item added or removed simply has no point in the other wave.
import type { LocalizedText } from './types.js'

/** What of an item the comparison reads: its key and both wordings. */
export interface WordedItem { key: string; staffText: LocalizedText; customerText: LocalizedText }

export interface WordingChanges {
  /** For every key in both versions: whether a staff or customer wording changed in a language both versions have. */
  changed: ReadonlyMap<string, boolean>
  /** Keys only the next version has, in its order. */
  added: string[]
  /** Keys only the previous version has, in its order. */
  removed: string[]
}

/** Whether one wording differs in any language both texts have (surrounding spaces do not count). */
export function textChanged(before: LocalizedText, after: LocalizedText): boolean {
  for (const locale of Object.keys(before)) {
    if (!Object.hasOwn(after, locale)) continue
    const [a, b] = [before[locale]?.trim() ?? '', after[locale]?.trim() ?? '']
    if (a !== '' && b !== '' && a !== b) return true
  }
  return false
}

export function wordingChanges(previous: { items: readonly WordedItem[] }, next: { items: readonly WordedItem[] }): WordingChanges {
  const before = new Map(previous.items.map((item) => [item.key, item]))
  const nextKeys = new Set(next.items.map((item) => item.key))
  const changed = new Map<string, boolean>()
  const added: string[] = []
  for (const item of next.items) {
    const old = before.get(item.key)
    if (!old) added.push(item.key)
    else changed.set(item.key, textChanged(old.staffText, item.staffText) || textChanged(old.customerText, item.customerText))
  }
  return { changed, added, removed: previous.items.map((item) => item.key).filter((key) => !nextKeys.has(key)) }
}
