// Keeping an uploaded CSV file between its preview and its import, the same way for contacts and for
// responses: the bytes go into the database as they arrive (about a megabyte at a time, so a large
// file is never held whole) and are read back as a stream, so any instance of the app can show the
// preview or do the import. An upload is kept for UPLOAD_LIFETIME_DAYS; older ones are removed
// whenever a new one arrives.
import { Readable } from 'node:stream'
import type { Db } from '../../db/connect.js'
import { isUuid } from '../domain/formats.js'
import { HttpError } from '../http-error.js'
import {
  addUploadPart, createUpload, deleteExpiredUploads, deleteUpload, findUpload, findUploadPart, finishUpload,
  UPLOAD_LIFETIME_DAYS, type Upload, type UploadOwner,
} from '../repositories/uploads.js'

// The routes see the store through this file only.
export { deleteUpload, type Upload, type UploadOwner }

/** The size of the parts the bytes are kept in. */
const PART_BYTES = 1024 * 1024

const uploadGone = () => new HttpError(404, 'not_found',
  `This upload is not there any more: uploads are kept for ${UPLOAD_LIFETIME_DAYS} days, and only for the organization that made them. Upload the file again.`)

export type Saved = { ok: true; upload: Upload } | { ok: false; tooLarge: true }

/**
 * Stores a file as it arrives. A file over `maxBytes` is not kept: the rest of it is read and dropped,
 * and the caller is told. A stream that fails part way leaves nothing behind.
 */
export async function saveUpload(db: Db, owner: UploadOwner, userId: string | null, filename: string, file: Readable, maxBytes: number): Promise<Saved> {
  await deleteExpiredUploads(db)
  const id = await createUpload(db, owner, userId, filename)
  let bytes = 0
  let position = 0
  let pending: Uint8Array[] = []
  let pendingBytes = 0
  const flush = async () => {
    if (pendingBytes === 0) return
    const data = Buffer.concat(pending, pendingBytes)
    pending = []
    pendingBytes = 0
    await addUploadPart(db, owner.organizationId, id, position++, data)
  }
  try {
    // Not destroyed on an early return: the rest is read and dropped, so the request can still be answered.
    for await (const chunk of file.iterator({ destroyOnReturn: false })) {
      const data: Uint8Array = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      bytes += data.length
      if (bytes > maxBytes) {
        file.resume()
        await deleteUpload(db, owner.organizationId, id)
        return { ok: false, tooLarge: true }
      }
      pending.push(data)
      pendingBytes += data.length
      if (pendingBytes >= PART_BYTES) await flush()
    }
    await flush()
    await finishUpload(db, owner.organizationId, id, bytes)
  } catch (error) {
    await deleteUpload(db, owner.organizationId, id)
    throw error
  }
  return { ok: true, upload: { id, filename, bytes, uploadedAt: new Date(), confirmedAt: null } }
}

/** The owner's upload, or the 404 that says it has gone. Ids that are not ids find nothing. */
export async function loadUpload(db: Db, owner: UploadOwner, id: unknown): Promise<Upload> {
  const upload = isUuid(id) ? await findUpload(db, owner, id) : undefined
  if (!upload) throw uploadGone()
  return upload
}

/** The upload's bytes as a stream, one part read from the database at a time. */
export function uploadStream(db: Db, upload: Pick<Upload, 'id'>): Readable {
  async function* parts() {
    for (let position = 0; ; position++) {
      const part = await findUploadPart(db, upload.id, position)
      if (part === undefined) return
      yield Buffer.from(part.buffer, part.byteOffset, part.byteLength)
    }
  }
  return Readable.from(parts(), { objectMode: false })
}

/** The upload's bytes whole, for files small enough to be read at once (responses: at most a few MB). */
export async function uploadBytes(db: Db, upload: Pick<Upload, 'id'>): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const part of uploadStream(db, upload)) parts.push(part as Buffer)
  return Buffer.concat(parts)
}

