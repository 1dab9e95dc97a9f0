// Organization settings and the people who can sign in.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { FieldErrors } from '../../domain/inputs.js'
import { LOCALES } from '../../domain/instrument.js'
import { roleDoes } from '../../domain/colleagues.js'
import { assignableRoles } from '../../domain/roles.js'
import { HttpError, notFound } from '../../http-error.js'
import { getOrganization } from '../../repositories/organizations.js'
import { parseMailFrom } from '../../domain/sender.js'
import { changeOrganizationSettings, SETTINGS_FIELDS } from '../../services/organization-settings.js'
import {
  changePerson, inviteColleague, peopleOverview, personToChange, removePerson, sendInvitationAgain, withdrawInvitation,
} from '../../services/colleagues.js'
import { lastOwner, notUnitManager, ownerOnly } from '../colleague-errors.js'

type Params = { id: string }

export default async function settingsPages(app: FastifyInstance) {
  const orgOf = (request: FastifyRequest) => request.principal!.organizationId

  const settingsPage = (values: Record<string, unknown>, errors: FieldErrors, saved: boolean) =>
    ({ title: 'Settings', values, errors, locales: LOCALES, saved, mailFrom: parseMailFrom(app.config.mailFrom) })

  app.get('/settings', { config: { access: 'manage_settings' } }, async (request, reply) => {
    const org = await getOrganization(app.db, orgOf(request))
    const values = { name: org.name, minGroupSize: org.minGroupSize, defaultLocale: org.defaultLocale, senderName: org.senderName, replyTo: org.replyTo ?? '' }
    return reply.page('settings', settingsPage(values, {}, 'saved' in (request.query as object)))
  })

  app.post('/settings', { config: { access: 'manage_settings' } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const typed = Object.fromEntries(SETTINGS_FIELDS.map((key) => [key, typeof body[key] === 'string' ? body[key] : '']))
    // The whole form, as sent: a field it lacks is an empty one, and a repeated one is refused by its check.
    const form = Object.fromEntries(SETTINGS_FIELDS.map((key) => [key, body[key] ?? '']))
    const changed = await changeOrganizationSettings(app.db, { principal: request.principal!, ip: request.ip }, form)
    if (!changed.ok) return reply.code(422).page('settings', settingsPage(typed, changed.errors, false))
    return reply.redirect('/settings?saved', 303)
  })

  // -- People: who can sign in, colleagues invited by email, unit managers' units --

  /** Who is asking, as the colleague services need it (a signed-in person with the manage_users permission). */
  const inviter = (request: FastifyRequest) => ({ principal: request.principal!, ip: request.ip })

  async function peoplePage(request: FastifyRequest, form: { values?: Record<string, unknown>; errors?: FieldErrors; unitErrors?: { personId: string; errors: FieldErrors } } = {}) {
    const overview = await peopleOverview(app.db, orgOf(request))
    const roles = assignableRoles(request.principal!.role)
    const values: Record<string, unknown> = { role: 'analyst', ...form.values }
    const chosen = new Set([values.units].flat().filter((v): v is string => typeof v === 'string'))
    return {
      title: 'People', ...overview, roles, roleDoes, errors: form.errors ?? {}, unitErrors: form.unitErrors ?? null,
      values: { email: typeof values.email === 'string' ? values.email : '', name: typeof values.name === 'string' ? values.name : '', role: values.role, units: chosen },
      notice: noticeOf(request),
    }
  }

  const NOTICES: Record<string, string> = {
    invited: 'Invitation sent. The link works once, for seven days.',
    resent: 'Invitation sent again with a new link; the old link no longer works.',
    withdrawn: 'Invitation withdrawn; its link no longer works.',
    units: 'Units saved.',
  }
  const noticeOf = (request: FastifyRequest) => {
    const key = (request.query as Record<string, unknown>).done
    return typeof key === 'string' && Object.hasOwn(NOTICES, key) ? NOTICES[key]! : null
  }

  app.get('/settings/people', { config: { access: 'manage_users' } }, async (request, reply) =>
    reply.page('people', await peoplePage(request)))

  app.post('/settings/people/invitations', { config: { access: 'manage_users', rateLimit: { max: 30, timeWindow: '1 minute' } } }, async (request, reply) => {
    const body = request.body as Record<string, unknown>
    const invited = await inviteColleague(app.db, app.config.signingSecret, inviter(request), body)
    if (!invited.ok) return reply.code(422).page('people', await peoplePage(request, { values: body, errors: invited.errors }))
    return reply.redirect('/settings/people?done=invited', 303)
  })

  app.post<{ Params: Params }>('/settings/people/invitations/:id/resend', { config: { access: 'manage_users', rateLimit: { max: 30, timeWindow: '1 minute' } } }, async (request, reply) => {
    if (!(await sendInvitationAgain(app.db, app.config.signingSecret, inviter(request), request.params.id))) throw notFound('This invitation')
    return reply.redirect('/settings/people?done=resent', 303)
  })

  app.post<{ Params: Params }>('/settings/people/invitations/:id/withdraw', { config: { access: 'manage_users' } }, async (request, reply) => {
    if (!(await withdrawInvitation(app.db, inviter(request), request.params.id))) throw notFound('This invitation')
    return reply.redirect('/settings/people?done=withdrawn', 303)
  })

  /** Finds a person of the caller's organization whom the caller may change. */
  async function loadPerson(request: FastifyRequest<{ Params: Params }>) {
    const person = await personToChange(app.db, inviter(request), request.params.id)
    if (person === 'missing') throw notFound('This person')
    if (person === 'owner_only') throw ownerOnly()
    return person
  }

  app.post<{ Params: Params }>('/settings/people/:id/role', { config: { access: 'manage_users' } }, async (request, reply) => {
    const person = await loadPerson(request)
    const role = (request.body as Record<string, unknown>).role
    // A form without a role asks for no role at all, which is refused like any role one may not give.
    const changed = await changePerson(app.db, inviter(request), person, { role: role ?? null })
    if (changed === 'last_owner') throw lastOwner()
    if (typeof changed === 'object' && !changed.ok) throw new HttpError(400, 'bad_request', 'Choose a role you are allowed to give.')
    // A new unit manager sees nothing until they have units: the list opens where those are chosen.
    return reply.redirect(role === 'unit_manager' && person.role !== role ? `/settings/people#units-${person.id}` : '/settings/people', 303)
  })

  app.post<{ Params: Params }>('/settings/people/:id/units', { config: { access: 'manage_users' } }, async (request, reply) => {
    const person = await loadPerson(request)
    // No box ticked sends no field: that is a choice of no units, which the service refuses.
    const result = await changePerson(app.db, inviter(request), person, { units: (request.body as Record<string, unknown>).units ?? [] })
    if (result === 'not_unit_manager' || result === 'last_owner') throw notUnitManager()
    if (!result.ok) return reply.code(422).page('people', await peoplePage(request, { unitErrors: { personId: person.id, errors: result.errors } }))
    return reply.redirect('/settings/people?done=units', 303)
  })

  app.post<{ Params: Params }>('/settings/people/:id/remove', { config: { access: 'manage_users' } }, async (request, reply) => {
    const person = await loadPerson(request)
    if ((await removePerson(app.db, inviter(request), person)) === 'last_owner') throw lastOwner()
    return reply.redirect(person.id === request.principal!.userId ? '/login' : '/settings/people', 303)
  })
}
