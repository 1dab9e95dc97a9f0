// What the instrument builder's pages need from services/instruments.ts, in the shape they print:
// each version with how many of the organization's waves use it, one version with its definition
// and the version a save would make, and save / delete results as the pages report them.
import type { Db } from '../../db/connect.js'
import type { InstrumentDefinition } from '../domain/instrument.js'
import { wavesPerInstrument } from '../repositories/instrument-pages.js'
import {
  createInstrumentFrom, deleteInstrument, getInstrument, listInstruments, saveInstrument, type FieldProblems, type InstrumentCaller, type InstrumentVersion,
} from './instruments.js'

export type ListedInstrument = InstrumentVersion & { waves: number }

export interface PageInstrument {
  id: string
  builtIn: boolean
  definition: InstrumentDefinition
  /** How many of the organization's waves use this version. */
  waves: number
  /** Whether any wave uses it: then it is frozen, and a save makes the next version. */
  inUse: boolean
  /** The version number a save makes when this one is frozen. */
  nextVersion: number
}

export async function instrumentsForPages(db: Db, organizationId: string): Promise<ListedInstrument[]> {
  const [rows, uses] = await Promise.all([listInstruments(db, organizationId), wavesPerInstrument(db, organizationId)])
  return rows.map((row) => ({ ...row, waves: uses.get(row.id) ?? 0 }))
}

/** One version the organization can see (built-in or its own); 404 for anything else (services/instruments.ts). */
export async function instrumentForPage(db: Db, organizationId: string, id: string): Promise<PageInstrument> {
  const [found, uses] = await Promise.all([getInstrument(db, organizationId, id), wavesPerInstrument(db, organizationId)])
  return { id: found.id, builtIn: found.builtIn, definition: found.definition, waves: uses.get(found.id) ?? 0, inUse: found.inUse, nextVersion: found.newestVersion + 1 }
}

export type SaveResult = { ok: true; id: string; version: number; created: boolean } | { ok: false; errors: FieldProblems }

/** A new own instrument when `id` is null; otherwise the version saved in place, or as the next one once frozen. */
export async function saveFromPage(db: Db, caller: InstrumentCaller, id: string | null, def: InstrumentDefinition): Promise<SaveResult> {
  const { version: _version, ...input } = def
  const saved = id === null ? await createInstrumentFrom(db, caller, input) : await saveInstrument(db, caller, id, { ...input, key: undefined })
  return saved.ok ? { ok: true, id: saved.id, version: saved.version, created: saved.createdVersion } : saved
}

/** Deletes an own version no wave uses (409 from the service when one does). */
export const deleteFromPage = (db: Db, caller: InstrumentCaller, id: string) => deleteInstrument(db, caller, id)
