// Evaluates gap drift and "customers fell unnoticed" where a wave's staff release step or its closing has not been looked at yet (wave_watch), stores each alert once, queues its mail and its alert_raised event.
// (Groundwork: the pass is wired into server/loop/plugin.ts; its work lands with issue 16.)
import type { Db } from '../../db/connect.js'
import type { LoopContext } from '../loop/plugin.js'

/** One pass; returns how many things it did. */
export async function evaluateAlerts(_db: Db, _context: LoopContext): Promise<number> {
  return 0
}
