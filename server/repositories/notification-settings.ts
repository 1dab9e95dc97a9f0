// Who follows what: per user, the units whose alerts and digest they get (null: every unit they may
// read), alert mail on or off, the digest schedule and the language of their mail.
import type { Db } from '../../db/connect.js'
import type { DigestSchedule, Role } from '../domain/types.js'

export interface NotificationSettings {
  userId: string
  unitIds: string[] | null
  alertEmail: boolean
  digest: DigestSchedule
  locale: string
}

/** A user's settings; a user who never chose gets the defaults (alerts by mail, the digest when a wave closes). */
export async function notificationSettings(db: Db, organizationId: string, userId: string, fallbackLocale = 'en'): Promise<NotificationSettings> {
  const row = await db.selectFrom('notification_settings').selectAll()
    .where('organization_id', '=', organizationId).where('user_id', '=', userId).executeTakeFirst()
  if (!row) return { userId, unitIds: null, alertEmail: true, digest: 'close', locale: fallbackLocale }
  return { userId, unitIds: row.unit_ids, alertEmail: row.alert_email, digest: row.digest, locale: row.locale }
}

export async function saveNotificationSettings(db: Db, organizationId: string, settings: NotificationSettings): Promise<void> {
  const values = { unit_ids: settings.unitIds, alert_email: settings.alertEmail, digest: settings.digest, locale: settings.locale }
  await db.insertInto('notification_settings').values({ user_id: settings.userId, organization_id: organizationId, ...values })
    .onConflict((oc) => oc.columns(['organization_id', 'user_id']).doUpdateSet({ ...values, updated_at: new Date() })).execute()
}

export interface Subscriber extends NotificationSettings {
  email: string
  role: Role
}

/**
 * Every user of the organization with their settings (defaults for those who never chose). Which
 * units a subscriber may hear about is the caller's to decide with the same scope rule as the report
 * (a unit manager's units; services/report-scope.ts).
 */
export async function subscribers(db: Db, organizationId: string, fallbackLocale = 'en'): Promise<Subscriber[]> {
  const rows = await db.selectFrom('users')
    .leftJoin('notification_settings', 'notification_settings.user_id', 'users.id')
    .select(['users.id', 'users.email', 'users.role', 'notification_settings.unit_ids', 'notification_settings.alert_email',
      'notification_settings.digest', 'notification_settings.locale'])
    .where('users.organization_id', '=', organizationId).orderBy('users.email').execute()
  return rows.map((row) => ({
    userId: row.id, email: row.email, role: row.role, unitIds: row.unit_ids ?? null,
    alertEmail: row.alert_email ?? true, digest: row.digest ?? 'close', locale: row.locale ?? fallbackLocale,
  }))
}
