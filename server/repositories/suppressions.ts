// Suppressions: an address that unsubscribed and whose contact was then deleted. Only an HMAC of the
// normalized address is kept, under the server's secret, so the address cannot be read back from the
// database, yet a re-import of it is recognised and never invited again.
import { createHmac } from 'node:crypto'
import type { Db } from '../../db/connect.js'
import { normalizedEmail } from '../domain/data-rights.js'

export function suppressionHash(secret: string, email: string): string {
  return createHmac('sha256', `suppression:${secret}`).update(normalizedEmail(email)).digest('hex')
}

export async function addSuppression(db: Db, organizationId: string, emailHash: string): Promise<void> {
  await db.insertInto('suppressions').values({ organization_id: organizationId, email_hash: emailHash })
    .onConflict((oc) => oc.columns(['organization_id', 'email_hash']).doNothing()).execute()
}

/** Which of these hashes the organization suppresses. */
export async function suppressedHashes(db: Db, organizationId: string, hashes: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>()
  for (let start = 0; start < hashes.length; start += 1000) {
    const rows = await db.selectFrom('suppressions').select('email_hash')
      .where('organization_id', '=', organizationId).where('email_hash', 'in', hashes.slice(start, start + 1000)).execute()
    for (const row of rows) found.add(row.email_hash)
  }
  return found
}

export async function isSuppressed(db: Db, organizationId: string, emailHash: string): Promise<boolean> {
  return (await suppressedHashes(db, organizationId, [emailHash])).has(emailHash)
}
