// Browser sessions and API tokens. Only hashes of the secrets are stored.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Keyset } from '../domain/cursor.js'
import { isUuid } from '../domain/formats.js'
import type { Role } from '../domain/types.js'
import { hashToken, randomToken } from '../security/tokens.js'
import { inPage, pageFrom, timeKey, type Page, type PageRequest } from './keyset.js'

/** A session ends after this long without a request… */
export const SESSION_IDLE_MS = 60 * 60 * 1000
/** …and in any case this long after sign-in. */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000
/** last_seen_at is written at most this often, so that reading pages does not write on every request. */
const TOUCH_EVERY_MS = 60 * 1000

export interface Principal {
  userId: string
  organizationId: string
  email: string
  name: string
  role: Role
  organizationName: string
  via: 'session' | 'token'
}

export async function createSession(db: Db, userId: string, organizationId: string, now = new Date()): Promise<string> {
  const token = randomToken()
  await db.insertInto('sessions').values({
    id_hash: hashToken(token),
    user_id: userId,
    organization_id: organizationId,
    created_at: now,
    last_seen_at: now,
    expires_at: new Date(now.getTime() + SESSION_ABSOLUTE_MS),
  }).execute()
  await db.updateTable('users').set({ last_login_at: now }).where('id', '=', userId).execute()
  return token
}

/**
 * A session that is not a sign-in: it lives `ttlMs` and leaves last_login_at alone. The digest prints
 * a recipient's board pack through the wave page with one, as that person, and deletes it at once;
 * the page's own sign-in check and scope rule then decide what the pack holds.
 */
export async function createPrintSession(db: Db, userId: string, organizationId: string, ttlMs: number, now = new Date()): Promise<string> {
  const token = randomToken()
  await db.insertInto('sessions').values({
    id_hash: hashToken(token), user_id: userId, organization_id: organizationId, created_at: now, last_seen_at: now,
    expires_at: new Date(now.getTime() + ttlMs),
  }).execute()
  return token
}

/** The person behind a session cookie, or null when the session is unknown, idle too long or expired. */
export async function resolveSession(db: Db, token: string, now = new Date()): Promise<Principal | null> {
  const idHash = hashToken(token)
  const row = await db.selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .select(['organizations.name as organization_name', 'sessions.last_seen_at', 'sessions.expires_at', 'users.id', 'users.organization_id', 'users.email', 'users.name', 'users.role'])
    .where('sessions.id_hash', '=', idHash)
    .executeTakeFirst()
  if (!row) return null
  if (row.expires_at <= now || now.getTime() - row.last_seen_at.getTime() > SESSION_IDLE_MS) {
    await deleteSession(db, token, row.organization_id)
    return null
  }
  if (now.getTime() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
    await db.updateTable('sessions').set({ last_seen_at: now }).where('organization_id', '=', row.organization_id).where('id_hash', '=', idHash).execute()
  }
  return { userId: row.id, organizationId: row.organization_id, email: row.email, name: row.name, role: row.role, organizationName: row.organization_name, via: 'session' }
}

/** Ends a session; without its organization (a cookie nobody has resolved yet) it is looked for in every one. */
export async function deleteSession(db: Db, token: string, organizationId: string | null): Promise<void> {
  await db.deleteFrom('sessions').$if(organizationId !== null, (q) => q.where('organization_id', '=', organizationId!))
    .where('id_hash', '=', hashToken(token)).execute()
}

export async function deleteSessionsOfUser(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute()
}

const TOKEN_PREFIX = 'sgt_'

export async function createApiToken(db: Db, principal: { userId: string; organizationId: string }, name: string): Promise<string> {
  const token = TOKEN_PREFIX + randomToken()
  await db.insertInto('api_tokens').values({
    organization_id: principal.organizationId,
    user_id: principal.userId,
    name,
    token_hash: hashToken(token),
    prefix: token.slice(0, TOKEN_PREFIX.length + 6),
  }).execute()
  return token
}

export async function resolveApiToken(db: Db, token: string, now = new Date()): Promise<Principal | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null
  const row = await db.selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .select(['organizations.name as organization_name', 'api_tokens.id as tokenId', 'api_tokens.last_used_at', 'users.id', 'users.organization_id', 'users.email', 'users.name', 'users.role'])
    .where('api_tokens.token_hash', '=', hashToken(token))
    .where('api_tokens.revoked_at', 'is', null)
    .executeTakeFirst()
  if (!row) return null
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > TOUCH_EVERY_MS) {
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('organization_id', '=', row.organization_id).where('id', '=', row.tokenId).execute()
  }
  return { userId: row.id, organizationId: row.organization_id, email: row.email, name: row.name, role: row.role, organizationName: row.organization_name, via: 'token' }
}

export interface ApiTokenSummary {
  id: string
  name: string
  /** The token's first characters, for telling tokens apart; the rest is never stored. */
  prefix: string
  createdAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
}

const toSummary = (row: { id: string; name: string; prefix: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }): ApiTokenSummary => ({
  id: row.id, name: row.name, prefix: row.prefix, createdAt: row.created_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at,
})

export async function listApiTokens(db: Db, organizationId: string, userId: string): Promise<ApiTokenSummary[]> {
  const rows = await db.selectFrom('api_tokens')
    .select(['id', 'name', 'prefix', 'created_at', 'last_used_at', 'revoked_at'])
    .where('organization_id', '=', organizationId).where('user_id', '=', userId)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').execute()
  return rows.map(toSummary)
}

/** The API's pages of a person's tokens: newest first, as listApiTokens. */
export const TOKEN_LIST: Keyset = { list: 'tokens', parts: ['time', 'uuid'] }

export async function listApiTokenPage(db: Db, organizationId: string, userId: string, page: PageRequest): Promise<Page<ApiTokenSummary>> {
  const query = db.selectFrom('api_tokens')
    .select(['id', 'name', 'prefix', 'created_at', 'last_used_at', 'revoked_at', timeKey('created_at').as('key_at')])
    .where('organization_id', '=', organizationId).where('user_id', '=', userId)
  const rows = await inPage(query, page, [sql.ref('created_at'), sql.ref('id')], 'desc').execute()
  return pageFrom(page, rows, (row) => [row.key_at, row.id], toSummary)
}

/** Revokes one of the person's live tokens; what it was, or undefined when it is not theirs, already revoked, or no id at all. */
export async function revokeApiToken(db: Db, organizationId: string, userId: string, tokenId: string): Promise<ApiTokenSummary | undefined> {
  if (!isUuid(tokenId)) return undefined
  const row = await db.updateTable('api_tokens').set({ revoked_at: new Date() })
    .where('organization_id', '=', organizationId).where('user_id', '=', userId)
    .where('id', '=', tokenId).where('revoked_at', 'is', null)
    .returning(['id', 'name', 'prefix', 'created_at', 'last_used_at', 'revoked_at']).executeTakeFirst()
  return row && toSummary(row)
}
