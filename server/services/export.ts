// The responses of a wave as CSV, one row per response and one column per item (and per prediction,
// for a wave whose staff predict customers' answers). Staff rows carry
// nothing that could single a person out: no id, no attributes, and their unit, day, language and
// channel only as far as generalizeStaff (domain/export-anonymity.ts) lets them stay k-anonymous, and
// their unit only where the wave's release shows it; the last column, anonymity, says how. An answer
// cell of a staff row is left empty where the release hides, for that item or prediction, the figure
// of the group the row is exported under (staffAnswerRule), so that counting cells never gives a
// figure the report hides. The route sends what this returns.
import { Readable } from 'node:stream'
import type { Db } from '../../db/connect.js'
import { csvLine } from '../domain/csv.js'
import {
  exportedStaffCells, generalizationNote, generalizeStaff, staffAnswerRule, type MeasureStatus, type StaffGroup, type StaffQuasiIdentifiers,
} from '../domain/export-anonymity.js'
import { customerAttributeNames, responsePage, staffRowKeys } from '../repositories/export.js'
import { releaseVersion } from '../repositories/respondents.js'
import { predictionKey } from '../domain/predictions.js'
import { waveItems, type WaveItem } from '../repositories/instruments.js'
import { waveRelease, type WaveRelease } from './release.js'

const PAGE_SIZE = 2000

/**
 * The answer columns: every item, then the staff's predictions (`predict:<key>`) of the items the wave
 * predicts. A prediction is a staff answer like the others, so it follows the staff rows' rules; on a
 * customer row it is empty.
 */
const answerColumns = (items: readonly WaveItem[]) => [...items.map((item) => item.key), ...items.filter((item) => item.predicted).map((item) => predictionKey(item.key))]

export async function* responsesCsv(db: Db, organizationId: string, waveId: string, minGroupSize: number): AsyncGenerator<string> {
  const [keys, attributeNames, { staffRows, release }] = await Promise.all([
    waveItems(db, waveId).then(answerColumns), customerAttributeNames(db, organizationId, waveId), staffWithRelease(db, organizationId, waveId, minGroupSize),
  ])
  // A unit the release hides is not named here either, or its rows would rebuild its figures.
  const named = (unitId: string | null) => (unitId !== null && release.sides.staff.shown({ unit: unitId, attribute: null }) ? unitId : null)
  const merged = new Map<string, StaffGroup>()
  for (const row of staffRows) {
    // The release step is counted with the rest (never printed): each step is k-anonymous on its own.
    const key = JSON.stringify([row.step, groupKey({ ...row, unitId: named(row.unitId) })])
    const before = merged.get(key)
    merged.set(key, before ? { ...before, n: before.n + 1 } : { unitId: named(row.unitId), day: row.day, language: row.language, channel: row.channel, step: row.step, n: 1 })
  }
  const groups = [...merged.values()]
  const generalization = generalizeStaff(groups, minGroupSize)
  const rule = staffAnswerRule(staffStatus(release), generalization.unitsShown, keys)
  const exported = generalization.exported && rule.rowsExported
  const note = generalization.exported && !rule.rowsExported ? 'staff rows not exported: the report hides the whole staff side' : generalizationNote(generalization)
  // Only the staff rows counted are written: one released after the counts were taken belongs to a
  // release the generalization and the answer rule did not see (it is in the next export).
  const counted = new Set(exported ? staffRows.map((row) => row.id) : [])

  const header = ['response', 'side', 'unit', 'submitted', 'language', 'channel', ...keys, 'comment', ...attributeNames.map((name) => `customer.${name}`), 'anonymity']
  // The first page is read before the first line is given: a file of one page (most waves) is read
  // whole before anything is sent (responsesCsvDownload).
  let rows = await responsePage(db, organizationId, waveId, null, PAGE_SIZE)
  yield csvLine(header)
  if (!exported) yield csvLine([...header.slice(0, -1).map(() => ''), note])
  for (;;) {
    for (const row of rows) {
      const answers = keys.map((key) => (key in row.answers ? (row.answers[key] ?? 'na') : ''))
      // Customers answer under their name (a personal invitation knows them), so their rows are the
      // organization's own records and stay whole; only the report's aggregates are suppressed for them.
      if (row.side === 'customer') {
        yield csvLine([row.id, row.side, row.unitName, row.submittedAt.toISOString(), row.locale, row.channel, ...answers, row.comment,
          ...attributeNames.map((name) => (Object.hasOwn(row.attributes, name) ? row.attributes[name] : '')), ''])
        continue
      }
      if (!counted.has(row.id)) continue
      const identifiers: StaffQuasiIdentifiers = { unitId: named(row.unitId), day: row.day, language: row.locale, channel: row.channel }
      const cells = exportedStaffCells(generalization, identifiers)
      const under = cells.unitShown ? row.unitId : null
      const shown = keys.map((key, i) => (rule.shows(under, key) ? answers[i] : ''))
      yield csvLine(['', row.side, cells.unitShown ? row.unitName : '', cells.submitted, cells.language, cells.channel, ...shown, row.comment,
        ...attributeNames.map(() => ''), note])
    }
    if (rows.length < PAGE_SIZE) break
    rows = await responsePage(db, organizationId, waveId, rows.at(-1)!.id, PAGE_SIZE)
  }
}

/**
 * The staff rows and the release they belong to, read between two looks at the staff side's release
 * version (step, respondents, revision): when a release step (or a deletion) came in between, both
 * are read again, so that the rows counted are exactly the release's and the cells it lets through
 * are counts it shows.
 */
async function staffWithRelease(db: Db, organizationId: string, waveId: string, minGroupSize: number) {
  const version = async () => JSON.stringify(await releaseVersion(db, organizationId, waveId, 'staff'))
  for (let attempt = 0; ; attempt++) {
    const before = await version()
    const [staffRows, release] = await Promise.all([staffRowKeys(db, organizationId, waveId), waveRelease(db, organizationId, waveId, minGroupSize)])
    if ((await version()) === before) return { staffRows, release }
    // Steps are minutes apart: a few tries always find a quiet moment.
    if (attempt >= 9) throw new Error('the staff release kept changing while the export was read')
  }
}

/** The staff release per unit (null: the whole side) and measure, as staffAnswerRule reads it. */
function staffStatus(release: WaveRelease) {
  return (unitId: string | null, measure: string): MeasureStatus => {
    const index = release.measures.get(measure)
    if (index === undefined) return 'hidden'
    const status = release.sides.staff.status({ unit: unitId, attribute: null }, index)
    return status.shown ? 'shown' : status.reason === 'no_answers' ? 'empty' : 'hidden'
  }
}

function groupKey(row: StaffQuasiIdentifiers): string {
  return JSON.stringify([row.unitId, row.day, row.language, row.channel])
}

/** A file to download: the headers to send it with and its contents as a stream. */
export interface Download {
  filename: string
  headers: Record<string, string>
  body: Readable
}

/**
 * A wave's responses as a CSV download (UTF-8 with a byte order mark, for spreadsheets). The reads
 * that decide the file (its columns, the staff release, the first page of rows) are done before it is
 * returned, so that a database failing there is answered as an error (a 503) rather than as a file cut
 * short under a 200; a failure on a later page can only end the transfer unfinished.
 */
export async function responsesCsvDownload(db: Db, organization: { id: string; minGroupSize: number }, wave: { id: string; name: string }): Promise<Download> {
  const lines = responsesCsv(db, organization.id, wave.id, organization.minGroupSize)
  const first = await lines.next()
  async function* withBom() {
    yield '\ufeff'
    if (!first.done) yield first.value
    yield* lines
  }
  const filename = `service-gap-${wave.name.replace(/[^A-Za-z0-9_-]+/g, '-')}-responses.csv`
  return {
    filename,
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${filename}"`, 'cache-control': 'no-store' },
    body: Readable.from(withBom()),
  }
}
