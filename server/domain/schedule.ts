// Repeating waves: how the next wave of a series is dated and named, which settings a repeating wave
// needs, and what its opening and closing announce. Pure; services/schedule-pass.ts runs it.
import type { FieldErrors } from './inputs.js'
import type { RepeatEvery } from './types.js'

export const REPEATS: readonly RepeatEvery[] = ['month', 'quarter']

/** How many calendar months one period spans. */
export const monthsOf = (repeat: RepeatEvery) => (repeat === 'month' ? 1 : 3)

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month + 1, 0)).getUTCDate()

/**
 * The same moment `months` calendar months later (UTC), the time of day kept. A day the target month
 * lacks becomes its last day (31 January + 1 month = 28 or 29 February), and the last day of a month
 * stays the last day (28 February + 1 month = 31 March), so a series that runs to the end of the month
 * keeps doing so instead of drifting to the 28th.
 */
export function addMonths(date: Date, months: number): Date {
  const year = date.getUTCFullYear()
  const month = date.getUTCMonth()
  const day = date.getUTCDate()
  const target = new Date(Date.UTC(year, month + months, 1))
  const last = daysIn(target.getUTCFullYear(), target.getUTCMonth())
  const wasLast = day === daysIn(year, month)
  const targetDay = wasLast ? last : Math.min(day, last)
  return new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), targetDay,
    date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds()))
}

const QUARTER = /^(\d{4})-Q([1-4])$/
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/
/** A name that ends with a period after " · ", as the names this file makes do. */
const SUFFIX = / · (\d{4}-Q[1-4]|\d{4}-(?:0[1-9]|1[0-2]))$/

const monthName = (date: Date) => `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`
const quarterName = (date: Date) => `${date.getUTCFullYear()}-Q${Math.floor(date.getUTCMonth() / 3) + 1}`

/** The period name `steps` periods after a period name ("2026-Q4" → "2027-Q1", "2026-12" → "2027-01"); null for any other name. */
export function nextPeriodName(name: string, steps = 1): string | null {
  const quarter = QUARTER.exec(name)
  if (quarter) return quarterName(new Date(Date.UTC(Number(quarter[1]), (Number(quarter[2]) - 1 + steps) * 3, 1)))
  const month = MONTH.exec(name)
  if (month) return monthName(new Date(Date.UTC(Number(month[1]), Number(month[2]) - 1 + steps, 1)))
  return null
}

/**
 * The name of the next wave: the next period when the name is a period ("2026-Q4" → "2027-Q1"),
 * otherwise the name with the period the next wave opens in ("Pulse" → "Pulse · 2027-01"), a period
 * added before being replaced rather than piled up.
 */
export function nextWaveName(name: string, repeat: RepeatEvery, nextOpensAt: Date, steps = 1): string {
  const period = nextPeriodName(name, steps)
  if (period) return period
  const suffix = SUFFIX.exec(name)
  const base = suffix ? name.slice(0, suffix.index) : name
  return `${base} · ${repeat === 'month' ? monthName(nextOpensAt) : quarterName(nextOpensAt)}`
}

export interface Dates { opensAt: Date; closesAt: Date | null }

/**
 * The dates of the next wave of a series: one period later, or as many as it takes for the next wave
 * to close after `now` (a series left alone for a year does not make four waves that are over before
 * anyone could answer). Returns the dates and how many periods they lie ahead.
 */
export function nextDates(wave: Dates, repeat: RepeatEvery, now: Date): Dates & { steps: number } {
  const months = monthsOf(repeat)
  let steps = 1
  const at = (date: Date) => addMonths(date, months * steps)
  // A cap keeps a bad date from looping; 1,200 periods is a century of months.
  while (steps < 1200 && wave.closesAt !== null && at(wave.closesAt) <= now) steps++
  // Never open before this one closes (a wave opened early by hand may have opened up to a period early).
  const opensAt = wave.closesAt && wave.closesAt > at(wave.opensAt) ? wave.closesAt : at(wave.opensAt)
  return { opensAt, closesAt: wave.closesAt ? at(wave.closesAt) : null, steps }
}

/**
 * The rules of a repeating wave, read on the settings it would have (new or changed): an opening and a
 * closing date, closing after opening, and open for no longer than one period, so that a wave closes
 * before the next of its series opens. Adds a message per field to `errors`.
 */
export function checkRepeat(settings: { repeatEvery: RepeatEvery | null; opensAt: Date | null; closesAt: Date | null }, errors: FieldErrors): void {
  const { repeatEvery, opensAt, closesAt } = settings
  if (repeatEvery === null) return
  if (!opensAt && !errors.opensAt) errors.opensAt = 'A repeating wave needs an opening date: the next one opens a period later.'
  if (!closesAt && !errors.closesAt) errors.closesAt = 'A repeating wave needs a closing date, so that it closes before the next one opens.'
  if (!opensAt || !closesAt || errors.opensAt || errors.closesAt) return
  if (closesAt <= opensAt) errors.closesAt = 'The closing date must come after the opening date.'
  else if (closesAt > addMonths(opensAt, monthsOf(repeatEvery))) {
    errors.closesAt = `A wave that repeats every ${repeatEvery} must close within a ${repeatEvery} of opening, before the next one opens.`
  }
}

/** A "Repeats" choice from a form or an API body: '' or null for no repeat. Adds an error for anything else. */
export function repeatOf(value: unknown, errors: FieldErrors): RepeatEvery | null {
  if (value === undefined || value === null || value === '' || value === 'no') return null
  if ((REPEATS as readonly unknown[]).includes(value)) return value as RepeatEvery
  errors.repeatEvery = 'Choose no repeat, every month or every quarter.'
  return null
}

/** The "weekly digest" choice: a ticked box ('on') or a boolean. */
export function weeklyDigestOf(value: unknown, errors: FieldErrors): boolean {
  if (value === undefined || value === null || value === '' || value === false || value === 'off') return false
  if (value === true || value === 'on') return true
  errors.weeklyDigest = 'Tick the box or leave it empty.'
  return false
}

/** What wave_opened and wave_closed webhooks carry: the wave's name and dates, nothing about anyone. */
export function waveEventPayload(
  wave: { id: string; name: string; opensAt: Date | null; closesAt: Date | null; repeatedFrom: string | null },
  by: 'schedule' | 'person',
) {
  return {
    wave: { id: wave.id, name: wave.name, opensAt: wave.opensAt?.toISOString() ?? null, closesAt: wave.closesAt?.toISOString() ?? null, repeatedFrom: wave.repeatedFrom },
    by,
  }
}
