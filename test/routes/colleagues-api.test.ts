// Colleagues through the API, on both databases, end to end: an invitation sent by the API is the
// one the people page lists and the one the mailed link accepts; a role changed by the API is what
// that colleague's own token can do on its next request; the people page's rules hold (only an owner
// changes an owner or gives the owner role, the last owner stays); another organization's ids are 404.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { MailWorker } from '../../server/mail/worker.js'
import { smtpTransport } from '../../server/mail/transport.js'
import { listAudit } from '../../server/repositories/audit.js'
import { addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, PASSWORD, signedIn, type Tenant, type TestContext } from '../helpers/app.js'
import { linkIn, smtpServer } from '../helpers/smtp.js'

describeEachDatabase('colleagues through the API', (ctx: TestContext) => {
  let smtp: Awaited<ReturnType<typeof smtpServer>>
  let transport: ReturnType<typeof smtpTransport>
  let worker: MailWorker
  let tenant: Tenant
  let owner: string
  let unitId: string

  beforeAll(async () => {
    smtp = await smtpServer()
    transport = smtpTransport(smtp.url)
    worker = new MailWorker({ db: ctx.database.db, transport, publicUrl: ctx.config.publicUrl, secret: ctx.config.signingSecret, from: 'Service Gap <sg@sg.test>', rate: 1000 })
    tenant = await createTenant(ctx, 'People Co')
    owner = await apiToken(ctx, tenant.owner.email)
    unitId = (await api(owner, 'POST', '/units', { name: 'North' })).json().id
  })
  afterAll(async () => {
    await worker.stop()
    transport.close()
    await smtp.close()
  })

  function api(token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) {
    return ctx.app.inject({ method, url: `/api/v1${url}`, headers: { ...bearer(token), ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) })
  }

  async function joinLinkSentTo(to: string): Promise<string> {
    await worker.runOnce()
    const message = smtp.received.filter((m) => m.to === to).at(-1)
    expect(message, `a message to ${to}`).toBeDefined()
    return linkIn(message!.raw, 'http://sg.test/join/')!.slice('http://sg.test'.length)
  }

  it('invites by the API: the page lists the invitation, a retry with the same key sends nothing twice, and the mailed link makes the account', async () => {
    const email = `nia-${ctx.kind}@example.test`
    const key = { 'idempotency-key': `invite-${ctx.kind}` }
    const invited = await api(owner, 'POST', '/people/invitations', { email, name: 'Nia', role: 'analyst' }, key)
    expect(invited.statusCode, invited.body).toBe(201)
    expect(invited.json()).toMatchObject({ email, name: 'Nia', role: 'analyst', units: [], expired: false, invitedBy: { email: tenant.owner.email } })
    expect(invited.body).not.toMatch(/token/i)
    const again = await api(owner, 'POST', '/people/invitations', { email, name: 'Nia', role: 'analyst' }, key)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.json().id).toBe(invited.json().id)
    // Without the key, the same invitation again is the page's refusal, as a 400 naming the field.
    const twice = await api(owner, 'POST', '/people/invitations', { email, role: 'analyst' })
    expect(twice.statusCode).toBe(400)
    expect(twice.json().details).toEqual([{ field: 'email', message: expect.stringContaining('has an invitation already') }])

    const listed = (await api(owner, 'GET', '/people/invitations')).json()
    expect(listed.map((i: { id: string }) => i.id)).toEqual([invited.json().id])
    const page = await (await signedIn(ctx, tenant.owner.email)).get('/settings/people')
    expect(page.body).toContain(email)

    const path = await joinLinkSentTo(email)
    expect(smtp.received.filter((m) => m.to === email)).toHaveLength(1)
    const colleague = new Browser(ctx.app)
    await colleague.get(path)
    const joined = await colleague.post(path, { name: 'Nia Nilsson', password: PASSWORD, confirm: PASSWORD })
    expect(joined.statusCode).toBe(303)
    const people: Array<{ email: string; role: string; name: string }> = (await api(owner, 'GET', '/people')).json()
    expect(people.find((p) => p.email === email)).toMatchObject({ role: 'analyst', name: 'Nia Nilsson', units: [] })
    expect((await api(owner, 'GET', '/people/invitations')).json()).toEqual([])
  })

  it('changes a role: the colleague\'s own token can do what the new role allows on its very next request', async () => {
    const email = await addPerson(ctx, tenant, 'analyst')
    const token = await apiToken(ctx, email)
    const person = (await api(owner, 'GET', '/people')).json().find((p: { email: string }) => p.email === email)
    const wave = (await api(owner, 'POST', '/waves', { name: 'Role wave', templateKey: 'service-gap-index' })).json().id
    expect((await api(token, 'GET', `/waves/${wave}/export.csv`)).statusCode).toBe(200)

    const viewer = await api(owner, 'PATCH', `/people/${person.id}`, { role: 'viewer' })
    expect(viewer.statusCode, viewer.body).toBe(200)
    expect(viewer.json()).toMatchObject({ id: person.id, role: 'viewer' })
    expect((await api(token, 'GET', `/waves/${wave}/export.csv`)).statusCode).toBe(403)

    // A unit manager with units, in one request; their units come back with the person.
    const manager = await api(owner, 'PATCH', `/people/${person.id}`, { role: 'unit_manager', units: [unitId] })
    expect(manager.json()).toMatchObject({ role: 'unit_manager', units: [{ id: unitId, name: 'North' }] })
    expect((await api(owner, 'GET', `/people/${person.id}`)).json().units).toEqual([{ id: unitId, name: 'North' }])
    // Both are checked before either changes: units for a role without units change nothing.
    const bad = await api(owner, 'PATCH', `/people/${person.id}`, { role: 'analyst', units: ['00000000-0000-4000-8000-000000000000'] })
    expect(bad.statusCode).toBe(409)
    const wrongUnit = await api(owner, 'PATCH', `/people/${person.id}`, { units: ['00000000-0000-4000-8000-000000000000'] })
    expect(wrongUnit.statusCode).toBe(400)
    expect(wrongUnit.json().details).toEqual([{ field: 'units', message: 'Choose units from the list.' }])
    expect((await api(owner, 'GET', `/people/${person.id}`)).json()).toMatchObject({ role: 'unit_manager', units: [{ id: unitId }] })

    const audit = await listAudit(ctx.database.db, tenant.organizationId, { limit: 50 })
    expect(audit.map((event) => event.action)).toEqual(expect.arrayContaining(['role_changed', 'units_assigned']))
  })

  it('holds the page\'s rules: an admin neither changes an owner nor gives the owner role, and the last owner stays one', async () => {
    const admin = await apiToken(ctx, await addPerson(ctx, tenant, 'admin'))
    const people: Array<{ id: string; email: string; role: string }> = (await api(owner, 'GET', '/people')).json()
    const ownerId = tenant.owner.userId
    const manager = people.find((p) => p.role === 'unit_manager')!

    expect((await api(admin, 'PATCH', `/people/${ownerId}`, { role: 'viewer' })).statusCode).toBe(403)
    expect((await api(admin, 'DELETE', `/people/${ownerId}`)).statusCode).toBe(403)
    const escalate = await api(admin, 'PATCH', `/people/${manager.id}`, { role: 'owner' })
    expect(escalate.statusCode).toBe(400)
    expect(escalate.json().details[0].field).toBe('role')
    const inviteOwner = await api(admin, 'POST', '/people/invitations', { email: `boss-${ctx.kind}@example.test`, role: 'owner' })
    expect(inviteOwner.statusCode).toBe(400)
    expect(inviteOwner.json().details).toEqual([{ field: 'role', message: 'Choose one of: admin, analyst, viewer, unit_manager.' }])
    const noUnits = await api(admin, 'POST', '/people/invitations', { email: `um-${ctx.kind}@example.test`, role: 'unit_manager' })
    expect(noUnits.json().details[0].field).toBe('units')

    const demote = await api(owner, 'PATCH', `/people/${ownerId}`, { role: 'admin' })
    expect(demote.statusCode).toBe(409)
    expect(demote.json().error).toBe('last_owner')
    expect((await api(owner, 'DELETE', `/people/${ownerId}`)).json().error).toBe('last_owner')
    expect((await api(owner, 'GET', `/people/${ownerId}`)).json().role).toBe('owner')
    // A viewer's token may not manage people at all.
    const viewer = await apiToken(ctx, await addPerson(ctx, tenant, 'viewer'))
    expect((await api(viewer, 'GET', '/people')).statusCode).toBe(403)
  })

  it('removes a person and withdraws an invitation: their token stops working, the link stops working', async () => {
    const email = await addPerson(ctx, tenant, 'viewer')
    const token = await apiToken(ctx, email)
    const person = (await api(owner, 'GET', '/people')).json().find((p: { email: string }) => p.email === email)
    expect((await api(owner, 'DELETE', `/people/${person.id}`)).statusCode).toBe(204)
    expect((await api(token, 'GET', '/waves')).statusCode).toBe(401)
    expect((await api(owner, 'GET', `/people/${person.id}`)).statusCode).toBe(404)

    const invitee = `zoe-${ctx.kind}@example.test`
    const first = (await api(owner, 'POST', '/people/invitations', { email: invitee, role: 'viewer' })).json()
    const firstLink = await joinLinkSentTo(invitee)
    const resent = await api(owner, 'POST', `/people/invitations/${first.id}/resend`)
    expect(resent.statusCode).toBe(201)
    expect(resent.json().id).not.toBe(first.id)
    const secondLink = await joinLinkSentTo(invitee)
    expect(secondLink).not.toBe(firstLink)
    expect((await new Browser(ctx.app).get(firstLink)).statusCode).toBe(410)
    expect((await api(owner, 'DELETE', `/people/invitations/${resent.json().id}`)).statusCode).toBe(204)
    expect((await new Browser(ctx.app).get(secondLink)).statusCode).toBe(410)
    expect((await api(owner, 'DELETE', `/people/invitations/${resent.json().id}`)).statusCode).toBe(404)
  })

  it('pages the people list by cursor, and answers 404 to another organization for every id of ours', async () => {
    const first = await api(owner, 'GET', '/people?limit=2')
    const next = first.headers['next-cursor'] as string
    expect(next).toBeTruthy()
    const second = (await api(owner, 'GET', `/people?limit=2&cursor=${encodeURIComponent(next)}`)).json()
    const all = (await api(owner, 'GET', '/people')).json()
    expect([...first.json(), ...second].map((p: { id: string }) => p.id)).toEqual(all.slice(0, 4).map((p: { id: string }) => p.id))

    const other = await createTenant(ctx, 'Other Co')
    const stranger = await apiToken(ctx, other.owner.email)
    const invitation = (await api(owner, 'POST', '/people/invitations', { email: `kit-${ctx.kind}@example.test`, role: 'viewer' })).json()
    const ours = tenant.owner.userId
    for (const [method, url, payload] of [
      ['GET', `/people/${ours}`], ['PATCH', `/people/${ours}`, { role: 'viewer' }], ['DELETE', `/people/${ours}`],
      ['POST', `/people/invitations/${invitation.id}/resend`], ['DELETE', `/people/invitations/${invitation.id}`],
    ] as const) {
      const response = await api(stranger, method, url, payload)
      expect(response.statusCode, `${method} ${url}`).toBe(404)
    }
    const theirs = (await api(stranger, 'GET', '/people')).json()
    expect(theirs.map((p: { email: string }) => p.email)).toEqual([other.owner.email])
    expect((await api(stranger, 'GET', '/people/invitations')).json()).toEqual([])
    expect((await api(owner, 'GET', `/people/${ours}`)).json().role).toBe('owner')
  })
}, {}, { mail: { worker: false } })
