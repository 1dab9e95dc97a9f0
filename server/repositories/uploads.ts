// Uploaded CSV files waiting for confirmation, for contacts and for a wave's responses: a row per
// upload, and its bytes in numbered parts. An upload belongs to its organization (and to its wave):
// every query names them, so another organization's id finds nothing.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { UploadTable } from '../../db/schema.js'

/** Uploads are kept for a week: long enough to confirm them, not forever (they hold people's details and words). */
export const UPLOAD_LIFETIME_DAYS = 7

export type UploadKind = UploadTable['kind']

/** Whose an upload is: the organization, what it imports, and for responses the wave. */
export interface UploadOwner {
  organizationId: string
  kind: UploadKind
  /** The wave, for a response upload; null for contacts. */
  waveId: string | null
}

export interface Upload {
  id: string
  filename: string
  bytes: number
  uploadedAt: Date
  /** When its import was confirmed; its bytes are gone from then on. */
  confirmedAt: Date | null
}

const fresh = sql<boolean>`created_at > now() - make_interval(days => ${UPLOAD_LIFETIME_DAYS})`

/** A new upload, not findable until finishUpload says its bytes have all arrived. */
export async function createUpload(db: Db, owner: UploadOwner, userId: string | null, filename: string): Promise<string> {
  const { id } = await db.insertInto('uploads').values({
    organization_id: owner.organizationId, kind: owner.kind, wave_id: owner.waveId, user_id: userId, filename,
  }).returning('id').executeTakeFirstOrThrow()
  return id
}

export async function addUploadPart(db: Db, organizationId: string, uploadId: string, position: number, data: Uint8Array): Promise<void> {
  await db.insertInto('upload_parts').values({ organization_id: organizationId, upload_id: uploadId, position, data }).execute()
}

export async function finishUpload(db: Db, organizationId: string, id: string, bytes: number): Promise<void> {
  await db.updateTable('uploads').set({ bytes }).where('organization_id', '=', organizationId).where('id', '=', id).execute()
}

/** The owner's upload with this id, if it has arrived whole and is not older than its lifetime. */
export async function findUpload(db: Db, owner: UploadOwner, id: string): Promise<Upload | undefined> {
  const row = await db.selectFrom('uploads').select(['id', 'filename', 'bytes', 'created_at', 'confirmed_at'])
    .where('organization_id', '=', owner.organizationId).where('kind', '=', owner.kind)
    .$call((q) => (owner.waveId === null ? q.where('wave_id', 'is', null) : q.where('wave_id', '=', owner.waveId)))
    .where('id', '=', id).where('bytes', 'is not', null).where(fresh)
    .executeTakeFirst()
  return row && { id: row.id, filename: row.filename, bytes: row.bytes!, uploadedAt: row.created_at, confirmedAt: row.confirmed_at }
}

/** One part of an upload's bytes; undefined past the last one (or once the bytes are gone). */
export async function findUploadPart(db: Db, uploadId: string, position: number): Promise<Uint8Array | undefined> {
  const row = await db.selectFrom('upload_parts').select('data').where('upload_id', '=', uploadId).where('position', '=', position).executeTakeFirst()
  return row?.data
}

/**
 * Marks the upload as confirmed unless it already is (or has expired): of two confirmations at once,
 * only one gets true. Given a transaction, the mark stands or falls with what the import stores.
 */
export async function claimUpload(db: Db, organizationId: string, id: string): Promise<boolean> {
  const result = await db.updateTable('uploads').set({ confirmed_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId).where('id', '=', id)
    .where('confirmed_at', 'is', null).where('bytes', 'is not', null).where(fresh)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** After an import that failed part way: the upload can be confirmed again. */
export async function releaseUpload(db: Db, organizationId: string, id: string): Promise<void> {
  await db.updateTable('uploads').set({ confirmed_at: null }).where('organization_id', '=', organizationId).where('id', '=', id).execute()
}

/** After the import: the bytes go (what they held is now stored as contacts or responses); the row says when. */
export async function dropUploadBytes(db: Db, organizationId: string, id: string): Promise<void> {
  await db.deleteFrom('upload_parts')
    .where('upload_id', 'in', db.selectFrom('uploads').select('id').where('organization_id', '=', organizationId).where('id', '=', id))
    .execute()
}

export async function deleteUpload(db: Db, organizationId: string, id: string): Promise<void> {
  await db.deleteFrom('uploads').where('organization_id', '=', organizationId).where('id', '=', id).execute()
}

/** Removes every upload past its lifetime, in every organization, with its bytes. */
export async function deleteExpiredUploads(db: Db): Promise<number> {
  const result = await db.deleteFrom('uploads').where(sql<boolean>`not (${fresh})`).executeTakeFirst()
  return Number(result.numDeletedRows)
}
