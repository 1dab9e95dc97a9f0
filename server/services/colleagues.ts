// Colleagues by email: inviting someone with a role (and, for a unit manager, units), sending the
// link again, withdrawing it, and the invited person's account coming into being when they accept.
// The invitation is single use: accepting claims it in one statement, in the same transaction that
// creates the account, so a second use (or two at once) fails cleanly.
import { randomUUID } from 'node:crypto'
import type { Db } from '../../db/connect.js'
import { isUniqueViolation } from '../../db/connect.js'
import { checkInvitation, checkUnitChoice, INVITATION_DAYS, roleInWords } from '../domain/colleagues.js'
import type { Checked, FieldErrors } from '../domain/inputs.js'
import { assignableRoles, mayGive } from '../domain/roles.js'
import type { Role } from '../domain/types.js'
import { queueAccountMail } from '../repositories/account-mails.js'
import { atomically } from '../repositories/atomically.js'
import {
  claimInvitation, findInvitation, insertInvitation, invitationByTokenHash, openInvitationOf, openInvitations, revokeInvitation, revokeInvitationsBy,
  type ColleagueInvitation,
} from '../repositories/colleague-invitations.js'
import { deleteSessionsOfUser } from '../repositories/credentials.js'
import { emailHasAccount, findPerson, insertUser, listPeople, listPeoplePage, lockOwners, removeUser, setUserRole, type Person } from '../repositories/organizations.js'
import type { Page, PageRequest } from '../repositories/keyset.js'
import { listUnits } from '../repositories/units.js'
import { managedUnits, setManagedUnits, unitsOfManager } from '../repositories/unit-managers.js'
import { accountToken, hashToken, isTokenShaped } from '../security/tokens.js'
import { audit, auditAs, type Caller } from './audit.js'

export type { ColleagueInvitation } from '../repositories/colleague-invitations.js'

const KIND = 'colleague_invitation'
const DAY_MS = 24 * 60 * 60 * 1000


type Inviter = Caller & { principal: NonNullable<Caller['principal']> }

/** Everything the people page shows: people with their units, open invitations, the units to choose from. */
export async function peopleOverview(db: Db, organizationId: string, now = new Date()) {
  const [people, units, invitations, managed] = await Promise.all([
    listPeople(db, organizationId), listUnits(db, organizationId), openInvitations(db, organizationId), managedUnits(db, organizationId),
  ])
  const unitName = new Map(units.map((unit) => [unit.id, unit.name]))
  return {
    people: people.map((person) => ({ ...person, units: person.role === 'unit_manager' ? managed.get(person.id) ?? [] : [] })),
    units: units.map(({ id, name }) => ({ id, name })),
    invitations: invitations.map((invitation) => ({
      ...invitation,
      expired: invitation.expiresAt <= now,
      unitNames: invitation.unitIds.map((id) => unitName.get(id)).filter((name): name is string => name !== undefined),
    })),
  }
}

/** A page of the organization's people, each unit manager with their units (the API's list). */
export async function colleaguePage(db: Db, organizationId: string, page: PageRequest): Promise<Page<Person & { units: Array<{ id: string; name: string }> }>> {
  const [people, managed] = await Promise.all([listPeoplePage(db, organizationId, page), managedUnits(db, organizationId)])
  return { ...people, rows: people.rows.map((person) => ({ ...person, units: person.role === 'unit_manager' ? managed.get(person.id) ?? [] : [] })) }
}

/** A person with their units, as colleaguePage gives them; undefined for none of that id in the organization. */
export async function colleague(db: Db, organizationId: string, personId: string) {
  const person = await findPerson(db, organizationId, personId)
  if (!person) return undefined
  return { ...person, units: person.role === 'unit_manager' ? await unitsOfManager(db, organizationId, person.id) : [] }
}

/** Creates an invitation row with a fresh id (so a fresh token) and queues its mail, in `trx`. */
async function issue(trx: Db, secret: string, inviter: Inviter['principal'], input: { email: string; name: string; role: Role; unitIds: readonly string[] }) {
  const id = randomUUID()
  await insertInvitation(trx, {
    id, organizationId: inviter.organizationId, email: input.email, name: input.name, role: input.role, unitIds: input.unitIds,
    invitedBy: inviter.userId, tokenHash: hashToken(accountToken(secret, KIND, id)), expiresAt: new Date(Date.now() + INVITATION_DAYS * DAY_MS),
  })
  await queueAccountMail(trx, {
    organizationId: inviter.organizationId, kind: KIND, refId: id, recipient: input.email,
    params: { organization: inviter.organizationName, inviter: inviter.name || inviter.email, role: roleInWords(input.role), days: String(INVITATION_DAYS) },
  })
  return id
}

const ALREADY_INVITED = 'This address has an invitation already. Send it again from the list of invitations, or withdraw it first.'
const HAS_ACCOUNT = 'This email address already has a Service Gap account.'

/** Invites a colleague by email; field errors when the form needs correcting. */
export async function inviteColleague(db: Db, secret: string, caller: Inviter, form: Record<string, unknown>): Promise<Checked<string>> {
  const inviter = caller.principal
  const units = await listUnits(db, inviter.organizationId)
  const checked = checkInvitation(form, assignableRoles(inviter.role), units.map((unit) => unit.id))
  if (!checked.ok) return checked
  const input = checked.value
  if (await emailHasAccount(db, input.email)) return { ok: false, errors: { email: HAS_ACCOUNT } }
  try {
    const id = await atomically(db, async (trx) => {
      const open = await openInvitationOf(trx, inviter.organizationId, input.email)
      if (open && open.expiresAt > new Date()) return null
      // An expired invitation of the same address makes way for the new one.
      if (open) await revokeInvitation(trx, inviter.organizationId, open.id)
      return issue(trx, secret, inviter, input)
    })
    if (id === null) return { ok: false, errors: { email: ALREADY_INVITED } }
    await audit(db, caller, 'person_invited', { target: `invitation ${id}`, detail: { role: input.role, units: input.unitIds.length } })
    return { ok: true, value: id }
  } catch (error) {
    // Another admin invited the same address a moment ago.
    if (isUniqueViolation(error)) return { ok: false, errors: { email: ALREADY_INVITED } }
    throw error
  }
}

/**
 * Sends an open invitation again with a new link: the old row is withdrawn and a new one (new id, so a
 * new token, and seven days from now) takes its place. The old link stops working at once.
 * The new invitation's id; null when there is no open invitation of that id in the caller's organization.
 */
export async function sendInvitationAgain(db: Db, secret: string, caller: Inviter, invitationId: string): Promise<string | null> {
  const inviter = caller.principal
  const old = await findInvitation(db, inviter.organizationId, invitationId)
  if (!old || old.acceptedAt || old.revokedAt || !mayGive(inviter.role, old.role)) return null
  const id = await atomically(db, async (trx) => {
    if (!(await revokeInvitation(trx, inviter.organizationId, old.id))) return null
    return issue(trx, secret, inviter, old)
  })
  if (id === null) return null
  await audit(db, caller, 'person_invited', { target: `invitation ${id}`, detail: { role: old.role, units: old.unitIds.length, again: true } })
  return id
}

/** Withdraws an open invitation; false when there is none of that id in the caller's organization. */
export async function withdrawInvitation(db: Db, caller: Inviter, invitationId: string): Promise<boolean> {
  const invitation = await findInvitation(db, caller.principal.organizationId, invitationId)
  if (!invitation || !mayGive(caller.principal.role, invitation.role)) return false
  if (!(await revokeInvitation(db, caller.principal.organizationId, invitation.id))) return false
  await audit(db, caller, 'invitation_revoked', { target: `invitation ${invitation.id}`, detail: { role: invitation.role } })
  return true
}

/**
 * A person of the caller's organization whom the caller may change or remove: 'missing' when there is
 * none of that id, 'owner_only' when they hold a role the caller may not give (only an owner changes an owner).
 */
export async function personToChange(db: Db, caller: Inviter, personId: string): Promise<Person | 'missing' | 'owner_only'> {
  const person = await findPerson(db, caller.principal.organizationId, personId)
  if (!person) return 'missing'
  return mayGive(caller.principal.role, person.role) ? person : 'owner_only'
}

export type PersonChanged = { ok: true } | { ok: false; errors: FieldErrors } | 'last_owner' | 'not_unit_manager'

/**
 * Changes a person's role, a unit manager's units (at least one), or both: everything is checked
 * before anything changes. `role` must be one the caller may give; units belong only to a unit
 * manager ('not_unit_manager' otherwise). A role change is changeRole's, with its last-owner rule.
 */
export async function changePerson(db: Db, caller: Inviter, person: Person, change: { role?: unknown; units?: unknown }): Promise<PersonChanged> {
  const organizationId = caller.principal.organizationId
  const errors: FieldErrors = {}
  if (change.role !== undefined && !mayGive(caller.principal.role, change.role)) errors.role = `Choose a role you are allowed to give: ${assignableRoles(caller.principal.role).join(', ')}.`
  const role = mayGive(caller.principal.role, change.role) ? change.role : person.role
  let unitIds: string[] | null = null
  if (change.units !== undefined && Object.keys(errors).length === 0) {
    if (role !== 'unit_manager') return 'not_unit_manager'
    unitIds = checkUnitChoice(change.units, (await listUnits(db, organizationId)).map((unit) => unit.id), errors, true)
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  if (role !== person.role && (await changeRole(db, caller, person, role)) === 'last_owner') return 'last_owner'
  if (unitIds !== null) {
    await setManagedUnits(db, organizationId, person.id, unitIds)
    await audit(db, caller, 'units_assigned', { target: `person ${person.id}`, detail: { units: unitIds.length } })
  }
  return { ok: true }
}

export type InvitationState = 'open' | 'accepted' | 'withdrawn' | 'expired'

/**
 * The invitation a join link names, and whether it can still be used; undefined for a token that names
 * none. A value that is not shaped like a token is refused without a query.
 */
export async function invitationForToken(db: Db, token: unknown, now = new Date()): Promise<{ invitation: ColleagueInvitation; state: InvitationState } | undefined> {
  if (!isTokenShaped(token)) return undefined
  const invitation = await invitationByTokenHash(db, hashToken(token))
  if (!invitation) return undefined
  const state: InvitationState = invitation.acceptedAt ? 'accepted' : invitation.revokedAt ? 'withdrawn' : invitation.expiresAt <= now ? 'expired' : 'open'
  return { invitation, state }
}

export interface NewAccount {
  /** The person's name as they gave it (the invitation's name when they leave it blank). */
  name: string
  /** A hash from security/passwords.ts; null for an account that signs in only with single sign-on. */
  passwordHash: string | null
  /** Runs inside the same transaction once the account exists: single sign-on links its subject here. */
  linked?: (trx: Db, userId: string) => Promise<void>
}

export type AcceptResult =
  | { ok: true; user: { id: string; organizationId: string; email: string } }
  | { ok: false; reason: 'gone' | 'has_account' }

/**
 * Creates the invited account with the invited role (and a unit manager's units), marking the
 * invitation used, all in one transaction. 'gone' when the invitation was used, withdrawn or expired
 * in the meantime; 'has_account' when the address got an account elsewhere first. Audited as
 * invitation_accepted; the caller then signs the person in (finishSignIn).
 */
export async function acceptInvitation(db: Db, caller: Pick<Caller, 'ip'>, invitation: ColleagueInvitation, account: NewAccount): Promise<AcceptResult> {
  try {
    const userId = await atomically(db, async (trx) => {
      if (!(await claimInvitation(trx, invitation.id))) return null
      const id = await insertUser(trx, {
        organizationId: invitation.organizationId, email: invitation.email, name: account.name.trim() || invitation.name,
        role: invitation.role, passwordHash: account.passwordHash,
      })
      if (invitation.role === 'unit_manager') await setManagedUnits(trx, invitation.organizationId, id, invitation.unitIds)
      await account.linked?.(trx, id)
      return id
    })
    if (userId === null) return { ok: false, reason: 'gone' }
    const user = { id: userId, organizationId: invitation.organizationId, email: invitation.email }
    await auditAs(db, { principal: null, ip: caller.ip }, { organizationId: user.organizationId, userId, email: user.email }, 'invitation_accepted',
      { target: `invitation ${invitation.id}`, detail: { role: invitation.role } })
    return { ok: true, user }
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'has_account' }
    throw error
  }
}

/**
 * Whether the organization keeps an owner when this person stops being one. Checked inside the
 * transaction that makes the change, with the owners' rows locked: two owners taking the role from
 * each other (or removing each other) at the same moment would otherwise both see two owners and
 * leave none.
 */
async function keepsAnOwner(trx: Db, organizationId: string, personId: string): Promise<boolean> {
  const owners = await lockOwners(trx, organizationId)
  return !owners.includes(personId) || owners.length > 1
}

/**
 * Gives a person another role. Their sessions end (they sign in again under the new role); their API
 * tokens follow at once, since a token's role is read from the person on every request. Leaving the
 * unit manager role drops their units, so that a later return to it starts from a fresh choice.
 * Their open invitations of roles the new role cannot give are withdrawn.
 * 'last_owner' (and nothing changed) when it would leave the organization without an owner.
 */
export async function changeRole(db: Db, caller: Inviter, person: { id: string; role: Role }, role: Role): Promise<'changed' | 'last_owner'> {
  const organizationId = caller.principal.organizationId
  const withdrawn = await atomically(db, async (trx) => {
    if (role !== 'owner' && !(await keepsAnOwner(trx, organizationId, person.id))) return null
    await setUserRole(trx, organizationId, person.id, role)
    if (role !== 'unit_manager') await setManagedUnits(trx, organizationId, person.id, [])
    await deleteSessionsOfUser(trx, person.id)
    // Their open invitations act with their authority: those of roles they may no longer give are withdrawn.
    return revokeInvitationsBy(trx, organizationId, person.id, assignableRoles(role))
  })
  if (withdrawn === null) return 'last_owner'
  await audit(db, caller, 'role_changed', { target: `person ${person.id}`, detail: { from: person.role, to: role, ...(withdrawn > 0 ? { invitationsWithdrawn: withdrawn } : {}) } })
  return 'changed'
}

/**
 * Removes a person; their sessions, API tokens and units go with their account, and the open
 * invitations they sent are withdrawn. 'last_owner' (and
 * nothing removed) when they are the organization's only owner.
 */
export async function removePerson(db: Db, caller: Inviter, person: { id: string; role: Role }): Promise<'removed' | 'last_owner'> {
  const organizationId = caller.principal.organizationId
  const withdrawn = await atomically(db, async (trx) => {
    if (!(await keepsAnOwner(trx, organizationId, person.id))) return null
    // Before the account goes (which forgets who sent them): a removed admin's spare invitations
    // would otherwise let them back in.
    const count = await revokeInvitationsBy(trx, organizationId, person.id, [])
    await removeUser(trx, organizationId, person.id)
    return count
  })
  if (withdrawn === null) return 'last_owner'
  await audit(db, caller, 'person_removed', { target: `person ${person.id}`, detail: { role: person.role, ...(withdrawn > 0 ? { invitationsWithdrawn: withdrawn } : {}) } })
  return 'removed'
}
