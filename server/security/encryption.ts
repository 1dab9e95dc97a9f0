// Secrets the server must read back later (a person's TOTP secret, an organization's OIDC client secret) are stored sealed: AES-256-GCM
// under a key derived from SIGNING_SECRET with HKDF, a fresh 96-bit nonce each time, and a context
// (the owner's id) bound in as associated data, so a sealed value copied to another row does not open.
// A database dump alone therefore reveals no secret. Changing SIGNING_SECRET makes sealed values unreadable.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

const VERSION = 'v1'
const keys = new Map<string, Buffer>()

/** One key per purpose, so a key used for one kind of secret never opens another kind. */
function keyFor(signingSecret: string, purpose: string): Buffer {
  const id = `${purpose}\u0000${signingSecret}`
  let key = keys.get(id)
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', signingSecret, 'service-gap encryption', `${VERSION}:${purpose}`, 32))
    keys.set(id, key)
  }
  return key
}

/** "v1.<nonce>.<ciphertext>.<tag>", each part base64url. */
export function seal(signingSecret: string, purpose: string, context: string, plaintext: string): string {
  const nonce = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', keyFor(signingSecret, purpose), nonce)
  cipher.setAAD(Buffer.from(context))
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return [VERSION, nonce, body, cipher.getAuthTag()].map((part) => typeof part === 'string' ? part : part.toString('base64url')).join('.')
}

/** The plaintext, or null when the value was tampered with, sealed for another context or under another secret. */
export function open(signingSecret: string, purpose: string, context: string, sealed: string): string | null {
  const [version, nonce, body, tag, ...rest] = sealed.split('.')
  if (version !== VERSION || !nonce || body === undefined || !tag || rest.length > 0) return null
  try {
    // The tag's length is fixed, so a shortened tag (easier to forge) is refused.
    const decipher = createDecipheriv('aes-256-gcm', keyFor(signingSecret, purpose), Buffer.from(nonce, 'base64url'), { authTagLength: 16 })
    decipher.setAAD(Buffer.from(context))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
  } catch {
    return null
  }
}
