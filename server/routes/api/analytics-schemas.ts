// The leadership analytics of the report as the OpenAPI document declares them: one schema per shape
// of server/domain/analytics/types.ts, with the same field names and the same nulls.
import { Type, type TSchema } from 'typebox'

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

const Interval = Type.Tuple([Type.Number(), Type.Number()], { description: '95% interval [lower, upper]' })
const UnitRef = Type.Object({ id: Type.String(), name: Type.String() })
const Filter = Type.Record(Type.String(), Type.String())

export const Unavailable = Type.Object({
  code: Type.Union([
    Type.Literal('not_enough_answers'), Type.Literal('suppressed'), Type.Literal('no_predictions'), Type.Literal('too_few_units'),
    Type.Literal('not_for_one_unit'), Type.Literal('no_spread'), Type.Literal('no_drivers'),
  ]),
  message: Type.String(),
}, { title: 'AnalyticsUnavailable', description: 'Why an analysis is not in the report.' })

const AnalysisScope = Type.Object({
  unit: nullable(UnitRef),
  staff: Filter,
  customer: Filter,
  wholeWave: Type.Boolean({ description: 'The analysis shows the whole wave although the report is filtered (note says why).' }),
  note: nullable(Type.String()),
}, { description: 'The unit and filters the analysis answers.' })

const DriverWeight = Type.Object({
  key: Type.String(), dimension: Type.String(), correlation: Type.Number(),
  raw: Type.Number({ description: "Johnson's raw relative weight; the raw weights sum to R²." }), rawCi95: Interval,
  weight: Type.Number({ description: 'Share of R² (the weights sum to 1).' }), weightCi95: Interval,
  rank: Type.Integer({ minimum: 1 }),
})

export const Drivers = Type.Object({
  outcome: Type.String(), n: Type.Integer(), minimum: Type.Integer(), r2: Type.Number(), r2Ci95: Interval,
  weights: Type.Array(DriverWeight),
  method: Type.Object({
    correlations: Type.Literal('pairwise'),
    bootstrap: Type.Object({
      replicates: Type.Integer(), seed: Type.Integer(),
      scheme: Type.Union([Type.Literal('respondents'), Type.Literal('bag_of_little_bootstraps')]),
      confidence: Type.Literal(0.95),
      subsets: Type.Optional(Type.Integer()), subsetSize: Type.Optional(Type.Integer()),
    }),
  }),
  scope: AnalysisScope,
}, { title: 'Drivers', description: "Key drivers of the customers' headline: Johnson's relative weights with percentile bootstrap intervals." })

const FixFirstItem = {
  key: Type.String(), dimension: Type.String(), customerText: Type.String(),
  weight: Type.Number(), weightCi95: Interval,
  gapPoints: nullable(Type.Number()), gapCi95: nullable(Interval),
  customerShare: nullable(Type.Number()), staffShare: nullable(Type.Number()),
  index: Type.Number({ description: 'weight × max(0, gap / 100)' }), rank: Type.Integer(),
  quadrant: Type.Union([Type.Literal('fix_first'), Type.Literal('keep_up'), Type.Literal('low_priority'), Type.Literal('possible_overkill')]),
}

export const FixFirst = Type.Object({
  items: Type.Array(Type.Object(FixFirstItem)),
  top: Type.Array(Type.Object({ ...FixFirstItem, sentence: Type.String() })),
  cuts: Type.Object({ weight: Type.Number(), customerShare: Type.Number() }),
  scope: AnalysisScope,
}, { title: 'FixFirst', description: 'Items ranked by driver weight × staff over-rating, with the importance–performance quadrant.' })

const SimpleShare = Type.Object({ n: Type.Integer(), share: Type.Number(), ci95: Interval })
const PredictedShare = Type.Object({
  n: Type.Integer(), share: Type.Number(), sd: Type.Number(), ci95: Interval,
  distribution: Type.Array(Type.Integer(), { description: 'How many staff answered 0 … 10.' }),
})
const PredictionItem = Type.Object({
  key: Type.String(),
  staff: nullable(SimpleShare),
  predicted: nullable(PredictedShare),
  customer: nullable(SimpleShare),
  error: nullable(Type.Object({ points: Type.Number(), ci95: Interval })),
})
const UnitPrediction = Type.Object({
  unit: UnitRef, items: Type.Integer(), optimismBias: Type.Number(), meanAbsoluteError: Type.Number(), tracking: nullable(Type.Number()),
})

export const Prediction = Type.Object({
  mode: Type.Union([Type.Literal('headline'), Type.Literal('all')]),
  headline: PredictionItem,
  items: Type.Array(PredictionItem),
  units: Type.Array(UnitPrediction),
  scope: AnalysisScope,
}, { title: 'Prediction', description: 'The headline three ways (staff say, staff predict customers say, customers say) and per unit the accuracy of the predictions.' })

const Correlation = Type.Object({ r: Type.Number(), ci95: Interval })
const Icc = Type.Object({ icc1: Type.Number(), icc2: Type.Number(), units: Type.Integer(), respondents: Type.Integer() })
const Estimate = Type.Object({ estimate: Type.Number(), ci95: Interval })

export const Linkage = Type.Object({
  units: Type.Integer(),
  points: Type.Array(Type.Object({ unit: UnitRef, staff: Type.Number(), customer: Type.Number(), staffN: Type.Integer(), customerN: Type.Integer() })),
  pearson: Correlation,
  spearman: Correlation,
  icc: Type.Object({ staff: nullable(Icc), customer: Icc }),
  disattenuated: nullable(Type.Number()),
  unitsFor80Power: nullable(Type.Integer()),
  crossLagged: nullable(Type.Object({
    from: UnitRef, units: Type.Integer(), staffLeads: Estimate, customersLead: Estimate,
    leads: Type.Union([Type.Literal('staff'), Type.Literal('customers'), Type.Literal('unclear')]),
    bootstrap: Type.Object({ replicates: Type.Integer(), seed: Type.Integer() }),
  })),
  scope: AnalysisScope,
}, { title: 'Linkage', description: "Unit-level correlation of staff climate with the customers' headline, with ICCs, disattenuation, power and the cross-lag." })

/** The report's analytics fields: each null with its reason in `unavailable` where the data or the release do not allow it. */
export const AnalyticsFields = {
  drivers: nullable(Drivers),
  fixFirst: nullable(FixFirst),
  prediction: nullable(Prediction),
  linkage: nullable(Linkage),
  unavailable: Type.Object({
    drivers: Type.Optional(Unavailable), fixFirst: Type.Optional(Unavailable), prediction: Type.Optional(Unavailable), linkage: Type.Optional(Unavailable),
  }),
}
