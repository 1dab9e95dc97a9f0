// Reads a raw message as an SMTP server received it: its decoded subject and its leaf parts (text,
// HTML, attachments), each with its content type and decoded body, for tests of what mail says.

/** An RFC 2047 header value decoded (=?UTF-8?Q?…?= and =?UTF-8?B?…?= words, folded lines joined). */
export function decodeHeader(value: string): string {
  return value.replace(/\r?\n[ \t]+/g, ' ').replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?([qb])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
    enc.toLowerCase() === 'b' ? Buffer.from(text, 'base64').toString('utf8') : qp(text.replaceAll('_', ' ')).toString('utf8'))
}

function qp(text: string): Buffer {
  const bytes: number[] = []
  const soft = text.replace(/=\r?\n/g, '')
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16))
      i += 2
    } else bytes.push(...Buffer.from(soft[i]!, 'utf8'))
  }
  return Buffer.from(bytes)
}

function header(head: string, name: string): string | null {
  const match = new RegExp(`^${name}:([^\\r\\n]*(?:\\r?\\n[ \\t][^\\r\\n]*)*)`, 'im').exec(head)
  return match ? match[1]!.trim() : null
}

export interface MimePart { contentType: string; filename: string | null; body: Buffer }

export function readMessage(raw: string): { subject: string; parts: MimePart[]; text: string } {
  const split = (chunk: string) => {
    const at = chunk.search(/\r?\n\r?\n/)
    return { head: chunk.slice(0, at), body: chunk.slice(at).replace(/^\r?\n\r?\n/, '') }
  }
  const top = split(raw)
  const parts: MimePart[] = []
  const walk = (head: string, body: string) => {
    const type = header(head, 'Content-Type') ?? 'text/plain'
    const boundary = /boundary="?([^";\r\n]+)"?/i.exec(type)?.[1]
    if (boundary) {
      for (const chunk of body.split(`--${boundary}`).slice(1)) {
        if (chunk.startsWith('--')) break
        const inner = split(chunk.replace(/^\r?\n/, ''))
        walk(inner.head, inner.body)
      }
      return
    }
    const encoding = (header(head, 'Content-Transfer-Encoding') ?? '7bit').toLowerCase()
    const decoded = encoding === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64') : encoding === 'quoted-printable' ? qp(body) : Buffer.from(body, 'utf8')
    const filename = /filename="?([^";\r\n]+)"?/i.exec(header(head, 'Content-Disposition') ?? type)?.[1] ?? null
    parts.push({ contentType: type.split(';')[0]!.trim().toLowerCase(), filename, body: decoded })
  }
  walk(top.head, top.body)
  const text = parts.find((part) => part.contentType === 'text/plain')?.body.toString('utf8') ?? ''
  return { subject: decodeHeader(header(top.head, 'Subject') ?? ''), parts, text: text.replace(/\r\n/g, '\n') }
}
