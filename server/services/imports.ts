// Importing responses into a wave, shared by the JSON API and the CSV upload: look up what the rows
// may refer to, check every row, and store all of them or none. An uploaded file is read from the
// upload store (services/uploads.ts) for its preview, and again, checked afresh, for its import.
import { notFound } from '../http-error.js'
import { isForeignKeyViolation, type Db } from '../../db/connect.js'
import { checkCsvImport, decodeCsvFile, readCsvImport, toSpreadsheetProblems, type CheckedCsvRow, type CsvImport } from '../domain/csv-import.js'
import type { RowProblem } from '../domain/problems.js'
import { isPredicted } from '../domain/predictions.js'
import { checkImport, type ImportContext } from '../domain/responses.js'
import { LocalCache } from '../local-cache.js'
import { findImportTarget } from '../repositories/imports.js'
import { frozenInstrument } from '../repositories/instruments.js'
import { importResponses } from '../repositories/responses.js'
import { claimUpload, dropUploadBytes } from '../repositories/uploads.js'
import type { Channel } from '../domain/types.js'
import { unitIndex } from '../domain/units.js'
import { uploadBytes, type Upload } from './uploads.js'
import { advanceStaffAfterStore, type StepLog } from './release-steps.js'

/** What rows sent to this wave may refer to; a 404 when the wave is not the organization's. */
export async function importContext(db: Db, organizationId: string, waveId: string): Promise<ImportContext & { locale: string }> {
  // One query for the wave and the organization's units; the items come from the frozen instrument.
  const wave = await findImportTarget(db, organizationId, waveId)
  if (!wave) throw notFound('This wave')
  const items = (await frozenInstrument(db, wave.instrumentId)).items.map(({ key, scale, headline, required }) => ({ key, scale, required, predicted: isPredicted(wave.predictions, { headline }) }))
  return { items, units: unitIndex(wave.units), locale: wave.locales[0] ?? 'en' }
}

type Context = Awaited<ReturnType<typeof importContext>>
export type WaveImport = { ok: true; ids: string[] } | { ok: false; problems: RowProblem[] }

/** How long a context, once read, may check rows on its own (see importIntoWave). */
const RECENT_CONTEXT_MS = 10_000
const recentContexts = new LocalCache<string, Context>({ ttlMs: RECENT_CONTEXT_MS })

/** Where a release step that fails after an import is reported (the import itself stands). */
const quiet: StepLog = { error: () => {} }

/**
 * Checks and stores rows sent to a wave, all or none. Staff rows go to the pool; outside a caller's
 * transaction, a release step follows at once, so a batch large enough shows in the figures right
 * away (inside one, the caller takes the step after committing: see importResponseUpload).
 */
export async function importIntoWave(
  db: Db,
  target: { organizationId: string; waveId: string; channel: Channel },
  rows: readonly unknown[],
  log: StepLog = quiet,
): Promise<WaveImport> {
  const store = async (context: Context, checked: Extract<ReturnType<typeof checkImport>, { ok: true }>) => {
    const ids = await importResponses(db, { ...target, locale: context.locale }, checked.value)
    if (!db.isTransaction && checked.value.some((row) => row.side === 'staff')) await advanceStaffAfterStore(db, target.organizationId, target.waveId, log)
    return { ok: true as const, ids }
  }
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

/** A file's bytes read against the wave: the file as a whole, or the one reason it cannot be used. */
export function readResponseFile(bytes: Uint8Array, context: ImportContext): { ok: true; csv: CsvImport } | { ok: false; message: string } {
  const decoded = decodeCsvFile(bytes)
  if (!decoded.ok) return decoded
  const csv = readCsvImport(decoded.text, context.items)
  return csv.ok ? { ok: true, csv: csv.value } : csv
}

/**
 * A CSV file sent in one request (the API's text/csv body), imported at once, all rows or none, with
 * the same checks as an uploaded file's preview and confirmation; problems by spreadsheet line.
 */
export async function importResponseCsv(db: Db, target: { organizationId: string; waveId: string }, bytes: Uint8Array, log: StepLog = quiet): Promise<WaveImport> {
  const context = await importContext(db, target.organizationId, target.waveId)
  const read = readResponseFile(bytes, context)
  if (!read.ok) return { ok: false, problems: [{ row: 1, field: '', message: read.message }] }
  const checked = checkCsvImport(read.csv, context)
  if (checked.problems.length > 0) return { ok: false, problems: checked.problems }
  const stored = await importIntoWave(db, { ...target, channel: 'import' }, read.csv.rows.map((row) => row.input), log)
  return stored.ok ? stored : { ok: false, problems: toSpreadsheetProblems(stored.problems, read.csv.rows.map((row) => row.line)) }
}

export interface ResponsePreview {
  context: Context
  /** Null when the file cannot be used at all; its one problem is then in `problems`. */
  csv: CsvImport | null
  rows: CheckedCsvRow[]
  /** By spreadsheet line and column name. */
  problems: RowProblem[]
  /** The bytes went since the upload was found: it has been imported meanwhile. */
  gone: boolean
}

/** Everything the import of an upload would store, and every problem by line, read afresh. */
export async function previewResponseUpload(db: Db, organizationId: string, waveId: string, upload: Upload): Promise<ResponsePreview> {
  const [context, bytes] = await Promise.all([importContext(db, organizationId, waveId), uploadBytes(db, upload)])
  const gone = bytes.length === 0 && upload.bytes > 0
  const read = readResponseFile(bytes, context)
  if (!read.ok) return { context, csv: null, rows: [], problems: [{ row: 1, field: '', message: read.message }], gone }
  const checked = checkCsvImport(read.csv, context)
  return { context, csv: read.csv, ...checked, gone }
}

/**
 * Imports an upload, all rows or none, once: the upload is claimed, its rows stored and its bytes
 * dropped in one transaction, so of two confirmations at once (from any instance) only one gets past
 * the claim ('taken' for the other), and a failure leaves neither the claim nor any row.
 */
export async function importResponseUpload(db: Db, organizationId: string, waveId: string, upload: Upload, log: StepLog = quiet): Promise<
  { ok: true; ids: string[] } | { ok: false; preview: ResponsePreview } | 'taken'
> {
  // Checked again: units may have been renamed or deleted since the preview.
  const preview = await previewResponseUpload(db, organizationId, waveId, upload)
  if (preview.gone) return 'taken'
  if (!preview.csv || preview.problems.length > 0) return { ok: false, preview }
  const csv = preview.csv
  class NothingStored extends Error {
    constructor(readonly problems: RowProblem[]) { super('import refused') }
  }
  try {
    const result = await db.transaction().execute(async (trx) => {
      if (!(await claimUpload(trx, organizationId, upload.id))) return 'taken' as const
      const stored = await importIntoWave(trx, { organizationId, waveId, channel: 'import' }, csv.rows.map((row) => row.input))
      if (!stored.ok) throw new NothingStored(stored.problems)
      await dropUploadBytes(trx, organizationId, upload.id)
      return stored
    })
    if (result !== 'taken') await advanceStaffAfterStore(db, organizationId, waveId, log)
    return result
  } catch (error) {
    if (!(error instanceof NothingStored)) throw error
    const problems = toSpreadsheetProblems(error.problems, csv.rows.map((row) => row.line))
    return { ok: false, preview: { ...preview, problems } }
  }
}
