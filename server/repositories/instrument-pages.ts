// Stop-gap queries for the instrument builder's pages until services/instruments.ts (instruments-core)
// lands: how many waves use each instrument version, and changing or deleting an unused own version.
// Replace the callers in services/instrument-pages.ts with the real service and delete this file.
import type { Db } from '../../db/connect.js'
import type { InstrumentDefinition } from '../domain/instrument.js'
import { atomically } from './atomically.js'

/** Waves per instrument id, for the versions an organization's waves use. */
export async function wavesPerInstrument(db: Db, organizationId: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom('waves').select(['instrument_id', (eb) => eb.fn.countAll<string>().as('waves')])
    .where('organization_id', '=', organizationId).groupBy('instrument_id').execute()
  return new Map(rows.map((row) => [row.instrument_id, Number(row.waves)]))
}

/** Rewrites an own, unused version in place: same id, same version number. */
export async function replaceUnusedInstrument(db: Db, organizationId: string, id: string, def: InstrumentDefinition): Promise<void> {
  await atomically(db, async (trx) => {
    await trx.updateTable('instruments').set({
      name: def.name, locales: def.locales,
      staff_question: JSON.stringify(def.staffQuestion), customer_question: JSON.stringify(def.customerQuestion),
    }).where('id', '=', id).where('organization_id', '=', organizationId).execute()
    await trx.deleteFrom('items').where('instrument_id', '=', id).execute()
    await trx.insertInto('items').values(def.items.map((item, position) => ({
      instrument_id: id, position, key: item.key, dimension: item.dimension, scale: item.scale, headline: item.headline, required: item.required,
      staff_text: JSON.stringify(item.staffText), customer_text: JSON.stringify(item.customerText),
      staff_predict_text: item.staffPredictText ? JSON.stringify(item.staffPredictText) : null,
    }))).execute()
  })
}

/** Deletes an own version no wave uses. */
export async function deleteUnusedInstrument(db: Db, organizationId: string, id: string): Promise<void> {
  await atomically(db, async (trx) => {
    await trx.deleteFrom('items').where('instrument_id', '=', id).execute()
    await trx.deleteFrom('instruments').where('id', '=', id).where('organization_id', '=', organizationId).execute()
  })
}
