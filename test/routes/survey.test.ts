// The respondent's pages, GET and POST /s/:token, against the real app on both databases: what a
// link or invitation opens, the states a survey can be in, languages, server-side validation, hostile
// and malformed submissions, double submits, escaping, page weight, rate limits and headers.
import type { LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { localize } from '../../server/domain/instrument.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { RESPONDENT_TEXT } from '../../server/i18n/respondent.js'
import { createInvitation, storeResponse } from '../../server/repositories/responses.js'
import { setWaveStatus } from '../../server/repositories/waves.js'
import { DEFAULT_SUBMIT_LIMITS as SUBMIT_LIMITS } from '../../server/config.js'
import { hashToken } from '../../server/security/tokens.js'
import { apiToken, bearer, Browser, createTenant, describeEachDatabase, type TestContext } from '../helpers/app.js'

const ITEMS = SERVICE_GAP_INDEX_V1.items
const KEYS = ITEMS.map((item) => item.key)
const EN = RESPONDENT_TEXT.en

/** What eta's autoEscape makes of a text. */
const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;')

/** A complete, valid set of answers: every item answered with `value`, with `overrides` on top. */
const answers = (overrides: Record<string, string> = {}, value = '4'): Record<string, string> =>
  ({ ...Object.fromEntries(KEYS.map((key) => [`a_${key}`, value])), ...overrides })

const without = (form: Record<string, string>, ...keys: string[]) =>
  Object.fromEntries(Object.entries(form).filter(([name]) => !keys.includes(name.replace(/^a_/, ''))))

const hidden = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1]

const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1)

const checked = (html: string, key: string, value: string) =>
  new RegExp(`id="${key}-${value}" name="a_${key}" value="${value}" checked`).test(html)

/** The anchors of the error summary at the top of the page. */
const summaryLinks = (html: string) => {
  const summary = html.match(/<div class="alert"[^>]*aria-labelledby="sum">([\s\S]*?)<\/div>/)?.[1] ?? ''
  return [...summary.matchAll(/href="#([^"]+)"/g)].map((m) => m[1])
}

/** Every POST comes from its own address unless one is given, so the per-address limit only bites where meant. */
let addressCounter = 0
const nextAddress = () => {
  addressCounter++
  return `10.${(addressCounter >> 16) & 255}.${(addressCounter >> 8) & 255}.${addressCounter & 255}`
}

const formBody = (fields: Record<string, string | string[]>) => {
  const body = new URLSearchParams()
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v)
  return body.toString()
}

interface PostOptions { csrf?: boolean; headers?: Record<string, string>; remoteAddress?: string; url?: string }

/** Sends a form the way the browser that loaded the page would (its cookie, and its CSRF token unless told not to). */
function post(browser: Browser, token: string, fields: Record<string, string | string[]>, options: PostOptions = {}) {
  const withCsrf = options.csrf === false || '_csrf' in fields || !browser.csrf ? fields : { _csrf: browser.csrf, ...fields }
  return browser.request({
    method: 'POST',
    url: options.url ?? `/s/${token}`,
    payload: formBody(withCsrf),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
    remoteAddress: options.remoteAddress ?? nextAddress(),
  })
}

/** No HTML error page may leak a stack trace. */
const expectNoStack = (response: LightMyRequestResponse) => {
  expect(response.body).not.toMatch(/\bat [\w.<>]+ \(.*:\d+:\d+\)/)
  expect(response.body).not.toMatch(/node_modules|\/server\//)
}

interface Wave { id: string; staff: string; customer: string; units: Record<string, { staff: string; customer: string }> }

async function createWave(ctx: TestContext, apiKey: string, body: Record<string, unknown>): Promise<Wave> {
  const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(apiKey), payload: { templateKey: 'service-gap-index', ...body } })
  if (response.statusCode !== 201) throw new Error(`wave failed: ${response.statusCode} ${response.body}`)
  const json = response.json() as { id: string; links: { staff: string; customer: string }; unitLinks: Array<{ unit: { name: string }; staff: string; customer: string }> }
  return {
    id: json.id,
    staff: tokenOf(json.links.staff),
    customer: tokenOf(json.links.customer),
    units: Object.fromEntries(json.unitLinks.map((u) => [u.unit.name, { staff: tokenOf(u.staff), customer: tokenOf(u.customer) }])),
  }
}

async function createUnit(ctx: TestContext, apiKey: string, name: string): Promise<string> {
  const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(apiKey), payload: { name } })
  if (response.statusCode !== 201) throw new Error(`unit failed: ${response.statusCode} ${response.body}`)
  return response.json().id
}

describeEachDatabase('respondent survey pages', (ctx) => {
  const ORG = 'Acme Co'
  let organizationId: string
  let key: string
  let main: Wave
  let units: { north: string; south: string }

  const db = () => ctx.database.db

  /** Opens a survey in a fresh browser. */
  async function open(token: string, headers: Record<string, string> = {}, query = '') {
    const browser = new Browser(ctx.app)
    const page = await browser.request({ method: 'GET', url: `/s/${token}${query}`, headers })
    return { browser, page, submission: hidden(page.body, 'submission')! }
  }

  /** Opens a survey and sends a complete form (plus `extra`); returns the stored response, if any. */
  async function answer(token: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) {
    const { browser, page, submission } = await open(token, headers)
    expect(page.statusCode).toBe(200)
    const response = await post(browser, token, { submission, lang: hidden(page.body, 'lang')!, ...answers(), ...extra })
    const stored = await db().selectFrom('responses').selectAll().where('submission_key', '=', submission).executeTakeFirst()
    return { browser, page, submission, response, stored }
  }

  const responsesWithKey = async (submission: string) =>
    (await db().selectFrom('responses').select('id').where('submission_key', '=', submission).execute()).length

  beforeAll(async () => {
    const tenant = await createTenant(ctx, ORG)
    organizationId = tenant.organizationId
    key = await apiToken(ctx, tenant.owner.email)
    units = { north: await createUnit(ctx, key, 'North branch'), south: await createUnit(ctx, key, 'South branch') }
    main = await createWave(ctx, key, { name: 'Main', unitLinks: true })
  })

  describe('links and the states of a survey', () => {
    it('shows the customer link in customer words with the organization filled in, every item in order', async () => {
      const { page } = await open(main.customer)
      expect(page.statusCode).toBe(200)
      expect(page.headers['content-type']).toMatch(/^text\/html/)
      expect(page.body).toContain('<html lang="en">')
      expect(page.body).toContain('I receive excellent service from Acme Co.')
      expect(page.body).toContain('It is easy to get what I need from Acme Co.')
      let last = -1
      for (const item of ITEMS) {
        const at = page.body.indexOf(escapeHtml(localize(item.customerText, 'en', ORG)))
        expect(at, item.key).toBeGreaterThan(last)
        last = at
        expect(page.body).not.toContain(escapeHtml(localize(item.staffText, 'en', ORG)))
      }
      expect(page.body).toContain(escapeHtml(EN.introCustomer(ORG)))
      expect(page.body).toContain(escapeHtml(localize(SERVICE_GAP_INDEX_V1.customerQuestion, 'en', ORG)))
      expect(page.body).not.toContain(escapeHtml(EN.anonymousStaff))
      expect(page.body).toContain(`action="/s/${main.customer}"`)
      expect(page.body).not.toMatch(/<script/i)
    })

    it('shows the staff link in staff words with the anonymity promise', async () => {
      const { page } = await open(main.staff)
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('Our customers receive excellent service from us.')
      expect(page.body).toContain(escapeHtml("We have the skills and information to solve customers' problems."))
      for (const item of ITEMS) {
        expect(page.body).toContain(escapeHtml(localize(item.staffText, 'en', ORG)))
        expect(page.body).not.toContain(escapeHtml(localize(item.customerText, 'en', ORG)))
      }
      expect(page.body).toContain(escapeHtml(EN.introStaff(ORG)))
      expect(page.body).toContain(escapeHtml(EN.anonymousStaff))
      expect(page.body).toContain(escapeHtml(EN.unitQuestionStaff))
    })

    it('lets a general link on an organization with units pick a unit, and stores it', async () => {
      const { page } = await open(main.customer)
      expect(page.body).toContain('<select id="unit" name="unit">')
      expect(page.body).toContain(`<option value="${units.north}">North branch</option>`)
      expect(page.body).toContain(`<option value="${units.south}">South branch</option>`)
      const { response, stored } = await answer(main.customer, { unit: units.south })
      expect(response.statusCode).toBe(303)
      expect(stored).toMatchObject({ unit_id: units.south, side: 'customer', channel: 'link', wave_id: main.id })
      const none = await answer(main.customer, { unit: '' })
      expect(none.response.statusCode).toBe(303)
      expect(none.stored!.unit_id).toBeNull()
    })

    it('answers a unit that is not one of the organization\'s with a 422 next to the picker', async () => {
      const other = await createTenant(ctx, 'Other Org')
      const foreignUnit = (await db().insertInto('units').values({ organization_id: other.organizationId, name: 'Foreign' }).returning('id').executeTakeFirstOrThrow()).id
      for (const unit of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', foreignUnit, `${units.north} `]) {
        const { response, stored } = await answer(main.customer, { unit })
        expect(response.statusCode, unit).toBe(422)
        expect(stored).toBeUndefined()
        expect(summaryLinks(response.body)).toEqual(['unit'])
        expect(response.body).toContain(`<p class="err" id="unit-e">${escapeHtml(EN.problems.unit)}</p>`)
        for (const item of KEYS) expect(checked(response.body, item, '4')).toBe(true)
      }
    })

    it('carries a unit link\'s unit into the response and shows no picker', async () => {
      const link = main.units['North branch']!
      for (const token of [link.customer, link.staff]) {
        const { page, response, stored } = await answer(token)
        expect(page.body).not.toContain('<select')
        expect(page.body).not.toContain('South branch')
        expect(response.statusCode).toBe(303)
        expect(stored!.unit_id).toBe(units.north)
      }
    })

    it('answers unknown and malformed tokens with 404, never a 500', async () => {
      const tokens = [
        'AAAAAAAAAAAAAAAAAAAAAA', 'short', 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(199),
        'a.b', '...', '.x.', 'x%2F..%2F..%2Fetc%2Fpasswd', 'a%2Fb', 'a%00b', '%00', 'abc%00%00%00%00%00%00%00%00%00%00%00%00%00',
        '%C3%A9t%C3%A9%C3%A9t%C3%A9%C3%A9t%C3%A9%C3%A9t%C3%A9', '%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80',
        '%3Cscript%3Ealert(1)%3C%2Fscript%3E', "'%20or%201=1--", 'a b', 'a+b', `${main.customer}x`, main.customer.slice(1),
      ]
      for (const token of tokens) {
        for (const url of [`/s/${token}`, `/s/${token}/thanks`]) {
          const response = await ctx.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } })
          expect(response.statusCode, url).toBe(404)
          expectNoStack(response)
          expect(response.body).not.toContain('<script>')
        }
        const posted = await ctx.app.inject({ method: 'POST', url: `/s/${token}`, headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, payload: formBody(answers()), remoteAddress: nextAddress() })
        expect(posted.statusCode, `POST ${token}`).toBe(404)
      }
      for (const url of ['/s/a/b', '/s/../s/x', '/s/', '/s', `/s/${main.customer}/`.replace(/\/$/, '/extra')]) {
        const response = await ctx.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } })
        expect(response.statusCode, url).toBe(404)
      }
      // Tokens longer than the router takes are refused before any lookup (414 URI Too Long).
      for (const length of [201, 500, 5000]) {
        for (const method of ['GET', 'POST'] as const) {
          const response = await ctx.app.inject({ method, url: `/s/${'x'.repeat(length)}`, headers: { accept: 'text/html' }, remoteAddress: nextAddress() })
          expect([404, 414], `${method} ${length}`).toContain(response.statusCode)
          expectNoStack(response)
        }
      }
      // A broken percent-encoding is a bad request, not a crash.
      const broken = await ctx.app.inject({ method: 'GET', url: '/s/%E0%A4%A', headers: { accept: 'text/html' } })
      expect(broken.statusCode).toBeGreaterThanOrEqual(400)
      expect(broken.statusCode).toBeLessThan(500)
      const page = await ctx.app.inject({ method: 'GET', url: '/s/AAAAAAAAAAAAAAAAAAAAAA', headers: { accept: 'text/html' } })
      expect(page.body).toContain('Survey not found')
      expect(page.headers['cache-control']).toBe('no-store')
    })

    it('hides a draft wave and a scheduled wave behind 404, and opens a scheduled wave when its day comes', async () => {
      const draft = await createWave(ctx, key, { name: 'Draft', status: 'draft' })
      const scheduled = await createWave(ctx, key, { name: 'Scheduled', opensAt: '2099-01-01', closesAt: '2099-03-31' })
      for (const token of [draft.staff, draft.customer, scheduled.staff, scheduled.customer]) {
        const page = await ctx.app.inject({ method: 'GET', url: `/s/${token}`, headers: { accept: 'text/html' } })
        expect(page.statusCode).toBe(404)
        expect(page.body).toContain('Survey not found')
        expect(page.body).not.toContain('Acme Co')
        const browser = new Browser(ctx.app)
        const sent = await post(browser, token, answers())
        expect(sent.statusCode).toBe(404)
      }
      expect(await db().selectFrom('responses').select('id').where('wave_id', 'in', [draft.id, scheduled.id]).execute()).toEqual([])
      await db().updateTable('waves').set({ opens_at: new Date(Date.now() - 60_000), closes_at: null }).where('id', '=', scheduled.id).execute()
      const { response } = await answer(scheduled.customer)
      expect(response.statusCode).toBe(303)
    })

    it('answers a closed wave with 410 and a friendly page, on GET and POST, and stores nothing', async () => {
      const wave = await createWave(ctx, key, { name: 'Closed soon' })
      const { browser, page, submission } = await open(wave.customer)
      expect(page.statusCode).toBe(200)
      await setWaveStatus(db(), organizationId, wave.id, 'closed')
      for (const token of [wave.customer, wave.staff]) {
        const closed = await ctx.app.inject({ method: 'GET', url: `/s/${token}`, headers: { accept: 'text/html' } })
        expect(closed.statusCode).toBe(410)
        expect(closed.body).toContain('This survey has closed')
        expect(closed.body).toContain(escapeHtml(EN.closedBody(ORG)))
        expect(closed.body).not.toContain('<form')
      }
      const late = await post(browser, wave.customer, { submission, ...answers() })
      expect(late.statusCode).toBe(410)
      expect(late.body).toContain('This survey has closed')
      expect(await responsesWithKey(submission)).toBe(0)
    })

    it('answers a wave whose closing time has passed with 410', async () => {
      const wave = await createWave(ctx, key, { name: 'Ran out' })
      await db().updateTable('waves').set({ opens_at: new Date(Date.now() - 86_400_000), closes_at: new Date(Date.now() - 1000) }).where('id', '=', wave.id).execute()
      const page = await ctx.app.inject({ method: 'GET', url: `/s/${wave.staff}`, headers: { accept: 'text/html' } })
      expect(page.statusCode).toBe(410)
      expect(page.body).toContain('This survey has closed')
      const sent = await post(new Browser(ctx.app), wave.staff, answers())
      expect(sent.statusCode).toBe(410)
    })

    it('redirects to a thank-you page in the respondent\'s language; staff are reminded they are anonymous', async () => {
      const customer = await answer(main.customer)
      expect(customer.response.statusCode).toBe(303)
      expect(customer.response.headers.location).toBe(`/s/${main.customer}/thanks?lang=en`)
      const thanks = await customer.browser.get(customer.response.headers.location!)
      expect(thanks.statusCode).toBe(200)
      expect(thanks.headers['cache-control']).toBe('no-store')
      expect(thanks.body).toContain('<h1>Thank you</h1>')
      expect(thanks.body).toContain(EN.thanksBody)
      expect(thanks.body).not.toContain(EN.thanksStaff)

      const staff = await answer(main.staff, { lang: 'de' })
      expect(staff.response.headers.location).toBe(`/s/${main.staff}/thanks?lang=de`)
      const danke = await staff.browser.get(staff.response.headers.location!)
      expect(danke.body).toContain('<html lang="de">')
      expect(danke.body).toContain('Vielen Dank')
      expect(danke.body).toContain(RESPONDENT_TEXT.de.thanksStaff)
    })
  })

  describe('personal invitations', () => {
    it('opens a customer invitation in its language, stores the response with its attributes and uses it up', async () => {
      const token = await createInvitation(db(), { organizationId, waveId: main.id, side: 'customer', unitId: units.north, locale: 'es', attributes: { tier: 'gold', region: 'north' } })
      const { browser, page, submission } = await open(token)
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('<html lang="es">')
      expect(page.body).toContain('Recibo un servicio excelente de Acme Co.')
      expect(page.body).not.toContain('<select')
      const before = Date.now()
      const sent = await post(browser, token, { submission, lang: 'es', ...answers(), comment: 'Muy bien' })
      expect(sent.statusCode).toBe(303)
      expect(sent.headers.location).toBe(`/s/${token}/thanks?lang=es`)
      const stored = await db().selectFrom('responses').selectAll().where('submission_key', '=', submission).executeTakeFirstOrThrow()
      expect(stored).toMatchObject({ channel: 'invitation', side: 'customer', unit_id: units.north, locale: 'es', attributes: { tier: 'gold', region: 'north' }, comment: 'Muy bien' })
      // A customer's time is exact.
      expect(stored.submitted_at.getTime()).toBeGreaterThanOrEqual(before - 5_000)
      expect(stored.submitted_at.getTime()).toBeLessThanOrEqual(Date.now() + 5_000)
      const invitation = await db().selectFrom('invitations').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow()
      expect(invitation.used).toBe(true)
      expect(invitation.used_at).toBeInstanceOf(Date)

      const thanks = await browser.get(sent.headers.location!)
      expect(thanks.statusCode).toBe(200)
      expect(thanks.body).toContain('Gracias')

      const again = await ctx.app.inject({ method: 'GET', url: `/s/${token}`, headers: { accept: 'text/html', 'accept-language': 'en' } })
      expect(again.statusCode).toBe(410)
      expect(again.body).toContain('You have already answered — thank you')
      expect(again.body).toContain(EN.usedBody)
      expect(again.body).not.toContain('<form')

      // A fresh form (another key) sent to the used link is refused as well, and nothing more is stored.
      const other = await post(browser, token, { submission: 'another-submission-key-0001', ...answers() }, { headers: { 'accept-language': 'de' } })
      expect(other.statusCode).toBe(410)
      expect(other.body).toContain('Sie haben schon geantwortet – vielen Dank')
      expect(await db().selectFrom('responses').select('id').where('wave_id', '=', main.id).where('comment', '=', 'Muy bien').execute()).toHaveLength(1)
    })

    it('keeps a staff invitation\'s response anonymous: no attributes, the day only, and the invitation only marked used', async () => {
      const token = await createInvitation(db(), { organizationId, waveId: main.id, side: 'staff', unitId: units.south, attributes: { role: 'cashier', email: 'ann@example.test' } })
      const { browser, page, submission } = await open(token)
      expect(page.body).toContain(escapeHtml(EN.anonymousStaff))
      const sent = await post(browser, token, { submission, ...answers() })
      expect(sent.statusCode).toBe(303)
      const stored = await db().selectFrom('responses').selectAll().where('submission_key', '=', submission).executeTakeFirstOrThrow()
      expect(stored).toMatchObject({ channel: 'invitation', side: 'staff', unit_id: units.south, attributes: {} })
      const day = new Date()
      expect(stored.submitted_at.toISOString()).toBe(new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate())).toISOString())
      const invitation = await db().selectFrom('invitations').select(['used', 'used_at']).where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow()
      expect(invitation).toEqual({ used: true, used_at: null })
      const used = await ctx.app.inject({ method: 'GET', url: `/s/${token}`, headers: { accept: 'text/html' } })
      expect(used.statusCode).toBe(410)
      expect(used.body).toContain('You have already answered — thank you')
    })

    it('keeps staff link responses to the day and customer link responses exact', async () => {
      const staff = await answer(main.staff)
      const customer = await answer(main.customer)
      expect(staff.stored!.submitted_at.toISOString()).toMatch(/T00:00:00\.000Z$/)
      expect(staff.stored!.attributes).toEqual({})
      expect(Math.abs(customer.stored!.submitted_at.getTime() - Date.now())).toBeLessThan(60_000)
    })

    it('keeps a staff response to midnight UTC even when the database session runs in another time zone', async () => {
      const submission = 'timezone-check-submission-key'
      await db().connection().execute(async (connection) => {
        await sql`set time zone 'America/New_York'`.execute(connection)
        try {
          await storeResponse(connection, {
            organizationId, waveId: main.id, side: 'staff', unitId: null, locale: 'en', channel: 'link',
            attributes: {}, comment: null, answers: { easy: 3 }, submissionKey: submission,
          })
        } finally {
          await sql`reset time zone`.execute(connection)
        }
      })
      const stored = await db().selectFrom('responses').select('submitted_at').where('submission_key', '=', submission).executeTakeFirstOrThrow()
      expect(stored.submitted_at.toISOString()).toMatch(/T00:00:00\.000Z$/)
    })

    it('has no column in responses that could identify a person', async () => {
      const columns = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = 'responses' and table_schema = current_schema()`.execute(db())
      const names = columns.rows.map((row) => row.column_name)
      expect(names).toContain('submitted_at')
      for (const name of names) expect(name).not.toMatch(/ip|addr|agent|device|invitation|contact|email|user|person|name|cookie|session|token/i)
    })

    it('writes the response, its answers and the invitation\'s use in one transaction', async () => {
      const token = await createInvitation(db(), { organizationId, waveId: main.id, side: 'customer' })
      const { id: invitationId } = await db().selectFrom('invitations').select('id').where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow()
      const submission = 'transaction-check-submission'
      const response = {
        organizationId, waveId: main.id, side: 'customer' as const, unitId: null, locale: 'en', channel: 'invitation' as const,
        attributes: {}, comment: 'rolled back', submissionKey: submission, invitationId,
      }
      // An answer the database refuses (out of its range) must take the response and the invitation's use with it.
      await expect(storeResponse(db(), { ...response, answers: { easy: 3, trust: 99 } })).rejects.toThrow()
      expect(await responsesWithKey(submission)).toBe(0)
      expect(await db().selectFrom('invitations').select(['used', 'used_at']).where('id', '=', invitationId).executeTakeFirstOrThrow()).toEqual({ used: false, used_at: null })
      expect((await open(token)).page.statusCode).toBe(200)
      expect(await storeResponse(db(), { ...response, answers: { easy: 3, trust: 5 } })).toBe('stored')
      expect(await storeResponse(db(), { ...response, answers: { easy: 3, trust: 5 } })).toBe('duplicate')
      expect(await storeResponse(db(), { ...response, submissionKey: 'another-key-for-the-check', answers: { easy: 3 } })).toBe('invitation_used')
      expect(await responsesWithKey(submission)).toBe(1)
    })

    it('stores an invitation form sent twice at once only once', async () => {
      const token = await createInvitation(db(), { organizationId, waveId: main.id, side: 'customer' })
      const { browser, submission } = await open(token)
      const form = { submission, ...answers() }
      const sent = await Promise.all([post(browser, token, form), post(browser, token, form), post(browser, token, form)])
      // Which of them finds the invitation already used depends on timing; see the known bug below for what the others should get.
      expect(sent.filter((r) => r.statusCode === 303).length).toBeGreaterThanOrEqual(1)
      for (const response of sent) expect([303, 410]).toContain(response.statusCode)
      expect(await responsesWithKey(submission)).toBe(1)
      expect(await db().selectFrom('responses').select('id').where('submission_key', '=', submission).where('channel', '=', 'invitation').execute()).toHaveLength(1)
    })

    it('answers an invitation form sent a second time (same submission key) with 303 to the thank-you page', async () => {
      const token = await createInvitation(db(), { organizationId, waveId: main.id, side: 'customer' })
      const { browser, submission } = await open(token)
      const form = { submission, ...answers() }
      const first = await post(browser, token, form)
      expect(first.statusCode).toBe(303)
      const second = await post(browser, token, form)
      expect(await responsesWithKey(submission)).toBe(1)
      expect(second.statusCode).toBe(303)
      expect(second.headers.location).toBe(`/s/${token}/thanks?lang=en`)
    })

    it('hides an invitation to a draft wave and shows the closed page for a closed one', async () => {
      const draft = await createWave(ctx, key, { name: 'Draft invitations', status: 'draft' })
      const draftToken = await createInvitation(db(), { organizationId, waveId: draft.id, side: 'customer' })
      expect((await ctx.app.inject({ method: 'GET', url: `/s/${draftToken}` })).statusCode).toBe(404)
      const closed = await createWave(ctx, key, { name: 'Closed invitations' })
      const closedToken = await createInvitation(db(), { organizationId, waveId: closed.id, side: 'customer' })
      await setWaveStatus(db(), organizationId, closed.id, 'closed')
      const page = await ctx.app.inject({ method: 'GET', url: `/s/${closedToken}`, headers: { accept: 'text/html' } })
      expect(page.statusCode).toBe(410)
      expect(page.body).toContain('This survey has closed')
    })
  })

  describe('languages', () => {
    it('follows Accept-Language, offers a switcher, and lets ?lang override', async () => {
      const german = await open(main.customer, { 'accept-language': 'de-CH, de;q=0.9, en;q=0.5' })
      expect(german.page.body).toContain('<html lang="de">')
      expect(german.page.body).toContain('Ich erhalte von Acme Co einen ausgezeichneten Service.')
      expect(german.page.body).toContain(escapeHtml(RESPONDENT_TEXT.de.submit))
      expect(german.page.body).toContain('name="lang" value="de"')
      expect(german.page.body).toMatch(/<nav class="langs"[^>]*>/)
      for (const [code, name] of [['en', 'English'], ['es', 'Español'], ['de', 'Deutsch']]) {
        expect(german.page.body).toContain(`href="?lang=${code}" lang="${code}" hreflang="${code}"`)
        expect(german.page.body).toContain(`>${name}</a>`)
      }
      expect(german.page.body).toMatch(/hreflang="de" aria-current="true"/)

      const spanish = await open(main.customer, { 'accept-language': 'de' }, '?lang=es')
      expect(spanish.page.body).toContain('<html lang="es">')
      expect(spanish.page.body).toContain('Recibo un servicio excelente de Acme Co.')
      expect(spanish.page.body).toContain(escapeHtml(RESPONDENT_TEXT.es.scale[0]))

      const ranked = await open(main.staff, { 'accept-language': 'fr, es;q=0.8, de;q=0.9' })
      expect(ranked.page.body).toContain('<html lang="de">')
      expect(ranked.page.body).toContain('Unsere Kunden erhalten von uns einen ausgezeichneten Service.')

      for (const header of ['', 'fr', '*', 'de;q=0', 'xx-YY;q=abc, ;;;', 'e'.repeat(3000)]) {
        const page = await open(main.customer, { 'accept-language': header })
        expect(page.page.statusCode, header.slice(0, 20)).toBe(200)
        expect(page.page.body).toContain('<html lang="en">')
      }
      for (const lang of ['fr', 'EN', '', '<script>', 'de&lang=es']) {
        const page = await open(main.customer, {}, `?lang=${encodeURIComponent(lang)}`)
        expect(page.page.statusCode).toBe(200)
        expect(page.page.body).toContain('<html lang="en">')
      }
    })

    it('falls back to a language the wave offers and shows no switcher when it offers one', async () => {
      const english = await createWave(ctx, key, { name: 'English only', locales: ['en'] })
      for (const [headers, query] of [[{ 'accept-language': 'de' }, ''], [{}, '?lang=es'], [{ 'accept-language': 'es' }, '?lang=de']] as const) {
        const { browser, page, submission } = await open(english.customer, headers, query)
        expect(page.statusCode).toBe(200)
        expect(page.body).toContain('<html lang="en">')
        expect(page.body).toContain('I receive excellent service from Acme Co.')
        expect(page.body).not.toContain('class="langs"')
        expect(page.body).not.toContain('?lang=')
        // A lang field the wave does not offer is ignored when storing, too.
        const sent = await post(browser, english.customer, { submission, lang: 'de', ...answers() }, { headers: { 'accept-language': 'de' } })
        expect(sent.statusCode).toBe(303)
        expect(sent.headers.location).toBe(`/s/${english.customer}/thanks?lang=en`)
        expect((await db().selectFrom('responses').select('locale').where('submission_key', '=', submission).executeTakeFirstOrThrow()).locale).toBe('en')
      }
    })

    it('keeps the chosen language through a form that needs correcting, and stores it', async () => {
      const { browser, page, submission } = await open(main.customer, {}, '?lang=es')
      expect(hidden(page.body, 'lang')).toBe('es')
      const wrong = await post(browser, main.customer, { submission, lang: 'es', ...without(answers(), 'easy') }, { headers: { 'accept-language': 'de' } })
      expect(wrong.statusCode).toBe(422)
      expect(wrong.body).toContain('<html lang="es">')
      expect(wrong.body).toContain('name="lang" value="es"')
      expect(wrong.body).toContain(escapeHtml(RESPONDENT_TEXT.es.problems.required))
      expect(wrong.body).toContain(escapeHtml(RESPONDENT_TEXT.es.errorSummary(1)))
      expect(wrong.body).toContain(escapeHtml(localize(ITEMS.find((i) => i.key === 'easy')!.customerText, 'es', ORG)))
      const fixed = await post(browser, main.customer, { submission: hidden(wrong.body, 'submission')!, lang: hidden(wrong.body, 'lang')!, ...answers() })
      expect(fixed.statusCode).toBe(303)
      expect(fixed.headers.location).toBe(`/s/${main.customer}/thanks?lang=es`)
      expect((await db().selectFrom('responses').select('locale').where('submission_key', '=', submission).executeTakeFirstOrThrow()).locale).toBe('es')
    })

    it('shows the 404 and 410 pages in the language of the browser', async () => {
      const notFound = await ctx.app.inject({ method: 'GET', url: '/s/AAAAAAAAAAAAAAAAAAAAAA', headers: { 'accept-language': 'de' } })
      expect(notFound.statusCode).toBe(404)
      expect(notFound.body).toContain('<html lang="de">')
      expect(notFound.body).toContain('Umfrage nicht gefunden')
      const notFoundEs = await ctx.app.inject({ method: 'GET', url: '/s/AAAAAAAAAAAAAAAAAAAAAA?lang=es', headers: { 'accept-language': 'de' } })
      expect(notFoundEs.body).toContain('Encuesta no encontrada')

      const wave = await createWave(ctx, key, { name: 'Closed languages' })
      await setWaveStatus(db(), organizationId, wave.id, 'closed')
      const closed = await ctx.app.inject({ method: 'GET', url: `/s/${wave.customer}`, headers: { 'accept-language': 'es' } })
      expect(closed.statusCode).toBe(410)
      expect(closed.body).toContain('<html lang="es">')
      expect(closed.body).toContain('Esta encuesta ha finalizado')
      expect(closed.body).toContain(RESPONDENT_TEXT.es.closedBody(ORG))

      const token = await createInvitation(db(), { organizationId, waveId: main.id, side: 'customer' })
      await answer(token)
      const used = await ctx.app.inject({ method: 'GET', url: `/s/${token}`, headers: { 'accept-language': 'de' } })
      expect(used.statusCode).toBe(410)
      expect(used.body).toContain('<html lang="de">')
      expect(used.body).toContain('Sie haben schon geantwortet – vielen Dank')
    })
  })

  describe('validation', () => {
    it('returns a form with missing answers as 422: a summary linking to each missing item, the rest still chosen', async () => {
      const { browser, submission } = await open(main.customer)
      const form = { submission, ...without(answers({ a_valued: '5', a_trust: 'na', a_fit: '1' }), 'easy', 'asks'), comment: 'Keep me' }
      const response = await post(browser, main.customer, form)
      expect(response.statusCode).toBe(422)
      expect(response.headers['cache-control']).toBe('no-store')
      expect(summaryLinks(response.body)).toEqual(['easy-1', 'asks-1'])
      expect(response.body).toContain(escapeHtml(EN.errorSummary(2)))
      expect(response.body.indexOf('aria-labelledby="sum"')).toBeLessThan(response.body.indexOf('<form'))
      for (const item of ['easy', 'asks']) {
        expect(response.body).toContain(`aria-describedby="${item}-e"`)
        expect(response.body).toContain(`<p class="err" id="${item}-e">${escapeHtml(EN.problems.required)}</p>`)
        expect(response.body).toContain(`id="${item}-1"`)
        expect(response.body).not.toMatch(new RegExp(`name="a_${item}" value="[^"]*" checked`))
      }
      expect(response.body.match(/class="err"/g)).toHaveLength(2)
      expect(checked(response.body, 'valued', '5')).toBe(true)
      expect(checked(response.body, 'trust', 'na')).toBe(true)
      expect(checked(response.body, 'fit', '1')).toBe(true)
      for (const item of KEYS.filter((k) => !['easy', 'asks', 'valued', 'trust', 'fit'].includes(k))) expect(checked(response.body, item, '4'), item).toBe(true)
      expect(response.body.match(/ checked/g)).toHaveLength(10)
      expect(response.body).toContain('>Keep me</textarea>')
      expect(hidden(response.body, 'submission')).toBe(submission)
      expect(await responsesWithKey(submission)).toBe(0)
    })

    it('refuses values off the scale', async () => {
      const { browser, submission } = await open(main.customer)
      const cases: Array<[string, 'invalid' | 'required']> = [
        ['6', 'invalid'], ['0', 'invalid'], ['-1', 'invalid'], ['4.5', 'invalid'], ['abc', 'invalid'], ['', 'required'],
        [' 4', 'invalid'], ['4 ', 'invalid'], ['1e0', 'invalid'], ['0x4', 'invalid'], ['NA', 'invalid'], ['null', 'invalid'],
        ['10', 'invalid'], ['99999999999999999999', 'invalid'], ['٤', 'invalid'], ['４', 'invalid'],
      ]
      for (const [value, problem] of cases) {
        const response = await post(browser, main.customer, { submission, ...answers({ a_promises: value }) })
        expect(response.statusCode, JSON.stringify(value)).toBe(422)
        expect(summaryLinks(response.body), value).toEqual(['promises-1'])
        expect(response.body).toContain(`<p class="err" id="promises-e">${escapeHtml(EN.problems[problem])}</p>`)
      }
      expect(await responsesWithKey(submission)).toBe(0)
    })

    it('takes comments of up to 2,000 characters and keeps a longer one in the form', async () => {
      const long = 'é'.repeat(2001)
      const { browser, submission } = await open(main.customer)
      const tooLong = await post(browser, main.customer, { submission, ...answers(), comment: long })
      expect(tooLong.statusCode).toBe(422)
      expect(summaryLinks(tooLong.body)).toEqual(['comment'])
      expect(tooLong.body).toContain(`<p class="err" id="comment-e">${escapeHtml(EN.problems.too_long)}</p>`)
      expect(tooLong.body).toContain(`>${long}</textarea>`)
      expect(tooLong.body).toContain('maxlength="2000"')
      expect(await responsesWithKey(submission)).toBe(0)

      const exact = await post(browser, main.customer, { submission, ...answers(), comment: 'é'.repeat(2000) })
      expect(exact.statusCode).toBe(303)
      const stored = await db().selectFrom('responses').select('comment').where('submission_key', '=', submission).executeTakeFirstOrThrow()
      expect(stored.comment).toBe('é'.repeat(2000))

      // A browser sends the line breaks of a 2,000-character textarea as CRLF; they count once.
      const lines = `${'abcdefghi\r\n'.repeat(199)}abcdefghij`
      const crlf = await answer(main.customer, { comment: lines })
      expect(crlf.response.statusCode).toBe(303)
      expect(crlf.stored!.comment).toBe(lines.replaceAll('\r\n', '\n'))
      expect(crlf.stored!.comment!.length).toBe(2000)

      const blank = await answer(main.customer, { comment: '   \r\n  ' })
      expect(blank.stored!.comment).toBeNull()
    })

    it('never answers a comment with a NUL character with a 500', async () => {
      const { response } = await answer(main.customer, { comment: 'before\u0000after' })
      expect(response.statusCode).toBeLessThan(500)
    })

    it('stores exactly the answers sent, "na" as null', async () => {
      const values = ['1', '2', '3', '4', '5', 'na', '5', '4', '3', '2', '1', 'na']
      const form = Object.fromEntries(KEYS.map((k, i) => [`a_${k}`, values[i]!]))
      const { browser, submission } = await open(main.staff)
      const response = await post(browser, main.staff, { submission, ...form, comment: '  Plain words.  ' })
      expect(response.statusCode).toBe(303)
      const stored = await db().selectFrom('responses').selectAll().where('submission_key', '=', submission).executeTakeFirstOrThrow()
      expect(stored).toMatchObject({ side: 'staff', channel: 'link', unit_id: null, locale: 'en', comment: 'Plain words.', attributes: {}, organization_id: organizationId })
      const rows = await db().selectFrom('answers').select(['item_key', 'value']).where('response_id', '=', stored.id).execute()
      expect(rows).toHaveLength(12)
      const byKey = (a: { item_key: string }, b: { item_key: string }) => (a.item_key < b.item_key ? -1 : 1)
      expect(rows.sort(byKey)).toEqual(KEYS.map((k, i) => ({ item_key: k, value: values[i] === 'na' ? null : Number(values[i]) })).sort(byKey))
    })
  })

  describe('robustness', () => {
    type Case = { name: string; body: (csrf: string, submission: string) => string; type?: string; status?: number; problems?: string[] }
    const valid = (csrf: string, submission: string, extra: Record<string, string | string[]> = {}, drop: string[] = []) =>
      formBody({ _csrf: csrf, submission, ...without(answers(), ...drop), ...extra })
    const FORM = 'application/x-www-form-urlencoded'
    const cases: Case[] = [
      { name: 'JSON body with numbers', type: 'application/json', body: (c, s) => JSON.stringify({ _csrf: c, submission: s, ...Object.fromEntries(KEYS.map((k) => [`a_${k}`, 4])) }), status: 422 },
      { name: 'JSON body with arrays and objects', type: 'application/json', body: (c, s) => JSON.stringify({ _csrf: c, submission: [s], lang: { x: 1 }, unit: [1], comment: { a: 1 }, ...Object.fromEntries(KEYS.map((k) => [`a_${k}`, ['4']])) }), status: 422 },
      { name: 'JSON body with a CSRF token that is not text', type: 'application/json', body: () => JSON.stringify({ _csrf: 1, ...answers() }), status: 403 },
      { name: 'malformed JSON', type: 'application/json', body: () => '{"a_easy":', status: 400 },
      { name: 'JSON null', type: 'application/json', body: () => 'null' },
      { name: 'JSON array', type: 'application/json', body: () => '[1,2,3]' },
      { name: 'JSON string', type: 'application/json', body: () => '"a_easy=4"' },
      { name: 'JSON number', type: 'application/json', body: () => '42' },
      { name: 'JSON with a prototype key', type: 'application/json', body: (c) => `{"_csrf":"${c}","__proto__":{"a_easy":"4"},"constructor":{"prototype":{"x":1}}}` },
      { name: 'empty JSON body', type: 'application/json', body: () => '', status: 400 },
      { name: 'empty form body', type: FORM, body: () => '', status: 403 },
      { name: 'only the CSRF token', type: FORM, body: (c) => formBody({ _csrf: c }), status: 422, problems: KEYS.map((k) => `${k}-1`) },
      { name: 'no content type, no body', type: undefined, body: () => '', status: 403 },
      { name: 'text/plain', type: 'text/plain', body: (c, s) => valid(c, s) },
      { name: 'application/xml', type: 'application/xml', body: () => '<form><a_easy>4</a_easy></form>', status: 415 },
      { name: 'multipart form data', type: 'multipart/form-data; boundary=x', body: (c) => `--x\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${c}\r\n--x--\r\n`, status: 415 },
      { name: 'an answer sent twice', type: FORM, body: (c, s) => valid(c, s, { a_easy: ['1', '2'] }), status: 422, problems: ['easy-1'] },
      { name: 'an answer sent twice, the same value', type: FORM, body: (c, s) => valid(c, s, { a_easy: ['4', '4'] }), status: 422, problems: ['easy-1'] },
      { name: 'a comment sent twice', type: FORM, body: (c, s) => valid(c, s, { comment: ['a', 'b'] }), status: 422, problems: ['comment'] },
      { name: 'a huge answer value', type: FORM, body: (c, s) => valid(c, s, { a_easy: '4'.repeat(25_000) }), status: 422, problems: ['easy-1'] },
      { name: 'a huge comment under the body limit', type: FORM, body: (c, s) => valid(c, s, { comment: 'x'.repeat(28_000) }), status: 422, problems: ['comment'] },
      { name: 'a huge field name', type: FORM, body: (c, s) => valid(c, s, { ['n'.repeat(25_000)]: '1' }, ['easy']), status: 422, problems: ['easy-1'] },
      { name: 'unknown fields', type: FORM, body: (c, s) => valid(c, s, { a_unknown: '3', answer: '4', role: 'admin', organization_id: 'x', channel: 'import' }, ['trust']), status: 422, problems: ['trust-1'] },
      { name: 'thousands of empty parameters', type: FORM, body: (c, s) => `${valid(c, s, {}, ['fit'])}${'&'.repeat(20_000)}`, status: 422, problems: ['fit-1'] },
      { name: 'thousands of parameters', type: FORM, body: (c, s) => `${valid(c, s, {}, ['fit'])}${'&p=1'.repeat(6_000)}`, status: 422, problems: ['fit-1'] },
      { name: 'a body over 32 KB', type: FORM, body: (c, s) => valid(c, s, { comment: 'x'.repeat(33 * 1024) }), status: 413 },
      { name: 'a JSON body over 32 KB', type: 'application/json', body: (c) => JSON.stringify({ _csrf: c, comment: 'x'.repeat(33 * 1024) }), status: 413 },
      { name: 'nested keys', type: FORM, body: (c, s) => `${valid(c, s, {}, ['easy'])}&a_easy[x]=1&a_easy[]=2&a_easy.x=3`, status: 422, problems: ['easy-1'] },
      { name: 'prototype keys', type: FORM, body: (c, s) => `${valid(c, s, {}, ['easy'])}&__proto__[a_easy]=1&__proto__=x&constructor[prototype][a_easy]=1&hasOwnProperty=1&toString=1`, status: 422, problems: ['easy-1'] },
      { name: 'broken percent-encoding', type: FORM, body: (c, s) => `${valid(c, s, {}, ['easy'])}&a_easy=%E0%A4%A&comment=%&unit=%ZZ` },
      { name: 'an answer with a NUL', type: FORM, body: (c, s) => `${valid(c, s, {}, ['easy'])}&a_easy=9%00`, status: 422, problems: ['easy-1'] },
      { name: 'hostile hidden fields', type: FORM, body: (c, s) => valid(c, s, { lang: '"><script>alert(1)</script>', submission: '"><script>alert(1)</script>', unit: '"><script>' }, ['easy']), status: 422, problems: ['easy-1', 'unit'] },
      { name: 'a form with an unexpected charset', type: `${FORM}; charset=utf-16le`, body: (c, s) => valid(c, s, {}, ['easy']) },
    ]

    it.each(cases)('answers $name with a 4xx, never a 500', async ({ body, type, status, problems }) => {
      const { browser, submission } = await open(main.customer)
      const payload = body(browser.csrf!, submission)
      const response = await browser.request({
        method: 'POST', url: `/s/${main.customer}`, payload, remoteAddress: nextAddress(),
        headers: type === undefined ? {} : { 'content-type': type },
      })
      expect(response.statusCode).toBeGreaterThanOrEqual(400)
      expect(response.statusCode).toBeLessThan(500)
      if (status !== undefined) expect(response.statusCode).toBe(status)
      if (problems) expect(summaryLinks(response.body)).toEqual(problems)
      expectNoStack(response)
      expect(response.body).not.toContain('<script>')
      expect(await responsesWithKey(submission)).toBe(0)
    })

    it('refuses a unit sent twice instead of silently storing no unit', async () => {
      const { response, stored } = await answer(main.customer, { unit: [units.north, units.south] } as unknown as Record<string, string>)
      expect(response.statusCode).toBe(422)
      expect(stored).toBeUndefined()
    })

    it('takes unknown extra fields alongside a complete form without storing them', async () => {
      const { response, stored } = await answer(main.customer, { organization_id: '00000000-0000-4000-8000-000000000000', channel: 'import', side: 'staff', attributes: 'x', a_unknown: '3' })
      expect(response.statusCode).toBe(303)
      expect(stored).toMatchObject({ organization_id: organizationId, channel: 'link', side: 'customer', attributes: {} })
      expect(await db().selectFrom('answers').select('item_key').where('response_id', '=', stored!.id).execute()).toHaveLength(12)
    })

    it('refuses a form without a valid CSRF token with 403, the answers still chosen, and takes it once resent', async () => {
      const { browser, submission } = await open(main.customer)
      const form = { submission, ...answers({ a_easy: '2', a_trust: 'na' }), comment: 'Still here' }
      for (const csrf of [undefined, '', 'forged', `${browser.csrf!}x`]) {
        const response = await post(browser, main.customer, csrf === undefined ? form : { _csrf: csrf, ...form }, { csrf: false })
        expect(response.statusCode).toBe(403)
        expect(response.body).toContain(escapeHtml(EN.problems.expired))
        expect(checked(response.body, 'easy', '2')).toBe(true)
        expect(checked(response.body, 'trust', 'na')).toBe(true)
        expect(checked(response.body, 'excellent_service', '4')).toBe(true)
        expect(response.body).toContain('>Still here</textarea>')
        expect(hidden(response.body, 'submission')).toBe(submission)
      }
      // A token from another browser does not match this browser's cookie.
      const stranger = await open(main.customer)
      const crossed = await post(browser, main.customer, { _csrf: stranger.browser.csrf!, ...form })
      expect(crossed.statusCode).toBe(403)
      // No cookie at all (a new browser posting a form it never loaded).
      const fresh = new Browser(ctx.app)
      const noCookie = await post(fresh, main.customer, { _csrf: browser.csrf!, ...form })
      expect(noCookie.statusCode).toBe(403)
      expect(await responsesWithKey(submission)).toBe(0)

      const resent = await post(browser, main.customer, form)
      expect(resent.statusCode).toBe(303)
      expect(await responsesWithKey(submission)).toBe(1)
    })
  })

  describe('double submits', () => {
    it('stores the same form sent twice once, and answers both with the thank-you page', async () => {
      const { browser, submission } = await open(main.customer)
      const form = { submission, ...answers(), comment: 'once' }
      const first = await post(browser, main.customer, form)
      const second = await post(browser, main.customer, form)
      expect([first.statusCode, second.statusCode]).toEqual([303, 303])
      expect(second.headers.location).toBe(first.headers.location)
      expect(await responsesWithKey(submission)).toBe(1)
      const stored = await db().selectFrom('responses').select('id').where('submission_key', '=', submission).executeTakeFirstOrThrow()
      expect(await db().selectFrom('answers').select('item_key').where('response_id', '=', stored.id).execute()).toHaveLength(12)
    })

    it('stores the same form sent three times at once once', async () => {
      const { browser, submission } = await open(main.staff)
      const form = { submission, ...answers() }
      const sent = await Promise.all([post(browser, main.staff, form), post(browser, main.staff, form), post(browser, main.staff, form)])
      expect(sent.map((r) => r.statusCode)).toEqual([303, 303, 303])
      expect(await responsesWithKey(submission)).toBe(1)
    })

    it('stores two page loads as two responses', async () => {
      const a = await answer(main.customer)
      const b = await answer(main.customer)
      expect(a.submission).not.toBe(b.submission)
      expect(a.submission).toMatch(/^[A-Za-z0-9_-]{16,64}$/)
      expect(a.stored).toBeDefined()
      expect(b.stored).toBeDefined()
      expect(a.stored!.id).not.toBe(b.stored!.id)
    })

    it('stores a form without a usable submission key, but cannot tell a repeat then', async () => {
      for (const submission of ['', 'short', '"><b>x</b>']) {
        const browser = (await open(main.customer)).browser
        const sent = await post(browser, main.customer, { submission, ...answers() })
        expect(sent.statusCode).toBe(303)
      }
    })
  })

  describe('escaping', () => {
    const PAYLOADS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>", '</textarea><script>alert(2)</script>']

    it('stores hostile comments verbatim and prints them escaped', async () => {
      for (const payload of PAYLOADS) {
        const { browser, submission } = await open(main.customer)
        const wrong = await post(browser, main.customer, { submission, ...without(answers(), 'easy'), comment: payload })
        expect(wrong.statusCode).toBe(422)
        if (payload === PAYLOADS[0]) expect(wrong.body).toContain('>&lt;script&gt;alert(1)&lt;/script&gt;</textarea>')
        expect(wrong.body).toContain(`>${escapeHtml(payload)}</textarea>`)
        expect(wrong.body).not.toContain(payload)
        expect(wrong.body).not.toMatch(/<script|<img|<svg/)
        const sent = await post(browser, main.customer, { submission, ...answers(), comment: payload })
        expect(sent.statusCode).toBe(303)
        const stored = await db().selectFrom('responses').select('comment').where('submission_key', '=', submission).executeTakeFirstOrThrow()
        expect(stored.comment).toBe(payload)
      }
    })

    it('escapes an organization name and unit names with markup on every respondent page', async () => {
      const evilOrg = `<script>alert("org")</script> & 'Co'`
      const evilUnit = '"><img src=x onerror=alert(1)>'
      const tenant = await createTenant(ctx, evilOrg)
      const evilKey = await apiToken(ctx, tenant.owner.email)
      const unitId = await createUnit(ctx, evilKey, evilUnit)
      const wave = await createWave(ctx, evilKey, { name: 'Evil' })
      for (const token of [wave.customer, wave.staff]) {
        const { browser, page, submission } = await open(token)
        expect(page.statusCode).toBe(200)
        expect(page.body).not.toMatch(/<script|<img/)
        expect(page.body).toContain(escapeHtml(evilOrg))
        expect(page.body).toContain(`<title>${escapeHtml(evilOrg)}</title>`)
        expect(page.body).toContain(`<option value="${unitId}">${escapeHtml(evilUnit)}</option>`)
        const wrong = await post(browser, token, { submission, unit: unitId, ...without(answers(), 'trust') })
        expect(wrong.statusCode).toBe(422)
        expect(wrong.body).not.toMatch(/<script|<img/)
        expect(wrong.body).toContain(`<option value="${unitId}" selected>${escapeHtml(evilUnit)}</option>`)
        const sent = await post(browser, token, { submission, unit: unitId, ...answers() })
        expect(sent.statusCode).toBe(303)
        const thanks = await browser.get(sent.headers.location!)
        expect(thanks.body).not.toMatch(/<script|<img/)
        expect(thanks.body).toContain(escapeHtml(evilOrg))
      }
      await setWaveStatus(db(), tenant.organizationId, wave.id, 'closed')
      const closed = await ctx.app.inject({ method: 'GET', url: `/s/${wave.customer}` })
      expect(closed.statusCode).toBe(410)
      expect(closed.body).not.toMatch(/<script|<img/)
      expect(closed.body).toContain(escapeHtml(EN.closedBody(evilOrg)))
    })
  })

  describe('page weight', () => {
    it('keeps the HTML and CSS of the survey page within 25 KB with ten units listed, in every language', async () => {
      const tenant = await createTenant(ctx, 'Northwind Regional Services Cooperative')
      const sizeKey = await apiToken(ctx, tenant.owner.email)
      for (let i = 1; i <= 10; i++) await createUnit(ctx, sizeKey, `Branch ${String(i).padStart(2, '0')} — Market Street Service Centre`)
      const wave = await createWave(ctx, sizeKey, { name: 'Weight' })
      const css = await ctx.app.inject({ method: 'GET', url: '/public/survey.css' })
      expect(css.statusCode).toBe(200)
      expect(css.headers['content-type']).toMatch(/^text\/css/)
      const cssBytes = Buffer.byteLength(css.rawPayload)
      for (const token of [wave.staff, wave.customer]) {
        for (const lang of ['en', 'es', 'de']) {
          const { page } = await open(token, {}, `?lang=${lang}`)
          expect(page.statusCode).toBe(200)
          expect(page.body.match(/<option /g)).toHaveLength(11)
          // The only resource the page loads is the stylesheet.
          expect([...page.body.matchAll(/(?:src|href)="([^"#?][^"]*)"/g)].map((m) => m[1])).toEqual(['/public/survey.css'])
          const total = Buffer.byteLength(page.rawPayload) + cssBytes
          expect(total, `${token === wave.staff ? 'staff' : 'customer'} ${lang}: ${total} bytes`).toBeLessThanOrEqual(25 * 1000)
        }
      }
    })
  })

  describe('rate limits', () => {
    it('holds the 31st submission in a minute from one address with a 429 that keeps every answer, and lets others through', async () => {
      const address = '198.51.100.23'
      const { browser, submission } = await open(main.customer)
      const form = { submission, lang: 'en', ...without(answers({ a_easy: '2', a_trust: 'na' }), 'fit'), comment: 'Held "answers" <kept>' }
      for (let i = 0; i < 30; i++) {
        const response = await post(browser, main.customer, form, { remoteAddress: address })
        expect(response.statusCode).toBe(422)
      }
      const held = await post(browser, main.customer, { ...form, a_fit: '5' }, { remoteAddress: address })
      expect(held.statusCode).toBe(429)
      expect(held.headers['retry-after']).toBeDefined()
      expect(held.headers['content-type']).toMatch(/^text\/html/)
      expect(held.body).toContain(EN.tooManyTitle)
      expect(held.body).toContain(`action="/s/${main.customer}"`)
      expect(held.body).toMatch(/<button type="submit">/)
      const sent: Record<string, string> = { _csrf: browser.csrf!, ...form, a_fit: '5' }
      for (const [name, value] of Object.entries(sent)) {
        expect(held.body, name).toContain(`<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
      }
      expect(held.body).not.toContain('<kept>')
      expect(await responsesWithKey(submission)).toBe(0)

      // Another address is not held back; the same address is held for the whole form, whatever its content.
      const other = await post(browser, main.customer, { ...form, a_fit: '5' }, { remoteAddress: '198.51.100.24' })
      expect(other.statusCode).toBe(303)
      expect(await responsesWithKey(submission)).toBe(1)
      const again = await post(new Browser(ctx.app), 'AAAAAAAAAAAAAAAAAAAAAA', answers(), { remoteAddress: address })
      expect(again.statusCode).toBe(429)
      // A forwarded-for header from the client does not get it past the limit (no proxy is trusted by default).
      const spoofed = await post(browser, main.customer, { ...form, a_fit: '5' }, { remoteAddress: address, headers: { 'x-forwarded-for': '192.0.2.1', 'x-real-ip': '192.0.2.1' } })
      expect(spoofed.statusCode).toBe(429)
      // Reading the survey is not limited.
      const read = await browser.request({ method: 'GET', url: `/s/${main.customer}`, remoteAddress: address })
      expect(read.statusCode).toBe(200)
    })

    it('limits submissions per link, whatever the address, and leaves other links alone', async () => {
      expect(SUBMIT_LIMITS.perAddress).toBe(30)
      const wave = await createWave(ctx, key, { name: 'Busy link' })
      const browser = new Browser(ctx.app)
      for (let i = 0; i < SUBMIT_LIMITS.perLink; i++) {
        const response = await post(browser, wave.customer, {}, { csrf: false })
        expect(response.statusCode).toBe(403)
      }
      const { browser: respondent, submission } = await open(wave.customer)
      const held = await post(respondent, wave.customer, { submission, ...answers() })
      expect(held.statusCode).toBe(429)
      expect(held.body).toContain(`name="submission" value="${submission}"`)
      expect(await responsesWithKey(submission)).toBe(0)
      const other = await post(respondent, wave.staff, { submission, ...answers() })
      expect(other.statusCode).toBe(303)
    }, 60_000)

    it('escapes hostile field names and values on the held page', async () => {
      const address = '198.51.100.99'
      const browser = new Browser(ctx.app)
      for (let i = 0; i < 30; i++) await post(browser, 'AAAAAAAAAAAAAAAAAAAAAA', {}, { remoteAddress: address })
      const held = await post(browser, '%3Cb%3Etoken%3C%2Fb%3E', { '"><script>alert(1)</script>': '"><img src=x onerror=alert(1)>' }, { remoteAddress: address })
      expect(held.statusCode).toBe(429)
      expect(held.body).not.toMatch(/<script|<img|<b>/)
      expect(held.body).toContain(`name="${escapeHtml('"><script>alert(1)</script>')}" value="${escapeHtml('"><img src=x onerror=alert(1)>')}"`)
    })

    it('sends the held page (answers inside) with cache-control: no-store', async () => {
      const address = '198.51.100.77'
      const browser = new Browser(ctx.app)
      for (let i = 0; i < 30; i++) await post(browser, 'AAAAAAAAAAAAAAAAAAAAAA', {}, { remoteAddress: address })
      const held = await post(browser, main.customer, answers(), { remoteAddress: address })
      expect(held.statusCode).toBe(429)
      expect(held.headers['cache-control']).toBe('no-store')
    })
  })

  describe('headers', () => {
    it('sends no-store, no referrer and a CSP without inline code on every survey page', async () => {
      const closedWave = await createWave(ctx, key, { name: 'Closed headers' })
      await setWaveStatus(db(), organizationId, closedWave.id, 'closed')
      const { browser, submission } = await open(main.customer)
      const pages = [
        ['form', await browser.get(`/s/${main.customer}`)],
        ['422', await post(browser, main.customer, { submission, ...without(answers(), 'easy') })],
        ['403', await post(browser, main.customer, { submission, ...answers() }, { csrf: false })],
        ['404', await browser.get('/s/AAAAAAAAAAAAAAAAAAAAAA')],
        ['410', await browser.get(`/s/${closedWave.customer}`)],
        ['thanks', await browser.get(`/s/${main.customer}/thanks`)],
      ] as const
      for (const [name, response] of pages) {
        expect(response.headers['cache-control'], name).toBe('no-store')
        expect(response.headers['referrer-policy'], name).toBe('no-referrer')
        const csp = String(response.headers['content-security-policy'])
        expect(csp, name).toContain("default-src 'self'")
        expect(csp, name).toContain("script-src 'self'")
        expect(csp, name).toContain("form-action 'self'")
        expect(csp, name).not.toContain('unsafe-inline')
        expect(csp, name).not.toContain('unsafe-eval')
        expect(response.headers['x-content-type-options'], name).toBe('nosniff')
        expect(response.body, name).not.toMatch(/<script|style="|\son[a-z]+=/i)
        expect(response.body, name).toContain('<meta name="robots" content="noindex">')
      }
    })
  })
})
