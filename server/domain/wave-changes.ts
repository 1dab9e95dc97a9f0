// Changes to an existing wave (its settings form and PATCH /api/v1/waves/:id): name, closing date,
// languages, status and prediction questions. Only the fields given are checked and changed. The
// closing date and the languages follow the rules of a new wave (inputs.ts): a closing date ahead of
// now and after the opening, at least one language and only the instrument's. The prediction
// questions change only while the wave holds no answer (services/wave-settings.ts checks that).
import { moment, predictionModeOf, waveNameOf, type Checked, type FieldErrors } from './inputs.js'
import { checkRepeat, repeatOf, weeklyDigestOf } from './schedule.js'
import type { PredictionMode, RepeatEvery, WaveStatus } from './types.js'

export interface WaveChanges {
  name?: string
  /** null: no closing date any more. */
  closesAt?: Date | null
  locales?: string[]
  /** Open or close it now, as the wave page's buttons do. */
  status?: 'open' | 'closed'
  /** Which items staff predict customers' answers for. */
  predictions?: PredictionMode
  /** When a draft opens by itself; null: no date (it waits for a person). */
  opensAt?: Date | null
  /** How often the next wave of its series is made; null: it does not repeat. */
  repeatEvery?: RepeatEvery | null
  weeklyDigest?: boolean
}

export interface ChangeContext {
  now: Date
  opensAt: Date | null
  /** The languages of the wave's instrument: those a wave of it may be offered in. */
  instrumentLocales: readonly string[]
  /** The wave as it is (its effective status), for the rules that read the settings it would have; a draft without a schedule when not given. */
  status?: WaveStatus
  closesAt?: Date | null
  repeatEvery?: RepeatEvery | null
}

const given = (value: unknown) => value !== undefined

export function checkWaveChanges(input: Record<string, unknown>, context: ChangeContext): Checked<WaveChanges> {
  const errors: FieldErrors = {}
  const value: WaveChanges = {}
  if (given(input.name)) value.name = waveNameOf(input.name, errors)
  if (given(input.closesAt)) {
    if (input.closesAt !== null && typeof input.closesAt !== 'string') errors.closesAt = 'Enter a date as yyyy-mm-dd.'
    else {
      const closesAt = moment(input.closesAt ?? '', 'closesAt', true, errors)
      // Opening a wave now (status "open") moves its opening date to now, so the rule reads against that.
      const opensAt = input.status === 'open' ? context.now : context.opensAt
      if (closesAt && closesAt <= context.now) errors.closesAt = 'The closing date must lie in the future.'
      else if (closesAt && opensAt && closesAt <= opensAt) errors.closesAt = 'The closing date must come after the opening date.'
      if (input.status === 'closed' && !errors.closesAt) errors.closesAt = 'A wave closed now has its closing date now; leave the closing date out.'
      value.closesAt = closesAt
    }
  }
  if (given(input.locales)) {
    const raw = Array.isArray(input.locales) ? input.locales : [input.locales]
    const locales = [...new Set(raw.map((l) => (typeof l === 'string' ? l.trim() : '')))]
    if (locales.length === 0 || (locales.length === 1 && locales[0] === '')) errors.locales = 'Choose at least one language.'
    else if (locales.some((l) => !context.instrumentLocales.includes(l))) errors.locales = `Languages must be among: ${context.instrumentLocales.join(', ')}.`
    else value.locales = locales
  }
  if (given(input.status)) {
    if (input.status !== 'open' && input.status !== 'closed') errors.status = 'Choose "open" or "closed".'
    else value.status = input.status
  }
  if (given(input.predictions)) value.predictions = predictionModeOf(input.predictions, errors)
  if (given(input.opensAt)) {
    const opensAt = input.opensAt === null || typeof input.opensAt === 'string' ? moment(input.opensAt ?? '', 'opensAt', false, errors) : null
    if (input.opensAt !== null && typeof input.opensAt !== 'string') errors.opensAt = 'Enter a date as yyyy-mm-dd.'
    // Once a wave has opened, when it opened is a fact; only a draft's opening date can move.
    else if ((context.status ?? 'draft') !== 'draft' && opensAt?.getTime() !== context.opensAt?.getTime()) errors.opensAt = 'This wave has opened; its opening date stays as it is.'
    else if (input.status === 'open') errors.opensAt = 'A wave opened now opens now; leave the opening date out.'
    else value.opensAt = opensAt
  }
  if (given(input.repeatEvery)) value.repeatEvery = repeatOf(input.repeatEvery, errors)
  if (given(input.weeklyDigest)) value.weeklyDigest = weeklyDigestOf(input.weeklyDigest, errors)
  // The schedule is checked on the settings the wave would have, when a part of it is changed
  // (opening or closing it now leaves the rest of its schedule as it is).
  if ((given(input.repeatEvery) || given(input.opensAt) || given(input.closesAt)) && value.status === undefined) {
    checkRepeat({
      repeatEvery: value.repeatEvery !== undefined ? value.repeatEvery : context.repeatEvery ?? null,
      opensAt: value.opensAt !== undefined ? value.opensAt : context.opensAt,
      closesAt: value.closesAt !== undefined ? value.closesAt : context.closesAt ?? null,
    }, errors)
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value }
}

/**
 * Why the prediction questions of a wave holding answers cannot change: the answers stored so far were
 * counted with the measures of the mode they came under (domain/measures.ts), and the release decides
 * on those counts.
 */
export const PREDICTIONS_LOCKED = 'The prediction questions cannot change once a wave has answers (in its figures or waiting for the staff release step): they change what its figures measure.'

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * The day a form shows for a closing date: a bare date typed in a form means the end of that day (the
 * next midnight, UTC), so that midnight shows as the day before; any other moment as its own day.
 */
export function closingDay(closesAt: Date | null): string {
  if (!closesAt) return ''
  const midnight = closesAt.getTime() % DAY_MS === 0
  return new Date(closesAt.getTime() - (midnight ? DAY_MS : 0)).toISOString().slice(0, 10)
}
