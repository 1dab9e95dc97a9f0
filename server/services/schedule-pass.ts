// Repeating waves: makes the next wave of a series before its date, opens waves on their opening date, closes them on their closing date, with their events.
// (Groundwork: the pass is wired into server/loop/plugin.ts; its work lands with issue 16.)
import type { Db } from '../../db/connect.js'
import type { LoopContext } from '../loop/plugin.js'

/** One pass; returns how many things it did. */
export async function runSchedule(_db: Db, _context: LoopContext): Promise<number> {
  return 0
}
