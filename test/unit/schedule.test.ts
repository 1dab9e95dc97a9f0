// The pure rules of repeating waves: calendar months, the next name and dates, the settings a repeating wave needs.
import { describe, expect, it } from 'vitest'
import { addMonths, checkRepeat, nextDates, nextPeriodName, nextWaveName } from '../../server/domain/schedule.js'

const d = (iso: string) => new Date(iso)

describe('addMonths', () => {
  it('moves by calendar months and keeps the end of the month sane', () => {
    expect(addMonths(d('2026-01-31T00:00:00Z'), 1)).toEqual(d('2026-02-28T00:00:00Z'))
    expect(addMonths(d('2028-01-31T00:00:00Z'), 1)).toEqual(d('2028-02-29T00:00:00Z'))
    // The last day of a month stays the last day: a series that ends with the month keeps doing so.
    expect(addMonths(d('2026-02-28T09:30:00Z'), 1)).toEqual(d('2026-03-31T09:30:00Z'))
    expect(addMonths(d('2026-04-30T00:00:00Z'), 1)).toEqual(d('2026-05-31T00:00:00Z'))
    expect(addMonths(d('2026-01-15T12:00:00Z'), 1)).toEqual(d('2026-02-15T12:00:00Z'))
    expect(addMonths(d('2026-11-30T00:00:00Z'), 3)).toEqual(d('2027-02-28T00:00:00Z'))
    expect(addMonths(d('2026-10-01T00:00:00Z'), 3)).toEqual(d('2027-01-01T00:00:00Z'))
  })
})

describe('next wave names', () => {
  it('follows a period name across the year and adds a period to any other name', () => {
    expect(nextPeriodName('2026-Q4')).toBe('2027-Q1')
    expect(nextPeriodName('2026-Q1', 2)).toBe('2026-Q3')
    expect(nextPeriodName('2026-11')).toBe('2026-12')
    expect(nextPeriodName('2026-12')).toBe('2027-01')
    expect(nextPeriodName('Pulse')).toBeNull()
    expect(nextWaveName('Pulse', 'quarter', d('2027-01-01T00:00:00Z'))).toBe('Pulse · 2027-Q1')
    // The period added before is replaced, not piled up.
    expect(nextWaveName('Pulse · 2027-Q1', 'quarter', d('2027-04-01T00:00:00Z'))).toBe('Pulse · 2027-Q2')
    expect(nextWaveName('Pulse · 2027-01', 'month', d('2027-02-01T00:00:00Z'))).toBe('Pulse · 2027-02')
  })
})

describe('nextDates', () => {
  const q4 = { opensAt: d('2026-10-01T00:00:00Z'), closesAt: d('2027-01-01T00:00:00Z') }
  it('shifts both dates by one period', () => {
    expect(nextDates(q4, 'quarter', d('2026-10-02T00:00:00Z'))).toEqual({ opensAt: d('2027-01-01T00:00:00Z'), closesAt: d('2027-04-01T00:00:00Z'), steps: 1 })
  })
  it('skips periods that would be over already, and never opens before the current wave closes', () => {
    expect(nextDates(q4, 'quarter', d('2027-05-10T00:00:00Z'))).toEqual({ opensAt: d('2027-04-01T00:00:00Z'), closesAt: d('2027-07-01T00:00:00Z'), steps: 2 })
    // Opened early by hand on 20 September: the next still opens when this one closes.
    const early = { opensAt: d('2026-09-20T00:00:00Z'), closesAt: d('2027-01-01T00:00:00Z') }
    expect(nextDates(early, 'quarter', d('2026-09-21T00:00:00Z')).opensAt).toEqual(d('2027-01-01T00:00:00Z'))
  })
})

describe('checkRepeat', () => {
  const errors = (settings: Parameters<typeof checkRepeat>[0]) => { const e: Record<string, string> = {}; checkRepeat(settings, e); return e }
  it('asks a repeating wave for both dates, in order, at most one period apart', () => {
    expect(errors({ repeatEvery: null, opensAt: null, closesAt: null })).toEqual({})
    expect(Object.keys(errors({ repeatEvery: 'quarter', opensAt: null, closesAt: null }))).toEqual(['opensAt', 'closesAt'])
    expect(errors({ repeatEvery: 'month', opensAt: d('2026-10-01T00:00:00Z'), closesAt: d('2026-12-01T00:00:00Z') }).closesAt).toMatch(/within a month/)
    expect(errors({ repeatEvery: 'quarter', opensAt: d('2026-10-01T00:00:00Z'), closesAt: d('2026-09-01T00:00:00Z') }).closesAt).toMatch(/after the opening/)
    // Open to the end of 31 December (the next midnight) is exactly one quarter: allowed.
    expect(errors({ repeatEvery: 'quarter', opensAt: d('2026-10-01T00:00:00Z'), closesAt: d('2027-01-01T00:00:00Z') })).toEqual({})
  })
})
