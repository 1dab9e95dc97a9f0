// Attacks on the roles, on both databases: a unit manager reaching other units' links through the
// API or the QR and print pages, two owners demoting each other at once, an admin reaching what only
// owners may do, API tokens following every change of role at once, and invitations that try to
// give more than the inviter may.
import { afterAll, expect, it } from 'vitest'
import { MailWorker } from '../../server/mail/worker.js'
import { outboxTransport } from '../../server/mail/transport.js'
import { countOwners, findUserByEmail } from '../../server/repositories/organizations.js'
import { setManagedUnits } from '../../server/repositories/unit-managers.js'
import { addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, PASSWORD, type Tenant, type TestContext } from '../helpers/app.js'
import { signInAtProvider, startOidcProvider, type TestProvider } from '../helpers/oidc.js'

describeEachDatabase('attacks on roles', (ctx: TestContext) => {
  let tenant: Tenant
  let ownerToken: string
  let waveId: string
  let units: Record<string, string>
  let managerEmail: string
  let managerToken: string

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: unknown) =>
    ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) })
  const userId = async (email: string) => (await findUserByEmail(ctx.database.db, email))!.id
  // Each sign-in from an address of its own, so that this file's many sign-ins stay under the
  // per-address limit of the sign-in form.
  let address = 0
  const signedIn = async (_ctx: TestContext, email: string) => {
    const browser = new Browser(ctx.app)
    await browser.get('/login')
    address++
    const body = new URLSearchParams({ _csrf: browser.csrf!, email, password: PASSWORD })
    const response = await browser.request({
      method: 'POST', url: '/login', payload: body.toString(), remoteAddress: `10.77.${address >> 8}.${address & 255}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(response.statusCode, `sign-in of ${email}`).toBe(303)
    await browser.get('/waves')
    return browser
  }

  it('sets up an organization with two units, a wave with unit links and a manager of North', async () => {
    tenant = await createTenant(ctx, 'Roles Org')
    ownerToken = await apiToken(ctx, tenant.owner.email)
    units = {}
    for (const name of ['North', 'South']) units[name] = (await api('POST', '/units', ownerToken, { name })).json().id
    const created = await api('POST', '/waves', ownerToken, { name: '2026-Q4', templateKey: 'service-gap-index', unitLinks: true })
    expect(created.statusCode, created.body).toBe(201)
    waveId = created.json().id
    managerEmail = await addPerson(ctx, tenant, 'unit_manager')
    await setManagedUnits(ctx.database.db, tenant.organizationId, await userId(managerEmail), [units.North!])
    managerToken = await apiToken(ctx, managerEmail)
  })

  it('gives a unit manager no link of another unit: not in the API wave objects, not as a QR code or print page', async () => {
    const owners = (await api('GET', `/waves/${waveId}`, ownerToken)).json()
    const south = owners.unitLinks.find((entry: { unit: { name: string } }) => entry.unit.name === 'South')
    expect(south.staff).toMatch(/\/s\//)
    const southToken = south.staff.split('/').at(-1) as string
    for (const url of [`/waves/${waveId}`, '/waves']) {
      const response = await api('GET', url, managerToken)
      expect(response.statusCode, url).toBe(200)
      expect(response.body, url).not.toContain(southToken)
      expect(response.body, url).not.toContain('South')
      expect(response.body, url).toContain('North')
    }
    const links = await ctx.database.db.selectFrom('links').select(['id', 'unit_id', 'side']).where('wave_id', '=', waveId).execute()
    const browser = await signedIn(ctx, managerEmail)
    for (const link of links) {
      // Their unit's links and the wave's general links, as the wave page shows them.
      const theirs = link.unit_id === units.North || link.unit_id === null
      for (const page of ['qr.svg', 'print']) {
        const response = await browser.get(`/waves/${waveId}/links/${link.id}/${page}`)
        expect(response.statusCode, `${page} of ${link.unit_id ?? 'the general'} ${link.side} link`).toBe(theirs ? 200 : 404)
      }
    }
    // The wave's report and operations tabs already left them out; everyone else still sees every link.
    expect((await browser.get(`/waves/${waveId}`)).body).not.toContain(southToken)
    const operations = await browser.get(`/waves/${waveId}/operations`)
    expect(operations.statusCode).toBe(200)
    expect(operations.body).not.toContain(southToken)
    expect((await (await signedIn(ctx, tenant.owner.email)).get(`/waves/${waveId}/operations`)).body).toContain(southToken)
    const viewer = await signedIn(ctx, await addPerson(ctx, tenant, 'viewer'))
    for (const link of links) expect((await viewer.get(`/waves/${waveId}/links/${link.id}/print`)).statusCode).toBe(200)
  })

  it('keeps an owner when two owners take the owner role from each other at the same moment', async () => {
    const org = await createTenant(ctx, 'Two Owners')
    const secondEmail = await addPerson(ctx, org, 'owner')
    const [first, second] = await Promise.all([signedIn(ctx, org.owner.email), signedIn(ctx, secondEmail)])
    const [a, b] = await Promise.all([
      first.post(`/settings/people/${await userId(secondEmail)}/role`, { role: 'admin' }),
      second.post(`/settings/people/${org.owner.userId}/role`, { role: 'admin' }),
    ])
    expect([a.statusCode, b.statusCode].sort()).toEqual([303, 409])
    expect(await countOwners(ctx.database.db, org.organizationId)).toBe(1)
    // The same for removing each other.
    const third = await createTenant(ctx, 'Two Owners Again')
    const otherEmail = await addPerson(ctx, third, 'owner')
    const [x, y] = await Promise.all([signedIn(ctx, third.owner.email), signedIn(ctx, otherEmail)])
    const [c, d] = await Promise.all([
      x.post(`/settings/people/${await userId(otherEmail)}/remove`),
      y.post(`/settings/people/${third.owner.userId}/remove`),
    ])
    expect([c.statusCode, d.statusCode].sort()).toEqual([303, 409])
    expect(await countOwners(ctx.database.db, third.organizationId)).toBe(1)
  })

  it('lets an admin do nothing that only owners may: owners, audit, deletions, retention, two-factor', async () => {
    const adminEmail = await addPerson(ctx, tenant, 'admin')
    const admin = await signedIn(ctx, adminEmail)
    const adminToken = await apiToken(ctx, adminEmail)
    const viewerEmail = await addPerson(ctx, tenant, 'viewer')
    const viewerId = await userId(viewerEmail)
    await admin.get('/settings/people')
    expect((await admin.post(`/settings/people/${viewerId}/role`, { role: 'owner' })).statusCode).toBe(400)
    expect((await admin.post(`/settings/people/${await userId(adminEmail)}/role`, { role: 'owner' })).statusCode).toBe(400)
    expect((await admin.post(`/settings/people/${tenant.owner.userId}/role`, { role: 'viewer' })).statusCode).toBe(403)
    expect((await admin.post(`/settings/people/${tenant.owner.userId}/remove`)).statusCode).toBe(403)
    expect((await admin.post('/settings/people/invitations', { email: 'would-be-owner@example.test', name: '', role: 'owner' })).statusCode).toBe(422)
    expect(await ctx.database.db.selectFrom('colleague_invitations').select('id').where('email', '=', 'would-be-owner@example.test').execute()).toEqual([])
    for (const url of ['/settings/audit', '/settings/audit.csv', '/settings/retention', `/waves/${waveId}/delete`]) {
      expect((await admin.get(url)).statusCode, url).toBe(403)
    }
    expect((await admin.post('/settings/security', { requireTwoFactor: 'on' })).statusCode).toBe(403)
    expect((await admin.post(`/settings/security/people/${tenant.owner.userId}/reset`)).statusCode).toBe(403)
    expect((await admin.post(`/waves/${waveId}/delete`, { confirm: '2026-Q4' })).statusCode).toBe(403)
    expect((await api('DELETE', `/waves/${waveId}`, adminToken)).statusCode).toBe(403)
    expect((await api('GET', `/waves/${waveId}`, ownerToken)).statusCode).toBe(200)
  })

  it('applies every change of role to the person\'s API token at once, in both directions', async () => {
    const email = await addPerson(ctx, tenant, 'viewer')
    const id = await userId(email)
    const token = await apiToken(ctx, email)
    const owner = await signedIn(ctx, tenant.owner.email)
    const canCreateUnit = async () => (await api('POST', '/units', token, { name: `Unit ${Math.random()}` })).statusCode
    const readsWholeWave = async () => (await api('GET', `/waves/${waveId}/report`, token)).statusCode
    const exports = async () => (await api('GET', `/waves/${waveId}/export.csv`, token)).statusCode
    expect([await canCreateUnit(), await readsWholeWave(), await exports()]).toEqual([403, 200, 403])
    const to = async (role: string) => {
      await owner.get('/settings/people')
      expect((await owner.post(`/settings/people/${id}/role`, { role })).statusCode).toBe(303)
    }
    await to('admin')
    expect([await canCreateUnit(), await readsWholeWave(), await exports()]).toEqual([201, 200, 200])
    await to('analyst')
    expect([await canCreateUnit(), await readsWholeWave(), await exports()]).toEqual([403, 200, 200])
    // A unit manager without units reads nothing of the wave, at once.
    await to('unit_manager')
    expect([await canCreateUnit(), await readsWholeWave(), await exports()]).toEqual([403, 403, 403])
    expect((await api('GET', `/waves/${waveId}/report?unit=North`, token)).statusCode).toBe(403)
    await owner.get('/settings/people')
    expect((await owner.post(`/settings/people/${id}/units`, { units: units.North! })).statusCode).toBe(303)
    expect((await api('GET', `/waves/${waveId}/report?unit=North`, token)).statusCode).toBe(200)
    // Back to viewer: the units are dropped, and a return to unit manager starts from none.
    await to('viewer')
    expect(await readsWholeWave()).toBe(200)
    await to('unit_manager')
    expect((await api('GET', `/waves/${waveId}/report?unit=North`, token)).statusCode).toBe(403)
    await owner.get('/settings/people')
    expect((await owner.post(`/settings/people/${id}/remove`)).statusCode).toBe(303)
    expect((await api('GET', '/waves', token)).statusCode).toBe(401)
  })

  it('gives a unit manager of a deleted unit nothing, and one whose unit was reassigned only the new unit, token and all', async () => {
    const email = await addPerson(ctx, tenant, 'unit_manager')
    const token = await apiToken(ctx, email)
    const temp = (await api('POST', '/units', ownerToken, { name: 'Temporary' })).json().id as string
    await setManagedUnits(ctx.database.db, tenant.organizationId, await userId(email), [temp])
    expect((await api('GET', `/waves/${waveId}/report?unit=Temporary`, token)).statusCode).toBe(200)
    const owner = await signedIn(ctx, tenant.owner.email)
    await owner.get('/units')
    expect((await owner.post(`/units/${temp}/delete`)).statusCode).toBe(303)
    expect(await ctx.database.db.selectFrom('units').select('id').where('id', '=', temp).execute()).toEqual([])
    for (const query of ['', '?unit=Temporary', `?unit=${temp}`, '?unit=North']) {
      expect((await api('GET', `/waves/${waveId}/report${query}`, token)).statusCode, query).toBe(403)
    }
    const browser = await signedIn(ctx, email)
    const page = await browser.get(`/waves/${waveId}`)
    expect(page.statusCode).toBe(403)
    expect(page.body).not.toContain('South')
    // The operations tab, as the report: nothing for a unit manager without units.
    expect((await browser.get(`/waves/${waveId}/operations`)).statusCode).toBe(403)
    await setManagedUnits(ctx.database.db, tenant.organizationId, await userId(email), [units.South!])
    expect((await api('GET', `/waves/${waveId}/report?unit=South`, token)).statusCode).toBe(200)
    expect((await api('GET', `/waves/${waveId}/report?unit=North`, token)).statusCode).toBe(403)
  })

  it('refuses a unit manager every unit but theirs however the query names it', async () => {
    for (const query of [
      `?unit=North&unit=South`, `?unit=South&unit=North`, `?unit=${units.South}`, '?unit=SOUTH', '?unit= South ',
      `?unit[]=North`, `?unit=North&unit=${units.South}`, '?customer.tier=x', '?staff.team=x',
    ]) {
      const response = await api('GET', `/waves/${waveId}/report${query}`, managerToken)
      expect([400, 403], `${query}: ${response.body}`).toContain(response.statusCode)
      expect(response.body, query).not.toContain('"headline"')
    }
    const browser = await signedIn(ctx, managerEmail)
    for (const query of [`?unit=South`, `?unit=${units.South}`, `?unit=North&unit=South`]) {
      const page = await browser.get(`/waves/${waveId}${query}`)
      expect(page.body, query).not.toMatch(/<option[^>]*>South</)
    }
  })

  it('does not give an admin the owner-only audit log through the export of what is held about an address', async () => {
    const adminEmail = await addPerson(ctx, tenant, 'admin')
    const adminToken = await apiToken(ctx, adminEmail)
    const url = `/contacts/export?email=${encodeURIComponent(tenant.owner.email)}`
    const owners = (await api('GET', url, ownerToken)).json()
    expect(owners.auditEntries.map((entry: { action: string }) => entry.action)).toContain('token_created')
    const admins = await api('GET', url, adminToken)
    expect(admins.statusCode).toBe(200)
    expect(admins.json().users).toHaveLength(1)
    expect(admins.json().auditEntries).toBeNull()
    expect(admins.body).not.toContain('token_created')
    const admin = await signedIn(ctx, adminEmail)
    const page = await admin.get(url)
    expect(page.statusCode).toBe(200)
    expect(JSON.parse(page.body).auditEntries).toBeNull()
  })

  it('withdraws the open invitations of someone removed or demoted, so that they cannot come back through them', async () => {
    const { accountToken } = await import('../../server/security/tokens.js')
    const owner = await signedIn(ctx, tenant.owner.email)
    const inviteAsAdmin = async (role: string) => {
      const email = await addPerson(ctx, tenant, 'admin')
      const admin = await signedIn(ctx, email)
      await admin.get('/settings/people')
      const spare = `spare-${role}-${Date.now()}@example.test`
      expect((await admin.post('/settings/people/invitations', { email: spare, name: '', role })).statusCode).toBe(303)
      const row = await ctx.database.db.selectFrom('colleague_invitations').select('id').where('email', '=', spare).executeTakeFirstOrThrow()
      return { adminId: await userId(email), link: `/join/${accountToken(ctx.config.signingSecret, 'colleague_invitation', row.id)}` }
    }
    // Removed: a spare admin account they invited on their way out stays closed.
    const removed = await inviteAsAdmin('admin')
    await owner.get('/settings/people')
    expect((await owner.post(`/settings/people/${removed.adminId}/remove`)).statusCode).toBe(303)
    expect((await new Browser(ctx.app).get(removed.link)).statusCode).toBe(410)
    // Demoted to viewer: a viewer gives no role, so none of their invitations stays open.
    const demoted = await inviteAsAdmin('analyst')
    await owner.get('/settings/people')
    expect((await owner.post(`/settings/people/${demoted.adminId}/role`, { role: 'viewer' })).statusCode).toBe(303)
    expect((await new Browser(ctx.app).get(demoted.link)).statusCode).toBe(410)
    // An admin who stays an admin keeps their invitations.
    const kept = await inviteAsAdmin('viewer')
    expect((await new Browser(ctx.app).get(kept.link)).statusCode).toBe(200)
  })

  it('does not show an admin, in the outbox, the link of an owner\'s password reset or of an invitation to become an owner', async () => {
    const worker = new MailWorker({ db: ctx.database.db, transport: outboxTransport(ctx.database.db), publicUrl: ctx.config.publicUrl, secret: ctx.config.signingSecret, from: 'Service Gap <sg@sg.test>', rate: 1000 })
    const adminEmail = await addPerson(ctx, tenant, 'admin')
    // The admin asks for a reset of the owner's password, and the owner invites a second owner.
    const anyone = new Browser(ctx.app)
    await anyone.get('/forgot-password')
    expect((await anyone.post('/forgot-password', { email: tenant.owner.email })).statusCode).toBeLessThan(400)
    const owner = await signedIn(ctx, tenant.owner.email)
    await owner.get('/settings/people')
    const coOwner = `co-owner-${Date.now()}@example.test`
    expect((await owner.post('/settings/people/invitations', { email: coOwner, name: '', role: 'owner' })).statusCode).toBe(303)
    const admin = await signedIn(ctx, adminEmail)
    await admin.get('/settings/people')
    const analyst = `analyst-${Date.now()}@example.test`
    expect((await admin.post('/settings/people/invitations', { email: analyst, name: '', role: 'analyst' })).statusCode).toBe(303)
    // The app's own mail worker may have claimed some of them already: wait until all three are written.
    for (let i = 0; i < 100; i++) {
      await worker.runOnce()
      const written = await ctx.database.db.selectFrom('outbox_messages').select('recipient')
        .where('recipient', 'in', [tenant.owner.email, coOwner, analyst]).execute()
      if (new Set(written.map((row) => row.recipient)).size === 3) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const seen = await admin.get('/outbox')
    expect(seen.statusCode).toBe(200)
    expect(seen.body).not.toContain('/reset-password/')
    const messageTo = (html: string, to: string) => html.split('<article').find((part) => part.includes(`To ${to}`)) ?? ''
    // Only the invitation the admin could have sent themselves shows its link.
    expect(messageTo(seen.body, analyst)).toMatch(/\/join\/[A-Za-z0-9_-]{20,}/)
    expect(messageTo(seen.body, coOwner)).toContain('only an owner sees its link')
    expect(messageTo(seen.body, coOwner)).not.toMatch(/\/join\//)
    expect(messageTo(seen.body, tenant.owner.email)).toContain('it is shown only to')
    // The owner sees the invitations (to pass them on without a mail server) and their own reset link.
    const owners = await owner.get('/outbox')
    expect(messageTo(owners.body, coOwner)).toMatch(/\/join\/[A-Za-z0-9_-]{20,}/)
    expect(messageTo(owners.body, tenant.owner.email)).toContain('/reset-password/')
  })

  it('does not let an invitation reach an address that meanwhile has an account in another organization', async () => {
    const owner = await signedIn(ctx, tenant.owner.email)
    await owner.get('/settings/people')
    const email = `two-places-${Date.now()}@example.test`
    expect((await owner.post('/settings/people/invitations', { email, name: '', role: 'admin' })).statusCode).toBe(303)
    const mail = await ctx.database.db.selectFrom('account_mails').select(['ref_id']).where('recipient', '=', email).executeTakeFirstOrThrow()
    const { accountToken } = await import('../../server/security/tokens.js')
    const link = `/join/${accountToken(ctx.config.signingSecret, 'colleague_invitation', mail.ref_id)}`
    const other = await createTenant(ctx, 'Elsewhere')
    await ctx.database.db.updateTable('users').set({ email }).where('id', '=', other.owner.userId).execute()
    const joiner = new Browser(ctx.app)
    await joiner.get(link)
    const joined = await joiner.post(link, { name: 'Twice', password: 'a brand new passphrase 42', confirm: 'a brand new passphrase 42' })
    expect([409, 422]).toContain(joined.statusCode)
    const accounts = await ctx.database.db.selectFrom('users').select(['organization_id', 'role']).where('email', '=', email).execute()
    expect(accounts).toEqual([{ organization_id: other.organizationId, role: 'owner' }])
  })
})

const PUBLIC_URL = 'http://127.0.0.1:39998'

describeEachDatabase('attacks on roles through single sign-on', (ctx: TestContext) => {
  const providers: TestProvider[] = []
  afterAll(async () => { for (const p of providers) await p.close() })

  it('does not let an admin point single sign-on at a provider of their own and sign in as the owner', async () => {
    const tenant = await createTenant(ctx, 'Takeover Org')
    const adminEmail = await addPerson(ctx, tenant, 'admin')
    const admin = new Browser(ctx.app)
    await admin.login(adminEmail)
    // The admin's own provider, which vouches for any address they like, the owner's included.
    const theirs = await startOidcProvider({ redirectUris: [`${PUBLIC_URL}/auth/oidc/${tenant.organizationId}/callback`] })
    providers.push(theirs)
    theirs.accounts.set('forged-owner', { email: tenant.owner.email, emailVerified: true })
    await admin.get('/settings/sso')
    const saved = await admin.post('/settings/sso', {
      enabled: 'on', issuer: theirs.issuer, clientId: theirs.clientId, clientSecret: theirs.clientSecret,
      signInMode: 'invitation', allowedDomains: '', defaultRole: 'viewer',
    })
    expect([303, 403, 422]).toContain(saved.statusCode)
    const settings = await ctx.database.db.selectFrom('sso_settings').select(['enabled', 'issuer']).where('organization_id', '=', tenant.organizationId).executeTakeFirst()
        expect(settings?.issuer ?? '').not.toBe(theirs.issuer)
    // Whatever the page answered, the forged owner gets no session of the owner.
    const attacker = new Browser(ctx.app)
    const started = await attacker.get(`/auth/oidc/${tenant.organizationId}`)
    if (started.statusCode === 303 && String(started.headers.location).startsWith(theirs.issuer)) {
      const callback = await signInAtProvider(started.headers.location as string, 'forged-owner')
      await attacker.get(callback.slice(PUBLIC_URL.length))
    }
    expect((await attacker.get('/settings/audit')).statusCode).not.toBe(200)
    const owner = await ctx.database.db.selectFrom('users').select(['sso_issuer', 'sso_subject']).where('id', '=', tenant.owner.userId).executeTakeFirstOrThrow()
    expect(owner).toEqual({ sso_issuer: null, sso_subject: null })
  })
}, { PUBLIC_URL, OIDC_ALLOW_INSECURE_LOOPBACK: 'true' })
