// Reading a contacts CSV stream (a request body or an uploaded file) without ever holding it whole:
// bytes are decoded and parsed a chunk at a time, and each row is checked and handed on before the
// next chunk is read, so a slow consumer slows the reading down instead of rows piling up.
import { isAscii } from 'node:buffer'
import type { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { CsvError, parse, type Parser } from 'csv-parse'
import { checkCsvContact, readContactHeader, type CheckedContact, type ContactColumn } from '../domain/contacts.js'
import type { UnitIndex } from '../domain/units.js'
import { detectDelimiter } from '../domain/csv-import.js'

export const MAX_CSV_BYTES = 50 * 1024 * 1024
/** Longer lines are refused rather than buffered: 20 attributes of 200 characters fit many times over. */
const MAX_LINE_CHARS = 100_000
/** The header is looked at for the delimiter once a line break arrives, or after this much text. */
const MAX_HEADER_CHARS = 64 * 1024

export type CsvRead =
  | { ok: false; message: string }
  | { ok: true; delimiter: ',' | ';'; encoding: 'utf-8' | 'windows-1252'; columns: ContactColumn[]; rows: number }

/** Called for each data row, with its line in the spreadsheet; returning false stops the reading. */
export type RowHandler = (line: number, checked: CheckedContact, record: readonly string[]) => Promise<boolean | void>

/**
 * UTF-8 (with or without a byte order mark), or Windows-1252 as older Excel versions save "CSV".
 * Decided by the first bytes above ASCII: if they are not UTF-8, the file is not.
 */
class Decoder {
  private decoder: TextDecoder | null = null
  encoding: 'utf-8' | 'windows-1252' = 'utf-8'

  text(bytes: Uint8Array): string {
    if (this.decoder === null) {
      if (isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true })
      } catch {
        this.encoding = 'windows-1252'
      }
      this.decoder = new TextDecoder(this.encoding)
    }
    return this.decoder.decode(bytes, { stream: true })
  }

  end(): string {
    return this.decoder?.decode() ?? ''
  }
}

function notCsv(bytes: Uint8Array): string | null {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    return 'This is a spreadsheet workbook (such as .xlsx), not a CSV file. In your spreadsheet, save or download the sheet as CSV and use that file.'
  }
  if (bytes.includes(0)) return 'This is not a CSV text file. In your spreadsheet, save or download the sheet as CSV (UTF-8) and use that file.'
  return null
}

function parseProblem(error: unknown): string {
  const code = error instanceof CsvError ? error.code : ''
  const why = code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted cell is never closed'
    : code === 'CSV_MAX_RECORD_SIZE' ? `a line is longer than ${MAX_LINE_CHARS.toLocaleString('en-GB')} characters`
      : code === 'CSV_INVALID_CLOSING_QUOTE' ? 'a quoted cell is followed by more text'
        : 'it is not laid out as CSV'
  return `the file could not be read from this line on: ${why}. Check the quotes on this line, or save the file from your spreadsheet as CSV again`
}

const isBlank = (record: readonly string[]) => record.every((cell) => cell.trim() === '')

/**
 * Reads a contacts CSV stream: the first line names the columns, every other line is checked and
 * handed to `onRow` before more of the stream is read, so a slow store slows the reading down instead
 * of piling rows up. A problem that ends the reading early (a broken quote, a file over `maxBytes`)
 * is handed to `onStop` with the line it happened on; rows before it have been handled.
 * The stream is left as it is when the reading stops early: the caller decides whether to drain it.
 */
export async function readContactsCsv(
  input: Readable,
  units: UnitIndex,
  handlers: { onRow: RowHandler; onStop: (line: number, message: string) => void },
  maxBytes = MAX_CSV_BYTES,
): Promise<CsvRead> {
  const decoder = new Decoder()
  // Declared this way so TypeScript does not conclude it stays null: write() starts it.
  let parser = null as Parser | null
  let records: string[][] = []
  let head = ''
  let bytes = 0
  let line = 0
  let rows = 0
  let columns = null as ContactColumn[] | null
  let delimiter: ',' | ';' = ','
  let failed = null as string | null
  let stopped = false

  const startParser = (text: string) => {
    delimiter = detectDelimiter(text.replace(/^\uFEFF/, ''))
    // Records are taken as they are parsed (on_record returns null, so nothing queues up inside the
    // parser): they are handled before the next chunk is written, and none is lost to a later error.
    parser = parse({
      delimiter, bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false, max_record_size: MAX_LINE_CHARS,
      on_record: (record: string[]) => {
        records.push(record)
        return null
      },
    })
    parser.on('error', () => {}) // read from parser.errored, which is set as soon as a write fails
    parser.resume()
  }

  /** Handles the records parsed so far; false once the reading must stop. */
  const handle = async (): Promise<boolean> => {
    const batch = records
    records = []
    for (const record of batch) {
      line++
      if (columns === null) {
        const header = readContactHeader(record)
        if (!header.ok) {
          failed = header.message
          return false
        }
        columns = header.columns
        continue
      }
      if (isBlank(record)) continue
      rows++
      if ((await handlers.onRow(line, checkCsvContact(record, columns, units), record)) === false) {
        stopped = true
        return false
      }
    }
    const error = parser?.errored
    if (error) {
      stopped = true
      handlers.onStop(line + 1, parseProblem(error))
      return false
    }
    return true
  }

  /** Text is held back until the first line is complete, to tell commas from semicolons. */
  const write = async (text: string, last: boolean): Promise<boolean> => {
    if (parser === null) {
      head += text
      if (head === '' || (!last && !/[\r\n]/.test(head) && head.length < MAX_HEADER_CHARS)) return true
      text = head
      head = ''
      startParser(text)
    }
    if (text !== '') parser!.write(text)
    return handle()
  }

  let reading = true
  for await (const chunk of input.iterator({ destroyOnReturn: false })) {
    const data: Uint8Array = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    if (bytes === 0 && data.length > 0 && (failed = notCsv(data)) !== null) break
    bytes += data.length
    if (bytes > maxBytes) {
      const limit = `The file is larger than ${maxBytes / 1024 / 1024} MB`
      if (columns === null) failed = `${limit}. Split it into several files.`
      else handlers.onStop(line + 1, `${limit.toLowerCase()}: it was read up to here. Split it into several files`)
      stopped = true
      reading = false
      break
    }
    if (!(await write(decoder.text(data), false))) {
      reading = false
      break
    }
  }
  if (reading && failed === null && (await write(decoder.end(), true)) && parser !== null) {
    const done = finished(parser)
    parser.end()
    await done.catch(() => {})
    await handle()
  }
  if (failed !== null) return { ok: false, message: failed }
  if (columns === null) return { ok: false, message: 'The file is empty. Choose the CSV file with your contacts.' }
  if (rows === 0 && !stopped) return { ok: false, message: 'The file has a first line with the column names, but no contacts below it.' }
  return { ok: true, delimiter, encoding: decoder.encoding, columns, rows }
}
