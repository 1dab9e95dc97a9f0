// Importing contacts: a CSV stream (a request body or an uploaded file) or a JSON array, checked row
// by row and stored in batches as it goes. A CSV file is never held whole: memory is bounded by one
// batch, the first 1,000 problems and one entry per contact for spotting duplicates.
// An uploaded file is previewed and imported from the upload store (services/uploads.ts).
import type { Readable } from 'node:stream'
import { setImmediate } from 'node:timers/promises'
import type { Db } from '../../db/connect.js'
import { checkContact, DuplicateCheck, type CheckedContact, type ContactRow } from '../domain/contacts.js'
import type { RowProblem } from '../domain/problems.js'
import { unitIndex, type UnitIndex } from '../domain/units.js'
import { upsertContacts } from '../repositories/contacts.js'
import { claimUpload, dropUploadBytes, releaseUpload } from '../repositories/uploads.js'
import { listUnits } from '../repositories/units.js'
import { MAX_CSV_BYTES, readContactsCsv, type CsvRead } from './contact-csv.js'
import { uploadStream, type Upload } from './uploads.js'

/** Rows per statement and transaction. Per-row work dominates: larger batches measured no faster. */
const BATCH_SIZE = 1000
const MAX_PROBLEMS = 1000
export const MAX_JSON_CONTACTS = 100_000

export interface ImportResult {
  /** Rows that passed their checks (and were stored, unless this was a dry run). */
  accepted: number
  created: number
  updated: number
  /**
   * The first MAX_PROBLEMS problems, in file order. CSV: by the line in the spreadsheet (the header is
   * line 1). JSON: by the position in the array, from 1.
   */
  problems: RowProblem[]
  /** All rows with problems, including those not listed. */
  problemCount: number
}

/**
 * Collects checked rows: duplicates become problems, good rows are stored a batch at a time. One batch
 * is stored while the next is being read and checked, so the database and the parsing overlap; at
 * most two batches are held.
 */
class ContactSink {
  readonly result: ImportResult = { accepted: 0, created: 0, updated: 0, problems: [], problemCount: 0 }
  private readonly duplicates = new DuplicateCheck()
  private batch: ContactRow[] = []
  private storing: Promise<void> = Promise.resolve()
  private failure: { error: unknown } | null = null

  /** `store` null is a dry run: everything is checked, nothing is written. */
  constructor(private readonly store: ((rows: ContactRow[]) => Promise<{ created: number; updated: number }>) | null) {}

  /** Takes a checked row; returns what is wrong with it, or null when it is (to be) stored. */
  async add(row: number, checked: CheckedContact): Promise<string | null> {
    if (!checked.ok) return this.reject(row, checked.message)
    const first = this.duplicates.firstRow(checked.value, row)
    if (first !== null) return this.reject(row, `duplicate of row ${first} (same email and side)`)
    this.result.accepted++
    this.batch.push(checked.value)
    if (this.batch.length >= BATCH_SIZE) await this.send()
    return null
  }

  reject(row: number, message: string): string {
    this.result.problemCount++
    if (this.result.problems.length < MAX_PROBLEMS) this.result.problems.push({ row, field: '', message })
    return message
  }

  /** Waits for the batch being stored, then starts storing this one. */
  private async send(): Promise<void> {
    const batch = this.batch
    this.batch = []
    await this.storing
    if (this.failure) throw this.failure.error
    // The embedded database answers without ever giving other requests a turn: let them have one.
    await setImmediate()
    if (!this.store || batch.length === 0) return
    this.storing = this.store(batch).then((stored) => {
      this.result.created += stored.created
      this.result.updated += stored.updated
    }, (error: unknown) => {
      this.failure = { error }
    })
  }

  async finish(): Promise<ImportResult> {
    await this.send()
    await this.storing
    if (this.failure) throw this.failure.error
    return this.result
  }
}

/** Each batch in a transaction of its own: a batch is stored whole or not at all. */
const storeFor = (db: Db, organizationId: string) => (rows: ContactRow[]) =>
  db.transaction().execute((trx) => upsertContacts(trx, organizationId, rows))
const unitsOf = async (db: Db, organizationId: string) => unitIndex(await listUnits(db, organizationId))

/** A JSON array of contacts; rows count from 1. */
export async function importContacts(db: Db, organizationId: string, rows: readonly unknown[]): Promise<ImportResult> {
  const units = await unitsOf(db, organizationId)
  const sink = new ContactSink(storeFor(db, organizationId))
  for (let i = 0; i < rows.length; i++) await sink.add(i + 1, checkContact(rows[i], units))
  return sink.finish()
}

export type CsvImport = { ok: false; message: string } | ({ ok: true } & ImportResult & Omit<Extract<CsvRead, { ok: true }>, 'ok'>)

/** Imports a CSV stream into the organization's contacts; good rows are stored even when others are bad. */
export async function importContactsCsv(db: Db, organizationId: string, input: Readable, maxBytes = MAX_CSV_BYTES): Promise<CsvImport> {
  return readInto(new ContactSink(storeFor(db, organizationId)), await unitsOf(db, organizationId), input, maxBytes)
}

export interface PreviewRow {
  line: number
  /** The row as it will be stored, or null when it has problems. */
  contact: ContactRow | null
  cells: readonly string[]
  problem: string | null
}

/** Everything an import would do, without storing: the counts, the problems and the first rows. */
async function previewContactsCsv(db: Db, organizationId: string, input: Readable, sampleSize: number, maxBytes = MAX_CSV_BYTES) {
  const sample: PreviewRow[] = []
  const read = await readInto(new ContactSink(null), await unitsOf(db, organizationId), input, maxBytes, (line, checked, record, problem) => {
    if (sample.length < sampleSize) sample.push({ line, contact: checked.ok && problem === null ? checked.value : null, cells: record, problem })
  })
  return read.ok ? { ...read, sample } : read
}

/** Checks only the start of a file: that it is CSV, names the columns it must, and has a row. */
export async function checkContactsCsvStart(input: Readable, maxBytes = MAX_CSV_BYTES): Promise<CsvRead> {
  return readContactsCsv(input, unitIndex([]), { onRow: async () => false, onStop: () => {} }, maxBytes)
}

/** The preview of an upload, read from the store. */
export async function previewContactUpload(db: Db, organizationId: string, upload: Upload, sampleSize: number) {
  const stream = uploadStream(db, upload)
  return previewContactsCsv(db, organizationId, stream, sampleSize).finally(() => stream.destroy())
}

/**
 * Imports an upload once: of two confirmations (from any instance) only the first claims it, and the
 * other is told 'taken'. Contacts are stored a batch at a time, so a failure part way releases the
 * claim (the rows stored are updated, not doubled, by another go); once done, the bytes are dropped.
 */
export async function importContactUpload(db: Db, organizationId: string, upload: Upload): Promise<CsvImport | 'taken'> {
  if (!(await claimUpload(db, organizationId, upload.id))) return 'taken'
  const stream = uploadStream(db, upload)
  let result: CsvImport
  try {
    result = await importContactsCsv(db, organizationId, stream)
  } catch (error) {
    await releaseUpload(db, organizationId, upload.id)
    throw error
  } finally {
    stream.destroy()
  }
  await dropUploadBytes(db, organizationId, upload.id)
  return result
}

type Watch = (line: number, checked: CheckedContact, record: readonly string[], problem: string | null) => void

async function readInto(sink: ContactSink, units: UnitIndex, input: Readable, maxBytes: number, watch?: Watch): Promise<CsvImport> {
  const read = await readContactsCsv(input, units, {
    onRow: async (line, checked, record) => {
      const problem = await sink.add(line, checked)
      watch?.(line, checked, record, problem)
    },
    onStop: (line, message) => sink.reject(line, message),
  }, maxBytes)
  const result = await sink.finish()
  return read.ok ? { ...read, ...result } : read
}
