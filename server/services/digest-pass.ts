// Queues the digest for subscribers when a wave closes, and weekly while it is open where the wave asks for it.
// (Groundwork: the pass is wired into server/loop/plugin.ts; its work lands with issue 16.)
import type { Db } from '../../db/connect.js'
import type { LoopContext } from '../loop/plugin.js'

/** One pass; returns how many things it did. */
export async function queueDigests(_db: Db, _context: LoopContext): Promise<number> {
  return 0
}
