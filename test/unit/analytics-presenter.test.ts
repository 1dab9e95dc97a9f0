// The analytics presenter: the sentences, signs and intervals a leader reads, from hand-made analyses,
// and the reason shown in place of each analysis that is missing.
import { describe, expect, it } from 'vitest'
import { presentAnalytics } from '../../server/presenters/analytics.js'
import { scopeText } from '../../server/presenters/analytics-shared.js'
import { errorSentence, headlineSentence, unitsSentence } from '../../server/presenters/analytics-prediction.js'
import { crossLaggedSentence, linkageSentence, strength } from '../../server/presenters/analytics-linkage.js'
import { analytics, noAnalytics, WHOLE } from '../helpers/analytics.js'

const MINUS = '\u2212'

describe('fix first', () => {
  const view = presentAnalytics(analytics()).fixFirst.view!

  it('lists the top items as the report words them, each with its gap and weight and their 95% intervals', () => {
    expect(view.top.map((t) => t.sentence)).toEqual(analytics().fixFirst!.top.map((t) => t.sentence))
    expect(view.top[0]).toMatchObject({ label: 'Easy', gap: '+41 pts (95%: +30 to +52)', weight: '24% (95%: 18–30%)' })
  })

  it('ranks every item with its index, weight, gap (a true minus below zero), customer share and quadrant in words', () => {
    expect(view.rows.map((r) => [r.rank, r.label, r.index, r.weight, r.gap, r.customerShare])).toEqual([
      ['1', 'Easy', '0.098', '24%', '+41 pts', '20%'],
      ['2', 'Promises', '0.030', '15%', '+20 pts', '35%'],
      ['3', 'Trust', '0.000', '30%', `${MINUS}3 pts`, '80%'],
      ['4', 'Asks', '0.000', '31%', 'hidden', 'hidden'],
    ])
    expect(view.rows[2]!.gapRange).toBe(`${MINUS}12 to +6`)
    expect(view.rows.map((r) => r.quadrant.split(':')[0])).toEqual(['Fix first', 'Low priority', 'Keep it up', 'Possible overkill'])
  })
})

describe('drivers', () => {
  const { drivers, quadrant } = presentAnalytics(analytics())

  it('says in words how much the items explain, and names the strongest driver', () => {
    expect(drivers.view!.explained).toBe("These items explain 46% of the differences in customers' overall verdict (95%: 40–52%).")
    expect(drivers.view!.strongest).toBe('The strongest driver is Asks: 31% of what the items explain.')
  })

  it('states n, the minimum, pairwise correlations and the bootstrap (B and seed)', () => {
    expect(drivers.view!.method).toContain('400 customers (at least 110 needed)')
    expect(drivers.view!.method).toContain('pairwise correlations')
    expect(drivers.view!.method).toContain('1,000 bootstrap replicates over respondents, seed 20261201')
  })

  it('charts each weight with its interval, strongest first, and the rows carry signed correlations', () => {
    expect(JSON.parse(drivers.view!.chart)).toEqual({ kind: 'weights', labels: ['Asks', 'Trust', 'Easy', 'Promises'], weights: [[0.31, 0.2, 0.4], [0.3, 0.22, 0.38], [0.24, 0.18, 0.3], [0.15, 0.09, 0.22]] })
    expect(drivers.view!.rows[1]).toMatchObject({ label: 'Trust', dimension: 'Attitude', weight: '30%', weightRange: '22–38%', correlation: `${MINUS}0.13` })
  })

  it('puts items on the quadrant by customer share and weight, leaving out an item whose share is hidden', () => {
    const spec = JSON.parse(quadrant.view!.chart)
    expect(spec.points).toEqual([{ label: 'Easy', x: 0.2, y: 0.24 }, { label: 'Promises', x: 0.35, y: 0.15 }, { label: 'Trust', x: 0.8, y: 0.3 }])
    expect(spec.cuts).toEqual({ x: 0.45, y: 0.25 })
    expect(spec.quadrants[0]).toBe('Fix first')
    expect(quadrant.view!.cuts).toBe('Split at the mean weight (25%) and the mean customer share (45%).')
  })
})

describe('do staff know their customers', () => {
  const view = presentAnalytics(analytics()).prediction.view!

  it('reads the headline three ways and says by how much staff overestimate, with the interval', () => {
    expect(view.sentence).toBe('Staff expect 62% of customers to agree; 14% do: they overestimate by 48 points (95%: 41 to 55).')
    expect(view.threeWays).toEqual([
      { label: 'Staff say', text: '80% (95%: 70–87%, n = 80)' },
      { label: 'Staff predict customers say', text: '62% (95%: 58–66%, n = 80)' },
      { label: 'Customers say', text: '14% (95%: 11–18%, n = 400)' },
    ])
  })

  it('words an underestimate and an error that could be chance', () => {
    expect(errorSentence({ points: -20, ci95: [-27, -13] })).toBe('they underestimate by 20 points (95%: 13 to 27)')
    expect(errorSentence({ points: 3, ci95: [-2, 8] })).toBe(`they overestimate by 3 points, but that could be chance (95%: ${MINUS}2 to +8)`)
    expect(errorSentence({ points: 0.2, ci95: [-4, 4] })).toBe(`they are about right (95%: ${MINUS}4 to +4 points)`)
    expect(errorSentence({ points: 1, ci95: [0.5, 1.5] })).toBe('they overestimate by 1 point (95%: 1 to 2)')
  })

  it('says so when the prediction or the customers are hidden, rather than a number', () => {
    const item = analytics().prediction!.headline
    expect(headlineSentence({ ...item, predicted: null })).toMatch(/hidden/)
    expect(headlineSentence({ ...item, customer: null, error: null })).toBe("Staff expect 62% of customers to agree; customers' own answers are hidden here, so the two cannot be compared.")
  })

  it('shows every predicted item in "all" mode, and none in headline mode', () => {
    expect(view.items!.map((r) => [r.label, r.staff, r.predicted, r.customer, r.error, r.errorRange])).toEqual([
      ['Excellent service', '80%', '62%', '14%', '+48 pts', '+41 to +55'],
      ['Easy', 'hidden', '30%', '35%', `${MINUS}5 pts`, `${MINUS}11 to +1`],
    ])
    const headlineOnly = presentAnalytics({ ...analytics(), prediction: { ...analytics().prediction!, mode: 'headline' } })
    expect(headlineOnly.prediction.view!.items).toBeNull()
  })

  it('sorts units most optimistic first and names the unit that knows its customers best and the most optimistic', () => {
    expect(view.units.map((u) => [u.unit, u.optimismBias, u.meanAbsoluteError, u.tracking])).toEqual([
      ['South <b>', '+30 pts', '30 pts', '0.50'],
      ['North', '+12 pts', '15 pts', '—'],
      ['East', `${MINUS}4 pts`, '6 pts', `${MINUS}0.25`],
    ])
    expect(view.unitsSentence).toBe('Staff in East know their customers best (off by 6 points on average); staff in South <b> are the most optimistic (they overestimate by 30 points on average).')
    expect(view.trackingNote).toMatch(/at least three/)
  })

  it('words the unit comparison for no unit, one unit, and units that all underestimate', () => {
    const units = analytics().prediction!.units
    expect(unitsSentence([])).toMatch(/^No unit/)
    expect(unitsSentence([units[0]!])).toBe('Staff in North know their customers best (off by 15 points on average); it is the only unit that can be compared.')
    expect(unitsSentence([units[2]!, { ...units[0]!, optimismBias: -9 }])).toMatch(/no unit's staff overestimate/)
  })
})

describe('does staff climate move customers', () => {
  const view = presentAnalytics(analytics()).linkage.view!

  it('gives both correlations with their Fisher intervals in words, saying when the interval includes zero', () => {
    expect(view.sentence).toBe('Across 6 units, units whose staff feel better about the service tend to have more satisfied customers: a strong positive link, but with this few units it could be chance.')
    expect(view.correlations).toBe(`Pearson r = 0.62 (95%: ${MINUS}0.10 to 0.90) · Spearman ρ = 0.60 (95%: ${MINUS}0.12 to 0.89) (Fisher-z intervals over 6 units)`)
    const clear = { ...analytics().linkage!, pearson: { r: -0.2, ci95: [-0.35, -0.05] as [number, number] } }
    expect(linkageSentence(clear)).toBe('Across 6 units, units whose staff feel better about the service tend to have less satisfied customers: a weak negative link.')
    expect(linkageSentence({ ...clear, pearson: { r: 0.04, ci95: [-0.5, 0.55] } })).toBe("Across 6 units, staff climate and customers' verdict show no real link.")
    expect(strength(0.05)).toBe('no real')
  })

  it('states ICC(1) and ICC(2) of each side, the corrected r and the units needed for 80% power', () => {
    expect(view.icc).toEqual({ staff: 'ICC(1) 0.08, ICC(2) 0.64 (120 respondents in 6 units)', customer: 'ICC(1) 0.05, ICC(2) 0.76 (360 respondents in 6 units)' })
    expect(view.disattenuated).toContain('r = 0.89')
    expect(view.power).toBe('To tell a link this size from chance (80% power, α = 0.05), you need about 18 units; you have 6.')
  })

  it('says which side leads from the earlier wave, or that neither does', () => {
    expect(view.crossLagged!.sentence).toMatch(/^From Q3 to this wave, staff climate seems to lead/)
    expect(view.crossLagged!.figures).toBe(`Over 6 units in both waves: staff climate → later customers 0.41 (95%: 0.10 to 0.70); customers → later staff climate 0.05 (95%: ${MINUS}0.20 to 0.30); intervals from 1,000 bootstrap replicates over units, seed 20261201.`)
    const lag = analytics().linkage!.crossLagged!
    expect(crossLaggedSentence({ ...lag, leads: 'unclear' })).toBe('From Q3 to this wave, neither side clearly leads the other.')
    expect(crossLaggedSentence({ ...lag, leads: 'customers' })).toMatch(/customers seem to lead/)
    expect(presentAnalytics({ ...analytics(), linkage: { ...analytics().linkage!, crossLagged: null } }).linkage.view!.crossLagged).toBeNull()
  })

  it('charts each unit by staff climate and customer share, with no cuts', () => {
    const spec = JSON.parse(view.chart)
    expect(spec.points[1]).toEqual({ label: 'South <b>', x: 0.5, y: 0.3 })
    expect(spec.cuts).toBeNull()
  })
})

describe('scope and missing analyses', () => {
  it('says which group each analysis answers, and "the whole wave" with its note', () => {
    const view = presentAnalytics(analytics())
    expect(view.drivers.view!.scope).toBe('The whole wave')
    expect(view.prediction.view!.scope).toBe('For customers with tier gold')
    expect(view.linkage.view!.scope).toBe('The whole wave (linkage compares units, so the filters do not apply)')
    // An analysis that fell back to the whole wave says so as its block's scope note; one for the filter has none.
    expect(view.linkage.scope).toEqual({ answers: 'other', note: 'The whole wave (linkage compares units, so the filters do not apply)' })
    expect(view.prediction.scope).toEqual({ answers: 'filter' })
    expect(scopeText({ ...WHOLE, unit: { id: 'n', name: 'North' }, staff: { role: 'lead' } })).toBe('For unit North · staff with role lead')
  })

  it('shows the reason of each missing analysis in its place, never a number', () => {
    const view = presentAnalytics(noAnalytics())
    const reasons = noAnalytics().unavailable
    expect(view.drivers).toEqual({ view: null, unavailable: reasons.drivers!.message, scope: { answers: 'filter' } })
    expect(view.fixFirst).toEqual({ view: null, unavailable: reasons.fixFirst!.message, scope: { answers: 'filter' } })
    expect(view.quadrant).toEqual({ view: null, unavailable: reasons.fixFirst!.message, scope: { answers: 'filter' } })
    expect(view.prediction).toEqual({ view: null, unavailable: reasons.prediction!.message, scope: { answers: 'filter' } })
    expect(view.linkage).toEqual({ view: null, unavailable: reasons.linkage!.message, scope: { answers: 'filter' } })
  })

  it('still says something when a missing analysis has no reason given', () => {
    expect(presentAnalytics({ ...noAnalytics(), unavailable: {} }).linkage.unavailable).toBe('This analysis is not available for this report.')
  })
})
