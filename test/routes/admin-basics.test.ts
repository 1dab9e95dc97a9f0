// Admin basics on both databases: archiving, restoring and deleting units (and archived units refused
// wherever something new would use them), editing, closing and deleting waves, and each
// organization's sender name and reply-to arriving at a real SMTP server.
import { sql } from 'kysely'
import { expect, it } from 'vitest'
import { smtpTransport } from '../../server/mail/transport.js'
import { MailWorker } from '../../server/mail/worker.js'
import { addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type TestContext, type Tenant } from '../helpers/app.js'
import { smtpServer } from '../helpers/smtp.js'

const NO_BACKGROUND_WORKER = { mail: { worker: false } }
const ITEMS = ['excellent_service', 'want_to_help', 'valued', 'can_solve', 'easy', 'promises', 'individual', 'anticipates', 'trust', 'fit', 'asks', 'supported']
const answers = (value: number) => Object.fromEntries(ITEMS.map((key) => [key, value]))
/** A header's value, with folded lines joined again. */
const header = (raw: string, name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(raw.replace(/\r\n[ \t]+/g, ' '))?.[1]?.trim()
const headerLines = (raw: string) => raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ').split('\r\n')

async function auditRows(ctx: TestContext, tenant: Tenant, action: string) {
  return ctx.database.db.selectFrom('audit_log').select(['target', 'detail', 'actor_email'])
    .where('organization_id', '=', tenant.organizationId).where('action', '=', action).orderBy('id').execute()
}

describeEachDatabase('admin basics', (ctx) => {
  let tenant: Tenant
  let other: Tenant
  let token: string
  let otherToken: string
  let owner: Browser
  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, as = token) =>
    ctx.app.inject({ method, url, headers: bearer(as), ...(payload === undefined ? {} : { payload: payload as object }) })
  const unitsJson = async () => (await api('GET', '/api/v1/units')).json() as Array<{ id: string; name: string; archived: boolean }>
  const unitId = async (name: string) => (await unitsJson()).find((u) => u.name === name)!.id
  const createWave = async (name: string, extra: object = {}) => {
    const response = await api('POST', '/api/v1/waves', { name, templateKey: 'service-gap-index', ...extra })
    expect(response.statusCode).toBe(201)
    return response.json() as { id: string; name: string; status: string; locales: string[]; closesAt: string | null; unitLinks: Array<{ unit: { name: string } }> }
  }

  it('archives a unit instead of deleting one in use, lists it apart, restores it, and deletes only unused units', async () => {
    tenant = await createTenant(ctx, 'Acme')
    other = await createTenant(ctx, 'Other')
    token = await apiToken(ctx, tenant.owner.email)
    otherToken = await apiToken(ctx, other.owner.email)
    owner = await signedIn(ctx, tenant.owner.email)
    for (const name of ['North', 'South', 'Harbour', 'Spare']) expect((await api('POST', '/api/v1/units', { name })).statusCode).toBe(201)
    await createWave('2026-Q1', { unitLinks: true })
    const north = await unitId('North')

    await owner.get('/units')
    const refused = await owner.post(`/units/${north}/delete`)
    expect(refused.statusCode).toBe(409)
    expect(refused.body).toContain('<strong>North</strong> cannot be deleted')
    expect(refused.body).toContain(`action="/units/${north}/archive"`)
    expect(await unitsJson()).toContainEqual({ id: north, name: 'North', archived: false })

    expect((await owner.post(`/units/${north}/archive`)).statusCode).toBe(303)
    expect(await unitsJson()).toContainEqual({ id: north, name: 'North', archived: true })
    const page = await owner.get('/units')
    const archivedPart = page.body.slice(page.body.indexOf('id="archived"'))
    expect(archivedPart).toContain('<th scope="row">North</th>')
    expect(archivedPart).toContain(`action="/units/${north}/restore"`)
    expect(page.body.slice(0, page.body.indexOf('id="archived"'))).not.toContain('<th scope="row">North</th>')
    expect(await auditRows(ctx, tenant, 'unit_archived')).toMatchObject([{ target: 'unit North', actor_email: tenant.owner.email }])

    expect((await owner.post(`/units/${north}/restore`)).statusCode).toBe(303)
    expect(await unitsJson()).toContainEqual({ id: north, name: 'North', archived: false })
    expect(await auditRows(ctx, tenant, 'unit_restored')).toHaveLength(1)

    // Links made in a wave count as use; a unit nothing refers to goes.
    const spare = await unitId('Spare')
    expect((await owner.post(`/units/${spare}/delete`)).statusCode).toBe(409)
    await ctx.database.db.deleteFrom('links').where('unit_id', '=', spare).execute()
    expect((await owner.post(`/units/${spare}/delete`)).statusCode).toBe(303)
    expect((await unitsJson()).map((u) => u.name)).not.toContain('Spare')
    expect(await auditRows(ctx, tenant, 'unit_deleted')).toMatchObject([{ target: 'unit Spare' }])
  })

  it('renames and archives through PATCH /api/v1/units/:id, with clear errors and tenant isolation', async () => {
    const south = await unitId('South')
    const renamed = await api('PATCH', `/api/v1/units/${south}`, { name: '  South Bay ' })
    expect(renamed.statusCode).toBe(200)
    expect(renamed.json()).toEqual({ id: south, name: 'South Bay', archived: false })
    const taken = await api('PATCH', `/api/v1/units/${south}`, { name: 'north' })
    expect(taken.statusCode).toBe(409)
    expect(taken.json().message).toBe('A unit named "north" already exists. Choose another name.')
    for (const body of [{ name: '' }, { name: ['x', 'y'] }, { name: 'x'.repeat(101) }, { archived: 'yes' }, { colour: 'red' }]) {
      expect((await api('PATCH', `/api/v1/units/${south}`, body)).statusCode).toBe(400)
    }
    expect((await api('PATCH', `/api/v1/units/${south}`, 'text')).statusCode).toBe(415)
    expect((await api('PATCH', '/api/v1/units/not-a-uuid', { archived: true })).statusCode).toBe(400)
    expect((await api('PATCH', `/api/v1/units/${south}`, { archived: true }, otherToken)).statusCode).toBe(404)
    expect((await owner.post(`/units/${south}/archive`, {})).statusCode).toBe(303)
    expect((await api('PATCH', `/api/v1/units/${south}`, { archived: false }, otherToken)).statusCode).toBe(404)
    const archived = await api('PATCH', `/api/v1/units/${south}`, { archived: true })
    expect(archived.json()).toEqual({ id: south, name: 'South Bay', archived: true })
    // Archiving an archived unit again changes nothing and records nothing new.
    expect(await auditRows(ctx, tenant, 'unit_archived')).toHaveLength(2)
    const otherOrgPage = await signedIn(ctx, other.owner.email)
    await otherOrgPage.get('/units')
    expect((await otherOrgPage.post(`/units/${south}/restore`)).statusCode).toBe(404)
    expect((await otherOrgPage.post(`/units/${south}/delete`)).statusCode).toBe(404)
    expect((await otherOrgPage.get('/units')).body).not.toContain('South Bay')
    // Odd addresses and odd forms get a 404 or a 422 page, never a 500.
    await owner.get('/units')
    for (const path of ['/units/nope', '/units/nope/archive', '/units/nope/restore', '/units/nope/delete', '/units/00000000-0000-4000-8000-000000000000/archive']) {
      expect((await owner.post(path, { name: 'x' })).statusCode, path).toBe(404)
    }
    const forms: Array<Record<string, string>> = [{ name: 'x'.repeat(10_000) }, {}, { name: '\r\n' }]
    for (const form of forms) {
      expect((await owner.post('/units', form)).statusCode).toBe(422)
      expect((await owner.post(`/units/${south}`, form)).statusCode).toBe(422)
    }
    // A rename refused on the page keeps what was typed beside the field.
    await owner.get('/units')
    const refused = await owner.post(`/units/${await unitId('North')}`, { name: 'Harbour' })
    expect(refused.statusCode).toBe(422)
    expect(refused.body).toContain('value="Harbour" aria-invalid="true"')
    expect(refused.body).toContain('A unit named &quot;Harbour&quot; already exists.')
  })

  it('offers an archived unit in no picker: new wave links, missing links, invitations', async () => {
    // South Bay is archived now; North and Harbour are in use.
    await owner.get('/waves/new')
    expect((await owner.get('/waves/new')).body).toContain('each of your 2 units')
    const wave = await createWave('2026-Q2', { unitLinks: true })
    expect(wave.unitLinks.map((entry) => entry.unit.name).sort()).toEqual(['Harbour', 'North'])
    const harbour = await unitId('Harbour')
    await api('PATCH', `/api/v1/units/${harbour}`, { archived: true })
    await api('PATCH', `/api/v1/units/${await unitId('South Bay')}`, { archived: false })
    await ctx.database.db.insertInto('contacts').values([
      { organization_id: tenant.organizationId, side: 'customer', email: 'in-harbour@example.test', unit_id: harbour, attributes: '{}' },
      { organization_id: tenant.organizationId, side: 'customer', email: 'in-north@example.test', unit_id: await unitId('North'), attributes: '{}' },
    ]).execute()
    const wavePage = await owner.get(`/waves/${wave.id}/operations`)
    expect(wavePage.body).toContain('Make links for 1 unit without one')
    const invitePicker = wavePage.body.slice(wavePage.body.indexOf('id="invite-unit"'), wavePage.body.indexOf('</select>', wavePage.body.indexOf('id="invite-unit"')))
    expect(invitePicker).toContain('>North<')
    expect(invitePicker).not.toContain('>Harbour<')
    await owner.post(`/waves/${wave.id}/unit-links`)
    const links = await ctx.database.db.selectFrom('links').innerJoin('units', 'units.id', 'links.unit_id').select('units.name')
      .where('links.wave_id', '=', wave.id).execute()
    // Harbour keeps the links it had before it was archived; South Bay, restored, gets its own.
    expect([...new Set(links.map((l) => l.name))].sort()).toEqual(['Harbour', 'North', 'South Bay'])
    expect(links.filter((l) => l.name === 'Harbour')).toHaveLength(2)

    const refused = await api('POST', `/api/v1/waves/${wave.id}/invitations`, { unit: 'Harbour' })
    expect(refused.statusCode).toBe(400)
    expect(refused.json().message).toContain('unit "Harbour" is archived')
    expect((await api('POST', `/api/v1/waves/${wave.id}/invitations`, {})).json()).toEqual({ queued: 1 })
    const invited = await ctx.database.db.selectFrom('invitations').innerJoin('contacts', 'contacts.id', 'invitations.contact_id')
      .select('contacts.email').where('invitations.wave_id', '=', wave.id).execute()
    expect(invited.map((row) => row.email)).toEqual(['in-north@example.test'])
  })

  it('refuses an archived unit in contact and response imports with a clear per-row error, and keeps it in past reports', async () => {
    const contacts = await api('POST', '/api/v1/contacts', [
      { email: 'ok@example.test', side: 'customer', unit: 'North' },
      { email: 'old@example.test', side: 'customer', unit: 'harbour' },
    ])
    expect(contacts.statusCode).toBe(200)
    expect(contacts.json()).toMatchObject({ created: 1, errors: [{ row: 2, message: 'unit "Harbour" is archived' }] })
    const csv = await ctx.app.inject({
      method: 'POST', url: '/api/v1/contacts', headers: { ...bearer(token), 'content-type': 'text/csv' },
      payload: 'email,side,unit\ncsv-ok@example.test,staff,North\ncsv-old@example.test,staff,Harbour\n',
    })
    expect(csv.json()).toMatchObject({ created: 1, errors: [{ row: 3, message: expect.stringContaining('unit "Harbour" is archived') }] })

    const wave = await createWave('2026-Q3')
    const rows = await api('POST', `/api/v1/waves/${wave.id}/responses`, [
      { side: 'customer', unit: 'North', answers: answers(4) },
      { side: 'customer', unit: 'Harbour', answers: answers(4) },
    ])
    expect(rows.statusCode).toBe(400)
    expect(JSON.stringify(rows.json().details)).toContain('unit \\"Harbour\\" is archived')

    // The first wave had Harbour's links before it was archived: its report still filters by it.
    const first = (await api('GET', '/api/v1/waves')).json().find((w: { name: string }) => w.name === '2026-Q1')
    const report = await api('GET', `/api/v1/waves/${first.id}/report?unit=Harbour`)
    expect(report.statusCode).toBe(200)
    expect(JSON.stringify(report.json().filters)).toContain(await unitId('Harbour'))
  })

  it('edits a wave on its settings form, keeping what was typed when something is wrong', async () => {
    const wave = await createWave('2026-Q4', { locales: ['en', 'de'] })
    const form = await owner.get(`/waves/${wave.id}/settings`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('value="2026-Q4"')
    expect(form.body).toMatch(/id="locale-de" name="locales" value="de" checked/)
    expect(form.body).not.toMatch(/id="locale-es" name="locales" value="es" checked/)

    const past = await owner.post(`/waves/${wave.id}/settings`, { name: 'Q4 <renamed>', closesAt: '2020-01-31', locales: ['es'] })
    expect(past.statusCode).toBe(422)
    expect(past.body).toContain('The closing date must lie in the future.')
    expect(past.body).toContain('value="Q4 &lt;renamed&gt;"')
    expect(past.body).toContain('value="2020-01-31"')
    expect(past.body).toMatch(/id="locale-es" name="locales" value="es" checked/)
    const none = await owner.post(`/waves/${wave.id}/settings`, { name: 'Q4', closesAt: '' })
    expect(none.statusCode).toBe(422)
    expect(none.body).toContain('Choose at least one language.')
    const taken = await owner.post(`/waves/${wave.id}/settings`, { name: '2026-q1', locales: ['en'] })
    expect(taken.statusCode).toBe(422)
    expect(taken.body).toContain('A wave named &quot;2026-q1&quot; already exists.')
    const odds: Array<Record<string, string | string[]>> = [{ name: ['a', 'b'], locales: 'en' }, { name: 'x', closesAt: ['2030-01-01', 'x'], locales: 'en' }, { name: 'x', locales: 'xx' }, { name: 'x\r\ny', locales: 'en', closesAt: '2030-02-30' }]
    for (const odd of odds) {
      expect((await owner.post(`/waves/${wave.id}/settings`, odd)).statusCode).toBe(422)
    }
    expect((await api('GET', `/api/v1/waves/${wave.id}`)).json()).toMatchObject({ name: '2026-Q4', locales: ['en', 'de'], closesAt: null })

    const saved = await owner.post(`/waves/${wave.id}/settings`, { name: '2026-Q4 (all)', closesAt: '2099-12-31', locales: ['es', 'en'] })
    expect(saved.statusCode).toBe(303)
    expect((await api('GET', `/api/v1/waves/${wave.id}`)).json()).toMatchObject({ name: '2026-Q4 (all)', locales: ['es', 'en'], closesAt: '2100-01-01T00:00:00.000Z' })
    expect((await owner.get(`/waves/${wave.id}/settings`)).body).toContain('value="2099-12-31"')
    expect((await auditRows(ctx, tenant, 'wave_updated')).at(-1)).toMatchObject({ target: 'wave 2026-Q4 (all)', detail: { changed: ['name', 'closesAt', 'locales'] } })

    const analyst = await signedIn(ctx, await addPerson(ctx, tenant, 'analyst'))
    expect((await analyst.get(`/waves/${wave.id}/settings`)).statusCode).toBe(403)
    const stranger = await signedIn(ctx, other.owner.email)
    expect((await stranger.get(`/waves/${wave.id}/settings`)).statusCode).toBe(404)
    expect((await stranger.post(`/waves/${wave.id}/settings`, { name: 'mine', locales: 'en' })).statusCode).toBe(404)
  })

  it('changes a wave through PATCH /api/v1/waves/:id, opening and closing it as the buttons do', async () => {
    const wave = await createWave('API wave')
    const patched = await api('PATCH', `/api/v1/waves/${wave.id}`, { name: 'API wave 2', closesAt: '2099-06-30', locales: ['de'] })
    expect(patched.statusCode).toBe(200)
    expect(patched.json()).toMatchObject({ id: wave.id, name: 'API wave 2', closesAt: '2099-07-01T00:00:00.000Z', locales: ['de'], status: 'open' })
    const closed = await api('PATCH', `/api/v1/waves/${wave.id}`, { status: 'closed' })
    expect(closed.json().status).toBe('closed')
    expect(await auditRows(ctx, tenant, 'wave_closed')).toMatchObject([{ target: 'wave API wave 2' }])
    const reopened = await api('PATCH', `/api/v1/waves/${wave.id}`, { status: 'open', closesAt: '2099-01-01' })
    expect(reopened.json()).toMatchObject({ status: 'open', closesAt: '2099-01-02T00:00:00.000Z' })
    expect((await api('PATCH', `/api/v1/waves/${wave.id}`, { closesAt: null })).json().closesAt).toBeNull()

    const bad: Array<[unknown, number]> = [
      [{ closesAt: '2001-01-01' }, 400], [{ closesAt: 'tomorrow' }, 400], [{ locales: [] }, 400], [{ locales: ['xx'] }, 400],
      [{ status: 'draft' }, 400], [{ name: '' }, 400], [{ name: ['a', 'b'] }, 400], [{ name: 'x'.repeat(500) }, 400], [{ extra: 1 }, 400],
      [{ status: 'closed', closesAt: '2099-01-01' }, 400], [{ name: '2026-q1' }, 409], [{ closesAt: 'x\r\nX-Evil: 1' }, 400],
    ]
    for (const [body, status] of bad) {
      const response = await api('PATCH', `/api/v1/waves/${wave.id}`, body)
      expect(response.statusCode, JSON.stringify(body)).toBe(status)
      expect(response.json()).toHaveProperty('message')
    }
    expect((await api('GET', `/api/v1/waves/${wave.id}`)).json()).toMatchObject({ name: 'API wave 2', status: 'open', locales: ['de'] })
    expect((await api('PATCH', `/api/v1/waves/${wave.id}`, { name: 'theirs' }, otherToken)).statusCode).toBe(404)
    expect((await api('PATCH', '/api/v1/waves/123', { name: 'x' })).statusCode).toBe(400)
    const analyst = await apiToken(ctx, await addPerson(ctx, tenant, 'analyst'))
    expect((await api('PATCH', `/api/v1/waves/${wave.id}`, { name: 'x' }, analyst)).statusCode).toBe(403)
  })

  it('asks before closing a wave, without JavaScript', async () => {
    const wave = await createWave('Closing wave')
    const page = await owner.get(`/waves/${wave.id}`)
    expect(page.body).toContain(`action="/waves/${wave.id}/close"`)
    const ask = await owner.post(`/waves/${wave.id}/close`)
    expect(ask.statusCode).toBe(200)
    expect(ask.body).toContain('Close Closing wave?')
    expect(ask.body).toContain('name="confirm" value="yes"')
    expect((await api('GET', `/api/v1/waves/${wave.id}`)).json().status).toBe('open')
    expect((await owner.post(`/waves/${wave.id}/close`, { confirm: 'no' })).statusCode).toBe(200)
    expect((await owner.post(`/waves/${wave.id}/close`, { confirm: 'yes' })).statusCode).toBe(303)
    expect((await api('GET', `/api/v1/waves/${wave.id}`)).json().status).toBe('closed')
    expect((await auditRows(ctx, tenant, 'wave_closed')).at(-1)).toMatchObject({ target: 'wave Closing wave' })
    expect((await owner.post(`/waves/${wave.id}/open`)).statusCode).toBe(303)
    expect((await api('GET', `/api/v1/waves/${wave.id}`)).json().status).toBe('open')
    expect((await auditRows(ctx, tenant, 'wave_updated')).at(-1)).toMatchObject({ target: 'wave Closing wave', detail: { changed: ['status'] } })
    const stranger = await signedIn(ctx, other.owner.email)
    expect((await stranger.post(`/waves/${wave.id}/close`, { confirm: 'yes' })).statusCode).toBe(404)
    for (const path of ['/waves/nope/settings', '/waves/nope/close', '/waves/nope/open', '/waves/nope/delete']) {
      expect((await owner.post(path, { confirm: 'yes', name: 'x' })).statusCode, path).toBe(404)
    }
    expect((await owner.get('/waves/nope/settings')).statusCode).toBe(404)
    expect((await owner.post(`/waves/${wave.id}/close`, { confirm: ['yes', 'yes'] })).statusCode).toBe(200)
  })

  it('deletes a wave with everything of it for an owner who types its name', async () => {
    const wave = await createWave('Doomed', { unitLinks: true })
    const keep = await createWave('Kept')
    const staff = Array.from({ length: 6 }, () => ({ side: 'staff', unit: 'North', answers: answers(5), comment: 'fine' }))
    const customers = Array.from({ length: 6 }, () => ({ side: 'customer', unit: 'North', answers: answers(2), attributes: { tier: 'gold' } }))
    for (const id of [wave.id, keep.id]) expect((await api('POST', `/api/v1/waves/${id}/responses`, [...staff, ...customers])).statusCode).toBe(201)
    await ctx.database.db.insertInto('contacts').values({ organization_id: tenant.organizationId, side: 'staff', email: 'doomed@example.test', attributes: '{}' }).execute()
    expect((await api('POST', `/api/v1/waves/${wave.id}/invitations`, {})).json().queued).toBeGreaterThan(0)
    await owner.get(`/waves/${wave.id}/import`)
    await ctx.database.db.insertInto('uploads').values({ organization_id: tenant.organizationId, kind: 'responses', wave_id: wave.id, filename: 'a.csv', bytes: 3 } as never).execute()

    // Every table with a wave_id column, and those below them, found from the catalogue so that a
    // table added later is counted too.
    const waveTables = (await sql<{ table_name: string }>`select table_name from information_schema.columns
      where table_schema = current_schema() and column_name = 'wave_id' order by table_name`.execute(ctx.database.db)).rows.map((r) => r.table_name)
    expect(waveTables).toEqual(expect.arrayContaining(['links', 'responses', 'invitations', 'answer_rollups', 'staff_pool', 'staff_releases', 'uploads']))
    const counts = async (waveId: string) => {
      const result: Record<string, number> = {}
      for (const table of waveTables) {
        result[table] = Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where wave_id = ${waveId}`.execute(ctx.database.db)).rows[0]!.n)
      }
      result.answers = Number((await sql<{ n: string }>`select count(*) as n from answers where response_id in (select id from responses where wave_id = ${waveId})`.execute(ctx.database.db)).rows[0]!.n)
      result.mail_jobs = Number((await sql<{ n: string }>`select count(*) as n from mail_jobs where invitation_id in (select id from invitations where wave_id = ${waveId})`.execute(ctx.database.db)).rows[0]!.n)
      return result
    }
    const before = await counts(wave.id)
    for (const table of ['links', 'responses', 'answers', 'invitations', 'mail_jobs', 'answer_rollups', 'uploads']) expect(before[table], table).toBeGreaterThan(0)
    const kept = await counts(keep.id)
    const mailJobsBefore = Number((await sql<{ n: string }>`select count(*) as n from mail_jobs`.execute(ctx.database.db)).rows[0]!.n)

    const admin = await signedIn(ctx, await addPerson(ctx, tenant, 'admin'))
    expect((await admin.get(`/waves/${wave.id}/delete`)).statusCode).toBe(403)
    expect((await admin.post(`/waves/${wave.id}/delete`, { confirm: 'Doomed' })).statusCode).toBe(403)
    const adminToken = await apiToken(ctx, await addPerson(ctx, tenant, 'admin'))
    expect((await api('DELETE', `/api/v1/waves/${wave.id}`, undefined, adminToken)).statusCode).toBe(403)
    expect((await api('DELETE', `/api/v1/waves/${wave.id}`, undefined, otherToken)).statusCode).toBe(404)
    const stranger = await signedIn(ctx, other.owner.email)
    expect((await stranger.post(`/waves/${wave.id}/delete`, { confirm: 'Doomed' })).statusCode).toBe(404)

    const confirmPage = await owner.get(`/waves/${wave.id}/delete`)
    expect(confirmPage.statusCode).toBe(200)
    expect(confirmPage.body).toContain('Type the name of the wave to confirm')
    for (const typed of ['doomed', 'Doome', '', 'Doomed\r\nx']) {
      const wrong = await owner.post(`/waves/${wave.id}/delete`, { confirm: typed })
      expect(wrong.statusCode).toBe(422)
      if (typed === 'Doome') expect(wrong.body).toContain('value="Doome"')
    }
    expect((await owner.post(`/waves/${wave.id}/delete`, { confirm: ['Doomed', 'Doomed'] })).statusCode).toBe(422)
    // wave_watch is the background alert pass's own mark of how far it looked, which it may write meanwhile; the wave's data is unchanged.
    const data = ({ wave_watch: _mark, ...rest }: Record<string, number>) => rest
    expect(data(await counts(wave.id))).toEqual(data(before))

    const deleted = await owner.post(`/waves/${wave.id}/delete`, { confirm: ' Doomed ' })
    expect(deleted.statusCode).toBe(303)
    expect(deleted.headers.location).toBe('/waves')
    expect(Object.values(await counts(wave.id)).every((n) => n === 0)).toBe(true)
    expect(data(await counts(keep.id))).toEqual(data(kept))
    expect(Number((await sql<{ n: string }>`select count(*) as n from mail_jobs`.execute(ctx.database.db)).rows[0]!.n)).toBe(mailJobsBefore - before.mail_jobs!)
    expect((await api('GET', `/api/v1/waves/${wave.id}`)).statusCode).toBe(404)
    expect(await auditRows(ctx, tenant, 'wave_deleted')).toMatchObject([{ target: 'wave Doomed' }])

    // Through the API: 204, and gone.
    expect((await api('DELETE', `/api/v1/waves/${keep.id}`)).statusCode).toBe(204)
    expect(Object.values(await counts(keep.id)).every((n) => n === 0)).toBe(true)
    expect((await api('DELETE', `/api/v1/waves/${keep.id}`)).statusCode).toBe(404)
    expect((await api('DELETE', '/api/v1/waves/nope')).statusCode).toBe(400)
  })
})

describeEachDatabase('admin basics: the sender of survey mail', (ctx) => {
  let tenant: Tenant
  let owner: Browser

  it('saves a sender name and one reply-to address, refusing line breaks and address lists', async () => {
    tenant = await createTenant(ctx, 'Acme')
    owner = await signedIn(ctx, tenant.owner.email)
    const base = { name: 'Acme', minGroupSize: '5', defaultLocale: 'en' }
    await owner.get('/settings')
    const cases: Array<[Record<string, string | string[]>, string, string]> = [
      [{ senderName: 'Acme\r\nBcc: victim@example.test' }, 'senderName', 'one line, without control characters'],
      [{ senderName: 'x'.repeat(101) }, 'senderName', 'at most 100 characters'],
      [{ replyTo: 'a,b@example.test' }, 'replyTo', 'Enter one email address'],
      [{ replyTo: 'Name <c@example.test>' }, 'replyTo', 'Enter one email address'],
      [{ replyTo: 'support@example.test\r\nBcc: x@y.test' }, 'replyTo', 'Enter one email address'],
      [{ replyTo: ['a@example.test', 'b@example.test'] }, 'replyTo', 'Enter one email address'],
    ]
    for (const [fields, field, message] of cases) {
      const response = await owner.post('/settings', { ...base, ...fields })
      expect(response.statusCode, JSON.stringify(fields)).toBe(422)
      expect(response.body).toContain(`id="${field}-error"`)
      expect(response.body).toContain(message)
    }
    const kept = await owner.post('/settings', { ...base, senderName: 'Acme "Best" Support', replyTo: 'not an address' })
    expect(kept.body).toContain('value="Acme &quot;Best&quot; Support"')
    expect(kept.body).toContain('value="not an address"')

    expect((await owner.post('/settings', { ...base, senderName: '  Acme "Best"   Support ', replyTo: ' Support@Acme.Example ' })).statusCode).toBe(303)
    const org = await ctx.database.db.selectFrom('organizations').select(['sender_name', 'reply_to']).where('id', '=', tenant.organizationId).executeTakeFirstOrThrow()
    expect(org).toEqual({ sender_name: 'Acme "Best" Support', reply_to: 'support@acme.example' })
    const page = await owner.get('/settings')
    expect(page.body).toContain('value="support@acme.example"')
    const audits = await auditRows(ctx, tenant, 'settings_changed')
    expect(audits).toHaveLength(1)
    expect(audits[0]!.detail).toEqual({ changed: ['senderName', 'replyTo'] })
    expect(JSON.stringify(audits)).not.toContain('acme.example')
    // Saving the same again changes nothing and records nothing.
    await owner.post('/settings', { ...base, senderName: 'Acme "Best" Support', replyTo: 'support@acme.example' })
    expect(await auditRows(ctx, tenant, 'settings_changed')).toHaveLength(1)
    const viewer = await signedIn(ctx, await addPerson(ctx, tenant, 'analyst'))
    expect((await viewer.post('/settings', { ...base, senderName: 'Mine' })).statusCode).toBe(403)
  })

  it('sends invitations and reminders from "<name> via <installation>" on the installation address, with the reply-to', async () => {
    const token = await apiToken(ctx, tenant.owner.email)
    const waveId = (await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name: 'Q1', templateKey: 'service-gap-index' } })).json().id
    await ctx.database.db.insertInto('contacts').values({ organization_id: tenant.organizationId, side: 'customer', email: 'cus@example.test', name: 'Cus', attributes: '{}' }).execute()
    // A second organization without sender settings: its mail keeps the installation's own sender.
    const plain = await createTenant(ctx, 'Plain')
    await ctx.database.db.insertInto('contacts').values({ organization_id: plain.organizationId, side: 'customer', email: 'plain@example.test', attributes: '{}' }).execute()
    const plainToken = await apiToken(ctx, plain.owner.email)
    const plainWave = (await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(plainToken), payload: { name: 'Q1', templateKey: 'service-gap-index' } })).json().id
    await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${waveId}/invitations`, headers: bearer(token), payload: {} })
    await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${plainWave}/invitations`, headers: bearer(plainToken), payload: {} })

    const smtp = await smtpServer()
    const transport = smtpTransport(smtp.url)
    const worker = new MailWorker({ db: ctx.database.db, transport, publicUrl: ctx.config.publicUrl, secret: ctx.config.signingSecret, from: 'Service Gap <surveys@sg.test>', rate: 1000 })
    try {
      expect(await worker.runOnce()).toBe(2)
      // A reminder, due at once.
      await ctx.database.db.updateTable('invitations').set({ last_sent_at: new Date(Date.now() - 10 * 86_400_000) }).where('wave_id', '=', waveId).execute()
      expect(await worker.runOnce()).toBe(1)
    } finally {
      transport.close()
      await smtp.close()
    }
    const toCus = smtp.received.filter((m) => m.to === 'cus@example.test')
    expect(toCus).toHaveLength(2)
    for (const message of toCus) {
      expect(header(message.raw, 'From')).toBe('"Acme \\"Best\\" Support via Service Gap" <surveys@sg.test>')
      expect(header(message.raw, 'Reply-To')).toBe('support@acme.example')
    }
    const toPlain = smtp.received.find((m) => m.to === 'plain@example.test')!
    expect(header(toPlain.raw, 'From')).toBe('Service Gap <surveys@sg.test>')
    expect(header(toPlain.raw, 'Reply-To')).toBeUndefined()
  })

  it('cannot add a header through a line break in a sender name, even one that got past the form', async () => {
    const smtp = await smtpServer()
    const transport = smtpTransport(smtp.url)
    try {
      await transport.send({
        organizationId: tenant.organizationId, from: { name: 'Acme\r\nBcc: victim@example.test\r\nX-Evil: 1', address: 'surveys@sg.test' },
        replyTo: 'support@acme.example', to: 'one@example.test', subject: 'Hello', text: 'Hi', html: '<p>Hi</p>', headers: {}, messageId: '<t1@sg.test>',
      })
    } finally {
      transport.close()
      await smtp.close()
    }
    expect(smtp.received.map((m) => m.to)).toEqual(['one@example.test'])
    const lines = headerLines(smtp.received[0]!.raw)
    expect(lines.filter((line) => /^(Bcc|X-Evil):/i.test(line))).toEqual([])
    expect(lines.filter((line) => /^From:/i.test(line))).toHaveLength(1)
    // The database refuses such a name as well.
    await expect(ctx.database.db.updateTable('organizations').set({ sender_name: 'A\nB' }).where('id', '=', tenant.organizationId).execute()).rejects.toThrow()
  })
}, {}, NO_BACKGROUND_WORKER)
