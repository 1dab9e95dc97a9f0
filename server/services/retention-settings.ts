// An owner's retention rules (how long contacts and comments are kept), read and changed: the
// /settings/retention page and the API both go through here. A change is audited.
import type { Db } from '../../db/connect.js'
import { checkMonths } from '../domain/data-rights.js'
import type { Checked, FieldErrors } from '../domain/inputs.js'
import { retentionSettings, saveRetentionSettings, type RetentionSettings } from '../repositories/retention.js'
import { audit, type Caller } from './audit.js'

export type { RetentionSettings } from '../repositories/retention.js'

type Owner = Caller & { principal: NonNullable<Caller['principal']> }

/**
 * Sets the rules given (a number of months, or null / '' for "keep them"); a rule left undefined
 * stays as it is. Field errors, and nothing saved, when a value is not a number of months.
 */
export async function changeRetention(db: Db, caller: Owner, input: { contactMonths?: unknown; commentMonths?: unknown }): Promise<Checked<RetentionSettings>> {
  const current = await retentionSettings(db, caller.principal.organizationId)
  const errors: FieldErrors = {}
  const next = { ...current }
  for (const field of ['contactMonths', 'commentMonths'] as const) {
    if (input[field] === undefined) continue
    const checked = checkMonths(input[field])
    if ('problem' in checked) errors[field] = checked.problem
    else next[field] = checked.months
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  await saveRetentionSettings(db, caller.principal.organizationId, next)
  await audit(db, caller, 'settings_changed', { target: 'retention', detail: next })
  return { ok: true, value: next }
}
