// A real webhook receiver for tests: node:http on 127.0.0.1 at a free port. It checks every request's
// signature the way the README tells receivers to (HMAC-SHA256 over "<t>.<body>", timingSafeEqual,
// five minutes' tolerance), processes each delivery id once (dedup on x-servicegap-delivery), and
// answers as the test scripts it: a status, a redirect, a delay.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'

export interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: string
  /** The signature matched the secret and the timestamp was within tolerance. */
  verified: boolean
  status: number
}

export type Answer = { status: number; delayMs?: number; headers?: Record<string, string> }

/** The check a receiver makes, as the README shows it. */
export function verifySignature(secret: string, header: string | undefined, body: string, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const parts = new Map((header ?? '').split(',').map((part) => part.split('=', 2) as [string, string]))
  const t = Number(parts.get('t'))
  const v1 = parts.get('v1') ?? ''
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > 300 || !/^[0-9a-f]{64}$/.test(v1)) return false
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest()
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'))
}

export interface Receiver {
  url: string
  port: number
  received: Received[]
  /** Delivery ids processed (verified, first time seen), in order. */
  processed: string[]
  /** How many requests each delivery id arrived with (duplicates included). */
  seen: Map<string, number>
  /** The secret signatures are checked with (set once the webhook is made). */
  secret: string
  /** Answers for the next requests, in order; once used up, `fallback` answers. */
  script: Answer[]
  fallback: Answer
  close(): Promise<void>
}

export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: '', port: 0, received: [], processed: [], seen: new Map(), secret: '', script: [], fallback: { status: 200 },
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((done) => server.close(() => done()))
    },
  }
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const verified = verifySignature(receiver.secret, request.headers['x-servicegap-signature'] as string | undefined, body)
      const answer = receiver.script.shift() ?? receiver.fallback
      const id = String(request.headers['x-servicegap-delivery'] ?? '')
      receiver.seen.set(id, (receiver.seen.get(id) ?? 0) + 1)
      // Processed on arrival, before answering: a sender that dies before it reads the answer sends
      // again, and the dedup is what keeps the second arrival from being processed twice.
      if (verified && answer.status >= 200 && answer.status < 300 && !receiver.processed.includes(id)) receiver.processed.push(id)
      receiver.received.push({ path: request.url ?? '', headers: request.headers, body, verified, status: answer.status })
      const reply = () => {
        if (response.destroyed) return
        response.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers })
        response.end('x'.repeat(10_000))
      }
      if (answer.delayMs) setTimeout(reply, answer.delayMs)
      else reply()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  receiver.port = (server.address() as { port: number }).port
  receiver.url = `http://127.0.0.1:${receiver.port}`
  return receiver
}
