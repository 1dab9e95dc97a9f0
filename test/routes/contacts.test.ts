// Contacts: importing through the API (JSON and streamed CSV) and the pages (upload, preview, confirm,
// result), the list with its search and filters, and the walls between organizations.
import { Readable } from 'node:stream'
import { sql } from 'kysely'
import { expect, it } from 'vitest'
import { buildApp } from '../../server/app.js'
import {
  addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type Tenant,
} from '../helpers/app.js'

/** A multipart body as a browser sends the upload form: the CSRF field first, then the file. */
async function multipartBody(fields: Record<string, string>, file: { name: string; content: string | Uint8Array<ArrayBuffer> } | null) {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  if (file) form.append('file', new Blob([file.content], { type: 'text/csv' }), file.name)
  const request = new Request('http://sg.test/', { method: 'POST', body: form })
  return { payload: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! }
}

describeEachDatabase('contacts', (ctx) => {
  let tenant: Tenant
  let other: Tenant
  let token: string
  let otherToken: string
  let owner: Browser
  let northId: string
  let southId: string
  const db = () => ctx.database.db

  const importJson = (rows: unknown, auth = token) => ctx.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: bearer(auth), payload: rows as object })
  const importCsv = (csv: string | Buffer | Readable, auth = token) =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: { ...bearer(auth), 'content-type': 'text/csv; charset=utf-8' }, payload: csv })
  const list = async (query = '', auth = token) => {
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/contacts${query}`, headers: bearer(auth) })
    expect(response.statusCode, response.body).toBe(200)
    return response.json() as { contacts: Array<{ email: string; name: string; side: string; unit: { id: string; name: string } | null; locale: string | null; attributes: Record<string, string>; unsubscribed: boolean }>; total: number }
  }
  const stored = (email: string, organizationId = tenant.organizationId) =>
    db().selectFrom('contacts').selectAll().where('organization_id', '=', organizationId).where('email', '=', email).orderBy('side').execute()
  /** The organization's uploads kept in the database, with how many parts of bytes each still has. */
  const uploadsOf = async (of: Tenant) => (await db().selectFrom('uploads')
    .select((eb) => ['id', eb.selectFrom('upload_parts').select((p) => p.fn.countAll<number>().as('n')).whereRef('upload_parts.upload_id', '=', 'uploads.id').as('parts')])
    .where('organization_id', '=', of.organizationId).execute()).map((row) => ({ id: row.id, parts: Number(row.parts) }))
  const countOf = async (organizationId: string) =>
    Number((await db().selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', organizationId).executeTakeFirstOrThrow()).n)

  async function upload(browser: Browser, name: string, content: string | Uint8Array<ArrayBuffer> | null, fields?: Record<string, string>) {
    await browser.get('/contacts/import')
    const body = await multipartBody(fields ?? { _csrf: browser.csrf! }, content === null ? null : { name, content })
    return browser.request({ method: 'POST', url: '/contacts/import', payload: body.payload, headers: { 'content-type': body.contentType } })
  }

  it('imports a JSON array: good rows are stored, each bad row is reported by its position with the reason', async () => {
    tenant = await createTenant(ctx, 'Acme')
    other = await createTenant(ctx, 'Other Org')
    token = await apiToken(ctx, tenant.owner.email)
    otherToken = await apiToken(ctx, other.owner.email)
    owner = await signedIn(ctx, tenant.owner.email)
    northId = (await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(token), payload: { name: 'North branch' } })).json().id
    southId = (await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(token), payload: { name: 'South branch' } })).json().id

    const response = await importJson([
      { email: 'Ana@Example.test', name: 'Ana Pérez', side: 'customer', unit: 'north branch', locale: 'es', attributes: { tier: 'gold' } },
      { email: 'not-an-email', side: 'customer' },
      { email: 'ben@example.test', side: 'vendor' },
      { email: 'cleo@example.test', side: 'staff', unit: 'Atlantis' },
      { email: 'ana@example.test', side: 'customer', name: 'Ana again' },
      { email: 'ana@example.test', side: 'staff', unit: southId },
      { email: 'dan@example.test', side: 'staff' },
    ])
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json()).toEqual({
      created: 3,
      updated: 0,
      errors: [
        { row: 2, message: 'email "not-an-email" is not an address like name@example.com' },
        { row: 3, message: 'side "vendor" is not "staff" or "customer"' },
        { row: 4, message: 'unit "Atlantis" is not one of your units' },
        { row: 5, message: 'duplicate of row 1 (same email and side)' },
      ],
      errorCount: 4,
    })
    const ana = await stored('ana@example.test')
    expect(ana.map((c) => [c.side, c.name, c.unit_id, c.locale, c.attributes])).toEqual([
      ['customer', 'Ana Pérez', northId, 'es', { tier: 'gold' }],
      ['staff', '', southId, null, {}],
    ])
    expect(await stored('ben@example.test')).toEqual([])
    expect(await stored('cleo@example.test')).toEqual([])
  })

  it('updates a contact imported again (same email and side), counting it as updated; fields a row leaves out keep their value', async () => {
    const response = await importJson([
      { email: 'ana@example.test', side: 'customer', name: 'Ana P. Pérez', unit: 'South branch', attributes: { tier: 'platinum', region: 'west' } },
      { email: 'dan@example.test', side: 'staff', name: 'Dan' },
      { email: 'eve@example.test', side: 'customer' },
    ])
    expect(response.json()).toEqual({ created: 1, updated: 2, errors: [], errorCount: 0 })
    const [ana] = await stored('ana@example.test')
    expect(ana).toMatchObject({ name: 'Ana P. Pérez', unit_id: southId, locale: 'es', attributes: { tier: 'platinum', region: 'west' } })
    expect(ana!.updated_at.getTime()).toBeGreaterThan(ana!.created_at.getTime())
    expect((await stored('dan@example.test'))[0]).toMatchObject({ name: 'Dan' })
    expect(await countOf(tenant.organizationId)).toBe(4)
  })

  it('refuses a body that is not an array of contacts, or a type it does not read', async () => {
    expect((await importJson({ email: 'a@example.test', side: 'staff' })).statusCode).toBe(400)
    const plain = await ctx.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: { ...bearer(token), 'content-type': 'text/plain' }, payload: 'email,side' })
    expect(plain.statusCode).toBe(415)
    expect((await importJson([])).json()).toEqual({ created: 0, updated: 0, errors: [], errorCount: 0 })
    expect((await importJson(['x@example.test'])).statusCode).toBe(400)
  })

  it('imports a CSV body: rows are numbered as in a spreadsheet (header = 1, blank lines count), good rows kept', async () => {
    const csv = 'email,name,side,unit,locale,tier\n'
      + 'fay@example.test,Fay,customer,North branch,de,gold\n'
      + '\n'
      + 'bad-address,Bad,customer,,,\n'
      + 'gus@example.test,Gus,supplier,,,\n'
      + 'hal@example.test,Hal,staff,Nowhere,,\n'
      + 'fay@example.test,Fay twice,customer,,,\n'
      + 'ana@example.test,Ana from CSV,customer,,en,\n'
      + 'ivy@example.test,Ivy,staff,,it,\n'
    const response = await importCsv(csv)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json()).toEqual({
      created: 1,
      updated: 1,
      errors: [
        { row: 4, message: 'email "bad-address" is not an address like name@example.com' },
        { row: 5, message: 'side "supplier" is not "staff" or "customer"' },
        { row: 6, message: 'unit "Nowhere" is not one of your units' },
        { row: 7, message: 'duplicate of row 2 (same email and side)' },
        { row: 9, message: 'locale "it" is not one of en, es, de, fr, pt' },
      ],
      errorCount: 5,
    })
    expect((await stored('fay@example.test'))[0]).toMatchObject({ name: 'Fay', side: 'customer', unit_id: northId, locale: 'de', attributes: { tier: 'gold' } })
    // The file has unit, locale and attribute columns: their empty cells clear what was stored.
    expect((await stored('ana@example.test'))[0]).toMatchObject({ name: 'Ana from CSV', unit_id: null, locale: 'en', attributes: {} })
  })

  it('reads a semicolon-separated file with a byte order mark, CRLF line ends and quoted cells', async () => {
    const csv = '\uFEFFEmail;Side;Name;Note\r\n'
      + 'jo@example.test;staff;"Jo ""JJ"" Jones";"first; second"\r\n'
      + '"kim@example.test";customer;"Kim, the\r\nsecond line";plain\r\n'
    const response = await importCsv(csv)
    expect(response.json()).toEqual({ created: 2, updated: 0, errors: [], errorCount: 0 })
    expect((await stored('jo@example.test'))[0]).toMatchObject({ name: 'Jo "JJ" Jones', attributes: { Note: 'first; second' } })
    expect((await stored('kim@example.test'))[0]).toMatchObject({ name: 'Kim, the  second line', attributes: { Note: 'plain' } })
  })

  it('reads a Windows-1252 file as older Excel versions save it', async () => {
    const bytes = Buffer.concat([Buffer.from('email,side,name\nlea@example.test,staff,M'), Buffer.from([0xfc]), Buffer.from('ller\n')])
    expect((await importCsv(bytes)).json()).toMatchObject({ created: 1, errorCount: 0 })
    expect((await stored('lea@example.test'))[0]).toMatchObject({ name: 'Müller' })
  })

  it('refuses a file it cannot use at all with 400 and the reason, and reports a broken quote at its line after storing the rows before it', async () => {
    const noSide = await importCsv('email,name\nmo@example.test,Mo\n')
    expect(noSide.statusCode).toBe(400)
    expect(noSide.json().message).toContain('The first line must name the columns, including "side"')
    expect((await importCsv('')).json().message).toBe('The file is empty. Choose the CSV file with your contacts.')
    expect((await importCsv('email,side\n')).json().message).toBe('The file has a first line with the column names, but no contacts below it.')
    expect((await importCsv(Buffer.from('PK\u0003\u0004xlsx'))).json().message).toContain('spreadsheet workbook')

    const broken = await importCsv('email,side,name\nned@example.test,staff,Ned\nola@example.test,staff,"Ola\n')
    expect(broken.statusCode).toBe(200)
    expect(broken.json()).toMatchObject({ created: 1, errors: [{ row: 3, message: expect.stringContaining('a quoted cell is never closed') }] })
    expect(await stored('ned@example.test')).toHaveLength(1)
  })

  it('stores markup in names and attributes as plain text, and prints it escaped on the list', async () => {
    const payload = '<script>alert("x")</script>'
    const attribute = '"><img src=x onerror=alert(1)>'
    const response = await importCsv(`email,side,name,note\n"xss@example.test",customer,"${payload.replaceAll('"', '""')}","${attribute.replaceAll('"', '""')}"\n`)
    expect(response.json().errorCount).toBe(0)
    expect((await stored('xss@example.test'))[0]).toMatchObject({ name: payload, attributes: { note: attribute } })
    const page = await owner.get('/contacts?q=xss')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;')
    expect(page.body).toContain('note: &quot;&gt;&lt;img src=x onerror=alert(1)&gt;')
    expect(page.body).not.toContain('<script>alert')
    expect(page.body).not.toContain('<img src=x')
  })

  it('lists contacts with search (taking % and _ literally), side, unit, attribute and unsubscribed filters', async () => {
    expect((await list('?q=ANA')).contacts.map((c) => c.email)).toEqual(['ana@example.test', 'ana@example.test'])
    expect((await list('?q=from%20csv')).contacts.map((c) => c.name)).toEqual(['Ana from CSV'])
    await importJson([{ email: 'per_cent@example.test', side: 'staff', name: '100% sure' }])
    expect((await list('?q=_')).contacts.map((c) => c.email)).toEqual(['per_cent@example.test'])
    expect((await list(`?q=${encodeURIComponent('%')}`)).contacts.map((c) => c.email)).toEqual(['per_cent@example.test'])
    expect((await list('?side=staff&q=ana')).contacts.map((c) => c.side)).toEqual(['staff'])
    expect((await list(`?unit=${northId}`)).contacts.map((c) => c.email)).toEqual(['fay@example.test'])
    expect((await list('?unit=south%20branch')).contacts.map((c) => c.email)).toEqual(['ana@example.test'])
    expect((await list('?attribute=tier&value=gold')).contacts.map((c) => c.email)).toEqual(['fay@example.test'])
    expect((await list('?attribute=Note')).contacts.map((c) => c.email)).toEqual(['jo@example.test', 'kim@example.test'])

    await db().insertInto('unsubscribes').values({ organization_id: tenant.organizationId, email: 'jo@example.test' }).execute()
    const unsubscribed = await list('?unsubscribed=true')
    expect(unsubscribed.contacts.map((c) => [c.email, c.unsubscribed])).toEqual([['jo@example.test', true]])
    const subscribed = await list('?unsubscribed=false')
    expect(subscribed.total).toBe((await list()).total - 1)
    expect(subscribed.contacts.every((c) => !c.unsubscribed)).toBe(true)

    const bad = await ctx.app.inject({ method: 'GET', url: '/api/v1/contacts?unit=Atlantis', headers: bearer(token) })
    expect(bad.statusCode).toBe(400)
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/contacts?sid=staff', headers: bearer(token) })).statusCode).toBe(400)
  })

  it('shows the list page with its filters in the URL, unsubscribed contacts marked, and pages of 50', async () => {
    const page = await owner.get('/contacts')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<a href="/contacts" aria-current="page">Contacts</a>')
    expect(page.body).toContain('<form method="get" action="/contacts"')
    expect(page.body).toMatch(/<th scope="row">jo@example.test<\/th>(?:(?!<\/tr>)[\s\S])*<span class="status status-closed">Unsubscribed<\/span>/)
    expect(page.body).toMatch(/<th scope="row">kim@example.test<\/th>(?:(?!<\/tr>)[\s\S])*<span class="muted">Subscribed<\/span>/)
    expect(page.body).toContain('href="/contacts/import">Import contacts (CSV)</a>')

    const filtered = await owner.get(`/contacts?side=customer&unit=${northId}`)
    expect(filtered.body).toContain('fay@example.test')
    expect(filtered.body).not.toContain('kim@example.test')
    expect(filtered.body).toContain(`<option value="${northId}" selected>North branch</option>`)
    expect(filtered.body).toContain('<option value="customer" selected>Customers</option>')
    expect(filtered.body).toContain('Showing 1–1 of 1 contact matching these filters.')

    const unsubscribed = await owner.get('/contacts?unsubscribed=yes')
    expect(unsubscribed.body).toContain('jo@example.test')
    expect(unsubscribed.body).not.toContain('kim@example.test')

    const wrong = await owner.get('/contacts?attribute=no%20good&q=kim')
    expect(wrong.statusCode).toBe(422)
    expect(wrong.body).toContain('value="no good"')
    expect(wrong.body).toContain('id="attribute-error"')
    expect(wrong.body).toContain('kim@example.test')

    await importJson(Array.from({ length: 60 }, (_, i) => ({ email: `zz${String(i).padStart(2, '0')}@example.test`, side: 'customer', attributes: { batch: 'paging' } })))
    const first = await owner.get('/contacts?attribute=batch&value=paging')
    expect(first.body).toContain('Showing 1–50 of 60 contacts matching these filters.')
    expect(first.body).toContain('href="/contacts?attribute=batch&amp;value=paging&amp;page=2" rel="next"')
    const second = await owner.get('/contacts?attribute=batch&value=paging&page=2')
    expect(second.body).toContain('Showing 51–60 of 60 contacts')
    expect(second.body).toContain('zz59@example.test')
    expect(second.body).not.toContain('zz49@example.test')
    expect((await list('?attribute=batch&page=2')).contacts).toHaveLength(10)
  })

  it('keeps contacts from viewers and analysts (names and emails are personal data): 403 on the pages and the API, and no link to them', async () => {
    for (const role of ['viewer', 'analyst'] as const) {
      const email = await addPerson(ctx, tenant, role)
      const browser = await signedIn(ctx, email)
      const waves = await browser.get('/waves')
      expect(waves.body).not.toContain('href="/contacts"')
      const page = await browser.get('/contacts')
      expect(page.statusCode).toBe(403)
      expect(page.headers['content-type']).toContain('text/html')
      expect(page.body).not.toContain('kim@example.test')
      expect((await browser.get('/contacts/import')).statusCode).toBe(403)
      const roleToken = await apiToken(ctx, email)
      const api = await ctx.app.inject({ method: 'GET', url: '/api/v1/contacts', headers: bearer(roleToken) })
      expect(api.statusCode).toBe(403)
      expect(api.body).not.toContain('kim@example.test')
      expect((await importJson([{ email: 'v@example.test', side: 'staff' }], roleToken)).statusCode).toBe(403)
    }
    // An admin reads them, as an owner does.
    const adminEmail = await addPerson(ctx, tenant, 'admin')
    const admin = await signedIn(ctx, adminEmail)
    expect((await admin.get('/waves')).body).toContain('href="/contacts"')
    const page = await admin.get('/contacts')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('kim@example.test')
    expect((await list('', await apiToken(ctx, adminEmail))).total).toBeGreaterThan(0)
  })

  it('keeps organizations apart: another one neither sees nor changes these contacts, and its units are not ours', async () => {
    expect((await list('', otherToken)).total).toBe(0)
    const otherBrowser = await signedIn(ctx, other.owner.email)
    expect((await otherBrowser.get('/contacts?q=ana')).body).not.toContain('ana@example.test')
    const response = await importJson([{ email: 'ana@example.test', side: 'customer', name: 'Other Ana' }, { email: 'x@example.test', side: 'staff', unit: northId }], otherToken)
    expect(response.json()).toMatchObject({ created: 1, updated: 0, errors: [{ row: 2, message: expect.stringContaining('is not one of your units') }] })
    expect((await stored('ana@example.test'))[0]).toMatchObject({ name: 'Ana from CSV' })
    expect((await stored('ana@example.test', other.organizationId))[0]).toMatchObject({ name: 'Other Ana' })
    const foreignUnit = await ctx.app.inject({ method: 'GET', url: `/api/v1/contacts?unit=${northId}`, headers: bearer(otherToken) })
    expect(foreignUnit.statusCode).toBe(400)
    expect(foreignUnit.body).not.toContain('North branch')
  })

  it('imports through the pages: upload, preview of the columns, first rows and problems, confirm, result', async () => {
    const csv = 'email;name;side;unit;tier\n'
      + 'pia@example.test;Pia;customer;North branch;gold\n'
      + 'kim@example.test;Kim updated;customer;;\n'
      + 'broken;Nobody;customer;;\n'
      + 'pia@example.test;Pia twice;customer;;\n'
    const uploaded = await upload(owner, 'people.csv', csv)
    expect(uploaded.statusCode, uploaded.body).toBe(303)
    const previewUrl = uploaded.headers.location!
    expect(previewUrl).toMatch(/^\/contacts\/import\/preview\?upload=[0-9a-f-]{36}$/)
    const uploadId = previewUrl.split('=')[1]!
    expect(await stored('pia@example.test')).toEqual([])

    const preview = await owner.get(previewUrl)
    expect(preview.statusCode).toBe(200)
    expect(preview.body).toContain('people.csv')
    expect(preview.body).toContain('separated by semicolons')
    expect(preview.body).toContain('<li><strong>4</strong> lines with a contact</li>')
    expect(preview.body).toContain('<li><strong>2</strong> to import</li>')
    expect(preview.body).toContain('<li><strong>2</strong> with problems, to skip</li>')
    expect(preview.body).toContain('<code>email</code> (email address)')
    expect(preview.body).toContain('Kept as attributes: <code>tier</code>')
    expect(preview.body).toContain('<li>Line 4: email &quot;broken&quot; is not an address like name@example.com.</li>')
    expect(preview.body).toContain('<li>Line 5: duplicate of row 2 (same email and side).</li>')
    expect(preview.body).toContain('2 lines have problems')
    expect(preview.body).toMatch(/<th scope="row">2<\/th>\s*<td>pia@example.test<\/td>\s*<td>Pia<\/td>\s*<td>Customer<\/td>\s*<td>North branch<\/td>/)
    expect(preview.body).toMatch(/<th scope="row">5 <span class="row-flag">skipped<\/span><\/th>\s*<td>pia@example.test<\/td>\s*<td>Pia twice<\/td>/)
    expect(preview.body).toContain(`<input type="hidden" name="upload" value="${uploadId}">`)
    expect(preview.body).toContain('Import 2 contacts</button>')

    // Another organization cannot look at or import this upload.
    const otherBrowser = await signedIn(ctx, other.owner.email)
    expect((await otherBrowser.get(previewUrl)).statusCode).toBe(404)
    await otherBrowser.get('/contacts/import')
    expect((await otherBrowser.post('/contacts/import/confirm', { upload: uploadId })).statusCode).toBe(404)

    await owner.get(previewUrl)
    const result = await owner.post('/contacts/import/confirm', { upload: uploadId })
    expect(result.statusCode).toBe(200)
    expect(result.body).toContain('<li><strong>1</strong> created</li>')
    expect(result.body).toContain('<li><strong>1</strong> updated</li>')
    expect(result.body).toContain('<li><strong>2</strong> skipped</li>')
    expect(result.body).toContain('<li>Line 4: email &quot;broken&quot; is not an address like name@example.com.</li>')
    expect((await stored('pia@example.test'))[0]).toMatchObject({ name: 'Pia', unit_id: northId, attributes: { tier: 'gold' } })
    expect((await stored('kim@example.test'))[0]).toMatchObject({ name: 'Kim updated', attributes: {} })

    // The file's bytes are gone once imported; confirming again stores nothing and the preview says when it was confirmed.
    expect((await uploadsOf(tenant)).filter((upload) => upload.id === uploadId)).toEqual([{ id: uploadId, parts: 0 }])
    const again = await owner.post('/contacts/import/confirm', { upload: uploadId })
    expect(again.statusCode).toBe(303)
    expect(again.headers.location).toBe(previewUrl)
    const after = await owner.get(previewUrl)
    expect(after.statusCode).toBe(200)
    expect(after.body).toContain('The import of this file was confirmed on')
    expect(after.body).not.toContain('/contacts/import/confirm"')
    expect((await stored('pia@example.test'))[0]).toMatchObject({ name: 'Pia' })
    expect((await owner.get('/contacts/import/preview')).headers.location).toBe('/contacts/import')
  })

  it('sends an upload that cannot be used back to the form (422) with the reason next to the file field', async () => {
    const before = (await uploadsOf(tenant)).length
    const none = await upload(owner, '', null)
    expect(none.statusCode).toBe(422)
    expect(none.body).toContain('id="file-error"')
    expect(none.body).toContain('Choose the CSV file with your contacts.')

    const noEmail = await upload(owner, 'names.csv', 'name,side\nAna,staff\n')
    expect(noEmail.statusCode).toBe(422)
    expect(noEmail.body).toContain('The first line must name the columns, including &quot;email&quot;')
    expect(noEmail.body).toContain('You chose “names.csv”.')
    expect(noEmail.body).toContain('aria-invalid="true"')

    const workbook = await upload(owner, 'book.xlsx', new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]))
    expect(workbook.statusCode).toBe(422)
    expect(workbook.body).toContain('spreadsheet workbook')
    expect((await uploadsOf(tenant)).length).toBe(before)
  })

  it('refuses an upload without the CSRF token before keeping any of it', async () => {
    const before = (await uploadsOf(tenant)).length
    const forged = await upload(owner, 'people.csv', 'email,side\nmal@example.test,staff\n', { _csrf: 'forged' })
    expect(forged.statusCode).toBe(403)
    const missing = await upload(owner, 'people.csv', 'email,side\nmal@example.test,staff\n', {})
    expect(missing.statusCode).toBe(403)
    expect((await uploadsOf(tenant)).length).toBe(before)
    expect(await stored('mal@example.test')).toEqual([])
  })

  it('keeps the upload in the database: a second instance shows the preview and does the import, once', async () => {
    const second = await buildApp({ config: ctx.config, db: db(), logger: false })
    try {
      await second.ready()
      const uploaded = await upload(owner, 'elsewhere.csv', 'email\tside\tname\nquin@example.test\tstaff\tQuin\n')
      expect(uploaded.statusCode).toBe(303)
      const uploadId = uploaded.headers.location!.split('=')[1]!
      const there = await new Browser(second).login(tenant.owner.email)
      const preview = await there.get(uploaded.headers.location!)
      expect(preview.statusCode).toBe(200)
      expect(preview.body).toContain('separated by tabs')
      const [first, twice] = await Promise.all([
        there.post('/contacts/import/confirm', { upload: uploadId }),
        there.post('/contacts/import/confirm', { upload: uploadId }),
      ])
      expect([first.statusCode, twice.statusCode].sort()).toEqual([200, 303])
      expect([first, twice].find((r) => r.statusCode === 200)!.body).toContain('<li><strong>1</strong> created</li>')
      expect(await stored('quin@example.test')).toHaveLength(1)
      await owner.get(uploaded.headers.location!)
      const fromFirst = await owner.post('/contacts/import/confirm', { upload: uploadId })
      expect(fromFirst.headers.location).toBe(uploaded.headers.location)
    } finally {
      await second.close()
    }
  })

  it('answers 404 for an upload another organization holds, and for an expired one, saying to upload again', async () => {
    const uploaded = await upload(owner, 'ours.csv', 'email,side\nours@example.test,staff\n')
    const uploadId = uploaded.headers.location!.split('=')[1]!
    const otherBrowser = await signedIn(ctx, other.owner.email)
    await otherBrowser.get('/contacts/import')
    const foreign = await otherBrowser.post('/contacts/import/confirm', { upload: uploadId })
    expect(foreign.statusCode).toBe(404)
    expect(foreign.body).not.toContain('ours.csv')
    expect(await stored('ours@example.test')).toEqual([])
    expect(await stored('ours@example.test', other.organizationId)).toEqual([])

    // created_at is the database's to set; a test moves it back by hand.
    await sql`update uploads set created_at = now() - interval '8 days' where id = ${uploadId}`.execute(db())
    const expired = await owner.get(uploaded.headers.location!)
    expect(expired.statusCode).toBe(404)
    expect(expired.body).toContain('This upload is not there any more: uploads are kept for 7 days')
    await owner.get('/contacts/import')
    const late = await owner.post('/contacts/import/confirm', { upload: uploadId })
    expect(late.statusCode).toBe(404)
    expect(late.body).toContain('Upload the file again.')
    for (const id of ['', 'not-an-id', '00000000-0000-4000-8000-000000000000']) {
      expect((await owner.post('/contacts/import/confirm', { upload: id })).statusCode, id).toBe(404)
    }
    expect(await stored('ours@example.test')).toEqual([])
  })

  it('describes the contacts API in the OpenAPI document', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/api/docs/json' })).json()
    expect(doc.paths['/api/v1/contacts'].post.tags).toEqual(['contacts'])
    expect(Object.keys(doc.paths['/api/v1/contacts'].post.requestBody.content)).toEqual(['application/json', 'text/csv'])
    expect(doc.paths['/api/v1/contacts'].get.parameters.map((p: { name: string }) => p.name)).toContain('unsubscribed')
  })
})
