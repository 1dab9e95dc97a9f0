// What a valid action plan is: its owner, what will change, its due date and status, and the one item
// or dimension of the wave's instrument it is about. Pure checks with a message per field, so a form
// can be shown again with every problem beside its field and the API can name each one.
import type { Checked, FieldErrors } from './inputs.js'
import { PLAN_STATUSES, type PlanStatus } from './types.js'

export const MAX_OWNER_LENGTH = 200
export const MAX_CHANGE_LENGTH = 2000

export const PLAN_STATUS_NAMES: Record<PlanStatus, string> = {
  planned: 'Planned', in_progress: 'In progress', done: 'Done', dropped: 'Dropped',
}

/** What a plan may be about: the item keys and the dimensions of the wave's instrument. */
export interface PlanTargets { itemKeys: readonly string[]; dimensions: readonly string[] }

export interface PlanFields { owner: string; change: string; dueOn: string | null; status: PlanStatus }
export interface PlanTarget { itemKey: string | null; dimension: string | null }

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '')
/** A form's empty field and an API's missing or null one are the same: not given. */
const given = (value: unknown) => value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '')

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

/** Whether a YYYY-MM-DD text names a day of the calendar (no 2026-02-30). */
export function isCalendarDay(value: string): boolean {
  const match = DAY.exec(value)
  if (!match) return false
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  return year >= 1900 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

function checkOwner(value: unknown, errors: FieldErrors): string {
  const owner = text(value)
  if (owner === '') errors.owner = 'Enter who owns this plan: a person or a team.'
  else if (owner.length > MAX_OWNER_LENGTH) errors.owner = `The owner must be at most ${MAX_OWNER_LENGTH} characters.`
  return owner
}

function checkChange(value: unknown, errors: FieldErrors): string {
  const change = text(value)
  if (change === '') errors.change = 'Say what will change.'
  else if (change.length > MAX_CHANGE_LENGTH) errors.change = `What will change must be at most ${MAX_CHANGE_LENGTH} characters.`
  return change
}

function checkDueOn(value: unknown, errors: FieldErrors): string | null {
  if (!given(value)) return null
  const day = text(value)
  if (!isCalendarDay(day)) errors.dueOn = 'Enter the due date as a real day, like 2027-03-31.'
  return day
}

function checkStatus(value: unknown, errors: FieldErrors, fallback: PlanStatus): PlanStatus {
  if (!given(value)) return fallback
  const status = PLAN_STATUSES.find((known) => known === value)
  if (!status) errors.status = `Choose a status: ${PLAN_STATUSES.join(', ')}.`
  return status ?? fallback
}

const result = <T>(errors: FieldErrors, value: T): Checked<T> =>
  Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value }

/** A new plan's fields and target; `errors` from other checks (its unit) are reported with these. */
export function checkNewPlan(input: Record<string, unknown>, targets: PlanTargets, errors: FieldErrors = {}): Checked<PlanFields & PlanTarget> {
  const fields = {
    owner: checkOwner(input.owner, errors),
    change: checkChange(input.change, errors),
    dueOn: checkDueOn(input.dueOn, errors),
    status: checkStatus(input.status, errors, 'planned'),
  }
  const item = given(input.itemKey) ? input.itemKey : null
  const dimension = given(input.dimension) ? input.dimension : null
  const target: PlanTarget = { itemKey: null, dimension: null }
  if (item !== null && dimension !== null) errors.itemKey = 'Choose an item or a dimension, not both.'
  else if (item !== null) {
    if (typeof item === 'string' && targets.itemKeys.includes(item)) target.itemKey = item
    else errors.itemKey = 'Choose an item of this wave\'s questionnaire.'
  } else if (dimension !== null) {
    if (typeof dimension === 'string' && targets.dimensions.includes(dimension)) target.dimension = dimension
    else errors.dimension = 'Choose a dimension of this wave\'s questionnaire.'
  } else errors.itemKey = 'Choose the item (or dimension) this plan is about.'
  return result(errors, { ...fields, ...target })
}

/** The fields a change gives (missing ones stay as they are; a given empty due date clears it). */
export function checkPlanChanges(input: Record<string, unknown>): Checked<Partial<PlanFields>> {
  const errors: FieldErrors = {}
  const changes: Partial<PlanFields> = {}
  if (input.owner !== undefined) changes.owner = checkOwner(input.owner, errors)
  if (input.change !== undefined) changes.change = checkChange(input.change, errors)
  if (input.dueOn !== undefined) changes.dueOn = checkDueOn(input.dueOn, errors)
  if (input.status !== undefined) {
    if (!given(input.status)) errors.status = `Choose a status: ${PLAN_STATUSES.join(', ')}.`
    else changes.status = checkStatus(input.status, errors, 'planned')
  }
  return result(errors, changes)
}
