// The dashboard's "How the answers spread" block: for every item, each side's answers per point of the
// item's own scale (5 points for 1–5, 11 for 0–10), as a table of counts and as the 'spread' chart that
// public/dashboard.js draws (each side's share of its answers at each point). A hidden side prints
// "hidden" and draws no bars: the release decides, as for every other figure.
import { isSuppressed, type ItemResult, type Share } from '../domain/report.js'
import { agreeThreshold, scaleValues } from '../domain/scale.js'
import { SIDES, type Scale, type Side } from '../domain/types.js'
import * as f from '../format.js'

/** A 'spread' chart: the scale's points and, per side, the share of its answers at each (null when hidden). */
export interface SpreadSpec {
  kind: 'spread'
  item: string
  labels: string[]
  /** Where agreement starts: the index of the first point that counts as agreeing. */
  agreeFrom: number
  staff: number[] | null
  customer: number[] | null
}

const SCALE_NAMES: Record<Scale, string> = { agree5: '1 to 5; 4 and 5 agree', likelihood11: '0 to 10; 9 and 10 agree' }

const shares = (share: Share) => (isSuppressed(share) || share.n === 0 ? null : share.distribution.map((count) => count / share.n))

export function presentSpread(items: readonly ItemResult[], hidden: string) {
  return items.map((item) => {
    const values = scaleValues(item.scale)
    const label = f.itemLabel(item.key)
    const chart: SpreadSpec = {
      kind: 'spread', item: label, labels: values.map(String), agreeFrom: values.indexOf(agreeThreshold(item.scale)),
      staff: shares(item.staff), customer: shares(item.customer),
    }
    return {
      key: item.key,
      label,
      scale: SCALE_NAMES[item.scale],
      values: values.map(String),
      chart: JSON.stringify(chart),
      rows: SIDES.map((side: Side) => {
        const share = item[side]
        return isSuppressed(share)
          ? { side: f.side(side), hidden, cells: null, n: null }
          : { side: f.side(side), hidden: null, cells: share.distribution.map(f.count), n: f.count(share.n) }
      }),
    }
  })
}

/** The items table's note on what agreeing means, for the scales the instrument has. */
export function agreeRule(items: ReadonlyArray<{ scale: Scale }>): string {
  const scales = new Set(items.map((item) => item.scale))
  const parts = [...(scales.has('agree5') ? ['4 or 5 of 5'] : []), ...(scales.has('likelihood11') ? ['9 or 10 of 0–10'] : [])]
  return parts.join('; ')
}
