// Webhooks end to end against a real HTTP receiver on 127.0.0.1 (WEBHOOKS_ALLOW_LOOPBACK=true): the
// API and the settings page configure them, events queued in a transaction are signed and delivered,
// failures are tried again with backoff and logged, redirects are not followed, slow receivers time
// out, internal addresses are refused when a webhook is saved and again at every delivery, and one
// organization never sees another's webhooks.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { loadConfig } from '../../server/config.js'
import type { LoopContext } from '../../server/loop/plugin.js'
import { queueWebhookEvent } from '../../server/repositories/webhook-events.js'
import { insertWebhook } from '../../server/repositories/webhooks.js'
import { seal } from '../../server/security/encryption.js'
import { createWebhook } from '../../server/services/webhooks.js'
import { deliverWebhooks, type DeliveryOptions } from '../../server/webhooks/worker.js'
import { addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type Tenant } from '../helpers/app.js'
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js'

const HOUR = 3_600_000

describeEachDatabase('webhooks', (ctx) => {
  let receiver: Receiver
  let tenant: Tenant
  let token: string
  /** How far the loop's clock runs ahead of the wall clock; tests move it forward to make retries due. */
  let ahead = 0
  const context = (config = ctx.config): LoopContext => ({ config, log: ctx.app.log, now: () => new Date(Date.now() + ahead) })
  const deliver = (options: DeliveryOptions = {}, config = ctx.config) => deliverWebhooks(ctx.database.db, context(config), { timeoutMs: 2000, ...options })
  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, auth = token) =>
    ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(auth), ...(payload ? { payload } : {}) })

  /** A webhook to the receiver at `path`, its secret handed to the receiver. */
  async function hookTo(path: string, events = ['wave_closed'], alone = true) {
    if (alone) await ctx.database.db.updateTable('webhooks').set({ active: false }).where('organization_id', '=', tenant.organizationId).execute()
    const response = await api('POST', '/webhooks', { url: `${receiver.url}${path}`, events })
    expect(response.statusCode, response.body).toBe(201)
    const body = response.json() as { id: string; secret: string }
    receiver.secret = body.secret
    return body
  }
  const announce = (data: Record<string, unknown> = { waveId: 'w1' }) =>
    ctx.database.db.transaction().execute((trx) => queueWebhookEvent(trx, tenant.organizationId, 'wave_closed', data))
  const deliveryOf = (eventId: string) => ctx.database.db.selectFrom('webhook_deliveries').selectAll().where('event_id', '=', eventId).executeTakeFirstOrThrow()
  const triesOf = (deliveryId: string | number) => ctx.database.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', Number(deliveryId)).orderBy('id').execute()

  beforeAll(async () => {
    receiver = await startReceiver()
    tenant = await createTenant(ctx, 'Hooks Org')
    token = await apiToken(ctx, tenant.owner.email)
  })
  afterAll(async () => receiver?.close())

  it('creates a webhook through the API with its secret shown once, and audits it', async () => {
    const created = await hookTo('/created')
    expect(created.secret).toMatch(/^whsec_[\w-]{43}$/)
    const listed = (await api('GET', '/webhooks')).json() as Array<Record<string, unknown>>
    expect(listed.find((w) => w.id === created.id)).toMatchObject({ url: `${receiver.url}/created`, events: ['wave_closed'], active: true })
    expect(JSON.stringify(listed)).not.toContain(created.secret)
    expect((await api('GET', `/webhooks/${created.id}`)).body).not.toContain(created.secret)
    const stored = await ctx.database.db.selectFrom('webhooks').select('secret').where('id', '=', created.id).executeTakeFirstOrThrow()
    expect(stored.secret).not.toContain(created.secret)
    const audit = await ctx.database.db.selectFrom('audit_log').select(['action', 'target']).where('organization_id', '=', tenant.organizationId).where('action', '=', 'webhook_created').execute()
    expect(audit.at(-1)!.target).toBe(`webhook to 127.0.0.1:${receiver.port}`)
    // Typed in the OpenAPI document.
    const doc = (await ctx.app.inject({ method: 'GET', url: '/api/docs/json' })).json()
    for (const path of ['/api/v1/webhooks', '/api/v1/webhooks/{id}', '/api/v1/webhooks/{id}/deliveries']) expect(Object.keys(doc.paths)).toContain(path)
    expect(JSON.stringify(doc.paths['/api/v1/webhooks'].post.responses['201'])).toContain('secret')
  })

  it('signs and delivers an event queued in a transaction, with the documented headers and body', async () => {
    const { id: webhookId } = await hookTo('/signed')
    const before = receiver.received.length
    const eventId = await announce({ waveId: 'wave-1', gap: -12 })
    expect(await deliver()).toBeGreaterThanOrEqual(1)
    const got = receiver.received.slice(before).find((r) => r.path === '/signed')!
    expect(got.verified).toBe(true)
    expect(got.headers['content-type']).toBe('application/json')
    expect(got.headers['user-agent']).toBe('ServiceGap-Webhooks/1')
    expect(got.headers['x-servicegap-event']).toBe('wave_closed')
    expect(got.headers['x-servicegap-delivery']).toBe(eventId)
    expect(got.headers['x-servicegap-signature']).toMatch(/^t=\d{10},v1=[0-9a-f]{64}$/)
    expect(JSON.parse(got.body)).toMatchObject({ id: eventId, event: 'wave_closed', data: { waveId: 'wave-1', gap: -12 } })
    expect(new Date(JSON.parse(got.body).createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000)
    const delivery = await deliveryOf(eventId)
    expect(delivery.webhook_id).toBe(webhookId)
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, last_status: 200, last_error: null })
    const tries = await triesOf(delivery.id)
    expect(tries.map((t) => t.status_code)).toEqual([200])
    // The delivery log over the API shows it too.
    const log = (await api('GET', `/webhooks/${webhookId}/deliveries`)).json()
    expect(log.deliveries[0]).toMatchObject({ eventId, event: 'wave_closed', status: 'delivered', attempts: 1, lastStatus: 200, nextTryAt: null })
    expect(log.deliveries[0].tries).toHaveLength(1)
  })

  it('queues an event only for active webhooks that subscribed to it', async () => {
    const on = await hookTo('/subscribed', ['wave_closed'])
    await hookTo('/other-event', ['wave_opened'], false)
    const eventId = await announce()
    const rows = await ctx.database.db.selectFrom('webhook_deliveries').select('webhook_id').where('event_id', '=', eventId).execute()
    expect(rows.map((r) => r.webhook_id)).toEqual([on.id])
    await deliver()
  })

  it('tries a failing receiver again with backoff: 500, 500, then 200 is three tries logged and one delivery', async () => {
    await hookTo('/flaky')
    receiver.script.push({ status: 500 }, { status: 500 }, { status: 200 })
    const eventId = await announce()
    const before = receiver.received.length
    expect(await deliver()).toBe(0)
    let delivery = await deliveryOf(eventId)
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, last_status: 500, last_error: 'answered 500' })
    expect(delivery.run_at.getTime() - (await triesOf(delivery.id)).at(-1)!.at.getTime()).toBe(30_000)
    // Not due yet: nothing is sent.
    expect(await deliver()).toBe(0)
    expect(receiver.received.length).toBe(before + 1)
    ahead += 31_000
    expect(await deliver()).toBe(0)
    delivery = await deliveryOf(eventId)
    expect(delivery).toMatchObject({ status: 'pending', attempts: 2, last_status: 500 })
    expect(delivery.run_at.getTime() - (await triesOf(delivery.id)).at(-1)!.at.getTime()).toBe(60_000)
    ahead += 61_000
    expect(await deliver()).toBe(1)
    delivery = await deliveryOf(eventId)
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, last_status: 200, last_error: null })
    expect((await triesOf(delivery.id)).map((t) => t.status_code)).toEqual([500, 500, 200])
    const arrivals = receiver.received.slice(before)
    expect(arrivals.map((r) => r.status)).toEqual([500, 500, 200])
    expect(new Set(arrivals.map((r) => r.headers['x-servicegap-delivery']))).toEqual(new Set([eventId]))
    expect(arrivals.every((r) => r.verified)).toBe(true)
    expect(receiver.processed.filter((id) => id === eventId)).toHaveLength(1)
  })

  it('does not follow a redirect: a 302 is a failure, and the address it points to is never asked', async () => {
    await hookTo('/moved')
    receiver.script.push({ status: 302, headers: { location: `${receiver.url}/elsewhere` } })
    const before = receiver.received.length
    const eventId = await announce()
    expect(await deliver()).toBe(0)
    await new Promise((done) => setTimeout(done, 100))
    expect(receiver.received.slice(before).map((r) => r.path)).toEqual(['/moved'])
    expect(await deliveryOf(eventId)).toMatchObject({ status: 'failed', attempts: 1, last_status: 302 })
  })

  it('gives a slow receiver a short deadline, logs a timeout and tries again later', async () => {
    await hookTo('/slow')
    receiver.script.push({ status: 200, delayMs: 1500 })
    const eventId = await announce()
    const started = Date.now()
    expect(await deliver({ timeoutMs: 300 })).toBe(0)
    expect(Date.now() - started).toBeLessThan(1200)
    const delivery = await deliveryOf(eventId)
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, last_status: null })
    expect(delivery.last_error).toMatch(/^timeout: no answer within 300 ms/)
    const [attempt] = await triesOf(delivery.id)
    expect(attempt!.duration_ms).toBeGreaterThanOrEqual(250)
    expect(attempt!.duration_ms).toBeLessThan(1200)
    ahead += 31_000
    expect(await deliver()).toBe(1)
    // Turned off while a try is in flight: the failed try leaves nothing waiting.
    receiver.script.push({ status: 503, delayMs: 300 })
    const inFlight = await announce()
    const pass = deliver()
    await new Promise((done) => setTimeout(done, 100))
    await ctx.database.db.updateTable('webhooks').set({ active: false }).where('organization_id', '=', tenant.organizationId).execute()
    await pass
    expect(await deliveryOf(inFlight)).toMatchObject({ status: 'failed', last_status: 503 })
  })

  it('turns a webhook off when the receiver answers 410 Gone', async () => {
    const { id } = await hookTo('/gone')
    receiver.script.push({ status: 410 })
    const eventId = await announce()
    await deliver()
    expect(await deliveryOf(eventId)).toMatchObject({ status: 'failed', last_status: 410 })
    expect((await api('GET', `/webhooks/${id}`)).json().active).toBe(false)
  })

  it('refuses plain http, internal addresses and credentials when a webhook is saved', async () => {
    const cases: Array<[string, RegExp]> = [
      ['http://hooks.example.com/in', /https/],
      ['https://10.0.0.1/in', /private network/],
      ['https://169.254.169.254/latest/meta-data', /link-local/],
      ['https://100.64.0.1/in', /carrier-grade NAT/],
      ['https://[::ffff:127.0.0.1]/in', /IPv4 address written as IPv6/],
      ['https://[fc00::1]/in', /private network/],
      ['https://user:secret@hooks.example.com/in', /user name and password/],
    ]
    for (const [url, error] of cases) {
      const response = await api('POST', '/webhooks', { url, events: ['wave_closed'] })
      expect(response.statusCode, url).toBe(400)
      expect(response.json().details, url).toEqual([{ field: 'url', message: expect.stringMatching(error) }])
    }
    // Without WEBHOOKS_ALLOW_LOOPBACK, this machine is refused too, by name or by address.
    const strict = loadConfig({ SIGNING_SECRET: ctx.config.signingSecret, DATA_DIR: ctx.config.dataDir })
    const caller = { principal: { organizationId: tenant.organizationId, userId: tenant.owner.userId, email: tenant.owner.email, name: '', role: 'owner', organizationName: 'Hooks Org', via: 'session' }, ip: '127.0.0.1' } as const
    for (const url of [`${receiver.url}/in`, `http://localhost:${receiver.port}/in`, 'https://localhost/in', 'https://127.0.0.1/in']) {
      const refused = await createWebhook(ctx.database.db, strict, caller, { url, events: ['wave_closed'] })
      expect(refused.ok, url).toBe(false)
    }
    // A name is looked up when saved: one whose addresses include an internal one is refused.
    const rebinding = await createWebhook(ctx.database.db, strict, caller, { url: 'https://hooks.example.test/in', events: ['wave_closed'] },
      async () => [{ address: '93.184.216.34', family: 4 }, { address: '10.1.2.3', family: 4 }])
    expect(rebinding).toEqual({ ok: false, errors: { url: 'This address cannot receive webhooks: hooks.example.test resolves to 10.1.2.3 is in a private network.' } })
    const events = await api('POST', '/webhooks', { url: `${receiver.url}/x`, events: ['no_such_event'] })
    expect(events.statusCode).toBe(400)
    const none = await api('POST', '/webhooks', { url: `${receiver.url}/x`, events: [] })
    expect(none.statusCode).toBe(400)
  })

  it('checks the address again at every delivery, after resolving the name, and connects only to what it checked', async () => {
    // Saved while loopback was allowed; delivered by a worker whose settings no longer allow it.
    await hookTo('/later-refused')
    const strict = loadConfig({ SIGNING_SECRET: ctx.config.signingSecret, DATA_DIR: ctx.config.dataDir })
    const before = receiver.received.length
    const refused = await announce()
    expect(await deliver({}, strict)).toBe(0)
    expect(receiver.received.length).toBe(before)
    const delivery = await deliveryOf(refused)
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, last_status: null })
    expect(delivery.last_error).toMatch(/^refused: The address must start with https:\/\//)

    // A name that resolves to a public and an internal address is refused without any connection.
    const id = randomUUID()
    const secret = 'whsec_rebinding'
    await insertWebhook(ctx.database.db, tenant.organizationId, { id, url: 'https://hooks.example.test/in', events: ['wave_closed'], sealedSecret: seal(ctx.config.signingSecret, 'webhook-secret', id, secret) })
    const mixed = await announce()
    await deliver({ resolve: async () => [{ address: '93.184.216.34', family: 4 }, { address: '169.254.169.254', family: 4 }] })
    expect((await ctx.database.db.selectFrom('webhook_deliveries').select(['status', 'last_error']).where('event_id', '=', mixed).where('webhook_id', '=', id).executeTakeFirstOrThrow()))
      .toEqual({ status: 'failed', last_error: 'refused: hooks.example.test resolves to 169.254.169.254 is link-local (where cloud metadata services answer)' })
    await ctx.database.db.deleteFrom('webhooks').where('id', '=', id).execute()

    // The connection goes to the address the check saw: a resolver that says 127.0.0.2 (where nothing
    // listens) makes "localhost" unreachable, though the system would have said 127.0.0.1.
    await ctx.database.db.updateTable('webhooks').set({ active: false }).where('organization_id', '=', tenant.organizationId).execute()
    const pinned = await api('POST', '/webhooks', { url: `http://localhost:${receiver.port}/pinned`, events: ['wave_closed'] })
    receiver.secret = pinned.json().secret
    const elsewhere = await announce()
    await deliver({ resolve: async () => [{ address: '127.0.0.2', family: 4 }] })
    expect((await deliveryOf(elsewhere)).last_error).toMatch(/^network: ECONNREFUSED.*127\.0\.0\.2/)
    ahead += 31_000
    await deliver({ resolve: async () => [{ address: '127.0.0.1', family: 4 }] })
    expect(await deliveryOf(elsewhere)).toMatchObject({ status: 'delivered', attempts: 2 })
    expect(receiver.received.at(-1)!.headers.host).toBe(`localhost:${receiver.port}`)
  })

  it('changes, turns off and deletes a webhook through the API; turning it off gives up what waits', async () => {
    const { id } = await hookTo('/patched')
    const changed = await api('PATCH', `/webhooks/${id}`, { events: ['wave_opened', 'wave_closed'], url: `${receiver.url}/patched-2` })
    expect(changed.statusCode).toBe(200)
    expect(changed.json()).toMatchObject({ events: ['wave_opened', 'wave_closed'], url: `${receiver.url}/patched-2` })
    expect((await api('PATCH', `/webhooks/${id}`, { url: 'https://10.0.0.1/' })).statusCode).toBe(400)
    const waiting = await announce()
    expect((await api('PATCH', `/webhooks/${id}`, { active: false })).json().active).toBe(false)
    expect(await deliveryOf(waiting)).toMatchObject({ status: 'failed', last_error: 'The webhook was turned off before this was sent.' })
    const audit = await ctx.database.db.selectFrom('audit_log').select(['action', 'detail']).where('organization_id', '=', tenant.organizationId).where('action', '=', 'webhook_changed').orderBy('at', 'desc').execute()
    expect(audit.length).toBeGreaterThanOrEqual(2)
    expect(JSON.stringify(audit)).not.toContain('/patched')
    // Paging through the log.
    expect((await api('PATCH', `/webhooks/${id}`, { active: true })).statusCode).toBe(200)
    for (let i = 0; i < 3; i++) await announce({ i })
    const first = (await api('GET', `/webhooks/${id}/deliveries?limit=2`)).json()
    expect(first.deliveries).toHaveLength(2)
    const second = (await api('GET', `/webhooks/${id}/deliveries?limit=2&before=${first.nextBefore}`)).json()
    expect(second.deliveries).toHaveLength(2)
    expect(second.nextBefore).toBeNull()
    for (const query of ['limit=0', 'limit=101', 'limit=1e309', 'before=1e309', 'before=x']) {
      const refused = await api('GET', `/webhooks/${id}/deliveries?${query}`)
      expect(refused.statusCode, query).toBe(400)
      expect(refused.json().error).toBe('validation_failed')
    }
    expect((await api('DELETE', `/webhooks/${id}`)).statusCode).toBe(204)
    expect((await api('GET', `/webhooks/${id}`)).statusCode).toBe(404)
    expect((await api('DELETE', `/webhooks/${id}`)).statusCode).toBe(404)
    const deleted = await ctx.database.db.selectFrom('audit_log').select('action').where('organization_id', '=', tenant.organizationId).where('action', '=', 'webhook_deleted').execute()
    expect(deleted).toHaveLength(1)
  })

  it('keeps each organization to its own webhooks, and lets only owners and admins manage them', async () => {
    const { id } = await hookTo('/mine')
    const other = await createTenant(ctx, 'Other Org')
    const otherToken = await apiToken(ctx, other.owner.email)
    for (const [method, url, payload] of [['GET', `/webhooks/${id}`], ['PATCH', `/webhooks/${id}`, { active: false }], ['DELETE', `/webhooks/${id}`], ['GET', `/webhooks/${id}/deliveries`]] as const) {
      const response = await api(method, url, payload, otherToken)
      expect(response.statusCode, `${method} ${url}`).toBe(404)
      expect(response.json().error).toBe('not_found')
    }
    expect((await api('GET', '/webhooks', undefined, otherToken)).json()).toEqual([])
    const otherBrowser = await signedIn(ctx, other.owner.email)
    expect((await otherBrowser.get(`/settings/webhooks/${id}`)).statusCode).toBe(404)
    expect((await otherBrowser.post(`/settings/webhooks/${id}/delete`)).statusCode).toBe(404)
    expect((await otherBrowser.get('/settings/webhooks')).body).not.toContain('/mine')
    expect((await api('GET', `/webhooks/${id}`)).json().active).toBe(true)

    const admin = await addPerson(ctx, tenant, 'admin')
    expect((await api('GET', '/webhooks', undefined, await apiToken(ctx, admin))).statusCode).toBe(200)
    const analyst = await addPerson(ctx, tenant, 'analyst')
    expect((await api('GET', '/webhooks', undefined, await apiToken(ctx, analyst))).statusCode).toBe(403)
    expect((await (await signedIn(ctx, analyst)).get('/settings/webhooks')).statusCode).toBe(403)
  })

  it('adds a webhook on the settings page: CSRF, per-field errors with the values kept, the secret once', async () => {
    const browser = await signedIn(ctx, tenant.owner.email)
    const settings = await browser.get('/settings')
    expect(settings.body).toContain('href="/settings/webhooks"')
    expect((await browser.get('/settings/webhooks')).statusCode).toBe(200)
    expect((await browser.post('/settings/webhooks', { _csrf: '', url: `${receiver.url}/page`, events: 'wave_closed' })).statusCode).toBe(403)

    const wrong = await browser.post('/settings/webhooks', { url: 'http://hooks.example.com/<b>in</b>', events: ['wave_opened', 'plan_changed'] })
    expect(wrong.statusCode).toBe(422)
    expect(wrong.body).toContain('The address must start with https://')
    expect(wrong.body).toContain('value="http://hooks.example.com/&lt;b&gt;in&lt;/b&gt;"')
    expect(wrong.body).toMatch(/id="event-wave_opened" name="events" value="wave_opened" checked/)
    expect(wrong.body).toMatch(/id="event-plan_changed" name="events" value="plan_changed" checked/)
    expect(wrong.body).not.toMatch(/id="event-wave_closed" name="events" value="wave_closed" checked/)
    const noEvents = await browser.post('/settings/webhooks', { url: `${receiver.url}/page` })
    expect(noEvents.statusCode).toBe(422)
    expect(noEvents.body).toContain('Choose at least one event to send.')
    expect(noEvents.body).toContain(`value="${receiver.url}/page"`)

    const made = await browser.post('/settings/webhooks', { url: `${receiver.url}/page`, events: 'wave_closed' })
    expect(made.statusCode).toBe(201)
    expect(made.headers['cache-control']).toBe('no-store')
    const secret = made.body.match(/id="new-secret" class="link-url" type="text" value="(whsec_[\w-]+)"/)![1]!
    const id = made.body.match(/href="\/settings\/webhooks\/([0-9a-f-]{36})">Send it a test event/)![1]!
    expect((await browser.get('/settings/webhooks')).body).not.toContain(secret)
    expect((await browser.get(`/settings/webhooks/${id}`)).body).not.toContain(secret)

    // The test event is a signed `ping` to this webhook only, checked with the secret the page showed.
    receiver.secret = secret
    await browser.get(`/settings/webhooks/${id}`)
    const tested = await browser.post(`/settings/webhooks/${id}/test`)
    expect(tested.statusCode).toBe(303)
    const before = receiver.received.length
    await deliver()
    const ping = receiver.received.slice(before)
    expect(ping).toHaveLength(1)
    expect(ping[0]).toMatchObject({ path: '/page', verified: true })
    expect(ping[0]!.headers['x-servicegap-event']).toBe('ping')
    const log = await browser.get(`/settings/webhooks/${id}`)
    expect(log.body).toContain('<code>ping</code>')
    expect(log.body).toContain('Delivered')

    // Editing keeps what was typed on an error.
    const badEdit = await browser.post(`/settings/webhooks/${id}`, { url: 'https://192.168.0.10/in', events: 'wave_opened' })
    expect(badEdit.statusCode).toBe(422)
    expect(badEdit.body).toContain('is in a private network')
    expect(badEdit.body).toContain('value="https://192.168.0.10/in"')
    expect(badEdit.body).toMatch(/value="wave_opened" checked/)

    // Off, on, and deleted after a confirmation.
    await browser.get(`/settings/webhooks/${id}`)
    expect((await browser.post(`/settings/webhooks/${id}/active`, { active: 'off' })).statusCode).toBe(303)
    const off = await browser.get(`/settings/webhooks/${id}`)
    expect(off.body).toContain('It is <strong>off</strong>')
    expect(off.body).not.toContain('Send a test event')
    expect((await browser.post(`/settings/webhooks/${id}/test`)).statusCode).toBe(409)
    expect((await browser.post(`/settings/webhooks/${id}/active`, { active: 'on' })).statusCode).toBe(303)
    expect((await browser.get(`/settings/webhooks/${id}`)).body).toContain('It is <strong>on</strong>')
    const confirm = await browser.get(`/settings/webhooks/${id}/delete`)
    expect(confirm.body).toContain('Delete this webhook?')
    expect((await browser.post(`/settings/webhooks/${id}/delete`)).statusCode).toBe(303)
    expect((await browser.get(`/settings/webhooks/${id}`)).statusCode).toBe(404)
    expect((await new Browser(ctx.app).get(`/settings/webhooks`)).statusCode).toBe(303)
  })

  it('takes back a delivery a stopped worker left in "sending", logging the lost try, and delivers it', async () => {
    await hookTo('/stale')
    const eventId = await announce()
    // A worker claimed it an hour ago and was never heard of again.
    await ctx.database.db.updateTable('webhook_deliveries').set({ status: 'sending', attempts: 1, locked_at: new Date(Date.now() - HOUR) }).where('event_id', '=', eventId).execute()
    expect(await deliver()).toBe(1)
    const delivery = await deliveryOf(eventId)
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 })
    expect((await triesOf(delivery.id)).map((t) => [t.status_code, t.error])).toEqual([[null, 'interrupted: the worker stopped before the answer was recorded'], [200, null]])
  })
}, { WEBHOOKS_ALLOW_LOOPBACK: 'true' }, { loop: { worker: false } })

describeEachDatabase('webhooks in the running loop', (ctx) => {
  let receiver: Receiver
  beforeAll(async () => {
    receiver = await startReceiver()
  })
  afterAll(async () => receiver?.close())

  it('delivers a queued event without anyone calling the worker', async () => {
    const tenant = await createTenant(ctx, 'Loop Org')
    const token = await apiToken(ctx, tenant.owner.email)
    const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: bearer(token), payload: { url: `${receiver.url}/loop`, events: ['alert_raised'] } })
    receiver.secret = created.json().secret
    const eventId = await queueWebhookEvent(ctx.database.db, tenant.organizationId, 'alert_raised', { alertId: 'a1' })
    await expect.poll(() => receiver.processed.includes(eventId), { timeout: 10_000 }).toBe(true)
  })
}, { WEBHOOKS_ALLOW_LOOPBACK: 'true' }, { loop: { intervalMs: 100 } })
