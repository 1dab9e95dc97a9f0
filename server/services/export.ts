// The responses of a wave as CSV, one row per response and one column per item. Staff rows carry
// nothing that could single a person out: no id, no attributes, the day only, and no unit unless
// staffUnitsShownInExport (domain/anonymity.ts) shows it. The route sends what this returns.
import { Readable } from 'node:stream'
import type { Db } from '../../db/connect.js'
import { staffUnitsShownInExport } from '../domain/anonymity.js'
import { csvLine } from '../domain/csv.js'
import { customerAttributeNames, responsePage, staffRespondentsPerUnit } from '../repositories/export.js'
import { waveItems } from '../repositories/instruments.js'

const PAGE_SIZE = 2000

export async function* responsesCsv(db: Db, organizationId: string, waveId: string, minGroupSize: number): AsyncGenerator<string> {
  const [keys, staffPerUnit, attributeNames] = await Promise.all([
    waveItems(db, waveId).then((items) => items.map((item) => item.key)), staffRespondentsPerUnit(db, waveId), customerAttributeNames(db, waveId),
  ])
  const staffUnitShown = staffUnitsShownInExport(staffPerUnit, minGroupSize)

  yield csvLine(['response', 'side', 'unit', 'submitted', 'language', 'channel', ...keys, 'comment', ...attributeNames.map((name) => `customer.${name}`)])
  let after: string | null = null
  for (;;) {
    const rows = await responsePage(db, organizationId, waveId, after, PAGE_SIZE)
    for (const row of rows) {
      const staff = row.side === 'staff'
      yield csvLine([
        staff ? '' : row.id,
        row.side,
        staff && (row.unitId === null || !staffUnitShown.has(row.unitId)) ? '' : row.unitName,
        staff ? row.submittedAt.toISOString().slice(0, 10) : row.submittedAt.toISOString(),
        row.locale,
        row.channel,
        ...keys.map((key) => (key in row.answers ? (row.answers[key] ?? 'na') : '')),
        row.comment,
        ...attributeNames.map((name) => (staff ? '' : row.attributes[name] ?? '')),
      ])
    }
    if (rows.length < PAGE_SIZE) break
    after = rows.at(-1)!.id
  }
}

/** A file to download: the headers to send it with and its contents as a stream. */
export interface Download {
  filename: string
  headers: Record<string, string>
  body: Readable
}

/** A wave's responses as a CSV download (UTF-8 with a byte order mark, for spreadsheets). */
export function responsesCsvDownload(db: Db, organization: { id: string; minGroupSize: number }, wave: { id: string; name: string }): Download {
  async function* withBom() {
    yield '\ufeff'
    yield* responsesCsv(db, organization.id, wave.id, organization.minGroupSize)
  }
  const filename = `service-gap-${wave.name.replace(/[^A-Za-z0-9_-]+/g, '-')}-responses.csv`
  return {
    filename,
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${filename}"`, 'cache-control': 'no-store' },
    body: Readable.from(withBom()),
  }
}
