import { expect, it } from 'vitest'
import { addPerson, Browser, createTenant, describeEachDatabase, signedIn, type Tenant } from '../helpers/app.js'

describeEachDatabase('admin pages', (ctx) => {
  let tenant: Tenant
  let owner: Browser

  it('offers the coming quarter as the name of a new wave', async () => {
    tenant = await createTenant(ctx, 'Acme')
    owner = await signedIn(ctx, tenant.owner.email)
    const page = await owner.get('/waves/new')
    expect(page.statusCode).toBe(200)
    expect(page.body).toMatch(/name="name" type="text" value="\d{4}-Q[1-4]"/)
    // New waves get the newest version of an instrument; v1 stays with the waves that use it.
    expect(page.body).toContain('Service Gap Index (v2, 12 paired questions)')
    expect(page.body).not.toContain('Service Gap Index (v1,')
  })

  it('creates a wave from the form and shows its staff and customer links with QR codes', async () => {
    await owner.get('/waves/new')
    const created = await owner.post('/waves', { name: '2026-Q4', templateKey: 'service-gap-index', status: 'open', locales: ['en', 'es', 'de'] })
    expect(created.statusCode).toBe(303)
    const page = await owner.get(created.headers.location!)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('2026-Q4')
    expect(page.body).toContain('status-open')
    // The links are on the wave's Operations tab.
    expect(page.body).toContain(`href="${created.headers.location!}/operations">Operations</a>`)
    const operations = await owner.get(`${created.headers.location!}/operations`)
    expect(operations.statusCode).toBe(200)
    const links = [...operations.body.matchAll(/value="(http:\/\/sg\.test\/s\/[A-Za-z0-9_-]+)"/g)].map((m) => m[1])
    expect(links).toHaveLength(2)
    const qr = operations.body.match(/href="(\/waves\/[^"]+\/qr\.svg)\?download"/)![1]!
    const svg = await owner.get(qr)
    expect(svg.statusCode).toBe(200)
    expect(svg.headers['content-type']).toContain('image/svg+xml')
    expect(svg.body).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/)
    const print = await owner.get(qr.replace('qr.svg', 'print'))
    expect(print.statusCode).toBe(200)
    expect(print.body).toContain(links[0]!.includes('/s/') ? '/s/' : '')
  })

  it('brings a wrong wave form back with the answers kept and each problem next to its field', async () => {
    await owner.get('/waves/new')
    const response = await owner.post('/waves', { name: '2026-q4', templateKey: 'service-gap-index', status: 'draft', closesAt: '2001-01-01', locales: ['de'] })
    expect(response.statusCode).toBe(422)
    expect(response.body).toContain('A wave named &quot;2026-q4&quot; already exists')
    expect(response.body).toContain('value="2026-q4"')
    expect(response.body).toMatch(/id="status-draft" name="status" value="draft" checked/)
    expect(response.body).toMatch(/id="locale-de" name="locales" value="de" checked/)
    expect(response.body).not.toMatch(/id="locale-en" name="locales" value="en" checked/)
    const noLanguage = await owner.post('/waves', { name: 'Another', templateKey: 'service-gap-index', status: 'open' })
    expect(noLanguage.statusCode).toBe(422)
    expect(noLanguage.body).toContain('Choose at least one language.')
  })

  it('closes and reopens a wave', async () => {
    const list = await owner.get('/waves')
    const id = list.body.match(/href="\/waves\/([0-9a-f-]{36})">2026-Q4</)![1]
    // Closing asks first; only the confirmation closes it.
    const ask = await owner.post(`/waves/${id}/close`)
    expect(ask.statusCode).toBe(200)
    expect((await owner.get(`/waves/${id}`)).body).toContain('status-open')
    expect((await owner.post(`/waves/${id}/close`, { confirm: 'yes' })).statusCode).toBe(303)
    expect((await owner.get(`/waves/${id}`)).body).toContain('status-closed')
    expect((await owner.post(`/waves/${id}/open`)).statusCode).toBe(303)
    expect((await owner.get(`/waves/${id}`)).body).toContain('status-open')
  })

  it('manages units and adds their links to an existing wave', async () => {
    await owner.get('/units')
    expect((await owner.post('/units', { name: 'Harbour <store>' })).statusCode).toBe(303)
    const duplicate = await owner.post('/units', { name: 'harbour <STORE>' })
    expect(duplicate.statusCode).toBe(422)
    expect(duplicate.body).toContain('value="harbour &lt;STORE&gt;"')
    const units = await owner.get('/units')
    expect(units.body).toContain('Harbour &lt;store&gt;')
    const unitId = units.body.match(/action="\/units\/([0-9a-f-]{36})"/)![1]
    expect((await owner.post(`/units/${unitId}`, { name: 'Harbour' })).statusCode).toBe(303)

    const list = await owner.get('/waves')
    const waveId = list.body.match(/href="\/waves\/([0-9a-f-]{36})">2026-Q4</)![1]
    const wave = await owner.get(`/waves/${waveId}/operations`)
    expect(wave.body).toContain('Make links for 1 unit without one')
    expect((await owner.post(`/waves/${waveId}/unit-links`)).headers.location).toBe(`/waves/${waveId}/operations#unit-links`)
    const after = await owner.get(`/waves/${waveId}/operations`)
    expect(after.body).toContain('<th scope="row">Harbour</th>')
    expect([...after.body.matchAll(/<code class="url">/g)]).toHaveLength(2)

    await owner.get('/units')
    const refused = await owner.post(`/units/${unitId}/delete`)
    expect(refused.statusCode).toBe(409)
    expect(refused.body).toContain(`action="/units/${unitId}/archive"`)
  })

  it('saves settings within bounds and refuses a minimum group size outside 3–50', async () => {
    await owner.get('/settings')
    const bad = await owner.post('/settings', { name: 'Acme Group', minGroupSize: '2', defaultLocale: 'de' })
    expect(bad.statusCode).toBe(422)
    expect(bad.body).toContain('Enter a whole number from 3 to 50.')
    expect(bad.body).toContain('value="Acme Group"')
    const good = await owner.post('/settings', { name: 'Acme Group', minGroupSize: '7', defaultLocale: 'de' })
    expect(good.statusCode).toBe(303)
    const org = await ctx.database.db.selectFrom('organizations').selectAll().where('id', '=', tenant.organizationId).executeTakeFirstOrThrow()
    expect(org).toMatchObject({ name: 'Acme Group', min_group_size: 7, default_locale: 'de' })
  })

  it('lets an owner invite people and change roles, but never remove the last owner', async () => {
    await owner.get('/settings/people')
    const added = await owner.post('/settings/people/invitations', { email: 'new.analyst@example.test', name: 'Nia', role: 'analyst' })
    expect(added.statusCode).toBe(303)
    const people = await owner.get('/settings/people')
    expect(people.body).toContain('new.analyst@example.test')
    // Nobody types a colleague's password: the form has no password field.
    expect(people.body).not.toContain('name="password"')
    const lastOwner = await owner.post(`/settings/people/${tenant.owner.userId}/role`, { role: 'viewer' })
    expect(lastOwner.statusCode).toBe(409)
    const removeSelf = await owner.post(`/settings/people/${tenant.owner.userId}/remove`)
    expect(removeSelf.statusCode).toBe(409)
  })

  it('does not let an admin touch an owner or make one', async () => {
    const adminEmail = await addPerson(ctx, tenant, 'admin')
    const admin = await signedIn(ctx, adminEmail)
    await admin.get('/settings/people')
    expect((await admin.post(`/settings/people/${tenant.owner.userId}/remove`)).statusCode).toBe(403)
    const makeOwner = await admin.post('/settings/people/invitations', { email: 'sneaky@example.test', role: 'owner' })
    expect(makeOwner.statusCode).toBe(422)
  })

  it('creates an API token that is shown once, and revokes it', async () => {
    await owner.get('/account/tokens')
    const created = await owner.post('/account/tokens', { name: 'CRM export' })
    expect(created.statusCode).toBe(201)
    expect(created.headers['cache-control']).toBe('no-store')
    const token = created.body.match(/value="(sgt_[A-Za-z0-9_-]+)"/)![1]!
    const works = await ctx.app.inject({ method: 'GET', url: '/api/v1/waves', headers: { authorization: `Bearer ${token}` } })
    expect(works.statusCode).toBe(200)
    const list = await owner.get('/account/tokens')
    expect(list.body).not.toContain(token)
    const id = list.body.match(/action="\/account\/tokens\/([0-9a-f-]{36})\/revoke"/)![1]
    expect((await owner.post(`/account/tokens/${id}/revoke`)).statusCode).toBe(303)
    const refused = await ctx.app.inject({ method: 'GET', url: '/api/v1/waves', headers: { authorization: `Bearer ${token}` } })
    expect(refused.statusCode).toBe(401)
  })

  it('shows readable 404 pages and sets strict security headers', async () => {
    const missing = await owner.get('/waves/00000000-0000-4000-8000-000000000000')
    expect(missing.statusCode).toBe(404)
    expect(missing.headers['content-type']).toContain('text/html')
    expect(missing.body).toContain('does not exist')
    const malformed = await owner.get('/waves/not-an-id')
    expect(malformed.statusCode).toBe(404)
    const csp = String(missing.headers['content-security-policy'])
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-inline')
    expect(missing.headers['x-content-type-options']).toBe('nosniff')
    expect(missing.headers['referrer-policy']).toBe('no-referrer')
    expect(missing.headers['strict-transport-security']).toBeUndefined()
  })

  it('answers 404 on every page of a wave for an id that is unknown or not an id at all', async () => {
    const waveRoutes = ctx.app.accessTable().filter((route) => route.url.startsWith('/waves/:id') && route.method !== 'HEAD')
    expect(waveRoutes.length).toBeGreaterThanOrEqual(10)
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id', "1'%20or%20'1'='1", '%00']) {
      for (const route of waveRoutes) {
        const url = route.url.replace(':id', id).replace(/:\w+/g, '00000000-0000-4000-8000-000000000001')
        const response = route.method === 'GET' ? await owner.get(url) : await owner.post(url, { reminders: '1', reminderDays: '3' })
        expect(response.statusCode, `${route.method} ${url}`).toBe(404)
      }
    }
  })
})

describeEachDatabase('behind HTTPS', (ctx) => {
  it('uses __Host- cookies with Secure and sends HSTS', async () => {
    const browser = new Browser(ctx.app)
    const page = await browser.get('/setup')
    expect(page.headers['strict-transport-security']).toContain('max-age=31536000')
    const cookie = [page.headers['set-cookie']].flat().join('\n')
    expect(cookie).toMatch(/__Host-sg_csrf=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax/)
  })
}, { PUBLIC_URL: 'https://survey.example.com' })
