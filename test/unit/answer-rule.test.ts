// Which answers a response must carry: the survey form follows each item's `required` (a skipped
// optional item is not answered; an empty form is one problem, the form's), while an import keeps the
// answers collected elsewhere and refuses only an empty row.
import { describe, expect, it } from 'vitest'
import { checkImportedResponse, readSurveyForm, unansweredItems, type ItemSpec } from '../../server/domain/responses.js'
import { unitIndex } from '../../server/domain/units.js'

const ITEMS: ItemSpec[] = [
  { key: 'excellent_service', scale: 'agree5', required: true },
  { key: 'easy', scale: 'agree5', required: false },
  { key: 'recommend', scale: 'likelihood11', required: false },
]
const OPTIONAL = ITEMS.map((item) => ({ ...item, required: false }))

describe('unansweredItems', () => {
  it('names the required items missing; "not applicable" (null) answers them', () => {
    expect(unansweredItems(ITEMS, {})).toEqual({ missing: ['excellent_service'], empty: true })
    expect(unansweredItems(ITEMS, { easy: 3 })).toEqual({ missing: ['excellent_service'], empty: false })
    expect(unansweredItems(ITEMS, { excellent_service: null })).toEqual({ missing: [], empty: false })
    expect(unansweredItems(OPTIONAL, {})).toEqual({ missing: [], empty: true })
  })

  it('is not fooled by keys an object inherits', () => {
    expect(unansweredItems([{ key: 'constructor', scale: 'agree5', required: true }], {}).missing).toEqual(['constructor'])
  })
})

describe('readSurveyForm', () => {
  it('stores only what was answered: a skip is left out, "na" is null', () => {
    expect(readSurveyForm(ITEMS, { a_excellent_service: '4', a_easy: 'na' }, [])).toEqual({ ok: true, value: { answers: { excellent_service: 4, easy: null }, unitId: null, comment: null } })
  })

  it('names only the required item missing, and an off-scale value as invalid, not also missing', () => {
    expect(readSurveyForm(ITEMS, { a_easy: '2' }, [])).toMatchObject({ ok: false, problems: { a_excellent_service: 'required' } })
    const read = readSurveyForm(ITEMS, { a_excellent_service: '9', a_recommend: '11' }, [])
    expect(read).toMatchObject({ ok: false, problems: { a_excellent_service: 'invalid', a_recommend: 'invalid' } })
    expect(Object.keys((read as { problems: object }).problems)).toHaveLength(2)
  })

  it('answers an empty form with one problem for the form when nothing is required', () => {
    expect(readSurveyForm(OPTIONAL, { comment: 'hi' }, [])).toEqual({ ok: false, problems: { _form: 'empty' }, value: { answers: {}, unitId: null, comment: 'hi' } })
    expect(readSurveyForm(OPTIONAL, { a_recommend: 'na' }, [])).toMatchObject({ ok: true })
    // With a required item, that item is the problem, not the form.
    expect(readSurveyForm(ITEMS, {}, [])).toMatchObject({ ok: false, problems: { a_excellent_service: 'required' } })
    expect((readSurveyForm(ITEMS, {}, []) as { problems: object }).problems).not.toHaveProperty('_form')
  })
})

describe('checkImportedResponse', () => {
  const context = { items: ITEMS, units: unitIndex([]) }
  it('keeps an imported row without a required item, and refuses only an empty one', () => {
    expect(checkImportedResponse({ side: 'customer', answers: { easy: 4 } }, 1, context)).toMatchObject({ value: { answers: { easy: 4 } }, problems: [] })
    expect(checkImportedResponse({ side: 'customer', answers: {} }, 1, context).problems).toEqual([{ row: 1, field: 'answers', message: 'must answer at least one item' }])
  })
})
