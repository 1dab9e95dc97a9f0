// What makes a response valid, whichever way it arrives: the survey form, the JSON import or a CSV
// file. Pure functions; problems come back as codes (for the respondent's language) or as English
// messages per field (for the API and the import preview).
import { isOnScale, scaleValues } from './scale.js'
import { PREDICTION_MAX, PREDICTION_MIN, predictionKey } from './predictions.js'
import type { Scale, Side } from './types.js'
import type { RowProblem } from './problems.js'
import { archivedUnitMessage, findUnit, type UnitIndex } from './units.js'

export const MAX_COMMENT_LENGTH = 2000
export const MAX_ATTRIBUTES = 20
export const MAX_IMPORT_ROWS = 10_000

export interface ItemSpec {
  key: string
  scale: Scale
  /** Whether every response must answer it (a value, or "not applicable"); the instrument decides. */
  required: boolean
  /** Whether the wave's staff predict customers' answers to it (domain/predictions.ts). */
  predicted?: boolean
}

export type Answers = Record<string, number | null>

/**
 * Why a respondent's form needs correcting, per field; the page words it in their language. `empty`
 * is the form's own (field `_form`): no statement answered at all, where none is required.
 */
export type FormProblem = 'required' | 'invalid' | 'too_long' | 'empty'

/**
 * The rule on which answers a respondent's form must carry: every required item answered, with a
 * value or "not applicable" (null), and at least one item answered. Imports (JSON, CSV, the API) keep
 * answers collected elsewhere and refuse only an empty row (checkImportedResponse). A key absent from `answers` is an item not answered (skipped): it is
 * stored as no answer at all, apart from "not applicable" (null), and like it counts in no share's n.
 * Returns the required items missing, and whether no item is answered at all.
 */
export function unansweredItems(items: readonly ItemSpec[], answers: Readonly<Answers>): { missing: string[]; empty: boolean } {
  const answered = (key: string) => Object.hasOwn(answers, key)
  const missing = items.filter((item) => item.required && !answered(item.key)).map((item) => item.key)
  return { missing, empty: !items.some((item) => answered(item.key)) }
}

export interface SurveyForm {
  answers: Answers
  unitId: string | null
  comment: string | null
}

/** Whether a value is a prediction: how many out of 10 customers, a whole number from 0 to 10. */
export const isPrediction = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= PREDICTION_MIN && value <= PREDICTION_MAX

/**
 * Reads the survey form: `a_<key>` is a scale value, "na" (stored as null) or nothing (skipped, not
 * stored) for every item, as the instrument's `required` and unansweredItems allow; then
 * `p_<key>` for every item in `predicted` (staff of a wave with prediction questions): 0 … 10 or "na"
 * ("I can't say") or nothing, required where its item is, stored under `predict:<key>`. `unit` is optional and must be one of
 * `unitIds`, `comment` is optional text.
 */
export function readSurveyForm(
  items: readonly ItemSpec[],
  form: Record<string, unknown>,
  unitIds: readonly string[],
  predicted: readonly string[] = [],
): { ok: true; value: SurveyForm } | { ok: false; problems: Record<string, FormProblem>; value: Partial<SurveyForm> } {
  const problems: Record<string, FormProblem> = {}
  const answers: Answers = {}
  const read = (field: string, answerKey: string, valid: (value: number) => boolean, required: boolean) => {
    const raw = form[field]
    if (raw === undefined || raw === '') {
      if (required) problems[field] = 'required'
    } else if (raw === 'na') answers[answerKey] = null
    else if (typeof raw === 'string' && /^\d{1,2}$/.test(raw) && valid(Number(raw))) answers[answerKey] = Number(raw)
    else problems[field] = 'invalid'
  }
  for (const item of items) read(`a_${item.key}`, item.key, (value) => isOnScale(item.scale, value), false)
  // An answer that is there but off the scale is its own problem, not also a missing one; an empty
  // form is one problem, the form's, unless a field has one already (a required item, then).
  const { missing, empty } = unansweredItems(items, answers)
  for (const key of missing) problems[`a_${key}`] ??= 'required'
  if (empty && !items.some((item) => problems[`a_${item.key}`])) problems._form = 'empty'
  // A prediction must be given where its statement must be (the headline's, as a rule): an empty staff
  // form names two problems, not a list of every prediction.
  const required = new Set(items.filter((item) => item.required).map((item) => item.key))
  for (const key of predicted) read(`p_${key}`, predictionKey(key), isPrediction, required.has(key))
  const rawUnit = typeof form.unit === 'string' ? form.unit : ''
  let unitId: string | null = null
  if (form.unit !== undefined && typeof form.unit !== 'string') problems.unit = 'invalid'
  else if (rawUnit !== '') {
    if (unitIds.includes(rawUnit)) unitId = rawUnit
    else problems.unit = 'invalid'
  }
  const rawComment = form.comment
  let comment: string | null = null
  if (rawComment !== undefined && typeof rawComment !== 'string') problems.comment = 'invalid'
  else if (typeof rawComment === 'string') {
    const trimmed = rawComment.replace(/\r\n/g, '\n').trim()
    if (trimmed.length > MAX_COMMENT_LENGTH) problems.comment = 'too_long'
    comment = trimmed === '' ? null : trimmed
  }
  const value = { answers, unitId, comment }
  return Object.keys(problems).length > 0 ? { ok: false, problems, value } : { ok: true, value }
}

export interface ImportedResponse {
  side: Side
  /** The unit's id, resolved from the name or id given. */
  unitId: string | null
  attributes: Record<string, string>
  answers: Answers
  comment: string | null
}

export interface ImportContext {
  items: readonly ItemSpec[]
  /** The organization's units, found by id or name (findUnit). */
  units: UnitIndex
}

/** Attribute names: a letter, then letters, digits and _, at most 40 characters. */
export const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/

/**
 * One imported response, from JSON or from a CSV row already turned into that shape. `row` numbers
 * the problems (1-based, as people count rows). Missing item keys count as "not answered", stored as
 * no answer, as a skipped statement on the form is; a required item may be missing here, since the
 * answers were collected elsewhere (see unansweredItems). A staff
 * row of a wave with prediction questions may carry `predictions` ({itemKey: 0 … 10 or null}) for the
 * items the wave predicts; they are kept among the answers under `predict:<key>`.
 */
export function checkImportedResponse(input: unknown, row: number, context: ImportContext): { value: ImportedResponse | null; problems: RowProblem[] } {
  const problems: RowProblem[] = []
  const problem = (field: string, message: string) => problems.push({ row, field, message })
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    problem('', 'must be an object with side and answers')
    return { value: null, problems }
  }
  const r = input as Record<string, unknown>
  for (const key of Object.keys(r)) {
    if (!['side', 'unit', 'attributes', 'answers', 'predictions', 'comment'].includes(key)) problem(key, 'is not a known field (side, unit, attributes, answers, predictions, comment)')
  }
  const side = r.side
  if (side !== 'staff' && side !== 'customer') problem('side', 'must be "staff" or "customer"')

  let unitId: string | null = null
  if (r.unit !== undefined && r.unit !== null && r.unit !== '') {
    if (typeof r.unit !== 'string') problem('unit', 'must be a unit name or id')
    else {
      const found = findUnit(context.units, r.unit)
      unitId = found && !found.archived ? found.id : null
      if (found?.archived) problem('unit', archivedUnitMessage(found))
      else if (unitId === null) problem('unit', `"${r.unit.slice(0, 100)}" is not one of your units`)
    }
  }

  const attributes: Record<string, string> = {}
  if (r.attributes !== undefined && r.attributes !== null) {
    if (typeof r.attributes !== 'object' || Array.isArray(r.attributes)) problem('attributes', 'must be an object of text values')
    else {
      const entries = Object.entries(r.attributes as Record<string, unknown>)
      if (entries.length > MAX_ATTRIBUTES) problem('attributes', `can have at most ${MAX_ATTRIBUTES} entries`)
      for (const [name, value] of entries) {
        if (!ATTRIBUTE_NAME.test(name)) problem(`attributes.${name.slice(0, 40)}`, 'names start with a letter and use letters, digits and _ (at most 40)')
        else if (typeof value === 'number' || typeof value === 'boolean') attributes[name] = String(value)
        else if (typeof value !== 'string' || value.length > 200) problem(`attributes.${name}`, 'must be text of at most 200 characters')
        else attributes[name] = value
      }
    }
  }

  const answers: Answers = {}
  const known = new Map(context.items.map((item) => [item.key, item]))
  if (typeof r.answers !== 'object' || r.answers === null || Array.isArray(r.answers)) problem('answers', 'must be an object of item keys to values')
  else {
    for (const [key, value] of Object.entries(r.answers as Record<string, unknown>)) {
      const item = known.get(key)
      if (!item) problem(`answers.${key.slice(0, 60)}`, 'is not an item of this wave')
      else if (value === null) answers[key] = null
      else if (typeof value !== 'number' || !isOnScale(item.scale, value)) {
        const values = scaleValues(item.scale)
        problem(`answers.${key}`, `must be a whole number from ${values[0]} to ${values.at(-1)}, or null for not applicable`)
      } else answers[key] = value
    }
    // Imported answers were collected elsewhere (paper, another tool), where a required question may
    // have been skipped: an import keeps what was answered, and only an empty one is refused.
    if (Object.keys(r.answers as object).length === 0) problem('answers', 'must answer at least one item')
  }
  if (r.predictions !== undefined && r.predictions !== null) {
    if (typeof r.predictions !== 'object' || Array.isArray(r.predictions)) problem('predictions', 'must be an object of item keys to 0 … 10, or null')
    else if (side !== 'staff' && Object.keys(r.predictions).length > 0) problem('predictions', 'only staff rows carry predictions of what customers say')
    else {
      for (const [key, value] of Object.entries(r.predictions as Record<string, unknown>)) {
        const item = known.get(key)
        if (!item) problem(`predictions.${key.slice(0, 60)}`, 'is not an item of this wave')
        else if (!item.predicted) problem(`predictions.${key}`, 'is not an item this wave\'s staff predict')
        else if (value !== null && !isPrediction(value)) problem(`predictions.${key}`, 'must be a whole number from 0 to 10 (how many out of 10 customers), or null for "can\'t say"')
        else answers[predictionKey(key)] = value
      }
    }
  }

  let comment: string | null = null
  if (r.comment !== undefined && r.comment !== null) {
    if (typeof r.comment !== 'string') problem('comment', 'must be text')
    else if (r.comment.length > MAX_COMMENT_LENGTH) problem('comment', `must be at most ${MAX_COMMENT_LENGTH} characters`)
    else comment = r.comment.trim() || null
  }
  if (problems.length > 0) return { value: null, problems }
  return { value: { side: side as Side, unitId, attributes, answers, comment }, problems }
}

/** Checks a whole batch; all or nothing, so the result has either every value or the problems. */
export function checkImport(rows: readonly unknown[], context: ImportContext): { ok: true; value: ImportedResponse[] } | { ok: false; problems: RowProblem[] } {
  if (rows.length === 0) return { ok: false, problems: [{ row: 0, field: '', message: 'there are no responses to import' }] }
  if (rows.length > MAX_IMPORT_ROWS) return { ok: false, problems: [{ row: 0, field: '', message: `at most ${MAX_IMPORT_ROWS} responses per request` }] }
  const value: ImportedResponse[] = []
  const problems: RowProblem[] = []
  rows.forEach((row, index) => {
    const checked = checkImportedResponse(row, index + 1, context)
    if (checked.value) value.push(checked.value)
    problems.push(...checked.problems)
  })
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value }
}
