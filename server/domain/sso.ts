// The rules of single sign-on that need no database or network: what a valid settings form is, which
// issuer addresses are acceptable, and who may sign in through the organization's identity provider.
import type { Checked, FieldErrors } from './inputs.js'
import type { Role } from './types.js'

export type SignInMode = 'domains' | 'invitation'
export const SIGN_IN_MODES: readonly SignInMode[] = ['domains', 'invitation']
/** Roles an account made on first sign-in may get: never more than reading and exporting. */
export const JIT_ROLES = ['viewer', 'analyst'] as const satisfies readonly Role[]
export type JitRole = (typeof JIT_ROLES)[number]

/** An organization's single sign-on, as the rest of the code names it. */
export interface SsoSettings {
  enabled: boolean
  issuer: string
  clientId: string
  hasClientSecret: boolean
  signInMode: SignInMode
  allowedDomains: string[]
  defaultRole: JitRole
  ssoRequired: boolean
  breakGlassUserId: string | null
}

export const DEFAULT_SSO_SETTINGS: SsoSettings = Object.freeze({
  enabled: false, issuer: '', clientId: '', hasClientSecret: false, signInMode: 'invitation', allowedDomains: [],
  defaultRole: 'viewer', ssoRequired: false, breakGlassUserId: null,
}) as SsoSettings

/** What the settings form changes; `clientSecret` null keeps the stored one. */
export interface SsoSettingsChange extends Omit<SsoSettings, 'hasClientSecret'> {
  clientSecret: string | null
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost'])
export const isLoopbackHost = (hostname: string) => LOOPBACK.has(hostname.toLowerCase())

/** http is acceptable only at a loopback address and only when the installation allows it. */
export function isAllowedProviderUrl(url: URL, allowInsecureLoopback: boolean): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && allowInsecureLoopback && isLoopbackHost(url.hostname))
}

/** Why an issuer address cannot be used, or null when it can. */
export function issuerProblem(value: string, allowInsecureLoopback: boolean): string | null {
  if (value === '') return 'Enter the issuer URL of your identity provider, like https://login.example.com.'
  if (value.length > 500) return 'The issuer URL must be at most 500 characters.'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'Enter a full URL starting with https://.'
  }
  if (url.search || url.hash || url.username || url.password) return 'The issuer URL has no query, fragment or user name: copy it from the provider exactly.'
  if (!isAllowedProviderUrl(url, allowInsecureLoopback)) return 'The issuer URL must start with https://.'
  return null
}

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/
export const MAX_DOMAINS = 50

/** The email domains typed one per line or separated by commas, lower-cased, without duplicates. */
export function parseDomains(value: string): { domains: string[]; invalid: string[] } {
  const parts = value.split(/[\s,;]+/).map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter(Boolean)
  const domains = [...new Set(parts.filter((d) => DOMAIN.test(d)))]
  return { domains, invalid: parts.filter((d) => !DOMAIN.test(d)) }
}

export const emailDomain = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase()

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '')
const checked = (value: unknown) => value === 'on' || value === 'true' || value === '1'
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

/**
 * The settings form. A non-owner keeps the provider (on or off, issuer, client ID and secret), "SSO
 * required" and the break-glass owner as they are;
 * `owners` are the ids the break-glass owner may be chosen from.
 */
export function checkSsoSettings(
  input: Record<string, unknown>,
  context: { isOwner: boolean; owners: readonly string[]; current: SsoSettings; allowInsecureLoopback: boolean },
): Checked<SsoSettingsChange> {
  const errors: FieldErrors = {}
  // The provider (whether it is on, which one, and its client) is an owner's to choose: it vouches
  // for everyone who signs in with it, owners included, so an admin pointing it at a provider of
  // their own could sign in as an owner. A non-owner keeps these as they are, like the requirement.
  const provider = context.isOwner ? input : { enabled: context.current.enabled ? 'on' : '', issuer: context.current.issuer, clientId: context.current.clientId, clientSecret: '' }
  const enabled = checked(provider.enabled)
  const issuer = text(provider.issuer)
  const clientId = text(provider.clientId)
  const secret = typeof provider.clientSecret === 'string' ? provider.clientSecret.trim() : ''
  if (issuer !== '' || enabled) {
    const problem = issuerProblem(issuer, context.allowInsecureLoopback)
    if (problem) errors.issuer = problem
  }
  if (clientId.length > 500 || CONTROL.test(clientId)) errors.clientId = 'The client ID must be at most 500 characters, on one line.'
  else if (enabled && clientId === '') errors.clientId = 'Enter the client ID the identity provider gave this application.'
  if (secret.length > 2000 || CONTROL.test(secret)) errors.clientSecret = 'The client secret must be at most 2000 characters, on one line.'
  else if (enabled && secret === '' && !context.current.hasClientSecret) errors.clientSecret = 'Enter the client secret the identity provider gave this application.'

  const signInMode = SIGN_IN_MODES.find((mode) => mode === input.signInMode)
  if (!signInMode) errors.signInMode = 'Choose who may sign in.'
  const defaultRole = JIT_ROLES.find((role) => role === input.defaultRole)
  if (!defaultRole) errors.defaultRole = 'Choose viewer or analyst.'
  const { domains, invalid } = parseDomains(typeof input.allowedDomains === 'string' ? input.allowedDomains.slice(0, 20_000) : '')
  if (invalid.length > 0) errors.allowedDomains = `These are not email domains: ${invalid.slice(0, 3).join(', ').slice(0, 200)}. Write them like example.com, one per line.`
  else if (domains.length > MAX_DOMAINS) errors.allowedDomains = `List at most ${MAX_DOMAINS} domains.`
  else if (signInMode === 'domains' && domains.length === 0) errors.allowedDomains = 'List the email domains whose people may sign in, like example.com.'

  let ssoRequired = context.current.ssoRequired
  let breakGlassUserId = context.current.breakGlassUserId
  if (context.isOwner) {
    ssoRequired = checked(input.ssoRequired)
    const chosen = text(input.breakGlassUserId)
    breakGlassUserId = chosen === '' ? null : chosen
    if (breakGlassUserId !== null && !context.owners.includes(breakGlassUserId)) errors.breakGlassUserId = 'Choose one of the owners.'
    else if (ssoRequired && breakGlassUserId === null) errors.breakGlassUserId = 'Choose the owner who may still sign in with a password, in case the identity provider fails.'
    if (ssoRequired && !enabled) errors.ssoRequired = 'Turn on single sign-on before requiring it.'
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  return {
    ok: true,
    value: {
      enabled, issuer, clientId, clientSecret: secret === '' ? null : secret, signInMode: signInMode!, allowedDomains: domains,
      defaultRole: defaultRole!, ssoRequired, breakGlassUserId,
    },
  }
}

/**
 * The settings only an owner may change (checkSsoSettings keeps them as they are for anyone else):
 * the provider vouches for everyone who signs in with it, owners included.
 */
export const OWNER_ONLY_SSO_SETTINGS = ['enabled', 'issuer', 'clientId', 'clientSecret', 'ssoRequired', 'breakGlassUserId'] as const

/** Which owner-only settings a change asks to alter (a client secret given counts always, as it cannot be compared). */
export function ownerOnlyChanges(current: SsoSettings, asked: Partial<SsoSettingsChange>): string[] {
  return OWNER_ONLY_SSO_SETTINGS.filter((key) => key === 'clientSecret'
    ? typeof asked.clientSecret === 'string' && asked.clientSecret.trim() !== ''
    : asked[key] !== undefined && asked[key] !== current[key])
}

/** The names of the settings that differ, for the audit log (the secret only as "clientSecret", never its value). */
export function changedSettings(before: SsoSettings, after: SsoSettingsChange): string[] {
  const changed: string[] = []
  for (const key of ['enabled', 'issuer', 'clientId', 'signInMode', 'defaultRole', 'ssoRequired', 'breakGlassUserId'] as const) {
    if (before[key] !== after[key]) changed.push(key)
  }
  if (before.allowedDomains.join(',') !== after.allowedDomains.join(',')) changed.push('allowedDomains')
  if (after.clientSecret !== null) changed.push('clientSecret')
  return changed
}

/** Whether a password may be used to sign in to an account of an organization with these settings. */
export function passwordAllowed(settings: Pick<SsoSettings, 'enabled' | 'ssoRequired' | 'breakGlassUserId'>, user: { id: string; role: Role }): boolean {
  if (!settings.enabled || !settings.ssoRequired) return true
  return settings.breakGlassUserId === user.id && user.role === 'owner'
}
