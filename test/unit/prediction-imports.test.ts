// Staff predictions in imported responses (issue 14): `predictions` in a JSON row and `predict:<key>`
// columns in a CSV file, for staff rows and the items the wave predicts only, 0 … 10 or can't say.
import { describe, expect, it } from 'vitest'
import { checkCsvImport, readCsvImport } from '../../server/domain/csv-import.js'
import { checkImportedResponse, readSurveyForm, type ImportContext, type ItemSpec } from '../../server/domain/responses.js'
import { unitIndex } from '../../server/domain/units.js'

const ITEMS: ItemSpec[] = [
  { key: 'excellent_service', scale: 'agree5', required: true, predicted: true },
  { key: 'easy', scale: 'agree5', required: false, predicted: false },
]
const CONTEXT: ImportContext = { items: ITEMS, units: unitIndex([]) }

describe('predictions in a JSON row', () => {
  it('are kept among the answers under predict:<key>, a number or null', () => {
    const checked = checkImportedResponse({ side: 'staff', answers: { easy: 4 }, predictions: { excellent_service: 0 } }, 1, CONTEXT)
    expect(checked.problems).toEqual([])
    expect(checked.value!.answers).toEqual({ easy: 4, 'predict:excellent_service': 0 })
    expect(checkImportedResponse({ side: 'staff', answers: { easy: 4 }, predictions: { excellent_service: null } }, 1, CONTEXT).value!.answers)
      .toEqual({ easy: 4, 'predict:excellent_service': null })
  })

  it('are refused on customer rows, for items not predicted, and outside 0 … 10', () => {
    const fields = (row: object) => checkImportedResponse(row, 3, CONTEXT).problems.map((p) => `${p.row} ${p.field}`)
    expect(fields({ side: 'customer', answers: { easy: 4 }, predictions: { excellent_service: 5 } })).toEqual(['3 predictions'])
    expect(fields({ side: 'staff', answers: { easy: 4 }, predictions: { easy: 5 } })).toEqual(['3 predictions.easy'])
    for (const value of [-1, 11, 4.5, '5', true]) {
      expect(fields({ side: 'staff', answers: { easy: 4 }, predictions: { excellent_service: value } }), String(value)).toEqual(['3 predictions.excellent_service'])
    }
    // An empty set of predictions on a customer row carries none, so there is nothing to refuse.
    expect(fields({ side: 'customer', answers: { easy: 4 }, predictions: {} })).toEqual([])
  })
})

describe('predict:<key> columns in a CSV file', () => {
  it('are read for the items the wave predicts, and a customer row with one is refused by its column', () => {
    const read = readCsvImport('side,easy,predict:excellent_service\nstaff,4,7\nstaff,5,na\nstaff,3,\ncustomer,4,\ncustomer,4,2\n', ITEMS)
    if (!read.ok) throw new Error(read.message)
    const checked = checkCsvImport(read.value, CONTEXT)
    expect(checked.rows.slice(0, 4).map((row) => row.value?.answers)).toEqual([
      { easy: 4, 'predict:excellent_service': 7 }, { easy: 5, 'predict:excellent_service': null }, { easy: 3 }, { easy: 4 },
    ])
    expect(checked.problems).toEqual([{ row: 6, field: 'predictions', message: 'only staff rows carry predictions of what customers say' }])
  })

  it('refuses a cell that is no prediction, by line and column', () => {
    const read = readCsvImport('side,easy,predict:excellent_service\nstaff,4,11\nstaff,4,seven\n', ITEMS)
    if (!read.ok) throw new Error(read.message)
    expect(checkCsvImport(read.value, CONTEXT).problems.map((p) => `${p.row} ${p.field}`)).toEqual(['2 predict:excellent_service', '3 predict:excellent_service'])
  })

  it('refuses a file whose prediction column the wave does not predict', () => {
    const notPredicted = readCsvImport('side,easy,predict:easy\nstaff,4,5\n', ITEMS)
    expect(notPredicted.ok ? '' : notPredicted.message).toContain('this wave\'s staff do not predict "easy"')
    const unknown = readCsvImport('side,easy,predict:nothing\nstaff,4,5\n', ITEMS)
    expect(unknown.ok ? '' : unknown.message).toContain('"nothing" is not an item of this wave')
  })
})

describe('predictions in the survey form', () => {
  it('are required where their item is, 0 … 10 or "na", and stored as predict:<key>', () => {
    // The prediction of an optional item may be left out, and then nothing is stored for it.
    const optional = ITEMS.map((item) => ({ ...item, predicted: true }))
    expect(readSurveyForm(optional, { a_excellent_service: '4', p_excellent_service: '5' }, [], ['excellent_service', 'easy']))
      .toEqual({ ok: true, value: { answers: { excellent_service: 4, 'predict:excellent_service': 5 }, unitId: null, comment: null } })
    const form = { a_excellent_service: '4', a_easy: '5' }
    expect(readSurveyForm(ITEMS, form, [], ['excellent_service'])).toMatchObject({ ok: false, problems: { p_excellent_service: 'required' } })
    expect(readSurveyForm(ITEMS, { ...form, p_excellent_service: '11' }, [], ['excellent_service'])).toMatchObject({ ok: false, problems: { p_excellent_service: 'invalid' } })
    expect(readSurveyForm(ITEMS, { ...form, p_excellent_service: ['1', '2'] }, [], ['excellent_service'])).toMatchObject({ ok: false, problems: { p_excellent_service: 'invalid' } })
    expect(readSurveyForm(ITEMS, { ...form, p_excellent_service: '10' }, [], ['excellent_service']))
      .toEqual({ ok: true, value: { answers: { excellent_service: 4, easy: 5, 'predict:excellent_service': 10 }, unitId: null, comment: null } })
    expect(readSurveyForm(ITEMS, { ...form, p_excellent_service: 'na' }, [], ['excellent_service'])).toMatchObject({ ok: true, value: { answers: { 'predict:excellent_service': null } } })
    // Without prediction questions a p_ field is no answer at all.
    expect(readSurveyForm(ITEMS, { ...form, p_excellent_service: '3' }, [])).toMatchObject({ ok: true, value: { answers: { excellent_service: 4, easy: 5 } } })
  })
})
