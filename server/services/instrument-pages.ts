// What the instrument builder's pages need from services/instruments.ts, in the shape they print:
// one version with its definition and the version a save would make, and save results as the pages
// report them.
import type { Db } from '../../db/connect.js'
import type { InstrumentDefinition } from '../domain/instrument.js'
import { createInstrumentFrom, getInstrument, saveInstrument, type FieldProblems, type InstrumentCaller } from './instruments.js'

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

/** One version the organization can see (built-in or its own); 404 for anything else (services/instruments.ts). */
export async function instrumentForPage(db: Db, organizationId: string, id: string): Promise<PageInstrument> {
  const found = await getInstrument(db, organizationId, id)
  return { id: found.id, builtIn: found.builtIn, definition: found.definition, waves: found.waves, inUse: found.inUse, nextVersion: found.newestVersion + 1 }
}

export type SaveResult = { ok: true; id: string; version: number; created: boolean } | { ok: false; errors: FieldProblems }

/** A new own instrument when `id` is null; otherwise the version saved in place, or as the next one once frozen. */
export async function saveFromPage(db: Db, caller: InstrumentCaller, id: string | null, def: InstrumentDefinition): Promise<SaveResult> {
  const { version: _version, ...input } = def
  const saved = id === null ? await createInstrumentFrom(db, caller, input) : await saveInstrument(db, caller, id, { ...input, key: undefined })
  return saved.ok ? { ok: true, id: saved.id, version: saved.version, created: saved.createdVersion } : saved
}
