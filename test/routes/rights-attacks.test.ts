// Attacks on data rights, on both databases: what survives an erasure anywhere in the database (every
// table and text, JSON, id and byte column, found through information_schema), whether a deleted and
// unsubscribed address is mailed again when it comes back in another spelling, what the personal-data
// export gives away, whether the audit log can be changed or carries a formula into a spreadsheet, and
// whether two reads around a deletion or an archived unit differ.
import { sql } from 'kysely'
import { expect, it } from 'vitest'
import { MailWorker } from '../../server/mail/worker.js'
import { outboxTransport } from '../../server/mail/transport.js'
import { addUser } from '../../server/repositories/organizations.js'
import { runRetention } from '../../server/services/retention.js'
import { invitationToken } from '../../server/security/tokens.js'
import { addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, PASSWORD, signedIn, type Tenant, type TestContext } from '../helpers/app.js'
import { answers, createUnit, createWave, hidden, KEYS, post, type Wave } from '../helpers/survey.js'

type Db = TestContext['database']['db']

/** Every "table.column" of the public schema whose text holds the needle (any case). */
async function whereFound(db: Db, needle: string, except: readonly string[] = []): Promise<string[]> {
  const { rows: columns } = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select c.table_name, c.column_name, c.data_type from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema = 'public' order by c.table_name, c.column_name`.execute(db)
  const found: string[] = []
  for (const column of columns) {
    if (except.includes(column.table_name)) continue
    const text = /text|char|json|uuid|ARRAY|USER-DEFINED/.test(column.data_type) ? sql`${sql.ref(column.column_name)}::text`
      : column.data_type === 'bytea' ? sql`encode(${sql.ref(column.column_name)}, 'escape')` : null
    if (text === null) continue
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(column.table_name)}
      where position(lower(${needle}) in lower(${text})) > 0`.execute(db)
    if (rows[0]!.n > 0) found.push(`${column.table_name}.${column.column_name}`)
  }
  return found
}

describeEachDatabase('attacks on data rights', (ctx) => {
  let tenant: Tenant
  let token: string
  let wave: Wave
  const db = () => ctx.database.db
  const api = (method: 'GET' | 'DELETE' | 'POST' | 'PATCH', url: string, payload?: unknown, auth = token) =>
    ctx.app.inject({ method, url, headers: bearer(auth), ...(payload === undefined ? {} : { payload: payload as object }) })
  const csv = (text: string) => ctx.app.inject({ method: 'POST', url: '/api/v1/contacts', headers: { ...bearer(token), 'content-type': 'text/csv; charset=utf-8' }, payload: text })
  const worker = () => new MailWorker({ db: db(), transport: outboxTransport(db()), publicUrl: ctx.config.publicUrl, secret: ctx.config.signingSecret,
    from: 'Surveys <surveys@sg.test>', rate: 1000, staleMs: 60_000 })
  const contactOf = async (email: string) => db().selectFrom('contacts').select(['id', 'name']).where('organization_id', '=', tenant.organizationId)
    .where('email', '=', email).executeTakeFirst()

  async function answerInvitation(contactId: string, waveId: string, comment = '') {
    const invitation = await db().selectFrom('invitations').select('id').where('contact_id', '=', contactId).where('wave_id', '=', waveId).executeTakeFirstOrThrow()
    const link = invitationToken(ctx.config.signingSecret, invitation.id)
    const browser = new Browser(ctx.app)
    const page = await browser.get(`/s/${link}`)
    expect(page.statusCode).toBe(200)
    const sent = await post(browser, link, { submission: hidden(page.body, 'submission')!, ...answers({}, '2'), ...(comment ? { comment } : {}) })
    expect(sent.statusCode).toBe(303)
  }

  const QUORRA = 'quorra.zyx@example.test'

  it('erasure leaves nothing of a contact anywhere in the database: not the address, the name, the contact id or its invitations', async () => {
    tenant = await createTenant(ctx, 'Erasure Co')
    token = await apiToken(ctx, tenant.owner.email)
    await createUnit(ctx, token, 'North')
    wave = await createWave(ctx, token, { name: 'Spring', unitLinks: true })
    const others = Array.from({ length: 6 }, (_, i) => `other${i},customer,North,gold,other${i}@example.test`)
    expect((await csv(['name,side,unit,tier,email', 'Quorra Zyxwvut,customer,North,gold,Quorra.Zyx@Example.test', ...others].join('\n'))).json())
      .toMatchObject({ created: 7 })
    const quorra = (await contactOf(QUORRA))!
    expect(quorra.name).toBe('Quorra Zyxwvut')
    expect((await api('POST', `/api/v1/waves/${wave.id}/invitations`, {})).json()).toEqual({ queued: 7 })
    // The mail goes out (to the development outbox, which keeps each message whole).
    expect(await worker().runOnce()).toBe(7)
    const invitationIds = (await db().selectFrom('invitations').select('id').where('contact_id', '=', quorra.id).execute()).map((i) => i.id)
    await answerInvitation(quorra.id, wave.id, 'Service was slow')
    // She asked what is held about her, then unsubscribed, then asked to be forgotten.
    expect((await api('GET', `/api/v1/contacts/export?email=${QUORRA}`)).statusCode).toBe(200)
    // She unsubscribes with the one-click link of her mail, as a mail program would.
    const mail = await db().selectFrom('outbox_messages').select('headers').where('recipient', '=', QUORRA).executeTakeFirstOrThrow()
    const unsubscribe = new URL(mail.headers['List-Unsubscribe']!.slice(1, -1))
    expect((await ctx.app.inject({ method: 'POST', url: unsubscribe.pathname, payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBeLessThan(400)
    expect(await db().selectFrom('unsubscribes').select('email').where('organization_id', '=', tenant.organizationId).execute()).toEqual([{ email: QUORRA }])
    expect((await api('DELETE', `/api/v1/contacts/${quorra.id}`)).statusCode).toBe(204)

    expect(await whereFound(db(), QUORRA), 'address').toEqual([])
    expect(await whereFound(db(), 'Zyxwvut'), 'name').toEqual([])
    // The audit log names the contact's id (what was exported, what was deleted), never the person.
    expect(await whereFound(db(), quorra.id, ['audit_log']), 'contact id').toEqual([])
    for (const id of invitationIds) expect(await whereFound(db(), id), 'invitation id').toEqual([])
    // Her answer stays in the figures, without her tier.
    const kept = await db().selectFrom('responses').select(['attributes', 'comment']).where('wave_id', '=', wave.id).where('channel', '=', 'invitation').execute()
    expect(kept).toEqual([{ attributes: {}, comment: 'Service was slow' }])
  })

  it('never mails a deleted, unsubscribed address again, imported by API or CSV in capitals, with spaces or decomposed accents', async () => {
    expect((await api('POST', '/api/v1/contacts', [{ email: '  QUORRA.ZYX@EXAMPLE.TEST ', side: 'customer', name: 'Q again' }])).json()).toMatchObject({ created: 1 })
    expect((await csv(`email,side\n"  Quorra.Zyx@example.TEST  ",staff\n`)).json()).toMatchObject({ created: 1 })
    // An address with an accent, unsubscribed and deleted in one Unicode form, comes back in the other.
    const composed = 'jos\u00e9@example.test'
    const decomposed = 'JOSE\u0301@example.test'
    expect((await api('POST', '/api/v1/contacts', [{ email: composed, side: 'customer' }])).json()).toMatchObject({ created: 1 })
    const jose = (await contactOf(composed))!
    await db().insertInto('unsubscribes').values({ organization_id: tenant.organizationId, email: composed }).execute()
    expect((await api('DELETE', `/api/v1/contacts/${jose.id}`)).statusCode).toBe(204)
    expect((await api('POST', '/api/v1/contacts', [{ email: decomposed, side: 'customer' }])).json()).toMatchObject({ created: 1 })
    expect((await db().selectFrom('contacts').select('email').where('organization_id', '=', tenant.organizationId).where('email', 'like', 'jos%').execute()))
      .toEqual([{ email: composed }])

    const next = await createWave(ctx, token, { name: 'Summer', unitLinks: true })
    const sentBefore = (await db().selectFrom('outbox_messages').select(sql<number>`coalesce(max(id), 0)`.as('id')).executeTakeFirstOrThrow()).id
    await api('POST', `/api/v1/waves/${next.id}/invitations`, {})
    await worker().runOnce()
    const recipients = (await db().selectFrom('outbox_messages').select('recipient').where('organization_id', '=', tenant.organizationId)
      .where('id', '>', sentBefore).execute()).map((m) => m.recipient.toLowerCase())
    expect(recipients.filter((r) => r.includes('other0'))).toHaveLength(1)
    expect(recipients.filter((r) => r.includes('quorra') || r.startsWith('jos'))).toEqual([])
  })

  it('exports nothing of another address that merely looks alike, nor of another organization, and nothing of staff answers', async () => {
    const other = await createTenant(ctx, 'Lookalike Co')
    const otherToken = await apiToken(ctx, other.owner.email)
    expect((await api('POST', '/api/v1/contacts', [{ email: 'other1@example.test', side: 'customer', name: 'Theirs' }], otherToken)).statusCode).toBe(200)
    const doc = async (email: string) => (await api('GET', `/api/v1/contacts/export?email=${encodeURIComponent(email)}`)).json()
    // The product treats an address as the same after trimming, NFC and lower case, and nothing more:
    // dots, plus tags and compatibility forms (full-width letters) are other mailboxes.
    expect((await doc(' OTHER1@Example.Test ')).contacts).toEqual([expect.objectContaining({ name: 'other1' })])
    for (const lookalike of ['other.1@example.test', 'other1+x@example.test', '\uff4f\uff54\uff48\uff45\uff52\uff11@example.test', 'other1@example.test.', 'other%@example.test', 'other_@example.test']) {
      const response = await api('GET', `/api/v1/contacts/export?email=${encodeURIComponent(lookalike)}`)
      if (response.statusCode === 400) continue
      expect(response.json(), lookalike).toMatchObject({ contacts: [], invitations: [], customerResponses: [], users: [], auditEntries: [] })
    }
    // An address typed with a decomposed accent (as some keyboards send it) is the stored, composed one.
    expect((await api('POST', '/api/v1/contacts', [{ email: 'ren\u00e9e@example.test', side: 'customer', name: 'Renée' }])).json()).toMatchObject({ created: 1 })
    expect((await doc(' RENE\u0301E@example.test')).contacts, 'decomposed').toEqual([expect.objectContaining({ name: 'Renée' })])
    const mine = await doc('other1@example.test')
    expect(JSON.stringify(mine)).not.toContain('Theirs')
    // Staff answers, and answers given through a public link, are never in anybody's export.
    const staffer = 'staffer@example.test'
    expect((await api('POST', '/api/v1/contacts', [{ email: staffer, side: 'staff', unit: 'North' }])).statusCode).toBe(200)
    const staffWave = await createWave(ctx, token, { name: 'Staff only', unitLinks: true })
    await api('POST', `/api/v1/waves/${staffWave.id}/invitations`, { side: 'staff' })
    await answerInvitation((await contactOf(staffer))!.id, staffWave.id, 'my staff secret')
    const exported = await doc(staffer)
    expect(exported.customerResponses).toEqual([])
    expect(JSON.stringify(exported)).not.toContain('my staff secret')
    // Another person's audit entries are not in an address's export, even when they name it.
    const colleague = 'colleague@example.test'
    await addUser(db(), tenant.organizationId, { email: colleague, name: 'Col', role: 'viewer', password: PASSWORD })
    await signedIn(ctx, colleague)
    const ownEntries = (await doc(colleague)).auditEntries
    expect(ownEntries.length).toBeGreaterThan(0)
    expect((await doc('league@example.test')).auditEntries).toEqual([])
  })

  it('keeps the audit log unchangeable and its CSV inert: formulas in an address, a reason or a filter start with an apostrophe; no secret, answer or address is in it', async () => {
    const formula = '=HYPERLINK("http://evil.test","x")'
    const sneaky = '=1+2@example.test'
    await addUser(db(), tenant.organizationId, { email: sneaky, name: formula, role: 'viewer', password: PASSWORD })
    const login = await signedIn(ctx, sneaky)
    expect(login).toBeDefined()
    const response = (await db().selectFrom('responses').select('id').where('wave_id', '=', wave.id).executeTakeFirstOrThrow()).id
    expect((await api('DELETE', `/api/v1/waves/${wave.id}/responses/${response}`, { reason: formula })).statusCode).toBe(204)
    const [another] = (await api('POST', `/api/v1/waves/${wave.id}/responses`, { side: 'customer', answers: { excellent_service: 4 } })).json().ids
    expect((await api('DELETE', `/api/v1/waves/${wave.id}/responses/${another}`, { reason: '<img src=x onerror=alert(1)>' })).statusCode).toBe(204)
    const owner = await signedIn(ctx, tenant.owner.email)
    const page = await owner.get('/settings/audit?action=response_deleted')
    expect(page.statusCode).toBe(200)
    expect(page.body).not.toContain('<img src=x')
    expect(page.body).toContain('&lt;img src=x')
    const download = await owner.get(`/settings/audit.csv?person=${encodeURIComponent('=1+2')}`)
    expect(download.statusCode).toBe(200)
    const lines = download.body.split('\r\n').filter(Boolean)
    expect(lines.length).toBeGreaterThan(1)
    for (const line of lines.slice(1)) {
      for (const cell of line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, ''))) {
        expect(cell, line).not.toMatch(/^[=+@]/)
      }
    }
    expect(download.body).toContain("'=1+2@example.test")
    const all = await owner.get('/settings/audit.csv')
    expect(all.body).toContain('HYPERLINK')
    for (const line of all.body.split('\r\n')) expect(line.split(',').every((cell) => !/^"?[=+@]/.test(cell)), line).toBe(true)
    // No route changes or removes an entry, and the database refuses an update.
    for (const [method, url] of [['DELETE', '/settings/audit'], ['POST', '/settings/audit'], ['PATCH', '/settings/audit'], ['DELETE', '/api/v1/audit']] as const) {
      expect((await ctx.app.inject({ method, url, headers: bearer(token) })).statusCode, `${method} ${url}`).toBeGreaterThanOrEqual(400)
    }
    await expect(sql`update audit_log set detail = '{}' where organization_id = ${tenant.organizationId}::uuid`.execute(db())).rejects.toThrow(/append-only/)
    // Nothing secret or personal: no token, password, answer or deleted contact's address.
    const entries = JSON.stringify(await db().selectFrom('audit_log').selectAll().where('organization_id', '=', tenant.organizationId).execute())
    expect(entries).not.toContain(token)
    expect(entries).not.toContain(PASSWORD)
    expect(entries).not.toContain(QUORRA)
    expect(entries).not.toContain('Service was slow')
    expect(entries).not.toContain('my staff secret')
  })

  it('two reads around archiving a unit, deleting a pool answer or clearing old comments show the same staff figures', async () => {
    const staffWave = await createWave(ctx, token, { name: 'Steps', unitLinks: true })
    const north = (await db().selectFrom('units').select('id').where('organization_id', '=', tenant.organizationId).where('name', '=', 'North').executeTakeFirstOrThrow()).id
    const row = (value: number, comment?: string) => ({ side: 'staff', unit: 'North', answers: Object.fromEntries(KEYS.map((k) => [k, value])), ...(comment ? { comment } : {}) })
    expect((await api('POST', `/api/v1/waves/${staffWave.id}/responses`, [1, 2, 3, 4, 5, 4].map((v) => row(v, `comment ${v}`)))).statusCode).toBe(201)
    const read = async () => {
      const report = (await api('GET', `/api/v1/waves/${staffWave.id}/report?unit=${north}`)).json()
      return { headline: report.headline.staff, dimensions: report.dimensions, items: report.items }
    }
    const before = await read()
    expect(before.headline).toMatchObject({ n: 6 })
    // One more waits in the pool; deleting it changes no figure.
    const [pooled] = (await api('POST', `/api/v1/waves/${staffWave.id}/responses`, row(1))).json().ids
    expect(await read()).toEqual(before)
    expect((await api('DELETE', `/api/v1/waves/${staffWave.id}/responses/${pooled}`, { reason: 'duplicate' })).statusCode).toBe(204)
    expect(await read()).toEqual(before)
    expect((await api('PATCH', `/api/v1/units/${north}`, { archived: true })).statusCode).toBe(200)
    expect(await read()).toEqual(before)
    expect((await api('PATCH', `/api/v1/units/${north}`, { archived: false })).statusCode).toBe(200)
    // Retention clears comments; the figures stay.
    await sql`insert into retention_settings (organization_id, comment_months) values (${tenant.organizationId}::uuid, 1)`.execute(db())
    await runRetention(db(), ctx.config.signingSecret, new Date(Date.now() + 90 * 86_400_000))
    expect(await read()).toEqual(before)
    expect(await whereFound(db(), 'comment 4')).toEqual([])
  })

  it('deleting a wave leaves nothing of it in any table: its name, id, links, invitations, answers, comments and the mail queued for it', async () => {
    const doomed = await createWave(ctx, token, { name: 'Quokka Wave', unitLinks: true })
    expect((await api('POST', '/api/v1/contacts', [{ email: 'wave-guest@example.test', side: 'customer', unit: 'North', name: 'Guest' }])).statusCode).toBe(200)
    await api('POST', `/api/v1/waves/${doomed.id}/invitations`, { side: 'customer' })
    await worker().runOnce()
    const guest = (await contactOf('wave-guest@example.test'))!
    await answerInvitation(guest.id, doomed.id, 'quokka customer comment')
    const staffRows = [1, 2, 3, 4, 5, 4].map((v) => ({ side: 'staff', unit: 'North', comment: `quokka staff ${v}`, answers: Object.fromEntries(KEYS.map((k) => [k, v])) }))
    await api('POST', `/api/v1/waves/${doomed.id}/responses`, staffRows)
    await api('POST', `/api/v1/waves/${doomed.id}/responses`, { side: 'staff', unit: 'North', comment: 'quokka pooled', answers: { excellent_service: 2 } })
    expect((await api('GET', `/api/v1/waves/${doomed.id}/report`)).statusCode).toBe(200)
    const invitations = (await db().selectFrom('invitations').select(['id', 'token_hash']).where('wave_id', '=', doomed.id).execute())
    const responses = (await db().selectFrom('responses').select('id').where('wave_id', '=', doomed.id).execute()).map((r) => r.id)
    const links = (await db().selectFrom('links').select('token').where('wave_id', '=', doomed.id).execute()).map((l) => l.token)
    expect(invitations.length * responses.length * links.length).toBeGreaterThan(0)
    expect((await api('DELETE', `/api/v1/waves/${doomed.id}`)).statusCode).toBe(204)

    // The audit entry names the wave; nothing else does.
    expect(await whereFound(db(), doomed.id, ['audit_log']), 'wave id').toEqual([])
    expect(await whereFound(db(), 'Quokka Wave', ['audit_log']), 'wave name').toEqual([])
    for (const comment of ['quokka customer', 'quokka staff', 'quokka pooled']) expect(await whereFound(db(), comment), comment).toEqual([])
    for (const id of [...responses, ...invitations.map((i) => i.token_hash), ...links]) {
      expect(await whereFound(db(), id, ['audit_log']), id).toEqual([])
    }
    // Mail already sent stays sent, as at a mail server: the development outbox keeps the invitation's
    // Message-ID and dead link for the contact, who is still there. Nothing else names the invitation.
    for (const { id } of invitations) expect(await whereFound(db(), id, ['audit_log', 'outbox_messages']), id).toEqual([])
  })

  it('a contact deleted by retention leaves nothing behind either', async () => {
    expect((await api('POST', '/api/v1/contacts', [{ email: 'stale.person@example.test', side: 'customer', unit: 'North', name: 'Stale Qwertyperson' }])).statusCode).toBe(200)
    const stale = (await contactOf('stale.person@example.test'))!
    const old = await createWave(ctx, token, { name: 'Old times', unitLinks: true })
    await api('POST', `/api/v1/waves/${old.id}/invitations`, { side: 'customer' })
    await worker().runOnce()
    await answerInvitation(stale.id, old.id, 'stale comment')
    await sql`update retention_settings set contact_months = 1 where organization_id = ${tenant.organizationId}::uuid`.execute(db())
    const results = await runRetention(db(), ctx.config.signingSecret, new Date(Date.now() + 90 * 86_400_000))
    expect(results.find((r) => r.organizationId === tenant.organizationId)!.contacts).toBeGreaterThan(0)
    expect(await contactOf('stale.person@example.test')).toBeUndefined()
    expect(await whereFound(db(), 'stale.person@example.test'), 'address').toEqual([])
    expect(await whereFound(db(), 'Qwertyperson'), 'name').toEqual([])
    expect(await whereFound(db(), stale.id), 'contact id').toEqual([])
    expect(await whereFound(db(), 'stale comment'), 'comment').toEqual([])
  })

  it('an erased customer whose answer moves out of tier gold cannot be read as the whole side minus gold, in one read or after a cached one', async () => {
    const moved = await createWave(ctx, token, { name: 'Moving', unitLinks: true })
    const golds = Array.from({ length: 6 }, (_, i) => ({ email: `mover${i}@example.test`, side: 'customer', unit: 'North', attributes: { tier: 'gold' } }))
    expect((await api('POST', '/api/v1/contacts', golds)).statusCode).toBe(200)
    await api('POST', `/api/v1/waves/${moved.id}/invitations`, { side: 'customer' })
    for (const g of golds) await answerInvitation((await contactOf(g.email))!.id, moved.id)
    const read = async () => {
      const whole = (await api('GET', `/api/v1/waves/${moved.id}/report`)).json().headline.customer
      const gold = await api('GET', `/api/v1/waves/${moved.id}/report?customer.tier=gold`)
      return { whole: whole.n as number | undefined, gold: gold.statusCode === 200 ? (gold.json().headline.customer.n as number | undefined) : undefined }
    }
    // The whole side is everyone who answered (six golds and those answering earlier waves are not here).
    const before = await read()
    expect(before.gold).toBe(6)
    // Erasing one moves their answer to "no attributes": the whole side and gold would differ by one.
    expect((await api('DELETE', `/api/v1/contacts/${(await contactOf('mover0@example.test'))!.id}`)).statusCode).toBe(204)
    const after = await read()
    if (after.whole !== undefined && after.gold !== undefined) {
      const difference = after.whole - after.gold
      expect(difference === 0 || difference >= 5, JSON.stringify(after)).toBe(true)
    }
  })

  it('an admin, who may not read the audit log, does not read it person by person through the export either', async () => {
    const admin = await addPerson(ctx, tenant, 'admin')
    const adminToken = await apiToken(ctx, admin)
    await signedIn(ctx, tenant.owner.email)
    const asAdmin = await api('GET', `/api/v1/contacts/export?email=${encodeURIComponent(tenant.owner.email)}`, undefined, adminToken)
    expect(asAdmin.statusCode).toBe(200)
    expect(asAdmin.json().users).toHaveLength(1)
    expect(asAdmin.json().auditEntries).toBeNull()
    expect(asAdmin.json().note).toContain('Audit entries are in the export only for owners')
    expect(asAdmin.body).not.toContain('"sign_in"')
    const adminPage = await (await signedIn(ctx, admin)).get(`/contacts/export?email=${encodeURIComponent(tenant.owner.email)}`)
    expect(JSON.parse(adminPage.body).auditEntries).toBeNull()
    // The owner, who reads the log anyway, gets the entries.
    const asOwner = (await api('GET', `/api/v1/contacts/export?email=${encodeURIComponent(admin)}`)).json()
    expect(asOwner.auditEntries.map((a: { action: string }) => a.action)).toContain('sign_in')
  })
}, {}, { mail: { worker: false }, release: { worker: false }, retention: { worker: false } })
