// What an invitation form and a join form may hold: the checks of a colleague's invitation (email,
// name, role, and for a unit manager their units) and of the password a colleague chooses.
import type { Role } from './types.js'
import { isEmail, normalizeEmail, type Checked, type FieldErrors } from './inputs.js'
import { isUuid } from './formats.js'
import { passwordProblem } from './password-rules.js'
import { isRole } from './roles.js'

/** How long an invitation link works. */
export const INVITATION_DAYS = 7

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '')

/** A role in words, for the mail and the join page ("an analyst"). */
export function roleInWords(role: Role): string {
  return { owner: 'an owner', admin: 'an admin', analyst: 'an analyst', viewer: 'a viewer', unit_manager: 'a unit manager' }[role]
}

/** What each role may do, in a sentence (the people page and the join page). */
export function roleDoes(role: Role): string {
  return {
    owner: 'runs everything, including people, the audit log and deleting data',
    admin: 'runs waves, contacts, settings and people',
    analyst: 'reads and exports every report',
    viewer: 'reads every report',
    unit_manager: 'reads the reports of their own units only',
  }[role]
}

/** A form field that may arrive once, many times or not at all, as a list of strings. */
function many(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value]
  return list.filter((v): v is string => typeof v === 'string')
}

export interface InvitationInput { email: string; name: string; role: Role; unitIds: string[] }

/**
 * An invitation as the form sends it. `allowed` are the roles the inviter may give; `units` the
 * organization's unit ids, of which a unit manager needs at least one (ids of other units are refused).
 */
export function checkInvitation(input: Record<string, unknown>, allowed: readonly Role[], units: readonly string[]): Checked<InvitationInput> {
  const errors: FieldErrors = {}
  const email = normalizeEmail(text(input.email))
  if (email === '') errors.email = 'Enter the email address of your colleague.'
  else if (!isEmail(email)) errors.email = 'Enter an email address like name@example.com.'
  const name = text(input.name)
  if (name.length > 100) errors.name = 'A name must be at most 100 characters.'
  const role = input.role
  if (!isRole(role) || !allowed.includes(role)) errors.role = `Choose one of: ${allowed.join(', ')}.`
  const unitIds = checkUnitChoice(input.units, units, errors, role === 'unit_manager')
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: { email, name, role: role as Role, unitIds } }
}

/** The units ticked in a form: only ids of the organization's units, at least one when `required`. */
export function checkUnitChoice(value: unknown, units: readonly string[], errors: FieldErrors, required: boolean): string[] {
  const chosen = [...new Set(many(value))]
  if (chosen.some((id) => !isUuid(id) || !units.includes(id))) errors.units = 'Choose units from the list.'
  else if (required && chosen.length === 0) errors.units = 'Choose at least one unit: a unit manager sees the reports of their units only.'
  return required ? chosen : []
}

/** A colleague's own name and password on the join page. */
export function checkJoin(input: Record<string, unknown>, context: { email: string; organization: string }): Checked<{ name: string; password: string }> {
  const errors: FieldErrors = {}
  const name = text(input.name)
  if (name.length > 100) errors.name = 'Your name must be at most 100 characters.'
  const problem = passwordProblem(input.password, { email: context.email, name, organization: context.organization })
  if (problem) errors.password = problem
  else if (input.password !== input.confirm) errors.confirm = 'The two passwords do not match.'
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: { name, password: input.password as string } }
}
