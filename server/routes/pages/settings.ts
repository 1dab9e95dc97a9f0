// Organization settings and the people who can sign in.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { isUniqueViolation } from '../../../db/connect.js'
import { checkNewPerson, checkSettings, type FieldErrors } from '../../domain/inputs.js'
import { LOCALES } from '../../domain/instrument.js'
import { checkSender, parseMailFrom } from '../../domain/sender.js'
import { assignableRoles, isRole } from '../../domain/roles.js'
import { HttpError, notFound } from '../../http-error.js'
import { deleteSessionsOfUser } from '../../repositories/credentials.js'
import { audit } from '../../services/audit.js'
import {
  addUser, countOwners, findPerson, getOrganization, listPeople, removeUser, setUserRole, updateOrganization,
} from '../../repositories/organizations.js'

type Params = { id: string }

export default async function settingsPages(app: FastifyInstance) {
  const orgOf = (request: FastifyRequest) => request.principal!.organizationId

  const LABELS = { name: 'name', minGroupSize: 'minimum group size', defaultLocale: 'default language', senderName: 'sender name', replyTo: 'reply-to' } as const
  const settingsPage = (values: Record<string, unknown>, errors: FieldErrors, saved: boolean) =>
    ({ title: 'Settings', values, errors, locales: LOCALES, saved, mailFrom: parseMailFrom(app.config.mailFrom) })

  app.get('/settings', { config: { access: 'manage_settings' } }, async (request, reply) => {
    const org = await getOrganization(app.db, orgOf(request))
    const values = { name: org.name, minGroupSize: org.minGroupSize, defaultLocale: org.defaultLocale, senderName: org.senderName, replyTo: org.replyTo ?? '' }
    return reply.page('settings', settingsPage(values, {}, 'saved' in (request.query as object)))
  })

  app.post('/settings', { config: { access: 'manage_settings' } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const checked = checkSettings(body)
    const sender = checkSender(body)
    if (!checked.ok || !sender.ok) {
      const errors = { ...(checked.ok ? {} : checked.errors), ...(sender.ok ? {} : sender.errors) }
      const typed = Object.fromEntries(Object.keys(LABELS).map((key) => [key, typeof body[key] === 'string' ? body[key] : '']))
      return reply.code(422).page('settings', settingsPage(typed, errors, false))
    }
    const before = await getOrganization(app.db, orgOf(request))
    const after = { ...checked.value, ...sender.value }
    const changed = (Object.keys(LABELS) as Array<keyof typeof LABELS>).filter((key) => before[key] !== after[key])
    await updateOrganization(app.db, orgOf(request), after)
    // Which settings changed, never their values: a reply-to address is personal data.
    if (changed.length > 0) await audit(app.db, request, 'settings_changed', { detail: { changed } })
    return reply.redirect('/settings?saved', 303)
  })

  async function peoplePage(request: FastifyRequest, values: Record<string, unknown> = {}, errors: FieldErrors = {}) {
    const people = await listPeople(app.db, orgOf(request))
    const roles = assignableRoles(request.principal!.role)
    return { title: 'People', people, roles, values: { role: 'analyst', ...values, password: '' }, errors }
  }

  app.get('/settings/people', { config: { access: 'manage_users' } }, async (request, reply) =>
    reply.page('people', await peoplePage(request)))

  app.post('/settings/people', { config: { access: 'manage_users' } }, async (request, reply) => {
    const body = request.body as Record<string, unknown>
    const checked = checkNewPerson(body, assignableRoles(request.principal!.role))
    let errors = checked.ok ? null : checked.errors
    if (checked.ok) {
      try {
        await addUser(app.db, orgOf(request), checked.value)
      } catch (error) {
        if (!isUniqueViolation(error)) throw error
        errors = { email: 'This email address already has an account.' }
      }
    }
    if (errors) return reply.code(422).page('people', await peoplePage(request, body, errors))
    return reply.redirect('/settings/people', 303)
  })

  /** Finds a person of the caller's organization whom the caller may change. */
  async function loadPerson(request: FastifyRequest<{ Params: Params }>) {
    const person = await findPerson(app.db, orgOf(request), request.params.id)
    if (!person) throw notFound('This person')
    if (!assignableRoles(request.principal!.role).includes(person.role)) {
      throw new HttpError(403, 'forbidden', 'Only an owner can change or remove an owner.')
    }
    return person
  }

  async function keepAnOwner(request: FastifyRequest, person: { role: string }) {
    if (person.role === 'owner' && (await countOwners(app.db, orgOf(request))) <= 1) {
      throw new HttpError(409, 'last_owner', 'An organization needs at least one owner. Make someone else an owner first.')
    }
  }

  app.post<{ Params: Params }>('/settings/people/:id/role', { config: { access: 'manage_users' } }, async (request, reply) => {
    const person = await loadPerson(request)
    const role = (request.body as Record<string, unknown>).role
    if (!isRole(role) || !assignableRoles(request.principal!.role).includes(role)) throw new HttpError(400, 'bad_request', 'Choose a role you are allowed to give.')
    if (role !== 'owner') await keepAnOwner(request, person)
    await setUserRole(app.db, orgOf(request), person.id, role)
    await deleteSessionsOfUser(app.db, person.id)
    return reply.redirect('/settings/people', 303)
  })

  app.post<{ Params: Params }>('/settings/people/:id/remove', { config: { access: 'manage_users' } }, async (request, reply) => {
    const person = await loadPerson(request)
    await keepAnOwner(request, person)
    await removeUser(app.db, orgOf(request), person.id)
    return reply.redirect(person.id === request.principal!.userId ? '/login' : '/settings/people', 303)
  })
}
