// A person's API tokens, for the tokens page and the API alike: how the audit log names a token, and
// revoking one of one's own, audited in the same transaction.
import type { Db } from '../../db/connect.js'
import { atomically } from '../repositories/atomically.js'
import { revokeApiToken, type ApiTokenSummary } from '../repositories/credentials.js'
import { audit, type Caller } from './audit.js'

/** How the audit log names a token: its name and the visible start of it, never the secret part. */
export const tokenTarget = (token: Pick<ApiTokenSummary, 'name' | 'prefix'>) => `token "${token.name}" (${token.prefix}…)`

/**
 * Revokes one of the caller's own live tokens (it may be the one the request came with: the next
 * request with it is refused) and audits `token_revoked`. False for anything else: another person's
 * or organization's token, one already revoked, or an id that is none.
 */
export async function revokeOwnToken(db: Db, caller: Caller, tokenId: string): Promise<boolean> {
  const principal = caller.principal
  if (!principal) throw new Error('revoking a token needs a signed-in person')
  return atomically(db, async (trx) => {
    const revoked = await revokeApiToken(trx, principal.organizationId, principal.userId, tokenId)
    if (!revoked) return false
    await audit(trx, caller, 'token_revoked', { target: tokenTarget(revoked) })
    return true
  })
}
