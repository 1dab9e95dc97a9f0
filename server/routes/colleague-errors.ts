// The refusals of a change to a colleague, in the same words on the people page and in the API.
import { HttpError } from '../http-error.js'

export const ownerOnly = () => new HttpError(403, 'forbidden', 'Only an owner can change or remove an owner.')

// Checked by the service in the same transaction as the change (two owners demoting each other at once).
export const lastOwner = () => new HttpError(409, 'last_owner', 'An organization needs at least one owner. Make someone else an owner first.')

export const notUnitManager = () => new HttpError(409, 'not_unit_manager', 'Only a unit manager has units. Give them the unit manager role first.')
