// Writing CSV for spreadsheets: quoted where needed, and text that a spreadsheet would run as a
// formula made inert with a leading apostrophe. A formula starts with = + - @; spreadsheets also
// skip leading tab, carriage return, line feed, space and no-break space before looking, and some
// (East Asian input, LibreOffice's autocorrect) read the full-width ＝ ＋ － ＠ as their ASCII twins.

const FORMULA_START = /^[=+\-@\t\r\n \u00a0\uff1d\uff0b\uff0d\uff20]/

/** A plain number such as -40.00 cannot be a formula and must stay a number in the spreadsheet. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  const safe = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value
  return /[",\r\n;]/.test(safe) || safe !== safe.trim() ? `"${safe.replaceAll('"', '""')}"` : safe
}

export function csvLine(values: ReadonlyArray<string | number | null | undefined>): string {
  return values.map(csvCell).join(',') + '\r\n'
}
