// Importing contacts: a CSV stream (a request body or an uploaded file) or a JSON array, checked row
// by row and stored in batches as it goes. A CSV file is never held whole: memory is bounded by one
// batch, the first 1,000 problems and one entry per contact for spotting duplicates.
import type { Readable } from 'node:stream'
import { setImmediate } from 'node:timers/promises'
import type { Db } from '../../db/connect.js'
import { checkContact, DuplicateCheck, type CheckedContact, type ContactRow, type RowError } from '../domain/contacts.js'
import { unitIndex, type UnitIndex } from '../domain/units.js'
import { upsertContacts } from '../repositories/contacts.js'
import { listUnits } from '../repositories/units.js'
import { MAX_CSV_BYTES, readContactsCsv, type CsvRead } from './contact-csv.js'

/** Rows per statement and transaction. Per-row work dominates: larger batches measured no faster. */
export const BATCH_SIZE = 1000
export const MAX_ERRORS = 1000
export const MAX_JSON_CONTACTS = 100_000

export interface ImportResult {
  /** Rows that passed their checks (and were stored, unless this was a dry run). */
  accepted: number
  created: number
  updated: number
  /** The first MAX_ERRORS problems, in file order. */
  errors: RowError[]
  /** All rows with problems, including those not listed. */
  errorCount: number
}

/**
 * Collects checked rows: duplicates become errors, good rows are stored a batch at a time. One batch
 * is stored while the next is being read and checked, so the database and the parsing overlap; at
 * most two batches are held.
 */
class ContactSink {
  readonly result: ImportResult = { accepted: 0, created: 0, updated: 0, errors: [], errorCount: 0 }
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
    this.result.errorCount++
    if (this.result.errors.length < MAX_ERRORS) this.result.errors.push({ row, message })
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

const storeFor = (db: Db, organizationId: string) => (rows: ContactRow[]) => upsertContacts(db, organizationId, rows)
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
export async function previewContactsCsv(db: Db, organizationId: string, input: Readable, sampleSize: number, maxBytes = MAX_CSV_BYTES) {
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
