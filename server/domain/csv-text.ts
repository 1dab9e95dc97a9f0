// Reading an uploaded CSV file as text, the one way every import does it: which bytes are not a CSV
// file at all, UTF-8 (with or without a byte order mark) or Windows-1252, and which character
// separates the cells. Pure: the decoder takes bytes a chunk at a time, so a stream and a whole file
// are read by the same code.

export type Delimiter = ',' | ';' | '\t'
export type Encoding = 'utf-8' | 'windows-1252'

/** The csv-parse options every import reads with; only the delimiter comes from the file. */
export const CSV_OPTIONS = { bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false } as const

const NOT_TEXT = 'This is not a CSV text file. In your spreadsheet, save or download the sheet as CSV (UTF-8) and use that file.'

/** The problem on the line where bytes that are not text begin, once rows before it have been read. */
export const NOT_TEXT_FROM_HERE = 'the file holds bytes that are not text from this line on. Save the sheet from your spreadsheet as CSV (UTF-8) again'

/** A file that is plainly not CSV, told by its first bytes, with what to do instead; null when it may be. */
function notCsvStart(bytes: Uint8Array): string | null {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    return 'This is a spreadsheet workbook (such as .xlsx), not a CSV file. In your spreadsheet, save or download the sheet as CSV and use that file.'
  }
  return bytes.includes(0) ? NOT_TEXT : null
}

/** Control characters other than tab and line breaks do not occur in a spreadsheet's text. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if ((code < 32 && code !== 9 && code !== 10 && code !== 13) || code === 127) return true
  }
  return false
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return false
  return true
}
/** Until the first byte above ASCII arrives, any single-byte decoder reads the same text. */
const ASCII = new TextDecoder('windows-1252')

/**
 * Bytes to text, a chunk at a time: UTF-8 (a byte order mark is dropped), or Windows-1252 as older
 * Excel versions save "CSV". Decided by the first chunk with bytes above ASCII: if it is not UTF-8,
 * the file is not. `problem` is set, and no more text given, once the bytes turn out not to be text.
 */
export class CsvDecoder {
  private decoder: TextDecoder | null = null
  private started = false
  encoding: Encoding = 'utf-8'
  problem: string | null = null

  text(bytes: Uint8Array): string {
    if (this.problem !== null) return ''
    if (!this.started && bytes.length > 0) {
      this.started = true
      this.problem = notCsvStart(bytes)
      if (this.problem !== null) return ''
    }
    let text: string
    if (this.decoder === null && isAscii(bytes)) text = ASCII.decode(bytes)
    else {
      if (this.decoder === null) {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true })
        } catch {
          this.encoding = 'windows-1252'
        }
        this.decoder = new TextDecoder(this.encoding)
      }
      text = this.decoder.decode(bytes, { stream: true })
    }
    return this.checked(text)
  }

  end(): string {
    return this.problem === null ? this.checked(this.decoder?.decode() ?? '') : ''
  }

  private checked(text: string): string {
    if (!hasControlCharacters(text)) return text
    this.problem = NOT_TEXT
    return ''
  }
}

/** A whole file as text, read by the same decoder as a stream. */
export function decodeCsvBytes(bytes: Uint8Array): { ok: true; text: string; encoding: Encoding } | { ok: false; message: string } {
  const decoder = new CsvDecoder()
  const text = decoder.text(bytes) + decoder.end()
  return decoder.problem === null ? { ok: true, text: text.replace(/^\uFEFF/, ''), encoding: decoder.encoding } : { ok: false, message: decoder.problem }
}

/**
 * Comma, semicolon (as spreadsheets set to a decimal comma write) or tab (as spreadsheets copy and
 * "Unicode text" exports write), whichever the first line uses most outside quotes; comma on a tie.
 */
export function detectDelimiter(text: string): Delimiter {
  const counts = { ',': 0, ';': 0, '\t': 0 }
  let quoted = false
  for (const char of text.replace(/^\uFEFF/, '')) {
    if (char === '"') quoted = !quoted
    else if (!quoted && (char === '\n' || char === '\r')) break
    else if (!quoted && (char === ',' || char === ';' || char === '\t')) counts[char]++
  }
  if (counts['\t'] > counts[','] && counts['\t'] > counts[';']) return '\t'
  return counts[';'] > counts[','] ? ';' : ','
}

/** How a delimiter is named on the previews. */
export const DELIMITER_NAMES: Readonly<Record<Delimiter, string>> = { ',': 'commas', ';': 'semicolons', '\t': 'tabs' }
export const ENCODING_NAMES: Readonly<Record<Encoding, string>> = { 'utf-8': 'UTF-8', 'windows-1252': 'Windows-1252' }

/** Why csv-parse stopped, by its error code, in words a person can act on. */
export function unreadableReason(code: string, maxLineChars?: number): string {
  return code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted cell is never closed'
    : code === 'CSV_MAX_RECORD_SIZE' && maxLineChars ? `a line is longer than ${maxLineChars.toLocaleString('en-GB')} characters`
      : code === 'CSV_INVALID_CLOSING_QUOTE' ? 'a quoted cell is followed by more text'
        : 'it is not laid out as CSV'
}

/** The problem on the line where reading stopped. */
export const unreadableFrom = (reason: string) =>
  `the file could not be read from this line on: ${reason}. Check the quotes on this line, or save the file from your spreadsheet as CSV again`
