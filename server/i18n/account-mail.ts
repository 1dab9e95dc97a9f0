// The words of mail about accounts: a password reset link and a colleague's invitation. Accounts
// are administered in English, so these are English only.
import type { AccountMailKind } from '../domain/types.js'
import { escapeHtml, oneLine, type Message } from './mail.js'

/** Where each kind's link leads; the token follows the path. */
export const ACCOUNT_MAIL_PATHS: Record<AccountMailKind, string> = {
  password_reset: '/reset-password',
  colleague_invitation: '/join',
}

interface Words { subject: string; paragraphs: string[]; button: string; after: string }

const WORDS: Record<AccountMailKind, (params: Record<string, string>) => Words> = {
  password_reset: (p) => ({
    subject: 'Reset your Service Gap password',
    paragraphs: [
      `Someone asked to reset the password of your Service Gap account at ${p.organization ?? 'your organization'}.`,
      `The link below lets you choose a new one. It works once, for ${p.minutes ?? '30'} minutes.`,
    ],
    button: 'Choose a new password',
    after: 'If you did not ask for this, ignore this message: your password stays as it is.',
  }),
  colleague_invitation: (p) => ({
    subject: `${p.inviter || 'A colleague'} invites you to ${p.organization ?? 'Service Gap'} on Service Gap`,
    paragraphs: [
      `${p.inviter || 'A colleague'} invites you to join ${p.organization ?? 'their organization'} on Service Gap, as ${p.role ?? 'a member'}.`,
      'Service Gap asks staff and customers the same questions and shows where the two views differ.',
      `The link below lets you set up your account. It works once, for ${p.days ?? '7'} days.`,
    ],
    button: 'Accept the invitation',
    after: 'If you did not expect this, ignore this message; nothing happens unless you follow the link.',
  }),
}

export function renderAccountMail(kind: AccountMailKind, url: string, params: Record<string, string>): Message {
  const words = WORDS[kind](params)
  const text = [...words.paragraphs, '', url, '', words.after].join('\n')
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(words.subject)}</title></head>`
    + '<body style="margin:0;background:#f4f6f8"><div style="max-width:560px;margin:0 auto;padding:24px;font-family:system-ui,sans-serif;color:#1c2430;background:#ffffff">'
    + words.paragraphs.map((p) => `<p style="margin:0 0 14px">${escapeHtml(p)}</p>`).join('')
    + `<p style="margin:22px 0"><a href="${escapeHtml(url)}" style="display:inline-block;background:#0b4f8a;color:#ffffff;text-decoration:none;font-weight:bold;padding:12px 20px;border-radius:6px">${escapeHtml(words.button)}</a></p>`
    + `<p style="margin:0 0 14px;font-size:13px;color:#556070">${escapeHtml(url)}</p>`
    + `<p style="margin:24px 0 0;font-size:12px;color:#556070">${escapeHtml(words.after)}</p>`
    + '</div></body></html>'
  return { subject: oneLine(words.subject), text, html }
}
