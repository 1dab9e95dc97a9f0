// Reading a spreadsheet of historical responses: the uploaded bytes become text, the text becomes
// rows in the shape checkImportedResponse reads, and every problem is reported where a person will
// look for it: the spreadsheet's row number (the header is line 1) and the column's name.
// Pure functions; the upload store keeps the bytes, and these read them again for the preview and
// the import. Decoding and the delimiter are csv-text.ts's, as for contacts.
import { CsvError, parse } from 'csv-parse/sync'
import { csvCell } from './csv.js'
import { CSV_OPTIONS, decodeCsvBytes, detectDelimiter, unreadableReason, type Delimiter } from './csv-text.js'
import {
  ATTRIBUTE_NAME, checkImportedResponse, MAX_ATTRIBUTES, MAX_IMPORT_ROWS,
  type ImportContext, type ImportedResponse, type ItemSpec,
} from './responses.js'
import type { RowProblem } from './problems.js'
import { isOnScale, scaleValues } from './scale.js'
import { PREDICTION_MAX, PREDICTION_MIN, predictedItemOf, predictionKey } from './predictions.js'

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024

/** The same rule checkImportedResponse applies to attribute names. */
const FIXED_COLUMNS = ['side', 'unit', 'comment'] as const
const NOT_APPLICABLE = /^n\/?a$/i
const NUMBER = /^[+-]?\d+(?:[.,]\d+)?$/
/**
 * Parsing stops after this many records (the header, the rows, room for blank rows): csv-parse spends
 * real time on every short row, and a file of millions of blank lines must not hold the server up.
 */
const MAX_RECORDS = 1 + MAX_IMPORT_ROWS + 1000

type Failed = { ok: false; message: string }

/** A data row in the shape checkImportedResponse reads, with its line in the spreadsheet. */
export interface CsvRow {
  line: number
  input: {
    side: string; unit?: string; answers: Record<string, number | null>; predictions?: Record<string, number | null>; comment?: string
    attributes: Record<string, string>
  }
  /** Cells that could not be read at all, such as "four" in an item column. */
  problems: RowProblem[]
}

export interface CsvImport {
  delimiter: Delimiter
  /** The item keys that have a column, in the file's order. */
  items: string[]
  /** The attribute columns, in the file's order. */
  attributes: string[]
  rows: CsvRow[]
}

/**
 * Turns an uploaded file into text, as csv-text.ts decodes every import. Anything binary is refused
 * with a message that says what to do instead.
 */
export function decodeCsvFile(bytes: Uint8Array): { ok: true; text: string } | Failed {
  if (bytes.length === 0) return { ok: false, message: 'The file is empty. Choose the CSV file with your responses.' }
  if (bytes.length > MAX_IMPORT_BYTES) return { ok: false, message: `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB. Split it into several files.` }
  const decoded = decodeCsvBytes(bytes)
  return decoded.ok ? { ok: true, text: decoded.text } : decoded
}

function parseRecords(text: string, delimiter: Delimiter): { ok: true; records: string[][] } | Failed {
  try {
    const records = parse(text, { ...CSV_OPTIONS, delimiter, to: MAX_RECORDS }) as string[][]
    return { ok: true, records }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error
    const e = error as CsvError & { lines?: number }
    const where = typeof e.lines === 'number' ? ` from line ${e.lines} on` : ''
    return { ok: false, message: `The file could not be read${where}: ${unreadableReason(e.code)}. Check the quotes on that line, or save the file from your spreadsheet as CSV again.` }
  }
}

const quoteList = (names: readonly string[]) => names.map((name) => `"${name}"`).join(', ')
const short = (text: string, max = 60) => (text.length > max ? `${text.slice(0, max)}…` : text)

interface Column {
  index: number
  name: string
  /** 'prediction': a `predict:<key>` column, staff's prediction for an item the wave predicts. */
  kind: 'side' | 'unit' | 'comment' | 'item' | 'prediction' | 'attribute' | 'ignored'
  item?: ItemSpec
}

function readHeader(header: readonly string[], records: readonly string[][], items: readonly ItemSpec[]): { ok: true; columns: Column[] } | Failed {
  const itemsByKey = new Map(items.map((item) => [item.key.toLowerCase(), item]))
  const problems: string[] = []
  const seen = new Set<string>()
  const columns: Column[] = header.map((raw, index) => {
    const name = raw.trim()
    const lower = name.toLowerCase()
    if (name === '') {
      const used = records.some((record, r) => r > 0 && (record[index] ?? '').trim() !== '')
      if (used) problems.push(`Column ${index + 1} has cells but no name in the first line.`)
      return { index, name, kind: 'ignored' }
    }
    if (seen.has(lower)) problems.push(`The column "${short(name)}" appears more than once.`)
    seen.add(lower)
    const fixed = FIXED_COLUMNS.find((column) => column === lower)
    if (fixed) return { index, name: fixed, kind: fixed }
    const item = itemsByKey.get(lower)
    if (item) return { index, name: item.key, kind: 'item', item }
    const predicted = predictedItemOf(lower)
    if (predicted !== null) {
      const of = itemsByKey.get(predicted)
      if (of?.predicted) return { index, name: predictionKey(of.key), kind: 'prediction', item: of }
      problems.push(`The column "${short(name)}" is a prediction, but ${of ? `this wave's staff do not predict "${of.key}"` : `"${short(predicted)}" is not an item of this wave`}.`)
      return { index, name, kind: 'ignored' }
    }
    if (!ATTRIBUTE_NAME.test(name)) {
      problems.push(`The column "${short(name)}" is neither an item of this wave nor a usable attribute name (attribute names start with a letter and use only letters, digits and _, at most 40).`)
    }
    return { index, name, kind: 'attribute' }
  })
  if (!columns.some((column) => column.kind === 'side')) {
    problems.unshift(`The first line must name the columns, and one of them must be "side". This file's first line reads: ${short(header.join(', '), 200)}`)
  } else if (!columns.some((column) => column.kind === 'item')) {
    problems.push(`No column is an item of this wave. The item columns are: ${quoteList(items.map((item) => item.key))}.`)
  }
  const attributeCount = columns.filter((column) => column.kind === 'attribute').length
  if (attributeCount > MAX_ATTRIBUTES) problems.push(`The file has ${attributeCount} attribute columns; at most ${MAX_ATTRIBUTES} are allowed.`)
  return problems.length > 0 ? { ok: false, message: problems.join(' ') } : { ok: true, columns }
}

/** An item cell: a number on the item's scale, "na" / "n/a" for not applicable, or empty for not answered. */
function readAnswer(cell: string, item: ItemSpec): { value: number | null | undefined } | { problem: string } {
  const text = cell.trim()
  if (text === '') return { value: undefined }
  if (NOT_APPLICABLE.test(text)) return { value: null }
  const number = NUMBER.test(text) ? Number(text.replace(',', '.')) : Number.NaN
  if (isOnScale(item.scale, number)) return { value: number }
  const values = scaleValues(item.scale)
  return { problem: `"${short(text, 40)}" is not an answer: use a whole number from ${values[0]} to ${values.at(-1)}, "na" for not applicable, or leave the cell empty` }
}

/** A prediction cell: how many out of 10 customers (0 … 10), "na" for can't say, or empty for not answered. */
function readPrediction(cell: string): { value: number | null | undefined } | { problem: string } {
  const text = cell.trim()
  if (text === '') return { value: undefined }
  if (NOT_APPLICABLE.test(text)) return { value: null }
  const number = /^\d{1,2}$/.test(text) ? Number(text) : Number.NaN
  if (number >= PREDICTION_MIN && number <= PREDICTION_MAX) return { value: number }
  return { problem: `"${short(text, 40)}" is not a prediction: use a whole number from ${PREDICTION_MIN} to ${PREDICTION_MAX} (out of 10 customers), "na" for can't say, or leave the cell empty` }
}

function readRow(record: readonly string[], line: number, columns: readonly Column[]): CsvRow {
  const row: CsvRow = { line, input: { side: '', answers: {}, attributes: {} }, problems: [] }
  for (const column of columns) {
    const cell = record[column.index] ?? ''
    if (column.kind === 'side') row.input.side = cell.trim().toLowerCase()
    else if (column.kind === 'unit' && cell.trim() !== '') row.input.unit = cell.trim()
    else if (column.kind === 'comment' && cell.trim() !== '') row.input.comment = cell.replace(/\r\n?/g, '\n')
    else if (column.kind === 'attribute' && cell.trim() !== '') row.input.attributes[column.name] = cell.trim()
    else if (column.kind === 'item') {
      const answer = readAnswer(cell, column.item!)
      if ('problem' in answer) row.problems.push({ row: line, field: column.name, message: answer.problem })
      else if (answer.value !== undefined) row.input.answers[column.name] = answer.value
    } else if (column.kind === 'prediction') {
      const prediction = readPrediction(cell)
      if ('problem' in prediction) row.problems.push({ row: line, field: column.name, message: prediction.problem })
      else if (prediction.value !== undefined) row.input.predictions = { ...row.input.predictions, [column.item!.key]: prediction.value }
    }
  }
  const extra = record.slice(columns.length).filter((cell) => cell.trim() !== '').length
  if (extra > 0) row.problems.push({ row: line, field: '', message: `has ${extra} more cell${extra === 1 ? '' : 's'} than the first line has columns` })
  return row
}

/**
 * Reads the text of a CSV file against the wave's items. A file that cannot be used at all (not CSV,
 * no data, a header that names unknown columns) fails with one message; everything wrong with single
 * rows is kept per row, so that a person sees every problem at once.
 */
export function readCsvImport(text: string, items: readonly ItemSpec[]): { ok: true; value: CsvImport } | Failed {
  const delimiter = detectDelimiter(text)
  const parsed = parseRecords(text, delimiter)
  if (!parsed.ok) return parsed
  const records = parsed.records
  const isBlank = (record: readonly string[]) => record.every((cell) => cell.trim() === '')
  if (records.length === 0 || records.every(isBlank)) return { ok: false, message: 'The file is empty. Choose the CSV file with your responses.' }
  const header = records[0]!
  const read = readHeader(header, records, items)
  if (!read.ok) return read
  // A row's line is its row number in the spreadsheet: the header is line 1, blank rows still count.
  const rows: CsvRow[] = []
  records.forEach((record, index) => {
    if (index > 0 && !isBlank(record)) rows.push(readRow(record, index + 1, read.columns))
  })
  if (rows.length === 0) return { ok: false, message: 'The file has a first line with the column names, but no responses below it.' }
  if (rows.length > MAX_IMPORT_ROWS || records.length >= MAX_RECORDS) {
    return { ok: false, message: `The file has more than ${MAX_IMPORT_ROWS.toLocaleString('en-GB')} rows; at most ${MAX_IMPORT_ROWS.toLocaleString('en-GB')} responses can be imported at once. Split it into several files.` }
  }
  const columnsOf = (kind: Column['kind']) => read.columns.filter((column) => column.kind === kind).map((column) => column.name)
  return { ok: true, value: { delimiter, items: columnsOf('item'), attributes: columnsOf('attribute'), rows } }
}

/**
 * Problems counted the way checkImport counts (rows from 1, fields such as `answers.easy`) become
 * problems on spreadsheet lines and column names (`easy`).
 */
export function toSpreadsheetProblems(problems: readonly RowProblem[], lines: readonly number[]): RowProblem[] {
  return problems.map((problem) => ({
    row: lines[problem.row - 1] ?? problem.row,
    field: problem.field.replace(/^predictions\./, predictionKey('')).replace(/^(answers|attributes)\./, ''),
    message: problem.message,
  }))
}

export interface CheckedCsvRow extends CsvRow {
  /** The response as it will be stored, or null when the row has problems. */
  value: ImportedResponse | null
}

/** Checks every row, as the import will: the rows as they will be stored, and every problem by line. */
export function checkCsvImport(csv: CsvImport, context: ImportContext): { rows: CheckedCsvRow[]; problems: RowProblem[] } {
  const problems: RowProblem[] = []
  const lines = csv.rows.map((row) => row.line)
  const rows = csv.rows.map((row, index) => {
    const checked = checkImportedResponse(row.input, index + 1, context)
    // A row whose answers could not be read may have none left; saying so again adds nothing.
    const unreadable = row.problems.some((problem) => problem.field !== '')
    const later = toSpreadsheetProblems(checked.problems, lines).filter((problem) => !(unreadable && problem.field === 'answers'))
    problems.push(...row.problems, ...later)
    return { ...row, value: row.problems.length === 0 ? checked.value : null }
  })
  return { rows, problems }
}

/** A header line and one data line for the wave's items, to show people what a file looks like. */
export function exampleCsv(items: readonly ItemSpec[], unitName: string | null): { header: string; row: string } {
  const answers = items.map((item, i) => {
    if (i === 2) return 'na'
    if (i === 3) return ''
    const values = scaleValues(item.scale)
    return String(values[values.length - 1 - (i % 2)])
  })
  return {
    header: ['side', 'unit', ...items.map((item) => item.key), 'comment', 'region'].join(','),
    row: ['customer', csvCell(unitName ?? ''), ...answers, csvCell('Quick, friendly help'), 'north'].join(','),
  }
}
