// Password hashing at the production cost (this file does not import the test helpers, which lower
// it), and the test-only cost: cheap, still verifiable, and never called by the server.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { hashPassword, TEST_COST_LOG2, useTestPasswordCost, verifyPassword } from '../../server/security/passwords.js'

// Each hash costs about 0.3 s (scrypt, N = 2^17), so the file makes only a few.
const PASSWORD = 'correct horse battery staple'

describe('password hashing', () => {
  let hash: string
  let again: string

  beforeAll(async () => {
    hash = await hashPassword(PASSWORD)
    again = await hashPassword(PASSWORD)
  })

  it('stores scrypt with N = 2^17, r = 8, p = 1, a 16-byte salt and a 32-byte key in the hash', () => {
    const parts = hash.split('$')
    expect(parts).toHaveLength(6)
    const [scheme, logN, r, p, salt, key] = parts
    expect(scheme).toBe('scrypt')
    expect(logN).toBe('17')
    expect(r).toBe('8')
    expect(p).toBe('1')
    expect(salt).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(Buffer.from(salt!, 'base64url')).toHaveLength(16)
    expect(Buffer.from(key!, 'base64url')).toHaveLength(32)
  })

  it('salts every hash, so two hashes of the same password differ', () => {
    expect(again).not.toBe(hash)
    expect(again.split('$')[4]).not.toBe(hash.split('$')[4])
  })

  it('verifies the right password', async () => {
    expect(await verifyPassword(PASSWORD, hash)).toBe(true)
  })

  it('rejects a password that differs only in case', async () => {
    expect(await verifyPassword('Correct horse battery staple', hash)).toBe(false)
  })

  it('rejects a hash whose key was tampered with', async () => {
    const parts = hash.split('$')
    const key = Buffer.from(parts[5]!, 'base64url')
    key[0] = key[0]! ^ 1
    parts[5] = key.toString('base64url')
    expect(await verifyPassword(PASSWORD, parts.join('$'))).toBe(false)
  })

  it('returns false, without throwing, for stored strings that are not scrypt hashes', async () => {
    for (const stored of ['', 'not a hash', '$$$$$', 'bcrypt$10$8$1$c2FsdA$a2V5', 'scrypt$17$8$1$$', 'scrypt$17$8$1$c2FsdA']) {
      expect(await verifyPassword(PASSWORD, stored), stored).toBe(false)
    }
  })

  it('returns false for a well-formed hash of another length than the derived key', async () => {
    // Cheap parameters (N = 2^4) keep this fast; the 3-byte key cannot match a 32-byte one.
    expect(await verifyPassword(PASSWORD, 'scrypt$4$8$1$c2FsdHNhbHRzYWx0$a2V5')).toBe(false)
  })

  it('returns false for a stored hash with non-numeric parameters', async () => {
    await expect(verifyPassword(PASSWORD, 'scrypt$abc$8$1$c2FsdA$a2V5')).resolves.toBe(false)
  })
})

describe('the test-only password cost', () => {
  const root = join(import.meta.dirname, '..', '..')
  const sources = (dir: string): string[] => readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts')).map((file) => join(root, dir, file))

  it('is called from no code that runs in production', () => {
    const files = [...sources('server'), ...sources('db')]
    expect(files.length).toBeGreaterThan(20)
    const callers = files.filter((file) => file !== join(root, 'server', 'security', 'passwords.ts') && readFileSync(file, 'utf8').includes('useTestPasswordCost'))
    expect(callers).toEqual([])
  })

  it('makes cheaper hashes that still verify, since each hash carries its own parameters', async () => {
    useTestPasswordCost()
    const cheap = await hashPassword(PASSWORD)
    expect(cheap.split('$')[1]).toBe(String(TEST_COST_LOG2))
    expect(await verifyPassword(PASSWORD, cheap)).toBe(true)
    expect(await verifyPassword('another password', cheap)).toBe(false)
  })
})
