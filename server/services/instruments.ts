// The instrument builder for the pages and the API alike: an organization's instruments (the built-in
// ones, read-only, and its own), starting one (blank, from a built-in one or a copy of its own), saving
// one and deleting one. A version no wave uses is edited in place; saving a version a wave uses (it is
// frozen) makes the next version under the same key, so the waves that ran the old one keep it and the
// trend lines items up by key. Every change lands with its audit entry in one transaction.
import { isUniqueViolation, type Db } from '../../db/connect.js'
import { isUuid } from '../domain/formats.js'
import {
  cleanDefinition, instrumentFieldProblems, type FieldProblems, type InstrumentDefinition, type ItemDefinition,
} from '../domain/instrument.js'
import { BUILT_IN_INSTRUMENTS } from '../domain/built-in-instruments.js'
import { wordingChanges } from '../domain/wording-changes.js'
import { HttpError, notFound } from '../http-error.js'
import { atomically } from '../repositories/atomically.js'
import {
  deleteOwnInstrument, findInstrument, instrumentInUse, instrumentKeyTaken, listInstrumentVersionPage, listInstrumentVersions, lockInstrumentKey, replaceInstrument,
  type InstrumentVersion,
} from '../repositories/instrument-versions.js'
import { createInstrument } from '../repositories/instruments.js'
import type { Page, PageRequest } from '../repositories/keyset.js'
import { audit, type Caller } from './audit.js'

export type { FieldProblems, InstrumentDefinition, ItemDefinition, InstrumentVersion }

/** Whoever changes an instrument: a signed-in request (its principal names the organization). */
export type InstrumentCaller = Caller

/** One version with everything in it: every language, required, scale, prediction wording. */
export interface InstrumentDetail extends InstrumentVersion {
  definition: InstrumentDefinition
  /** The newest version of the same key: a page can say that a newer one exists. */
  newestVersion: number
}

/** What a person saves: a definition without its version (the service decides it); the key, if given, must stay the same. */
export type InstrumentInput = Omit<InstrumentDefinition, 'version' | 'key'> & { key?: string }

/** Where a new instrument starts: 'blank', a built-in key ('service-gap-index'), or the id of a version the organization can see. */
export interface InstrumentStart { from: string; key: string; name: string }

export type SaveResult =
  | { ok: true; id: string; key: string; version: number; createdVersion: boolean }
  | { ok: false; errors: FieldProblems }

function organizationOf(caller: Caller): string {
  if (!caller.principal) throw new Error('changing an instrument needs a signed-in person')
  return caller.principal.organizationId
}

const newestBuiltIn = (key: string) =>
  BUILT_IN_INSTRUMENTS.filter((def) => def.key === key).sort((a, b) => b.version - a.version)[0]

/** Every version the organization can use or edit: built-in first, then its own; by key, newest version first. */
export async function listInstruments(db: Db, organizationId: string): Promise<InstrumentVersion[]> {
  return (await listInstrumentVersions(db, organizationId)).map(({ row: _row, ...version }) => version)
}

/** One page of the versions (as listInstruments). */
export async function listInstrumentPage(db: Db, organizationId: string, page: PageRequest): Promise<Page<InstrumentVersion>> {
  return listInstrumentVersionPage(db, organizationId, page)
}

/** One version, built-in or the organization's own. Not found for another organization's, an unknown id, or an id that is no UUID. */
export async function getInstrument(db: Db, organizationId: string, id: string): Promise<InstrumentDetail> {
  const found = isUuid(id) ? await findInstrument(db, organizationId, id) : undefined
  if (!found) throw notFound('This instrument')
  const { row, ...version } = found
  const versions = await listInstrumentVersions(db, organizationId)
  const newestVersion = Math.max(...versions.filter((v) => v.key === version.key && v.builtIn === version.builtIn).map((v) => v.version))
  return { ...version, definition: row.definition, newestVersion }
}

/** The problems of a new own key beyond its format: a built-in key, or one the organization already has. */
async function keyProblem(db: Db, organizationId: string, key: string): Promise<string | null> {
  if (BUILT_IN_INSTRUMENTS.some((def) => def.key === key)) return `"${key}" is the key of a built-in instrument: choose another.`
  if (await instrumentKeyTaken(db, organizationId, key)) return `You already have an instrument with the key "${key}": choose another.`
  return null
}

/** Stores a new own instrument as version 1, when it is valid and its key is free. */
async function createOwn(db: Db, caller: Caller, def: InstrumentDefinition, from: string): Promise<SaveResult> {
  const organizationId = organizationOf(caller)
  const clean = cleanDefinition({ ...def, version: 1 })
  const errors = instrumentFieldProblems(clean)
  if (!errors.key && typeof clean.key === 'string') {
    const problem = await keyProblem(db, organizationId, clean.key)
    if (problem) errors.key = problem
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  try {
    const id = await atomically(db, async (trx) => {
      const made = await createInstrument(trx, organizationId, clean)
      await audit(trx, caller, 'instrument_created', { target: `instrument ${clean.key} v1`, detail: { id: made, key: clean.key, version: 1, from, items: clean.items.length } })
      return made
    })
    return { ok: true, id, key: clean.key, version: 1, createdVersion: true }
  } catch (error) {
    // Another request took the key in the meantime.
    if (isUniqueViolation(error)) return { ok: false, errors: { key: `You already have an instrument with the key "${clean.key}": choose another.` } }
    throw error
  }
}

/**
 * Starts an own instrument, version 1: a copy of the items of a built-in one or of one of the
 * organization's own, or "blank": the built-in instrument's headline statement alone, in its
 * languages, for the person to reword (so what is stored is always a valid instrument).
 */
export async function startInstrument(db: Db, caller: InstrumentCaller, start: InstrumentStart): Promise<SaveResult> {
  const organizationId = organizationOf(caller)
  const from = typeof start.from === 'string' ? start.from.trim() : ''
  let source: InstrumentDefinition | undefined
  if (from === 'blank') {
    const sgi = newestBuiltIn('service-gap-index') ?? BUILT_IN_INSTRUMENTS[0]!
    source = { ...sgi, items: sgi.items.filter((item) => item.headline) }
  } else if (newestBuiltIn(from)) {
    source = newestBuiltIn(from)
  } else if (isUuid(from)) {
    source = (await findInstrument(db, organizationId, from))?.row.definition
  }
  if (!source) {
    const problems: FieldProblems = { from: 'Start from "blank", a built-in instrument (such as service-gap-index) or one of your own instruments.' }
    // The key and name are checked all the same, so every problem shows at once.
    const rest = instrumentFieldProblems({ ...BUILT_IN_INSTRUMENTS[0]!, key: start.key, name: start.name })
    return { ok: false, errors: { ...problems, ...Object.fromEntries(Object.entries(rest).filter(([path]) => path === 'key' || path === 'name')) } }
  }
  return createOwn(db, caller, { ...structuredClone(source), key: start.key, name: start.name, version: 1 }, from)
}

/** Makes an own instrument from a whole definition (version 1): the API's POST with `definition`. */
export async function createInstrumentFrom(db: Db, caller: InstrumentCaller, input: InstrumentInput): Promise<SaveResult> {
  return createOwn(db, caller, { ...input, key: input.key ?? '', version: 1 }, 'definition')
}

/** An own version the caller may change: 404 for an unknown or another organization's; 403 for a built-in one. */
async function ownVersion(db: Db, organizationId: string, id: string) {
  const found = isUuid(id) ? await findInstrument(db, organizationId, id) : undefined
  if (!found) throw notFound('This instrument')
  if (found.builtIn) throw new HttpError(403, 'read_only', 'A built-in instrument cannot be changed or deleted: start your own from it instead.')
  return found
}

const sameDefinition = (a: InstrumentDefinition, b: InstrumentDefinition) => JSON.stringify(a) === JSON.stringify(b)

/**
 * Saves an own instrument. Edited in place while no wave uses the version; once one does, the save
 * makes version newest + 1 under the same key and leaves the frozen one as it is. Saving what is
 * already stored changes nothing. 404 / 403 as ownVersion; field problems otherwise.
 */
export async function saveInstrument(db: Db, caller: InstrumentCaller, id: string, input: InstrumentInput): Promise<SaveResult> {
  const organizationId = organizationOf(caller)
  const stored = await ownVersion(db, organizationId, id)
  const current = stored.row.definition
  const key = input.key === undefined ? current.key : input.key
  const clean = cleanDefinition({ ...input, key: current.key, version: current.version })
  const errors = instrumentFieldProblems(clean)
  if (typeof key !== 'string' || key.trim() !== current.key) {
    errors.key = `The key stays "${current.key}" across versions, so that waves line up: start a new instrument from this one for another key.`
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  if (sameDefinition(clean, cleanDefinition(current))) return { ok: true, id, key: current.key, version: current.version, createdVersion: false }
  const changes = wordingChanges(current, clean)
  const detail = {
    key: current.key,
    wordingChanged: [...changes.changed].filter(([, changed]) => changed).map(([itemKey]) => itemKey),
    added: changes.added,
    removed: changes.removed,
  }
  return atomically(db, async (trx) => {
    const newest = await lockInstrumentKey(trx, organizationId, current.key)
    if (!(await instrumentInUse(trx, id))) {
      await replaceInstrument(trx, organizationId, id, clean)
      await audit(trx, caller, 'instrument_changed', { target: `instrument ${current.key} v${current.version}`, detail: { id, version: current.version, ...detail } })
      return { ok: true, id, key: current.key, version: current.version, createdVersion: false }
    }
    const version = newest + 1
    const made = await createInstrument(trx, organizationId, { ...clean, version })
    await audit(trx, caller, 'instrument_versioned', { target: `instrument ${current.key} v${version}`, detail: { id: made, version, previous: id, ...detail } })
    return { ok: true, id: made, key: current.key, version, createdVersion: true }
  })
}

/** Deletes an own version no wave uses. 404 / 403 as ownVersion; 409 when a wave uses it. */
export async function deleteInstrument(db: Db, caller: InstrumentCaller, id: string): Promise<void> {
  const organizationId = organizationOf(caller)
  const stored = await ownVersion(db, organizationId, id)
  await atomically(db, async (trx) => {
    await lockInstrumentKey(trx, organizationId, stored.key)
    if (await instrumentInUse(trx, id)) {
      throw new HttpError(409, 'in_use', 'A wave uses this version, so it is kept as it is: it cannot be deleted.')
    }
    if (!(await deleteOwnInstrument(trx, organizationId, id))) throw notFound('This instrument')
    await audit(trx, caller, 'instrument_deleted', { target: `instrument ${stored.key} v${stored.version}`, detail: { id, key: stored.key, version: stored.version } })
  })
}
