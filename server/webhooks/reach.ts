// Reaching a webhook's receiver without SSRF: the hostname is resolved once, every address it
// resolves to must pass the address policy (domain/webhooks.ts), and the connection then goes to
// those checked addresses only — the socket's lookup is pinned to them, so a DNS answer that changes
// between the check and the connection (rebinding) never reaches an address that was not checked.
// Redirects are not followed, the whole try has one deadline, and at most a few KB of the answer are read.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { addressRefusal, type AddressPolicy, type TryResult } from '../domain/webhooks.js'

/** How names are resolved: node:dns lookup with all addresses; tests give their own. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>

export const systemResolver: Resolver = (hostname) => new Promise((done, fail) => {
  dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? fail(error) : done(addresses)))
})

export type Resolved = { ok: true; addresses: LookupAddress[] } | { ok: false; refused: boolean; message: string }

/** The host's addresses when every one of them may be reached; refused when any may not. */
export async function resolveReachable(url: URL, policy: AddressPolicy, resolve: Resolver = systemResolver): Promise<Resolved> {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  let addresses: LookupAddress[]
  if (isIP(host) !== 0) addresses = [{ address: host, family: isIP(host) }]
  else {
    try {
      addresses = await resolve(host)
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'ERROR'
      return { ok: false, refused: false, message: `${host} could not be resolved (${code})` }
    }
  }
  if (addresses.length === 0) return { ok: false, refused: false, message: `${host} has no addresses` }
  for (const { address } of addresses) {
    const refused = addressRefusal(address, policy)
    if (refused) return { ok: false, refused: true, message: `${host} resolves to ${refused}` }
  }
  return { ok: true, addresses }
}

/** A socket lookup that answers only with the addresses already checked. */
function pinnedLookup(addresses: LookupAddress[]): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, addresses)
    else callback(null, addresses[0]!.address, addresses[0]!.family)
  }) as unknown as LookupFunction
}

export interface PostOptions {
  url: URL
  addresses: LookupAddress[]
  headers: Record<string, string>
  body: string
  /** The deadline of the whole try: connecting, sending and the answer's head. */
  timeoutMs: number
  /** At most this much of the answer is read (and thrown away). */
  maxResponseBytes?: number
}

/** One POST. Never throws: a missing answer comes back as an error of kind network or timeout. */
export function postOnce(options: PostOptions): Promise<TryResult> {
  const { url, addresses, headers, body, timeoutMs } = options
  const limit = options.maxResponseBytes ?? 4096
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((done) => {
    let settled = false
    /** Known once the answer's head arrived: a receiver that then trickles its body still answered. */
    let statusCode: number | null = null
    const finish = (result: TryResult) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      request.destroy()
      done(result)
    }
    const request = send(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), connection: 'close' },
      lookup: pinnedLookup(addresses),
      // No connection pool: every try resolves and checks afresh, and no socket outlives it.
      agent: false,
    }, (response: IncomingMessage) => {
      const code = statusCode = response.statusCode ?? 0
      let read = 0
      response.on('data', (chunk: Buffer) => {
        read += chunk.length
        if (read >= limit) finish({ statusCode: code })
      })
      response.on('end', () => finish({ statusCode: code }))
      response.on('error', () => finish({ statusCode: code }))
    })
    const timer = setTimeout(() => finish(statusCode !== null ? { statusCode }
      : { statusCode: null, error: { kind: 'timeout', message: `no answer within ${timeoutMs} ms` } }), timeoutMs)
    request.on('error', (error: NodeJS.ErrnoException) => {
      finish({ statusCode: null, error: { kind: 'network', message: networkMessage(error) } })
    })
    request.end(body)
  })
}

/** The error's code and a short reason; never the headers or the body (they carry the signature). */
function networkMessage(error: NodeJS.ErrnoException): string {
  const code = error.code ?? error.name
  const reason = (error.message ?? '').replace(/\s+/g, ' ').slice(0, 200)
  return reason.startsWith(code) ? reason : `${code}: ${reason}`
}
