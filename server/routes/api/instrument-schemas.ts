// The instrument builder's shapes in the OpenAPI document (routes/api/instruments.ts). Requests are
// typed here and nothing more: which fields an instrument needs, their lengths, the one headline, the
// languages and the keys are checked by the domain (domain/instrument.ts instrumentFieldProblems), which
// answers each problem under its field path, as the builder's pages do.
import { Type, type TOptional, type TSchema } from 'typebox'
import { INSTRUMENT_LIMITS, LOCALES } from '../../domain/instrument.js'
import { SCALES } from '../../domain/scale.js'
import type { Scale } from '../../domain/types.js'

const ScaleName = Type.Unsafe<Scale>({ type: 'string', enum: [...SCALES], description: 'agree5: 1 Strongly disagree … 5 Strongly agree; likelihood11: 0–10.' })
const Texts = (what: string) => ({ description: `${what}, per language code (${LOCALES.join(', ')}); needed in every language of the instrument. "{org}" is replaced by your organization's name.` })

/** Every field optional here: a missing one is answered by the domain under its own path ("name", "items.2.required"). */
const optional = <T extends Record<string, TSchema>>(fields: T) =>
  Object.fromEntries(Object.entries(fields).map(([name, schema]) => [name, Type.Optional(schema)])) as { [K in keyof T]: TOptional<T[K]> }

export const InstrumentItem = Type.Object({
  key: Type.String({ description: `Stable across versions, so that trends line up: lowercase letters, digits and underscores (at most ${INSTRUMENT_LIMITS.itemKeyLength}).` }),
  dimension: Type.String(),
  scale: ScaleName,
  headline: Type.Boolean({ description: 'Exactly one item of an instrument is its headline.' }),
  required: Type.Boolean({ description: 'Whether a respondent must answer it; an optional one may be skipped (stored as "not applicable").' }),
  staffText: Type.Record(Type.String(), Type.String(), Texts('The staff wording')),
  customerText: Type.Record(Type.String(), Type.String(), Texts('The customer wording')),
  staffPredictText: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()], { description: 'The prediction wording for staff ("Out of 10 of our customers, how many would agree: …?"), per language; null when the item has none.' }),
}, { title: 'InstrumentItem' })

/** An item as a request sends it: typed, with every field left to the domain to ask for. */
const RequestItem = Type.Object(optional(InstrumentItem.properties), { additionalProperties: false, title: 'InstrumentItemInput' })

const ITEMS = `1 to ${INSTRUMENT_LIMITS.items} items, in the order respondents see them.`

const definitionFields = {
  name: Type.String({ description: `At most ${INSTRUMENT_LIMITS.nameLength} characters.` }),
  locales: Type.Array(Type.String(), { description: `The languages the instrument is written in, among ${LOCALES.join(', ')}.` }),
  staffQuestion: Type.Record(Type.String(), Type.String(), Texts("The staff's open question")),
  customerQuestion: Type.Record(Type.String(), Type.String(), Texts("Customers' open question")),
  items: Type.Array(InstrumentItem, { description: ITEMS }),
}
const requestFields = { ...definitionFields, items: Type.Array(RequestItem, { description: ITEMS }) }

const versionFields = {
  id: Type.String({ format: 'uuid' }),
  key: Type.String(),
  version: Type.Integer({ minimum: 1 }),
  name: Type.String(),
  builtIn: Type.Boolean({ description: 'A built-in instrument is shared by every organization and read-only: start your own from it.' }),
  inUse: Type.Boolean({ description: 'A wave runs this version, so it is frozen: saving it makes the next version under the same key.' }),
  waves: Type.Integer({ description: "How many of your organization's waves run this version." }),
  itemCount: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
}

export const InstrumentSummary = Type.Object(versionFields, { title: 'InstrumentSummary' })

export const InstrumentDetail = Type.Object({
  ...versionFields,
  newestVersion: Type.Integer({ description: 'The newest version under the same key.' }),
  ...definitionFields,
}, { title: 'InstrumentDetail' })

export const SavedInstrument = Type.Object({
  ...InstrumentDetail.properties,
  saved: Type.Union([Type.Literal('in_place'), Type.Literal('new_version')], {
    description: 'in_place: the version no wave used was changed (or was already so); new_version: the version sent was frozen, so this is version N+1 under the same key, and the frozen one stays as it was.',
  }),
}, { title: 'SavedInstrument' })


export const CreateInstrumentBody = Type.Object({
  from: Type.Optional(Type.String({ description: 'Start from "blank" (the headline statement alone, to reword), a built-in key such as "service-gap-index", or the id of a version your organization can see; with `key` and `name` only.' })),
  key: Type.Optional(Type.String({ description: `Your own key: lowercase letters, digits and dashes (at most ${INSTRUMENT_LIMITS.keyLength}), not a built-in one, not one you have.` })),
  ...optional(requestFields),
}, {
  additionalProperties: false,
  description: 'Either `{from, key, name}`, or a whole definition `{key, name, locales, staffQuestion, customerQuestion, items}`. Every field of the chosen form is needed; each problem is answered under its field path in `details`.',
})

export const SaveInstrumentBody = Type.Object({
  key: Type.Optional(Type.String({ description: 'If given, the key the version already has: the key stays the same across versions.' })),
  ...optional(requestFields),
}, {
  additionalProperties: false,
  description: 'The whole definition of the version (every field is needed; each problem is answered under its field path in `details`).',
})
