// Reading the upload form of an import (contacts or responses): a multipart body with `_csrf` first and
// then one file. The token is checked before a byte of the file is kept, and the file is streamed
// into the upload store as it arrives, so no instance holds it whole or on its own disk.
import type { Readable } from 'node:stream'
import type { FastifyRequest } from 'fastify'
import { HttpError } from '../../http-error.js'
import type { Saved } from '../../services/uploads.js'

export type Received =
  | { csrfValid: false }
  | { csrfValid: true; chosen: string | null; saved: Saved | null }

/** The file's own name, without any folder a browser may send along or characters no one typed. */
export const cleanFilename = (name: string, fallback = 'upload.csv') => (name.split(/[\\/]/).pop() ?? '').replace(/\p{Cc}/gu, '').trim().slice(0, 200) || fallback

/**
 * The CSRF check of a multipart form, against the fields read so far: `_csrf` comes first in the form,
 * so it is known before any file part is kept.
 */
export function multipartCsrf(request: FastifyRequest, fields: Record<string, string>): () => boolean {
  return () => {
    request.body = fields // csrfValid() reads `_csrf` from the body
    return request.csrfValid()
  }
}

/** The multipart parser's own errors for a body that ends early or is malformed; they carry no status of their own. */
export const cutShort = (error: unknown) => error instanceof Error && !('statusCode' in error) && /multipart data|^Malformed part header/.test(error.message)

/**
 * Reads the form. `save` stores the file; `remove` takes it away again when the form turns out to be
 * forged after all, or the file was cut short at the size limit (then `saved` says it is too large).
 */
export async function receiveUpload(
  request: FastifyRequest,
  save: (filename: string, file: Readable) => Promise<Saved>,
  remove: (id: string) => Promise<void>,
): Promise<Received> {
  if (!request.isMultipart()) return request.csrfValid() ? { csrfValid: true, chosen: null, saved: null } : { csrfValid: false }
  // Without a boundary the parts cannot be told apart (the multipart parser throws on it): a broken request, not our failure.
  if (!/;\s*boundary=/i.test(request.headers['content-type'] ?? '')) throw new HttpError(400, 'bad_request', 'The upload did not arrive as a form. Choose the file again and send it from the page.')
  const fields: Record<string, string> = Object.create(null)
  const csrfValid = multipartCsrf(request, fields)
  let refused = false
  let saved: Saved | null = null
  let chosen: string | null = null
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') fields[part.fieldname] = part.value
        continue
      }
      if (!csrfValid()) refused = true
      if (refused || saved !== null || part.fieldname !== 'file') {
        part.file.resume() // read and dropped
        continue
      }
      chosen = part.filename ? cleanFilename(part.filename) : null
      saved = await save(chosen ?? 'upload.csv', part.file)
      if (saved.ok && part.file.truncated) {
        await remove(saved.upload.id)
        saved = { ok: false, tooLarge: true }
      }
    }
  } catch (error) {
    // A limit reached after the file was kept (too many parts, the client gone): keep nothing.
    if (saved?.ok) await remove(saved.upload.id)
    throw cutShort(error) ? new HttpError(400, 'bad_request', 'The upload arrived incomplete. Choose the file again and send it once more.') : error
  }
  if (refused || !csrfValid()) {
    if (saved?.ok) await remove(saved.upload.id)
    return { csrfValid: false }
  }
  return { csrfValid: true, chosen, saved }
}
