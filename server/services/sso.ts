// Single sign-on with OpenID Connect, per organization: the settings, the start of a sign-in (the
// authorization code flow with PKCE S256, state and nonce) and its end (openid-client checks the
// state, the issuer, the ID token's signature, audience, expiry and nonce), and who the person is
// here — an account linked to their subject, an account with their verified email, an open colleague
// invitation, or a new account for an allowed domain.
import * as oidc from 'openid-client'
import type { Db } from '../../db/connect.js'
import { isUniqueViolation } from '../../db/connect.js'
import { EMAIL } from '../domain/inputs.js'
import {
  changedSettings, checkSsoSettings, emailDomain, isAllowedProviderUrl, issuerProblem, ownerOnlyChanges, passwordAllowed,
  type SsoSettings, type SsoSettingsChange,
} from '../domain/sso.js'
import type { Role } from '../domain/types.js'
import {
  createPendingSignIn, createSsoAccount, findAccountByEmail, findAccountBySubject,
  findSsoOrganizationForEmail, getSsoSettings, linkAccount, listOwners, roleOf, saveSsoSettings, takePendingSignIn,
  type SsoAccount, type StoredSsoSettings,
} from '../repositories/sso.js'
import { open as unseal, seal } from '../security/encryption.js'
import { hashToken, isTokenShaped, safeEqual } from '../security/tokens.js'
import { openInvitationOf } from '../repositories/colleague-invitations.js'
import { audit, auditAs, type Caller } from './audit.js'
import { acceptInvitation } from './colleagues.js'

/** What this needs of the installation's configuration. */
export interface SsoConfig {
  publicUrl: string
  signingSecret: string
  allowInsecureOidcLoopback: boolean
}

/** A sign-in under way must come back within this. */
export const SIGN_IN_TTL_MS = 10 * 60 * 1000
const SCOPE = 'openid email profile'
const SECRET_PURPOSE = 'sso-client-secret'
const VERIFIER_PURPOSE = 'sso-code-verifier'
/** Seconds to wait for the identity provider. */
const PROVIDER_TIMEOUT = 10

export const redirectUri = (config: Pick<SsoConfig, 'publicUrl'>, organizationId: string) => `${config.publicUrl}/auth/oidc/${organizationId}/callback`
export const signInUrl = (config: Pick<SsoConfig, 'publicUrl'>, organizationId: string) => `${config.publicUrl}/auth/oidc/${organizationId}`

/** Why a sign-in failed: a status for the page, a short code for the audit log, and words for the person. */
export interface SsoFailure { ok: false; status: 400 | 403 | 404 | 502; code: string; reason: string }
const fail = (status: SsoFailure['status'], code: string, reason: string): SsoFailure => ({ ok: false, status, code, reason })

// -- settings --

/** The organization an email address signs in through, if any (see findSsoOrganizationForEmail). */
export async function ssoOrganizationFor(db: Db, email: string): Promise<string | undefined> {
  return findSsoOrganizationForEmail(db, email, emailDomain(email))
}

export async function ssoSettingsPage(db: Db, organizationId: string) {
  const [settings, owners] = await Promise.all([getSsoSettings(db, organizationId), listOwners(db, organizationId)])
  const { clientSecretSealed: _sealed, ...shown } = settings
  return { settings: shown as SsoSettings, owners }
}

/** Saves the settings form; audits which fields changed (the secret only by name). */
export async function saveSsoSettingsForm(db: Db, config: SsoConfig, caller: Caller, input: Record<string, unknown>) {
  const principal = caller.principal!
  const { settings: current, owners } = await ssoSettingsPage(db, principal.organizationId)
  const checked = checkSsoSettings(input, {
    isOwner: principal.role === 'owner', owners: owners.map((o) => o.id), current, allowInsecureLoopback: config.allowInsecureOidcLoopback,
  })
  if (!checked.ok) return checked
  const { clientSecret, ...change } = checked.value
  const sealed = clientSecret === null ? null : seal(config.signingSecret, SECRET_PURPOSE, principal.organizationId, clientSecret)
  const changed = changedSettings(current, checked.value)
  await saveSsoSettings(db, principal.organizationId, change, sealed)
  if (changed.length > 0) await audit(db, caller, 'sso_changed', { target: 'single sign-on', detail: { changed } })
  return { ok: true as const, changed }
}

/** The stored settings as the settings form's fields hold them. */
export function ssoFormValues(settings: SsoSettings): Record<string, string> {
  return {
    enabled: settings.enabled ? 'on' : '', issuer: settings.issuer, clientId: settings.clientId, signInMode: settings.signInMode,
    allowedDomains: settings.allowedDomains.join('\n'), defaultRole: settings.defaultRole, ssoRequired: settings.ssoRequired ? 'on' : '',
    breakGlassUserId: settings.breakGlassUserId ?? '',
  }
}

export type SsoChangeResult =
  | { ok: true; settings: SsoSettings; changed: string[] }
  | { ok: false; errors: Record<string, string> }
  | { ok: false; ownerOnly: string[] }

/**
 * A change of some settings (the API's): the rest stay as stored, and the whole is checked and saved
 * as the settings form is. Asking to change what only an owner may, as anyone else, is refused
 * rather than quietly kept as the form does (the form does not offer those fields to them).
 */
export async function changeSsoSettings(db: Db, config: SsoConfig, caller: Caller, asked: Partial<SsoSettingsChange>): Promise<SsoChangeResult> {
  const principal = caller.principal!
  const { settings: current } = await ssoSettingsPage(db, principal.organizationId)
  const ownerOnly = principal.role === 'owner' ? [] : ownerOnlyChanges(current, asked)
  if (ownerOnly.length > 0) return { ok: false, ownerOnly }
  const flag = (value: boolean | undefined, stored: string) => (value === undefined ? stored : value ? 'on' : '')
  const stored = ssoFormValues(current)
  const form: Record<string, unknown> = {
    ...stored,
    ...Object.fromEntries((['issuer', 'clientId', 'signInMode', 'defaultRole'] as const).flatMap((key) => (asked[key] === undefined ? [] : [[key, asked[key]]]))),
    enabled: flag(asked.enabled, stored.enabled!),
    ssoRequired: flag(asked.ssoRequired, stored.ssoRequired!),
    allowedDomains: asked.allowedDomains === undefined ? stored.allowedDomains : asked.allowedDomains.join('\n'),
    breakGlassUserId: asked.breakGlassUserId === undefined ? stored.breakGlassUserId : asked.breakGlassUserId ?? '',
    clientSecret: asked.clientSecret ?? '',
  }
  const saved = await saveSsoSettingsForm(db, config, caller, form)
  if (!saved.ok) return saved
  return { ok: true, settings: (await ssoSettingsPage(db, principal.organizationId)).settings, changed: saved.changed }
}

// -- talking to the identity provider --

/** Every request to the provider goes through this: https, or http to a loopback address when allowed. */
function guardedFetch(allowInsecureLoopback: boolean): oidc.CustomFetch {
  return (url, options) => {
    if (!isAllowedProviderUrl(new URL(url), allowInsecureLoopback)) {
      return Promise.reject(new ProviderUrlError(url))
    }
    return fetch(url, options as RequestInit)
  }
}

class ProviderUrlError extends Error {
  constructor(url: string) {
    super(`the provider sent the app to ${new URL(url).origin}, which is not https`)
  }
}

/** Words for an error of openid-client or of the network, without anything secret in them. */
function describe(error: unknown): { code: string; message: string } {
  if (error instanceof oidc.ResponseBodyError) return { code: `provider_${error.error}`.slice(0, 60), message: `the identity provider answered "${error.error}"${error.error_description ? `: ${error.error_description}` : ''}`.slice(0, 300) }
  if (error instanceof oidc.AuthorizationResponseError) return { code: `provider_${error.error}`.slice(0, 60), message: `the identity provider answered "${error.error}"${error.error_description ? `: ${error.error_description}` : ''}`.slice(0, 300) }
  if (error instanceof ProviderUrlError) return { code: 'insecure_url', message: error.message }
  const e = error as { code?: string; message?: string; name?: string; cause?: { code?: string; message?: string; name?: string } }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.cause?.name === 'TimeoutError') return { code: 'timeout', message: `the identity provider did not answer within ${PROVIDER_TIMEOUT} seconds` }
  if (e?.message === 'fetch failed' || e?.cause?.message === 'fetch failed') return { code: 'unreachable', message: 'the identity provider could not be reached' }
  // openid-client wraps the precise reason (which claim, which check) as the cause of a general message.
  const inner = e?.cause && typeof e.cause.message === 'string' ? e.cause : e
  const code = typeof inner?.code === 'string' ? inner.code.toLowerCase() : typeof e?.code === 'string' ? e.code.toLowerCase() : 'invalid_response'
  return { code: code.slice(0, 60), message: String(inner?.message ?? 'unknown error').slice(0, 300) }
}

interface ProviderSettings { issuer: string; clientId: string; clientSecret: string | null }

/**
 * The provider's configuration, from its discovery document. openid-client refuses a document whose
 * issuer differs from the one asked for; ID-token signatures are checked against the provider's keys
 * (enableNonRepudiationChecks), not only trusted because they came over TLS.
 */
async function discover(settings: ProviderSettings, allowInsecureLoopback: boolean): Promise<oidc.Configuration> {
  const server = new URL(settings.issuer)
  const insecure = server.protocol === 'http:'
  const found = await oidc.discovery(server, settings.clientId, undefined, oidc.None(), {
    [oidc.customFetch]: guardedFetch(allowInsecureLoopback),
    execute: insecure ? [oidc.allowInsecureRequests] : [],
    timeout: PROVIDER_TIMEOUT,
  })
  const metadata = found.serverMetadata()
  const methods = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic']
  const auth = settings.clientSecret === null ? oidc.None()
    : methods.includes('client_secret_basic') ? oidc.ClientSecretBasic(settings.clientSecret) : oidc.ClientSecretPost(settings.clientSecret)
  const algs = metadata.id_token_signing_alg_values_supported ?? ['RS256']
  const alg = algs.includes('RS256') ? 'RS256' : algs.find((a) => a !== 'none' && !a.startsWith('HS')) ?? 'RS256'
  const configuration = new oidc.Configuration(metadata, settings.clientId, { id_token_signed_response_alg: alg }, auth)
  configuration[oidc.customFetch] = guardedFetch(allowInsecureLoopback)
  configuration.timeout = PROVIDER_TIMEOUT
  if (insecure) oidc.allowInsecureRequests(configuration)
  oidc.enableNonRepudiationChecks(configuration)
  return configuration
}

export type TestResult =
  | { ok: true; issuer: string; authorizationEndpoint: string; pkce: boolean; emailClaim: boolean }
  | { ok: false; errors: Record<string, string> }

/** "Test configuration": fetches the saved issuer's discovery document and says what it found. */
export async function testSsoConfiguration(db: Db, config: SsoConfig, organizationId: string): Promise<TestResult> {
  const settings = await getSsoSettings(db, organizationId)
  const problem = issuerProblem(settings.issuer, config.allowInsecureOidcLoopback)
  if (problem) return { ok: false, errors: { issuer: `${problem} Save the settings, then test them.` } }
  try {
    const configuration = await discover({ issuer: settings.issuer, clientId: settings.clientId || 'test', clientSecret: null }, config.allowInsecureOidcLoopback)
    const metadata = configuration.serverMetadata()
    return {
      ok: true, issuer: metadata.issuer, authorizationEndpoint: metadata.authorization_endpoint ?? '',
      pkce: metadata.code_challenge_methods_supported?.includes('S256') ?? false,
      emailClaim: metadata.claims_supported?.includes('email_verified') ?? metadata.scopes_supported?.includes('email') ?? false,
    }
  } catch (error) {
    return { ok: false, errors: { issuer: `The discovery document at ${settings.issuer} could not be used: ${describe(error).message}.` } }
  }
}

async function providerFor(db: Db, config: SsoConfig, organizationId: string): Promise<{ ok: true; settings: StoredSsoSettings; configuration: oidc.Configuration } | SsoFailure> {
  const settings = await getSsoSettings(db, organizationId)
  if (!settings.enabled || !settings.issuer || !settings.clientId) return fail(404, 'not_configured', 'Single sign-on is not set up for this organization. Sign in with your email and password, or ask an administrator.')
  const clientSecret = settings.clientSecretSealed === null ? null : unseal(config.signingSecret, SECRET_PURPOSE, organizationId, settings.clientSecretSealed)
  if (settings.clientSecretSealed !== null && clientSecret === null) {
    return fail(502, 'secret_unreadable', 'The stored client secret cannot be read (the server\'s SIGNING_SECRET may have changed). An administrator must enter it again under Settings → Single sign-on.')
  }
  try {
    return { ok: true, settings, configuration: await discover({ issuer: settings.issuer, clientId: settings.clientId, clientSecret }, config.allowInsecureOidcLoopback) }
  } catch (error) {
    const { code, message } = describe(error)
    return fail(502, code, `The identity provider's settings could not be used: ${message}. Try again later, or ask an administrator to check Settings → Single sign-on.`)
  }
}

// -- signing in --

/** Starts a sign-in: stores state, nonce and PKCE verifier, and returns where to send the browser. */
export async function startSsoSignIn(
  db: Db, config: SsoConfig, organizationId: string, input: { browserToken: string; next: string; loginHint: string | null },
): Promise<{ ok: true; url: string } | SsoFailure> {
  const provider = await providerFor(db, config, organizationId)
  if (!provider.ok) return provider
  const state = oidc.randomState()
  const nonce = oidc.randomNonce()
  const verifier = oidc.randomPKCECodeVerifier()
  const stateHash = hashToken(state)
  await createPendingSignIn(db, stateHash, {
    organizationId, browserHash: hashToken(input.browserToken), issuer: provider.settings.issuer, nonce,
    codeVerifierSealed: seal(config.signingSecret, VERIFIER_PURPOSE, stateHash, verifier), next: input.next,
    expiresAt: new Date(Date.now() + SIGN_IN_TTL_MS),
  })
  const url = oidc.buildAuthorizationUrl(provider.configuration, {
    redirect_uri: redirectUri(config, organizationId), scope: SCOPE, state, nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    ...(input.loginHint ? { login_hint: input.loginHint } : {}),
  })
  return { ok: true, url: url.href }
}

export interface SsoIdentity { issuer: string; subject: string; email: string | null; emailVerified: boolean; name: string }

/**
 * The provider's return: the pending sign-in is taken (so a replayed state finds nothing), checked
 * against this browser, and the code exchanged; openid-client validates the response and ID token.
 */
export async function completeSsoSignIn(
  db: Db, config: SsoConfig, caller: Caller, organizationId: string, input: { query: URLSearchParams; browserToken: string | undefined },
): Promise<{ ok: true; account: SsoAccount; next: string } | (SsoFailure & { email?: string })> {
  const state = input.query.get('state')
  const again = 'Go back to the sign-in page and start again.'
  if (!isTokenShaped(state)) return fail(400, 'no_state', `This address is where your identity provider sends you back after signing in, but it arrived without a sign-in under way. ${again}`)
  const stateHash = hashToken(state)
  const pending = await takePendingSignIn(db, organizationId, stateHash)
  if (!pending) return fail(400, 'unknown_state', `This sign-in has already been used or is unknown. ${again}`)
  if (pending.expiresAt.getTime() <= Date.now()) return fail(400, 'expired_state', `This sign-in took longer than ${SIGN_IN_TTL_MS / 60000} minutes. ${again}`)
  if (!input.browserToken || !safeEqual(hashToken(input.browserToken), pending.browserHash)) {
    return fail(400, 'other_browser', `This sign-in was started in another browser (or its cookies were cleared). ${again}`)
  }
  const error = input.query.get('error')
  if (error !== null) {
    const description = (input.query.get('error_description') ?? '').replace(/[^\p{L}\p{N}\p{P}\p{Zs}]/gu, '').slice(0, 200)
    return fail(403, `provider_${error.replace(/[^a-z_]/g, '').slice(0, 40)}`, `Your identity provider did not sign you in ("${error.slice(0, 60)}"${description ? `: ${description}` : ''}). ${again}`)
  }
  const provider = await providerFor(db, config, organizationId)
  if (!provider.ok) return provider
  if (provider.settings.issuer !== pending.issuer) return fail(400, 'settings_changed', `The single sign-on settings changed while you were signing in. ${again}`)
  const verifier = unseal(config.signingSecret, VERIFIER_PURPOSE, stateHash, pending.codeVerifierSealed)
  if (verifier === null) return fail(400, 'unknown_state', `This sign-in cannot be completed. ${again}`)

  const currentUrl = new URL(redirectUri(config, organizationId))
  for (const [key, value] of input.query) currentUrl.searchParams.append(key, value)
  let identity: SsoIdentity
  try {
    const tokens = await oidc.authorizationCodeGrant(provider.configuration, currentUrl, {
      pkceCodeVerifier: verifier, expectedState: state, expectedNonce: pending.nonce, idTokenExpected: true,
    })
    const claims = tokens.claims()!
    let email = typeof claims.email === 'string' ? claims.email : null
    let emailVerified = claims.email_verified === true
    let name = typeof claims.name === 'string' ? claims.name : ''
    // Many providers put the email only in the userinfo answer; openid-client checks it is the same subject.
    if (email === null && provider.configuration.serverMetadata().userinfo_endpoint) {
      const info = await oidc.fetchUserInfo(provider.configuration, tokens.access_token, claims.sub)
      email = typeof info.email === 'string' ? info.email : null
      emailVerified = info.email_verified === true
      name ||= typeof info.name === 'string' ? info.name : ''
    }
    identity = { issuer: claims.iss, subject: claims.sub, email: email?.trim().toLowerCase() ?? null, emailVerified, name: name.trim().slice(0, 100) }
  } catch (error) {
    const { code, message } = describe(error)
    // A code the provider refuses as malformed or unknown came with the browser's request (a replay,
    // junk typed into the address): that is a bad request here, not a failing provider.
    const refusedCode = code === 'provider_invalid_grant' || code === 'provider_invalid_request'
    const status = !refusedCode && (code.startsWith('provider_') || code === 'unreachable' || code === 'timeout') ? 502 : 400
    return fail(status, code, `The answer of your identity provider could not be accepted: ${message}. ${again}`)
  }
  const found = await accountFor(db, caller, organizationId, provider.settings, identity)
  if (!found.ok) return { ...found, ...(identity.email ? { email: identity.email } : {}) }
  return { ok: true, account: found.account, next: pending.next }
}

/** Who the person is here, by the organization's rules; makes or links the account where they allow. */
async function accountFor(db: Db, caller: Caller, organizationId: string, settings: SsoSettings, identity: SsoIdentity): Promise<{ ok: true; account: SsoAccount } | SsoFailure> {
  const linked = await findAccountBySubject(db, organizationId, identity.issuer, identity.subject)
  if (linked) return { ok: true, account: linked }
  const email = identity.email
  if (!email || !identity.emailVerified) {
    return fail(403, 'email_not_verified', 'Your identity provider did not confirm your email address (email_verified), so it cannot be matched to an account here. Ask your administrator.')
  }
  if (!EMAIL.test(email) || email.length > 254) return fail(403, 'email_unusable', 'Your identity provider sent an email address this product cannot use.')
  const actor = { organizationId, email }
  const existing = await findAccountByEmail(db, email)
  if (existing) {
    if (existing.organizationId !== organizationId) {
      return fail(403, 'other_organization', 'This email address has an account in another organization here, so it cannot sign in through this organization\'s single sign-on.')
    }
    if (!(await linkAccount(db, existing.id, identity.issuer, identity.subject))) {
      return fail(403, 'linked_elsewhere', 'The account with this email address is already linked to another identity at your provider. Ask an administrator.')
    }
    await auditAs(db, caller, { ...actor, userId: existing.id }, 'sso_account_linked', { target: email, detail: { issuer: identity.issuer } })
    return { ok: true, account: { ...existing, ssoIssuer: identity.issuer, ssoSubject: identity.subject } }
  }
  // An open colleague invitation is accepted as /join accepts it (services/colleagues.ts), linked to the subject in the same transaction.
  const invitation = await openInvitationOf(db, organizationId, email)
  if (invitation) {
    const accepted = await acceptInvitation(db, caller, invitation, {
      name: identity.name, passwordHash: null,
      linked: async (trx, userId) => { await linkAccount(trx, userId, identity.issuer, identity.subject) },
    })
    const account = accepted.ok ? await findAccountBySubject(db, organizationId, identity.issuer, identity.subject) : undefined
    if (!account) return fail(403, 'invitation_used', 'Your invitation was used or withdrawn meanwhile. Ask an administrator for a new one.')
    return { ok: true, account }
  }
  if (settings.signInMode === 'domains' && settings.allowedDomains.includes(emailDomain(email))) {
    const role: Role = settings.defaultRole
    try {
      const account = await createSsoAccount(db, { organizationId, email, name: identity.name, role, issuer: identity.issuer, subject: identity.subject })
      await auditAs(db, caller, { ...actor, userId: account.id }, 'sso_account_created', { target: email, detail: { role } })
      return { ok: true, account }
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
      return fail(403, 'account_race', 'An account for this email address was made at the same moment. Sign in again.')
    }
  }
  return settings.signInMode === 'invitation'
    ? fail(403, 'not_invited', `Only invited colleagues can sign in here. Ask an administrator to invite ${email}.`)
    : fail(403, 'domain_not_allowed', `Accounts are made on first sign-in only for addresses at ${settings.allowedDomains.join(', ')}. Ask an administrator to invite ${email}.`)
}

/**
 * Why a password may not be used for this account, or null when it may: the organization requires
 * single sign-on (everyone but its break-glass owner), or the account has no password and the
 * organization offers single sign-on.
 */
export async function passwordRefusal(db: Db, user: { id: string; organizationId: string; passwordHash: string | null }): Promise<string | null> {
  const settings = await getSsoSettings(db, user.organizationId)
  if (!settings.enabled) return null
  const role = await roleOf(db, user.id)
  if (!role || !passwordAllowed(settings, { id: user.id, role })) return 'Your organization signs in with single sign-on. Choose “Sign in with single sign-on” below.'
  if (user.passwordHash === null && settings.enabled) return 'This account signs in with single sign-on. Choose “Sign in with single sign-on” below.'
  return null
}

/**
 * Single sign-on as a way to accept a colleague invitation: where the organization has it turned on,
 * the start of a sign-in for the invited address, and whether it is the only way (SSO required: a
 * new account is never the break-glass owner, so a password would be refused at every later sign-in).
 */
export async function ssoForInvitation(db: Db, organizationId: string, email: string): Promise<{ href: string; required: boolean } | null> {
  const settings = await getSsoSettings(db, organizationId)
  if (!settings.enabled || !settings.issuer || !settings.clientId) return null
  return { href: `/auth/oidc/${organizationId}?${new URLSearchParams({ login_hint: email })}`, required: settings.ssoRequired }
}
