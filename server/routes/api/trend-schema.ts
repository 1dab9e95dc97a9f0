// The report's `trend` as the OpenAPI document declares it: the shapes of Trend in
// server/domain/report-parts.ts, with the same field names and the same nulls.
import { Type, type TSchema } from 'typebox'

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

const WaveRef = Type.Object({ id: Type.String(), name: Type.String() })

const TrendShare = Type.Object({
  share: Type.Number({ description: 'agree / n' }),
  agree: Type.Integer(),
  n: Type.Integer(),
  ci95: Type.Tuple([Type.Number(), Type.Number()], { description: 'Wilson 95% interval of the share' }),
}, { title: 'TrendShare' })

const TrendPoint = Type.Object({
  wave: WaveRef,
  staff: nullable(TrendShare),
  customer: nullable(TrendShare),
  gap: nullable(Type.Object({
    points: Type.Number({ description: 'staff − customers, in percentage points' }),
    ci95: Type.Tuple([Type.Number(), Type.Number()], { description: "Newcombe's 95% interval, in points" }),
  })),
  wordingChanged: Type.Boolean({ description: 'The staff or customer wording of the item (in a language both have) differs from the latest earlier wave of the trend that has the item: a move here may come from the new words. False in the first wave with the item.' }),
  scaleChanged: Type.Boolean({ description: "The item's scale differs from the latest earlier wave of the trend that has it: the shares count other answers as agreeing, so the line breaks here, and no gap change is measured across it." }),
}, { title: 'TrendPoint', description: "One wave's figures for an item, each side null where that wave's release hides it, and whether the item's wording or scale changed since its previous wave." })

const GapChange = Type.Object({
  points: Type.Number({ description: "This wave's gap minus the previous wave's, in points: negative when the gap fell." }),
  ci95: Type.Tuple([Type.Number(), Type.Number()], { description: 'MOVER 95% interval from the four Wilson intervals, in points' }),
  pValue: Type.Number(),
  qValue: Type.Number({ description: 'Benjamini–Hochberg over the items that have all four shares' }),
  significant: Type.Boolean({ description: 'q < 0.05' }),
}, { title: 'TrendGapChange' })

export const Trend = Type.Object({
  waves: Type.Array(WaveRef, { description: 'The waves of the same instrument up to and including this one, oldest first (at most 8).' }),
  headline: Type.String({ description: "The headline item's key" }),
  items: Type.Array(Type.Object({ key: Type.String(), points: Type.Array(TrendPoint, { description: 'One per wave, in the order of `waves`.' }) })),
  change: nullable(Type.Object({
    since: WaveRef,
    items: Type.Array(Type.Object({ key: Type.String(), change: nullable(GapChange) })),
  }, { description: "Each item's gap change from the previous wave to this one (null where a side is hidden, or where the item's scale changed); null without a previous wave." })),
}, { title: 'Trend', description: "The gap across waves under the report's filters, each wave under its own anonymity release." })

export const TrendFields = { trend: Trend }
