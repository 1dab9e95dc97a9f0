// Data rights on both databases: deleting a contact (suppression, the customer answer unlinked, the
// release recomputed), exporting what is held about an address, deleting a response (rollups equal a
// recount), who may do each, tenant isolation and bad input.
import { sql } from 'kysely'
import { expect, it } from 'vitest'
import type { Scale } from '../../server/domain/types.js'
import { NO_UNIT } from '../../db/schema.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { addUser } from '../../server/repositories/organizations.js'
import { fromAnswers, fromRollups } from '../../server/repositories/reports.js'
import { suppressionHash } from '../../server/repositories/suppressions.js'
import { runRetention } from '../../server/services/retention.js'
import { invitationToken } from '../../server/security/tokens.js'
import { addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, PASSWORD, signedIn, type Tenant, type TestContext } from '../helpers/app.js'
import { profilesAndRecount } from '../helpers/recount.js'
import { answers, createUnit, createWave, hidden, post, type Wave } from '../helpers/survey.js'

const SCALES = new Map<string, Scale>(SERVICE_GAP_INDEX_V1.items.map((i) => [i.key, i.scale]))
const KEYS = SERVICE_GAP_INDEX_V1.items.map((i) => i.key)

/** Every rollup of the wave, side by side with a count of the raw answers. */
async function expectRollupsEqualRecount(ctx: TestContext, waveId: string) {
  const db = ctx.database.db
  const units = await db.selectFrom('responses').select('unit_id').distinct().where('wave_id', '=', waveId).execute()
  const { organization_id: organizationId } = await db.selectFrom('waves').select('organization_id').where('id', '=', waveId).executeTakeFirstOrThrow()
  for (const side of ['staff', 'customer'] as const) {
    for (const unitId of [null, NO_UNIT, ...units.flatMap((u) => (u.unit_id ? [u.unit_id] : []))]) {
      const rolled = await fromRollups(db, organizationId, waveId, side, unitId, SCALES)
      const raw = await fromAnswers(db, organizationId, waveId, side, { unitId, attributes: {} }, SCALES)
      expect(rolled.respondents, `${side} ${unitId}`).toBe(raw.respondents)
      expect(Object.fromEntries(rolled.distributions)).toEqual(Object.fromEntries(raw.distributions))
      expect([...rolled.dimensions.keys()].sort()).toEqual([...raw.dimensions.keys()].sort())
      for (const [key, value] of raw.dimensions) {
        expect(rolled.dimensions.get(key)).toMatchObject({ n: value.n, agree: value.agree })
        expect(rolled.dimensions.get(key)!.meanSum).toBeCloseTo(value.meanSum, 9)
      }
    }
    const { rolled, recounted } = await profilesAndRecount(db, waveId, side)
    expect(rolled).toEqual(recounted)
  }
}

describeEachDatabase('data rights', (ctx) => {
  let tenant: Tenant
  let other: Tenant
  let token: string
  let otherToken: string
  let wave: Wave
  let north: string
  const db = () => ctx.database.db
  const api = (method: 'GET' | 'DELETE' | 'POST', url: string, auth = token, payload?: unknown) =>
    ctx.app.inject({ method, url, headers: bearer(auth), ...(payload === undefined ? {} : { payload: payload as object }) })
  const contactId = async (email: string, side = 'customer', organizationId = tenant.organizationId) =>
    (await db().selectFrom('contacts').select('id').where('organization_id', '=', organizationId).where('email', '=', email).where('side', '=', side as 'customer').executeTakeFirstOrThrow()).id

  /** Answers a contact's invitation to the wave through the survey page, as they would. */
  async function answerInvitation(email: string, waveId: string, comment = '', side: 'staff' | 'customer' = 'customer') {
    const invitation = await db().selectFrom('invitations').innerJoin('contacts', 'contacts.id', 'invitations.contact_id')
      .select('invitations.id').where('contacts.email', '=', email).where('invitations.wave_id', '=', waveId).where('contacts.side', '=', side)
      .executeTakeFirstOrThrow()
    const link = invitationToken(ctx.config.signingSecret, invitation.id)
    const browser = new Browser(ctx.app)
    const page = await browser.get(`/s/${link}`)
    expect(page.statusCode).toBe(200)
    const sent = await post(browser, link, { submission: hidden(page.body, 'submission')!, ...answers({}, '5'), ...(comment ? { comment } : {}) })
    expect(sent.statusCode).toBe(303)
  }

  const gold = (n: number) => Array.from({ length: n }, (_, i) => `gold${i}@example.test`)

  it('sets up two organizations, contacts, invitations and answers', async () => {
    tenant = await createTenant(ctx, 'Rights Co')
    other = await createTenant(ctx, 'Other Co')
    token = await apiToken(ctx, tenant.owner.email)
    otherToken = await apiToken(ctx, other.owner.email)
    north = await createUnit(ctx, token, 'North')
    wave = await createWave(ctx, token, { name: 'Spring', unitLinks: true })
    const contacts = [
      ...gold(5).map((email) => ({ email, side: 'customer', unit: 'North', attributes: { tier: 'gold' } })),
      { email: 'ana@example.test', name: 'Ana Pérez', side: 'customer', unit: 'North', attributes: { tier: 'silver' } },
      { email: 'ana@example.test', name: 'Ana Pérez', side: 'staff', unit: 'North' },
    ]
    expect((await api('POST', '/api/v1/contacts', token, contacts)).statusCode).toBe(200)
    expect((await api('POST', '/api/v1/contacts', otherToken, [{ email: 'ana@example.test', side: 'customer', name: 'Other Ana' }])).statusCode).toBe(200)
    expect((await api('POST', `/api/v1/waves/${wave.id}/invitations`, token, {})).json()).toEqual({ queued: 7 })
    for (const email of gold(5)) await answerInvitation(email, wave.id)
    await answerInvitation('ana@example.test', wave.id, 'Ana was here')
    await answerInvitation('ana@example.test', wave.id, 'Ana at work', 'staff')
    // Customers through the public link, without attributes, so that the side is large enough.
    const rows = Array.from({ length: 6 }, (_, i) => ({ side: 'customer', unit: 'North', answers: Object.fromEntries(KEYS.map((k) => [k, (i % 5) + 1])) }))
    expect((await api('POST', `/api/v1/waves/${wave.id}/responses`, token, rows)).statusCode).toBe(201)
    await expectRollupsEqualRecount(ctx, wave.id)
  })

  it('exports everything held about an address: both contacts, invitations without tokens, mail, the customer answer, people and their audit entries', async () => {
    await addUser(db(), tenant.organizationId, { email: 'ana@example.test', name: 'Ana the colleague', role: 'viewer', password: PASSWORD })
    await signedIn(ctx, 'ana@example.test')
    const response = await api('GET', '/api/v1/contacts/export?email=%20ANA@Example.test%20')
    expect(response.statusCode).toBe(200)
    const doc = response.json()
    expect(doc.email).toBe('ana@example.test')
    expect(doc.note).toContain('cannot be attributed to anyone')
    expect(doc.contacts.map((c: { side: string }) => c.side)).toEqual(['customer', 'staff'])
    expect(doc.contacts[0]).toMatchObject({ name: 'Ana Pérez', unit: 'North', attributes: { tier: 'silver' } })
    expect(doc.invitations).toHaveLength(2)
    expect(doc.invitations.every((i: { wave: { name: string } }) => i.wave.name === 'Spring')).toBe(true)
    expect(doc.invitations.find((i: { side: string }) => i.side === 'customer')).toMatchObject({ used: true, status: 'queued' })
    expect(response.body).not.toMatch(/token/i)
    expect(doc.mail.surveyMail.length).toBe(2)
    expect(doc.mail.unsubscribed).toBeNull()
    // Only the customer's answer through the invitation: the staff side was never linked.
    expect(doc.customerResponses).toHaveLength(1)
    expect(doc.customerResponses[0]).toMatchObject({ comment: 'Ana was here', attributes: { tier: 'silver' }, unit: 'North', wave: { name: 'Spring' } })
    expect(doc.customerResponses[0].answers.excellent_service).toBe(5)
    expect(doc.users).toEqual([expect.objectContaining({ name: 'Ana the colleague', role: 'viewer' })])
    expect(response.body).not.toContain('password')
    expect(doc.auditEntries.map((a: { action: string }) => a.action)).toContain('sign_in')
    const entry = await db().selectFrom('audit_log').selectAll().where('organization_id', '=', tenant.organizationId).where('action', '=', 'contact_exported')
      .orderBy('id', 'desc').executeTakeFirstOrThrow()
    expect(entry.actor_email).toBe(tenant.owner.email)
    expect(JSON.stringify(entry)).not.toContain('ana@example.test')

    // Another organization sees only its own Ana; an address nobody has gives empty lists.
    const theirs = (await api('GET', '/api/v1/contacts/export?email=ana@example.test', otherToken)).json()
    expect(theirs.contacts).toEqual([expect.objectContaining({ name: 'Other Ana' })])
    expect(theirs.invitations).toEqual([])
    expect(theirs.customerResponses).toEqual([])
    expect(theirs.users).toEqual([])
    const nobody = (await api('GET', '/api/v1/contacts/export?email=nobody@example.test')).json()
    expect(nobody).toMatchObject({ contacts: [], invitations: [], customerResponses: [], users: [], auditEntries: [] })
  })

  it('refuses a bad export address with 400, never 500, and keeps the export from viewers and analysts', async () => {
    for (const query of ['', '?email=', '?email=not-an-address', '?email=a@x.test&email=b@x.test', `?email=${'a'.repeat(400)}@x.test`,
      `?email=${encodeURIComponent('a@x.test\r\nBcc: b@x.test')}`, '?email[]=a@x.test']) {
      const response = await api('GET', `/api/v1/contacts/export${query}`)
      expect(response.statusCode, query).toBe(400)
    }
    for (const role of ['viewer', 'analyst'] as const) {
      const email = await addPerson(ctx, tenant, role)
      expect((await api('GET', '/api/v1/contacts/export?email=ana@example.test', await apiToken(ctx, email))).statusCode).toBe(403)
      expect((await (await signedIn(ctx, email)).get('/contacts/export?email=ana@example.test')).statusCode).toBe(403)
    }
  })

  it('offers the export on the contacts page as a download, and shows a bad address next to its field', async () => {
    const owner = await signedIn(ctx, tenant.owner.email)
    const page = await owner.get('/contacts')
    expect(page.body).toContain('Export what we hold about an email')
    const download = await owner.get('/contacts/export?email=ana%40example.test')
    expect(download.statusCode).toBe(200)
    expect(download.headers['content-disposition']).toContain('attachment')
    expect(JSON.parse(download.body).contacts).toHaveLength(2)
    const bad = await owner.get('/contacts/export?email=%3Cb%3Ebold')
    expect(bad.statusCode).toBe(422)
    expect(bad.body).toContain('id="email-error"')
    expect(bad.body).toContain('value="&lt;b&gt;bold"')
  })

  it('deletes a contact: invitations and unsubscribe record go, a suppression hash stays, the customer answer loses link and attributes, the release follows', async () => {
    // Five customers hold tier gold: the filter can be read, with n = 5.
    const before = await api('GET', `/api/v1/waves/${wave.id}/report?customer.tier=gold`)
    expect(before.statusCode).toBe(200)
    expect(before.json().headline.customer).toMatchObject({ n: 5 })
    const goldId = await contactId('gold0@example.test')
    await db().insertInto('unsubscribes').values({ organization_id: tenant.organizationId, email: 'gold0@example.test' }).execute()
    const answered = await db().selectFrom('responses').select(['id', 'submitted_at']).where('wave_id', '=', wave.id)
      .where('channel', '=', 'invitation').orderBy('submitted_at').executeTakeFirstOrThrow()

    expect((await api('DELETE', `/api/v1/contacts/${goldId}`, otherToken)).statusCode).toBe(404)
    const deleted = await api('DELETE', `/api/v1/contacts/${goldId}`)
    expect(deleted.statusCode).toBe(204)
    expect(deleted.body).toBe('')
    expect(await db().selectFrom('contacts').select('id').where('id', '=', goldId).execute()).toEqual([])
    expect(await db().selectFrom('invitations').select('id').where('contact_id', '=', goldId).execute()).toEqual([])
    expect(await db().selectFrom('unsubscribes').select('email').where('organization_id', '=', tenant.organizationId).execute()).toEqual([])
    const suppressions = await db().selectFrom('suppressions').selectAll().where('organization_id', '=', tenant.organizationId).execute()
    expect(suppressions.map((s) => s.email_hash)).toEqual([suppressionHash(ctx.config.signingSecret, 'gold0@example.test')])
    expect(JSON.stringify(suppressions)).not.toContain('gold0')
    // The first invitation answer was gold0's: its figures stay, its attributes and link are gone.
    const kept = await db().selectFrom('responses').selectAll().where('id', '=', answered.id).executeTakeFirstOrThrow()
    expect(kept.attributes).toEqual({})
    expect(await db().selectFrom('invitations').select('id').where('wave_id', '=', wave.id).where('used_at', '=', kept.submitted_at).execute()).toEqual([])
    await expectRollupsEqualRecount(ctx, wave.id)
    // Four hold gold now: fewer than the minimum, so the filter is refused, as for a value nobody holds.
    const after = await api('GET', `/api/v1/waves/${wave.id}/report?customer.tier=gold`)
    expect(after.statusCode).toBe(400)
    expect((await api('GET', `/api/v1/waves/${wave.id}/report`)).json().headline.customer).toMatchObject({ n: 12 })
    const entry = await db().selectFrom('audit_log').selectAll().where('organization_id', '=', tenant.organizationId).where('action', '=', 'contact_deleted')
      .executeTakeFirstOrThrow()
    expect(entry.target).toBe(goldId)
    expect(entry.detail).toMatchObject({ invitations: 1, responsesUnlinked: 1, suppressed: true })
    expect(JSON.stringify(entry)).not.toContain('gold0')
    expect((await api('DELETE', `/api/v1/contacts/${goldId}`)).statusCode).toBe(404)
  })

  it('never invites a deleted, unsubscribed address again when it is imported again', async () => {
    expect((await api('POST', '/api/v1/contacts', token, [
      { email: 'GOLD0@example.test', side: 'customer', unit: 'North' }, { email: 'new@example.test', side: 'customer' },
    ])).json()).toMatchObject({ created: 2 })
    const next = await createWave(ctx, token, { name: 'Autumn' })
    expect((await api('POST', `/api/v1/waves/${next.id}/invitations`, token, { side: 'customer' })).json()).toEqual({ queued: 6 })
    const invited = await db().selectFrom('invitations').innerJoin('contacts', 'contacts.id', 'invitations.contact_id')
      .select('contacts.email').where('invitations.wave_id', '=', next.id).execute()
    expect(invited.map((i) => i.email)).toContain('new@example.test')
    expect(invited.map((i) => i.email)).not.toContain('gold0@example.test')
    // The list says so: the re-imported address counts as unsubscribed.
    const listed = (await api('GET', '/api/v1/contacts?q=gold0')).json().contacts
    expect(listed).toEqual([expect.objectContaining({ email: 'gold0@example.test', unsubscribed: true })])
    const owner = await signedIn(ctx, tenant.owner.email)
    expect((await owner.get('/contacts?q=gold0')).body).toContain('Unsubscribed</span>')
    // Another organization's suppression is its own: the same address there is invited.
    await api('POST', '/api/v1/contacts', otherToken, [{ email: 'gold0@example.test', side: 'customer' }])
    const theirs = await createWave(ctx, otherToken, { name: 'Theirs' })
    expect((await api('POST', `/api/v1/waves/${theirs.id}/invitations`, otherToken, {})).json()).toEqual({ queued: 2 })
  })

  it('refuses junk contact ids with 400, unknown ones with 404, and keeps deletion from viewers and analysts', async () => {
    for (const id of ['not-a-uuid', 'x'.repeat(90), '%00', "1'%20or%201=1"]) {
      const response = await api('DELETE', `/api/v1/contacts/${id}`)
      expect(response.statusCode, id).toBe(400)
      expect(response.json()).toMatchObject({ error: 'validation_failed', details: [{ field: 'id' }] })
    }
    expect((await api('DELETE', '/api/v1/contacts/00000000-0000-0000-0000-000000000000')).statusCode).toBe(404)
    const anaId = await contactId('ana@example.test')
    for (const role of ['viewer', 'analyst'] as const) {
      const email = await addPerson(ctx, tenant, role)
      expect((await api('DELETE', `/api/v1/contacts/${anaId}`, await apiToken(ctx, email))).statusCode).toBe(403)
      const browser = await signedIn(ctx, email)
      expect((await browser.post(`/contacts/${anaId}/delete`)).statusCode).toBe(403)
    }
    expect(await db().selectFrom('contacts').select('id').where('id', '=', anaId).execute()).toHaveLength(1)
  })

  it('deletes a contact through the page after a confirmation', async () => {
    const owner = await signedIn(ctx, tenant.owner.email)
    const anaId = await contactId('ana@example.test', 'staff')
    const list = await owner.get('/contacts?q=ana')
    expect(list.body).toContain(`href="/contacts/${anaId}/delete"`)
    const confirm = await owner.get(`/contacts/${anaId}/delete`)
    expect(confirm.statusCode).toBe(200)
    expect(confirm.body).toContain('Delete this contact?')
    expect(confirm.body).toContain('ana@example.test')
    expect((await owner.get('/contacts/not-a-uuid/delete')).statusCode).toBe(404)
    const foreign = await contactId('ana@example.test', 'customer', other.organizationId)
    expect((await owner.get(`/contacts/${foreign}/delete`)).statusCode).toBe(404)
    expect((await owner.post(`/contacts/${foreign}/delete`)).statusCode).toBe(404)
    // Her staff answer was never linked to her (design §5): the deletion finds nothing to unlink and leaves it as it was.
    const staffBefore = await db().selectFrom('staff_pool').select(['id', 'attributes', 'comment']).where('wave_id', '=', wave.id).execute()
    expect(staffBefore).toEqual([expect.objectContaining({ attributes: {}, comment: 'Ana at work' })])
    // Ana unsubscribed; her customer contact stays, so the address's unsubscribe record stays with it.
    await db().insertInto('unsubscribes').values({ organization_id: tenant.organizationId, email: 'ana@example.test' }).execute()
    const done = await owner.post(`/contacts/${anaId}/delete`)
    expect(done.statusCode).toBe(303)
    expect(done.headers.location).toBe('/contacts?deleted=1')
    expect((await owner.get('/contacts?deleted=1')).body).toContain('The contact was deleted')
    expect(await db().selectFrom('contacts').select('id').where('id', '=', anaId).execute()).toEqual([])
    expect(await db().selectFrom('contacts').select('id').where('id', '=', foreign).execute()).toHaveLength(1)
    expect(await db().selectFrom('staff_pool').select(['id', 'attributes', 'comment']).where('wave_id', '=', wave.id).execute()).toEqual(staffBefore)
    const entry = await db().selectFrom('audit_log').select('detail').where('action', '=', 'contact_deleted').where('target', '=', anaId).executeTakeFirstOrThrow()
    expect(entry.detail).toMatchObject({ responsesUnlinked: 0, invitations: 1, suppressed: true })
    expect(await db().selectFrom('unsubscribes').select('email').where('organization_id', '=', tenant.organizationId).execute()).toEqual([{ email: 'ana@example.test' }])
    expect((await db().selectFrom('suppressions').select('email_hash').where('organization_id', '=', tenant.organizationId).execute()).map((r) => r.email_hash))
      .toContain(suppressionHash(ctx.config.signingSecret, 'ana@example.test'))
  })

  it('deletes a customer response with a reason: rollups equal a recount, the audit keeps the reason', async () => {
    const responses = await db().selectFrom('responses').select('id').where('wave_id', '=', wave.id).where('side', '=', 'customer').orderBy('id').execute()
    const target = responses[0]!.id
    const url = `/api/v1/waves/${wave.id}/responses/${target}`
    // Bad input first: nothing is deleted.
    for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: ['a'] }, { reason: 42 }, { reason: 'x'.repeat(501) }, { reason: 'ok', extra: 1 }]) {
      const response = await api('DELETE', url, token, body)
      expect(response.statusCode, JSON.stringify(body).slice(0, 40)).toBe(400)
    }
    expect((await ctx.app.inject({ method: 'DELETE', url, headers: bearer(token) })).statusCode).toBe(400)
    expect((await ctx.app.inject({ method: 'DELETE', url, headers: { ...bearer(token), 'content-type': 'application/json' }, payload: '[1,' })).statusCode).toBe(400)
    expect((await ctx.app.inject({ method: 'DELETE', url, headers: { ...bearer(token), 'content-type': 'application/json' }, payload: '["reason"]' })).statusCode).toBe(400)
    expect([413, 400]).toContain((await api('DELETE', url, token, { reason: 'x'.repeat(2_000_000) })).statusCode)
    // A malformed id is a malformed request, named as such.
    for (const malformed of [`/api/v1/waves/${wave.id}/responses/not-a-uuid`, `/api/v1/waves/not-a-uuid/responses/${target}`]) {
      const answer = await api('DELETE', malformed, token, { reason: 'x' })
      expect(answer.statusCode).toBe(400)
      expect(answer.json().message).toMatch(/not an id/)
    }
    expect((await api('DELETE', url, otherToken, { reason: 'x' })).statusCode).toBe(404)
    const adminEmail = await addPerson(ctx, tenant, 'admin')
    expect((await api('DELETE', url, await apiToken(ctx, adminEmail), { reason: 'x' })).statusCode).toBe(403)
    expect(await db().selectFrom('responses').select('id').where('id', '=', target).execute()).toHaveLength(1)

    const deleted = await api('DELETE', url, token, { reason: 'Asked to be forgotten\r\nby phone' })
    expect(deleted.statusCode).toBe(204)
    expect(await db().selectFrom('responses').select('id').where('id', '=', target).execute()).toEqual([])
    expect(await db().selectFrom('answers').select('item_key').where('response_id', '=', target).execute()).toEqual([])
    await expectRollupsEqualRecount(ctx, wave.id)
    expect((await api('GET', `/api/v1/waves/${wave.id}/report`)).json().headline.customer).toMatchObject({ n: 11 })
    const entry = await db().selectFrom('audit_log').selectAll().where('organization_id', '=', tenant.organizationId).where('action', '=', 'response_deleted')
      .executeTakeFirstOrThrow()
    expect(entry.target).toBe(target)
    expect(entry.detail).toMatchObject({ reason: 'Asked to be forgotten by phone', side: 'customer', wave: wave.id })
    expect((await api('DELETE', url, token, { reason: 'again' })).statusCode).toBe(404)
  })

  it('deletes every customer response of a unit and leaves no empty rollup behind', async () => {
    const responses = await db().selectFrom('responses').select('id').where('wave_id', '=', wave.id).where('side', '=', 'customer').execute()
    for (const r of responses) expect((await api('DELETE', `/api/v1/waves/${wave.id}/responses/${r.id}`, token, { reason: 'test data' })).statusCode).toBe(204)
    await expectRollupsEqualRecount(ctx, wave.id)
    for (const table of ['answer_rollups', 'response_rollups', 'dimension_rollups', 'profile_rollups'] as const) {
      const rows = await db().selectFrom(table).select('wave_id').where('wave_id', '=', wave.id).where('side', '=', 'customer').execute()
      expect(rows, table).toEqual([])
    }
  })

  it('deletes a staff answer still in the pool at once, and refuses a released one with 409', async () => {
    const staffWave = await createWave(ctx, token, { name: 'Staff', unitLinks: true })
    const row = (value: number) => ({ side: 'staff', unit: north, answers: Object.fromEntries(KEYS.map((k) => [k, value])) })
    // One alone waits in the pool (fewer than the minimum group size can never join).
    const [pooled] = (await api('POST', `/api/v1/waves/${staffWave.id}/responses`, token, row(3))).json().ids
    expect(await db().selectFrom('staff_pool').select('id').where('id', '=', pooled).execute()).toHaveLength(1)
    expect((await api('DELETE', `/api/v1/waves/${staffWave.id}/responses/${pooled}`, token, { reason: 'sent by mistake' })).statusCode).toBe(204)
    expect(await db().selectFrom('staff_pool').select('id').where('id', '=', pooled).execute()).toEqual([])
    // Six together join the figures in a step; one of them can then not be taken out alone.
    const ids = (await api('POST', `/api/v1/waves/${staffWave.id}/responses`, token, [1, 2, 3, 4, 5, 4].map(row))).json().ids as string[]
    const released = await db().selectFrom('responses').select('id').where('wave_id', '=', staffWave.id).execute()
    expect(released.map((r) => r.id).sort()).toEqual([...ids].sort())
    const refused = await api('DELETE', `/api/v1/waves/${staffWave.id}/responses/${ids[0]}`, token, { reason: 'please' })
    expect(refused.statusCode).toBe(409)
    expect(refused.json().message).toContain('delete the wave')
    await expectRollupsEqualRecount(ctx, staffWave.id)
    const entries = await db().selectFrom('audit_log').select('target').where('organization_id', '=', tenant.organizationId).where('action', '=', 'response_deleted').execute()
    expect(entries.map((e) => e.target)).toContain(pooled)
    expect(entries.map((e) => e.target)).not.toContain(ids[0])
  })
}, {}, { mail: { worker: false }, release: { worker: false }, retention: { worker: false } })

describeEachDatabase('retention', (ctx) => {
  const db = () => ctx.database.db
  let tenant: Tenant
  let other: Tenant
  let token: string
  const NOW = new Date('2025-01-15T12:00:00Z')
  const at = (iso: string) => new Date(`${iso}T00:00:00Z`)

  it('lets owners set the limits on /settings/retention, keeps what was typed when it is wrong, and keeps it from admins', async () => {
    tenant = await createTenant(ctx, 'Keeper Co')
    other = await createTenant(ctx, 'Untouched Co')
    token = await apiToken(ctx, tenant.owner.email)
    const owner = await signedIn(ctx, tenant.owner.email)
    const page = await owner.get('/settings/retention')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Delete contacts not invited for (months)')
    for (const [contactMonths, commentMonths] of [['abc', '6'], ['0', ''], ['601', '1'], ['12', '1.5'], ['-3', '<b>']]) {
      const refused = await owner.post('/settings/retention', { contactMonths: contactMonths!, commentMonths: commentMonths! })
      expect(refused.statusCode, `${contactMonths} ${commentMonths}`).toBe(422)
      expect(refused.body).toContain('Enter a number of months from 1 to 600')
      expect(refused.body).not.toContain('<b>')
    }
    const both = await owner.post('/settings/retention', { contactMonths: ['1', '2'], commentMonths: 'x'.repeat(10_000) })
    expect(both.statusCode).toBe(422)
    expect(both.body).toContain('id="contactMonths-error"')
    expect(both.body).toContain('id="commentMonths-error"')
    const saved = await owner.post('/settings/retention', { contactMonths: '12', commentMonths: ' 6 ' })
    expect(saved.statusCode).toBe(303)
    const shown = await owner.get('/settings/retention?saved')
    expect(shown.body).toContain('Retention saved.')
    expect(shown.body).toContain('value="12"')
    expect(shown.body).toContain('value="6"')
    const entry = await db().selectFrom('audit_log').selectAll().where('organization_id', '=', tenant.organizationId).where('action', '=', 'settings_changed').executeTakeFirstOrThrow()
    expect(entry.detail).toEqual({ contactMonths: 12, commentMonths: 6 })
    const adminEmail = await addPerson(ctx, tenant, 'admin')
    const admin = await signedIn(ctx, adminEmail)
    expect((await admin.get('/settings/retention')).statusCode).toBe(403)
    expect((await admin.post('/settings/retention', { contactMonths: '1' })).statusCode).toBe(403)
  })

  it('deletes contacts not invited for N months and clears comments older than N months, with a fixed clock, and audits the run', async () => {
    const contacts = ['old@example.test', 'recent@example.test', 'invited-lately@example.test', 'invited-long-ago@example.test']
    expect((await api(ctx, token, 'POST', '/api/v1/contacts', contacts.map((email) => ({ email, side: 'customer' })))).statusCode).toBe(200)
    expect((await api(ctx, await apiToken(ctx, other.owner.email), 'POST', '/api/v1/contacts', [{ email: 'old@example.test', side: 'customer' }])).statusCode).toBe(200)
    const wave = await createWave(ctx, token, { name: 'Old wave' })
    await api(ctx, token, 'POST', `/api/v1/waves/${wave.id}/invitations`, {})
    const id = async (email: string) => (await db().selectFrom('contacts').select('id').where('organization_id', '=', tenant.organizationId).where('email', '=', email).executeTakeFirstOrThrow()).id
    await db().updateTable('contacts').set({ created_at: at('2023-01-01') } as never).where('organization_id', 'in', [tenant.organizationId, other.organizationId]).execute()
    await db().updateTable('contacts').set({ created_at: at('2024-06-01') } as never).where('id', '=', await id('recent@example.test')).execute()
    await db().updateTable('invitations').set({ created_at: at('2023-06-01') } as never).where('wave_id', '=', wave.id).execute()
    await db().updateTable('invitations').set({ created_at: at('2024-09-01') } as never).where('contact_id', '=', await id('invited-lately@example.test')).execute()
    await db().deleteFrom('invitations').where('contact_id', 'in', [await id('old@example.test'), await id('recent@example.test')]).execute()
    await db().insertInto('unsubscribes').values({ organization_id: tenant.organizationId, email: 'invited-long-ago@example.test' }).execute()
    // Comments: one old and one recent response, one old staff answer still in the pool.
    const [oldId, newId] = (await api(ctx, token, 'POST', `/api/v1/waves/${wave.id}/responses`, [
      { side: 'customer', answers: { excellent_service: 4 }, comment: 'old comment' }, { side: 'customer', answers: { excellent_service: 4 }, comment: 'new comment' },
    ])).json().ids as string[]
    await db().updateTable('responses').set({ submitted_at: at('2024-01-01') }).where('id', '=', oldId!).execute()
    await db().updateTable('responses').set({ submitted_at: at('2024-12-01') }).where('id', '=', newId!).execute()
    const [pooled] = (await api(ctx, token, 'POST', `/api/v1/waves/${wave.id}/responses`, { side: 'staff', answers: { excellent_service: 3 }, comment: 'old staff comment' })).json().ids
    await sql`update staff_pool set day = '2024-02-01' where id = ${pooled}::uuid`.execute(db())

    const results = await runRetention(db(), ctx.config.signingSecret, NOW)
    expect(results).toEqual([{ organizationId: tenant.organizationId, contacts: 2, comments: 2 }])
    const left = await db().selectFrom('contacts').select('email').where('organization_id', '=', tenant.organizationId).orderBy('email').execute()
    expect(left.map((c) => c.email)).toEqual(['invited-lately@example.test', 'recent@example.test'])
    expect(await db().selectFrom('suppressions').select('email_hash').where('organization_id', '=', tenant.organizationId).execute())
      .toEqual([{ email_hash: suppressionHash(ctx.config.signingSecret, 'invited-long-ago@example.test') }])
    const comments = await db().selectFrom('responses').select(['id', 'comment']).where('wave_id', '=', wave.id).execute()
    expect(Object.fromEntries(comments.map((c) => [c.id, c.comment]))).toEqual({ [oldId!]: null, [newId!]: 'new comment' })
    expect((await db().selectFrom('staff_pool').select('comment').where('id', '=', pooled).executeTakeFirstOrThrow()).comment).toBeNull()
    // Another organization without rules keeps its old contact.
    expect(await db().selectFrom('contacts').select('id').where('organization_id', '=', other.organizationId).execute()).toHaveLength(1)
    const runs = await db().selectFrom('audit_log').selectAll().where('organization_id', '=', tenant.organizationId).where('action', '=', 'retention_run').execute()
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ actor_user_id: null, detail: { contacts: 2, comments: 2, contactMonths: 12, commentMonths: 6 } })
    expect(JSON.stringify(runs[0])).not.toContain('@example.test')
    await expectRollupsEqualRecount(ctx, wave.id)

    // The next day finds nothing more and writes no entry.
    expect(await runRetention(db(), ctx.config.signingSecret, new Date(NOW.getTime() + 86_400_000))).toEqual([{ organizationId: tenant.organizationId, contacts: 0, comments: 0 }])
    expect(await db().selectFrom('audit_log').select('id').where('organization_id', '=', tenant.organizationId).where('action', '=', 'retention_run').execute()).toHaveLength(1)
  })
}, {}, { mail: { worker: false }, release: { worker: false }, retention: { worker: false } })

function api(ctx: TestContext, auth: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) {
  return ctx.app.inject({ method, url, headers: bearer(auth), ...(payload === undefined ? {} : { payload: payload as object }) })
}
