// What changed in the wording between two versions of an instrument, item by item, by key. The trend
// flags a wave whose item kept its key but not its wording (so a reader knows a move may come from the
// new words rather than the service); an item added or removed simply has no point in the other wave.
// A new scale under the same key is more than new words: its shares count other answers as agreeing
// (4–5 of 1–5, 9–10 of 0–10), so the trend breaks the item's line there (itemRevisions).
import type { LocalizedText, Scale } from './types.js'

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

/** What the trend reads of an item of a wave's instrument: its key, scale and both wordings. */
export interface RevisedItem extends WordedItem { scale: Scale }

/** How an item in one wave differs from the same key in the latest earlier wave that has it. */
export interface ItemRevision {
  /** A staff or customer wording changed, in a language both waves have. */
  wordingChanged: boolean
  /** The scale changed: the shares measure something else from here on. */
  scaleChanged: boolean
}

/**
 * Per key, one revision per wave (waves oldest first): whether the item's wording or scale differs from
 * the latest earlier wave that has the item. A wave without the item, and the first that has it, have
 * neither flag. An item that skips a wave is compared across the gap, as the trend's line would be read.
 */
export function itemRevisions(keys: readonly string[], waves: ReadonlyArray<{ items: readonly RevisedItem[] }>): Map<string, ItemRevision[]> {
  const byWave = waves.map((wave) => new Map(wave.items.map((item) => [item.key, item])))
  return new Map(keys.map((key) => {
    let last: RevisedItem | undefined
    return [key, byWave.map((items) => {
      const item = items.get(key)
      const revision = {
        wordingChanged: item !== undefined && last !== undefined && (textChanged(last.staffText, item.staffText) || textChanged(last.customerText, item.customerText)),
        scaleChanged: item !== undefined && last !== undefined && last.scale !== item.scale,
      }
      if (item) last = item
      return revision
    })]
  }))
}
