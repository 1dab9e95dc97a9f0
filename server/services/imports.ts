// Importing responses into a wave, shared by the JSON API and the CSV upload: look up what the rows
// may refer to, check every row, and store all of them or none.
import { sql } from 'kysely'
import { notFound } from '../http-error.js'
import { isForeignKeyViolation, type Db } from '../../db/connect.js'
import { checkImport, type ImportContext, type RowProblem } from '../domain/responses.js'
import { LocalCache } from '../local-cache.js'
import { frozenInstrument } from '../repositories/instruments.js'
import { importResponses } from '../repositories/responses.js'
import type { Channel } from '../domain/types.js'
import { unitIndex } from '../domain/units.js'

/** What rows sent to this wave may refer to; a 404 when the wave is not the organization's. */
export async function importContext(db: Db, organizationId: string, waveId: string): Promise<ImportContext & { locale: string }> {
  // One query for the wave and the organization's units; the items come from the frozen instrument.
  const wave = await db.selectFrom('waves').select(['locales', 'instrument_id'])
    .select(sql<Array<{ id: string; name: string }>>`(select coalesce(json_agg(json_build_object('id', units.id, 'name', units.name)), '[]')
      from units where units.organization_id = waves.organization_id)`.as('units'))
    .where('id', '=', waveId).where('organization_id', '=', organizationId).executeTakeFirst()
  if (!wave) throw notFound('This wave')
  const items = (await frozenInstrument(db, wave.instrument_id)).items.map(({ key, scale }) => ({ key, scale }))
  return { items, unitLookup: unitIndex(wave.units), locale: wave.locales[0] ?? 'en' }
}

type Context = Awaited<ReturnType<typeof importContext>>

/** How long a context, once read, may check rows on its own (see importIntoWave). */
const RECENT_CONTEXT_MS = 10_000
const recentContexts = new LocalCache<string, Context>({ ttlMs: RECENT_CONTEXT_MS })

export async function importIntoWave(
  db: Db,
  target: { organizationId: string; waveId: string; channel: Channel },
  rows: readonly unknown[],
): Promise<{ ok: true; ids: string[] } | { ok: false; problems: RowProblem[] }> {
  const store = async (context: Context, checked: Extract<ReturnType<typeof checkImport>, { ok: true }>) =>
    ({ ok: true as const, ids: await importResponses(db, { ...target, locale: context.locale }, checked.value) })
  // An integration sending rows one at a time: its rows are checked against the context read a moment
  // ago. The database has the last word (a wave or unit deleted since then fails its foreign key), and
  // a row refused or failing against that copy is checked again against a fresh one, so a copy out of
  // date can delay nothing but never store or refuse wrongly. Not inside a transaction, which a failed
  // statement would spoil for the second try.
  const key = `${target.organizationId}/${target.waveId}`
  const recent = db.isTransaction ? undefined : recentContexts.get(key)
  if (recent) {
    const checked = checkImport(rows, recent)
    if (checked.ok) {
      try {
        return await store(recent, checked)
      } catch (error) {
        if (!isForeignKeyViolation(error)) throw error
      }
    }
  }
  recentContexts.delete(key)
  const context = await importContext(db, target.organizationId, target.waveId)
  if (!db.isTransaction) recentContexts.set(key, context)
  const checked = checkImport(rows, context)
  if (!checked.ok) return checked
  return store(context, checked)
}
