// The pure rules of the data-rights requests: the export's address, a deletion's reason, the
// retention months and how far back they reach.
import { describe, expect, it } from 'vitest'
import { checkExportEmail, checkMonths, checkReason, monthsBefore, normalizedEmail } from '../../server/domain/data-rights.js'
import { suppressionHash } from '../../server/repositories/suppressions.js'

describe('the export address', () => {
  it('takes one address, trimmed and lowercased, as contacts are stored', () => {
    expect(checkExportEmail('  Ana@Example.TEST ')).toEqual({ email: 'ana@example.test' })
    expect(normalizedEmail(' A@B.c ')).toBe('a@b.c')
  })
  it('refuses anything else with a message', () => {
    for (const value of [undefined, null, '', '   ', 42, ['a@b.test'], 'no-at-sign', 'a@b', 'a b@c.test', 'a@b.test\r\nBcc: c@d.test', `${'a'.repeat(250)}@b.test`]) {
      expect(checkExportEmail(value), String(value)).toHaveProperty('problem')
    }
  })
})

describe('the reason of a deletion', () => {
  it('is one line of 1 to 500 characters', () => {
    expect(checkReason(' asked by mail\r\non 3 May ')).toEqual({ reason: 'asked by mail on 3 May' })
    expect(checkReason('x'.repeat(500))).toEqual({ reason: 'x'.repeat(500) })
    for (const value of [undefined, null, '', ' \n ', 7, ['why'], { why: 1 }, 'x'.repeat(501)]) expect(checkReason(value)).toHaveProperty('problem')
  })
})

describe('retention months', () => {
  it('reads empty as never and whole months from 1 to 600', () => {
    expect(checkMonths('')).toEqual({ months: null })
    expect(checkMonths(undefined)).toEqual({ months: null })
    expect(checkMonths(' 12 ')).toEqual({ months: 12 })
    expect(checkMonths(600)).toEqual({ months: 600 })
    for (const value of ['0', '601', '1.5', '-1', 'abc', ['1'], '1e2', 0.5]) expect(checkMonths(value), String(value)).toHaveProperty('problem')
  })
  it('counts calendar months back, to the last day of a shorter month', () => {
    expect(monthsBefore(new Date('2025-01-15T12:00:00Z'), 12).toISOString()).toBe('2024-01-15T12:00:00.000Z')
    expect(monthsBefore(new Date('2025-03-31T08:00:00Z'), 1).toISOString()).toBe('2025-02-28T08:00:00.000Z')
    expect(monthsBefore(new Date('2024-03-31T08:00:00Z'), 1).toISOString()).toBe('2024-02-29T08:00:00.000Z')
    expect(monthsBefore(new Date('2025-01-31T00:00:00Z'), 14).toISOString()).toBe('2023-11-30T00:00:00.000Z')
  })
})

describe('the suppression hash', () => {
  it('is keyed by the secret and blind to case and spaces around the address', () => {
    expect(suppressionHash('s', ' Ana@Example.test')).toBe(suppressionHash('s', 'ana@example.test'))
    expect(suppressionHash('s', 'ana@example.test')).not.toBe(suppressionHash('t', 'ana@example.test'))
    expect(suppressionHash('s', 'ana@example.test')).toMatch(/^[0-9a-f]{64}$/)
  })
})
