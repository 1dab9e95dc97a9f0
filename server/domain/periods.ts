// Quarterly periods: naming a wave and deciding whether it is open right now.
import type { WaveStatus } from './types.js'

export function quarterName(date: Date): string {
  return `${date.getUTCFullYear()}-Q${Math.floor(date.getUTCMonth() / 3) + 1}`
}

function addQuarters(date: Date, quarters: number): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 3 * quarters, 1))
}

/**
 * The name to offer for a new wave: the current quarter while most of it is still ahead, otherwise the
 * coming one; skipping names the organization has already used.
 */
export function suggestWaveName(now: Date, taken: readonly string[]): string {
  const used = new Set(taken.map((name) => name.toLowerCase()))
  const lateInQuarter = now.getUTCMonth() % 3 === 2
  for (let step = lateInQuarter ? 1 : 0; ; step++) {
    const name = quarterName(addQuarters(now, step))
    if (!used.has(name.toLowerCase())) return name
  }
}

/** The status a wave has at `now`: a draft with an opening date opens by itself; an open wave closes at its closing date. */
export function effectiveStatus(wave: { status: WaveStatus; opensAt: Date | null; closesAt: Date | null }, now: Date): WaveStatus {
  if (wave.status === 'closed') return 'closed'
  if (wave.closesAt !== null && wave.closesAt <= now) return 'closed'
  if (wave.status === 'draft') return wave.opensAt !== null && wave.opensAt <= now ? 'open' : 'draft'
  return 'open'
}

/** The ISO 8601 week of a moment (UTC), as "2026-W49": the weekly digest is sent once per such week. */
export function isoWeek(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()))
  // The Thursday of this week decides its year.
  day.setUTCDate(day.getUTCDate() + 3 - ((day.getUTCDay() + 6) % 7))
  const firstThursday = new Date(Date.UTC(day.getUTCFullYear(), 0, 4))
  const week = 1 + Math.round(((day.getTime() - firstThursday.getTime()) / 86_400_000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7)
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`
}
