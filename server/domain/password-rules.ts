// What a password must be, after OWASP ASVS 5.0 chapter V6: at least 12 characters, long ones
// welcome (up to 200), any characters, no composition rules, and not one of the passwords people
// use most. The list is the common-password dictionary of zxcvbn-ts (about 49,000 entries from
// leaked-password corpora), compared after lower-casing and with the padding people add to reach the
// length taken off, plus words of the account's own context.
import { dictionary } from '@zxcvbn-ts/language-common'

export const MIN_PASSWORD_LENGTH = 12
export const MAX_PASSWORD_LENGTH = 200

let common: Set<string> | null = null
const commonPasswords = () => (common ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase())))

/**
 * Few common passwords are 12 characters long; people reach the length by padding one. So a password
 * is common when it is on the list, or when it is a listed one (of 4 or more characters) with only
 * digits and symbols around it, or one repeated: "password1234", "!!qwerty2024!!", "monkeymonkey".
 */
function isCommon(lowered: string): boolean {
  const list = commonPasswords()
  if (list.has(lowered)) return true
  const core = lowered.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '')
  if (core.length >= 4 && core !== lowered && list.has(core)) return true
  const repeated = /^(.{3,}?)\1+$/u.exec(core)
  return repeated !== null && list.has(repeated[1]!)
}

/** Words of the account that make a poor password on their own: its email, name, organization. */
export interface PasswordContext { email?: string; name?: string; organization?: string }

const squash = (value: string) => value.normalize('NFKC').toLowerCase().replace(/[\s._-]+/g, '')

/** Why a chosen password cannot be used, in words for the person; null when it is fine. */
export function passwordProblem(password: unknown, context: PasswordContext = {}): string | null {
  if (typeof password !== 'string' || password.length === 0) return 'Choose a password.'
  const length = [...password.normalize('NFC')].length
  if (length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`
  if (length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`
  const lowered = password.normalize('NFKC').toLowerCase()
  if (isCommon(lowered)) return 'This is one of the most common passwords, tried first by anyone guessing. Choose another.'
  if (new Set(lowered).size <= 2) return 'Use more than one or two different characters.'
  const own = [context.email, context.email?.split('@')[0], context.name, context.organization, 'service gap', 'servicegap']
    .filter((word): word is string => typeof word === 'string' && squash(word).length >= 4)
  if (own.some((word) => squash(word) === squash(password))) return 'Do not use your email address, name or organization as the password.'
  return null
}
