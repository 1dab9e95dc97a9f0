// Colleagues through the API: the people who can sign in with their roles (and a unit manager's
// units), changing a role or units, removing someone, and invitations by email (list, send, send
// again, withdraw). Owners and admins (manage_users); the rules are the people page's, in
// services/colleagues.ts: only an owner changes an owner or gives the owner role, and the last owner
// stays one. Another organization's person or invitation is 404.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { fieldsInvalid, notFound } from '../../http-error.js'
import { INVITATION_LIST, openInvitationPage, findInvitation } from '../../repositories/colleague-invitations.js'
import { PEOPLE_LIST } from '../../repositories/organizations.js'
import { listUnits } from '../../repositories/units.js'
import {
  changePerson, colleague, colleaguePage, inviteColleague, personToChange, removePerson, sendInvitationAgain, withdrawInvitation,
  type ColleagueInvitation as StoredInvitation,
} from '../../services/colleagues.js'
import { lastOwner, notUnitManager, ownerOnly } from '../colleague-errors.js'
import { pageRequest, pageResponse, sendPage } from './paging.js'
import { ChangePersonBody, ColleagueInvitation, InviteBody, Person } from './people-schemas.js'
import { errors, IdParams, PageQuery } from './schemas.js'

type PersonWithUnits = NonNullable<Awaited<ReturnType<typeof colleague>>>
const personJson = (person: PersonWithUnits) => ({
  id: person.id, email: person.email, name: person.name, role: person.role, units: person.units, lastLoginAt: person.lastLoginAt?.toISOString() ?? null,
})

export default async function people(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const access = 'manage_users' as const
  const caller = (request: FastifyRequest) => ({ principal: request.principal!, ip: request.ip })
  const orgOf = (request: FastifyRequest) => request.principal!.organizationId

  async function invitationsJson(organizationId: string, invitations: StoredInvitation[], now = new Date()) {
    const unitName = new Map((await listUnits(app.db, organizationId)).map((unit) => [unit.id, unit.name]))
    return invitations.map((invitation) => ({
      id: invitation.id, email: invitation.email, name: invitation.name, role: invitation.role,
      units: invitation.unitIds.flatMap((id) => (unitName.has(id) ? [{ id, name: unitName.get(id)! }] : [])),
      invitedBy: invitation.inviterEmail === null ? null : { name: invitation.inviterName ?? '', email: invitation.inviterEmail },
      createdAt: invitation.createdAt.toISOString(), expiresAt: invitation.expiresAt.toISOString(), expired: invitation.expiresAt <= now,
    }))
  }

  async function invitationAnswer(organizationId: string, id: string) {
    const invitation = await findInvitation(app.db, organizationId, id)
    if (!invitation) throw notFound('This invitation')
    return (await invitationsJson(organizationId, [invitation]))[0]!
  }

  /** The person named in the path, when the caller may change them (404 for none, 403 for an owner and a caller who is not one). */
  async function changeable(request: FastifyRequest, personId: string) {
    const person = await personToChange(app.db, caller(request), personId)
    if (person === 'missing') throw notFound('This person')
    if (person === 'owner_only') throw ownerOnly()
    return person
  }

  app.get('/people', {
    config: { access },
    schema: {
      operationId: 'listPeople',
      tags: ['people'],
      summary: 'List the people who can sign in, with their roles, in the order they joined',
      description: 'A page of `limit` people; the `Link` and `Next-Cursor` headers lead to the next one.',
      querystring: Type.Object(PageQuery),
      response: { 200: pageResponse(Type.Array(Person), 'A page of people'), ...errors(400, 401, 403) },
    },
  }, async (request, reply) => {
    const page = await colleaguePage(app.db, orgOf(request), pageRequest(PEOPLE_LIST, request.query))
    return sendPage(request, reply, page).map(personJson)
  })

  app.get('/people/:id', {
    config: { access },
    schema: { operationId: 'getPerson', tags: ['people'], summary: 'One person, with their role and units', params: IdParams, response: { 200: Person, ...errors(401, 403, 404) } },
  }, async (request) => {
    const person = await colleague(app.db, orgOf(request), request.params.id)
    if (!person) throw notFound('This person')
    return personJson(person)
  })

  app.patch('/people/:id', {
    config: { access },
    schema: {
      operationId: 'updatePerson',
      tags: ['people'],
      summary: 'Change a person\'s role, or a unit manager\'s units',
      description: 'Both are checked before either changes. A new role ends the person\'s sessions; their API tokens act with the new role from the next request. '
        + '403 when the person is an owner and you are not; 409 `last_owner` when it would leave the organization without an owner, `not_unit_manager` for units of someone who is not one.',
      params: IdParams,
      body: ChangePersonBody,
      response: { 200: Person, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (request) => {
    const person = await changeable(request, request.params.id)
    const changed = await changePerson(app.db, caller(request), person, request.body)
    if (changed === 'last_owner') throw lastOwner()
    if (changed === 'not_unit_manager') throw notUnitManager()
    if (!changed.ok) throw fieldsInvalid(changed.errors)
    return personJson((await colleague(app.db, orgOf(request), person.id))!)
  })

  app.delete('/people/:id', {
    config: { access },
    schema: {
      operationId: 'deletePerson',
      tags: ['people'],
      summary: 'Remove a person: their account, sessions and tokens go, and the invitations they sent are withdrawn',
      description: '403 when the person is an owner and you are not; 409 `last_owner` for the organization\'s only owner.',
      params: IdParams,
      response: { 204: Type.Null(), ...errors(401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    const person = await changeable(request, request.params.id)
    if ((await removePerson(app.db, caller(request), person)) === 'last_owner') throw lastOwner()
    return reply.code(204).send(null)
  })

  app.get('/people/invitations', {
    config: { access },
    schema: {
      operationId: 'listColleagueInvitations',
      tags: ['people'],
      summary: 'List the invitations not yet used or withdrawn, newest first (expired ones too, to send again)',
      description: 'A page of `limit` invitations; the `Link` and `Next-Cursor` headers lead to the next one.',
      querystring: Type.Object(PageQuery),
      response: { 200: pageResponse(Type.Array(ColleagueInvitation), 'A page of open invitations'), ...errors(400, 401, 403) },
    },
  }, async (request, reply) => {
    const page = await openInvitationPage(app.db, orgOf(request), pageRequest(INVITATION_LIST, request.query))
    return invitationsJson(orgOf(request), sendPage(request, reply, page))
  })

  app.post('/people/invitations', {
    config: { access, rateLimit: { max: 30, timeWindow: '1 minute' } },
    schema: {
      operationId: 'createColleagueInvitation',
      tags: ['people'],
      summary: 'Invite a colleague by email, with a role (and a unit manager\'s units)',
      description: 'The mail holds a link that works once, for seven days; the person chooses their own password when they accept. '
        + '400 when a field needs correcting: a role you may not give, units not of your organization, an address that has an account or an invitation already.',
      body: InviteBody,
      response: { 201: ColleagueInvitation, ...errors(400, 401, 403) },
    },
  }, async (request, reply) => {
    const invited = await inviteColleague(app.db, app.config.signingSecret, caller(request), request.body)
    if (!invited.ok) throw fieldsInvalid(invited.errors)
    return reply.code(201).send(await invitationAnswer(orgOf(request), invited.value))
  })

  app.post('/people/invitations/:id/resend', {
    config: { access, rateLimit: { max: 30, timeWindow: '1 minute' } },
    schema: {
      operationId: 'resendColleagueInvitation',
      tags: ['people'],
      summary: 'Send an invitation again with a new link for seven more days; the old link stops working',
      description: 'The answer is the new invitation, under a new id.',
      params: IdParams,
      response: { 201: ColleagueInvitation, ...errors(401, 403, 404) },
    },
  }, async (request, reply) => {
    const id = await sendInvitationAgain(app.db, app.config.signingSecret, caller(request), request.params.id)
    if (id === null) throw notFound('This invitation')
    return reply.code(201).send(await invitationAnswer(orgOf(request), id))
  })

  app.delete('/people/invitations/:id', {
    config: { access },
    schema: {
      operationId: 'deleteColleagueInvitation',
      tags: ['people'],
      summary: 'Withdraw an invitation; its link stops working',
      params: IdParams,
      response: { 204: Type.Null(), ...errors(401, 403, 404) },
    },
  }, async (request, reply) => {
    if (!(await withdrawInvitation(app.db, caller(request), request.params.id))) throw notFound('This invitation')
    return reply.code(204).send(null)
  })
}
