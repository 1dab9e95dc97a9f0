// The instrument builder's pages: the list of instruments with their versions, the editor (start
// blank, from a built-in one or as a copy; add, remove and move statements without saving; save), and
// deleting an unused version after a confirmation. Everyone who reads reports sees the list and the
// previews; those who manage waves change instruments.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { LOCALES } from '../../domain/instrument.js'
import { languageName } from '../../domain/names.js'
import { notFound } from '../../http-error.js'
import {
  applyFormAction, blankItem, definitionFromForm, formAction, formFromDefinition, keptTexts, languagesOf, parseInstrumentForm,
  SCALE_CHOICES, type InstrumentForm,
} from '../../presenters/instrument-form.js'
import { instrumentForPage, saveFromPage, type PageInstrument } from '../../services/instrument-pages.js'
import { deleteInstrument, listInstruments } from '../../services/instruments.js'
import { previewFormData, previewSurvey } from '../../services/instrument-preview.js'
import { getOrganization } from '../../repositories/organizations.js'
import type { Side } from '../../domain/types.js'
import type { Locale } from '../../domain/instrument.js'

type Params = { id: string }
const STYLES = ['/public/instruments.css']

const NOTICES: Record<string, string> = {
  saved: 'Saved.',
  created: 'Saved as a new version. Waves that used the earlier version keep it.',
  new: 'Instrument created.',
  deleted: 'Version deleted.',
}
const noticeOf = (request: FastifyRequest) => {
  const key = (request.query as Record<string, unknown>).done
  return typeof key === 'string' && Object.hasOwn(NOTICES, key) ? NOTICES[key]! : null
}

/** The summary's messages say which statement each is about: "Item 2: Enter the staff wording in "es"." */
function whereEach(errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([path, message]) => {
    const item = /^items\.(\d+)\./.exec(path)
    return [path, item ? `Item ${Number(item[1]) + 1}: ${message}` : message]
  }))
}

export default async function instrumentPages(app: FastifyInstance) {
  const orgOf = (request: FastifyRequest) => request.principal!.organizationId

  app.get('/instruments', { config: { access: 'read' } }, async (request, reply) => {
    const rows = await listInstruments(app.db, orgOf(request))
    return reply.page('instruments', {
      title: 'Instruments', styles: STYLES, notice: noticeOf(request),
      builtIn: rows.filter((row) => row.builtIn), own: rows.filter((row) => !row.builtIn),
    })
  })

  /** An instrument of the caller's organization (or a built-in one when `builtIn` is allowed); 404 otherwise. */
  async function load(request: FastifyRequest<{ Params: Params }>, builtIn: boolean): Promise<PageInstrument> {
    const found = await instrumentForPage(app.db, orgOf(request), request.params.id)
    if (found.builtIn && !builtIn) throw notFound('This instrument')
    return found
  }

  function editor(reply: FastifyReply, status: number, form: InstrumentForm, options: { instrument?: PageInstrument; errors?: Record<string, string>; focus?: string | null; edited?: boolean; notice?: string | null }) {
    const ins = options.instrument
    return reply.code(status).page('instrument-edit', {
      title: ins ? `Edit ${ins.definition.name}` : 'New instrument', styles: STYLES,
      form, errors: options.errors ?? {}, summary: whereEach(options.errors ?? {}), focus: options.focus ?? null, edited: options.edited ?? false, notice: options.notice ?? null,
      instrument: ins ? { id: ins.id, name: ins.definition.name, version: ins.definition.version, waves: ins.waves, inUse: ins.inUse, nextVersion: ins.nextVersion } : null,
      action: ins ? `/instruments/${ins.id}` : '/instruments',
      allLanguages: languagesOf(LOCALES, languageName), languages: languagesOf(form.locales, languageName),
      scales: SCALE_CHOICES, kept: keptTexts(form),
    })
  }

  /** What a posted builder form asks: an edit returns the page, a save stores and redirects (or shows the problems). */
  async function handle(request: FastifyRequest, reply: FastifyReply, instrument?: PageInstrument) {
    const body = (request.body ?? {}) as Record<string, unknown>
    const form = parseInstrumentForm(body, instrument?.definition.key)
    const action = formAction(body)
    if (action.kind !== 'save') {
      const edited = applyFormAction(form, action)
      return editor(reply, 200, edited.form, { instrument, focus: edited.focus, edited: true })
    }
    const saved = await saveFromPage(app.db, request, instrument?.id ?? null, definitionFromForm(form, 1))
    if (!saved.ok) return editor(reply, 422, form, { instrument, errors: saved.errors })
    const done = !instrument ? 'new' : saved.created ? 'created' : 'saved'
    return reply.redirect(`/instruments/${saved.id}/edit?done=${done}`, 303)
  }

  app.get('/instruments/new', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const from = (request.query as Record<string, unknown>).from
    if (typeof from === 'string' && from !== '') {
      const source = await instrumentForPage(app.db, orgOf(request), from)
      const form = formFromDefinition(source.definition)
      return editor(reply, 200, { ...form, key: source.builtIn ? '' : `${form.key}-copy`.slice(0, 40), name: source.builtIn ? form.name : `Copy of ${form.name}` }, {})
    }
    const first = { ...blankItem(), headline: true, required: true }
    return editor(reply, 200, { key: '', name: '', locales: ['en'], staffQuestion: blankItem().staffText, customerQuestion: blankItem().customerText, items: [first] }, {})
  })

  app.post('/instruments', { config: { access: 'manage_waves' } }, async (request, reply) => handle(request, reply))

  app.get<{ Params: Params }>('/instruments/:id/edit', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const instrument = await load(request, false)
    return editor(reply, 200, formFromDefinition(instrument.definition), { instrument, notice: noticeOf(request) })
  })

  app.post<{ Params: Params }>('/instruments/:id', { config: { access: 'manage_waves' } }, async (request, reply) =>
    handle(request, reply, await load(request, false)))

  app.get<{ Params: Params }>('/instruments/:id/delete', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const instrument = await load(request, false)
    return reply.page('instrument-delete', { title: `Delete ${instrument.definition.name}?`, instrument, styles: STYLES })
  })

  app.post<{ Params: Params }>('/instruments/:id/delete', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const instrument = await load(request, false)
    if ((request.body as Record<string, unknown> | undefined)?.confirm !== 'yes' || instrument.inUse) {
      return reply.code(instrument.inUse ? 409 : 200).page('instrument-delete', { title: `Delete ${instrument.definition.name}?`, instrument, styles: STYLES })
    }
    await deleteInstrument(app.db, request, instrument.id)
    return reply.redirect('/instruments?done=deleted', 303)
  })

  /** The side and language asked for, among those the instrument has (customers and its first language by default). */
  function previewChoice(request: FastifyRequest, instrument: PageInstrument): { side: Side; locale: Locale } {
    const query = request.query as Record<string, unknown>
    const side: Side = query.side === 'staff' ? 'staff' : 'customer'
    const locales = instrument.definition.locales
    const locale = (typeof query.lang === 'string' && locales.includes(query.lang) ? query.lang : locales[0] ?? 'en') as Locale
    return { side, locale }
  }

  app.get<{ Params: Params }>('/instruments/:id/preview', { config: { access: 'read' } }, async (request, reply) => {
    const instrument = await load(request, true)
    const { side, locale } = previewChoice(request, instrument)
    return reply.page('instrument-preview', {
      title: `Preview · ${instrument.definition.name}`, styles: STYLES, instrument, side, locale,
      languages: languagesOf(instrument.definition.locales, languageName),
    })
  })

  // The survey page itself, for the preview's frame: framed only by this site, and no form on it can be sent.
  app.get<{ Params: Params }>('/instruments/:id/preview/frame', { config: { access: 'read' } }, async (request, reply) => {
    const instrument = await load(request, true)
    const { side, locale } = previewChoice(request, instrument)
    const organization = await getOrganization(app.db, orgOf(request))
    const survey = previewSurvey(instrument.definition, side, { id: organization.id, name: organization.name, defaultLocale: organization.defaultLocale })
    return reply
      .header('content-security-policy', "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'self'; base-uri 'none'; object-src 'none'")
      .header('x-frame-options', 'SAMEORIGIN')
      .header('cache-control', 'no-store')
      .view('survey/form', previewFormData(survey, locale))
  })
}
