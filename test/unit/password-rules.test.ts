import { describe, expect, it } from 'vitest'
import { MAX_PASSWORD_LENGTH, passwordProblem } from '../../server/domain/password-rules.js'

describe('password rules', () => {
  it('takes long passphrases of any characters, with no composition rules', () => {
    expect(passwordProblem('correct horse battery staple')).toBeNull()
    expect(passwordProblem('alllowercaseletters')).toBeNull()
    expect(passwordProblem('ñandú über Straße 🦆')).toBeNull()
    expect(passwordProblem('x'.repeat(10) + 'yz'.repeat(95))).toBeNull()
  })

  it('refuses short, overlong, empty and non-string passwords with a reason', () => {
    expect(passwordProblem('short pass')).toMatch(/at least 12/)
    expect(passwordProblem('a'.repeat(MAX_PASSWORD_LENGTH + 1))).toMatch(/at most/)
    expect(passwordProblem('')).toMatch(/Choose a password/)
    expect(passwordProblem(['correct horse battery staple'])).toMatch(/Choose a password/)
    // Twelve characters counted as characters, not UTF-16 units: six ducks are six.
    expect(passwordProblem('🦆🦆🦆🦆🦆🦆')).toMatch(/at least 12/)
  })

  it('refuses the common passwords of the shipped list, whatever their case', () => {
    for (const common of ['123456789012', 'Qwertyuiop123', 'PASSWORD1234', 'iloveyou2026!', '!!monkey!!2024', 'dragondragon', 'administrator']) {
      expect.soft(passwordProblem(common), common).toMatch(/common passwords/)
    }
    expect(passwordProblem('aaaaaaaaaaaaaaaa')).not.toBeNull()
  })

  it('refuses the account’s own email, name or organization', () => {
    expect(passwordProblem('maria.lopez@acme.example', { email: 'maria.lopez@acme.example' })).toMatch(/email address, name/)
    expect(passwordProblem('Acme Holdings Ltd', { organization: 'acme holdings ltd' })).toMatch(/organization/)
    expect(passwordProblem('Acme Holdings 2026!', { organization: 'acme holdings ltd' })).toBeNull()
  })
})
