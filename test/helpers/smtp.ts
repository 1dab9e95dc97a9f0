// A real SMTP server (the smtp-server package) on a free port of 127.0.0.1 that keeps every message it
// receives, for tests of anything that sends mail.
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

export interface Received { to: string; raw: string }

/** An SMTP server that keeps what it receives and answers recipients as `reply` decides. */
export async function smtpServer(reply: (to: string, attempt: number) => number = () => 250) {
  const received: Received[] = []
  const attempts = new Map<string, number>()
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onRcptTo(address, _session, callback) {
      const n = (attempts.get(address.address) ?? 0) + 1
      attempts.set(address.address, n)
      const code = reply(address.address, n)
      if (code === 250) return callback()
      const error = Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), { responseCode: code })
      return callback(error)
    },
    onData(stream, session, callback) {
      let raw = ''
      stream.on('data', (chunk: Buffer) => { raw += chunk.toString() })
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo[0]!.address, raw })
        callback()
      })
    },
  })
  server.listen(0, '127.0.0.1')
  await once(server.server, 'listening')
  const port = (server.server.address() as AddressInfo).port
  return { received, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** The first link in a received message that starts with `prefix` (quoted-printable soft breaks undone). */
export function linkIn(raw: string, prefix: string): string | undefined {
  const text = raw.replace(/=\r\n/g, '').replace(/=3D/g, '=')
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`${escaped}[A-Za-z0-9_-]+`).exec(text)?.[0]
}
