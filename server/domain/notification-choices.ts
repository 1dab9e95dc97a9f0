// What a person may choose on Account → Notifications, checked: which units to follow (all they may
// read, or some of them), alert mail on or off, the digest schedule and the language of their mail.
// A unit they may not read is refused with the same words as one that does not exist.
import type { FieldErrors } from './inputs.js'
import { languageList, LOCALES } from './languages.js'
import type { DigestSchedule } from './types.js'

export const DIGEST_SCHEDULES: readonly DigestSchedule[] = ['off', 'close', 'weekly']

/**
 * At most this many ticked units. More are refused, not cut short: cutting them would save a choice
 * the person did not make and say it was saved. (One more than this is read, to know there were more.)
 */
export const MAX_FOLLOWED_UNITS = 500

export interface NotificationChoices {
  unitIds: string[] | null
  alertEmail: boolean
  digest: DigestSchedule
  locale: string
}

/** The form as typed, for showing it again. */
export interface NotificationValues { follow: string; units: string[]; alertEmail: boolean; digest: string; locale: string }

const list = (value: unknown): string[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string')
const one = (value: unknown) => (typeof value === 'string' ? value.trim() : '')

export function notificationValues(form: Record<string, unknown>): NotificationValues {
  return { follow: one(form.follow), units: list(form.units).slice(0, MAX_FOLLOWED_UNITS + 1), alertEmail: one(form.alertEmail) === 'on', digest: one(form.digest), locale: one(form.locale) }
}

/** Checks the form against the units the person may read (their ids). */
export function checkNotificationChoices(values: NotificationValues, readable: ReadonlySet<string>): { ok: true; value: NotificationChoices } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {}
  if (values.follow !== 'all' && values.follow !== 'chosen') errors.follow = 'Choose whether to follow every unit or only the ones you tick.'
  else if (values.follow === 'chosen' && values.units.length === 0) errors.follow = 'Tick at least one unit to follow, or choose to follow every unit.'
  else if (values.follow === 'chosen' && values.units.length > MAX_FOLLOWED_UNITS) errors.follow = `Tick at most ${MAX_FOLLOWED_UNITS} units, or choose to follow every unit.`
  else if (values.follow === 'chosen' && values.units.some((id) => !readable.has(id))) errors.follow = 'You can follow only units whose reports you may read. Tick units from the list.'
  if (!(DIGEST_SCHEDULES as readonly string[]).includes(values.digest)) errors.digest = 'Choose when to get the digest: never, when a wave closes, or also weekly while it is open.'
  if (!(LOCALES as readonly string[]).includes(values.locale)) errors.locale = `Choose the language of your mail: ${languageList()}.`
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  return {
    ok: true,
    value: {
      unitIds: values.follow === 'all' ? null : [...new Set(values.units)],
      alertEmail: values.alertEmail, digest: values.digest as DigestSchedule, locale: values.locale,
    },
  }
}
