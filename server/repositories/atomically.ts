// Statements that must land together: inside the caller's transaction when it passes one (so a
// service can compose several repository calls), in a transaction of their own otherwise. Never
// the global handle inside a transaction: PGlite serialises every query, and that would deadlock.
import type { Db } from '../../db/connect.js'

export function atomically<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work)
}
