// Alert mail (design §4 "Gap drift"): what was found, in which unit and item, with its figures.
// Placeholder wording until the alerts work lands: it prints what the alert pass queued.
import type { NotificationContext } from './notification-mail.js'
import { renderResultMail } from './result-mail.js'

export function renderAlertMail(params: Record<string, unknown>, context: NotificationContext) {
  const text = (key: string) => (typeof params[key] === 'string' ? params[key] as string : '')
  return renderResultMail({
    lang: context.locale,
    subject: text('subject') || 'Service Gap alert',
    paragraphs: [text('summary')].filter(Boolean),
    button: { label: 'Open the report', url: `${context.publicUrl}${text('path') || '/waves'}` },
    footer: 'You get this because you follow these units in Service Gap; change it under Account → Notifications.',
  })
}
