// What a kiosk hands out and must recognise later, signed with the server's secret (the same HMAC as
// the CSRF token): the device cookie (a random device id and its signature) and the form's render
// token (when the form was shown, to which device, for which kiosk, and the form's one-time key).
// A forged, altered or copied value does not verify; the render token's key makes one shown form
// store at most one response.
import { hashToken, hmac, isTokenShaped, randomToken, safeEqual } from './tokens.js'

const deviceSignature = (secret: string, deviceId: string) => hmac(`kiosk-device:${secret}`, deviceId)

/** A new device: its id and the cookie value that carries it. */
export function newDevice(secret: string): { deviceId: string; cookie: string } {
  const deviceId = randomToken(16)
  return { deviceId, cookie: `${deviceId}.${deviceSignature(secret, deviceId)}` }
}

/** The device id in a cookie value, or null when the value is missing, malformed or not signed by this server. */
export function readDevice(secret: string, cookie: unknown): string | null {
  if (typeof cookie !== 'string' || cookie.length > 200) return null
  const [deviceId, signature, ...rest] = cookie.split('.')
  if (!isTokenShaped(deviceId) || !signature || rest.length > 0) return null
  return safeEqual(signature, deviceSignature(secret, deviceId)) ? deviceId : null
}

/** What the database keeps of a device: a hash, so not even the device's own cookie can be read back from it. */
export const deviceHash = (deviceId: string) => hashToken(`kiosk-device:${deviceId}`)

export interface RenderedForm {
  renderedAt: number
  /** The form's one-time key: stored with its response, so the same shown form is stored once. */
  submissionKey: string
}

const renderSignature = (secret: string, kioskToken: string, deviceId: string, renderedAt: number, key: string) =>
  hmac(`kiosk-form:${secret}`, `${kioskToken}\n${deviceId}\n${renderedAt}\n${key}`)

/** The render token of a form shown now to this device by this kiosk. */
export function renderToken(secret: string, kioskToken: string, deviceId: string, renderedAt: number): string {
  const key = randomToken(16)
  return `${renderedAt}.${key}.${renderSignature(secret, kioskToken, deviceId, renderedAt, key)}`
}

/** The form a render token describes, or null when it was not signed for this kiosk and this device. */
export function readRenderToken(secret: string, kioskToken: string, deviceId: string, token: unknown): RenderedForm | null {
  if (typeof token !== 'string' || token.length > 200) return null
  const [time, key, signature, ...rest] = token.split('.')
  if (!time || !/^\d{1,15}$/.test(time) || !isTokenShaped(key) || !signature || rest.length > 0) return null
  const renderedAt = Number(time)
  return safeEqual(signature, renderSignature(secret, kioskToken, deviceId, renderedAt, key)) ? { renderedAt, submissionKey: key } : null
}
