// Reading a contacts CSV stream (a request body or an uploaded file) without ever holding it whole:
// bytes are decoded and parsed a chunk at a time, and each row is checked and handed on before the
// next chunk is read, so a slow consumer slows the reading down instead of rows piling up.
import type { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { CsvError, parse, type Parser } from 'csv-parse'
import { checkCsvContact, readContactHeader, type CheckedContact, type ContactColumn } from '../domain/contacts.js'
import type { UnitIndex } from '../domain/units.js'
import { CSV_OPTIONS, CsvDecoder, detectDelimiter, NOT_TEXT_FROM_HERE, unreadableFrom, unreadableReason, type Delimiter, type Encoding } from '../domain/csv-text.js'

export const MAX_CSV_BYTES = 50 * 1024 * 1024
/** Longer lines are refused rather than buffered: 20 attributes of 200 characters fit many times over. */
const MAX_LINE_CHARS = 100_000
/** The header is looked at for the delimiter once a line break arrives, or after this much text. */
const MAX_HEADER_CHARS = 64 * 1024

export type CsvRead =
  | { ok: false; message: string }
  | { ok: true; delimiter: Delimiter; encoding: Encoding; columns: ContactColumn[]; rows: number }

/** Called for each data row, with its line in the spreadsheet; returning false stops the reading. */
export type RowHandler = (line: number, checked: CheckedContact, record: readonly string[]) => Promise<boolean | void>

const parseProblem = (error: unknown) => unreadableFrom(unreadableReason(error instanceof CsvError ? error.code : '', MAX_LINE_CHARS))

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
  const decoder = new CsvDecoder()
  // Declared this way so TypeScript does not conclude it stays null: write() starts it.
  let parser = null as Parser | null
  let records: string[][] = []
  let head = ''
  let bytes = 0
  let line = 0
  let rows = 0
  let columns = null as ContactColumn[] | null
  let delimiter: Delimiter = ','
  let failed = null as string | null
  let stopped = false

  const startParser = (text: string) => {
    delimiter = detectDelimiter(text)
    // Records are taken as they are parsed (on_record returns null, so nothing queues up inside the
    // parser): they are handled before the next chunk is written, and none is lost to a later error.
    parser = parse({
      ...CSV_OPTIONS, delimiter, max_record_size: MAX_LINE_CHARS,
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

  /** Text is held back until the first line is complete, to tell commas, semicolons and tabs apart. */
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

  /** Bytes that are not text: the whole file is refused if no row was read yet, otherwise the reading stops here. */
  const notText = (message: string) => {
    if (columns === null) failed = message
    else handlers.onStop(line + 1, NOT_TEXT_FROM_HERE)
    stopped = true
  }

  let reading = true
  for await (const chunk of input.iterator({ destroyOnReturn: false })) {
    const data: Uint8Array = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    bytes += data.length
    if (bytes > maxBytes) {
      const limit = `The file is larger than ${maxBytes / 1024 / 1024} MB`
      if (columns === null) failed = `${limit}. Split it into several files.`
      else handlers.onStop(line + 1, `${limit.toLowerCase()}: it was read up to here. Split it into several files`)
      stopped = true
      reading = false
      break
    }
    const text = decoder.text(data)
    if (decoder.problem !== null) {
      notText(decoder.problem)
      reading = false
      break
    }
    if (!(await write(text, false))) {
      reading = false
      break
    }
  }
  const rest = reading && failed === null ? decoder.end() : ''
  if (reading && decoder.problem !== null) notText(decoder.problem)
  else if (reading && failed === null && (await write(rest, true)) && parser !== null) {
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
