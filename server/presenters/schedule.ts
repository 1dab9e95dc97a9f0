// A wave's place in its series, in words for the wave head: how often it repeats, the next wave (made
// already, or as it will be made), and the wave it was made from.
import * as f from '../format.js'
import { nextDates, nextWaveName } from '../domain/schedule.js'
import type { Wave } from '../repositories/waves.js'

export interface ScheduleLine {
  /** "Repeats every quarter", or null for a wave that does not repeat. */
  repeats: string | null
  /** The next wave: its name, the day it opens, and its page once it is made. */
  next: { name: string; opens: string; href: string | null } | null
  madeFrom: { name: string; href: string } | null
}

export function presentSchedule(wave: Wave, now: Date): ScheduleLine | null {
  if (!wave.repeatEvery && !wave.repeatedFrom) return null
  let next: ScheduleLine['next'] = null
  if (wave.repeat) next = { name: wave.repeat.name, opens: f.date(wave.repeat.opensAt), href: `/waves/${wave.repeat.id}` }
  else if (wave.repeatEvery && wave.opensAt) {
    const dates = nextDates({ opensAt: wave.opensAt, closesAt: wave.closesAt }, wave.repeatEvery, now)
    next = { name: nextWaveName(wave.name, wave.repeatEvery, dates.opensAt, dates.steps), opens: f.date(dates.opensAt), href: null }
  }
  return {
    repeats: wave.repeatEvery ? `Repeats every ${wave.repeatEvery}` : null,
    next,
    madeFrom: wave.repeatedFrom ? { name: wave.repeatedFrom.name, href: `/waves/${wave.repeatedFrom.id}` } : null,
  }
}
