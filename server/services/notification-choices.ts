// Account → Notifications: a person's notification settings with the units they may follow (those
// whose reports they may read: every active unit, or a unit manager's own), and saving them after
// checking the form against that list.
import type { Db } from '../../db/connect.js'
import { LOCALES } from '../domain/instrument.js'
import { checkNotificationChoices, type NotificationValues } from '../domain/notification-choices.js'
import type { FieldErrors } from '../domain/inputs.js'
import { notificationSettings, saveNotificationSettings } from '../repositories/notification-settings.js'
import { getOrganization } from '../repositories/organizations.js'
import { listActiveUnits } from '../repositories/units.js'
import { reportScope, type Reader } from './report-scope.js'

async function followable(db: Db, reader: Reader): Promise<Array<{ id: string; name: string }>> {
  const scope = await reportScope(db, reader)
  if (!scope.whole) return [...scope.units]
  return (await listActiveUnits(db, reader.organizationId)).map(({ id, name }) => ({ id, name }))
}

/** The settings as the form shows them, and the units on offer. */
export async function notificationForm(db: Db, reader: Reader): Promise<{ values: NotificationValues; units: Array<{ id: string; name: string }> }> {
  const organization = await getOrganization(db, reader.organizationId)
  const fallback = (LOCALES as readonly string[]).includes(organization.defaultLocale) ? organization.defaultLocale : 'en'
  const [settings, units] = await Promise.all([notificationSettings(db, reader.organizationId, reader.userId, fallback), followable(db, reader)])
  return {
    values: { follow: settings.unitIds === null ? 'all' : 'chosen', units: settings.unitIds ?? [], alertEmail: settings.alertEmail, digest: settings.digest, locale: settings.locale },
    units,
  }
}

/** Saves the choices after checking them against the units the person may follow (the page's form and the API's body alike). */
export async function saveNotificationChoices(db: Db, reader: Reader, values: NotificationValues): Promise<{ ok: true } | { ok: false; errors: FieldErrors; values: NotificationValues }> {
  const units = await followable(db, reader)
  const checked = checkNotificationChoices(values, new Set(units.map((unit) => unit.id)))
  if (!checked.ok) return { ok: false, errors: checked.errors, values }
  await saveNotificationSettings(db, reader.organizationId, { userId: reader.userId, ...checked.value })
  return { ok: true }
}
