// Identifier shapes and names defined once: isUuid (domain/formats.ts), isTokenShaped
// (security/tokens.ts) and the side and language names (domain/names.ts).
import { describe, expect, it } from 'vitest'
import { isUuid } from '../../server/domain/formats.js'
import { LANGUAGE_NAMES, languageName, SIDE_GROUP_NAMES, sideName } from '../../server/domain/names.js'
import { invitationToken, isTokenShaped, randomToken, readUnsubscribeToken, unsubscribeToken } from '../../server/security/tokens.js'
import { RESPONDENT_TEXT } from '../../server/i18n/respondent.js'

describe('isUuid', () => {
  it('accepts a UUID in either case and nothing else', () => {
    expect(isUuid('0b9e1c2a-5d4f-4e3a-9c8b-7a6f5e4d3c2b')).toBe(true)
    expect(isUuid('0B9E1C2A-5D4F-4E3A-9C8B-7A6F5E4D3C2B')).toBe(true)
    for (const bad of ['', '0b9e1c2a5d4f4e3a9c8b7a6f5e4d3c2b', '------------------------------------', '0b9e1c2a-5d4f-4e3a-9c8b-7a6f5e4d3c2g', ' 0b9e1c2a-5d4f-4e3a-9c8b-7a6f5e4d3c2b', 42, null]) {
      expect(isUuid(bad)).toBe(false)
    }
  })
})

describe('isTokenShaped', () => {
  it('accepts every token the server hands out', () => {
    expect(isTokenShaped(randomToken())).toBe(true)
    expect(isTokenShaped(randomToken(16))).toBe(true)
    expect(isTokenShaped(invitationToken('secret', '0b9e1c2a-5d4f-4e3a-9c8b-7a6f5e4d3c2b'))).toBe(true)
  })

  it('refuses what is too short, too long, or not URL-safe base64', () => {
    for (const bad of ['a'.repeat(15), 'a'.repeat(65), 'abc def ghi jkl mno', 'abcdefghijklmnop/', "abcdefghijklmnop'", 7, undefined]) expect(isTokenShaped(bad)).toBe(false)
  })

  it('lets an unsubscribe token through only with a UUID and its signature', () => {
    const id = '0b9e1c2a-5d4f-4e3a-9c8b-7a6f5e4d3c2b'
    expect(readUnsubscribeToken('secret', unsubscribeToken('secret', id))).toBe(id)
    expect(readUnsubscribeToken('secret', unsubscribeToken('secret', 'not-a-uuid'))).toBeNull()
  })
})

describe('names', () => {
  it('name each side for one person and as a group', () => {
    expect(sideName('customer')).toBe('Customer')
    expect(SIDE_GROUP_NAMES.customer).toBe('Customers')
    expect(sideName('constructor')).toBe('constructor')
  })

  it('name each language in itself, on the admin pages and the respondent language menu alike', () => {
    expect(languageName('es')).toBe('Español')
    expect(languageName('fr')).toBe('Français')
    expect(languageName('it')).toBe('it')
    for (const [code, name] of Object.entries(LANGUAGE_NAMES)) expect(RESPONDENT_TEXT[code as keyof typeof RESPONDENT_TEXT].languageName).toBe(name)
  })
})
