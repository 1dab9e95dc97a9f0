// "Does staff climate move customers?": the units' scatter, the correlations in words with their
// Fisher intervals, how reliable the unit means are (ICC), the corrected r, the units needed for
// 80% power, and which side leads from the previous wave when there is one.
import type { Correlation, CrossLagged, Icc, Linkage } from '../domain/analytics/types.js'
import * as f from '../format.js'
import { scopeText, type ScatterSpec } from './analytics-shared.js'

/** How strong a correlation is, in words (Cohen's rough bands). */
export function strength(r: number): string {
  const a = Math.abs(r)
  if (a < 0.1) return 'no real'
  const size = a < 0.3 ? 'a weak' : a < 0.5 ? 'a moderate' : 'a strong'
  return `${size} ${r > 0 ? 'positive' : 'negative'}`
}

const correlationText = (c: Correlation) => `${f.decimal(c.r)} (95%: ${f.decimalRange(c.ci95)})`
const spansZero = ([lo, hi]: [number, number]) => lo <= 0 && hi >= 0

/** The link in words; the coefficients go in `correlations`. */
export function linkageSentence(linkage: Linkage): string {
  const { pearson } = linkage
  const across = `Across ${f.count(linkage.units)} units`
  if (Math.abs(pearson.r) < 0.1) return `${across}, staff climate and customers' verdict show no real link.`
  const direction = pearson.r > 0 ? 'more' : 'less'
  const chance = spansZero(pearson.ci95) ? ', but with this few units it could be chance' : ''
  return `${across}, units whose staff feel better about the service tend to have ${direction} satisfied customers: ${strength(pearson.r)} link${chance}.`
}

export const correlationsText = (linkage: Linkage) =>
  `Pearson r = ${correlationText(linkage.pearson)} · Spearman ρ = ${correlationText(linkage.spearman)} (Fisher-z intervals over ${f.count(linkage.units)} units)`

const iccText = (icc: Icc | null) => (icc
  ? `ICC(1) ${f.decimal(icc.icc1)}, ICC(2) ${f.decimal(icc.icc2)} (${f.count(icc.respondents)} respondents in ${f.count(icc.units)} units)`
  : 'not available')

const estimate = (e: { estimate: number; ci95: [number, number] }) => `${f.decimal(e.estimate)} (95%: ${f.decimalRange(e.ci95)})`

/** Which side leads from the earlier wave, in words; the estimates go in `crossLaggedFigures`. */
export function crossLaggedSentence(lag: CrossLagged): string {
  const since = `From ${lag.from.name} to this wave`
  if (lag.leads === 'staff') return `${since}, staff climate seems to lead: units whose staff felt better then have more satisfied customers now, and not the other way round.`
  if (lag.leads === 'customers') return `${since}, customers seem to lead: units whose customers were more satisfied then have staff who feel better now, and not the other way round.`
  return `${since}, neither side clearly leads the other.`
}

const crossLaggedFigures = (lag: CrossLagged) =>
  `Over ${f.count(lag.units)} units in both waves: staff climate → later customers ${estimate(lag.staffLeads)}; customers → later staff climate ${estimate(lag.customersLead)}; intervals from ${f.count(lag.bootstrap.replicates)} bootstrap replicates over units, seed ${lag.bootstrap.seed}.`

export function presentLinkage(linkage: Linkage) {
  const spec: ScatterSpec = {
    kind: 'scatter',
    axes: { x: 'Staff climate (staff who agree)', y: 'Customers who agree (headline)' },
    points: linkage.points.map((p) => ({ label: p.unit.name, x: p.staff, y: p.customer })),
    cuts: null,
    quadrants: null,
  }
  return {
    scope: scopeText(linkage.scope),
    sentence: linkageSentence(linkage),
    correlations: correlationsText(linkage),
    chart: JSON.stringify(spec),
    rows: linkage.points.map((p) => ({
      unit: p.unit.name,
      staff: f.percent(p.staff),
      staffN: f.count(p.staffN),
      customer: f.percent(p.customer),
      customerN: f.count(p.customerN),
    })),
    icc: { staff: iccText(linkage.icc.staff), customer: iccText(linkage.icc.customer) },
    disattenuated: linkage.disattenuated === null
      ? 'The correction for unreliable unit means needs both sides\' ICC(2) above zero, so it is not given.'
      : `Allowing for how much unit means wobble by chance, the link would be r = ${f.decimal(linkage.disattenuated)}.`,
    power: linkage.unitsFor80Power === null
      ? 'With r = 0 no number of units would show a link.'
      : `To tell a link this size from chance (80% power, α = 0.05), you need about ${f.count(linkage.unitsFor80Power)} units; you have ${f.count(linkage.units)}.`,
    crossLagged: linkage.crossLagged ? { sentence: crossLaggedSentence(linkage.crossLagged), figures: crossLaggedFigures(linkage.crossLagged) } : null,
  }
}
