// The respondent's pages: GET /s/:token shows the questionnaire for a public link or a personal
// invitation, POST stores the answers once and redirects to a thank-you page. Works without
// JavaScript; every text is in the respondent's language (staff of a wave with prediction questions
// get those after the statements); a form that needs correcting, or that
// could not be saved, comes back with every answer still chosen.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isDatabaseUnavailable } from '../../../db/connect.js'
import { LOCALES, type Locale } from '../../domain/instrument.js'
import { chooseLocale } from '../../domain/locale.js'
import { readSurveyForm, type SurveyForm } from '../../domain/responses.js'
import { HttpError } from '../../http-error.js'
import { RESPONDENT_TEXT } from '../../i18n/respondent.js'
import { LocalCache } from '../../local-cache.js'
import { storeIfOpen, storeResponse, type NewResponse } from '../../repositories/responses.js'
import { isTokenShaped } from '../../security/tokens.js'
import { advanceStaffAfterStore } from '../../services/release-steps.js'
import { openSurveyToken, predictedKeys, type OpenedToken } from '../../services/survey.js'
import { brandOf, surveyFormView, type FormProblems, type Opened } from './form-view.js'

type Params = { token: string }
type Request = FastifyRequest<{ Params: Params }>

/** The form's one-time key, when it has a well-formed one. */
const submissionKeyOf = (body: Record<string, unknown>) =>
  isTokenShaped(body.submission) ? body.submission : null

/** What is stored for a checked form. */
function newResponse({ entry, survey, locale }: Opened, form: SurveyForm, submissionKey: string | null): NewResponse {
  return {
    organizationId: entry.organizationId,
    waveId: survey.wave.id,
    side: entry.side,
    unitId: entry.unitId ?? form.unitId,
    locale,
    channel: entry.kind,
    // Staff answers carry nothing about the person; customers' carry their invitation's attributes.
    attributes: entry.kind === 'invitation' && entry.side === 'customer' ? entry.attributes : {},
    comment: form.comment,
    answers: form.answers,
    submissionKey,
    ...(entry.kind === 'invitation' ? { invitationId: entry.invitationId } : {}),
  }
}

/** How long a public link's survey, once read, may decide a submission on its own (see the POST route). */
const RECENT_LINK_MS = 10_000

export default async function surveyRoutes(app: FastifyInstance) {
  /**
   * Public links of open waves read in the last few seconds. A form sent to one is checked against this
   * copy and stored by one statement that makes sure, at that moment, that the link exists and its wave
   * is open (storeIfOpen). Anything else (a duplicate, a closed wave, a unit gone, an invalid form or
   * CSRF token, an invitation) takes the full way, which reads everything afresh and answers as before.
   */
  const recentLinks = new LocalCache<string, OpenedToken>({ ttlMs: RECENT_LINK_MS })
  const remember = (token: string, found: OpenedToken | undefined) => {
    if (found?.entry.kind === 'link' && found.survey.wave.status === 'open') recentLinks.set(token, found)
  }

  /** The token's entry and survey in one query; with a submission key, also whether that form is stored already. */
  const lookup = async (request: Request, submissionKey: string | null = null) => {
    const found = await openSurveyToken(app.db, request.params.token, submissionKey)
    remember(request.params.token, found)
    return found
  }

  const localeFor = (request: Request, available: readonly string[], fallback: string): Locale => {
    const query = request.query as { lang?: unknown }
    const body = request.body as { lang?: unknown } | undefined
    return chooseLocale({ requested: body?.lang ?? query.lang, acceptLanguage: request.headers['accept-language'], fallback, available }) as Locale
  }

  /** A page with only a message (not found, closed, already answered, thank you) in the respondent's language. */
  function message(request: Request, reply: FastifyReply, status: number, locale: Locale, kind: 'notFound' | 'closed' | 'used' | 'thanks', opened?: Opened) {
    const t = RESPONDENT_TEXT[locale]
    const org = opened?.survey.organization.name ?? ''
    const content = {
      notFound: { title: t.notFoundTitle, body: [t.notFoundBody] },
      closed: { title: t.closedTitle, body: [t.closedBody(org)] },
      used: { title: t.usedTitle, body: [t.usedBody] },
      thanks: { title: t.thanksTitle, body: opened?.entry.side === 'staff' ? [t.thanksBody, t.thanksStaff] : [t.thanksBody] },
    }[kind]
    return reply.code(status).header('cache-control', 'no-store').view('survey/message', { locale, t, org, ...content, brand: brandOf(opened?.survey) })
  }

  /** Resolves the token into an open survey, or answers with the page that says why not. */
  async function open(request: Request, reply: FastifyReply, found: OpenedToken | undefined): Promise<Opened | null> {
    if (!found || found.survey.wave.status === 'draft') {
      await message(request, reply, 404, localeFor(request, LOCALES, 'en'), 'notFound')
      return null
    }
    const { entry, survey } = found
    const fallback = entry.kind === 'invitation' && entry.locale ? entry.locale : survey.organization.defaultLocale
    const opened = { entry, survey, locale: localeFor(request, survey.wave.locales, fallback) }
    if (survey.wave.status === 'closed') {
      await message(request, reply, 410, opened.locale, 'closed', opened)
      return null
    }
    if (entry.kind === 'invitation' && entry.used) {
      await message(request, reply, 410, opened.locale, 'used', opened)
      return null
    }
    return opened
  }

  function form(request: Request, reply: FastifyReply, status: number, opened: Opened, state: { values?: Record<string, unknown>; problems?: FormProblems } = {}) {
    const action = `/s/${request.params.token}`
    return reply.code(status).header('cache-control', 'no-store').view('survey/form', surveyFormView(opened, { ...state, action, csrf: reply.csrfToken() }))
  }

  app.get<{ Params: Params }>('/s/:token', { config: { access: 'public' } }, async (request, reply) => {
    const opened = await open(request, reply, await lookup(request))
    if (opened) return form(request, reply, 200, opened)
  })

  // Two limits on one route: the plugin's hook marks a request as counted, so the second one is
  // checked by hand.
  const limits = app.config.submitLimits
  const perAddress = app.rateLimit({ name: 'survey answers per address', max: limits.perAddress, timeWindow: '1 minute' })
  const perLinkCheck = app.createRateLimit({ name: 'survey answers per link', max: limits.perLink, timeWindow: '1 minute', keyGenerator: (request) => `link:${(request.params as Params).token}` })
  const perLink = async (request: FastifyRequest) => {
    const limit = await perLinkCheck(request)
    if (!limit.isAllowed && limit.isExceeded) throw new HttpError(429, 'too_many_requests', 'Too many answers for this link right now.')
  }

  app.post<{ Params: Params }>('/s/:token', {
    config: { access: 'public', csrf: 'manual' },
    bodyLimit: 32 * 1024,
    preHandler: [perAddress, perLink],
    // A submission that cannot be taken right now comes back as the form with the answers kept.
    errorHandler: async (error: FastifyError, request: Request, reply) => {
      const status = error instanceof HttpError || error.statusCode ? (error as HttpError).statusCode : 500
      const unavailable = isDatabaseUnavailable(error)
      if (status !== 429 && !unavailable) return app.errorHandler(error, request, reply)
      if (unavailable) request.log.warn({ err: error }, 'survey submission while the database is unavailable')
      const t = RESPONDENT_TEXT[localeFor(request, LOCALES, 'en')]
      return reply.code(unavailable ? 503 : 429).header('retry-after', '60').header('cache-control', 'no-store').view('survey/held', {
        locale: localeFor(request, LOCALES, 'en'),
        t,
        title: unavailable ? t.unavailableTitle : t.tooManyTitle,
        body: unavailable ? t.unavailableBody : t.tooManyBody,
        action: `/s/${request.params.token}`,
        fields: Object.entries((request.body as Record<string, unknown>) ?? {}).flatMap(([name, value]) =>
          (Array.isArray(value) ? value : [value]).filter((v) => typeof v === 'string').map((v) => ({ name, value: v }))),
      })
    },
  }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const submissionKey = submissionKeyOf(body)
    const thanks = (locale: string) => reply.redirect(`/s/${encodeURIComponent(request.params.token)}/thanks?lang=${locale}`, 303)
    // The short way: a public link read a moment ago, a valid token and form, stored in one statement.
    const recent = recentLinks.get(request.params.token)
    if (recent && request.csrfValid()) {
      const { entry, survey } = recent
      const read = readSurveyForm(survey.items, body, survey.units.map((u) => u.id), predictedKeys(survey))
      if (read.ok) {
        const locale = localeFor(request, survey.wave.locales, survey.organization.defaultLocale)
        if (await storeIfOpen(app.db, request.params.token, newResponse({ entry, survey, locale }, read.value, submissionKey))) {
          if (entry.side === 'staff') await advanceStaffAfterStore(app.db, entry.organizationId, survey.wave.id, request.log)
          return thanks(locale)
        }
      }
    }
    const found = await lookup(request, submissionKey)
    // The same form sent again after it was stored (a double click, a resent tab): thank them again.
    if (found?.stored) return thanks(localeFor(request, LOCALES, 'en'))
    const opened = await open(request, reply, found)
    if (!opened) return
    if (!request.csrfValid()) return form(request, reply, 403, opened, { values: body, problems: { _form: 'expired' } })
    const read = readSurveyForm(opened.survey.items, body, opened.survey.units.map((u) => u.id), predictedKeys(opened.survey))
    if (!read.ok) return form(request, reply, 422, opened, { values: body, problems: read.problems })
    const result = await storeResponse(app.db, newResponse(opened, read.value, submissionKey))
    if (result === 'invitation_used') return message(request, reply, 410, opened.locale, 'used', opened)
    if (result === 'stored' && opened.entry.side === 'staff') await advanceStaffAfterStore(app.db, opened.entry.organizationId, opened.survey.wave.id, request.log)
    return thanks(opened.locale)
  })

  app.get<{ Params: Params }>('/s/:token/thanks', { config: { access: 'public' } }, async (request, reply) => {
    const found = await lookup(request)
    if (!found) return message(request, reply, 404, localeFor(request, LOCALES, 'en'), 'notFound')
    const opened = { ...found, locale: localeFor(request, found.survey.wave.locales, found.survey.organization.defaultLocale) }
    return message(request, reply, 200, opened.locale, 'thanks', opened)
  })
}

