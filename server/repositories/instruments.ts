// Instruments (the API and the pages call them templates) and their items: the built-in ones every
// organization sees, and an organization's own.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import { BUILT_IN_INSTRUMENTS } from '../domain/built-in-instruments.js'
import { instrumentProblems, type InstrumentDefinition, type ItemDefinition } from '../domain/instrument.js'
import { LocalCache } from '../local-cache.js'
import { atomically } from './atomically.js'
import { inPage, pageFrom, type Page, type PageRequest } from './keyset.js'
import type { Keyset } from '../domain/cursor.js'
import type { LocalizedText, Scale } from '../domain/types.js'
import { isPredicted } from '../domain/predictions.js'

export interface InstrumentRow {
  id: string
  organizationId: string | null
  createdAt: Date
  definition: InstrumentDefinition
}

/** The instrument row of a definition. */
export const instrumentRow = (organizationId: string | null, def: InstrumentDefinition) => ({
  organization_id: organizationId,
  key: def.key,
  version: def.version,
  name: def.name,
  locales: def.locales,
  staff_question: JSON.stringify(def.staffQuestion),
  customer_question: JSON.stringify(def.customerQuestion),
})

/** The item rows of a definition, in its order. */
export const itemRows = (instrumentId: string, def: InstrumentDefinition) => def.items.map((item, position) => ({
  instrument_id: instrumentId,
  position,
  key: item.key,
  dimension: item.dimension,
  scale: item.scale,
  headline: item.headline,
  required: item.required,
  staff_text: JSON.stringify(item.staffText),
  customer_text: JSON.stringify(item.customerText),
  staff_predict_text: item.staffPredictText ? JSON.stringify(item.staffPredictText) : null,
}))

/** Stores an instrument definition with its items, in one transaction (the caller's, when it passes one). */
export async function createInstrument(db: Db, organizationId: string | null, def: InstrumentDefinition): Promise<string> {
  const problems = instrumentProblems(def)
  if (problems.length > 0) throw new Error(`invalid instrument ${def.key}: ${problems.join('; ')}`)
  return atomically(db, async (trx) => {
    const { id } = await trx.insertInto('instruments').values(instrumentRow(organizationId, def)).returning('id').executeTakeFirstOrThrow()
    await trx.insertInto('items').values(itemRows(id, def)).execute()
    return id
  })
}

/** Adds any built-in instrument version that is not in the database yet. Safe to run at every start. */
export async function installBuiltInInstruments(db: Db): Promise<void> {
  for (const def of BUILT_IN_INSTRUMENTS) {
    const existing = await db.selectFrom('instruments').select('id')
      .where('organization_id', 'is', null).where('key', '=', def.key).where('version', '=', def.version)
      .executeTakeFirst()
    if (!existing) await createInstrument(db, null, def)
  }
}

type InstrumentSelect = Awaited<ReturnType<typeof instrumentRows>>[number]
const instrumentRows = (db: Db, organizationId: string) => db.selectFrom('instruments').selectAll()
  .where((eb) => eb.or([eb('organization_id', 'is', null), eb('organization_id', '=', organizationId)]))
  .orderBy(sql`organization_id is null`, 'desc').orderBy('key').orderBy('version', 'desc')
  .execute()

/** The rows with their items, as definitions. */
async function withItems(db: Db, rows: InstrumentSelect[]): Promise<InstrumentRow[]> {
  if (rows.length === 0) return []
  const items = await db.selectFrom('items').selectAll()
    .where('instrument_id', 'in', rows.map((r) => r.id)).orderBy('instrument_id').orderBy('position').execute()
  return rows.map((row) => ({
    id: row.id,
    organizationId: row.organization_id,
    createdAt: row.created_at,
    definition: {
      key: row.key,
      version: row.version,
      name: row.name,
      locales: row.locales,
      staffQuestion: row.staff_question,
      customerQuestion: row.customer_question,
      items: items.filter((item) => item.instrument_id === row.id).map((item) => ({
        key: item.key,
        dimension: item.dimension,
        scale: item.scale,
        headline: item.headline,
        required: item.required,
        staffText: item.staff_text,
        customerText: item.customer_text,
        staffPredictText: item.staff_predict_text,
      })),
    },
  }))
}

/** Every instrument an organization can use: the built-in ones and its own, newest version first. */
export async function listInstruments(db: Db, organizationId: string): Promise<InstrumentRow[]> {
  return withItems(db, await instrumentRows(db, organizationId))
}

/**
 * The API's pages of instruments (listed as instruments or as templates): in listInstruments' order,
 * as one direction: built-in first (0, then 1), by key, newest version first (the version negated),
 * the id last.
 */
export const instrumentList = (list: 'instruments' | 'templates'): Keyset => ({ list, parts: ['integer', 'text', 'integer', 'uuid'] })

export async function listInstrumentPage(db: Db, organizationId: string, page: PageRequest): Promise<Page<InstrumentRow>> {
  const own = sql<number>`(case when organization_id is null then 0 else 1 end)`
  const newest = sql<number>`(- version)`
  const query = db.selectFrom('instruments').selectAll().select([own.as('key_own'), newest.as('key_newest')])
    .where((eb) => eb.or([eb('organization_id', 'is', null), eb('organization_id', '=', organizationId)]))
  const rows = await inPage(query, page, [own, sql.ref('key'), newest, sql.ref('id')], 'asc').execute()
  const shown = pageFrom(page, rows, (row) => [row.key_own, row.key, row.key_newest, row.id], (row) => row)
  // The items of the rows shown only.
  return { rows: await withItems(db, shown.rows), nextCursor: shown.nextCursor }
}

/** The newest version of an instrument key that the organization can use. */
export async function findLatestInstrument(db: Db, organizationId: string, key: string): Promise<InstrumentRow | undefined> {
  const all = await listInstruments(db, organizationId)
  return all.find((row) => row.definition.key === key)
}

export interface FrozenInstrument {
  staffQuestion: LocalizedText
  customerQuestion: LocalizedText
  /** In position order. */
  items: Array<{ key: string; scale: Scale; headline: boolean; required: boolean; staffText: LocalizedText; customerText: LocalizedText }>
}

/**
 * Questions and items per instrument id, kept in memory. Only for an instrument a wave uses: from then on
 * a trigger forbids any change to it or its items, so what is kept here never goes stale.
 */
const frozen = new LocalCache<string, FrozenInstrument>()

export function frozenInstrument(db: Db, instrumentId: string): Promise<FrozenInstrument> {
  return frozen.getOrLoad(instrumentId, async () => {
    const [questions, items] = await Promise.all([
      db.selectFrom('instruments').select(['staff_question', 'customer_question']).where('id', '=', instrumentId).executeTakeFirstOrThrow(),
      db.selectFrom('items').select(['key', 'scale', 'headline', 'required', 'staff_text', 'customer_text'])
        .where('instrument_id', '=', instrumentId).orderBy('position').execute(),
    ])
    return {
      staffQuestion: questions.staff_question,
      customerQuestion: questions.customer_question,
      items: items.map((item) => ({ key: item.key, scale: item.scale, headline: item.headline, required: item.required, staffText: item.staff_text, customerText: item.customer_text })),
    }
  })
}

export type WaveItem = Omit<ItemDefinition, 'staffPredictText'> & {
  /** Whether the wave's staff predict customers' answers to it (the wave's prediction questions). */
  predicted: boolean
}

/**
 * The items of the instrument a wave runs, in position order, each marked with whether the wave's
 * staff predict it: what every measure of the wave is counted by (domain/measures.ts), whether it
 * counts (repositories/rollups.ts measureItems) or reads (services/release.ts).
 */
export async function waveItems(db: Db, waveId: string): Promise<WaveItem[]> {
  const rows = await db.selectFrom('items').innerJoin('waves', 'waves.instrument_id', 'items.instrument_id')
    .select(['items.key', 'items.dimension', 'items.scale', 'items.headline', 'items.required', 'items.staff_text', 'items.customer_text', 'waves.predictions'])
    .where('waves.id', '=', waveId).orderBy('items.position').execute()
  return rows.map((row) => ({
    key: row.key, dimension: row.dimension, scale: row.scale, headline: row.headline, required: row.required, staffText: row.staff_text, customerText: row.customer_text,
    predicted: isPredicted(row.predictions, row),
  }))
}
