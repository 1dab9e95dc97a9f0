// Single sign-on's pure parts: the sealed client secret, the settings form, which issuers are
// acceptable, and who may still use a password.
import { describe, expect, it } from 'vitest'
import { maskTokens } from '../../server/app.js'
import { loadConfig } from '../../server/config.js'
import { checkSsoSettings, DEFAULT_SSO_SETTINGS, issuerProblem, parseDomains, passwordAllowed } from '../../server/domain/sso.js'
import { open as unseal, seal } from '../../server/security/encryption.js'
import { hashPassword, useTestPasswordCost, verifyPassword } from '../../server/security/passwords.js'

const SECRET = 'a-signing-secret-of-at-least-32-characters'
const ORG = '7d3c8a52-7d0b-4d8e-9b3f-0e1f2a3b4c5d'

describe('the secret box', () => {
  it('seals with AES-256-GCM so that only the same secret and organization open it', () => {
    const sealed = seal(SECRET, 'sso-client-secret', ORG, 'client secret value')
    expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/)
    expect(sealed).not.toContain('client secret value')
    expect(seal(SECRET, 'sso-client-secret', ORG, 'client secret value')).not.toBe(sealed)
    expect(unseal(SECRET, 'sso-client-secret', ORG, sealed)).toBe('client secret value')
    expect(unseal(SECRET + 'x', 'sso-client-secret', ORG, sealed)).toBeNull()
    expect(unseal(SECRET, 'sso-client-secret', ORG.replace('7d3c', '0000'), sealed)).toBeNull()
    expect(unseal(SECRET, 'other-purpose', ORG, sealed)).toBeNull()
    const [v, iv, data, tag] = sealed.split('.')
    const flipped = (data!.startsWith('A') ? 'B' : 'A') + data!.slice(1)
    expect(unseal(SECRET, 'sso-client-secret', ORG, [v, iv, flipped, tag].join('.'))).toBeNull()
    expect(unseal(SECRET, 'sso-client-secret', ORG, 'junk')).toBeNull()
  })
})

describe('logs', () => {
  it('never show the code and state of the provider\'s return', () => {
    expect(maskTokens(`/auth/oidc/${ORG}/callback?code=secret-code&state=secret-state`)).toBe(`/auth/oidc/${ORG}/callback?[query]`)
    expect(maskTokens(`/auth/oidc/${ORG}?login_hint=a%40b.c`)).toBe(`/auth/oidc/${ORG}?[query]`)
  })
})

describe('issuer addresses', () => {
  it('accept https, and plain http only at a loopback address when the installation allows it', () => {
    expect(issuerProblem('https://login.example.com/tenant/v2.0', false)).toBeNull()
    expect(issuerProblem('http://127.0.0.1:4000', false)).toContain('https://')
    expect(issuerProblem('http://127.0.0.1:4000', true)).toBeNull()
    expect(issuerProblem('http://localhost:4000', true)).toBeNull()
    expect(issuerProblem('http://[::1]:4000', true)).toBeNull()
    expect(issuerProblem('http://idp.example.com', true)).toContain('https://')
    expect(issuerProblem('https://idp.example.com/?x=1', false)).toContain('no query')
    expect(issuerProblem('not a url', false)).toContain('full URL')
  })

  it('is a setting, off unless OIDC_ALLOW_INSECURE_LOOPBACK says so', () => {
    expect(loadConfig({ SIGNING_SECRET: SECRET }).allowInsecureOidcLoopback).toBe(false)
    expect(loadConfig({ SIGNING_SECRET: SECRET, OIDC_ALLOW_INSECURE_LOOPBACK: 'true' }).allowInsecureOidcLoopback).toBe(true)
    expect(() => loadConfig({ SIGNING_SECRET: SECRET, OIDC_ALLOW_INSECURE_LOOPBACK: 'maybe' })).toThrow('OIDC_ALLOW_INSECURE_LOOPBACK')
  })
})

describe('the settings form', () => {
  const context = { isOwner: true, owners: [ORG], current: DEFAULT_SSO_SETTINGS, allowInsecureLoopback: false }
  const valid = { enabled: 'on', issuer: 'https://idp.example.com', clientId: 'app', clientSecret: 's3cret', signInMode: 'domains', allowedDomains: 'Example.com, @example.co.uk\nexample.com', defaultRole: 'viewer' }

  it('reads domains lower-cased without duplicates, and never lets first sign-in make an owner', () => {
    const checked = checkSsoSettings(valid, context)
    expect(checked.ok && checked.value).toMatchObject({ allowedDomains: ['example.com', 'example.co.uk'], clientSecret: 's3cret', defaultRole: 'viewer' })
    expect(checkSsoSettings({ ...valid, defaultRole: 'owner' }, context).ok).toBe(false)
    expect(checkSsoSettings({ ...valid, defaultRole: 'admin' }, context).ok).toBe(false)
    expect(parseDomains('a..b, x.io, -bad.com').invalid).toEqual(['a..b', '-bad.com'])
  })

  it('requires a secret to turn it on unless one is stored, and keeps the stored one when left empty', () => {
    const without = checkSsoSettings({ ...valid, clientSecret: '' }, context)
    expect(!without.ok && without.errors.clientSecret).toContain('client secret')
    const kept = checkSsoSettings({ ...valid, clientSecret: '' }, { ...context, current: { ...DEFAULT_SSO_SETTINGS, hasClientSecret: true } })
    expect(kept.ok && kept.value.clientSecret).toBeNull()
  })

  it('lets only an owner require SSO, and only with a break-glass owner', () => {
    const noOwner = checkSsoSettings({ ...valid, ssoRequired: 'on' }, context)
    expect(!noOwner.ok && noOwner.errors.breakGlassUserId).toBeTruthy()
    const required = checkSsoSettings({ ...valid, ssoRequired: 'on', breakGlassUserId: ORG }, context)
    expect(required.ok && required.value.ssoRequired).toBe(true)
    const byAdmin = checkSsoSettings({ ...valid, ssoRequired: 'on', breakGlassUserId: ORG }, { ...context, isOwner: false })
    expect(byAdmin.ok && [byAdmin.value.ssoRequired, byAdmin.value.breakGlassUserId]).toEqual([false, null])
  })

  it('survives arrays, huge strings and line breaks in every field', () => {
    const checked = checkSsoSettings({ enabled: ['on', 'on'], issuer: ['https://a.example'], clientId: 'x\r\ny', clientSecret: 'z'.repeat(5000), signInMode: ['domains'], allowedDomains: ['a.com'], defaultRole: {} }, context)
    expect(checked.ok).toBe(false)
  })
})

describe('passwords where single sign-on is required', () => {
  it('are refused for everyone but the break-glass owner, who must still be an owner', () => {
    const required = { enabled: true, ssoRequired: true, breakGlassUserId: 'u1' }
    expect(passwordAllowed(required, { id: 'u1', role: 'owner' })).toBe(true)
    expect(passwordAllowed(required, { id: 'u1', role: 'admin' })).toBe(false)
    expect(passwordAllowed(required, { id: 'u2', role: 'owner' })).toBe(false)
    expect(passwordAllowed({ ...required, enabled: false }, { id: 'u2', role: 'viewer' })).toBe(true)
  })

  it('never match an account without a password, after as much work as a real check', async () => {
    useTestPasswordCost()
    const hash = await hashPassword('correct horse battery staple')
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true)
    expect(await verifyPassword('correct horse battery staple', null)).toBe(false)
    expect(await verifyPassword('', null)).toBe(false)
  })
})
