// Turns the waves' overviews (services/waves-overview.ts) into what views/pages/waves.eta prints: per
// wave its respondents, headline, gap and change in plain words with the interval beside them, and a
// card for the latest wave with answers. Numbers through server/format.ts; the template only prints.
import type { Side } from '../domain/types.js'
import { isSuppressed, type Share } from '../domain/report.js'
import * as f from '../format.js'
import type { Wave } from '../repositories/waves.js'
import type { HeadlineChange, OverviewGroup, ShownCount, WaveOverview } from '../services/waves-overview.js'
import { hiddenBecause } from './report.js'

const sideWord = (side: Side, n = 2) => (side === 'staff' ? 'staff' : n === 1 ? 'customer' : 'customers')
const countText = (side: Side, count: ShownCount) => (count.shown ? `${f.count(count.n)} ${sideWord(side, count.n)}` : `${side === 'staff' ? 'Staff' : 'Customers'}: hidden`)
const shareText = (share: Share) => (isSuppressed(share) ? 'hidden' : f.percent(share.share))

/** The gap's verdict in the dashboard's words. */
const gapVerdict = (significant: boolean) => (significant ? 'a real difference' : 'could be chance')

/** Whether the disagreement grew or shrank, in plain words (by the size of the gap, whatever its sign). */
function changeVerdict(change: HeadlineChange, now: number): string {
  if (!change.significant) return 'could be chance'
  return Math.abs(now) < Math.abs(change.before) ? 'the gap narrowed, a real change' : 'the gap widened, a real change'
}

function presentChange(overview: WaveOverview) {
  const { change, previous, headline } = overview
  if (change && headline.gap) {
    return {
      text: `${f.points(change.points)} since ${change.since.name}`,
      range: `95% interval ${f.pointsRange(change.ci95)}`,
      verdict: changeVerdict(change, headline.gap.points),
      exact: `q = ${f.pValue(change.qValue)}`,
    }
  }
  return { text: '—', range: null, verdict: previous ? `not comparable with ${previous.name}: a side of either wave is hidden or has no answers` : 'no earlier wave of this template', exact: null }
}

function presentOverview(overview: WaveOverview) {
  const { headline, responses } = overview
  const none = responses.staff.shown && responses.staff.n === 0 && responses.customer.shown && responses.customer.n === 0
  const hidden = !responses.staff.shown || !responses.customer.shown || isSuppressed(headline.staff) || isSuppressed(headline.customer)
  return {
    none,
    hidden,
    responses: { staff: countText('staff', responses.staff), customer: countText('customer', responses.customer) },
    headline: {
      label: f.itemLabel(headline.key),
      staff: shareText(headline.staff),
      customer: shareText(headline.customer),
      staffText: headline.staffText,
      customerText: headline.customerText,
    },
    gap: headline.gap
      ? { points: f.points(headline.gap.points), range: `95% interval ${f.pointsRange(headline.gap.ci95)}`, verdict: gapVerdict(headline.gap.significant), exact: `q = ${f.pValue(headline.gap.qValue)}` }
      : null,
    gapMissing: headline.gap ? null : hidden ? 'a side is hidden' : 'a side has no answers yet',
    change: presentChange(overview),
  }
}

/** When a wave runs, in words: both dates, one of them, or none set. */
function datesOf(wave: Pick<Wave, 'opensAt' | 'closesAt'>): string {
  if (wave.opensAt && wave.closesAt) return `${f.date(wave.opensAt)} – ${f.date(wave.closesAt)}`
  if (wave.opensAt) return `from ${f.date(wave.opensAt)}`
  if (wave.closesAt) return `until ${f.date(wave.closesAt)}`
  return 'no dates set'
}

export function presentWavesOverview(input: { waves: readonly Wave[]; overviews: ReadonlyArray<WaveOverview | null>; group: OverviewGroup; minGroupSize: number }) {
  const { waves, overviews, group, minGroupSize: min } = input
  const rows = waves.map((wave, i) => {
    const overview = overviews[i] ?? null
    const figures = overview ? presentOverview(overview) : null
    return {
      id: wave.id,
      href: `/waves/${wave.id}`,
      name: wave.name,
      status: wave.status,
      template: `${wave.instrumentName} v${wave.instrumentVersion}`,
      dates: `${datesOf(wave)}${wave.repeatEvery ? ` · repeats every ${wave.repeatEvery}` : ''}`,
      figures,
      /** In place of the figures when there are none to show. */
      empty: !figures ? null : figures.none ? (group?.unit ? `No answers from ${group.unit.name} yet` : wave.status === 'draft' ? (wave.opensAt ? `Scheduled: opens ${f.date(wave.opensAt)}` : 'Draft: no answers yet') : 'No answers yet') : null,
    }
  })
  // The card: the newest wave with answers shown on at least one side.
  const answered = (overview: WaveOverview | null) => overview !== null && [overview.responses.staff, overview.responses.customer].some((c) => c.shown && c.n > 0)
  const latest = rows.find((_, i) => answered(overviews[i] ?? null))
  const unitName = group?.unit?.name ?? null
  return {
    rows,
    latest: latest ? { ...latest, figures: latest.figures! } : null,
    /** Above the table: whose figures these are, for a unit manager. */
    scopeNote: group === null
      ? 'No units are assigned to you yet, so there are no figures to show. Ask an owner or admin of your organization.'
      : unitName ? `Figures for ${unitName}, one of your units: you see your units only, never the whole wave. Open a wave to see your units.` : null,
    unit: unitName,
    hiddenNote: rows.some((row) => row.figures?.hidden) ? `Hidden: ${hiddenBecause(min).replace(/^hidden: /, '')}.` : null,
  }
}
