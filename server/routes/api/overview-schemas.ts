// The overview each wave object of the API carries (GET /api/v1/waves, /waves/:id and the wave
// returned on create and change): what the waves list shows, so the page shows nothing the API cannot
// return. Shapes as services/waves-overview.ts overviewJson makes them.
import { Type, type TSchema } from 'typebox'

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Interval = Type.Tuple([Type.Number(), Type.Number()], { description: '95% interval [lower, upper], in percentage points' })
const WaveRef = Type.Object({ id: Type.String(), name: Type.String() })
const Respondents = nullable(Type.Integer({ minimum: 0, description: 'Respondents as released (staff: as of the last release step); null while hidden by the anonymity rules.' }))
const ShareValue = nullable(Type.Number({ minimum: 0, maximum: 1, description: 'Share agreeing (0–1); null while hidden or without answers.' }))

export const WaveOverview = Type.Union([Type.Object({
  unit: nullable(Type.Object({ id: Type.String(), name: Type.String() }, {
    description: 'The group the figures are of: null for the whole wave; for a unit manager, their first unit (they see nothing of the whole wave).',
  })),
  responses: Type.Object({ staff: Respondents, customer: Respondents }),
  headline: Type.Object({
    key: Type.String(),
    staff: ShareValue,
    customer: ShareValue,
    gap: nullable(Type.Object({
      points: Type.Number({ description: '(staff share − customer share) × 100' }),
      ci95: Interval,
      significant: Type.Boolean({ description: 'As the report has it: q < 0.05, Benjamini–Hochberg over the wave\'s items.' }),
    })),
  }, { description: 'The headline item, as GET /api/v1/waves/:id/report has it for the same group.' }),
  change: nullable(Type.Object({
    since: WaveRef,
    points: Type.Number({ description: 'This wave\'s gap minus the earlier wave\'s, in points: negative when the gap fell.' }),
    ci95: Interval,
    pValue: Type.Number({ description: 'Two-sided Wald test of the four independent shares.' }),
    significant: Type.Boolean({ description: 'pValue < 0.05 (one comparison).' }),
  }, { description: 'Change of the headline gap since the previous wave of the same template (MOVER interval, Zou & Donner 2008); null without a previous wave or when a side of either wave is hidden.' })),
}, { title: 'WaveOverview' }), Type.Null()], { description: 'Null when the reader may see no figures of the wave (a unit manager without units).' })
