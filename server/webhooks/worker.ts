// Webhook delivery: claims due rows of webhook_deliveries, signs and posts them, records each try.
// (Groundwork: the pass is wired into server/loop/plugin.ts; its work lands with issue 16.)
import type { Db } from '../../db/connect.js'
import type { LoopContext } from '../loop/plugin.js'

/** One pass; returns how many deliveries succeeded. */
export async function deliverWebhooks(_db: Db, _context: LoopContext): Promise<number> {
  return 0
}
