// The shapes of identifiers that arrive in URLs, forms and files, checked before they reach a query,
// so a malformed one is a plain "not found" or "invalid" and never a database error.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A UUID in its usual text form, either case. */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value)
