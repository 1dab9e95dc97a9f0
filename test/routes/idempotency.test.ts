// Idempotency-Key on the API's creating POSTs: a retry with the same key gets the first answer again
// (and nothing is created twice), another request with the key is refused (422), a request while the
// first still runs is refused (409), keys are each caller's own, 5xx answers are not kept, keys last
// 24 hours and are purged after, and a request without a key is as it always was.
import { sql } from 'kysely'
import { beforeAll, expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { keyHash } from '../../server/domain/idempotency.js'
import { claimKey, purgeIdempotencyKeys } from '../../server/repositories/idempotency-keys.js'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, type Tenant } from '../helpers/app.js'

const ITEMS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const HOUR = 60 * 60 * 1000
const customerRow = (value: number) => ({ side: 'customer', answers: Object.fromEntries(ITEMS.map((key) => [key, value])) })

let counter = 0
const newKey = (label = 'key') => `${label}-${Date.now().toString(36)}-${counter++}`

describeEachDatabase('Idempotency-Key on creating POSTs', (ctx) => {
  let tenant: Tenant
  let token: string
  let other: Tenant
  let otherToken: string
  let waveId: string

  const db = () => ctx.database.db
  const post = (url: string, payload: unknown, key?: string, options: { token?: string; contentType?: string } = {}) => ctx.app.inject({
    method: 'POST',
    url: `/api/v1${url}`,
    headers: {
      ...bearer(options.token ?? token),
      'content-type': options.contentType ?? 'application/json',
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  })
  const count = async (table: 'waves' | 'units' | 'contacts' | 'responses', organizationId = tenant.organizationId) => {
    const row = await db().selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', organizationId).executeTakeFirstOrThrow()
    return Number(row.n)
  }
  const keysHeld = async (organizationId = tenant.organizationId) => {
    const row = await db().selectFrom('idempotency_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', organizationId).executeTakeFirstOrThrow()
    return Number(row.n)
  }

  beforeAll(async () => {
    tenant = await createTenant(ctx, 'Retry Co')
    token = await apiToken(ctx, tenant.owner.email)
    other = await createTenant(ctx, 'Other Co')
    otherToken = await apiToken(ctx, other.owner.email)
    const wave = await post('/waves', { name: 'Base', templateKey: 'service-gap-index' })
    expect(wave.statusCode).toBe(201)
    waveId = wave.json().id
    expect((await post('/units', { name: 'North' })).statusCode).toBe(201)
  })

  it('replays the first answer to a wave created again with the same key, and creates no second wave', async () => {
    const key = newKey('wave')
    const body = { name: 'Spring', templateKey: 'service-gap-index' }
    const first = await post('/waves', body, key)
    expect(first.statusCode).toBe(201)
    expect(first.headers['idempotent-replayed']).toBeUndefined()
    const waves = await count('waves')
    const again = await post('/waves', body, key)
    expect(again.statusCode).toBe(201)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.headers['content-type']).toBe(first.headers['content-type'])
    expect(again.body).toBe(first.body)
    expect(await count('waves')).toBe(waves)
    // Without a key the same body runs again, as it always did: here its name is taken.
    const plain = await post('/waves', body)
    expect(plain.statusCode).toBe(409)
    expect(plain.json().error).not.toMatch(/idempotency/)
    expect(plain.headers['idempotent-replayed']).toBeUndefined()
  })

  it('stores imported responses once: a replay leaves the report\'s n as it was', async () => {
    const wave = await post('/waves', { name: 'Responses', templateKey: 'service-gap-index' })
    const url = `/waves/${wave.json().id}/responses`
    const rows = Array.from({ length: 6 }, (_, i) => customerRow(1 + (i % 5)))
    const key = newKey('responses')
    const first = await post(url, rows, key)
    expect(first.statusCode, first.body).toBe(201)
    expect(first.json().ids).toHaveLength(6)
    const n = async () => {
      const report = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${wave.json().id}/report`, headers: bearer(token) })
      expect(report.statusCode).toBe(200)
      return report.json().headline.customer.n as number
    }
    expect(await n()).toBe(6)
    const again = await post(url, rows, key)
    expect(again.statusCode).toBe(201)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.json()).toEqual(first.json())
    expect(await n()).toBe(6)
  })

  it('replays a CSV contacts import, and counts the file\'s bytes: another file with the key is refused', async () => {
    const csv = 'email,name,side,unit\nana@example.test,Ana,customer,North\nbea@example.test,Bea,staff,North\nnot-an-email,Cy,customer,North\n'
    const key = newKey('csv')
    const first = await post('/contacts', csv, key, { contentType: 'text/csv' })
    expect(first.statusCode, first.body).toBe(200)
    expect(first.json()).toMatchObject({ created: 2, updated: 0, errorCount: 1 })
    const contacts = await count('contacts')
    const again = await post('/contacts', csv, key, { contentType: 'text/csv' })
    expect(again.statusCode).toBe(200)
    expect(again.headers['idempotent-replayed']).toBe('true')
    // Not "updated: 2", which the import would answer if it ran again.
    expect(again.body).toBe(first.body)
    expect(await count('contacts')).toBe(contacts)
    const edited = await post('/contacts', csv.replace('Ana', 'Anna'), key, { contentType: 'text/csv' })
    expect(edited.statusCode).toBe(422)
    expect(edited.json().error).toBe('idempotency_key_reused')
    // A JSON import is the same mechanism, keyed on its bytes too.
    const jsonKey = newKey('json-contacts')
    const rows = [{ email: 'di@example.test', side: 'customer' }]
    expect((await post('/contacts', rows, jsonKey)).json()).toMatchObject({ created: 1 })
    expect((await post('/contacts', rows, jsonKey)).json()).toMatchObject({ created: 1 })
  })

  it('replays invitations and webhooks too: the first count of queued invitations, and a webhook\'s secret only to its caller, never cached', async () => {
    const key = newKey('invite')
    const first = await post(`/waves/${waveId}/invitations`, { side: 'customer' }, key)
    expect(first.statusCode).toBe(202)
    expect(first.json().queued).toBeGreaterThan(0)
    const again = await post(`/waves/${waveId}/invitations`, { side: 'customer' }, key)
    expect(again.statusCode).toBe(202)
    // Run again, it would queue nobody (everyone is invited): the replay is the first answer.
    expect(again.json()).toEqual(first.json())
    expect((await post(`/waves/${waveId}/invitations`, { side: 'customer' })).json()).toEqual({ queued: 0 })
    const hookKey = newKey('webhook')
    const body = { url: 'https://example.com/hook', events: ['wave_closed'] }
    const created = await post('/webhooks', body, hookKey)
    expect(created.statusCode).toBe(201)
    const replayed = await post('/webhooks', body, hookKey)
    expect(replayed.body).toBe(created.body)
    expect(replayed.headers['cache-control']).toBe('no-store')
    const listed = await ctx.app.inject({ method: 'GET', url: '/api/v1/webhooks', headers: bearer(token) })
    expect(listed.json().filter((hook: { id: string }) => hook.id === created.json().id)).toHaveLength(1)
    expect(listed.json()).toHaveLength(1)
    // Another person of the same organization with the same key runs their own request.
    const colleague = await apiToken(ctx, await addPerson(ctx, tenant, 'admin'))
    const theirs = await post('/webhooks', body, hookKey, { token: colleague })
    expect(theirs.statusCode).toBe(201)
    expect(theirs.headers['idempotent-replayed']).toBeUndefined()
    expect(theirs.json().secret).not.toBe(created.json().secret)
  })

  it('refuses the key for another body or another path with 422, and stores nothing for it', async () => {
    const key = newKey('reuse')
    expect((await post('/units', { name: 'East' }, key)).statusCode).toBe(201)
    const units = await count('units')
    for (const [url, body] of [['/units', { name: 'West' }], ['/waves', { name: 'East', templateKey: 'service-gap-index' }]] as const) {
      const reused = await post(url, body, key)
      expect(reused.statusCode, url).toBe(422)
      expect(reused.json()).toEqual({ error: 'idempotency_key_reused', message: expect.stringContaining('Idempotency-Key'), details: [{ field: 'Idempotency-Key', message: expect.any(String) }] })
      expect(reused.headers['idempotent-replayed']).toBeUndefined()
    }
    expect(await count('units')).toBe(units)
    expect(await db().selectFrom('units').select('id').where('organization_id', '=', tenant.organizationId).where('name', '=', 'West').execute()).toEqual([])
  })

  it('keeps each organization\'s keys apart: the same key elsewhere runs on its own and reads nothing of the other\'s', async () => {
    const key = newKey('shared')
    const mine = await post('/units', { name: 'Shared key' }, key)
    expect(mine.statusCode).toBe(201)
    const theirs = await post('/units', { name: 'Shared key' }, key, { token: otherToken })
    expect(theirs.statusCode).toBe(201)
    expect(theirs.headers['idempotent-replayed']).toBeUndefined()
    expect(theirs.json().id).not.toBe(mine.json().id)
    // Another body under the same key is theirs to use: nothing of ours is compared with it.
    const otherKey = newKey('other-body')
    expect((await post('/units', { name: 'Ours' }, otherKey)).statusCode).toBe(201)
    expect((await post('/units', { name: 'Theirs' }, otherKey, { token: otherToken })).statusCode).toBe(201)
    expect(await keysHeld(other.organizationId)).toBe(2)
    // What is kept is sealed: neither the key nor the answer can be read from the table.
    const rows = await db().selectFrom('idempotency_keys').selectAll().where('organization_id', '=', tenant.organizationId).execute()
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) {
      expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/)
      expect(row.body ?? '').not.toContain('Shared key')
    }
  })

  it('lets one of two concurrent requests with a key create, and answers the other 409 or with the replay', async () => {
    const key = newKey('race')
    const body = { name: 'Race', templateKey: 'service-gap-index' }
    const waves = await count('waves')
    const answers = await Promise.all([post('/waves', body, key), post('/waves', body, key)])
    const statuses = answers.map((a) => a.statusCode).sort()
    expect(statuses[0]).toBe(201)
    expect([201, 409]).toContain(statuses[1])
    const replayedOrRefused = answers.filter((a) => a.headers['idempotent-replayed'] === 'true' || a.statusCode === 409)
    expect(replayedOrRefused).toHaveLength(1)
    expect(await count('waves')).toBe(waves + 1)
  })

  it('answers 409 while the key is held by a request still running (as another app instance sees it)', async () => {
    const key = newKey('running')
    const held = await claimKey(db(), { organizationId: tenant.organizationId, userId: tenant.owner.userId, keyHash: keyHash(key) })
    expect(held.claimed).toBe(true)
    const units = await count('units')
    const busy = await post('/units', { name: 'Busy' }, key)
    expect(busy.statusCode).toBe(409)
    expect(busy.json()).toMatchObject({ error: 'idempotency_key_in_progress' })
    expect(await count('units')).toBe(units)
    // A claim left unfinished past its lease (its process died) is taken over.
    await db().updateTable('idempotency_keys').set({ created_at: new Date(Date.now() - HOUR) }).where('key_hash', '=', keyHash(key)).execute()
    expect((await post('/units', { name: 'Busy' }, key)).statusCode).toBe(201)
  })

  it('keeps no 5xx answer: after a database failure, the retry with the same key runs afresh', async () => {
    // The database refuses this one unit once, as a failing disk or a broken constraint would.
    await sql.raw(`create function refuse_flaky_unit() returns trigger language plpgsql as $$
      begin if new.name = 'Flaky' then raise exception 'disk on fire'; end if; return new; end $$`).execute(db())
    await sql.raw('create trigger refuse_flaky_unit before insert on units for each row execute function refuse_flaky_unit()').execute(db())
    const key = newKey('flaky')
    try {
      const failed = await post('/units', { name: 'Flaky' }, key)
      expect(failed.statusCode).toBe(500)
      expect(await db().selectFrom('idempotency_keys').select('key_hash').where('key_hash', '=', keyHash(key)).execute()).toEqual([])
    } finally {
      await sql.raw('drop trigger refuse_flaky_unit on units').execute(db())
      await sql.raw('drop function refuse_flaky_unit()').execute(db())
    }
    const retry = await post('/units', { name: 'Flaky' }, key)
    expect(retry.statusCode).toBe(201)
    expect(retry.headers['idempotent-replayed']).toBeUndefined()
    const replay = await post('/units', { name: 'Flaky' }, key)
    expect(replay.headers['idempotent-replayed']).toBe('true')
    expect(replay.body).toBe(retry.body)
  })

  it('frees the key once the database is back when even giving it back failed (the outage case): a retry then runs afresh', async () => {
    // The unit cannot be stored, and the first attempt to give the key back fails too (a sequence
    // counts attempts outside any transaction), as when the database goes away mid-request.
    await sql.raw(`create function refuse_outage_unit() returns trigger language plpgsql as $$
      begin if new.name = 'Outage' then raise exception 'connection lost'; end if; return new; end $$`).execute(db())
    await sql.raw('create trigger refuse_outage_unit before insert on units for each row execute function refuse_outage_unit()').execute(db())
    await sql.raw('create sequence release_attempts').execute(db())
    await sql.raw(`create function refuse_first_release() returns trigger language plpgsql as $$
      begin if nextval('release_attempts') = 1 then raise exception 'connection lost'; end if; return old; end $$`).execute(db())
    await sql.raw('create trigger refuse_first_release before delete on idempotency_keys for each row execute function refuse_first_release()').execute(db())
    const key = newKey('outage')
    try {
      expect((await post('/units', { name: 'Outage' }, key)).statusCode).toBe(500)
      // The claim is still there for a moment: a retry now does not run twice beside it.
      expect((await post('/units', { name: 'Outage' }, key)).statusCode).toBe(409)
    } finally {
      await sql.raw('drop trigger refuse_outage_unit on units').execute(db())
      await sql.raw('drop function refuse_outage_unit()').execute(db())
    }
    let retry = await post('/units', { name: 'Outage' }, key)
    for (let waited = 0; retry.statusCode === 409 && waited < 5000; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      retry = await post('/units', { name: 'Outage' }, key)
    }
    await sql.raw('drop trigger refuse_first_release on idempotency_keys').execute(db())
    await sql.raw('drop function refuse_first_release()').execute(db())
    await sql.raw('drop sequence release_attempts').execute(db())
    expect(retry.statusCode).toBe(201)
    expect(retry.headers['idempotent-replayed']).toBeUndefined()
  })

  it('replays a kept client error as it was: a 409 for a taken name stays that answer', async () => {
    const key = newKey('conflict')
    const first = await post('/units', { name: 'North' }, key)
    expect(first.statusCode).toBe(409)
    const again = await post('/units', { name: 'North' }, key)
    expect(again.statusCode).toBe(409)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.body).toBe(first.body)
  })

  it('forgets a key after 24 hours: the request runs again, and the purge removes the old row', async () => {
    const key = newKey('old')
    const url = `/waves/${waveId}/responses`
    const body = [customerRow(3)]
    const first = await post(url, body, key)
    expect(first.statusCode).toBe(201)
    expect((await post(url, body, key)).headers['idempotent-replayed']).toBe('true')
    await db().updateTable('idempotency_keys').set({ created_at: new Date(Date.now() - 25 * HOUR) }).where('key_hash', '=', keyHash(key)).execute()
    const responses = await count('responses')
    const later = await post(url, body, key)
    expect(later.statusCode).toBe(201)
    expect(later.headers['idempotent-replayed']).toBeUndefined()
    expect(later.json().ids).not.toEqual(first.json().ids)
    expect(await count('responses')).toBe(responses + 1)
    expect((await post(url, body, key)).headers['idempotent-replayed']).toBe('true')
    // The purge removes keys a day old (here one left alone since), and keeps the younger ones.
    const stale = newKey('stale')
    expect((await post('/units', { name: 'Stale' }, stale)).statusCode).toBe(201)
    await db().updateTable('idempotency_keys').set({ created_at: new Date(Date.now() - 25 * HOUR) }).where('key_hash', '=', keyHash(stale)).execute()
    const held = (await db().selectFrom('idempotency_keys').select('key_hash').execute()).length
    expect(await purgeIdempotencyKeys(db())).toBe(1)
    expect(await db().selectFrom('idempotency_keys').select('key_hash').where('key_hash', '=', keyHash(stale)).execute()).toEqual([])
    expect((await post(url, body, key)).headers['idempotent-replayed']).toBe('true')
    // With its clock a day on, every key kept today goes.
    expect(await purgeIdempotencyKeys(db(), new Date(Date.now() + 25 * HOUR))).toBe(held - 1)
    expect(await db().selectFrom('idempotency_keys').select('key_hash').execute()).toEqual([])
  })

  it('refuses a malformed key with a 400 naming the header, and creates nothing', async () => {
    const units = await count('units')
    for (const bad of ['', ' ', 'two words', 'x'.repeat(256), 'naïve', 'tab\there']) {
      const response = await post('/units', { name: `Bad ${bad.length}` }, bad)
      expect(response.statusCode, JSON.stringify(bad)).toBe(400)
      expect(response.json()).toMatchObject({ error: 'invalid_idempotency_key', message: expect.stringContaining('Idempotency-Key'), details: [{ field: 'Idempotency-Key' }] })
    }
    expect(await count('units')).toBe(units)
    expect((await post('/units', { name: 'Longest key' }, 'k'.repeat(255))).statusCode).toBe(201)
  })

  it('leaves POST /tokens alone: a key there is neither checked nor kept', async () => {
    const held = await keysHeld()
    const asked = () => ctx.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { 'idempotency-key': 'token-key' }, payload: { email: tenant.owner.email, password: 'correct horse battery staple' } })
    const first = await asked()
    const second = await asked()
    expect(first.statusCode).toBe(201)
    expect(second.statusCode).toBe(201)
    expect(second.headers['idempotent-replayed']).toBeUndefined()
    expect(second.json().token).not.toBe(first.json().token)
    expect(await keysHeld()).toBe(held)
  })

  it('declares the header on every creating POST but POST /tokens, with the 409 and 422 it adds', async () => {
    const document = (await ctx.app.inject({ method: 'GET', url: '/api/docs/json' })).json() as { paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; required?: boolean }>; responses: Record<string, unknown> }>> }
    const posts = Object.entries(document.paths).flatMap(([path, item]) => (item.post ? [[path, item.post] as const] : []))
    expect(posts.length).toBeGreaterThanOrEqual(8)
    for (const [path, operation] of posts) {
      const header = operation.parameters?.find((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key')
      if (path === '/api/v1/tokens') {
        expect(header, path).toBeUndefined()
        continue
      }
      expect(header, path).toMatchObject({ required: false })
      expect(Object.keys(operation.responses), path).toEqual(expect.arrayContaining(['409', '422']))
    }
  })
})
