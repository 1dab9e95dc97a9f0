// What the audit log records: one action name per kind of sensitive change, with the words the audit
// page shows for it. Entries hold who, what, when and from where; never a password, token or answer.

export const AUDIT_ACTIONS = {
  sign_in: 'Signed in',
  sign_in_failed: 'Sign-in failed',
  sign_out_others: 'Signed out other sessions',
  password_changed: 'Changed their password',
  password_reset_requested: 'Asked for a password reset',
  password_reset: 'Reset their password',
  name_changed: 'Changed their name',
  person_invited: 'Invited a colleague',
  invitation_revoked: 'Withdrew a colleague invitation',
  invitation_accepted: 'Accepted an invitation',
  role_changed: 'Changed a role',
  units_assigned: 'Changed the units a manager sees',
  person_removed: 'Removed a person',
  settings_changed: 'Changed organization settings',
  token_created: 'Created an API token',
  token_revoked: 'Revoked an API token',
  export_downloaded: 'Downloaded an export',
  digest_pack_sent: 'Sent the board pack with a digest',
  contact_exported: 'Exported what is held about an email address',
  contact_deleted: 'Deleted a contact',
  contact_updated: 'Changed a contact',
  response_deleted: 'Deleted a response',
  wave_updated: 'Changed a wave',
  wave_closed: 'Closed a wave',
  wave_deleted: 'Deleted a wave',
  unit_archived: 'Archived a unit',
  unit_restored: 'Restored a unit',
  unit_deleted: 'Deleted a unit',
  sso_changed: 'Changed single sign-on',
  sso_sign_in: 'Signed in with single sign-on',
  sso_sign_in_failed: 'Single sign-on failed',
  two_factor_enabled: 'Turned on two-factor sign-in',
  two_factor_disabled: 'Turned off two-factor sign-in',
  two_factor_failed: 'Two-factor code refused',
  recovery_code_used: 'Used a recovery code',
  retention_run: 'Retention rules ran',
  wave_opened: 'Opened a wave on its date',
  wave_repeated: 'Made the next wave of a series',
  sso_account_created: 'Account made on first single sign-on',
  sso_account_linked: 'Account linked to single sign-on',
  webhook_created: 'Added a webhook',
  webhook_changed: 'Changed a webhook',
  webhook_deleted: 'Deleted a webhook',
  plan_created: 'Made an action plan',
  plan_updated: 'Changed an action plan',
  plan_deleted: 'Deleted an action plan',
  instrument_created: 'Made an instrument',
  instrument_changed: 'Changed an instrument',
  instrument_versioned: 'Made a new version of an instrument',
  instrument_deleted: 'Deleted an instrument',
  kiosk_saved: 'Made a kiosk link or changed its daily cap',
  kiosk_revoked: 'Revoked a kiosk link',
} as const

export type AuditAction = keyof typeof AUDIT_ACTIONS

export const isAuditAction = (value: unknown): value is AuditAction =>
  typeof value === 'string' && Object.hasOwn(AUDIT_ACTIONS, value)

/** One entry as it is written. */
export interface AuditEntry {
  organizationId: string
  /** null for the product itself (the retention worker) and for someone not signed in. */
  actorUserId: string | null
  /** The actor's email as it was at the time (or as typed, for a failed sign-in). */
  actorEmail: string
  action: AuditAction
  /** What was acted on, in words: "contact 3f2c…", "wave Q4 2026". */
  target?: string
  /** Small facts about the change (old and new role, counts); never secrets or answers. */
  detail?: Record<string, unknown>
  ip?: string
}
