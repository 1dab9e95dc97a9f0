// Reading the branding form: a multipart body with `_csrf` first, the other fields, and at most one
// small file (the logo). As with the CSV imports (upload-form.ts), the token is checked before a byte
// of the file is kept; the file, at most the logo limit, is held in memory only for this request.
import type { FastifyRequest } from 'fastify'
import { HttpError } from '../../http-error.js'
import { cleanFilename, cutShort, multipartCsrf } from './upload-form.js'

export type ReceivedForm =
  | { csrfValid: false }
  | { csrfValid: true; fields: Record<string, string>; file: { bytes: Buffer; tooLarge: boolean; filename: string } | null }

export async function receiveForm(request: FastifyRequest, fileField: string): Promise<ReceivedForm> {
  const fields: Record<string, string> = Object.create(null)
  const csrfValid = multipartCsrf(request, fields)
  if (!request.isMultipart()) {
    const body = (request.body ?? {}) as Record<string, unknown>
    for (const [key, value] of Object.entries(body)) if (typeof value === 'string') fields[key] = value
    return csrfValid() ? { csrfValid: true, fields, file: null } : { csrfValid: false }
  }
  if (!/;\s*boundary=/i.test(request.headers['content-type'] ?? '')) throw new HttpError(400, 'bad_request', 'The form did not arrive whole. Reload the page and send it again.')
  let refused = false
  let file: { bytes: Buffer; tooLarge: boolean; filename: string } | null = null
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') fields[part.fieldname] = part.value
        continue
      }
      if (!csrfValid()) refused = true
      // A file input left empty still sends a part, with no name and no bytes: that is no file.
      if (refused || file !== null || part.fieldname !== fileField || !part.filename) {
        part.file.resume()
        continue
      }
      const chunks: Buffer[] = []
      for await (const chunk of part.file) chunks.push(chunk as Buffer)
      file = { bytes: Buffer.concat(chunks), tooLarge: part.file.truncated, filename: cleanFilename(part.filename, 'logo') }
    }
  } catch (error) {
    throw cutShort(error) ? new HttpError(400, 'bad_request', 'The upload arrived incomplete. Choose the file again and send it once more.') : error
  }
  if (refused || !csrfValid()) return { csrfValid: false }
  return { csrfValid: true, fields, file }
}
