// The rules of webhooks as pure functions: how a delivery is signed, which URLs and addresses a
// webhook may reach (no SSRF: nothing inside the network the server sits in, unless a setting allows
// it), and what a receiver's answer means for the delivery — delivered, tried again later, or given up.
import { createHmac } from 'node:crypto'
import { isIP } from 'node:net'
import { backoffMs, MAX_ATTEMPTS } from './mail.js'
import { WEBHOOK_EVENTS, type WebhookEvent } from './types.js'

/** The event "Send a test event" delivers: never subscribed to, sent only to the webhook it is asked for. */
export const TEST_EVENT = 'ping'
export type DeliveredEvent = WebhookEvent | typeof TEST_EVENT

export const isWebhookEvent = (value: unknown): value is WebhookEvent =>
  typeof value === 'string' && (WEBHOOK_EVENTS as readonly string[]).includes(value)

// -- signing --

/** HMAC-SHA256 over "<t>.<body>" with the secret's UTF-8 bytes as the key, in lowercase hex. */
export function signature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
}

/** The x-servicegap-signature header: `t=<unix seconds>,v1=<hex>`. */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signature(secret, timestamp, body)}`
}

// -- addresses --

/** What kind of address an IP is; only `public` may be reached without a setting. */
export type AddressKind =
  | 'public' | 'loopback' | 'private' | 'link_local' | 'shared' /* CGNAT 100.64/10 */ | 'multicast'
  | 'unspecified' | 'reserved' | 'mapped' /* IPv4 inside IPv6 */ | 'invalid'

function ipv4Parts(ip: string): number[] | null {
  const parts = ip.split('.').map(Number)
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts : null
}

function classifyIpv4(ip: string): AddressKind {
  const p = ipv4Parts(ip)
  if (!p) return 'invalid'
  const [a, b] = p as [number, number, number, number]
  if (a === 0) return 'unspecified' // 0.0.0.0/8: "this network"; 0.0.0.0 reaches the local host
  if (a === 127) return 'loopback'
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private'
  if (a === 169 && b === 254) return 'link_local' // cloud metadata (169.254.169.254) lives here
  if (a === 100 && b >= 64 && b <= 127) return 'shared'
  if (a >= 224 && a <= 239) return 'multicast'
  // 192.0.0/24 protocol assignments, 198.18/15 benchmarking, TEST-NETs, 240/4 and broadcast.
  if ((a === 192 && b === 0 && p[2] === 0) || (a === 198 && (b === 18 || b === 19)) || a >= 240) return 'reserved'
  if ((a === 192 && b === 0 && p[2] === 2) || (a === 198 && b === 51 && p[2] === 100) || (a === 203 && b === 0 && p[2] === 113)) return 'reserved'
  return 'public'
}

/** The eight 16-bit groups of an IPv6 address (an embedded dotted IPv4 tail included), or null. */
function ipv6Groups(ip: string): number[] | null {
  let text = ip.toLowerCase().split('%')[0]!
  const tail = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (tail) {
    const p = ipv4Parts(tail[1]!)
    if (!p) return null
    text = `${text.slice(0, tail.index)}:${((p[0]! << 8) | p[1]!).toString(16)}:${((p[2]! << 8) | p[3]!).toString(16)}`
  }
  const halves = text.split('::')
  if (halves.length > 2) return null
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)))
  const head = parse(halves[0]!)
  const rest = halves.length === 2 ? parse(halves[1]!) : []
  const missing = 8 - head.length - rest.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest]
  return groups.some(Number.isNaN) ? null : groups
}

function classifyIpv6(ip: string): AddressKind {
  const g = ipv6Groups(ip)
  if (!g) return 'invalid'
  const first = g[0]!
  if (g.every((x) => x === 0)) return 'unspecified'
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'loopback'
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated): an IPv4 address in disguise, refused
  // outright rather than trusted to be classified the same way by every resolver and kernel.
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) return 'mapped'
  if (first === 0x64 && g[1] === 0xff9b) return 'mapped' // NAT64 64:ff9b::/96 reaches IPv4 addresses
  if ((first & 0xfe00) === 0xfc00) return 'private' // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return 'link_local'
  if ((first & 0xffc0) === 0xfec0) return 'private' // fec0::/10 site-local (deprecated)
  if ((first & 0xff00) === 0xff00) return 'multicast'
  if (first === 0x2001 && g[1] === 0x0db8) return 'reserved' // documentation
  if (first === 0x2002 || (first === 0x2001 && g[1] === 0)) return 'mapped' // 6to4 and Teredo carry IPv4
  if ((first & 0xe000) !== 0x2000) return 'reserved' // outside 2000::/3, the global unicast space
  return 'public'
}

/** Classifies an IP address (v4 or v6, without brackets). */
export function classifyAddress(ip: string): AddressKind {
  const version = isIP(ip.split('%')[0]!)
  if (version === 4) return classifyIpv4(ip)
  if (version === 6) return classifyIpv6(ip)
  return 'invalid'
}

/** Which kinds beyond `public` a setting lets through. */
export interface AddressPolicy {
  /** WEBHOOKS_ALLOW_LOOPBACK: loopback addresses (and plain http to them), for development and tests. */
  allowLoopback: boolean
  /** WEBHOOKS_ALLOW_PRIVATE: private networks (10/8, 172.16/12, 192.168/16, fc00::/7, CGNAT), for on-premises receivers. */
  allowPrivate: boolean
}

const REFUSED_WHY: Record<Exclude<AddressKind, 'public'>, string> = {
  loopback: 'is this server itself (loopback)',
  private: 'is in a private network',
  link_local: 'is link-local (where cloud metadata services answer)',
  shared: 'is in the carrier-grade NAT range',
  multicast: 'is a multicast address',
  unspecified: 'is an unspecified address',
  reserved: 'is a reserved address',
  mapped: 'is an IPv4 address written as IPv6',
  invalid: 'is not an address',
}

/** null when the address may be reached, else why not (words for the delivery log and the form). */
export function addressRefusal(ip: string, policy: AddressPolicy): string | null {
  const kind = classifyAddress(ip)
  if (kind === 'public') return null
  if (kind === 'loopback' && policy.allowLoopback) return null
  if ((kind === 'private' || kind === 'shared') && policy.allowPrivate) return null
  return `${ip} ${REFUSED_WHY[kind]}`
}

const isLocalhostName = (host: string) => /(^|\.)localhost\.?$/.test(host)

export const MAX_URL_LENGTH = 2000

/**
 * Checks a webhook URL before any lookup: https only (plain http only to loopback, and only when
 * WEBHOOKS_ALLOW_LOOPBACK is on), no user name or password in it, no fragment, and a literal address
 * or a localhost name must pass the address policy. A hostname's addresses are checked after DNS
 * resolution, at creation and again at every delivery.
 */
export function checkWebhookUrl(input: unknown, policy: AddressPolicy): { ok: true; url: URL } | { ok: false; error: string } {
  const text = typeof input === 'string' ? input.trim() : ''
  if (text === '') return { ok: false, error: 'Enter the address that receives the events, like https://example.com/hooks/service-gap.' }
  if (text.length > MAX_URL_LENGTH) return { ok: false, error: `The address is longer than ${MAX_URL_LENGTH} characters.` }
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return { ok: false, error: 'This is not a web address. It must start with https://.' }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, error: 'The address must start with https://.' }
  if (url.username !== '' || url.password !== '') return { ok: false, error: 'Leave the user name and password out of the address: each delivery is signed with the webhook\'s secret instead.' }
  if (url.hash !== '' || text.includes('#')) return { ok: false, error: 'Leave out the part after #: it is never sent.' }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const literal = isIP(host) !== 0
  const loopback = literal ? classifyAddress(host) === 'loopback' : isLocalhostName(host)
  if (url.protocol === 'http:' && !(loopback && policy.allowLoopback)) {
    return { ok: false, error: 'The address must start with https://: events are sent encrypted only.' }
  }
  if (literal) {
    const refused = addressRefusal(host, policy)
    if (refused) return { ok: false, error: `This address cannot receive webhooks: ${refused}.` }
  } else if (loopback && !policy.allowLoopback) {
    return { ok: false, error: `This address cannot receive webhooks: ${host} is this server itself (loopback).` }
  }
  return { ok: true, url }
}

// -- answers --

/** What happened on one try. `statusCode` null means no answer (a network error, a timeout, a refused address). */
export interface TryResult {
  statusCode: number | null
  /** Set when there was no answer, or the address was refused. */
  error?: { kind: 'network' | 'timeout' | 'refused'; message: string }
}

export type Decision =
  | { outcome: 'delivered' }
  | { outcome: 'retry'; inMs: number }
  /** Given up; `deactivate` when the receiver said it is gone for good (410). */
  | { outcome: 'failed'; deactivate: boolean }

/**
 * 2xx is delivered. 408, 429, 5xx, timeouts and network errors are tried again with the mail's
 * backoff (30 s, 1 min, 2 min, … an hour) until MAX_ATTEMPTS tries; 410 Gone gives up and turns the
 * webhook off; any other answer (3xx: redirects are not followed; 4xx: the receiver refused it) and a
 * refused address give up at once, since trying again would get the same answer.
 */
export function decide(result: TryResult, attempt: number): Decision {
  const code = result.statusCode
  if (code !== null && code >= 200 && code < 300) return { outcome: 'delivered' }
  if (code === 410) return { outcome: 'failed', deactivate: true }
  const temporary = code === null ? result.error?.kind !== 'refused' : code === 408 || code === 429 || (code >= 500 && code < 600)
  if (temporary && attempt < MAX_ATTEMPTS) return { outcome: 'retry', inMs: backoffMs(attempt) }
  return { outcome: 'failed', deactivate: false }
}
