// Who survey mail comes from, per organization: a sender name shown as the From display name and a
// reply-to address. The installation's own address (MAIL_FROM) stays the envelope sender and the From
// address, so mail keeps passing SPF and DMARC for the installation's domain: the organization's name
// only decorates it ("Acme Support via Service Gap" <surveys@install>).
import type { Checked, FieldErrors } from './inputs.js'

export const MAX_SENDER_NAME = 100

/**
 * One address and nothing else: a local part without spaces, quotes, angle brackets, commas or
 * semicolons (each of which would let "a,b@x" or "name<c@x>" reach someone else), an @, and a domain
 * of letters, digits, hyphens and dots.
 */
const ONE_ADDRESS = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/

// Any control character (CR and LF among them) would end a header line.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

export interface SenderSettings {
  /** '' for the installation's own name alone. */
  senderName: string
  /** null for replies to go to the From address. */
  replyTo: string | null
}

export function checkSender(input: Record<string, unknown>): Checked<SenderSettings> {
  const errors: FieldErrors = {}
  const rawName = input.senderName === undefined ? '' : input.senderName
  let senderName = ''
  if (typeof rawName !== 'string') errors.senderName = 'Enter the sender name as text.'
  else if (CONTROL.test(rawName)) errors.senderName = 'The sender name must be one line, without control characters.'
  else {
    senderName = rawName.trim().replace(/\s+/g, ' ')
    if (senderName.length > MAX_SENDER_NAME) errors.senderName = `The sender name must be at most ${MAX_SENDER_NAME} characters.`
  }
  const rawReply = input.replyTo === undefined ? '' : input.replyTo
  let replyTo: string | null = null
  if (typeof rawReply !== 'string') errors.replyTo = 'Enter one email address, like support@example.com.'
  else {
    const address = rawReply.trim().toLowerCase()
    if (address !== '') {
      if (address.length > 254 || CONTROL.test(address) || !ONE_ADDRESS.test(address)) errors.replyTo = 'Enter one email address, like support@example.com.'
      else replyTo = address
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: { senderName, replyTo } }
}

export interface MailAddress {
  name: string
  address: string
}

/** The display name and the address of an installation sender such as `Service Gap <surveys@host>`. */
export function parseMailFrom(mailFrom: string): MailAddress {
  const match = /^\s*(.*?)\s*<([^<>\s]+)>\s*$/.exec(mailFrom)
  if (!match) return { name: '', address: mailFrom.trim() }
  return { name: match[1]!.replace(/^"(.*)"$/, '$1').trim(), address: match[2]! }
}

/**
 * The From of an organization's survey mail: the installation's address under the organization's
 * sender name ("Acme Support via Service Gap"), or the installation's sender as it is when the
 * organization set none. An address object, never a string, so the mail library quotes the name.
 */
export function surveySender(mailFrom: string, senderName: string): MailAddress | string {
  if (senderName === '') return mailFrom
  const installation = parseMailFrom(mailFrom)
  return { name: installation.name ? `${senderName} via ${installation.name}` : senderName, address: installation.address }
}
