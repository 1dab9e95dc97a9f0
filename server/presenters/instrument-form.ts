// The instrument builder's form: what its fields are called, how a posted form is read back (every
// typed value kept, also in languages not chosen right now), the edits its buttons make before
// anything is saved (add, remove, move up or down), and the definition "Save" hands to the service.
// Field names are the validation's field paths (`items.3.customerText.fr`), so an error lands on
// the field it is about without any mapping.
import { LOCALES, type InstrumentDefinition, type ItemDefinition } from '../domain/instrument.js'
import { SCALES } from '../domain/scale.js'
import type { LocalizedText } from '../domain/types.js'

/** Texts keyed by language; every supported language has an entry, empty when nothing was typed. */
export type FormTexts = Record<string, string>

export interface ItemForm {
  key: string
  dimension: string
  scale: string
  headline: boolean
  required: boolean
  staffText: FormTexts
  customerText: FormTexts
  staffPredictText: FormTexts
}

export interface InstrumentForm {
  key: string
  name: string
  locales: string[]
  staffQuestion: FormTexts
  customerQuestion: FormTexts
  items: ItemForm[]
}

/** What a button of the form asks for. Only 'save' stores anything. */
export type FormAction =
  | { kind: 'save' }
  | { kind: 'add' }
  | { kind: 'languages' }
  | { kind: 'remove' | 'up' | 'down'; index: number }

/** More rows than this are not read from a posted form (the validation caps an instrument well below). */
const MAX_FORM_ITEMS = 100

const texts = (from?: LocalizedText | null): FormTexts =>
  Object.fromEntries(LOCALES.map((locale) => [locale, from && Object.hasOwn(from, locale) ? from[locale]! : '']))

export function blankItem(): ItemForm {
  return { key: '', dimension: '', scale: 'agree5', headline: false, required: false, staffText: texts(), customerText: texts(), staffPredictText: texts() }
}

/** A stored definition as the form shows it. */
export function formFromDefinition(def: InstrumentDefinition): InstrumentForm {
  return {
    key: def.key,
    name: def.name,
    locales: [...def.locales],
    staffQuestion: texts(def.staffQuestion),
    customerQuestion: texts(def.customerQuestion),
    items: def.items.map((item) => ({
      key: item.key,
      dimension: item.dimension,
      scale: item.scale,
      headline: item.headline,
      required: item.required,
      staffText: texts(item.staffText),
      customerText: texts(item.customerText),
      staffPredictText: texts(item.staffPredictText),
    })),
  }
}

type Body = Record<string, unknown>
const field = (body: Body, name: string): string => {
  const value = Object.hasOwn(body, name) ? body[name] : undefined
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === 'string' ? first : ''
}
const list = (body: Body, name: string): string[] => {
  const value = Object.hasOwn(body, name) ? body[name] : undefined
  return [value].flat().filter((entry): entry is string => typeof entry === 'string')
}
const textsOf = (body: Body, prefix: string): FormTexts =>
  Object.fromEntries(LOCALES.map((locale) => [locale, field(body, `${prefix}.${locale}`)]))

/**
 * Reads a posted builder form. The instrument key comes from the stored instrument when it has one
 * (it cannot change); the form's own `key` field is read only for a new instrument.
 */
export function parseInstrumentForm(body: Body, fixedKey?: string): InstrumentForm {
  const headline = field(body, 'headline')
  const items: ItemForm[] = []
  for (let index = 0; index < MAX_FORM_ITEMS && Object.hasOwn(body, `items.${index}.key`); index++) {
    const path = `items.${index}`
    items.push({
      key: field(body, `${path}.key`),
      dimension: field(body, `${path}.dimension`),
      scale: field(body, `${path}.scale`),
      headline: headline === String(index),
      required: field(body, `${path}.required`) === 'yes',
      staffText: textsOf(body, `${path}.staffText`),
      customerText: textsOf(body, `${path}.customerText`),
      staffPredictText: textsOf(body, `${path}.staffPredictText`),
    })
  }
  const chosen = new Set(list(body, 'locales'))
  return {
    key: fixedKey ?? field(body, 'key'),
    name: field(body, 'name'),
    // In the order of the supported languages, whatever order the browser sent them in.
    locales: LOCALES.filter((locale) => chosen.has(locale)),
    staffQuestion: textsOf(body, 'staffQuestion'),
    customerQuestion: textsOf(body, 'customerQuestion'),
    items,
  }
}

/** The button pressed; pressing Enter in a field sends the form's first button, which is "Save". */
export function formAction(body: Body): FormAction {
  const value = field(body, 'action')
  if (value === 'add' || value === 'languages') return { kind: value }
  const match = /^(remove|up|down):(\d{1,3})$/.exec(value)
  if (match) return { kind: match[1] as 'remove' | 'up' | 'down', index: Number(match[2]) }
  return { kind: 'save' }
}

/**
 * The form after an edit button, and which control should have the focus afterwards (the moved item's
 * same button, the new item's key, the item that took a removed one's place), so a keyboard user
 * can carry on where they were. Indices out of range change nothing.
 */
export function applyFormAction(form: InstrumentForm, action: FormAction): { form: InstrumentForm; focus: string | null } {
  const items = [...form.items]
  switch (action.kind) {
    case 'add':
      items.push(blankItem())
      return { form: { ...form, items }, focus: `items.${items.length - 1}.key` }
    case 'remove':
      if (action.index >= items.length) return { form, focus: null }
      items.splice(action.index, 1)
      return { form: { ...form, items }, focus: items.length === 0 ? 'add-item' : `items.${Math.min(action.index, items.length - 1)}.key` }
    case 'up':
    case 'down': {
      const to = action.kind === 'up' ? action.index - 1 : action.index + 1
      if (action.index >= items.length || to < 0 || to >= items.length) return { form, focus: null }
      ;[items[action.index], items[to]] = [items[to]!, items[action.index]!]
      // At the top or bottom the same button is gone; the other one of the pair is there.
      const edge = (action.kind === 'up' && to === 0) || (action.kind === 'down' && to === items.length - 1)
      return { form: { ...form, items }, focus: `${edge ? (action.kind === 'up' ? 'down' : 'up') : action.kind}-${to}` }
    }
    default:
      return { form, focus: null }
  }
}

const localized = (from: FormTexts, locales: readonly string[]): LocalizedText =>
  Object.fromEntries(locales.map((locale) => [locale, from[locale] ?? '']))

/**
 * The definition "Save" hands on, with texts in the chosen languages only; a prediction wording left
 * empty everywhere is none. The validation (domain/instrument.ts) judges the rest, by field path.
 */
export function definitionFromForm(form: InstrumentForm, version: number): InstrumentDefinition {
  return {
    key: form.key.trim(),
    version,
    name: form.name,
    locales: form.locales,
    staffQuestion: localized(form.staffQuestion, form.locales),
    customerQuestion: localized(form.customerQuestion, form.locales),
    items: form.items.map((item): ItemDefinition => {
      const predict = localized(item.staffPredictText, form.locales)
      return {
        key: item.key,
        dimension: item.dimension,
        // An unknown scale stays what was sent, so the validation names it on its field.
        scale: item.scale as ItemDefinition['scale'],
        headline: item.headline,
        required: item.required,
        staffText: localized(item.staffText, form.locales),
        customerText: localized(item.customerText, form.locales),
        staffPredictText: Object.values(predict).some((text) => text.trim() !== '') ? predict : null,
      }
    }),
  }
}

/** The scales the form offers, with their names. */
export const SCALE_CHOICES = SCALES.map((scale) => ({ value: scale, label: scale === 'agree5' ? '5-point agreement (1–5)' : '0–10 likelihood' }))

/** The languages as the form lists them: every supported one, or the chosen ones, with their names. */
export const languagesOf = (codes: readonly string[], name: (code: string) => string) => codes.map((code) => ({ code, name: name(code) }))

/** Wordings typed in a language that is not chosen right now, as hidden fields to carry along. */
export function keptTexts(form: InstrumentForm): Array<[string, string]> {
  const out: Array<[string, string]> = []
  const hidden = LOCALES.filter((locale) => !form.locales.includes(locale))
  const add = (prefix: string, values: FormTexts) => {
    for (const locale of hidden) if (values[locale]) out.push([`${prefix}.${locale}`, values[locale]!])
  }
  add('staffQuestion', form.staffQuestion)
  add('customerQuestion', form.customerQuestion)
  form.items.forEach((item, index) => {
    add(`items.${index}.staffText`, item.staffText)
    add(`items.${index}.customerText`, item.customerText)
    add(`items.${index}.staffPredictText`, item.staffPredictText)
  })
  return out
}
