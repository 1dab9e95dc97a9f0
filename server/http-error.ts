// The one error type routes throw for an expected failure. The error handler turns it into JSON under
// /api and into a readable page elsewhere.
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds after which trying again may succeed (the Retry-After header of a 429 or 503). */
    readonly retryAfter?: number,
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

export const notFound = (what = 'This page') => new HttpError(404, 'not_found', `${what} does not exist, or you do not have access to it.`)

/** A 400 naming each field's problem, in the message and as {field, message} details. */
export function fieldsInvalid(errors: Record<string, string>, status = 400, code = 'validation_failed', message?: string): HttpError {
  const details = Object.entries(errors).map(([field, text]) => ({ field, message: text }))
  return new HttpError(status, code, message ?? details.map((d) => `${d.field}: ${d.message}`).join(' '), details)
}

/** A `cursor` that this list did not give out (edited, truncated, or another list's). */
export const invalidCursor = () => new HttpError(400, 'invalid_cursor', 'This cursor is not one this list gave out. Start again without a cursor.', [{ field: 'cursor', message: 'Not a cursor of this list.' }])
