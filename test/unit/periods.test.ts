import { describe, expect, it } from 'vitest'
import type { WaveStatus } from '../../server/domain/types.js'
import { effectiveStatus, quarterName, suggestWaveName } from '../../server/domain/periods.js'

const at = (iso: string) => new Date(iso)

describe('quarterName', () => {
  it('names the calendar quarter of a date in UTC', () => {
    expect(quarterName(at('2026-01-01T00:00:00Z'))).toBe('2026-Q1')
    expect(quarterName(at('2026-03-31T23:59:59Z'))).toBe('2026-Q1')
    expect(quarterName(at('2026-04-01T00:00:00Z'))).toBe('2026-Q2')
    expect(quarterName(at('2026-08-15T12:00:00Z'))).toBe('2026-Q3')
    expect(quarterName(at('2026-12-31T23:59:59Z'))).toBe('2026-Q4')
  })

  it('uses UTC, not the local time zone, at a quarter boundary', () => {
    // 1 April 01:30 in Berlin is still 31 March in UTC.
    expect(quarterName(at('2026-04-01T01:30:00+02:00'))).toBe('2026-Q1')
  })
})

describe('suggestWaveName', () => {
  it('suggests the current quarter in its first month', () => {
    expect(suggestWaveName(at('2026-04-02T10:00:00Z'), [])).toBe('2026-Q2')
  })

  it('suggests the current quarter in its second month', () => {
    expect(suggestWaveName(at('2026-05-31T10:00:00Z'), [])).toBe('2026-Q2')
  })

  it('suggests the next quarter in the third month of a quarter', () => {
    expect(suggestWaveName(at('2026-06-01T00:00:00Z'), [])).toBe('2026-Q3')
    expect(suggestWaveName(at('2026-03-15T00:00:00Z'), [])).toBe('2026-Q2')
  })

  it('rolls over to the first quarter of the next year in December', () => {
    expect(suggestWaveName(at('2026-12-05T00:00:00Z'), [])).toBe('2027-Q1')
  })

  it('suggests Q4 in October and November', () => {
    expect(suggestWaveName(at('2026-10-01T00:00:00Z'), [])).toBe('2026-Q4')
    expect(suggestWaveName(at('2026-11-30T23:59:59Z'), [])).toBe('2026-Q4')
  })

  it('skips names already taken, ignoring case', () => {
    expect(suggestWaveName(at('2026-04-02T00:00:00Z'), ['2026-q2'])).toBe('2026-Q3')
    expect(suggestWaveName(at('2026-04-02T00:00:00Z'), ['2026-Q2', '2026-q3', 'Pilot'])).toBe('2026-Q4')
  })

  it('skips taken names across a year boundary', () => {
    expect(suggestWaveName(at('2026-10-20T00:00:00Z'), ['2026-Q4'])).toBe('2027-Q1')
    expect(suggestWaveName(at('2026-12-20T00:00:00Z'), ['2027-q1', '2027-Q2'])).toBe('2027-Q3')
  })

  it('ignores taken names that are not quarters it would suggest', () => {
    expect(suggestWaveName(at('2026-04-02T00:00:00Z'), ['2026-Q1', '2025-Q2'])).toBe('2026-Q2')
  })
})

describe('effectiveStatus', () => {
  const now = at('2026-05-10T12:00:00Z')
  const past = at('2026-05-01T00:00:00Z')
  const future = at('2026-06-01T00:00:00Z')
  const status = (s: WaveStatus, opensAt: Date | null, closesAt: Date | null) => effectiveStatus({ status: s, opensAt, closesAt }, now)

  it('opens a draft whose opening date has passed', () => {
    expect(status('draft', past, null)).toBe('open')
    expect(status('draft', now, null)).toBe('open')
  })

  it('keeps a draft with a future opening date a draft', () => {
    expect(status('draft', future, null)).toBe('draft')
  })

  it('keeps a draft without an opening date a draft, even with a closing date ahead', () => {
    expect(status('draft', null, null)).toBe('draft')
    expect(status('draft', null, future)).toBe('draft')
  })

  it('closes an open wave whose closing date has passed', () => {
    expect(status('open', past, past)).toBe('closed')
    expect(status('open', past, now)).toBe('closed')
  })

  it('keeps an open wave open until its closing date', () => {
    expect(status('open', past, future)).toBe('open')
    expect(status('open', past, null)).toBe('open')
  })

  it('closes a scheduled draft whose whole period has passed', () => {
    expect(status('draft', at('2026-04-01T00:00:00Z'), past)).toBe('closed')
  })

  it('keeps a closed wave closed whatever its dates say', () => {
    expect(status('closed', past, null)).toBe('closed')
    expect(status('closed', past, future)).toBe('closed')
    expect(status('closed', null, null)).toBe('closed')
  })
})
