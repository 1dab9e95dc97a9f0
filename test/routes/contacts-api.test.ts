// One contact through the API (GET and PATCH /api/v1/contacts/:id) and the list's keyset cursors:
// each field changed by the import's rules with its problems named per field, the identity refused,
// the walls between organizations and roles, and pages that neither skip nor repeat a contact.
import { expect, it } from 'vitest'
import { encodeCursor } from '../../server/domain/cursor.js'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, type Tenant } from '../helpers/app.js'

interface Contact { id: string; email: string; name: string; side: string; unit: { id: string; name: string } | null; locale: string | null; attributes: Record<string, string>; unsubscribed: boolean; createdAt: string; updatedAt: string }
interface Page { contacts: Contact[]; total: number; page: number | null; pageSize: number; nextCursor: string | null }

describeEachDatabase('contacts API: one contact, its changes, and cursors', (ctx) => {
  let tenant: Tenant
  let other: Tenant
  let token: string
  let otherToken: string
  let northId: string
  let anaId: string
  let waveId: string
  const db = () => ctx.database.db

  const call = (method: 'GET' | 'PATCH' | 'POST' | 'DELETE', url: string, payload?: unknown, auth = token) =>
    ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(auth), ...(payload === undefined ? {} : { payload: payload as object }) })
  const patch = (id: string, body: unknown, auth = token) => call('PATCH', `/contacts/${id}`, body, auth)
  const getOne = async (id: string) => {
    const response = await call('GET', `/contacts/${id}`)
    expect(response.statusCode, response.body).toBe(200)
    return response.json() as Contact
  }
  const page = async (query: string) => {
    const response = await call('GET', `/contacts${query}`)
    expect(response.statusCode, response.body).toBe(200)
    return response.json() as Page
  }
  const idOf = async (email: string, side = 'customer') =>
    (await db().selectFrom('contacts').select('id').where('organization_id', '=', tenant.organizationId).where('email', '=', email).where('side', '=', side as 'customer').executeTakeFirstOrThrow()).id
  const auditEntries = () => db().selectFrom('audit_log').select(['action', 'target', 'detail']).where('organization_id', '=', tenant.organizationId)
    .where('action', '=', 'contact_updated').orderBy('id').execute()

  it('answers one contact by id as the list shows it; a malformed id is 400, another organization\'s or an unknown one 404', async () => {
    tenant = await createTenant(ctx, 'Acme')
    other = await createTenant(ctx, 'Other Org')
    token = await apiToken(ctx, tenant.owner.email)
    otherToken = await apiToken(ctx, other.owner.email)
    northId = (await call('POST', '/units', { name: 'North branch' })).json().id
    await call('POST', '/units', { name: 'South branch' })
    const old = (await call('POST', '/units', { name: 'Old branch' })).json().id
    expect((await call('PATCH', `/units/${old}`, { archived: true })).statusCode).toBe(200)
    const imported = await call('POST', '/contacts', [
      { email: 'ana@example.test', name: 'Ana Pérez', side: 'customer', unit: 'North branch', locale: 'es', attributes: { tier: 'gold', region: 'west' } },
      { email: 'ana@example.test', side: 'staff' },
    ])
    expect(imported.json()).toMatchObject({ created: 2, errorCount: 0 })
    anaId = await idOf('ana@example.test')

    const listed = (await page('?q=ana&side=customer')).contacts[0]!
    const one = await getOne(anaId)
    expect(one).toEqual(listed)
    expect(one).toMatchObject({ id: anaId, email: 'ana@example.test', name: 'Ana Pérez', side: 'customer', unit: { id: northId, name: 'North branch' }, locale: 'es', attributes: { tier: 'gold', region: 'west' }, unsubscribed: false })

    const malformed = await call('GET', '/contacts/not-an-id')
    expect(malformed.statusCode).toBe(400)
    expect(malformed.json()).toMatchObject({ error: 'validation_failed', details: [{ field: 'id' }] })
    expect((await call('GET', '/contacts/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404)
    const foreign = await call('GET', `/contacts/${anaId}`, undefined, otherToken)
    expect(foreign.statusCode).toBe(404)
    expect(foreign.json().error).toBe('not_found')
    expect(foreign.body).not.toContain('ana@example.test')
  })

  it('changes each field by the import\'s rules: name, unit by name or id or null, locale in any case or null, attributes merged', async () => {
    const before = await getOne(anaId)
    const renamed = await patch(anaId, { name: '  Ana P.\nPérez ' })
    expect(renamed.statusCode, renamed.body).toBe(200)
    expect(renamed.json()).toMatchObject({ name: 'Ana P. Pérez', unit: { id: northId }, locale: 'es', attributes: { tier: 'gold', region: 'west' } })
    expect(Date.parse(renamed.json().updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt))

    expect((await patch(anaId, { unit: 'south BRANCH' })).json().unit.name).toBe('South branch')
    expect((await patch(anaId, { unit: northId })).json().unit).toEqual({ id: northId, name: 'North branch' })
    expect((await patch(anaId, { unit: null })).json().unit).toBeNull()
    expect((await patch(anaId, { locale: 'DE' })).json().locale).toBe('de')
    expect((await patch(anaId, { locale: null })).json().locale).toBeNull()
    const merged = await patch(anaId, { attributes: { tier: 'platinum', region: null, visits: ' 3 ' } })
    expect(merged.json().attributes).toEqual({ tier: 'platinum', visits: '3' })
    expect((await patch(anaId, { name: null })).json().name).toBe('')

    // What is stored is what the answer said, and the staff contact with the same address is untouched.
    const stored = await db().selectFrom('contacts').selectAll().where('id', '=', anaId).executeTakeFirstOrThrow()
    expect(stored).toMatchObject({ name: '', unit_id: null, locale: null, attributes: { tier: 'platinum', visits: '3' }, email: 'ana@example.test', side: 'customer' })
    expect(await getOne(await idOf('ana@example.test', 'staff'))).toMatchObject({ name: '', attributes: {} })
    expect((await patch(anaId, { attributes: null })).json().attributes).toEqual({})

    // The audit log names the fields changed, never their values.
    const entries = await auditEntries()
    expect(entries.map((entry) => entry.detail)).toEqual([
      { fields: ['name'] }, { fields: ['unit'] }, { fields: ['unit'] }, { fields: ['unit'] }, { fields: ['locale'] }, { fields: ['locale'] },
      { fields: ['attributes'] }, { fields: ['name'] }, { fields: ['attributes'] },
    ])
    expect(entries.every((entry) => entry.target === anaId)).toBe(true)
    expect(JSON.stringify(entries)).not.toMatch(/platinum|Pérez|example\.test/)

    // A change that gives no field changes nothing and is not audited.
    const unchanged = await patch(anaId, {})
    expect(unchanged.statusCode).toBe(200)
    expect(unchanged.json().updatedAt).toBe((await getOne(anaId)).updatedAt)
    expect(await auditEntries()).toHaveLength(entries.length)
  })

  it('refuses to change the email or the side, naming the field, and names every other problem under its own field, changing nothing', async () => {
    const before = await getOne(anaId)
    const identity = await patch(anaId, { email: 'someone@example.test', side: 'staff', name: 'Not stored' })
    expect(identity.statusCode).toBe(400)
    expect(identity.json()).toMatchObject({ error: 'validation_failed' })
    expect(identity.json().details.map((d: { field: string }) => d.field)).toEqual(['email', 'side'])
    expect(identity.json().details[0].message).toContain('cannot be changed')
    expect(identity.json().message).toContain('email: The email is who the contact is')

    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`a${i}`, 'x']))
    const wrong = await patch(anaId, { name: 'x'.repeat(101), unit: 'Atlantis', locale: 'it', attributes: { '1st': 'x', tier: 'y'.repeat(201) } })
    expect(wrong.statusCode).toBe(400)
    expect(wrong.json().details).toEqual([
      { field: 'name', message: 'name is longer than 100 characters' },
      { field: 'unit', message: 'unit "Atlantis" is not one of your units' },
      { field: 'locale', message: 'locale "it" is not one of en, es, de, fr, pt' },
      { field: 'attributes', message: expect.stringMatching(/^attribute name "1st" must start with a letter.*; attribute "tier" is longer than 200 characters$/) },
    ])
    expect((await patch(anaId, { unit: 'old branch' })).json().details).toEqual([{ field: 'unit', message: expect.stringContaining('archived') }])
    expect((await patch(anaId, { attributes: many })).json().details).toEqual([{ field: 'attributes', message: expect.stringContaining('would have 21 attributes; at most 20') }])
    // JSON types are the request schema's: an object for a name, or a field a contact does not have.
    const typed = await patch(anaId, { name: { first: 'Ana' } })
    expect(typed.statusCode).toBe(400)
    expect(typed.json().details.map((d: { field: string }) => d.field)).toContain('name')
    expect(typed.json().details.every((d: { field: string }) => d.field === 'name')).toBe(true)
    expect((await patch(anaId, { colour: 'red' })).statusCode).toBe(400)
    expect((await patch(anaId, ['name'])).statusCode).toBe(400)
    expect(await getOne(anaId)).toEqual(before)
  })

  it('unsubscribes a contact (the address, on both sides) and cancels their queued mail; nobody but they can undo it', async () => {
    waveId = (await call('POST', '/waves', { name: 'Q4', templateKey: 'service-gap-index' })).json().id
    const queued = await call('POST', `/waves/${waveId}/invitations`, { side: 'customer' })
    expect(queued.statusCode, queued.body).toBe(202)
    const pending = () => db().selectFrom('mail_jobs').innerJoin('invitations', 'invitations.id', 'mail_jobs.invitation_id')
      .select('mail_jobs.id').where('invitations.contact_id', '=', anaId).where('mail_jobs.status', '=', 'pending').execute()
    expect((await pending()).length).toBeGreaterThan(0)

    const done = await patch(anaId, { unsubscribed: true })
    expect(done.statusCode, done.body).toBe(200)
    expect(done.json().unsubscribed).toBe(true)
    expect(await getOne(await idOf('ana@example.test', 'staff'))).toMatchObject({ unsubscribed: true })
    expect(await db().selectFrom('unsubscribes').select('email').where('organization_id', '=', tenant.organizationId).execute()).toEqual([{ email: 'ana@example.test' }])
    expect(await pending()).toEqual([])
    expect((await auditEntries()).at(-1)!.detail).toEqual({ fields: ['unsubscribed'] })

    const undo = await patch(anaId, { unsubscribed: false, name: 'Ana' })
    expect(undo.statusCode).toBe(400)
    expect(undo.json().details).toEqual([{ field: 'unsubscribed', message: expect.stringContaining('Only they can choose') }])
    expect((await getOne(anaId)).unsubscribed).toBe(true)
    // Saying what is already so is no change.
    expect((await patch(anaId, { unsubscribed: true })).statusCode).toBe(200)
  })

  it('keeps organizations apart: another one gets 404 for our contact and cannot use our units', async () => {
    const before = await getOne(anaId)
    const foreign = await patch(anaId, { name: 'Taken over' }, otherToken)
    expect(foreign.statusCode).toBe(404)
    expect(foreign.json().error).toBe('not_found')
    // Even a body with problems answers 404 first: nothing says the contact exists.
    expect((await patch(anaId, { unit: 'Nowhere' }, otherToken)).statusCode).toBe(404)
    expect(await getOne(anaId)).toEqual(before)

    await call('POST', '/contacts', [{ email: 'theirs@example.test', side: 'customer' }], otherToken)
    const theirs = (await call('GET', '/contacts', undefined, otherToken)).json().contacts[0].id as string
    expect((await call('GET', `/contacts/${theirs}`)).statusCode).toBe(404)
    expect((await patch(theirs, { name: 'Ours now' })).statusCode).toBe(404)
    const ourUnit = await patch(theirs, { unit: northId }, otherToken)
    expect(ourUnit.statusCode).toBe(400)
    expect(ourUnit.json().details).toEqual([{ field: 'unit', message: `unit "${northId}" is not one of your units` }])
    expect(ourUnit.body).not.toContain('North branch')
  })

  it('lets owners and admins read and change contacts, and nobody else (403)', async () => {
    for (const role of ['viewer', 'analyst', 'unit_manager'] as const) {
      const roleToken = await apiToken(ctx, await addPerson(ctx, tenant, role))
      const read = await call('GET', `/contacts/${anaId}`, undefined, roleToken)
      expect(read.statusCode, role).toBe(403)
      expect(read.body).not.toContain('ana@example.test')
      expect((await patch(anaId, { name: 'By a viewer' }, roleToken)).statusCode, role).toBe(403)
    }
    const admin = await apiToken(ctx, await addPerson(ctx, tenant, 'admin'))
    expect((await patch(anaId, { name: 'Ana' }, admin)).json().name).toBe('Ana')
    expect((await call('GET', `/contacts/${anaId}`, undefined, admin)).statusCode).toBe(200)
  })

  it('pages the list by cursor: 7 contacts in pages of 3, 3 and 1, none twice or skipped, with the filters and the total kept', async () => {
    const rows = ['g', 'c', 'a', 'e', 'b', 'f', 'd'].map((letter) => ({ email: `${letter}@paging.test`, side: 'customer', attributes: { batch: 'paging' } }))
    await call('POST', '/contacts', [...rows, { email: 'h@paging.test', side: 'staff', attributes: { batch: 'other' } }])
    const all = await page('?attribute=batch&value=paging&limit=100')
    expect(all.contacts.map((c) => c.email)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((l) => `${l}@paging.test`))

    const seen: string[] = []
    const sizes: number[] = []
    let cursor: string | null = null
    do {
      const got: Page = await page(`?attribute=batch&value=paging&limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      expect(got.total).toBe(7)
      expect(got.pageSize).toBe(3)
      expect(got.page).toBe(cursor ? null : 1)
      sizes.push(got.contacts.length)
      seen.push(...got.contacts.map((c) => c.email))
      cursor = got.nextCursor
    } while (cursor !== null && sizes.length < 10)
    expect(sizes).toEqual([3, 3, 1])
    expect(seen).toEqual(all.contacts.map((c) => c.email))

    // With more filters: the side and a search, and the page that holds exactly the last rows says there is none after.
    const staff = await page('?q=paging&side=staff&limit=1')
    expect(staff).toMatchObject({ total: 1, nextCursor: null })
    expect(staff.contacts.map((c) => c.email)).toEqual(['h@paging.test'])
    const searched = await page('?q=paging.test&side=customer&limit=7')
    expect(searched.contacts).toHaveLength(7)
    expect(searched.nextCursor).toBeNull()
    const first = await page('?q=paging.test&side=customer&limit=4')
    const rest = await page(`?q=paging.test&side=customer&limit=4&cursor=${first.nextCursor}`)
    expect([...first.contacts, ...rest.contacts].map((c) => c.email)).toEqual(seen)
  })

  it('goes on after the last contact shown even when it has been deleted, and keeps `page` for older clients', async () => {
    const first = await page('?attribute=batch&value=paging&limit=3')
    const last = first.contacts.at(-1)!
    expect((await call('DELETE', `/contacts/${last.id}`)).statusCode).toBe(204)
    const next = await page(`?attribute=batch&value=paging&limit=3&cursor=${first.nextCursor}`)
    expect(next.contacts.map((c) => c.email)).toEqual(['d@paging.test', 'e@paging.test', 'f@paging.test'])
    expect(next.total).toBe(6)

    const numbered = await page('?attribute=batch&value=paging&limit=2&page=2')
    expect(numbered).toMatchObject({ page: 2, pageSize: 2, total: 6 })
    expect(numbered.contacts.map((c) => c.email)).toEqual(['d@paging.test', 'e@paging.test'])
    // The numbered page's cursor goes on from it.
    const after = await page(`?attribute=batch&value=paging&limit=2&cursor=${numbered.nextCursor}`)
    expect(after.contacts.map((c) => c.email)).toEqual(['f@paging.test', 'g@paging.test'])
    // Without `limit`, a page still holds the 50 it always did.
    expect((await page('')).pageSize).toBe(50)
  })

  it('refuses a cursor it did not give out (edited, another list\'s, malformed) and a cursor with `page`, as 400', async () => {
    const { nextCursor } = await page('?attribute=batch&value=paging&limit=2')
    const decoded = JSON.parse(Buffer.from(nextCursor!, 'base64url').toString()) as string[]
    const edited = [
      Buffer.from(JSON.stringify([decoded[0], decoded[1], decoded[2], 'not-a-uuid'])).toString('base64url'),
      Buffer.from(JSON.stringify([decoded[0], decoded[1], 'vendor', decoded[3]])).toString('base64url'),
      Buffer.from(JSON.stringify([decoded[0], decoded[1], decoded[3]])).toString('base64url'),
      encodeCursor('waves', [decoded[1]!, decoded[2]!, decoded[3]!]),
      `${nextCursor!.slice(0, -3)}x`,
      'not a cursor',
    ]
    for (const cursor of edited) {
      const response = await call('GET', `/contacts?limit=2&cursor=${encodeURIComponent(cursor)}`)
      expect(response.statusCode, cursor).toBe(400)
      expect(response.json(), cursor).toMatchObject({ error: 'invalid_cursor', details: [{ field: 'cursor' }] })
    }
    const both = await call('GET', `/contacts?limit=2&page=2&cursor=${nextCursor}`)
    expect(both.statusCode).toBe(400)
    expect(both.json()).toMatchObject({ error: 'validation_failed', details: [{ field: 'page', message: expect.stringContaining('deprecated') }] })
    expect((await call('GET', '/contacts?limit=0')).statusCode).toBe(400)
    expect((await call('GET', '/contacts?limit=1001')).statusCode).toBe(400)
  })

  it('types the import row and the export in the OpenAPI document, and still reports a bad row by its position', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/api/docs/json' })).json()
    const row = doc.paths['/api/v1/contacts'].post.requestBody.content['application/json'].schema.items
    expect(Object.keys(row.properties)).toEqual(['email', 'name', 'side', 'unit', 'locale', 'attributes'])
    expect(doc.paths['/api/v1/contacts/export'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/PersonalDataExport' })
    expect(Object.keys(doc.components.schemas.PersonalDataExport.properties)).toEqual(['email', 'exportedAt', 'note', 'contacts', 'invitations', 'mail', 'customerResponses', 'users', 'auditEntries'])
    const patchBody = doc.paths['/api/v1/contacts/{id}'].patch.requestBody.content['application/json'].schema
    expect(patchBody.properties.email.readOnly).toBe(true)
    const listing = doc.paths['/api/v1/contacts'].get.parameters.map((p: { name: string }) => p.name)
    expect(listing).toEqual(expect.arrayContaining(['limit', 'cursor', 'page', 'q', 'side', 'unit', 'unsubscribed', 'attribute', 'value']))

    const response = await call('POST', '/contacts', [{ email: 'bad', side: 'vendor' }, { side: 'staff' }, { email: 'ok@example.test', side: 'staff', colour: 'red' }, { email: 'fine@example.test', side: 'staff', attributes: { visits: 3 } }])
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ created: 1, errorCount: 3 })
    expect(response.json().errors.map((e: { row: number }) => e.row)).toEqual([1, 2, 3])
    // A field of the wrong JSON type is the client's mistake, refused whole with where it is.
    const typed = await call('POST', '/contacts', [{ email: 'x@example.test', side: 'staff', name: { first: 'X' } }])
    expect(typed.statusCode).toBe(400)
    expect(typed.json().details[0].field).toBe('0.name')
  })
}, {}, { mail: { worker: false } })
