// Checks of what people type into forms and API bodies. Each returns either the clean value or a
// message per field, so a form can be shown again with every problem next to its field.
import { PREDICTION_MODES, type PredictionMode, type WaveStatus } from './types.js'
import { languageList, LOCALES } from './languages.js'
import { checkRepeat, repeatOf, weeklyDigestOf } from './schedule.js'
import type { RepeatEvery } from './types.js'

import { passwordProblem, type PasswordContext } from './password-rules.js'

export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password-rules.js'

export type FieldErrors = Record<string, string>
export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors }

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '')

function name(value: unknown, what: string, errors: FieldErrors, field: string): string {
  const v = text(value)
  if (v === '') errors[field] = `Enter ${what}.`
  else if (v.length > 100) errors[field] = `${what[0]!.toUpperCase()}${what.slice(1)} must be at most 100 characters.`
  return v
}

/**
 * Exactly one plain address: a dot-atom local part, @, a domain of at least two labels whose last
 * starts with a letter. Nothing a mail program reads as a second address or a display name gets
 * through — no comma, semicolon, angle brackets, quotes, parentheses, whitespace or control
 * characters — nor `%` and `!`, which old relays treat as routing to another host.
 */
const ATOM = "[\\p{L}\\p{N}#$&'*+/=?^_`{|}~-]+"
const LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?'
export const EMAIL = new RegExp(`^${ATOM}(?:\\.${ATOM})*@(?:${LABEL}\\.)+\\p{L}(?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?$`, 'u')
export const MAX_EMAIL_LENGTH = 254

/** How an address is stored and compared: trimmed, in Unicode NFC, lower-cased. */
export const normalizeEmail = (value: string) => value.trim().normalize('NFC').toLowerCase()

/** Whether a normalized address is one plain address the product will store and mail to. */
export const isEmail = (value: string) =>
  value.length <= MAX_EMAIL_LENGTH && value.indexOf('@') <= 64 && EMAIL.test(value)

function email(value: unknown, errors: FieldErrors): string {
  const v = typeof value === 'string' ? normalizeEmail(value) : ''
  if (v === '') errors.email = 'Enter an email address.'
  else if (!isEmail(v)) errors.email = 'Enter an email address like name@example.com.'
  return v
}

/**
 * The email of a sign-in or reset form: normalized, or '' when it is missing, given twice or is no
 * plain address (the caller answers that like any address without an account).
 */
export function emailField(value: unknown): string {
  const v = typeof value === 'string' ? normalizeEmail(value) : ''
  return isEmail(v) ? v : ''
}

function password(value: unknown, errors: FieldErrors, field = 'password', context: PasswordContext = {}): string {
  const problem = passwordProblem(value, context)
  if (problem) errors[field] = problem
  return typeof value === 'string' ? value : ''
}

const result = <T>(errors: FieldErrors, value: T): Checked<T> =>
  Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value }

export function checkSetup(input: Record<string, unknown>): Checked<{ organization: string; name: string; email: string; password: string }> {
  const errors: FieldErrors = {}
  const value = {
    organization: name(input.organization, 'the name of your organization', errors, 'organization'),
    name: text(input.name).slice(0, 100),
    email: email(input.email, errors),
    password: password(input.password, errors, 'password', { email: text(input.email), name: text(input.name), organization: text(input.organization) }),
  }
  if (!errors.password && input.password !== input.confirm) errors.confirm = 'The two passwords do not match.'
  return result(errors, value)
}

export function checkUnitName(input: unknown): Checked<string> {
  const errors: FieldErrors = {}
  const value = name(input, 'a unit name', errors, 'name')
  return result(errors, value)
}

export function checkTokenName(input: unknown): Checked<string> {
  const errors: FieldErrors = {}
  const value = name(input, 'a name for the token', errors, 'name')
  return result(errors, value)
}

export function checkSettings(input: Record<string, unknown>): Checked<{ name: string; minGroupSize: number; defaultLocale: string }> {
  const errors: FieldErrors = {}
  const orgName = name(input.name, 'the organization name', errors, 'name')
  const raw = typeof input.minGroupSize === 'number' ? String(input.minGroupSize) : text(input.minGroupSize)
  const size = Number(raw)
  if (!/^\d+$/.test(raw) || size < 3 || size > 50) errors.minGroupSize = 'Enter a whole number from 3 to 50.'
  const locale = text(input.defaultLocale)
  if (!(LOCALES as readonly string[]).includes(locale)) errors.defaultLocale = `Choose one of: ${languageList()}.`
  return result(errors, { name: orgName, minGroupSize: size, defaultLocale: locale })
}

export interface WaveFields {
  name: string
  templateKey: string
  status: WaveStatus
  opensAt: Date | null
  closesAt: Date | null
  locales: string[]
  /** Which items staff predict customers' answers for ('off' unless chosen). */
  predictions: PredictionMode
  /** null, or how often the next wave of its series is made (domain/schedule.ts). */
  repeatEvery: RepeatEvery | null
  /** Whether its leaders get a digest every week while it is open. */
  weeklyDigest: boolean
}

/** A wave's name, for a new wave and a changed one alike. */
export const waveNameOf = (value: unknown, errors: FieldErrors) => name(value, 'a name for the wave, such as 2026-Q4', errors, 'name')

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const DAY_MS = 24 * 60 * 60 * 1000

/** A date (yyyy-mm-dd) or an ISO date-time, both read as UTC unless an offset is given. A closing date means the end of that day. */
export function moment(value: unknown, field: string, endOfDay: boolean, errors: FieldErrors): Date | null {
  const v = text(value)
  if (v === '') return null
  const dateOnly = DATE_ONLY.test(v)
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/i.test(v)
  const parsed = new Date(dateOnly ? `${v}T00:00:00Z` : hasOffset ? v : `${v}Z`)
  // Date rolls 2026-06-31 over to 1 July; a day that does not exist is refused instead.
  if (Number.isNaN(parsed.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(v) || parsed.toISOString().slice(0, 10) !== v.slice(0, 10) && !hasOffset) {
    errors[field] = 'Enter a date as yyyy-mm-dd.'
    return null
  }
  return endOfDay && DATE_ONLY.test(v) ? new Date(parsed.getTime() + DAY_MS) : parsed
}

/** Which items a wave's staff predict (domain/predictions.ts): for a new wave and a changed one alike. */
export function predictionModeOf(value: unknown, errors: FieldErrors): PredictionMode {
  if ((PREDICTION_MODES as readonly unknown[]).includes(value)) return value as PredictionMode
  errors.predictions = 'Choose "off", "headline" or "all".'
  return 'off'
}

/**
 * A new wave. It opens at once unless it is saved as a draft or its opening date lies ahead; a wave
 * cannot be open before its opening date nor close before it opens.
 */
export function checkNewWave(
  input: Record<string, unknown>,
  context: { now: Date; templateKeys: readonly string[]; templateLocales: (key: string) => readonly string[] },
): Checked<WaveFields> {
  const errors: FieldErrors = {}
  const waveName = waveNameOf(input.name, errors)
  const templateKey = text(input.templateKey)
  if (!context.templateKeys.includes(templateKey)) errors.templateKey = 'Choose a template.'
  const opensAt = moment(input.opensAt, 'opensAt', false, errors)
  const closesAt = moment(input.closesAt, 'closesAt', true, errors)
  if (opensAt && closesAt && closesAt <= opensAt) errors.closesAt = 'The closing date must come after the opening date.'
  else if (closesAt && closesAt <= context.now) errors.closesAt = 'The closing date must lie in the future.'

  const requested = input.status === undefined || input.status === '' ? null : input.status
  if (requested !== null && requested !== 'open' && requested !== 'draft') errors.status = 'Choose "open" or "draft".'
  const scheduled = opensAt !== null && opensAt > context.now
  if (requested === 'open' && scheduled) errors.status = 'A wave whose opening date lies ahead opens by itself on that date; save it as a draft or clear the date.'
  const status: WaveStatus = requested === 'draft' || scheduled ? 'draft' : 'open'

  const offered = errors.templateKey ? LOCALES : context.templateLocales(templateKey)
  const raw = input.locales === undefined ? [...offered] : Array.isArray(input.locales) ? input.locales : [input.locales]
  const locales = [...new Set(raw.map(text))]
  if (locales.length === 0) errors.locales = 'Choose at least one language.'
  else if (locales.some((l) => !offered.includes(l))) errors.locales = `Languages must be among: ${offered.join(', ')}.`

  const predictions = input.predictions === undefined || input.predictions === '' ? 'off' : predictionModeOf(input.predictions, errors)
  const repeatEvery = repeatOf(input.repeatEvery, errors)
  const weeklyDigest = weeklyDigestOf(input.weeklyDigest, errors)
  checkRepeat({ repeatEvery, opensAt, closesAt }, errors)

  return result(errors, {
    name: waveName,
    templateKey,
    status,
    opensAt: status === 'open' && opensAt === null ? context.now : opensAt,
    closesAt,
    locales,
    predictions,
    repeatEvery,
    weeklyDigest,
  })
}

/** A person's own name on their account page: optional, one line, at most 100 characters. */
export function checkPersonName(input: unknown): Checked<string> {
  const errors: FieldErrors = {}
  const value = text(input)
  if (value.length > 100) errors.name = 'Your name must be at most 100 characters.'
  // eslint-disable-next-line no-control-regex
  else if (/[\u0000-\u001f\u007f]/.test(value)) errors.name = 'Your name must fit on one line.'
  return result(errors, value)
}

/** A new password typed twice (password, confirm), checked against the rules and the account's own words. */
export function checkNewPassword(input: Record<string, unknown>, context: PasswordContext): Checked<string> {
  const errors: FieldErrors = {}
  const value = password(input.password, errors, 'password', context)
  if (!errors.password && input.password !== input.confirm) errors.confirm = 'The two passwords do not match.'
  return result(errors, value)
}

/** A password change: the current password (checked against the hash by the caller) and a new one typed twice. */
export function checkPasswordChange(input: Record<string, unknown>, context: PasswordContext): Checked<{ current: string; password: string }> {
  const errors: FieldErrors = {}
  const current = typeof input.current === 'string' ? input.current : ''
  if (current === '') errors.current = 'Enter your current password.'
  const checked = checkNewPassword(input, context)
  if (!checked.ok) Object.assign(errors, checked.errors)
  else if (checked.value === current) errors.password = 'Choose a password different from your current one.'
  return result(errors, { current, password: checked.ok ? checked.value : '' })
}
