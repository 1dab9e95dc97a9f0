// The organization's settings as one set, for the settings page and the API alike: its name, the
// minimum group size, the default language, the sender's name and reply-to address, and whether
// everyone must sign in with two factors. A change names only the fields it changes; every field is
// checked as the settings page checks it, and nothing is stored while one is wrong. Audited by the
// names of the fields changed, never their values (a reply-to address is personal data).
import type { Db } from '../../db/connect.js'
import { HttpError } from '../http-error.js'
import { checkSettings, type FieldErrors } from '../domain/inputs.js'
import { checkSender } from '../domain/sender.js'
import type { Principal } from '../repositories/credentials.js'
import { getOrganization, updateOrganization, type OrganizationSettings } from '../repositories/organizations.js'
import { organizationRequiresTwoFactor } from '../repositories/two-factor.js'
import { audit, type Caller } from './audit.js'
import { setOrganizationTwoFactor } from './two-factor.js'

export interface Settings extends Omit<OrganizationSettings, 'id'> {
  requireTwoFactor: boolean
}

/** The fields the settings form holds, in its order. */
export const SETTINGS_FIELDS = ['name', 'minGroupSize', 'defaultLocale', 'senderName', 'replyTo'] as const

export async function organizationSettings(db: Db, organizationId: string): Promise<Settings> {
  const [{ id: _id, ...org }, requireTwoFactor] = await Promise.all([getOrganization(db, organizationId), organizationRequiresTwoFactor(db, organizationId)])
  return { ...org, requireTwoFactor }
}

/** How people sign in is the owners' to decide; an admin manages every other setting. */
export const onlyOwnersSignIn = () => new HttpError(403, 'forbidden', 'Only an owner can change how people sign in.')

export type SettingsChange = { ok: true; settings: Settings } | { ok: false; errors: FieldErrors }

/**
 * Applies the fields given over the stored ones (`replyTo: null` or '' removes the address). A
 * `requireTwoFactor` that turns it on signs out everyone but the caller who has not set it up; only an
 * owner may change it (a 403 otherwise).
 */
export async function changeOrganizationSettings(db: Db, caller: Caller & { principal: Principal }, changes: Record<string, unknown>): Promise<SettingsChange> {
  const organizationId = caller.principal.organizationId
  const before = await organizationSettings(db, organizationId)
  const input: Record<string, unknown> = { ...before, replyTo: before.replyTo ?? '' }
  for (const field of SETTINGS_FIELDS) if (changes[field] !== undefined) input[field] = changes[field] === null && field === 'replyTo' ? '' : changes[field]
  const checked = checkSettings(input)
  const sender = checkSender(input)
  const errors: FieldErrors = { ...(checked.ok ? {} : checked.errors), ...(sender.ok ? {} : sender.errors) }
  const requireTwoFactor = changes.requireTwoFactor ?? before.requireTwoFactor
  if (typeof requireTwoFactor !== 'boolean') errors.requireTwoFactor = 'Say true or false.'
  else if (requireTwoFactor !== before.requireTwoFactor && caller.principal.role !== 'owner') throw onlyOwnersSignIn()
  if (!checked.ok || !sender.ok || errors.requireTwoFactor) return { ok: false, errors }
  const after = { ...checked.value, ...sender.value }
  const changed = SETTINGS_FIELDS.filter((key) => before[key] !== after[key])
  await updateOrganization(db, organizationId, after)
  if (changed.length > 0) await audit(db, caller, 'settings_changed', { detail: { changed } })
  if (requireTwoFactor !== before.requireTwoFactor) {
    const { sessionsEnded } = await setOrganizationTwoFactor(db, organizationId, requireTwoFactor as boolean, caller.principal.userId)
    await audit(db, caller, 'settings_changed', { target: 'two-factor sign-in', detail: { requireTwoFactor, sessionsEnded } })
  }
  return { ok: true, settings: { ...after, requireTwoFactor: requireTwoFactor as boolean } }
}
