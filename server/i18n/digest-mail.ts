// The quarterly digest: the headline, its change, fix first, the widest units and the plans' verdicts.
// Placeholder wording until the digest work lands: it prints what was queued.
import type { NotificationContext } from './notification-mail.js'
import { renderResultMail } from './result-mail.js'

export function renderDigestMail(params: Record<string, unknown>, context: NotificationContext) {
  const text = (key: string) => (typeof params[key] === 'string' ? params[key] as string : '')
  return renderResultMail({
    lang: context.locale,
    subject: text('subject') || 'Service Gap digest',
    paragraphs: [text('summary')].filter(Boolean),
    button: { label: 'Open the dashboard', url: `${context.publicUrl}${text('path') || '/waves'}` },
    footer: 'You get this because you chose the digest in Service Gap; change it under Account → Notifications.',
  })
}
