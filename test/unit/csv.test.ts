// Cells of the exports (domain/csv.ts): text a spreadsheet would run as a formula is made inert,
// plain numbers stay numbers, and every cell reads back as written.
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { csvCell, csvLine } from '../../server/domain/csv.js'

const readBack = (cell: string): string => (parse(`${cell}\r\n`, { relax_quotes: false }) as string[][])[0]![0]!

describe('csvCell', () => {
  const starts: Array<[string, string]> = [
    ['equals', '=1+1'], ['plus', '+1+1'], ['minus', '-1+1'], ['at', '@SUM(A1)'], ['tab', '\t=1+1'], ['carriage return', '\r=1+1'],
    ['line feed', '\n=1+1'], ['space', ' =1+1'], ['no-break space', '\u00a0=1+1'], ['full-width equals', '\uff1d1+1'],
    ['full-width plus', '\uff0b1+1'], ['full-width minus', '\uff0d1+1'], ['full-width at', '\uff20SUM(A1)'],
  ]
  for (const [name, text] of starts) {
    it(`makes text starting with ${name} inert with a leading apostrophe`, () => {
      expect(readBack(csvCell(text))).toBe(`'${text}`)
    })
  }

  it('keeps plain numbers, negative ones too, as numbers', () => {
    for (const number of ['-40.00', '-3', '12', '0.5']) expect(csvCell(number)).toBe(number)
    expect(csvCell(-40)).toBe('-40')
    expect(csvCell(Number.NaN)).toBe('')
  })

  it('leaves ordinary text alone, inner formula characters included', () => {
    for (const text of ['Quick and kind', 'a=b', 'x+y', 'me@example.com', 'Ｏｋ ＝ fine']) expect(csvCell(text)).toBe(text)
  })

  it('quotes commas, quotes, semicolons and line breaks so the cell reads back whole', () => {
    for (const text of ['+1, "great"', 'a;b', 'two\nlines', 'trailing ', '"quoted"']) {
      const cell = csvCell(text)
      expect(cell.startsWith('"')).toBe(true)
      expect(readBack(cell).replace(/^'/, '')).toBe(text)
    }
  })

  it('joins a line with CRLF', () => {
    expect(csvLine(['a', null, 3, undefined, '=x'])).toBe("a,,3,,'=x\r\n")
  })
})
