// The report's comparisons as the OpenAPI document declares them, field for field as
// server/domain/report-parts.ts types them: `units`, the heat map's rows.
import { Type, type TSchema } from 'typebox'

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

const Interval = Type.Tuple([Type.Number(), Type.Number()], { description: '95% interval [lower, upper]' })

export const Classification = Type.Union([
  Type.Literal('blind_spot'), Type.Literal('hidden_strength'), Type.Literal('shared_strength'),
  Type.Literal('shared_weakness'), Type.Literal('aligned'), Type.Literal('insufficient_data'),
])

export const Share = Type.Union([
  Type.Object({
    n: Type.Integer(), agree: Type.Integer(), share: Type.Number({ description: 'agree / n, in [0, 1]' }),
    ci95: Interval, mean: nullable(Type.Number()), distribution: Type.Array(Type.Integer(), { description: 'answers per scale point, lowest first' }),
  }),
  Type.Object({ suppressed: Type.Literal(true) }),
], { title: 'Share', description: 'One side\'s share who agree, or {suppressed: true} where the anonymity release hides it.' })

export const Gap = Type.Object({
  points: Type.Number({ description: 'staff share − customer share, in percentage points' }),
  ci95: Interval, pValue: Type.Number(), qValue: Type.Number(), significant: Type.Boolean(),
}, { title: 'Gap' })

export const GapChange = Type.Object({
  points: Type.Number({ description: 'this wave\'s gap minus the earlier wave\'s, in points: negative when the gap narrowed' }),
  ci95: Type.Tuple([Type.Number(), Type.Number()], { description: 'MOVER 95% interval, in points' }),
  pValue: Type.Number(),
  qValue: Type.Number({ description: 'Benjamini–Hochberg over the units compared' }),
  significant: Type.Boolean({ description: 'qValue < 0.05' }),
}, { title: 'GapChange' })

const WaveRef = Type.Object({ id: Type.String(), name: Type.String() })

export const ItemResult = Type.Object({
  key: Type.String(),
  dimension: Type.String(),
  scale: Type.Union([Type.Literal('agree5'), Type.Literal('likelihood11')], { description: 'agree5: 1–5 agreement (5 counts in `distribution`); likelihood11: 0–10 (11 counts)' }),
  headline: Type.Boolean(),
  staffText: Type.String(),
  customerText: Type.String(),
  staff: Share,
  customer: Share,
  gap: nullable(Gap),
  classification: Classification,
}, { title: 'ItemResult', description: 'One item: both sides\' shares and the gap between them.' })

export const DimensionResult = Type.Object({
  key: Type.String(), staff: Share, customer: Share, gap: nullable(Gap), classification: Classification,
}, { title: 'DimensionResult' })

/** The gap report itself (services/report.ts gapReport): the fields every report has. */
export const GapReportFields = {
  wave: WaveRef,
  minGroupSize: Type.Integer({ description: 'The organization\'s minimum group size: smaller groups are shown as {suppressed: true}.' }),
  release: Type.Object({
    at: nullable(Type.String({ format: 'date-time', description: 'When staff figures were last released' })),
    staffWaiting: nullable(Type.Integer({ description: 'Staff answers waiting for the next release step; null for a unit manager' })),
  }),
  filters: Type.Object({
    unit: nullable(WaveRef),
    staff: Type.Record(Type.String(), Type.String()),
    customer: Type.Record(Type.String(), Type.String()),
  }, { description: 'The filters applied, the unit resolved to its id and name.' }),
  headline: ItemResult,
  items: Type.Array(ItemResult),
  dimensions: Type.Array(DimensionResult),
}

export const UnitRow = Type.Object({
  id: Type.String(),
  name: Type.String(),
  respondents: Type.Object({
    staff: nullable(Type.Integer()), customer: nullable(Type.Integer()),
  }, { description: 'Respondents per side in this unit under the attribute filters, as the release shows them: null when hidden.' }),
  staff: Share,
  customer: Share,
  gap: nullable(Gap),
  classification: Classification,
  items: Type.Array(Type.Object({ key: Type.String(), gap: nullable(Gap), classification: Classification })),
  change: nullable(Type.Object({ ...GapChange.properties, since: WaveRef }, {
    description: 'The headline gap\'s change since the previous wave of the same instrument in this unit, same attribute filters, the earlier wave under its own release; null when either wave hides it.',
  })),
}, { title: 'UnitRow', description: 'One unit\'s row of the heat map: its headline shares and gap, every item\'s gap, and the headline gap\'s change.' })

/** The report's fields declared here, to spread into the report route's 200 response. */
export const ReportPartsFields = {
  units: Type.Array(UnitRow, {
    description: 'Every unit in the reader\'s scope (a unit manager: their units), under the report\'s attribute filters; the unit filter does not narrow this list.',
  }),
}
