// Kiosk mode's rules: the limits that keep one person from flooding a tablet on a counter, in one
// place, and the checks built on them (the admin form's daily cap, how old a rendered form must be
// before it is accepted, the bucket a response counts in for its device). No I/O.
import type { Checked } from './inputs.js'

export interface KioskLimits {
  /** Responses one device may send in `deviceWindowMinutes` (rolling, in ten-minute buckets). */
  readonly perDevice: number
  readonly deviceWindowMinutes: number
  /** A form is accepted no sooner than this after it was shown: nobody reads twelve statements faster. */
  readonly minSeconds: number
  /** A form shown longer ago than this is stale: the respondent gets a fresh one with their answers kept. */
  readonly maxFormAgeMinutes: number
  /** How long the thank-you page stays before the fresh form comes back. */
  readonly restartSeconds: number
}

export const KIOSK_LIMITS: KioskLimits = Object.freeze({
  perDevice: 30,
  deviceWindowMinutes: 60,
  minSeconds: 5,
  maxFormAgeMinutes: 120,
  restartSeconds: 8,
})

/** The cap offered on the admin form, and the bounds the database holds it to. */
export const DEFAULT_DAILY_CAP = 300
export const MAX_DAILY_CAP = 10_000

/** Device counts are kept in buckets of this many minutes; the window is a whole number of them. */
export const DEVICE_BUCKET_MINUTES = 10

/** The daily cap typed on the admin form: a whole number from 1 to MAX_DAILY_CAP. */
export function checkDailyCap(value: unknown): Checked<number> {
  const text = typeof value === 'string' ? value.trim() : ''
  if (text === '') return { ok: false, errors: { dailyCap: 'Enter how many answers the kiosk may take per day.' } }
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1 || Number(text) > MAX_DAILY_CAP) {
    return { ok: false, errors: { dailyCap: `Enter a whole number from 1 to ${MAX_DAILY_CAP.toLocaleString('en')}.` } }
  }
  return { ok: true, value: Number(text) }
}

export type FormAge = 'ok' | 'too_fast' | 'stale'

/** Whether a form shown at `renderedAt` may be taken at `now`. A time ahead of now is treated as too fast. */
export function formAge(renderedAt: number, now: number, limits: KioskLimits): FormAge {
  const age = now - renderedAt
  if (age < limits.minSeconds * 1000) return 'too_fast'
  if (age > limits.maxFormAgeMinutes * 60_000) return 'stale'
  return 'ok'
}

/** The start of the bucket `at` counts in, and of the oldest bucket still inside the device window. */
export function deviceBuckets(at: Date, limits: KioskLimits): { bucket: Date; windowStart: Date } {
  const size = DEVICE_BUCKET_MINUTES * 60_000
  const bucket = Math.floor(at.getTime() / size) * size
  const buckets = Math.max(1, Math.ceil(limits.deviceWindowMinutes / DEVICE_BUCKET_MINUTES))
  return { bucket: new Date(bucket), windowStart: new Date(bucket - (buckets - 1) * size) }
}

/** The day (UTC) a response counts towards a kiosk's daily cap. */
export const kioskDay = (at: Date) => at.toISOString().slice(0, 10)
