import { sql } from 'kysely'
import { expect, it } from 'vitest'
import { buildApp } from '../../server/app.js'
import { createWaveFromInput } from '../../server/services/waves.js'
import { addPerson, Browser, createTenant, describeEachDatabase, signedIn, type Tenant } from '../helpers/app.js'

/** A multipart body as a browser sends the upload form: the CSRF field and one file. */
async function multipartBody(fields: Record<string, string>, file: { name: string; content: string | Uint8Array<ArrayBuffer> } | null) {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  if (file) form.append('file', new Blob([file.content], { type: 'text/csv' }), file.name)
  const request = new Request('http://sg.test/', { method: 'POST', body: form })
  return { payload: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! }
}

describeEachDatabase('importing responses from a CSV file', (ctx) => {
  let tenant: Tenant
  let owner: Browser
  let waveId: string
  let northId: string

  const db = () => ctx.database.db
  /** What an import kept for the wave: responses, and staff rows waiting in the pool for a release step (as the rows they become). */
  const responsesOf = async (wave: string) => {
    const responses = await db().selectFrom('responses').select(['id', 'organization_id', 'side', 'unit_id', 'channel', 'attributes', 'comment']).where('wave_id', '=', wave).execute()
    const pooled = await db().selectFrom('staff_pool').select(['id', 'organization_id', 'unit_id', 'channel', 'attributes', 'comment']).where('wave_id', '=', wave).execute()
    return [...responses, ...pooled.map((row) => ({ ...row, side: 'staff' as const }))]
  }
  const importCount = async () => (await db().selectFrom('uploads').select('id').where('organization_id', '=', tenant.organizationId).execute()).length

  async function upload(browser: Browser, wave: string, name: string, content: string | Uint8Array<ArrayBuffer> | null, csrf?: string) {
    await browser.get(`/waves/${wave}/import`)
    const body = await multipartBody({ _csrf: csrf ?? browser.csrf! }, content === null ? null : { name, content })
    return browser.request({ method: 'POST', url: `/waves/${wave}/import`, payload: body.payload, headers: { 'content-type': body.contentType } })
  }

  it('links the upload page from the wave page for people who manage waves, and explains the columns', async () => {
    tenant = await createTenant(ctx, 'Acme')
    owner = await signedIn(ctx, tenant.owner.email)
    await owner.get('/units')
    await owner.post('/units', { name: 'North branch' })
    await owner.post('/units', { name: 'South branch' })
    await owner.get('/waves/new')
    const created = await owner.post('/waves', { name: '2026-Q1', templateKey: 'service-gap-index', status: 'open', locales: ['en'] })
    waveId = created.headers.location!.split('/').pop()!
    northId = (await db().selectFrom('units').select('id').where('name', '=', 'North branch').executeTakeFirstOrThrow()).id

    // On the wave's Operations tab.
    const wave = await owner.get(`/waves/${waveId}/operations`)
    expect(wave.body).toContain(`href="/waves/${waveId}/import">Import responses (CSV)</a>`)
    const viewer = await signedIn(ctx, await addPerson(ctx, tenant, 'viewer'))
    const viewers = await viewer.get(`/waves/${waveId}/operations`)
    expect(viewers.statusCode).toBe(200)
    expect(viewers.body).not.toContain('Import responses (CSV)')
    expect((await viewer.get(`/waves/${waveId}/import`)).statusCode).toBe(403)

    const page = await owner.get(`/waves/${waveId}/import`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('enctype="multipart/form-data"')
    expect(page.body).toMatch(/<input type="hidden" name="_csrf" value="[^"]+">/)
    expect(page.body).toContain('<code>excellent_service</code>')
    expect(page.body).toContain('<code>supported</code>')
    expect(page.body).toContain('side,unit,excellent_service,want_to_help,valued,can_solve,easy,')
    expect(page.body).toContain('customer,North branch,5,4,na,,')
  })

  it('previews the rows with their counts, then stores exactly those responses on confirmation', async () => {
    const csv = '\uFEFFside;unit;excellent_service;easy;trust;comment;tier\r\n'
      + 'customer;North branch;5;na;4.0;"Great, really.\r\nWould come back";gold\r\n'
      + 'staff;;3;;N/A;;\r\n'
      + 'customer;south branch; 2 ;1;;a;\r\n'
    const uploaded = await upload(owner, waveId, 'q1.csv', csv)
    expect(uploaded.statusCode).toBe(303)
    const previewUrl = uploaded.headers.location!
    expect(previewUrl).toMatch(new RegExp(`^/waves/${waveId}/import/[0-9a-f-]{36}$`))
    expect(await responsesOf(waveId)).toHaveLength(0)

    const preview = await owner.get(previewUrl)
    expect(preview.statusCode).toBe(200)
    expect(preview.body).toContain('<li><strong>3</strong> responses</li>')
    expect(preview.body).toContain('<li><strong>1</strong> staff</li>')
    expect(preview.body).toContain('<li><strong>2</strong> customer</li>')
    expect(preview.body).toContain('q1.csv')
    expect(preview.body).toContain('<th scope="col">excellent_service</th>')
    expect(preview.body).toContain('<td>North branch</td>')
    expect(preview.body).toContain('<td>South branch</td>')
    expect(preview.body).toContain('<td class="comment">Great, really.\nWould come back</td>')
    expect(preview.body).toContain('<span class="attribute">tier: gold</span>')
    expect(preview.body).toContain('Import 3 responses</button>')

    const confirmed = await owner.post(`${previewUrl}/confirm`)
    expect(confirmed.statusCode).toBe(303)
    expect(confirmed.headers.location).toBe(`/waves/${waveId}`)
    const stored = await responsesOf(waveId)
    expect(stored).toHaveLength(3)
    expect(stored.every((row) => row.channel === 'import' && row.organization_id === tenant.organizationId)).toBe(true)
    const [great, southRow, staffRow] = [stored.find((r) => r.comment?.startsWith('Great'))!, stored.find((r) => r.comment === 'a')!, stored.find((r) => r.side === 'staff')!]
    expect(great).toMatchObject({ side: 'customer', unit_id: northId, attributes: { tier: 'gold' }, comment: 'Great, really.\nWould come back' })
    expect(southRow).toMatchObject({ side: 'customer', attributes: {} })
    expect(southRow.unit_id).not.toBe(northId)
    expect(staffRow).toMatchObject({ side: 'staff', unit_id: null, comment: null, attributes: {} })
    const answers = async (responseId: string) => {
      const pooled = await db().selectFrom('staff_pool').select('answers').where('id', '=', responseId).executeTakeFirst()
      return pooled?.answers ?? Object.fromEntries((await db().selectFrom('answers').select(['item_key', 'value']).where('response_id', '=', responseId).execute()).map((a) => [a.item_key, a.value]))
    }
    expect(await answers(great.id)).toEqual({ excellent_service: 5, easy: null, trust: 4 })
    expect(await answers(staffRow.id)).toEqual({ excellent_service: 3, trust: null })
    expect(await answers(southRow.id)).toEqual({ excellent_service: 2, easy: 1 })
  })

  it('stores the rows once, however often the import is confirmed', async () => {
    const uploaded = await upload(owner, waveId, 'twice.csv', 'side,excellent_service,comment\nstaff,4,twice-1\nstaff,5,twice-2\n')
    const previewUrl = uploaded.headers.location!
    await owner.get(previewUrl)
    const before = (await responsesOf(waveId)).length
    const [first, second] = await Promise.all([owner.post(`${previewUrl}/confirm`), owner.post(`${previewUrl}/confirm`)])
    expect([first.statusCode, second.statusCode]).toEqual([303, 303])
    const third = await owner.post(`${previewUrl}/confirm`)
    expect(third.statusCode).toBe(303)
    expect(third.headers.location).toBe(previewUrl)
    expect((await responsesOf(waveId)).length).toBe(before + 2)
    const after = await owner.get(previewUrl)
    expect(after.body).toContain('These responses were imported on')
    expect(after.body).not.toContain('/confirm"')
  })

  it('shows every problem with its spreadsheet line, offers no import, and stores nothing even when confirmed', async () => {
    const csv = [
      'side,unit,excellent_service,easy,comment',
      'customer,North branch,5,4,fine',
      'client,Atlantis,four,9,',
      '',
      'staff,,,,nothing answered',
      'customer,North branch,3,,fine too',
    ].join('\n')
    const uploaded = await upload(owner, waveId, 'bad.csv', csv)
    expect(uploaded.statusCode).toBe(303)
    const preview = await owner.get(uploaded.headers.location!)
    expect(preview.statusCode).toBe(200)
    const problems = [...preview.body.matchAll(/<li>(Line \d+[^<]*)<\/li>/g)].map((m) => m[1])
    expect(problems).toEqual([
      'Line 3, excellent_service: &quot;four&quot; is not an answer: use a whole number from 1 to 5, &quot;na&quot; for not applicable, or leave the cell empty.',
      'Line 3, easy: &quot;9&quot; is not an answer: use a whole number from 1 to 5, &quot;na&quot; for not applicable, or leave the cell empty.',
      'Line 3, side: must be &quot;staff&quot; or &quot;customer&quot;.',
      'Line 3, unit: &quot;Atlantis&quot; is not one of your units.',
      'Line 5, answers: must answer at least one item.',
    ])
    expect(preview.body).toContain('5 problems on 2 lines: nothing has been imported')
    expect(preview.body).toContain(`<a href="/waves/${waveId}/import">upload the corrected file</a>`)
    expect(preview.body).not.toContain('/confirm"')
    expect(preview.body).not.toMatch(/Import \d+ responses?<\/button>/)

    const before = (await responsesOf(waveId)).length
    const confirmed = await owner.post(`${uploaded.headers.location!}/confirm`)
    expect(confirmed.statusCode).toBe(422)
    expect(confirmed.body).toContain('Line 3, unit: &quot;Atlantis&quot; is not one of your units.')
    expect((await responsesOf(waveId)).length).toBe(before)
    const row = await db().selectFrom('uploads').select('confirmed_at').where('id', '=', uploaded.headers.location!.split('/').pop()!).executeTakeFirstOrThrow()
    expect(row.confirmed_at).toBeNull()
  })

  it('checks again on confirmation: a unit deleted after the preview makes its rows a problem', async () => {
    await owner.get('/units')
    await owner.post('/units', { name: 'Pop-up store' })
    const uploaded = await upload(owner, waveId, 'popup.csv', 'side,unit,excellent_service\ncustomer,Pop-up store,5\n')
    const previewUrl = uploaded.headers.location!
    expect((await owner.get(previewUrl)).body).toContain('Import 1 response</button>')
    await db().deleteFrom('units').where('name', '=', 'Pop-up store').execute()
    const before = (await responsesOf(waveId)).length
    const confirmed = await owner.post(`${previewUrl}/confirm`)
    expect(confirmed.statusCode).toBe(422)
    expect(confirmed.body).toContain('Line 2, unit: &quot;Pop-up store&quot; is not one of your units.')
    expect((await responsesOf(waveId)).length).toBe(before)
  })

  it('keeps markup in cells and file names as text, and prints it escaped', async () => {
    const csv = 'side,excellent_service,comment,tier\ncustomer,4,<script>alert(1)</script>,"""><img src=x onerror=alert(1)>"\n'
    const uploaded = await upload(owner, waveId, '<i onclick=alert(1)>x.csv', csv)
    const previewUrl = uploaded.headers.location!
    const preview = await owner.get(previewUrl)
    expect(preview.body).not.toContain('<script>alert(1)')
    expect(preview.body).not.toContain('<img src=x')
    expect(preview.body).not.toContain('<i onclick')
    expect(preview.body).toContain('<td class="comment">&lt;script&gt;alert(1)&lt;/script&gt;</td>')
    expect(preview.body).toContain('tier: &quot;&gt;&lt;img src=x onerror=alert(1)&gt;')
    expect(preview.body).toContain('&lt;i onclick=alert(1)&gt;x.csv')
    expect((await owner.post(`${previewUrl}/confirm`)).statusCode).toBe(303)
    const odd = await upload(owner, waveId, 'C:\\Users\\me\\q1\u0000\u0007.csv', 'side,easy\nstaff,4\n')
    expect(odd.statusCode).toBe(303)
    expect((await owner.get(odd.headers.location!)).body).toContain('<p class="muted">q1.csv · uploaded')
    const stored = (await responsesOf(waveId)).find((row) => row.comment === '<script>alert(1)</script>')
    expect(stored?.attributes).toEqual({ tier: '"><img src=x onerror=alert(1)>' })
  })

  it('brings the upload page back (422) with the message next to the file field when the file cannot be read', async () => {
    const before = await importCount()
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
    const cases: Array<[string, string | Uint8Array<ArrayBuffer> | null, string]> = [
      ['chart.png', png, 'This is not a CSV text file.'],
      ['empty.csv', '', 'The file is empty.'],
      ['', null, 'Choose the CSV file with your responses.'],
      ['', '', 'Choose the CSV file with your responses.'],
      ['header.csv', 'unit,easy\nNorth,4\n', 'one of them must be &quot;side&quot;'],
      ['only-header.csv', 'side,easy\n', 'no responses below it'],
      ['big.csv', 'side,easy\n' + 'staff,4\n'.repeat(700_000), 'larger than 5 MB'],
    ]
    for (const [name, content, message] of cases) {
      const response = await upload(owner, waveId, name, content)
      expect(response.statusCode, name).toBe(422)
      expect(response.body, name).toMatch(new RegExp(`<p class="field-error" id="file-error"><span class="visually-hidden">Error:</span> [^<]*${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
      expect(response.body, name).toContain('aria-invalid="true"')
      if (name) expect(response.body, name).toContain(`You chose “${name}”.`)
    }
    expect(await importCount()).toBe(before)
  })

  it('refuses an upload without this browser\'s CSRF token', async () => {
    const before = await importCount()
    const other = new Browser(ctx.app)
    await other.get('/login')
    for (const token of ['', other.csrf!]) {
      const response = await upload(owner, waveId, 'forged.csv', 'side,easy\nstaff,4\n', token)
      expect(response.statusCode).toBe(403)
    }
    expect(await importCount()).toBe(before)
  })

  it('keeps nothing when the form breaks a limit after the file was stored', async () => {
    const before = await importCount()
    await owner.get(`/waves/${waveId}/import`)
    const form = new FormData()
    form.append('_csrf', owner.csrf!)
    form.append('file', new Blob(['side,excellent_service\ncustomer,5\n'], { type: 'text/csv' }), 'then-too-many-fields.csv')
    for (let i = 0; i < 12; i++) form.append(`extra${i}`, 'x')
    const request = new Request('http://sg.test/', { method: 'POST', body: form })
    const response = await owner.request({
      method: 'POST', url: `/waves/${waveId}/import`,
      payload: Buffer.from(await request.arrayBuffer()), headers: { 'content-type': request.headers.get('content-type')! },
    })
    expect(response.statusCode).toBe(413)
    expect(await importCount()).toBe(before)
  })

  it('reads multipart bodies on the upload route only', async () => {
    await owner.get('/units')
    const body = await multipartBody({ _csrf: owner.csrf!, name: 'Sent as multipart' }, null)
    const response = await owner.request({ method: 'POST', url: '/units', payload: body.payload, headers: { 'content-type': body.contentType } })
    expect(response.statusCode).toBe(415)
    expect(await db().selectFrom('units').select('id').where('name', '=', 'Sent as multipart').executeTakeFirst()).toBeUndefined()
  })

  it('answers 404 to another organization for the upload, the preview and the confirmation', async () => {
    const uploaded = await upload(owner, waveId, 'ours.csv', 'side,excellent_service,comment\nstaff,4,ours only\n')
    const previewUrl = uploaded.headers.location!
    const betaTenant = await createTenant(ctx, 'Beta')
    const beta = await signedIn(ctx, betaTenant.owner.email)
    expect((await beta.get(`/waves/${waveId}/import`)).statusCode).toBe(404)
    expect((await beta.get(previewUrl)).statusCode).toBe(404)
    await beta.get('/waves')
    expect((await beta.post(`${previewUrl}/confirm`)).statusCode).toBe(404)
    const betaWave = await createWaveFromInput(db(), betaTenant.organizationId, { name: 'Beta wave', templateKey: 'service-gap-index' }, { unitLinks: false })
    if (!betaWave.ok) throw new Error(JSON.stringify(betaWave.errors))
    // Our import under their wave's address is still not theirs.
    expect((await beta.get(`/waves/${betaWave.value}/import/${previewUrl.split('/').pop()}`)).statusCode).toBe(404)
    const forged = await upload(beta, waveId, 'theirs.csv', 'side,easy\nstaff,4\n')
    expect(forged.statusCode).toBe(404)
    expect((await responsesOf(waveId)).some((row) => row.comment === 'ours only')).toBe(false)
  })

  it('keeps the upload in the database: a second instance of the app shows the preview and does the import', async () => {
    const second = await buildApp({ config: ctx.config, db: db(), logger: false })
    try {
      await second.ready()
      const uploaded = await upload(owner, waveId, 'elsewhere.csv', 'side,excellent_service,comment\nstaff,4,from another instance\n')
      expect(uploaded.statusCode).toBe(303)
      const there = await new Browser(second).login(tenant.owner.email)
      const preview = await there.get(uploaded.headers.location!)
      expect(preview.statusCode).toBe(200)
      expect(preview.body).toContain('Import 1 response</button>')
      const confirmed = await there.post(`${uploaded.headers.location!}/confirm`)
      expect(confirmed.statusCode).toBe(303)
      expect(confirmed.headers.location).toBe(`/waves/${waveId}`)
      expect((await responsesOf(waveId)).filter((row) => row.comment === 'from another instance')).toHaveLength(1)
      // The first instance sees it confirmed, and a confirmation from there stores nothing more.
      expect((await owner.get(uploaded.headers.location!)).body).toContain('These responses were imported on')
      expect((await owner.post(`${uploaded.headers.location!}/confirm`)).headers.location).toBe(uploaded.headers.location)
      expect((await responsesOf(waveId)).filter((row) => row.comment === 'from another instance')).toHaveLength(1)
      // Once imported, the file's bytes are gone; the upload's row only says when.
      const id = uploaded.headers.location!.split('/').pop()!
      expect(await db().selectFrom('upload_parts').select('position').where('upload_id', '=', id).execute()).toEqual([])
    } finally {
      await second.close()
    }
  })

  it('answers an expired upload, an unknown one and a malformed id with 404 and a message that says to upload again', async () => {
    const uploaded = await upload(owner, waveId, 'old.csv', 'side,excellent_service,comment\nstaff,4,too late\n')
    const previewUrl = uploaded.headers.location!
    const id = previewUrl.split('/').pop()!
    // created_at is the database's to set; a test moves it back by hand.
    await sql`update uploads set created_at = now() - interval '8 days' where id = ${id}`.execute(db())
    for (const url of [previewUrl, `/waves/${waveId}/import/00000000-0000-4000-8000-000000000000`, `/waves/${waveId}/import/not-an-id`]) {
      const page = await owner.get(url)
      expect(page.statusCode, url).toBe(404)
      expect(page.body, url).toContain('This upload is not there any more: uploads are kept for 7 days')
    }
    await owner.get(`/waves/${waveId}/import`)
    const confirmed = await owner.post(`${previewUrl}/confirm`)
    expect(confirmed.statusCode).toBe(404)
    expect(confirmed.body).toContain('Upload the file again.')
    expect((await responsesOf(waveId)).some((row) => row.comment === 'too late')).toBe(false)
    // The next upload sweeps it away, with its bytes.
    await upload(owner, waveId, 'next.csv', 'side,easy\nstaff,4\n')
    expect(await db().selectFrom('uploads').select('id').where('id', '=', id).execute()).toEqual([])
    expect(await db().selectFrom('upload_parts').select('position').where('upload_id', '=', id).execute()).toEqual([])
  })

  it('keeps a response upload to its wave: the same organization\'s other wave does not find it', async () => {
    const uploaded = await upload(owner, waveId, 'this-wave.csv', 'side,easy\nstaff,4\n')
    const id = uploaded.headers.location!.split('/').pop()!
    const otherWave = await createWaveFromInput(db(), tenant.organizationId, { name: 'Other wave', templateKey: 'service-gap-index' }, { unitLinks: false })
    if (!otherWave.ok) throw new Error(JSON.stringify(otherWave.errors))
    expect((await owner.get(`/waves/${otherWave.value}/import/${id}`)).statusCode).toBe(404)
    await owner.get(`/waves/${otherWave.value}/import`)
    expect((await owner.post(`/waves/${otherWave.value}/import/${id}/confirm`)).statusCode).toBe(404)
    // Nor does the contacts import.
    expect((await owner.get(`/contacts/import/preview?upload=${id}`)).statusCode).toBe(404)
  })
})
