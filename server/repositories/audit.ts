// The audit log: entries are added and read, never changed (the table refuses updates).
import type { Db } from '../../db/connect.js'
import type { AuditAction, AuditEntry } from '../domain/audit.js'
import type { Keyset } from '../domain/cursor.js'

export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.insertInto('audit_log').values({
    organization_id: entry.organizationId,
    actor_user_id: entry.actorUserId,
    actor_email: entry.actorEmail.slice(0, 320),
    action: entry.action,
    target: (entry.target ?? '').slice(0, 500),
    detail: JSON.stringify(entry.detail ?? {}),
    ip: (entry.ip ?? '').slice(0, 64),
  }).execute()
}

export interface AuditRecord {
  id: number
  at: Date
  actorUserId: string | null
  actorEmail: string
  action: AuditAction
  target: string
  detail: Record<string, unknown>
  ip: string
}

export interface AuditQuery {
  action?: AuditAction
  /** Matches the actor's email (a substring, case-insensitive). */
  actor?: string
  from?: Date
  /** Exclusive. */
  to?: Date
  /** Entries older than this id (the next page). */
  before?: number
  limit: number
}

/** The API's pages of the log: newest first, by id (what `before` is to the page). */
export const AUDIT_LIST: Keyset = { list: 'audit', parts: ['integer'] }

/** An organization's entries, newest first. */
export async function listAudit(db: Db, organizationId: string, query: AuditQuery): Promise<AuditRecord[]> {
  let select = db.selectFrom('audit_log')
    .select(['id', 'at', 'actor_user_id', 'actor_email', 'action', 'target', 'detail', 'ip'])
    .where('organization_id', '=', organizationId)
  if (query.action) select = select.where('action', '=', query.action)
  if (query.actor) select = select.where('actor_email', 'ilike', `%${query.actor.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
  if (query.from) select = select.where('at', '>=', query.from)
  if (query.to) select = select.where('at', '<', query.to)
  if (query.before !== undefined) select = select.where('id', '<', query.before)
  const rows = await select.orderBy('id', 'desc').limit(query.limit).execute()
  return rows.map((row) => ({
    id: Number(row.id), at: row.at, actorUserId: row.actor_user_id, actorEmail: row.actor_email,
    action: row.action as AuditAction, target: row.target, detail: row.detail, ip: row.ip,
  }))
}
