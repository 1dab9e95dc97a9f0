// The order of the dashboard's item table (and of its chart, which follows the table): by gap, widest
// first (the default); by the fix-first ranking of the report's analytics; or as the questionnaire
// asks them. The choice travels in the address (?order=…) beside the page's filters, so the switch is
// three plain links that work without JavaScript. Ordering shows no new number: the gaps and the
// fix-first ranks are on the page already.
import type { Analytics } from '../domain/analytics/types.js'
import type { ItemResult } from '../domain/report.js'
import { SIDES } from '../domain/types.js'
import { scopeText } from './analytics-shared.js'

export const ITEM_ORDERS = ['gap', 'fix-first', 'instrument'] as const
export type ItemOrder = (typeof ITEM_ORDERS)[number]
export const DEFAULT_ITEM_ORDER: ItemOrder = 'gap'

const LABELS: Record<ItemOrder, string> = {
  gap: 'Widest gap first',
  'fix-first': 'Fix first',
  instrument: 'Questionnaire order',
}
/** The order as the table's caption ends: "Agreement per item, …, widest gap first". */
const CAPTIONS: Record<ItemOrder, string> = {
  gap: 'widest gap first',
  'fix-first': 'in fix-first order',
  instrument: 'in questionnaire order',
}

/** The order an address asks for; anything else (missing, repeated, unknown) is the default. */
export function parseItemOrder(value: unknown): ItemOrder {
  return typeof value === 'string' && (ITEM_ORDERS as readonly string[]).includes(value) ? (value as ItemOrder) : DEFAULT_ITEM_ORDER
}

/**
 * Staff's overrating largest first (gap in points, highest first), items where customers think
 * better of the service than staff last; items without a gap (a side hidden) after them, each group
 * in questionnaire order where it ties.
 */
function byGap(items: readonly ItemResult[]): ItemResult[] {
  const position = new Map(items.map((item, i) => [item.key, i]))
  return [...items].sort((a, b) => {
    if (a.gap && b.gap) return b.gap.points - a.gap.points || position.get(a.key)! - position.get(b.key)!
    if (a.gap || b.gap) return a.gap ? -1 : 1
    return position.get(a.key)! - position.get(b.key)!
  })
}

/** The items by their fix-first rank; items without one (the headline, which the drivers explain) last, by gap. */
function byFixFirst(items: readonly ItemResult[], ranks: ReadonlyMap<string, number>): ItemResult[] {
  const ranked = items.filter((item) => ranks.has(item.key)).sort((a, b) => ranks.get(a.key)! - ranks.get(b.key)!)
  return [...ranked, ...byGap(items.filter((item) => !ranks.has(item.key)))]
}

/** The filters a report was made with: the unit (by name) and each side's attribute values. */
type ShownFilters = { unit: { name: string } | null; staff: Record<string, string>; customer: Record<string, string> }

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1)

/** The page's filters as query parameters, so that changing the order keeps them. */
function filterParams(filters: ShownFilters): Array<[string, string]> {
  return [
    ...(filters.unit ? [['unit', filters.unit.name] as [string, string]] : []),
    ...SIDES.flatMap((side) => Object.entries(filters[side]).map(([name, value]) => [`${side}.${name}`, value] as [string, string])),
  ]
}

export interface ItemsOrderView {
  /** The order the table is in (fix-first asked for but not available: gap). */
  applied: ItemOrder
  /** The switch: one link per order, the applied one marked current; fix-first without a link when it is not available. */
  choices: Array<{ key: ItemOrder; label: string; href: string | null; current: boolean }>
  /** A sentence beside the switch: where the fix-first ranks come from, or why there are none. */
  note: string | null
  /** How the caption says the order. */
  caption: string
  /** For the filter form: the order to keep when the filters change (null for the default). */
  keep: string | null
}

/**
 * The report's items in the order asked for, with the switch that changes it. `waveUrl` is the wave
 * page's address; the links add the filters in force and the order (the default order adds none).
 */
export function orderItems(
  report: { items: ItemResult[]; filters: ShownFilters } & Pick<Analytics, 'fixFirst' | 'unavailable'>,
  asked: ItemOrder,
  waveUrl: string,
): { items: ItemResult[]; order: ItemsOrderView } {
  const fixFirst = report.fixFirst
  const applied: ItemOrder = asked === 'fix-first' && !fixFirst ? 'gap' : asked
  const ranks = new Map((fixFirst?.items ?? []).map((item) => [item.key, item.rank]))
  const items = applied === 'gap' ? byGap(report.items) : applied === 'fix-first' ? byFixFirst(report.items, ranks) : [...report.items]
  const params = filterParams(report.filters)
  const href = (order: ItemOrder) => {
    const query = new URLSearchParams([...params, ...(order === DEFAULT_ITEM_ORDER ? [] : [['order', order] as [string, string]])]).toString()
    return `${waveUrl}${query ? `?${query}` : ''}#items-title`
  }
  const missing = report.unavailable.fixFirst?.message ?? 'Fix first is not available for this report.'
  const note = fixFirst
    ? (applied === 'fix-first'
      ? `Fix-first ranks as in the Fix first section below (${lowerFirst(scopeText(fixFirst.scope))}); items without a rank, such as the headline the drivers explain, come last.`
      : null)
    : `${asked === 'fix-first' ? 'Shown by gap: no fix-first order. ' : 'No fix-first order: '}${missing}`
  return {
    items,
    order: {
      applied,
      choices: ITEM_ORDERS.map((key) => ({ key, label: LABELS[key], href: key === 'fix-first' && !fixFirst ? null : href(key), current: key === applied })),
      note,
      caption: CAPTIONS[applied],
      keep: applied === DEFAULT_ITEM_ORDER ? null : applied,
    },
  }
}
