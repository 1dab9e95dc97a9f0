// Action plans as the API and its OpenAPI document describe them: the plan, its effect after later
// waves (the shapes of PlanEffect in server/domain/action-effect.ts, same names, same nulls) and the
// bodies that make and change one. Bodies are loose on purpose (strings where a form would send
// them): services/action-plans.ts checks them and answers 422 with a problem per field.
import { Type, type TSchema } from 'typebox'
import { PageQuery } from './schemas.js'

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Interval = Type.Tuple([Type.Number(), Type.Number()], { description: '95% interval [lower, upper], in points' })
const WaveRef = Type.Object({ id: Type.String(), name: Type.String() })
const Verdict = Type.Union([Type.Literal('worked'), Type.Literal('no_effect_yet'), Type.Literal('worse')], {
  description: '`worked`: the customer change\'s interval lies above 0 and the gap narrowed; `no_effect_yet`: it spans 0; `worse`: it lies below 0.',
})
// Spelled out so the type is the union of the four (domain/types.ts PLAN_STATUSES, checked in the plan tests).
const Status = Type.Union([Type.Literal('planned'), Type.Literal('in_progress'), Type.Literal('done'), Type.Literal('dropped')])

const PlanEffectPoint = Type.Object({
  wave: WaveRef,
  customerChange: nullable(Type.Object({ points: Type.Number(), ci95: Interval }, { description: "The unit's customer share now minus at the plan's wave (Newcombe)." })),
  gapChange: nullable(Type.Object({ points: Type.Number(), ci95: Interval }, { description: "The unit's gap now minus at the plan's wave (MOVER); negative when it narrowed." })),
  differenceInDifferences: nullable(Type.Object({ points: Type.Number(), ci95: Interval, controls: Type.Integer() }, {
    description: "The unit's customer change minus the mean customer change of the units without a plan on the same item (MOVER), with how many such units.",
  })),
  verdict: nullable(Verdict),
}, { title: 'PlanEffectPoint', description: 'One later wave; a field is null where that wave\'s release hides a figure it needs.' })

export const PlanEffect = Type.Object({
  since: WaveRef,
  points: Type.Array(PlanEffectPoint, { description: 'Each later wave of the same instrument, oldest first; empty before the next wave.' }),
  verdict: nullable(Verdict),
}, { title: 'PlanEffect' })

export const Plan = Type.Object({
  id: Type.String(),
  waveId: Type.String({ description: 'The wave the plan was made from: its effect is measured from there.' }),
  unitId: Type.String(),
  itemKey: nullable(Type.String({ description: 'The item the plan is about; null when it is about a dimension.' })),
  dimension: nullable(Type.String({ description: 'The dimension the plan is about; null when it is about an item.' })),
  owner: Type.String(),
  change: Type.String({ description: 'What will change.' }),
  dueOn: nullable(Type.String({ description: 'YYYY-MM-DD' })),
  status: Status,
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  effect: PlanEffect,
}, { title: 'Plan' })

const Text = Type.String({ maxLength: 10_000 })

export const NewPlanBody = Type.Object({
  waveId: Type.String({ format: 'uuid' }),
  unitId: Text,
  itemKey: Type.Optional(nullable(Text)),
  dimension: Type.Optional(nullable(Text)),
  owner: Text,
  change: Text,
  dueOn: Type.Optional(nullable(Text)),
  status: Type.Optional(Text),
}, { additionalProperties: false, description: 'Exactly one of `itemKey` and `dimension`. `owner` 1–200 characters, `change` 1–2000, `dueOn` YYYY-MM-DD, `status` planned (the default), in_progress, done or dropped.' })

export const PlanChangesBody = Type.Object({
  owner: Type.Optional(Text),
  change: Type.Optional(Text),
  dueOn: Type.Optional(nullable(Text)),
  status: Type.Optional(Text),
}, { additionalProperties: false, description: 'The fields to change; `dueOn: null` clears the due date. The unit, wave and item of a plan stay as they are.' })

export const PlanQuery = Type.Object({
  wave: Type.Optional(Type.String({ format: 'uuid', description: 'Only the plans made from this wave' })),
  unit: Type.Optional(Type.String({ format: 'uuid', description: 'Only the plans of this unit' })),
  ...PageQuery,
}, { additionalProperties: false })
