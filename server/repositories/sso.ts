// Single sign-on's queries: an organization's provider settings, the sign-ins under way, and the
// accounts linked to a provider's subjects.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import { DEFAULT_SSO_SETTINGS, type SsoSettings, type SsoSettingsChange } from '../domain/sso.js'
import type { Role } from '../domain/types.js'
import { isUuid } from '../domain/formats.js'

export interface StoredSsoSettings extends SsoSettings {
  clientSecretSealed: string | null
}

export async function getSsoSettings(db: Db, organizationId: string): Promise<StoredSsoSettings> {
  const row = await db.selectFrom('sso_settings').selectAll().where('organization_id', '=', organizationId).executeTakeFirst()
  if (!row) return { ...DEFAULT_SSO_SETTINGS, clientSecretSealed: null }
  return {
    enabled: row.enabled, issuer: row.issuer, clientId: row.client_id, hasClientSecret: row.client_secret_sealed !== null,
    clientSecretSealed: row.client_secret_sealed, signInMode: row.sign_in_mode, allowedDomains: row.allowed_domains,
    defaultRole: row.default_role, ssoRequired: row.sso_required, breakGlassUserId: row.break_glass_user_id,
  }
}

/** Saves the settings; `sealedSecret` null keeps the stored secret. */
export async function saveSsoSettings(db: Db, organizationId: string, change: Omit<SsoSettingsChange, 'clientSecret'>, sealedSecret: string | null): Promise<void> {
  const values = {
    enabled: change.enabled, issuer: change.issuer, client_id: change.clientId, sign_in_mode: change.signInMode,
    allowed_domains: change.allowedDomains, default_role: change.defaultRole, sso_required: change.ssoRequired,
    break_glass_user_id: change.breakGlassUserId, updated_at: new Date(),
  }
  await db.insertInto('sso_settings')
    .values({ organization_id: organizationId, ...values, client_secret_sealed: sealedSecret })
    .onConflict((oc) => oc.column('organization_id').doUpdateSet({
      ...values, ...(sealedSecret === null ? {} : { client_secret_sealed: sealedSecret }),
    }))
    .execute()
}

export async function listOwners(db: Db, organizationId: string): Promise<Array<{ id: string; email: string; name: string }>> {
  return db.selectFrom('users').select(['id', 'email', 'name'])
    .where('organization_id', '=', organizationId).where('role', '=', 'owner').orderBy('created_at').execute()
}

export async function organizationExists(db: Db, organizationId: string): Promise<boolean> {
  if (!isUuid(organizationId)) return false
  return (await db.selectFrom('organizations').select('id').where('id', '=', organizationId).executeTakeFirst()) !== undefined
}

// -- sign-ins under way --

export interface PendingSignIn {
  organizationId: string
  browserHash: string
  issuer: string
  nonce: string
  codeVerifierSealed: string
  next: string
  expiresAt: Date
}

export async function createPendingSignIn(db: Db, stateHash: string, pending: PendingSignIn): Promise<void> {
  // Old rows of abandoned sign-ins are swept on the way: nothing else needs them.
  await db.deleteFrom('sso_sign_ins').where('expires_at', '<', new Date()).execute()
  await db.insertInto('sso_sign_ins').values({
    state_hash: stateHash, organization_id: pending.organizationId, browser_hash: pending.browserHash, issuer: pending.issuer,
    nonce: pending.nonce, code_verifier_sealed: pending.codeVerifierSealed, next: pending.next, expires_at: pending.expiresAt,
  }).execute()
}

/** Takes a sign-in under way out of the table: a second call with the same state finds nothing. */
export async function takePendingSignIn(db: Db, organizationId: string, stateHash: string): Promise<PendingSignIn | undefined> {
  const row = await db.deleteFrom('sso_sign_ins').where('state_hash', '=', stateHash).where('organization_id', '=', organizationId)
    .returningAll().executeTakeFirst()
  return row && {
    organizationId: row.organization_id, browserHash: row.browser_hash, issuer: row.issuer, nonce: row.nonce,
    codeVerifierSealed: row.code_verifier_sealed, next: row.next, expiresAt: row.expires_at,
  }
}

// -- accounts --

export interface SsoAccount {
  id: string
  organizationId: string
  email: string
  role: Role
  ssoIssuer: string | null
  ssoSubject: string | null
}

const ACCOUNT = ['id', 'organization_id', 'email', 'role', 'sso_issuer', 'sso_subject'] as const
const toAccount = (row: { id: string; organization_id: string; email: string; role: Role; sso_issuer: string | null; sso_subject: string | null }): SsoAccount =>
  ({ id: row.id, organizationId: row.organization_id, email: row.email, role: row.role, ssoIssuer: row.sso_issuer, ssoSubject: row.sso_subject })

export async function findAccountBySubject(db: Db, organizationId: string, issuer: string, subject: string): Promise<SsoAccount | undefined> {
  const row = await db.selectFrom('users').select(ACCOUNT).where('organization_id', '=', organizationId)
    .where('sso_issuer', '=', issuer).where('sso_subject', '=', subject).executeTakeFirst()
  return row && toAccount(row)
}

export async function roleOf(db: Db, userId: string): Promise<Role | undefined> {
  return (await db.selectFrom('users').select('role').where('id', '=', userId).executeTakeFirst())?.role
}

/** Email addresses are unique across the installation, so this may find an account of another organization. */
export async function findAccountByEmail(db: Db, email: string): Promise<SsoAccount | undefined> {
  const row = await db.selectFrom('users').select(ACCOUNT).where('email', '=', email.toLowerCase()).executeTakeFirst()
  return row && toAccount(row)
}

/**
 * Links an account to its subject, unless it is linked already to another subject at this issuer:
 * true when it did. A link to another issuer (the organization changed providers) is replaced.
 */
export async function linkAccount(db: Db, userId: string, issuer: string, subject: string): Promise<boolean> {
  const result = await db.updateTable('users').set({ sso_issuer: issuer, sso_subject: subject })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('sso_subject', 'is', null), eb('sso_issuer', '<>', issuer)]))
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** An account without a password, linked to its subject. */
export async function createSsoAccount(
  db: Db,
  input: { organizationId: string; email: string; name: string; role: Role; issuer: string; subject: string },
): Promise<SsoAccount> {
  const row = await db.insertInto('users').values({
    organization_id: input.organizationId, email: input.email.toLowerCase(), name: input.name, role: input.role,
    password_hash: null, sso_issuer: input.issuer, sso_subject: input.subject,
  }).returning(ACCOUNT).executeTakeFirstOrThrow()
  return toAccount(row)
}

/**
 * The organization whose single sign-on an email address belongs to: its account's organization, else
 * one with an open colleague invitation for it, else the one organization whose first-sign-in domains
 * list its domain — each only where single sign-on is turned on (an account's only in its own). An invitation names the address
 * itself, so it comes before a domain, which any organization may list (unverified): otherwise
 * another organization could send someone invited here to its own provider.
 */
export async function findSsoOrganizationForEmail(db: Db, email: string, domain: string, now = new Date()): Promise<string | undefined> {
  // Someone with an account belongs to its organization alone, even when that one has no single sign-on.
  const account = await db.selectFrom('users').leftJoin('sso_settings', 'sso_settings.organization_id', 'users.organization_id')
    .select(['users.organization_id', 'sso_settings.enabled']).where('users.email', '=', email).executeTakeFirst()
  if (account) return account.enabled ? account.organization_id : undefined
  const invited = await db.selectFrom('colleague_invitations').innerJoin('sso_settings', 'sso_settings.organization_id', 'colleague_invitations.organization_id')
    .select('colleague_invitations.organization_id').where('colleague_invitations.email', '=', email).where('sso_settings.enabled', '=', true)
    .where('accepted_at', 'is', null).where('revoked_at', 'is', null).where('expires_at', '>', now)
    .orderBy('colleague_invitations.created_at', 'desc').executeTakeFirst()
  if (invited) return invited.organization_id
  const byDomain = await db.selectFrom('sso_settings').select('organization_id').where('enabled', '=', true)
    .where('sign_in_mode', '=', 'domains').where(sql<boolean>`${domain} = any(allowed_domains)`).limit(2).execute()
  // Two organizations listing the same domain: neither is chosen, so no one can divert another's people.
  return byDomain.length === 1 ? byDomain[0]!.organization_id : undefined
}
