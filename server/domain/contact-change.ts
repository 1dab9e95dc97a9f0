// A change to one stored contact (PATCH /api/v1/contacts/:id): each field is checked by the same rule
// the import checks it with (contacts.ts), and each problem is named under its field. The email and
// the side are who the contact is (the import finds a contact by them), so they are never changed.
import { checkAttributes, checkLocale, checkName, checkUnit, type FieldCheck } from './contacts.js'
import type { FieldErrors } from './inputs.js'
import { MAX_ATTRIBUTES } from './responses.js'
import type { UnitIndex } from './units.js'

export interface ContactChange {
  name?: string
  unitId?: string | null
  locale?: string | null
  /** The contact's attributes after the change, whole. */
  attributes?: Record<string, string>
  /** Only ever true: see checkContactChange. */
  unsubscribed?: true
}

const IDENTITY = ['email', 'side'] as const

export type CheckedChange = { ok: true; value: ContactChange } | { ok: false; errors: FieldErrors }

/**
 * Reads a change against the contact as stored. Attributes are merged into the stored ones: a name
 * given a value sets it, a name given null (or empty text) removes it, names not given stay.
 * Unsubscribing is the person's own choice, made from the link in every invitation: a contact can be
 * unsubscribed here, but one who is unsubscribed is not subscribed again by anyone else.
 */
export function checkContactChange(
  input: Record<string, unknown>,
  units: UnitIndex,
  stored: { attributes: Record<string, string>; unsubscribed: boolean },
): CheckedChange {
  const errors: FieldErrors = {}
  const value: ContactChange = {}
  const take = <T>(field: string, checked: FieldCheck<T>, keep: (v: T) => void) => {
    if (checked.ok) keep(checked.value)
    else errors[field] = checked.problems.join('; ')
  }
  for (const field of IDENTITY) {
    if (input[field] !== undefined) {
      errors[field] = `The ${field} is who the contact is and cannot be changed. To use another, import a contact with it (and delete this one if it should go).`
    }
  }
  if (input.name !== undefined) take('name', checkName(input.name), (name) => { value.name = name })
  if (input.unit !== undefined) take('unit', checkUnit(input.unit, units), (unitId) => { value.unitId = unitId })
  if (input.locale !== undefined) take('locale', checkLocale(input.locale), (locale) => { value.locale = locale })
  if (input.attributes !== undefined) {
    take('attributes', checkAttributes(input.attributes, null), ({ set, cleared }) => {
      const merged = new Map(input.attributes === null ? [] : Object.entries(stored.attributes))
      for (const name of cleared) merged.delete(name)
      for (const [name, text] of Object.entries(set)) merged.set(name, text)
      if (merged.size > MAX_ATTRIBUTES) errors.attributes = `would have ${merged.size} attributes; at most ${MAX_ATTRIBUTES} are allowed (remove some with null)`
      else value.attributes = Object.fromEntries(merged)
    })
  }
  if (input.unsubscribed === true) value.unsubscribed = true
  else if (input.unsubscribed === false && stored.unsubscribed) {
    errors.unsubscribed = 'This contact unsubscribed (or was deleted after unsubscribing and imported again). Only they can choose to get survey mail again; it cannot be undone here.'
  } else if (input.unsubscribed !== undefined && input.unsubscribed !== false) errors.unsubscribed = 'unsubscribed must be true or false'
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value }
}
