// PostgreSQL going away while a wave is open, and coming back. The app reaches the database through
// a TCP proxy (test/helpers/proxy.ts) that the test cuts and restores; the real PostgreSQL server is
// never stopped. Every page, the API and /health must answer 503 quickly with a clear message, a
// survey form must come back with its answers, and the same app must recover on its own.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../db/connect.js'
import { buildApp } from '../../server/app.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { RESPONDENT_TEXT } from '../../server/i18n/respondent.js'
import { apiToken, bearer, Browser, createTenant, testConfig, type TestContext } from '../helpers/app.js'
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js'
import { startDatabaseProxy, type DatabaseProxy } from '../helpers/proxy.js'

const EN = RESPONDENT_TEXT.en
const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
/** How long the app waits for a connection here; an outage must be reported within about that long. */
const CONNECT_TIMEOUT_MS = 1000
const QUICK_MS = 3000
const DATABASE_MESSAGE = 'The database cannot be reached right now'

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;')
const unescapeHtml = (text: string) =>
  text.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')

const formBody = (fields: Array<[string, string]>) => new URLSearchParams(fields).toString()
/** The fields of the first form on a page, as a browser would send them. */
const formFields = (html: string): Array<[string, string]> =>
  [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [unescapeHtml(m[1]!), unescapeHtml(m[2]!)])

/** Times a request; every answer during an outage must come quickly. */
async function timed(request: Promise<LightMyRequestResponse>) {
  const started = performance.now()
  const response = await request
  return { response, ms: performance.now() - started }
}

describe('PostgreSQL stopped mid-run', () => {
  let database: TestDatabase
  let proxy: DatabaseProxy
  let appDb: Db
  let app: FastifyInstance
  let key: string
  let waveId: string
  let customer: string
  let admin: Browser

  const storedWithKey = (submission: string) =>
    database.db.selectFrom('responses').select('id').where('submission_key', '=', submission).execute()

  /** A respondent who opened the form: their browser, its submission key and a complete set of answers. */
  async function respondent(comment: string) {
    const browser = new Browser(app)
    const page = await browser.get(`/s/${customer}`)
    expect(page.statusCode).toBe(200)
    const submission = /name="submission" value="([^"]+)"/.exec(page.body)![1]!
    const fields: Array<[string, string]> = [
      ['_csrf', browser.csrf!], ['submission', submission], ['lang', 'en'],
      ...KEYS.map((item, i): [string, string] => [`a_${item}`, String((i % 5) + 1)]),
      ['comment', comment],
    ]
    const send = (body = fields) => browser.request({
      method: 'POST', url: `/s/${customer}`, payload: formBody(body), headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    return { browser, submission, fields, send }
  }

  beforeAll(async () => {
    database = await createTestDatabase('postgres')
    proxy = await startDatabaseProxy(database.url!)
    appDb = openDatabase({ url: proxy.url, dataDir: null, poolSize: 5, connectTimeout: CONNECT_TIMEOUT_MS })
    // Every request comes from one address here: the per-address limit must not answer for the database.
    app = await buildApp({ config: testConfig({ SUBMIT_RATE_LIMIT: '10000' }), db: appDb, logger: false })
    await app.ready()
    const ctx = { kind: 'postgres', app, database, config: testConfig() } as TestContext
    const tenant = await createTenant(ctx, 'Outage Co')
    key = await apiToken(ctx, tenant.owner.email)
    const wave = await app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(key), payload: { name: 'Spring', templateKey: 'service-gap-index' } })
    expect(wave.statusCode).toBe(201)
    waveId = wave.json().id
    customer = new URL(wave.json().links.customer).pathname.split('/')[2]!
    admin = await new Browser(app).login(tenant.owner.email)
  })

  // A failed test must not leave the database away for the next one.
  afterEach(() => proxy.restore())

  afterAll(async () => {
    await app?.close()
    await appDb?.destroy()
    await proxy?.close()
    await database?.drop()
  })

  async function expectUnavailable() {
    const { response: health, ms: healthMs } = await timed(app.inject({ method: 'GET', url: '/health' }))
    expect(health.statusCode).toBe(503)
    expect(health.json()).toEqual({ status: 'unavailable', message: 'The database cannot be reached.' })
    expect(healthMs).toBeLessThan(QUICK_MS)

    const { response: page, ms: pageMs } = await timed(admin.get('/waves'))
    expect(page.statusCode).toBe(503)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.body).toContain(DATABASE_MESSAGE)
    expect(page.headers['retry-after']).toBe('10')
    expect(pageMs).toBeLessThan(QUICK_MS)

    const { response: api, ms: apiMs } = await timed(app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}`, headers: bearer(key) }))
    expect(api.statusCode).toBe(503)
    expect(api.json()).toEqual({ error: 'database_unavailable', message: expect.stringContaining(DATABASE_MESSAGE) })
    expect(api.headers['retry-after']).toBe('10')
    expect(apiMs).toBeLessThan(QUICK_MS)

    const { response: survey, ms: surveyMs } = await timed(new Browser(app).get(`/s/${customer}`))
    expect(survey.statusCode).toBe(503)
    expect(survey.headers['content-type']).toMatch(/^text\/html/)
    expect(survey.body).toContain(DATABASE_MESSAGE)
    expect(surveyMs).toBeLessThan(QUICK_MS)
  }

  async function expectAvailable() {
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200)
    expect((await admin.get('/waves')).statusCode).toBe(200)
    expect((await app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}`, headers: bearer(key) })).statusCode).toBe(200)
    expect((await new Browser(app).get(`/s/${customer}`)).statusCode).toBe(200)
  }

  it('answers 503 everywhere while the database is stopped, keeps a survey form, and recovers without a restart', async () => {
    await expectAvailable()
    const form = await respondent('Kept "as typed" <here>')
    const connectionsBefore = proxy.connections

    proxy.cut()
    await expectUnavailable()
    const { response: held, ms } = await timed(form.send())
    expect(ms).toBeLessThan(QUICK_MS)
    expect(held.statusCode).toBe(503)
    expect(held.headers['content-type']).toMatch(/^text\/html/)
    expect(held.headers['retry-after']).toBeDefined()
    expect(held.body).toContain(EN.unavailableTitle)
    expect(held.body).toContain(escapeHtml(EN.unavailableBody))
    expect(held.body).toContain(`action="/s/${customer}"`)
    // Every answer, the comment, the submission key and the CSRF token come back in the form.
    expect(formFields(held.body)).toEqual(form.fields)

    proxy.restore()
    await expectAvailable()
    expect(proxy.connections).toBeGreaterThan(connectionsBefore)
    // The form that came back is sent again as it is, twice (a double click): stored once, whole.
    expect((await form.send(formFields(held.body))).statusCode).toBe(303)
    expect((await form.send(formFields(held.body))).statusCode).toBe(303)
    const stored = await storedWithKey(form.submission)
    expect(stored).toHaveLength(1)
    const answers = await database.db.selectFrom('answers').select(['item_key', 'value']).where('response_id', '=', stored[0]!.id).execute()
    expect(Object.fromEntries(answers.map((a) => [a.item_key, String(a.value)]))).toEqual(Object.fromEntries(KEYS.map((item, i) => [item, String((i % 5) + 1)])))
  })

  it('gives up within the connect timeout when the database host takes connections but never answers', async () => {
    const form = await respondent('frozen host')
    proxy.hang()
    await expectUnavailable()
    const { response: held, ms } = await timed(form.send())
    expect(held.statusCode).toBe(503)
    expect(formFields(held.body)).toEqual(form.fields)
    expect(ms).toBeLessThan(CONNECT_TIMEOUT_MS + 2000)
    // More requests than the pool has connections: those queued for one give up in time as well.
    const crowd = await Promise.all(Array.from({ length: 12 }, () => timed(app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}`, headers: bearer(key) }))))
    for (const { response, ms: crowdMs } of crowd) {
      expect(response.statusCode).toBe(503)
      expect(response.json().error).toBe('database_unavailable')
      expect(crowdMs).toBeLessThan(CONNECT_TIMEOUT_MS + 2000)
    }

    proxy.restore()
    await expectAvailable()
    expect((await form.send()).statusCode).toBe(303)
    expect(await storedWithKey(form.submission)).toHaveLength(1)
  })

  it('answers every submission in flight when the plug is pulled with a stored 303 or a held 503, and loses none', async () => {
    const forms = await Promise.all(Array.from({ length: 30 }, (_, i) => respondent(`in flight ${i}`)))
    // The plug is pulled as soon as the first form is stored, while the others wait for or hold a connection.
    const sending = forms.map((form) => timed(form.send().then((response) => {
      if (proxy.state === 'open') proxy.cut()
      return response
    })))
    const answered = await Promise.all(sending)
    proxy.restore()
    const statuses = answered.map(({ response }) => response.statusCode)
    expect(statuses).toContain(303)
    expect(statuses).toContain(503)
    for (const [i, { response, ms }] of answered.entries()) {
      expect([303, 503], response.body.slice(0, 200)).toContain(response.statusCode)
      expect(ms).toBeLessThan(QUICK_MS)
      // A 503 may come after PostgreSQL committed but before the answer got back: then the resent
      // form below finds it by its submission key. A 303 is always stored.
      expect((await storedWithKey(forms[i]!.submission)).length).toBeLessThanOrEqual(1)
      if (response.statusCode === 303) expect(await storedWithKey(forms[i]!.submission)).toHaveLength(1)
    }
    // Whatever was cut off is sent again once the database is back, and stored exactly once.
    for (const [i, { response }] of answered.entries()) {
      if (response.statusCode === 503) expect((await forms[i]!.send(formFields(response.body))).statusCode).toBe(303)
      expect(await storedWithKey(forms[i]!.submission)).toHaveLength(1)
    }
    await expectAvailable()
  })
})
