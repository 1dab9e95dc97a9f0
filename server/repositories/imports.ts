// Uploaded CSV files waiting for confirmation. The text is kept as uploaded and read again for the
// preview and the import, so what is imported is exactly what was previewed, checked afresh.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'

export interface NewImport {
  organizationId: string
  waveId: string
  userId: string
  filename: string
  content: string
  rowCount: number
}

/** Uploaded files are kept for a week: long enough to confirm them, not forever (they hold respondents' words). */
export const KEEP_UPLOADS_DAYS = 7

export async function createImport(db: Db, upload: NewImport): Promise<string> {
  await db.deleteFrom('imports').where('organization_id', '=', upload.organizationId)
    .where('created_at', '<', sql<Date>`now() - make_interval(days => ${KEEP_UPLOADS_DAYS})`).execute()
  const { id } = await db.insertInto('imports').values({
    organization_id: upload.organizationId,
    wave_id: upload.waveId,
    user_id: upload.userId,
    filename: upload.filename,
    content: upload.content,
    row_count: upload.rowCount,
  }).returning('id').executeTakeFirstOrThrow()
  return id
}

export async function findImport(db: Db, organizationId: string, waveId: string, id: string) {
  return db.selectFrom('imports')
    .select(['id', 'wave_id', 'filename', 'content', 'row_count', 'created_at', 'imported_at'])
    .where('organization_id', '=', organizationId).where('wave_id', '=', waveId).where('id', '=', id)
    .executeTakeFirst()
}

/**
 * Marks an import as imported unless it already is: of two confirmations racing, only one gets true.
 * Called in the transaction that stores the responses, so the mark and the rows stand or fall together.
 */
export async function claimImport(db: Db, organizationId: string, id: string): Promise<boolean> {
  const result = await db.updateTable('imports').set({ imported_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId).where('id', '=', id).where('imported_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}
