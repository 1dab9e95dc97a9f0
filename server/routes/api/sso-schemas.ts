// The shapes of single sign-on settings in the API. The client secret is write-only: answers say
// whether one is stored, never what it is.
import { Type } from 'typebox'
import { JIT_ROLES, MAX_DOMAINS, OWNER_ONLY_SSO_SETTINGS, SIGN_IN_MODES, type JitRole, type SignInMode } from '../../domain/sso.js'

const Mode = Type.Unsafe<SignInMode>({ type: 'string', enum: [...SIGN_IN_MODES], description: '`invitation`: only invited colleagues; `domains`: also anyone with a verified address at one of `allowedDomains` (an account is made on first sign-in).' })
const JitRoleName = Type.Unsafe<JitRole>({ type: 'string', enum: [...JIT_ROLES], description: 'The role of an account made on first sign-in.' })

export const SsoSettings = Type.Object({
  enabled: Type.Boolean(),
  issuer: Type.String({ description: 'The identity provider\'s issuer URL ("" when not set).' }),
  clientId: Type.String(),
  clientSecretSet: Type.Boolean({ description: 'Whether a client secret is stored. The secret itself is never given out.' }),
  signInMode: Mode,
  allowedDomains: Type.Array(Type.String()),
  defaultRole: JitRoleName,
  ssoRequired: Type.Boolean({ description: 'Everyone signs in with single sign-on, except the break-glass owner.' }),
  breakGlassUserId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: 'The owner who may still sign in with a password when single sign-on is required.' }),
  redirectUri: Type.String({ format: 'uri', description: 'Register this as the redirect URI at the identity provider.' }),
  signInUrl: Type.String({ format: 'uri', description: 'Where people of this organization start signing in.' }),
}, { title: 'SsoSettings' })

const OWNER_ONLY = `Only an owner may change ${OWNER_ONLY_SSO_SETTINGS.map((name) => `\`${name}\``).join(', ')}: for anyone else, a request that would change them is refused with 403.`

export const ChangeSsoBody = Type.Object({
  enabled: Type.Optional(Type.Boolean()),
  issuer: Type.Optional(Type.String({ maxLength: 2000, description: 'https:// (http:// only to a loopback address where the installation allows it), without query or fragment.' })),
  clientId: Type.Optional(Type.String({ maxLength: 2000 })),
  clientSecret: Type.Optional(Type.String({ maxLength: 4000, description: 'Write-only. Leave out (or send "") to keep the stored one.' })),
  signInMode: Type.Optional(Mode),
  allowedDomains: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: MAX_DOMAINS * 4, description: `Email domains like example.com, at most ${MAX_DOMAINS}.` })),
  defaultRole: Type.Optional(JitRoleName),
  ssoRequired: Type.Optional(Type.Boolean()),
  breakGlassUserId: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
}, { additionalProperties: false, description: `The settings to change; the others stay as they are, and the whole is checked as the settings page checks it. ${OWNER_ONLY}` })
