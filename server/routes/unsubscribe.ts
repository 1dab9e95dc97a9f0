// Unsubscribing from an invitation email: the link opens a page with one button (GET never changes
// anything, so link scanners cannot unsubscribe people), and mail programs can POST to the same
// address with "List-Unsubscribe=One-Click" (RFC 8058). It holds for every survey of that organization.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { brandView, type BrandView } from '../domain/branding.js'
import { LOCALES, type Locale } from '../domain/instrument.js'
import { chooseLocale } from '../domain/locale.js'
import { UNSUBSCRIBE_TEXT } from '../i18n/mail.js'
import { getBranding } from '../repositories/branding.js'
import { unsubscribeByInvitation } from '../repositories/invitations.js'
import { readUnsubscribeToken } from '../security/tokens.js'

type Params = { token: string }

export default async function unsubscribeRoutes(app: FastifyInstance) {
  const page = (reply: FastifyReply, status: number, locale: Locale, content: { title: string; body: string[]; org?: string; brand?: BrandView }, token?: string) =>
    reply.code(status).header('cache-control', 'no-store').view('survey/unsubscribe', { locale, t: UNSUBSCRIBE_TEXT[locale], token, org: '', ...content })

  app.get<{ Params: Params }>('/u/:token', { config: { access: 'public' } }, async (request, reply) => {
    const locale = chooseLocale({ acceptLanguage: request.headers['accept-language'], fallback: 'en', available: LOCALES }) as Locale
    const t = UNSUBSCRIBE_TEXT[locale]
    if (!readUnsubscribeToken(app.config.signingSecret, request.params.token)) return page(reply, 404, locale, { title: t.invalidTitle, body: [t.invalidBody] })
    return page(reply, 200, locale, { title: t.confirmTitle, body: [t.confirmBody] }, request.params.token)
  })

  app.post<{ Params: Params }>('/u/:token', { config: { access: 'public', csrf: 'exempt' }, bodyLimit: 1024 }, async (request, reply) => {
    const invitationId = readUnsubscribeToken(app.config.signingSecret, request.params.token)
    const done = invitationId ? await unsubscribeByInvitation(app.db, invitationId) : null
    // The language of the invitation when known, else the browser's.
    const locale = chooseLocale({ requested: done?.locale, acceptLanguage: request.headers['accept-language'], fallback: 'en', available: LOCALES }) as Locale
    const t = UNSUBSCRIBE_TEXT[locale]
    if (!done) return page(reply, 404, locale, { title: t.invalidTitle, body: [t.invalidBody] })
    // Once the organization is known (the confirmation), its page carries its logo and colours.
    const brand = brandView(await getBranding(app.db, done.organizationId), done.organizationName)
    return page(reply, 200, locale, { title: t.doneTitle, body: [t.doneBody(done.organizationName)], org: done.organizationName, brand })
  })
}
