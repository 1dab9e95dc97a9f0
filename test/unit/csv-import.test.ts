import { describe, expect, it } from 'vitest'
import {
  checkCsvImport, decodeCsvFile, exampleCsv, MAX_IMPORT_BYTES, readCsvImport, toSpreadsheetProblems, type CsvImport,
} from '../../server/domain/csv-import.js'
import { CsvDecoder, decodeCsvBytes, detectDelimiter } from '../../server/domain/csv-text.js'
import { linesWithProblems, problemText } from '../../server/domain/problems.js'
import { MAX_IMPORT_ROWS, type ImportContext, type ItemSpec } from '../../server/domain/responses.js'
import { unitIndex } from '../../server/domain/units.js'

const ITEMS: ItemSpec[] = [
  { key: 'excellent_service', scale: 'agree5', required: false },
  { key: 'easy', scale: 'agree5', required: false },
  { key: 'recommend', scale: 'likelihood11', required: false },
]
const NORTH = '00000000-0000-4000-8000-000000000001'
const CONTEXT: ImportContext = { items: ITEMS, units: unitIndex([{ id: NORTH, name: 'North Branch' }]) }

function read(text: string): CsvImport {
  const result = readCsvImport(text, ITEMS)
  if (!result.ok) throw new Error(result.message)
  return result.value
}

function refusal(text: string): string {
  const result = readCsvImport(text, ITEMS)
  if (result.ok) throw new Error('expected the file to be refused')
  return result.message
}

describe('reading a CSV file of responses', () => {
  it('maps side, unit, item columns, comment and every other column to the import shape', () => {
    const csv = read('side,unit,excellent_service,easy,recommend,comment,tier,region\ncustomer,North branch,5,na,10,Quick and kind,gold,\n')
    expect(csv.items).toEqual(['excellent_service', 'easy', 'recommend'])
    expect(csv.attributes).toEqual(['tier', 'region'])
    expect(csv.rows).toEqual([{
      line: 2,
      input: { side: 'customer', unit: 'North branch', answers: { excellent_service: 5, easy: null, recommend: 10 }, comment: 'Quick and kind', attributes: { tier: 'gold' } },
      problems: [],
    }])
  })

  it('reads "na", "n/a" and "N/A" as not applicable and leaves empty cells out as not answered', () => {
    const csv = read('side,excellent_service,easy,recommend\nstaff,N/A,,n/a\nstaff,,na,\n')
    expect(csv.rows.map((row) => row.input.answers)).toEqual([{ excellent_service: null, recommend: null }, { easy: null }])
  })

  it('reads numbers written as "4.0", "4,0" or " 4 " as 4', () => {
    const csv = read('side;excellent_service;easy;recommend\nstaff;4.0;"4,0"; 4 \n')
    expect(csv.rows[0]!.input.answers).toEqual({ excellent_service: 4, easy: 4, recommend: 4 })
    expect(csv.rows[0]!.problems).toEqual([])
  })

  it('takes the delimiter from the header line: commas, or semicolons as spreadsheets with a decimal comma write', () => {
    expect(detectDelimiter('side;unit;excellent_service\nstaff,x;a;4')).toBe(';')
    expect(detectDelimiter('side,unit,"a;b;c"\n')).toBe(',')
    expect(detectDelimiter('"x,y";side;unit\n')).toBe(';')
    const csv = read('side;unit;excellent_service;comment\ncustomer;North branch;3;Slow, but friendly\n')
    expect(csv.delimiter).toBe(';')
    expect(csv.rows[0]!.input).toMatchObject({ unit: 'North branch', answers: { excellent_service: 3 }, comment: 'Slow, but friendly' })
  })

  it('accepts a UTF-8 byte order mark, CRLF line ends and quoted cells with line breaks and quotes', () => {
    const text = '\uFEFFside,excellent_service,comment\r\ncustomer,4,"First line\r\nsecond line, with ""quotes"""\r\nstaff,2,\r\n'
    const csv = read(text)
    expect(csv.rows.map((row) => row.input.comment)).toEqual(['First line\nsecond line, with "quotes"', undefined])
    expect(csv.rows.map((row) => row.line)).toEqual([2, 3])
    const decoded = decodeCsvFile(new TextEncoder().encode(text))
    expect(decoded).toEqual({ ok: true, text: text.slice(1) })
  })

  it('numbers rows as the spreadsheet does: the header is line 1, and blank rows still count', () => {
    const csv = read('side,excellent_service\ncustomer,5\n\n,,\nstaff,four\n')
    expect(csv.rows.map((row) => row.line)).toEqual([2, 5])
    expect(csv.rows[1]!.problems).toEqual([{ row: 5, field: 'excellent_service', message: expect.stringContaining('"four" is not an answer') }])
  })

  it('names the header columns case-insensitively and keeps attribute names as written', () => {
    const csv = read('Side,UNIT,Excellent_Service,Comment,Tier\nCustomer,north branch,5,,gold\n')
    expect(csv.items).toEqual(['excellent_service'])
    expect(csv.rows[0]!.input).toEqual({ side: 'customer', unit: 'north branch', answers: { excellent_service: 5 }, attributes: { Tier: 'gold' } })
  })

  it('refuses a header without "side", and shows what the first line said', () => {
    const message = refusal('unit,excellent_service\nNorth,5\n')
    expect(message).toContain('one of them must be "side"')
    expect(message).toContain('unit, excellent_service')
  })

  it('refuses duplicate column names, names that are neither items nor attribute names, and headers without items', () => {
    expect(refusal('side,easy,EASY\nstaff,4,4\n')).toContain('The column "EASY" appears more than once.')
    const bad = refusal('side,excellent_service,Customer tier (gold/silver)\nstaff,4,gold\n')
    expect(bad).toContain('"Customer tier (gold/silver)" is neither an item of this wave nor a usable attribute name')
    expect(refusal('side,tier\nstaff,gold\n')).toContain('The item columns are: "excellent_service", "easy", "recommend".')
    const tooMany = Array.from({ length: 21 }, (_, i) => `a${i}`).join(',')
    expect(refusal(`side,easy,${tooMany}\nstaff,4\n`)).toContain('21 attribute columns; at most 20')
  })

  it('ignores a nameless column with nothing in it, but not one with cells', () => {
    expect(read('side,easy,\nstaff,4,\n').rows[0]!.input.answers).toEqual({ easy: 4 })
    expect(refusal('side,easy,\nstaff,4,x\n')).toContain('Column 3 has cells but no name')
  })

  it('refuses files that are empty, have no rows, or have more rows than an import takes', () => {
    expect(refusal('')).toContain('The file is empty')
    expect(refusal('\n\n')).toContain('The file is empty')
    expect(refusal('side,easy\n')).toContain('no responses below it')
    const many = 'side,easy\n' + 'staff,4\n'.repeat(MAX_IMPORT_ROWS + 1)
    expect(refusal(many)).toContain('more than 10,000 rows; at most 10,000 responses')
    expect(read('side,easy\n' + 'staff,4\n'.repeat(MAX_IMPORT_ROWS)).rows).toHaveLength(MAX_IMPORT_ROWS)
  })

  it('refuses text that is not CSV, with the line where reading stopped', () => {
    expect(refusal('side,easy\nstaff,"4\n')).toMatch(/^The file could not be read from line \d+ on: a quoted cell is never closed\./)
  })

  it('reports a row with more cells than the header has columns', () => {
    const csv = read('side,easy\nstaff,4,,oops\n')
    expect(csv.rows[0]!.problems).toEqual([{ row: 2, field: '', message: 'has 1 more cell than the first line has columns' }])
  })
})

describe('decoding an uploaded file', () => {
  it('refuses empty, binary, workbook and oversized files with a message that says what to do', () => {
    expect(decodeCsvFile(new Uint8Array())).toMatchObject({ ok: false, message: expect.stringContaining('empty') })
    expect(decodeCsvFile(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]))).toMatchObject({ ok: false, message: expect.stringContaining('not a CSV text file') })
    expect(decodeCsvFile(new Uint8Array([0x50, 0x4b, 3, 4, 20, 0]))).toMatchObject({ ok: false, message: expect.stringContaining('.xlsx') })
    expect(decodeCsvFile(new Uint8Array([0x1f, 0x8b, 8, 0x41]))).toMatchObject({ ok: false, message: expect.stringContaining('not a CSV text file') })
    expect(decodeCsvFile(new Uint8Array(MAX_IMPORT_BYTES + 1).fill(0x41))).toMatchObject({ ok: false, message: expect.stringContaining('larger than 5 MB') })
  })

  it('reads Windows-1252 text, as older Excel versions save CSV', () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('side,comment\ncustomer,M'), 0xfc, ...new TextEncoder().encode('ller\n')])
    expect(decodeCsvFile(bytes)).toEqual({ ok: true, text: 'side,comment\ncustomer,Müller\n' })
  })
})

describe('the one decoding and delimiter every import reads with', () => {
  it('tells commas, semicolons and tabs apart by the first line, outside quotes, and takes commas on a tie', () => {
    expect(detectDelimiter('side\tunit\teasy\nstaff,a;b\t4')).toBe('\t')
    expect(detectDelimiter('"a\tb\tc";side;unit\n')).toBe(';')
    expect(detectDelimiter('\uFEFFside;unit\n')).toBe(';')
    expect(detectDelimiter('side,unit;easy\n')).toBe(',')
    expect(detectDelimiter('side\n')).toBe(',')
  })

  it('reads a tab-separated file of responses', () => {
    const csv = read('side\tunit\teasy\tcomment\ncustomer\tNorth branch\t4\tSlow, but friendly; kind\n')
    expect(csv.delimiter).toBe('\t')
    expect(csv.rows[0]!.input).toMatchObject({ unit: 'North branch', answers: { easy: 4 }, comment: 'Slow, but friendly; kind' })
  })

  it('decodes a stream chunk by chunk as it decodes the whole file, a character split between chunks included', () => {
    const bytes = new TextEncoder().encode('\uFEFFemail,name\nzoe@example.test,Zoë Müller 👋\n')
    const whole = decodeCsvBytes(bytes)
    expect(whole).toEqual({ ok: true, text: 'email,name\nzoe@example.test,Zoë Müller 👋\n', encoding: 'utf-8' })
    const decoder = new CsvDecoder()
    let text = ''
    for (let i = 0; i < bytes.length; i += 3) text += decoder.text(bytes.subarray(i, i + 3))
    text += decoder.end()
    expect(text.replace(/^\uFEFF/, '')).toBe(whole.ok && whole.text)
    expect(decoder.encoding).toBe('utf-8')
  })

  it('decides for Windows-1252 by the first bytes above ASCII, and refuses control characters wherever they are', () => {
    const decoder = new CsvDecoder()
    expect(decoder.text(new TextEncoder().encode('email,name\n'))).toBe('email,name\n')
    expect(decoder.text(new Uint8Array([0x4d, 0xfc, 0x6c]))).toBe('Mül')
    expect(decoder.encoding).toBe('windows-1252')
    const later = new CsvDecoder()
    later.text(new TextEncoder().encode('email,name\n'))
    expect(later.text(new Uint8Array([0x61, 0x07, 0x62]))).toBe('')
    expect(later.problem).toContain('not a CSV text file')
  })
})

describe('the wording of problems', () => {
  it('writes every problem as "Line N[, column]: message." and counts the lines that have one', () => {
    const problems = [{ row: 3, field: 'easy', message: '"9" is not an answer' }, { row: 3, field: '', message: 'duplicate of row 2.' }, { row: 5, field: '', message: 'email is missing' }]
    expect(problems.map(problemText)).toEqual(['Line 3, easy: "9" is not an answer.', 'Line 3: duplicate of row 2.', 'Line 5: email is missing.'])
    expect(linesWithProblems(problems)).toBe(2)
  })
})

describe('checking the rows of a CSV file', () => {
  it('gives the responses as they will be stored when every row is right', () => {
    const checked = checkCsvImport(read('side,unit,easy,comment,tier\ncustomer,North branch,4,  Fine  ,gold\nstaff,,na,,\n'), CONTEXT)
    expect(checked.problems).toEqual([])
    expect(checked.rows.map((row) => row.value)).toEqual([
      { side: 'customer', unitId: NORTH, attributes: { tier: 'gold' }, answers: { easy: 4 }, comment: 'Fine' },
      { side: 'staff', unitId: null, attributes: {}, answers: { easy: null }, comment: null },
    ])
  })

  it('reports every problem on its spreadsheet line and column, and stores none of the rows that have one', () => {
    const text = [
      'side,unit,excellent_service,easy,recommend,comment,tier',
      'customer,North branch,5,4,9,ok,gold', // line 2: fine
      'client,South branch,6,four,11,,', // line 3: side, unit, three answers
      '',
      'staff,,,,,,', // line 5: nothing answered
      `customer,,4,,,${'x'.repeat(2001)},${'y'.repeat(201)}`, // line 6: comment and attribute too long
    ].join('\n')
    const checked = checkCsvImport(read(text), CONTEXT)
    const shown = checked.problems.map((p) => `line ${p.row}, ${p.field}: ${p.message}`)
    expect(shown).toEqual([
      'line 3, excellent_service: "6" is not an answer: use a whole number from 1 to 5, "na" for not applicable, or leave the cell empty',
      'line 3, easy: "four" is not an answer: use a whole number from 1 to 5, "na" for not applicable, or leave the cell empty',
      'line 3, recommend: "11" is not an answer: use a whole number from 0 to 10, "na" for not applicable, or leave the cell empty',
      'line 3, side: must be "staff" or "customer"',
      'line 3, unit: "South branch" is not one of your units',
      'line 5, answers: must answer at least one item',
      'line 6, tier: must be text of at most 200 characters',
      'line 6, comment: must be at most 2000 characters',
    ])
    expect(checked.rows.map((row) => row.value === null)).toEqual([false, true, true, true])
  })

  it('turns the row numbers and fields of checkImport into spreadsheet lines and column names', () => {
    const problems = [{ row: 1, field: 'answers.easy', message: 'm' }, { row: 2, field: 'attributes.tier', message: 'm' }, { row: 2, field: 'unit', message: 'm' }]
    expect(toSpreadsheetProblems(problems, [2, 7])).toEqual([{ row: 2, field: 'easy', message: 'm' }, { row: 7, field: 'tier', message: 'm' }, { row: 7, field: 'unit', message: 'm' }])
  })

  it('keeps markup in cells as plain text', () => {
    const checked = checkCsvImport(read('side,easy,comment,tier\ncustomer,4,<script>alert(1)</script>,"""><img src=x onerror=alert(1)>"\n'), CONTEXT)
    expect(checked.rows[0]!.value).toMatchObject({ comment: '<script>alert(1)</script>', attributes: { tier: '"><img src=x onerror=alert(1)>' } })
  })
})

describe('the example on the upload page', () => {
  it('is a file that reads back without problems', () => {
    const example = exampleCsv(ITEMS, 'North branch')
    expect(example.header).toBe('side,unit,excellent_service,easy,recommend,comment,region')
    const checked = checkCsvImport(read(`${example.header}\n${example.row}\n`), CONTEXT)
    expect(checked.problems).toEqual([])
    expect(checked.rows[0]!.value).toMatchObject({ side: 'customer', unitId: NORTH, comment: 'Quick, friendly help', attributes: { region: 'north' } })
  })
})
