// Colleagues by email, on both databases: an owner invites, the message goes through a real SMTP
// server, the colleague opens the link, chooses a password and is signed in with the invited role
// (a unit manager with their units). Links are single use and run out; a withdrawn or resent one
// stops working; junk and other organizations' tokens and ids find nothing.
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { MailWorker } from '../../server/mail/worker.js'
import { smtpTransport } from '../../server/mail/transport.js'
import { listAudit } from '../../server/repositories/audit.js'
import { addPerson, Browser, createTenant, describeEachDatabase, PASSWORD, signedIn, type Tenant, type TestContext } from '../helpers/app.js'
import { linkIn, smtpServer } from '../helpers/smtp.js'

const NEW_PASSWORD = 'a kettle of teal herons'

describeEachDatabase('colleagues by email', (ctx: TestContext) => {
  let smtp: Awaited<ReturnType<typeof smtpServer>>
  let transport: ReturnType<typeof smtpTransport>
  let worker: MailWorker
  let tenant: Tenant
  let owner: Browser
  let northId: string
  let southId: string

  beforeAll(async () => {
    smtp = await smtpServer()
    transport = smtpTransport(smtp.url)
    worker = new MailWorker({ db: ctx.database.db, transport, publicUrl: ctx.config.publicUrl, secret: ctx.config.signingSecret, from: 'Service Gap <sg@sg.test>', rate: 1000 })
    tenant = await createTenant(ctx, 'Acme <Care>')
    owner = await signedIn(ctx, tenant.owner.email)
    const unit = async (name: string) => (await ctx.database.db.insertInto('units').values({ organization_id: tenant.organizationId, name }).returning('id').executeTakeFirstOrThrow()).id
    northId = await unit('North')
    southId = await unit('South')
  })
  afterAll(async () => {
    await worker.stop()
    transport.close()
    await smtp.close()
  })

  /** Sends what is queued and returns the join link in the last message to `to`. */
  async function linkSentTo(to: string): Promise<string> {
    await worker.runOnce()
    const message = smtp.received.filter((m) => m.to === to).at(-1)
    expect(message, `a message to ${to}`).toBeDefined()
    const link = linkIn(message!.raw, 'http://sg.test/join/')
    expect(link).toBeDefined()
    return link!.slice('http://sg.test'.length)
  }

  /** Posts the join form as `browser` from an address of its own, so the per-address limit only bites where meant. */
  let address = 0
  function join(browser: Browser, path: string, form: Record<string, string | string[]>) {
    const body = new URLSearchParams()
    if (!('_csrf' in form) && browser.csrf) body.append('_csrf', browser.csrf)
    for (const [key, value] of Object.entries(form)) for (const v of [value].flat()) body.append(key, v)
    address++
    return browser.request({ method: 'POST', url: path, payload: body.toString(), remoteAddress: `10.9.${address >> 8}.${address & 255}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  }

  async function invite(form: Record<string, string | string[]>, by = owner) {
    await by.get('/settings/people')
    return by.post('/settings/people/invitations', form)
  }

  const invitationOf = (email: string) => ctx.database.db.selectFrom('colleague_invitations').selectAll().where('email', '=', email).orderBy('created_at', 'desc').executeTakeFirstOrThrow()

  it('invites an analyst by email; the colleague sets a password and lands signed in with that role', async () => {
    const email = 'nia.analyst@example.test'
    const sent = await invite({ email: '  Nia.Analyst@Example.test ', name: 'Nia', role: 'analyst' })
    expect(sent.statusCode).toBe(303)
    const people = await owner.get('/settings/people?done=invited')
    expect(people.body).toContain('Invitation sent.')
    expect(people.body).toContain(email)
    expect(people.body).toContain('Invitations not yet accepted')

    const path = await linkSentTo(email)
    const message = smtp.received.filter((m) => m.to === email).at(-1)!.raw
    expect(message).toContain('as an analyst')
    expect(message).toContain('for 7 days')
    // Only the token's hash is stored.
    const row = await invitationOf(email)
    expect(row.token_hash).not.toBe(path.split('/').at(-1))
    expect(row.expires_at.getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000)

    const colleague = new Browser(ctx.app)
    const page = await colleague.get(path)
    expect(page.statusCode).toBe(200)
    expect(page.headers['cache-control']).toBe('no-store')
    expect(page.body).toContain('Acme &lt;Care&gt;')
    expect(page.body).toContain(`<p id="email-value">${email}</p>`)
    expect(page.body).not.toContain('name="email"')
    expect(page.body).toContain('value="Nia"')
    expect(page.body).toContain('an analyst')

    const joined = await join(colleague, path, { name: 'Nia Nilsson', password: NEW_PASSWORD, confirm: NEW_PASSWORD })
    expect(joined.statusCode).toBe(303)
    expect(joined.headers.location).toBe('/waves')
    expect((await colleague.get('/waves')).statusCode).toBe(200)
    const user = await ctx.database.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow()
    expect(user).toMatchObject({ organization_id: tenant.organizationId, role: 'analyst', name: 'Nia Nilsson' })
    expect(user.password_hash).not.toContain(NEW_PASSWORD)
    // Their own password works from now on.
    await new Browser(ctx.app).login(email, NEW_PASSWORD)
    expect((await invitationOf(email)).accepted_at).not.toBeNull()

    const entries = await listAudit(ctx.database.db, tenant.organizationId, { limit: 50 })
    expect(entries.map((entry) => entry.action)).toEqual(expect.arrayContaining(['person_invited', 'invitation_accepted', 'sign_in']))
    expect(entries.find((entry) => entry.action === 'invitation_accepted')).toMatchObject({ actorEmail: email, detail: { role: 'analyst' } })
    // Neither the link's token nor the password is in the log.
    const logged = JSON.stringify(entries)
    expect(logged).not.toContain(path.split('/').at(-1))
    expect(logged).not.toContain(NEW_PASSWORD)
    // The accepted invitation leaves the list.
    expect((await owner.get('/settings/people')).body).not.toContain('Invitations not yet accepted')

    // A second use of the same link: 410, no second account, no 500.
    const again = await new Browser(ctx.app).get(path)
    expect(again.statusCode).toBe(410)
    expect(again.body).toContain('used already')
    const reuse = await join(colleague, path, { name: 'X', password: NEW_PASSWORD, confirm: NEW_PASSWORD })
    expect(reuse.statusCode).toBe(410)
  })

  it('invites a unit manager with their units, who joins with exactly those units', async () => {
    const email = 'uma.manager@example.test'
    const missing = await invite({ email, name: 'Uma', role: 'unit_manager' })
    expect(missing.statusCode).toBe(422)
    expect(missing.body).toContain('Choose at least one unit')
    expect(missing.body).toContain(`value="${email}"`)
    expect(missing.body).toContain('value="Uma"')
    expect(missing.body).toMatch(/id="role-unit_manager" name="role" value="unit_manager" checked/)

    expect((await invite({ email, name: 'Uma', role: 'unit_manager', units: [southId, 'not-a-uuid'] })).statusCode).toBe(422)
    expect((await invite({ email, name: 'Uma', role: 'unit_manager', units: [southId] })).statusCode).toBe(303)
    const listed = await owner.get('/settings/people')
    expect(listed.body).toMatch(/unit manager<br><small class="muted">Units: South/)

    const path = await linkSentTo(email)
    expect(smtp.received.filter((m) => m.to === email).at(-1)!.raw).toContain('as a unit manager')
    const colleague = new Browser(ctx.app)
    await colleague.get(path)
    expect((await join(colleague, path, { name: '', password: NEW_PASSWORD, confirm: NEW_PASSWORD })).statusCode).toBe(303)
    const user = await ctx.database.db.selectFrom('users').select(['id', 'role', 'name']).where('email', '=', email).executeTakeFirstOrThrow()
    expect(user).toMatchObject({ role: 'unit_manager', name: 'Uma' })
    const units = await ctx.database.db.selectFrom('unit_managers').select('unit_id').where('user_id', '=', user.id).execute()
    expect(units.map((u) => u.unit_id)).toEqual([southId])

    // The people list shows their units, and an admin changes them.
    await owner.get('/settings/people')
    const none = await owner.post(`/settings/people/${user.id}/units`, {})
    expect(none.statusCode).toBe(422)
    expect(none.body).toContain('Choose at least one unit')
    expect((await owner.post(`/settings/people/${user.id}/units`, { units: [northId, southId] })).statusCode).toBe(303)
    expect((await owner.get('/settings/people')).body).toContain('Units: North, South')
    const actions = (await listAudit(ctx.database.db, tenant.organizationId, { limit: 50 })).map((entry) => entry.action)
    expect(actions).toContain('units_assigned')
    // Units belong only to unit managers.
    const analyst = await ctx.database.db.selectFrom('users').select('id').where('email', '=', 'nia.analyst@example.test').executeTakeFirstOrThrow()
    expect((await owner.post(`/settings/people/${analyst.id}/units`, { units: [northId] })).statusCode).toBe(409)
    // Leaving the role drops the units.
    expect((await owner.post(`/settings/people/${user.id}/role`, { role: 'viewer' })).statusCode).toBe(303)
    expect(await ctx.database.db.selectFrom('unit_managers').select('unit_id').where('user_id', '=', user.id).execute()).toEqual([])
  })

  it('refuses an address that has an account or an open invitation, keeping what was typed', async () => {
    const taken = await invite({ email: tenant.owner.email.toUpperCase(), name: 'Twice', role: 'viewer' })
    expect(taken.statusCode).toBe(422)
    expect(taken.body).toContain('already has a Service Gap account')
    expect(taken.body).toContain('value="Twice"')

    const email = 'vic.viewer@example.test'
    expect((await invite({ email, role: 'viewer' })).statusCode).toBe(303)
    const twice = await invite({ email, role: 'analyst' })
    expect(twice.statusCode).toBe(422)
    expect(twice.body).toContain('has an invitation already')

    // Odd input is a field error, never a 500.
    for (const form of [{ email: ['a@x.test', 'b@x.test'], role: 'viewer' }, { email: 'x'.repeat(5000) + '@x.test', role: 'viewer' }, { email: 'a@x.test\r\nBcc: evil@x.test', role: 'viewer' }, { email: 'c@x.test', role: ['viewer', 'owner'] }, { email: 'd@x.test', role: 'superuser' }]) {
      const bad = await invite(form)
      expect(bad.statusCode, JSON.stringify(form).slice(0, 80)).toBe(422)
    }
    const longName = await invite({ email: 'e@x.test', role: 'viewer', name: 'n'.repeat(500) })
    expect(longName.statusCode).toBe(422)
    expect(longName.body).toContain('at most 100 characters')
  })

  it('does not let an admin invite an owner, nor send again or withdraw an owner\'s invitation', async () => {
    const adminEmail = await addPerson(ctx, tenant, 'admin')
    const admin = await signedIn(ctx, adminEmail)
    const owned = await invite({ email: 'new.owner@example.test', role: 'owner' }, admin)
    expect(owned.statusCode).toBe(422)
    expect((await invite({ email: 'new.owner@example.test', role: 'owner' })).statusCode).toBe(303)
    const { id } = await invitationOf('new.owner@example.test')
    await admin.get('/settings/people')
    expect((await admin.post(`/settings/people/invitations/${id}/withdraw`)).statusCode).toBe(404)
    expect((await admin.post(`/settings/people/invitations/${id}/resend`)).statusCode).toBe(404)
    // An analyst has no say in people at all.
    const analyst = await signedIn(ctx, await addPerson(ctx, tenant, 'analyst'))
    expect((await analyst.get('/settings/people')).statusCode).toBe(403)
  })

  it('sends an invitation again with a new link; the old link stops working', async () => {
    const email = 'resend.me@example.test'
    await invite({ email, role: 'viewer' })
    const first = await linkSentTo(email)
    const { id } = await invitationOf(email)
    await owner.get('/settings/people')
    expect((await owner.post(`/settings/people/invitations/${id}/resend`)).statusCode).toBe(303)
    const second = await linkSentTo(email)
    expect(second).not.toBe(first)
    const old = await new Browser(ctx.app).get(first)
    expect(old.statusCode).toBe(410)
    expect(old.body).toContain('withdrawn')
    // Sending the withdrawn row again finds nothing open.
    expect((await owner.post(`/settings/people/invitations/${id}/resend`)).statusCode).toBe(404)
    const colleague = new Browser(ctx.app)
    expect((await colleague.get(second)).statusCode).toBe(200)
    expect((await join(colleague, second, { password: NEW_PASSWORD, confirm: NEW_PASSWORD })).statusCode).toBe(303)
  })

  it('answers 410 for a withdrawn or expired link, and sends an expired one again', async () => {
    const email = 'withdraw.me@example.test'
    await invite({ email, role: 'viewer' })
    const path = await linkSentTo(email)
    const { id } = await invitationOf(email)
    await owner.get('/settings/people')
    expect((await owner.post(`/settings/people/invitations/${id}/withdraw`)).statusCode).toBe(303)
    expect((await owner.get('/settings/people?done=withdrawn')).body).toContain('Invitation withdrawn')
    const withdrawn = new Browser(ctx.app)
    expect((await withdrawn.get(path)).statusCode).toBe(410)
    await withdrawn.get('/login')
    expect((await join(withdrawn, path, { password: NEW_PASSWORD, confirm: NEW_PASSWORD })).statusCode).toBe(410)
    expect((await owner.post(`/settings/people/invitations/${id}/withdraw`)).statusCode).toBe(404)
    const actions = (await listAudit(ctx.database.db, tenant.organizationId, { limit: 80 })).map((entry) => entry.action)
    expect(actions).toContain('invitation_revoked')

    const late = 'late.comer@example.test'
    await invite({ email: late, role: 'viewer' })
    const latePath = await linkSentTo(late)
    const colleague = new Browser(ctx.app)
    await colleague.get(latePath)
    await sql`update colleague_invitations set expires_at = now() - interval '1 minute' where email = ${late}`.execute(ctx.database.db)
    const expired = await new Browser(ctx.app).get(latePath)
    expect(expired.statusCode).toBe(410)
    expect(expired.body).toContain('run out')
    // The form loaded before it ran out cannot be used after.
    expect((await join(colleague, latePath, { password: NEW_PASSWORD, confirm: NEW_PASSWORD })).statusCode).toBe(410)
    expect((await owner.get('/settings/people')).body).toMatch(/expired /)
    // Inviting the address anew replaces the expired invitation.
    expect((await invite({ email: late, role: 'analyst' })).statusCode).toBe(303)
    const fresh = await linkSentTo(late)
    expect((await new Browser(ctx.app).get(fresh)).statusCode).toBe(200)
  })

  it('keeps the name but never the password when the join form needs correcting', async () => {
    const email = 'picky.joiner@example.test'
    await invite({ email, role: 'viewer' })
    const path = await linkSentTo(email)
    const colleague = new Browser(ctx.app)
    await colleague.get(path)
    const short = await join(colleague, path, { name: 'Pia <b>', password: 'short', confirm: 'short' })
    expect(short.statusCode).toBe(422)
    expect(short.body).toContain('value="Pia &lt;b&gt;"')
    expect(short.body).not.toContain('value="short"')
    const own = await join(colleague, path, { name: 'Pia', password: 'picky.joiner@example.test', confirm: 'picky.joiner@example.test' })
    expect(own.statusCode).toBe(422)
    const mismatch = await join(colleague, path, { name: 'Pia', password: NEW_PASSWORD, confirm: NEW_PASSWORD + 'x' })
    expect(mismatch.statusCode).toBe(422)
    expect(mismatch.body).toContain('do not match')
    const odd: Array<Record<string, string | string[]>> = [{ password: [NEW_PASSWORD, NEW_PASSWORD], confirm: NEW_PASSWORD }, { name: ['a', 'b'], password: NEW_PASSWORD }, {}]
    for (const form of odd) {
      expect((await join(colleague, path, form)).statusCode).toBe(422)
    }
    expect((await join(colleague, path, { password: NEW_PASSWORD, confirm: NEW_PASSWORD, _csrf: 'forged' })).statusCode).toBe(403)
    expect(await ctx.database.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()).toBeUndefined()
  })

  it('finds nothing for junk tokens, and nothing of another organization', async () => {
    for (const junk of ['x', '%00', 'a'.repeat(500), '..%2F..%2Fetc', 'A'.repeat(43)]) {
      const response = await new Browser(ctx.app).get(`/join/${junk}`)
      expect([404, 410, 414], junk).toContain(response.statusCode)
      expect(response.body).not.toMatch(/at .*\(.*:\d+:\d+\)/)
    }
    const other = await createTenant(ctx, 'Other Org')
    const otherOwner = await signedIn(ctx, other.owner.email)
    await otherOwner.get('/settings/people')
    expect((await otherOwner.post('/settings/people/invitations', { email: 'theirs@example.test', role: 'viewer' })).statusCode).toBe(303)
    const theirs = await invitationOf('theirs@example.test')
    await owner.get('/settings/people')
    expect((await owner.post(`/settings/people/invitations/${theirs.id}/withdraw`)).statusCode).toBe(404)
    expect((await owner.post(`/settings/people/invitations/${theirs.id}/resend`)).statusCode).toBe(404)
    expect((await owner.post('/settings/people/invitations/not-a-uuid/withdraw')).statusCode).toBe(404)
    expect((await owner.get('/settings/people')).body).not.toContain('theirs@example.test')
    expect((await invitationOf('theirs@example.test')).revoked_at).toBeNull()
    // Their link, used, makes an account in their organization only.
    const path = await linkSentTo('theirs@example.test')
    const colleague = new Browser(ctx.app)
    await colleague.get(path)
    expect((await join(colleague, path, { password: NEW_PASSWORD, confirm: NEW_PASSWORD })).statusCode).toBe(303)
    const user = await ctx.database.db.selectFrom('users').select('organization_id').where('email', '=', 'theirs@example.test').executeTakeFirstOrThrow()
    expect(user.organization_id).toBe(other.organizationId)
  })

  it('creates one account when the same link is used twice at once', async () => {
    const email = 'racer@example.test'
    await invite({ email, role: 'viewer' })
    const path = await linkSentTo(email)
    const a = new Browser(ctx.app)
    const b = new Browser(ctx.app)
    await a.get(path)
    await b.get(path)
    const results = await Promise.all([join(a, path, { password: NEW_PASSWORD, confirm: NEW_PASSWORD }), join(b, path, { password: PASSWORD, confirm: PASSWORD })])
    expect(results.map((r) => r.statusCode).sort()).toEqual([303, 410])
    const rows = await ctx.database.db.selectFrom('users').select('id').where('email', '=', email).execute()
    expect(rows).toHaveLength(1)
  })
}, {}, { mail: { worker: false } })
