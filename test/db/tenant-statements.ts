// How test/db/tenant-keys.test.ts reads a captured statement: which tables it names, how often it
// names organization_id, and the statements that may cross organizations and why.

/** Table names after from, join, into, update (kysely quotes them; hand-written SQL may not). */
export function namedTables(text: string): string[] {
  const names = [...text.matchAll(/\b(?:from|join|into|update)\s+(?:only\s+)?"?([a-z_][a-z0-9_]*)"?/gi)].map((match) => match[1]!.toLowerCase())
  return names
}

/**
 * Times organization_id is compared or filled: a filter (`organization_id = $1`, `in (…)`, `= any(…)`),
 * each side of a join on it (`"a"."organization_id" = "b"."organization_id"` counts for two tables),
 * and an insert's column list. Selecting it, returning it or naming it in `on conflict` does not count.
 */
/**
 * Whether the statement is held to one organization by a value: `organization_id = $1` (or `in`,
 * `= any`), or an insert that fills the column. A join on organization_id alone does not pin it.
 */
export function pinsOrganization(text: string): boolean {
  if (/organization_id"?\s*(?:=\s*(?:any\s*\(\s*)?|in\s*\(\s*)\$\d/i.test(text)) return true
  return /^\s*(?:with[\s\S]*?\)\s*)?insert\s+into\s+"?[a-z_][a-z0-9_]*"?\s*\([^)]*organization_id/i.test(text)
}

export function organizationMentions(text: string): number {
  const left = [...text.matchAll(/organization_id"?\s*(?:=|in\s*\(|is not distinct from)/gi)].length
  const right = [...text.matchAll(/(?:=|=\s*any\s*\(|in\s*\()\s*(?:"?[a-z_][a-z0-9_]*"?\.)?"?organization_id\b/gi)].length
  const columns = /^\s*insert\s+into\s+"?[a-z_][a-z0-9_]*"?\s*\(([^)]*)\)/i.exec(text)?.[1]
  return left + right + (columns?.includes('organization_id') ? 1 : 0)
}

/**
 * Statements that find the organization rather than knowing it: a secret from a link or a cookie is
 * looked up before anyone knows whose it is. On Citus each is a lookup by a unique key on every node
 * (see the README's "Distributing with Citus"). Matched by a fragment of their SQL.
 */
export const CROSS_TENANT: Array<{ reason: string; pattern: RegExp }> = []

export function crossTenantReason(text: string): string | null {
  return CROSS_TENANT.find((entry) => entry.pattern.test(text))?.reason ?? null
}
