// The responses of a wave as CSV, one row per response and one column per item. Staff rows carry
// nothing that could single a person out: no id, no attributes, the day only, and no unit when the
// unit has fewer staff respondents than the minimum group size.
import { Readable } from 'node:stream'
import type { FastifyReply } from 'fastify'
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import { tooSmall } from '../domain/anonymity.js'
import { csvLine } from '../domain/csv.js'

export async function* responsesCsv(db: Db, organizationId: string, waveId: string, minGroupSize: number): AsyncGenerator<string> {
  const items = await db.selectFrom('items').innerJoin('waves', 'waves.instrument_id', 'items.instrument_id')
    .select('items.key').where('waves.id', '=', waveId).orderBy('items.position').execute()
  const keys = items.map((item) => item.key)
  const staffPerUnit = await db.selectFrom('responses').select(['unit_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('wave_id', '=', waveId).where('side', '=', 'staff').groupBy('unit_id').execute()
  const staffUnitShown = new Set(staffPerUnit.filter((row) => row.unit_id !== null && !tooSmall(Number(row.n), minGroupSize)).map((row) => row.unit_id))
  // Rows whose unit is left out must themselves be a group large enough to hide in: while they are
  // too few, the smallest unit still shown is left out too (complementary suppression).
  let unitless = staffPerUnit.filter((row) => !staffUnitShown.has(row.unit_id)).reduce((sum, row) => sum + Number(row.n), 0)
  const shownBySize = staffPerUnit.filter((row) => staffUnitShown.has(row.unit_id)).sort((a, b) => Number(a.n) - Number(b.n))
  while (unitless > 0 && tooSmall(unitless, minGroupSize) && shownBySize.length > 0) {
    const next = shownBySize.shift()!
    staffUnitShown.delete(next.unit_id)
    unitless += Number(next.n)
  }
  const attributeNames = (await db.selectFrom('responses')
    .select(sql<string>`distinct jsonb_object_keys(attributes)`.as('name'))
    .where('wave_id', '=', waveId).where('side', '=', 'customer').execute()).map((row) => row.name).sort()

  yield csvLine(['response', 'side', 'unit', 'submitted', 'language', 'channel', ...keys, 'comment', ...attributeNames.map((name) => `customer.${name}`)])
  const pageSize = 2000
  let after = ''
  for (;;) {
    const rows = await db.selectFrom('responses').leftJoin('units', 'units.id', 'responses.unit_id')
      .select(['responses.id', 'responses.side', 'responses.unit_id', 'units.name as unit_name', 'responses.submitted_at', 'responses.locale',
        'responses.channel', 'responses.comment', 'responses.attributes',
        (eb) => eb.selectFrom('answers').whereRef('answers.response_id', '=', 'responses.id')
          .select(sql<Record<string, number | null>>`jsonb_object_agg(item_key, value)`.as('a')).as('answers')])
      .where('responses.organization_id', '=', organizationId).where('responses.wave_id', '=', waveId)
      .where('responses.id', '>', after || '00000000-0000-0000-0000-000000000000')
      .orderBy('responses.id').limit(pageSize).execute()
    for (const row of rows) {
      const staff = row.side === 'staff'
      const answers = row.answers ?? {}
      yield csvLine([
        staff ? '' : row.id,
        row.side,
        staff && !staffUnitShown.has(row.unit_id) ? '' : row.unit_name,
        staff ? row.submitted_at.toISOString().slice(0, 10) : row.submitted_at.toISOString(),
        row.locale,
        row.channel,
        ...keys.map((key) => (key in answers ? (answers[key] ?? 'na') : '')),
        row.comment,
        ...attributeNames.map((name) => (staff ? '' : row.attributes[name] ?? '')),
      ])
    }
    if (rows.length < pageSize) break
    after = rows.at(-1)!.id
  }
}

/** Sends a wave's responses as a CSV download (UTF-8 with a byte order mark, for spreadsheets). */
export function sendResponsesCsv(reply: FastifyReply, db: Db, organization: { id: string; min_group_size: number }, wave: { id: string; name: string }) {
  async function* withBom() {
    yield '\ufeff'
    yield* responsesCsv(db, organization.id, wave.id, organization.min_group_size)
  }
  const filename = `service-gap-${wave.name.replace(/[^A-Za-z0-9_-]+/g, '-')}-responses.csv`
  return reply.type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(withBom()))
}
