// Whether the database answers at all: what /health reports to load balancers and monitors.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'

/** Resolves when the database answers a trivial query; rejects when it cannot be reached. */
export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db)
}
