// What the instrument builder's pages need, in one place: the instruments an organization sees with
// how many of its waves use each version, saving (in place while unused, as the next version once
// a wave uses it) and deleting. An adapter: once services/instruments.ts (instruments-core) is merged,
// these delegate to it; the pages only ever call this file.
import type { Db } from '../../db/connect.js'
import * as instrument from '../domain/instrument.js'
import type { InstrumentDefinition } from '../domain/instrument.js'
import { createInstrument, listInstruments } from '../repositories/instruments.js'
import { deleteUnusedInstrument, replaceUnusedInstrument, wavesPerInstrument } from '../repositories/instrument-pages.js'

export interface PageInstrument {
  id: string
  builtIn: boolean
  definition: InstrumentDefinition
  /** How many of the organization's waves use this version (a version in use is frozen). */
  waves: number
  /** The version number a save makes when this one is frozen. */
  nextVersion: number
}

export async function instrumentsForPages(db: Db, organizationId: string): Promise<PageInstrument[]> {
  const [rows, uses] = await Promise.all([listInstruments(db, organizationId), wavesPerInstrument(db, organizationId)])
  const newest = new Map<string, number>()
  for (const row of rows) newest.set(`${row.organizationId ?? ''}:${row.definition.key}`, Math.max(newest.get(`${row.organizationId ?? ''}:${row.definition.key}`) ?? 0, row.definition.version))
  return rows.map((row) => ({
    id: row.id, builtIn: row.organizationId === null, definition: row.definition, waves: uses.get(row.id) ?? 0,
    nextVersion: newest.get(`${row.organizationId ?? ''}:${row.definition.key}`)! + 1,
  }))
}

/** One instrument the organization can see (built-in or its own), or undefined: another's id is not found. */
export async function instrumentForPage(db: Db, organizationId: string, id: string): Promise<PageInstrument | undefined> {
  return (await instrumentsForPages(db, organizationId)).find((row) => row.id === id)
}

type FieldProblems = Record<string, string>
/** The validation by field path (instruments-core's instrumentFieldProblems), or one problem list until it is there. */
function fieldProblems(def: InstrumentDefinition): FieldProblems {
  const byField = (instrument as unknown as { instrumentFieldProblems?: (d: InstrumentDefinition) => FieldProblems }).instrumentFieldProblems
  if (byField) return byField(def)
  const list = instrument.instrumentProblems(def)
  return list.length > 0 ? { items: list.join('; ') } : {}
}

export type SaveResult = { ok: true; id: string; version: number; created: boolean } | { ok: false; errors: FieldProblems }

/**
 * Saves what the builder sent: a new instrument (version 1) when `id` is null, the same version while
 * no wave uses it, else the next version beside it (waves keep theirs).
 */
export async function saveFromPage(db: Db, organizationId: string, id: string | null, def: InstrumentDefinition): Promise<SaveResult> {
  const all = await instrumentsForPages(db, organizationId)
  const current = id === null ? undefined : all.find((row) => row.id === id && !row.builtIn)
  const version = current ? (current.waves > 0 ? current.nextVersion : current.definition.version) : 1
  const cleaned = { ...def, key: current ? current.definition.key : def.key, version, name: def.name.trim() }
  const errors: FieldProblems = { ...fieldProblems(cleaned) }
  if (!current && all.some((row) => row.definition.key === cleaned.key)) errors.key = `The key "${cleaned.key}" is taken: choose another.`
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  if (current && current.waves === 0) {
    await replaceUnusedInstrument(db, organizationId, current.id, cleaned)
    return { ok: true, id: current.id, version, created: false }
  }
  return { ok: true, id: await createInstrument(db, organizationId, cleaned), version, created: true }
}

/** Deletes an own version that no wave uses; false when it is in use (or not the organization's). */
export async function deleteFromPage(db: Db, organizationId: string, id: string): Promise<boolean> {
  const current = await instrumentForPage(db, organizationId, id)
  if (!current || current.builtIn || current.waves > 0) return false
  await deleteUnusedInstrument(db, organizationId, id)
  return true
}
