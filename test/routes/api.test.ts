import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { apiToken, bearer, createTenant, describeEachDatabase, PASSWORD, type Tenant } from '../helpers/app.js'

describeEachDatabase('JSON API', (ctx) => {
  let tenant: Tenant
  let token: string
  const post = (url: string, payload: unknown, headers: Record<string, string> = bearer(token)) => ctx.app.inject({ method: 'POST', url, payload: payload as object, headers })
  const get = (url: string, headers = bearer(token)) => ctx.app.inject({ method: 'GET', url, headers })

  it('trades an email and password for a token, once per call, and refuses wrong credentials alike', async () => {
    tenant = await createTenant(ctx, 'Acme')
    const created = await post('/api/v1/tokens', { email: tenant.owner.email.toUpperCase(), password: PASSWORD }, {})
    expect(created.statusCode).toBe(201)
    token = created.json().token
    expect(token).toMatch(/^sgt_[A-Za-z0-9_-]{43}$/)
    const stored = await ctx.database.db.selectFrom('api_tokens').select(['token_hash', 'prefix']).execute()
    expect(stored.map((row) => row.token_hash)).not.toContain(token)
    expect(stored.some((row) => token.startsWith(row.prefix))).toBe(true)

    const wrong = await post('/api/v1/tokens', { email: tenant.owner.email, password: 'not the password' }, {})
    const nobody = await post('/api/v1/tokens', { email: 'nobody@example.test', password: 'not the password' }, {})
    expect(wrong.statusCode).toBe(401)
    expect(nobody.statusCode).toBe(401)
    expect(wrong.json()).toEqual(nobody.json())
    expect(wrong.json()).toMatchObject({ error: 'invalid_credentials', message: expect.any(String) })
  })

  it('answers malformed bodies with 400 and a list of what is wrong', async () => {
    const response = await post('/api/v1/tokens', { email: 42 }, {})
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ error: 'validation_failed', message: expect.any(String), details: expect.any(Array) })
    const notJson = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: '{"name":' })
    expect(notJson.statusCode).toBe(400)
    expect(notJson.json().error).toBeTruthy()
  })

  it('lists the built-in Service Gap Index with the organization name filled in and every translation', async () => {
    const response = await get('/api/v1/templates')
    expect(response.statusCode).toBe(200)
    const sgi = response.json().find((t: { key: string }) => t.key === 'service-gap-index')
    // The newest built-in version comes first: v2, v1's statements in five languages.
    expect(sgi).toMatchObject({ version: 2, builtIn: true, locales: ['en', 'es', 'de', 'fr', 'pt'] })
    expect(sgi.items.map((i: { key: string }) => i.key)).toEqual(SERVICE_GAP_INDEX_V1.items.map((i) => i.key))
    const headline = sgi.items.find((i: { headline: boolean }) => i.headline)
    expect(headline.key).toBe('excellent_service')
    expect(headline.customerText).toBe('I receive excellent service from Acme.')
    expect(headline.translations.de.customerText).toBe('Ich erhalte von Acme einen ausgezeichneten Service.')
    expect(headline.translations.fr.customerText).toBe('Je reçois un excellent service de la part de Acme.')
    expect(headline.translations.pt.customerText).toBe('Recebo de Acme um serviço excelente.')
  })

  it('creates a wave that is open at once, with absolute staff and customer links', async () => {
    const response = await post('/api/v1/waves', { name: '2026-Q4', templateKey: 'service-gap-index' })
    expect(response.statusCode).toBe(201)
    const wave = response.json()
    expect(wave).toMatchObject({ name: '2026-Q4', status: 'open', templateKey: 'service-gap-index', templateVersion: 2, locales: ['en', 'es', 'de', 'fr', 'pt'] })
    expect(wave.links.staff).toMatch(/^http:\/\/sg\.test\/s\/[A-Za-z0-9_-]{22}$/)
    expect(wave.links.customer).toMatch(/^http:\/\/sg\.test\/s\/[A-Za-z0-9_-]{22}$/)
    expect(wave.links.staff).not.toBe(wave.links.customer)

    const read = await get(`/api/v1/waves/${wave.id}`)
    expect(read.statusCode).toBe(200)
    expect(read.json()).toEqual(wave)
    const list = await get('/api/v1/waves')
    expect(list.json().map((w: { id: string }) => w.id)).toContain(wave.id)
  })

  it('keeps a wave as a draft when asked, or when its opening date lies ahead', async () => {
    const draft = await post('/api/v1/waves', { name: 'Draft wave', templateKey: 'service-gap-index', status: 'draft' })
    expect(draft.json().status).toBe('draft')
    const later = await post('/api/v1/waves', { name: 'Scheduled', templateKey: 'service-gap-index', opensAt: '2099-01-01', closesAt: '2099-03-31' })
    expect(later.statusCode).toBe(201)
    expect(later.json()).toMatchObject({ status: 'draft', opensAt: '2099-01-01T00:00:00.000Z', closesAt: '2099-04-01T00:00:00.000Z' })
  })

  it('gives per-unit links when asked', async () => {
    await post('/api/v1/units', { name: 'North branch' })
    await post('/api/v1/units', { name: 'South branch' })
    const duplicate = await post('/api/v1/units', { name: 'north branch' })
    expect(duplicate.statusCode).toBe(409)
    const response = await post('/api/v1/waves', { name: 'With units', templateKey: 'service-gap-index', unitLinks: true })
    const wave = response.json()
    expect(wave.unitLinks.map((u: { unit: { name: string } }) => u.unit.name).sort()).toEqual(['North branch', 'South branch'])
    for (const entry of wave.unitLinks) {
      expect(entry.staff).toMatch(/^http:\/\/sg\.test\/s\//)
      expect(entry.customer).toMatch(/^http:\/\/sg\.test\/s\//)
    }
  })

  it('names the problem when a wave cannot be created', async () => {
    const duplicate = await post('/api/v1/waves', { name: '2026-q4', templateKey: 'service-gap-index' })
    expect(duplicate.statusCode).toBe(409)
    expect(duplicate.json()).toMatchObject({ error: 'conflict', message: expect.stringContaining('already exists') })

    const unknown = await post('/api/v1/waves', { name: 'X', templateKey: 'no-such-template' })
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().details).toEqual([{ field: 'templateKey', message: 'Choose a template.' }])

    const backwards = await post('/api/v1/waves', { name: 'Y', templateKey: 'service-gap-index', opensAt: '2030-02-01', closesAt: '2030-01-01', status: 'draft' })
    expect(backwards.statusCode).toBe(400)
    expect(backwards.json().details[0].field).toBe('closesAt')

    const extra = await post('/api/v1/waves', { name: 'Z', templateKey: 'service-gap-index', surprise: true })
    expect(extra.statusCode).toBe(400)
  })

  it('answers unknown ids and unknown paths with a JSON 404', async () => {
    const missing = await get('/api/v1/waves/00000000-0000-4000-8000-000000000000')
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toMatchObject({ error: 'not_found' })
    const nowhere = await get('/api/v1/nowhere')
    expect(nowhere.statusCode).toBe(404)
    expect(nowhere.json().error).toBe('not_found')
  })

  it('stops accepting a token once it is revoked', async () => {
    const spare = await apiToken(ctx, tenant.owner.email)
    expect((await get('/api/v1/waves', bearer(spare))).statusCode).toBe(200)
    await ctx.database.db.updateTable('api_tokens').set({ revoked_at: new Date() }).where('prefix', '=', spare.slice(0, 10)).execute()
    expect((await get('/api/v1/waves', bearer(spare))).statusCode).toBe(401)
  })

  it('publishes an OpenAPI document generated from the route schemas', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/docs/json' })
    expect(response.statusCode).toBe(200)
    const doc = response.json()
    expect(doc.openapi).toMatch(/^3\./)
    for (const path of ['/api/v1/tokens', '/api/v1/templates', '/api/v1/waves', '/api/v1/waves/{id}']) expect(Object.keys(doc.paths)).toContain(path)
    expect(Object.keys(doc.paths).every((path: string) => path.startsWith('/api/v1/'))).toBe(true)
    expect(doc.paths['/api/v1/waves'].post.requestBody.content['application/json'].schema.required).toEqual(['name', 'templateKey'])
  })

  it('reports health', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/health' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ok' })
  })
})
