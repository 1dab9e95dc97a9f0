// The frame shared by mail about results (alerts, digests): a title, paragraphs, an optional table of
// figures and a button back to the product, as plain text and as simple inline-styled HTML.
import { escapeHtml, oneLine, type Message } from './mail.js'

export interface ResultMail {
  lang: string
  subject: string
  paragraphs: string[]
  /** Rows of cells; the first row is the header. */
  table?: string[][]
  button: { label: string; url: string }
  footer: string
}

export function renderResultMail(mail: ResultMail): Message {
  const tableText = mail.table ? mail.table.map((row) => row.join(' | ')) : []
  const text = [...mail.paragraphs, ...(tableText.length ? ['', ...tableText] : []), '', `${mail.button.label}: ${mail.button.url}`, '', mail.footer].join('\n')
  const cell = (tag: 'th' | 'td', value: string) => `<${tag} style="text-align:left;padding:4px 8px;border-bottom:1px solid #d5dbe2">${escapeHtml(value)}</${tag}>`
  const table = mail.table && mail.table.length > 0
    ? '<table style="border-collapse:collapse;margin:0 0 16px;font-size:14px">'
      + `<tr>${mail.table[0]!.map((value) => cell('th', value)).join('')}</tr>`
      + mail.table.slice(1).map((row) => `<tr>${row.map((value) => cell('td', value)).join('')}</tr>`).join('')
      + '</table>'
    : ''
  const html = `<!doctype html><html lang="${escapeHtml(mail.lang)}"><head><meta charset="utf-8"><title>${escapeHtml(mail.subject)}</title></head>`
    + '<body style="margin:0;background:#f4f6f8"><div style="max-width:640px;margin:0 auto;padding:24px;font-family:system-ui,sans-serif;color:#1c2430;background:#ffffff">'
    + mail.paragraphs.map((p) => `<p style="margin:0 0 14px">${escapeHtml(p)}</p>`).join('')
    + table
    + `<p style="margin:22px 0"><a href="${escapeHtml(mail.button.url)}" style="display:inline-block;background:#0b4f8a;color:#ffffff;text-decoration:none;font-weight:bold;padding:12px 20px;border-radius:6px">${escapeHtml(mail.button.label)}</a></p>`
    + `<p style="margin:24px 0 0;font-size:12px;color:#556070">${escapeHtml(mail.footer)}</p>`
    + '</div></body></html>'
  return { subject: oneLine(mail.subject), text, html }
}
