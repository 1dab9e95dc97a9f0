// The one error type routes throw for an expected failure. The error handler turns it into JSON under
// /api and into a readable page elsewhere.
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

export const notFound = (what = 'This page') => new HttpError(404, 'not_found', `${what} does not exist, or you do not have access to it.`)
