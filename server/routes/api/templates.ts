// GET /api/v1/templates: the instruments a wave can use, with their items in every locale.
import type { FastifyInstance } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { localize } from '../../domain/instrument.js'
import { SCALES } from '../../domain/scale.js'
import type { Scale } from '../../domain/types.js'
import { instrumentList, listInstrumentPage } from '../../repositories/instruments.js'
import { pageRequest, pageResponse, sendPage } from './paging.js'
import { errors, LocalizedText, PageQuery } from './schemas.js'

const PredictText = Type.Union([Type.String(), Type.Null()], { description: 'The prediction wording for staff ("Out of 10 of our customers, how many would agree: …?"); null when the item has none.' })

const Item = Type.Object({
  key: Type.String(),
  dimension: Type.String(),
  scale: Type.Unsafe<Scale>({ type: 'string', enum: [...SCALES] }),
  headline: Type.Boolean(),
  required: Type.Boolean({ description: 'Whether a respondent must answer it; an optional one may be skipped (stored as "not applicable").' }),
  staffText: Type.String(),
  customerText: Type.String(),
  staffPredictText: PredictText,
  translations: Type.Record(Type.String(), Type.Object({ staffText: Type.String(), customerText: Type.String(), staffPredictText: PredictText })),
})

const Template = Type.Object({
  key: Type.String(),
  version: Type.Integer(),
  name: Type.String(),
  builtIn: Type.Boolean(),
  locales: Type.Array(Type.String()),
  staffQuestion: LocalizedText,
  customerQuestion: LocalizedText,
  items: Type.Array(Item),
})

export default async function templates(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get('/templates', {
    config: { access: 'read' },
    schema: {
      tags: ['templates'],
      summary: 'List the templates (instruments) available to your organization',
      description: 'Texts are given in English with your organization\'s name filled in; `translations` holds every locale. Built-in first, then your own; by key, newest version first. A page of `limit` templates; the `Link` and `Next-Cursor` headers lead to the next one.',
      querystring: Type.Object(PageQuery),
      response: { 200: pageResponse(Type.Array(Template), 'A page of templates'), ...errors(400, 401) },
    },
  }, async (request, reply) => {
    const org = request.principal!.organizationName
    const page = await listInstrumentPage(app.db, request.principal!.organizationId, pageRequest(instrumentList('templates'), request.query))
    return sendPage(request, reply, page).map(({ organizationId, definition: def }) => ({
      key: def.key,
      version: def.version,
      name: def.name,
      builtIn: organizationId === null,
      locales: def.locales,
      staffQuestion: def.staffQuestion,
      customerQuestion: def.customerQuestion,
      items: def.items.map((item) => ({
        key: item.key,
        dimension: item.dimension,
        scale: item.scale,
        headline: item.headline,
        required: item.required,
        staffText: localize(item.staffText, 'en', org),
        customerText: localize(item.customerText, 'en', org),
        staffPredictText: item.staffPredictText ? localize(item.staffPredictText, 'en', org) : null,
        translations: Object.fromEntries(def.locales.map((locale) => [locale, {
          staffText: localize(item.staffText, locale, org),
          customerText: localize(item.customerText, locale, org),
          staffPredictText: item.staffPredictText ? localize(item.staffPredictText, locale, org) : null,
        }])),
      })),
    }))
  })
}
