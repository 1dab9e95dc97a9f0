// Writing the audit log from a request: the actor and address come from the request (a Fastify
// request fits `Caller`), so callers name only what happened.
import type { Db } from '../../db/connect.js'
import type { AuditAction } from '../domain/audit.js'
import { recordAudit } from '../repositories/audit.js'
import type { Principal } from '../repositories/credentials.js'

/** Who is asking and from where: what a Fastify request carries. */
export interface Caller { principal: Principal | null; ip: string }

export interface AuditFacts {
  target?: string
  detail?: Record<string, unknown>
}

/** Records what the signed-in person did. */
export async function audit(db: Db, request: Caller, action: AuditAction, facts: AuditFacts = {}): Promise<void> {
  const principal = request.principal
  if (!principal) throw new Error(`audit(${action}) needs a signed-in person; use auditAs`)
  await recordAudit(db, {
    organizationId: principal.organizationId, actorUserId: principal.userId, actorEmail: principal.email,
    action, ip: request.ip, ...facts,
  })
}

/** Records an action whose actor is not (yet) signed in: a sign-in, a reset, an accepted invitation. */
export async function auditAs(
  db: Db,
  request: Caller,
  actor: { organizationId: string; userId: string | null; email: string },
  action: AuditAction,
  facts: AuditFacts = {},
): Promise<void> {
  await recordAudit(db, {
    organizationId: actor.organizationId, actorUserId: actor.userId, actorEmail: actor.email, action, ip: request.ip, ...facts,
  })
}
