// Erasure: deleting a contact (their invitations and unsubscribe record with them; a customer answer
// they gave through a personal invitation keeps its figures but loses its attributes and every trace
// of the invitation) and deleting one response. The rollups are moved or taken down in the same
// transaction, by the same totals that stored them (rollups.ts), so they stay equal to a recount (a
// response still queued for the fold is not in them: changing its row is enough);
// and the side's release revision is raised, so the cached anonymity release is computed afresh.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Side } from '../domain/types.js'
import type { Answers } from '../domain/responses.js'
import { atomically } from './atomically.js'
import { addSuppression } from './suppressions.js'
import { addProfiles, addTotals, lockQueued, measureItems, rollupTotals, type RolledResponse } from './rollups.js'
import { waveIsOpen } from './wave-status.js'

async function raiseRevision(db: Db, organizationId: string, waveId: string, side: Side): Promise<void> {
  await db.insertInto('release_revisions').values({ organization_id: organizationId, wave_id: waveId, side, revision: 1 })
    .onConflict((oc) => oc.columns(['organization_id', 'wave_id', 'side']).doUpdateSet({ revision: sql<number>`release_revisions.revision + 1` })).execute()
}

interface StoredResponse extends RolledResponse {
  id: string
  organizationId: string
  waveId: string
  /** Whether the response is in the rollups already, or still queued for the fold (its entry locked: lockQueued). */
  folded: boolean
}

/** Responses with their answers, each saying whether it is folded into the rollups yet (which then stays so). */
async function loadResponses(db: Db, organizationId: string, ids: readonly string[]): Promise<StoredResponse[]> {
  if (ids.length === 0) return []
  const queued = await lockQueued(db, organizationId, ids)
  const rows = await db.selectFrom('responses').select(['id', 'wave_id', 'side', 'unit_id', 'attributes'])
    .where('organization_id', '=', organizationId).where('id', 'in', ids).execute()
  const answers = await db.selectFrom('answers').select(['response_id', 'item_key', 'value'])
    .where('organization_id', '=', organizationId).where('response_id', 'in', ids).execute()
  const byResponse = new Map<string, Answers>()
  for (const a of answers) byResponse.set(a.response_id, { ...byResponse.get(a.response_id), [a.item_key]: a.value })
  return rows.map((row) => ({
    id: row.id, organizationId, waveId: row.wave_id, side: row.side, unitId: row.unit_id, attributes: row.attributes, answers: byResponse.get(row.id) ?? {}, folded: !queued.has(row.id),
  }))
}

/** Takes folded responses' totals out of the rollups (sign −1) or puts them in (+1), whole or only their profiles. */
async function shiftRollups(db: Db, waveId: string, responses: readonly StoredResponse[], sign: 1 | -1, only: 'profiles' | 'all'): Promise<void> {
  const folded = responses.filter((r) => r.folded)
  if (folded.length === 0) return
  const totals = rollupTotals(await measureItems(db, waveId), folded)
  const organizationId = folded[0]!.organizationId
  if (only === 'profiles') await addProfiles(db, organizationId, waveId, totals.profiles, 0, sign)
  else await addTotals(db, organizationId, waveId, totals, 0, sign)
}

export interface ContactErasure {
  invitations: number
  /** Customer responses that lost their link and attributes. */
  responsesUnlinked: number
  suppressed: boolean
}

/**
 * Deletes a contact of the organization with their invitations (and mail jobs) and their unsubscribe
 * record, keeping `emailHash` as a suppression when they had unsubscribed. A customer response given
 * through one of their invitations is found by the invitation's use (same wave, same moment) and keeps
 * only its answers, unit, language and comment. Null when there is no such contact.
 */
export async function eraseContact(db: Db, organizationId: string, contactId: string, emailHash: string): Promise<ContactErasure | null> {
  return atomically(db, async (trx) => {
    const contact = await trx.selectFrom('contacts').select(['id', 'email']).where('organization_id', '=', organizationId).where('id', '=', contactId)
      .forUpdate().executeTakeFirst()
    if (!contact) return null
    // The unsubscribe record is the address's, not one contact's: while the address's other contact
    // (the other side) stays, so does the record, or that contact's queued mail would go out again.
    const sibling = await trx.selectFrom('contacts').select('id').where('organization_id', '=', organizationId).where('email', '=', contact.email)
      .where('id', '<>', contactId).executeTakeFirst()
    const unsubscribe = trx.selectFrom('unsubscribes').select('email').where('organization_id', '=', organizationId).where('email', '=', contact.email)
    const suppressed = (await unsubscribe.executeTakeFirst()) !== undefined
    if (suppressed && !sibling) await trx.deleteFrom('unsubscribes').where('organization_id', '=', organizationId).where('email', '=', contact.email).execute()
    if (suppressed) await addSuppression(trx, organizationId, emailHash)
    // The development outbox keeps each message whole (address, name, links): with the address's last
    // contact, its messages go too. It cannot tell survey mail from account mail, so it keeps both
    // while the other side's contact stays.
    if (!sibling) {
      await trx.deleteFrom('outbox_messages').where('organization_id', '=', organizationId).where(sql<boolean>`lower(recipient) = ${contact.email}`).execute()
    }
    // A customer's answer and the use of its invitation are stored in one transaction, at one now().
    const linked = await trx.selectFrom('responses as r')
      .innerJoin('invitations as i', (join) => join.onRef('i.organization_id', '=', 'r.organization_id').onRef('i.wave_id', '=', 'r.wave_id')
        .onRef('i.used_at', '=', 'r.submitted_at'))
      .select('r.id').distinct()
      .where('i.contact_id', '=', contactId).where('i.organization_id', '=', organizationId).where('i.side', '=', 'customer')
      .where('r.side', '=', 'customer').where('r.channel', '=', 'invitation').where('r.organization_id', '=', organizationId)
      .execute()
    const responses = await loadResponses(trx, organizationId, linked.map((row) => row.id))
    const withAttributes = responses.filter((r) => Object.keys(r.attributes).length > 0)
    for (const waveId of new Set(withAttributes.map((r) => r.waveId))) {
      const moved = withAttributes.filter((r) => r.waveId === waveId)
      await shiftRollups(trx, waveId, moved, -1, 'profiles')
      await shiftRollups(trx, waveId, moved.map((r) => ({ ...r, attributes: {} })), 1, 'profiles')
      await raiseRevision(trx, organizationId, waveId, 'customer')
    }
    if (withAttributes.length > 0) {
      await trx.updateTable('responses').set({ attributes: '{}' }).where('id', 'in', withAttributes.map((r) => r.id)).execute()
    }
    const invitations = await trx.deleteFrom('invitations').where('organization_id', '=', organizationId).where('contact_id', '=', contactId).executeTakeFirst()
    await trx.deleteFrom('contacts').where('organization_id', '=', organizationId).where('id', '=', contactId).execute()
    return { invitations: Number(invitations.numDeletedRows), responsesUnlinked: responses.length, suppressed }
  })
}

export type ResponseErasure =
  | { outcome: 'deleted'; side: Side; released: boolean }
  | { outcome: 'released_staff_closed' | 'released_staff_open' | 'not_found' }

/**
 * Deletes one response of a wave of the organization. A customer response and a staff answer still
 * in the pool go at once. A released staff answer is refused: taking it out between two reads would
 * show its answers as the difference (design §5); the caller says why.
 */
export async function eraseResponse(db: Db, organizationId: string, waveId: string, responseId: string): Promise<ResponseErasure> {
  return atomically(db, async (trx) => {
    const wave = await trx.selectFrom('waves').select(['id', sql<boolean>`${waveIsOpen()}`.as('open')])
      .where('organization_id', '=', organizationId).where('id', '=', waveId).executeTakeFirst()
    if (!wave) return { outcome: 'not_found' }
    const row = await trx.selectFrom('responses').select(['id', 'side'])
      .where('organization_id', '=', organizationId).where('wave_id', '=', waveId).where('id', '=', responseId).forUpdate().executeTakeFirst()
    if (row?.side === 'staff') return { outcome: wave.open ? 'released_staff_open' : 'released_staff_closed' }
    if (row) {
      const responses = await loadResponses(trx, organizationId, [row.id])
      await shiftRollups(trx, waveId, responses, -1, 'all')
      await trx.deleteFrom('responses').where('organization_id', '=', organizationId).where('id', '=', row.id).execute()
      await raiseRevision(trx, organizationId, waveId, 'customer')
      return { outcome: 'deleted', side: 'customer', released: true }
    }
    const pooled = await trx.deleteFrom('staff_pool').where('organization_id', '=', organizationId).where('wave_id', '=', waveId).where('id', '=', responseId)
      .executeTakeFirst()
    return pooled.numDeletedRows > 0n ? { outcome: 'deleted', side: 'staff', released: false } : { outcome: 'not_found' }
  })
}

/**
 * Everything the organization holds about one (normalized) address, for a subject access request; the
 * audit entries the address made only `withAudit` (null otherwise).
 */
export async function personalData(db: Db, organizationId: string, email: string, emailHash: string, withAudit: boolean) {
  const contacts = await db.selectFrom('contacts as c')
    .leftJoin('units as u', (join) => join.onRef('u.id', '=', 'c.unit_id').onRef('u.organization_id', '=', 'c.organization_id'))
    .select(['c.id', 'c.side', 'c.email', 'c.name', 'u.name as unit', 'c.locale', 'c.attributes', 'c.created_at', 'c.updated_at'])
    .where('c.organization_id', '=', organizationId).where('c.email', '=', email).orderBy('c.side').execute()
  const contactIds = contacts.map((c) => c.id)
  const invitations = contactIds.length === 0 ? [] : await db.selectFrom('invitations as i')
    .innerJoin('waves as w', (join) => join.onRef('w.organization_id', '=', 'i.organization_id').onRef('w.id', '=', 'i.wave_id'))
    .select(['i.id', 'i.contact_id', 'i.wave_id', 'w.name as wave', 'i.side', 'i.status', 'i.used', 'i.used_at', 'i.created_at', 'i.last_sent_at',
      'i.reminders_sent', 'i.error'])
    .where('i.organization_id', '=', organizationId).where('i.contact_id', 'in', contactIds).orderBy('i.created_at').execute()
  const invitationIds = invitations.map((i) => i.id)
  const surveyMail = invitationIds.length === 0 ? [] : await db.selectFrom('mail_jobs')
    .select(['invitation_id', 'kind', 'status', 'attempts', 'created_at', 'run_at', 'sent_at', 'last_error'])
    .where('organization_id', '=', organizationId).where('invitation_id', 'in', invitationIds).orderBy('id').execute()
  const customerInvitations = invitations.filter((i) => i.side === 'customer' && i.used_at !== null)
  const responseRows = customerInvitations.length === 0 ? [] : await db.selectFrom('responses as r')
    .innerJoin('invitations as i', (join) => join.onRef('i.organization_id', '=', 'r.organization_id').onRef('i.wave_id', '=', 'r.wave_id')
      .onRef('i.used_at', '=', 'r.submitted_at'))
    .innerJoin('waves as w', (join) => join.onRef('w.organization_id', '=', 'r.organization_id').onRef('w.id', '=', 'r.wave_id'))
    .leftJoin('units as u', (join) => join.onRef('u.organization_id', '=', 'r.organization_id').onRef('u.id', '=', 'r.unit_id'))
    .select(['r.id', 'r.wave_id', 'w.name as wave', 'u.name as unit', 'r.locale', 'r.attributes', 'r.comment', 'r.submitted_at'])
    .where('i.id', 'in', customerInvitations.map((i) => i.id))
    .where('r.organization_id', '=', organizationId).where('r.side', '=', 'customer').where('r.channel', '=', 'invitation')
    .orderBy('r.submitted_at').execute()
  const answers = responseRows.length === 0 ? [] : await db.selectFrom('answers').select(['response_id', 'item_key', 'value'])
    .where('organization_id', '=', organizationId).where('response_id', 'in', responseRows.map((r) => r.id)).orderBy('item_key').execute()
  const [unsubscribe, suppression, accountMail, outbox, users, audit] = await Promise.all([
    db.selectFrom('unsubscribes').select('created_at').where('organization_id', '=', organizationId).where('email', '=', email).executeTakeFirst(),
    db.selectFrom('suppressions').select('created_at').where('organization_id', '=', organizationId).where('email_hash', '=', emailHash).executeTakeFirst(),
    db.selectFrom('account_mails').select(['kind', 'status', 'attempts', 'created_at', 'sent_at'])
      .where('organization_id', '=', organizationId).where(sql<boolean>`lower(recipient) = ${email}`).orderBy('id').execute(),
    db.selectFrom('outbox_messages').select(['subject', 'created_at'])
      .where('organization_id', '=', organizationId).where(sql<boolean>`lower(recipient) = ${email}`).orderBy('id').execute(),
    db.selectFrom('users').select(['id', 'name', 'role', 'created_at', 'last_login_at'])
      .where('organization_id', '=', organizationId).where(sql<boolean>`lower(email) = ${email}`).execute(),
    withAudit
      ? db.selectFrom('audit_log').select(['at', 'action', 'target', 'detail', 'ip'])
        .where('organization_id', '=', organizationId).where(sql<boolean>`lower(actor_email) = ${email}`).orderBy('id').limit(10_000).execute()
      : null,
  ])
  return { contacts, invitations, surveyMail, responses: responseRows, answers, unsubscribe, suppression, accountMail, outbox, users, audit }
}

export type PersonalData = Awaited<ReturnType<typeof personalData>>

/** Whether the wave of the organization holds this response, released or in the staff pool. */
export async function responseExists(db: Db, organizationId: string, waveId: string, responseId: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`select exists (
      select 1 from responses where organization_id = ${organizationId}::uuid and wave_id = ${waveId}::uuid and id = ${responseId}::uuid
    ) or exists (
      select 1 from staff_pool where organization_id = ${organizationId}::uuid and wave_id = ${waveId}::uuid and id = ${responseId}::uuid
    ) as found`.execute(db)
  return rows[0]?.found === true
}
