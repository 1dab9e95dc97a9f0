// A hand-made Analytics value (the four analyses as the report carries them), for the presenter and
// template tests: small, with round numbers, so each sentence can be checked against a hand reading.
import type { AnalysisScope, Analytics, FixFirstItem, LinkagePoint, PredictionItem } from '../../server/domain/analytics/types.js'

export const WHOLE: AnalysisScope = { unit: null, staff: {}, customer: {}, wholeWave: false, note: null }

const fixItem = (key: string, over: Partial<FixFirstItem>): FixFirstItem => ({
  key, dimension: 'ability', customerText: `${key} text`, weight: 0.2, weightCi95: [0.1, 0.3],
  gapPoints: 10, gapCi95: [2, 18], customerShare: 0.5, staffShare: 0.6, index: 0.02, rank: 1, quadrant: 'fix_first', ...over,
})

const headline: PredictionItem = {
  key: 'excellent_service',
  staff: { n: 80, share: 0.8, ci95: [0.7, 0.87] },
  predicted: { n: 80, share: 0.62, sd: 0.2, ci95: [0.58, 0.66], distribution: [0, 0, 0, 0, 5, 10, 20, 30, 10, 5, 0] },
  customer: { n: 400, share: 0.14, ci95: [0.11, 0.18] },
  error: { points: 48, ci95: [41, 55] },
}

const point = (name: string, staff: number, customer: number): LinkagePoint => ({ unit: { id: name.toLowerCase(), name }, staff, customer, staffN: 20, customerN: 60 })

export function analytics(): Analytics {
  const easy = fixItem('easy', { weight: 0.24, weightCi95: [0.18, 0.3], gapPoints: 41, gapCi95: [30, 52], customerShare: 0.2, index: 0.0984, rank: 1 })
  const promises = fixItem('promises', { weight: 0.15, weightCi95: [0.09, 0.22], gapPoints: 20, gapCi95: [8, 32], customerShare: 0.35, index: 0.03, rank: 2, quadrant: 'low_priority' })
  const trust = fixItem('trust', { weight: 0.3, weightCi95: [0.22, 0.38], gapPoints: -3, gapCi95: [-12, 6], customerShare: 0.8, index: 0, rank: 3, quadrant: 'keep_up' })
  const asks = fixItem('asks', { weight: 0.31, weightCi95: [0.2, 0.4], gapPoints: null, gapCi95: null, customerShare: null, index: 0, rank: 4, quadrant: 'possible_overkill' })
  return {
    drivers: {
      outcome: 'excellent_service', n: 400, minimum: 110, r2: 0.46, r2Ci95: [0.4, 0.52],
      weights: [
        { key: 'asks', dimension: 'listening', correlation: 0.5, raw: 0.1426, rawCi95: [0.09, 0.18], weight: 0.31, weightCi95: [0.2, 0.4], rank: 1 },
        { key: 'trust', dimension: 'attitude', correlation: -0.125, raw: 0.138, rawCi95: [0.1, 0.17], weight: 0.3, weightCi95: [0.22, 0.38], rank: 2 },
        { key: 'easy', dimension: 'structure', correlation: 0.41, raw: 0.1104, rawCi95: [0.08, 0.14], weight: 0.24, weightCi95: [0.18, 0.3], rank: 3 },
        { key: 'promises', dimension: 'ability', correlation: 0.3, raw: 0.069, rawCi95: [0.04, 0.1], weight: 0.15, weightCi95: [0.09, 0.22], rank: 4 },
      ],
      method: { correlations: 'pairwise', bootstrap: { replicates: 1000, seed: 20261201, scheme: 'respondents', confidence: 0.95 } },
      scope: WHOLE,
    },
    fixFirst: {
      items: [easy, promises, trust, asks],
      top: [
        { ...easy, sentence: 'Customers\' overall verdict depends most on Easy (24% of what we can explain), and staff overrate it by 41 points.' },
        { ...promises, sentence: 'Next comes Promises (15%), which staff overrate by 20 points.' },
      ],
      cuts: { weight: 0.25, customerShare: 0.45 },
      scope: WHOLE,
    },
    prediction: {
      mode: 'all',
      headline,
      items: [headline, { key: 'easy', staff: null, predicted: { ...headline.predicted!, share: 0.3 }, customer: { n: 400, share: 0.35, ci95: [0.3, 0.4] }, error: { points: -5, ci95: [-11, 1] } }],
      units: [
        { unit: { id: 'n', name: 'North' }, items: 2, optimismBias: 12, meanAbsoluteError: 15, tracking: null },
        { unit: { id: 's', name: 'South <b>' }, items: 2, optimismBias: 30.4, meanAbsoluteError: 30.4, tracking: 0.5 },
        { unit: { id: 'e', name: 'East' }, items: 2, optimismBias: -4, meanAbsoluteError: 6, tracking: -0.25 },
      ],
      scope: { unit: null, staff: {}, customer: { tier: 'gold' }, wholeWave: false, note: null },
    },
    linkage: {
      units: 6,
      points: [point('North', 0.7, 0.4), point('South <b>', 0.5, 0.3), point('East', 0.8, 0.5), point('West', 0.6, 0.35), point('Port', 0.9, 0.55), point('Hill', 0.4, 0.2)],
      pearson: { r: 0.62, ci95: [-0.1, 0.9] },
      spearman: { r: 0.6, ci95: [-0.12, 0.89] },
      icc: { staff: { icc1: 0.08, icc2: 0.64, units: 6, respondents: 120 }, customer: { icc1: 0.05, icc2: 0.76, units: 6, respondents: 360 } },
      disattenuated: 0.89,
      unitsFor80Power: 18,
      crossLagged: {
        from: { id: 'q3', name: 'Q3' }, units: 6,
        staffLeads: { estimate: 0.41, ci95: [0.1, 0.7] }, customersLead: { estimate: 0.05, ci95: [-0.2, 0.3] },
        leads: 'staff', bootstrap: { replicates: 1000, seed: 20261201 },
      },
      scope: { unit: null, staff: {}, customer: {}, wholeWave: true, note: 'linkage compares units, so the filters do not apply' },
    },
    unavailable: {},
  }
}

/** The same report with every analysis missing, each with its reason. */
export function noAnalytics(): Analytics {
  return {
    drivers: null, fixFirst: null, prediction: null, linkage: null,
    unavailable: {
      drivers: { code: 'not_enough_answers', message: 'Not enough answers: driver weights need at least 110 customers; this group has 40.' },
      fixFirst: { code: 'no_drivers', message: 'Fix first needs the driver weights, which are not available here.' },
      prediction: { code: 'no_predictions', message: 'This wave does not ask staff to predict customers\' answers.' },
      linkage: { code: 'too_few_units', message: 'Linkage needs at least 5 units with both sides shown; this wave has 2.' },
    },
  }
}
