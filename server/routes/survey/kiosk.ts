// Kiosk mode (a tablet on a counter): GET /k/:token shows the unit's customer survey with a signed
// render token and, for a device that has none, a signed device cookie; POST stores the answers once
// the form is old enough, the device under its limit and the kiosk under today's cap, then the
// thank-you page returns to a fresh form by itself (a Refresh header, no JavaScript). Every refusal
// brings the form back with the answers kept and a line saying why; a full day shows its own page.
// No sign-in; nothing about the person or their address is stored.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { formAge, KIOSK_LIMITS, type KioskLimits } from '../../domain/kiosk.js'
import { LOCALES, type Locale } from '../../domain/instrument.js'
import { chooseLocale } from '../../domain/locale.js'
import { readSurveyForm } from '../../domain/responses.js'
import { kioskText } from '../../i18n/kiosk.js'
import { RESPONDENT_TEXT } from '../../i18n/respondent.js'
import { cookieName, cookieOptions } from '../../plugins/security.js'
import { deviceHash, newDevice, readDevice, readRenderToken, renderToken } from '../../security/kiosk.js'
import { openKiosk, storeKioskResponse, type OpenedKiosk } from '../../services/kiosk.js'
import { predictedKeys } from '../../services/survey.js'
import { brandOf, surveyFormView, type FormProblems, type Opened } from './form-view.js'

export interface KioskOptions {
  /** The clock the kiosk judges forms by (tests pass a fake one). */
  now?: () => Date
  /** Changes to KIOSK_LIMITS (tests shorten the restart and lower the per-device limit). */
  limits?: Partial<KioskLimits>
}

type Params = { token: string }
type Request = FastifyRequest<{ Params: Params }>

/** New device cookies one address may get from one kiosk per hour: clearing cookies does not give a fresh allowance. */
const NEW_DEVICES_PER_HOUR = 20
const DEVICE_COOKIE_DAYS = 400

export default async function kioskRoutes(app: FastifyInstance, options: KioskOptions) {
  const now = options.now ?? (() => new Date())
  const limits: KioskLimits = Object.freeze({ ...KIOSK_LIMITS, ...options.limits })
  const secret = app.config.signingSecret
  const deviceCookie = cookieName(app.config, 'sg_kiosk')
  const path = (request: Request, tail = '') => `/k/${encodeURIComponent(request.params.token)}${tail}`

  const localeFor = (request: Request, available: readonly string[], fallback: string): Locale => {
    const query = request.query as { lang?: unknown }
    const body = request.body as { lang?: unknown } | undefined
    return chooseLocale({ requested: body?.lang ?? query.lang, acceptLanguage: request.headers['accept-language'], fallback, available }) as Locale
  }

  const noStore = (reply: FastifyReply, status: number) => reply.code(status).header('cache-control', 'no-store')

  function message(request: Request, reply: FastifyReply, status: number, locale: Locale, content: { title: string; body: string[] }, opened?: OpenedKiosk, extra: object = {}) {
    const t = RESPONDENT_TEXT[locale]
    const org = opened?.found.survey.organization.name ?? ''
    return noStore(reply, status).view('survey/message', { locale, t, org, ...content, brand: brandOf(opened?.found.survey), ...extra })
  }

  /** The kiosk and its survey, or the page that says why there is none to answer. */
  async function open(request: Request, reply: FastifyReply): Promise<(Opened & { kiosk: OpenedKiosk }) | null> {
    const found = await openKiosk(app.db, request.params.token, now())
    if (!found || found.found.survey.wave.status === 'draft') {
      const t = RESPONDENT_TEXT[localeFor(request, LOCALES, 'en')]
      await message(request, reply, 404, localeFor(request, LOCALES, 'en'), { title: t.notFoundTitle, body: [t.notFoundBody] })
      return null
    }
    const { entry, survey } = found.found
    const locale = localeFor(request, survey.wave.locales, survey.organization.defaultLocale)
    if (survey.wave.status === 'closed') {
      const t = RESPONDENT_TEXT[locale]
      await message(request, reply, 410, locale, { title: t.closedTitle, body: [t.closedBody(survey.organization.name)] }, found)
      return null
    }
    // An archived unit takes nothing new: its kiosk stops, though the unit's ordinary link answers until the wave closes.
    if (found.kiosk.unitArchived) {
      const k = kioskText(locale)
      await message(request, reply, 410, locale, { title: k.closedTitle, body: [k.closedBody] }, found)
      return null
    }
    if (found.kiosk.today >= found.kiosk.dailyCap) {
      await capReached(request, reply, locale, found)
      return null
    }
    return { entry, survey, locale, kiosk: found }
  }

  function capReached(request: Request, reply: FastifyReply, locale: Locale, opened: OpenedKiosk) {
    const k = kioskText(locale)
    return message(request, reply, 429, locale, { title: k.capTitle, body: [k.capBody] }, opened)
  }

  // Clearing the cookie makes a new device; an address gets only so many of those from one kiosk.
  const newDeviceCheck = app.createRateLimit({ name: 'kiosk new devices per address', max: NEW_DEVICES_PER_HOUR, timeWindow: '1 hour', keyGenerator: (request) => `kiosk-device:${(request.params as Params).token}:${request.ip}` })

  /** This request's device id; a request without a valid cookie gets a new device (null when it may not have one now). */
  async function device(request: Request, reply: FastifyReply): Promise<{ id: string; known: boolean } | null> {
    const known = readDevice(secret, request.cookies[deviceCookie])
    if (known) return { id: known, known: true }
    const limit = await newDeviceCheck(request)
    if (!limit.isAllowed && limit.isExceeded) return null
    const issued = newDevice(secret)
    reply.setCookie(deviceCookie, issued.cookie, { ...cookieOptions(app.config), maxAge: DEVICE_COOKIE_DAYS * 86_400 })
    return { id: issued.deviceId, known: false }
  }

  function tooMany(request: Request, reply: FastifyReply, locale: Locale) {
    const t = RESPONDENT_TEXT[locale]
    return message(request, reply, 429, locale, { title: t.tooManyTitle, body: [t.tooManyBody] })
  }

  function form(request: Request, reply: FastifyReply, status: number, opened: Opened, render: string, state: { values?: Record<string, unknown>; problems?: FormProblems; formMessage?: string } = {}) {
    const problems: FormProblems | undefined = state.formMessage ? { ...state.problems, _form: 'kiosk' } : state.problems
    return noStore(reply, status).view('survey/form', surveyFormView(opened, { ...state, problems, action: path(request), csrf: reply.csrfToken(), render }))
  }

  app.get<{ Params: Params }>('/k/:token', { config: { access: 'public' } }, async (request, reply) => {
    const opened = await open(request, reply)
    if (!opened) return
    const seen = await device(request, reply)
    if (!seen) return tooMany(request, reply, opened.locale)
    return form(request, reply, 200, opened, renderToken(secret, request.params.token, seen.id, now().getTime()))
  })

  const perAddress = app.rateLimit({ name: 'kiosk answers per address', max: app.config.submitLimits.perAddress, timeWindow: '1 minute' })

  app.post<{ Params: Params }>('/k/:token', {
    config: { access: 'public', csrf: 'manual' },
    bodyLimit: 32 * 1024,
    preHandler: [perAddress],
    // Over the per-address limit: the page that offers to send the same answers again in a moment.
    errorHandler: async (error: FastifyError, request: Request, reply) => {
      if (error.statusCode !== 429) return app.errorHandler(error, request, reply)
      const locale = localeFor(request, LOCALES, 'en')
      const t = RESPONDENT_TEXT[locale]
      return noStore(reply, 429).header('retry-after', '60').view('survey/held', {
        locale, t, title: t.tooManyTitle, body: t.tooManyBody, action: path(request),
        fields: Object.entries((request.body as Record<string, unknown>) ?? {}).flatMap(([name, value]) =>
          (Array.isArray(value) ? value : [value]).filter((v) => typeof v === 'string').map((v) => ({ name, value: v }))),
      })
    },
  }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const opened = await open(request, reply)
    if (!opened) return
    const k = kioskText(opened.locale)
    const at = now()
    const again = (status: number, formMessage: string, render: string) => form(request, reply, status, opened, render, { values: body, formMessage })
    if (!request.csrfValid()) {
      const seen = await device(request, reply)
      if (!seen) return tooMany(request, reply, opened.locale)
      return form(request, reply, 403, opened, renderToken(secret, request.params.token, seen.id, at.getTime()), { values: body, problems: { _form: 'expired' } })
    }
    // No valid device cookie (never had one, cleared, forged): a new device and a new form, nothing stored.
    const seen = await device(request, reply)
    if (!seen) return tooMany(request, reply, opened.locale)
    const fresh = () => renderToken(secret, request.params.token, seen.id, at.getTime())
    if (!seen.known) return again(403, k.noDevice, fresh())
    const rendered = readRenderToken(secret, request.params.token, seen.id, body.form)
    if (!rendered) return again(403, k.stale, fresh())
    const age = formAge(rendered.renderedAt, at.getTime(), limits)
    if (age === 'stale') return again(403, k.stale, fresh())
    // Too fast: the same render token, so the wait counts from when the form was first shown.
    if (age === 'too_fast') return again(422, k.tooFast, body.form as string)
    const { survey, entry } = opened
    const read = readSurveyForm(survey.items, body, [], predictedKeys(survey))
    if (!read.ok) return form(request, reply, 422, opened, body.form as string, { values: body, problems: read.problems })
    const result = await storeKioskResponse(app.db, opened.kiosk.kiosk.id, {
      organizationId: entry.organizationId, waveId: survey.wave.id, side: 'customer', unitId: entry.unitId, locale: opened.locale, channel: 'kiosk',
      attributes: {}, comment: read.value.comment, answers: read.value.answers, submissionKey: rendered.submissionKey,
    }, { hash: deviceHash(seen.id) }, at, limits)
    if (result === 'device_limit') return again(429, k.deviceLimit, body.form as string)
    if (result === 'daily_cap') return capReached(request, reply, opened.locale, opened.kiosk)
    return reply.redirect(path(request, `/thanks?lang=${opened.locale}`), 303)
  })

  app.get<{ Params: Params }>('/k/:token/thanks', { config: { access: 'public' } }, async (request, reply) => {
    const found = await openKiosk(app.db, request.params.token, now())
    const locale = found ? localeFor(request, found.found.survey.wave.locales, found.found.survey.organization.defaultLocale) : localeFor(request, LOCALES, 'en')
    const t = RESPONDENT_TEXT[locale]
    if (!found) return message(request, reply, 404, locale, { title: t.notFoundTitle, body: [t.notFoundBody] })
    const k = kioskText(locale)
    const restart = path(request)
    const again = { href: restart, text: k.startNew }
    // ?stay: the person asked to keep the page, so it does not move on by itself.
    if ((request.query as { stay?: unknown }).stay !== undefined) {
      return message(request, reply, 200, locale, { title: t.thanksTitle, body: [k.thanksBody] }, found, { links: [again] })
    }
    // Back to the kiosk's own address after a few seconds: the next person starts in the kiosk's usual
    // language. The Refresh header does what <meta http-equiv="refresh"> does, without JavaScript; a
    // link turns it off for whoever needs longer to read (WCAG 2.2.1).
    reply.header('refresh', `${limits.restartSeconds};url=${restart}`)
    return message(request, reply, 200, locale, { title: t.thanksTitle, body: [k.thanksBody, k.restarting(limits.restartSeconds)] }, found, {
      links: [again, { href: path(request, `/thanks?lang=${locale}&stay`), text: k.stay }],
    })
  })
}
