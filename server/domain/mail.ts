// Invitation emails and the rules of delivery: what a message says, how long to wait before trying
// again, which failures are final, and when to stop sending altogether. Pure functions.
import type { MailKind, Side } from './types.js'
import { LOCALES, type Locale } from './instrument.js'
import { chooseLocale } from './locale.js'
import { MAIL_TEXT } from '../i18n/mail.js'

export interface MessageInput {
  locale: string | null
  organization: string
  side: Side
  kind: MailKind
  name: string
  surveyUrl: string
  unsubscribeUrl: string
  itemCount: number
}

export interface Message {
  subject: string
  text: string
  html: string
}

const escapeHtml = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;')

/** Subject lines are single lines: no line breaks can sneak extra headers in. */
const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ').trim()

export function renderMessage(input: MessageInput): Message {
  const locale = chooseLocale({ requested: input.locale, fallback: 'en', available: LOCALES }) as Locale
  const t = MAIL_TEXT[locale]
  const org = oneLine(input.organization)
  const name = oneLine(input.name)
  const paragraphs = [
    t.greeting(name),
    input.side === 'staff' ? t.askStaff(org) : t.askCustomer(org),
    ...(input.kind === 'reminder' ? [t.reminder] : []),
    t.time(input.itemCount),
    ...(input.side === 'staff' ? [t.anonymous] : []),
  ]
  const text = [
    ...paragraphs.map((p) => `${p}\n`),
    `${t.button}: ${input.surveyUrl}`,
    t.personal,
    '',
    '--',
    t.sentBy(org),
    `${t.unsubscribe}: ${input.unsubscribeUrl}`,
    '',
  ].join('\n')
  const html = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(t.subject(org, input.kind === 'reminder'))}</title></head>`
    + '<body style="margin:0;padding:24px;background:#f4f6f9;font-family:Arial,Helvetica,sans-serif;color:#1b2330;line-height:1.5">'
    + '<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">'
    + paragraphs.map((p) => `<p style="margin:0 0 14px">${escapeHtml(p)}</p>`).join('')
    + `<p style="margin:22px 0"><a href="${escapeHtml(input.surveyUrl)}" style="display:inline-block;background:#0b4f8a;color:#ffffff;text-decoration:none;font-weight:bold;padding:12px 20px;border-radius:6px">${escapeHtml(t.button)}</a></p>`
    + `<p style="margin:0 0 14px;font-size:13px;color:#556070">${escapeHtml(t.personal)}<br>${escapeHtml(input.surveyUrl)}</p>`
    + `<p style="margin:24px 0 0;font-size:12px;color:#556070">${escapeHtml(t.sentBy(org))} <a href="${escapeHtml(input.unsubscribeUrl)}" style="color:#556070">${escapeHtml(t.unsubscribe)}</a></p>`
    + '</div></body></html>'
  return { subject: oneLine(t.subject(org, input.kind === 'reminder')), text, html }
}

/** Attempts at most, counting the first. */
export const MAX_ATTEMPTS = 6

/** Waiting time before attempt `attempt + 1` after a temporary failure: 30 s, 1 min, 2 min, … up to an hour. */
export function backoffMs(attempt: number): number {
  return Math.min(60 * 60_000, 30_000 * 2 ** Math.max(0, attempt - 1))
}

export type Failure = 'temporary' | 'permanent'

/** SMTP 4xx replies and connection problems can pass; 5xx replies are final. */
export function classifyFailure(error: { responseCode?: number; code?: string }): Failure {
  if (typeof error.responseCode === 'number') return error.responseCode >= 500 ? 'permanent' : 'temporary'
  return 'temporary'
}

/** Pause when, of the last `window` attempts, at least half failed (and there were enough to judge). */
export const PAUSE_WINDOW = 20
export const PAUSE_FAILURE_RATE = 0.5

export function shouldPause(recent: readonly boolean[]): boolean {
  if (recent.length < PAUSE_WINDOW) return false
  const last = recent.slice(-PAUSE_WINDOW)
  return last.filter((ok) => !ok).length / last.length >= PAUSE_FAILURE_RATE
}
