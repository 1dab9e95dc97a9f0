// Encryption at rest for secrets the server must read back (an organization's OIDC client secret):
// AES-256-GCM under a key derived from SIGNING_SECRET with HKDF, one key per purpose. The sealed
// text carries a version, a random 96-bit IV and the authentication tag; `context` (the
// organization id) is bound in as additional data, so a sealed value copied to another row fails.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

const VERSION = 'v1'
const IV_BYTES = 12

function key(signingSecret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', signingSecret, 'service-gap secret-box', `${VERSION}:${purpose}`, 32))
}

export function seal(signingSecret: string, purpose: string, context: string, plaintext: string): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key(signingSecret, purpose), iv)
  cipher.setAAD(Buffer.from(context))
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return [VERSION, iv.toString('base64url'), data.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.')
}

/** The plaintext, or null when the value was sealed under another secret, for another context, or altered. */
export function unseal(signingSecret: string, purpose: string, context: string, sealed: string): string | null {
  const [version, iv, data, tag] = sealed.split('.')
  if (version !== VERSION || !iv || data === undefined || !tag) return null
  try {
    const decipher = createDecipheriv('aes-256-gcm', key(signingSecret, purpose), Buffer.from(iv, 'base64url'))
    decipher.setAAD(Buffer.from(context))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8')
  } catch {
    return null
  }
}
