// The instrument builder's JSON API on both databases: the list and one version, starting blank and
// from the Service Gap Index, a whole definition round trip, per-field 400s under the domain's field
// paths for junk bodies, a save in place while no wave uses a version and as version N+1 once one does,
// delete rules, another organization's 404s, what a viewer may do, the OpenAPI document, and the
// templates list's new fields.
import { expect, it } from 'vitest'
import { cleanDefinition, instrumentFieldProblems, type InstrumentDefinition } from '../../server/domain/instrument.js'
import { SERVICE_GAP_INDEX_V1, SERVICE_GAP_INDEX_V2 } from '../../server/domain/built-in-instruments.js'
import { LOCALES } from '../../server/domain/languages.js'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, type Tenant, type TestContext } from '../helpers/app.js'
import { inlined, openApiDocument } from '../helpers/openapi.js'

type Json = Record<string, unknown>
type Detail = { id: string; key: string; version: number; name: string; builtIn: boolean; inUse: boolean; waves: number; itemCount: number; newestVersion: number; items: Array<Json & { key: string }>; saved?: string } & Json
type Problem = { field: string; message: string }

const { version: _version, ...SGI_BODY } = SERVICE_GAP_INDEX_V1
/** A whole definition as a client sends it: the Service Gap Index under another key and name. */
const definition = (key: string, change: (def: typeof SGI_BODY) => void = () => {}) => {
  const def = structuredClone({ ...SGI_BODY, key, name: `Survey ${key}` })
  change(def)
  return def
}

describeEachDatabase('instrument builder API', (ctx: TestContext) => {
  let tenant: Tenant
  let token: string
  let viewerToken: string
  let otherToken: string
  let sgiId: string
  let mineId: string

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, as = token) =>
    ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(as), ...(payload === undefined ? {} : { payload: payload as Json }) })
  /** A 400 with {error, message, details}; the details' fields, in order. */
  const refused = async (method: 'POST' | 'PUT', url: string, payload: unknown, status = 400): Promise<Problem[]> => {
    const response = await call(method, url, payload)
    expect(response.statusCode, response.body).toBe(status)
    const body = response.json()
    expect(body).toMatchObject({ error: expect.any(String), message: expect.any(String), details: expect.any(Array) })
    return body.details
  }
  const fields = (details: Problem[]) => details.map((d) => d.field)

  it('lists the built-in instrument\'s versions, with their counts, and reads the newest whole', async () => {
    tenant = await createTenant(ctx, 'Builder API Inc')
    token = await apiToken(ctx, tenant.owner.email)
    viewerToken = await apiToken(ctx, await addPerson(ctx, tenant, 'viewer'))
    otherToken = await apiToken(ctx, (await createTenant(ctx, 'Other Org')).owner.email)
    const list = await call('GET', '/instruments')
    expect(list.statusCode).toBe(200)
    expect(list.json().filter((v: Detail) => v.key === 'service-gap-index').map((v: Detail) => v.version).sort()).toEqual([1, 2])
    const sgi = list.json().find((v: Detail) => v.key === 'service-gap-index' && v.version === 2)
    expect(sgi).toMatchObject({ version: 2, name: SERVICE_GAP_INDEX_V2.name, builtIn: true, waves: 0, itemCount: 12, createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })
    sgiId = sgi.id
    const one = await call('GET', `/instruments/${sgiId}`)
    expect(one.statusCode).toBe(200)
    expect(one.json()).toMatchObject({ id: sgiId, builtIn: true, newestVersion: 2, locales: [...LOCALES] })
    expect(one.json().items).toEqual(SERVICE_GAP_INDEX_V2.items)
    expect(one.json().staffQuestion).toEqual(SERVICE_GAP_INDEX_V2.staffQuestion)
  })

  it('starts an instrument blank (the headline statement alone) and from the Service Gap Index, by key or id', async () => {
    const blank = await call('POST', '/instruments', { from: 'blank', key: 'blank-one', name: 'Blank one' })
    expect(blank.statusCode, blank.body).toBe(201)
    expect(blank.json()).toMatchObject({ key: 'blank-one', version: 1, name: 'Blank one', builtIn: false, inUse: false, waves: 0, itemCount: 1 })
    expect(blank.json().items).toEqual([SERVICE_GAP_INDEX_V2.items.find((item) => item.headline)])
    for (const [from, key] of [['service-gap-index', 'from-key'], [sgiId, 'from-id']] as const) {
      const made = await call('POST', '/instruments', { from, key, name: `From ${from}` })
      expect(made.statusCode, made.body).toBe(201)
      expect(made.json().items).toEqual(SERVICE_GAP_INDEX_V2.items)
      expect(made.json()).toMatchObject({ key, version: 1, itemCount: 12, builtIn: false })
      expect((await call('GET', `/instruments/${made.json().id}`)).json()).toEqual(made.json())
    }
    const listed = (await call('GET', '/instruments')).json().map((v: Detail) => v.key)
    expect(listed).toEqual(expect.arrayContaining(['service-gap-index', 'blank-one', 'from-key', 'from-id']))
    expect(listed[0]).toBe('service-gap-index')
  })

  it('creates one from a whole definition and gives it back as sent, trimmed', async () => {
    const def = definition('mine', (d) => {
      d.items[1]!.scale = 'likelihood11'
      d.items[2]!.required = true
      d.items[3]!.staffPredictText = { en: '  Out of 10, how many would say they can solve it?  ', es: 'De 10, ¿cuántos?', de: 'Von 10, wie viele?' }
      d.items[4]!.staffText.en = '  Padded wording  '
    })
    const made = await call('POST', '/instruments', def)
    expect(made.statusCode, made.body).toBe(201)
    const body = made.json() as Detail
    mineId = body.id
    expect(body).toMatchObject({ key: 'mine', version: 1, name: 'Survey mine', itemCount: 12, newestVersion: 1 })
    expect(body.items[1]!.scale).toBe('likelihood11')
    expect(body.items[2]!.required).toBe(true)
    expect(body.items[3]!.staffPredictText).toEqual({ en: 'Out of 10, how many would say they can solve it?', es: 'De 10, ¿cuántos?', de: 'Von 10, wie viele?' })
    expect((body.items[4]!.staffText as Json).en).toBe('Padded wording')
    expect(body.items[0]).toEqual(SERVICE_GAP_INDEX_V1.items[0])
  })

  it('answers each problem of a definition under the field path the domain gives, never with a 5xx', async () => {
    const cases: Array<{ name: string; body: ReturnType<typeof definition>; expected: string[] }> = [
      { name: 'a missing Spanish staff wording', body: definition('p1', (d) => { delete d.items[2]!.staffText.es }), expected: ['items.2.staffText.es'] },
      { name: 'two headlines', body: definition('p2', (d) => { d.items[5]!.headline = true }), expected: ['headline'] },
      { name: 'a doubled item key', body: definition('p3', (d) => { d.items[3]!.key = d.items[1]!.key }), expected: ['items.3.key'] },
      { name: '41 items', body: definition('p4', (d) => { d.items = Array.from({ length: 41 }, (_, i) => ({ ...d.items[1]!, key: `item_${i}`, headline: i === 0 })) }), expected: ['items'] },
      { name: 'no items', body: definition('p5', (d) => { d.items = [] }), expected: ['items'] },
      { name: 'a long name and a long wording', body: definition('p6', (d) => { d.name = 'n'.repeat(101); d.items[0]!.customerText.de = 'w'.repeat(301) }), expected: ['name', 'items.0.customerText.de'] },
      { name: 'an unknown language and a bad key', body: definition('Bad Key', (d) => { d.locales = ['en', 'it'] }), expected: ['key', 'locales'] },
      { name: 'a prediction wording in one language only', body: definition('p7', (d) => { d.items[6]!.staffPredictText = { en: 'Out of 10?' } }), expected: ['items.6.staffPredictText.es', 'items.6.staffPredictText.de'] },
      { name: 'the built-in key', body: definition('service-gap-index'), expected: ['key'] },
      { name: 'a key already taken', body: definition('mine'), expected: ['key'] },
    ]
    for (const { name, body, expected } of cases) {
      const details = await refused('POST', '/instruments', body)
      expect(fields(details), name).toEqual(expected)
      // The very paths (and messages) of the domain's one set of rules, where the domain alone decides.
      const domain = instrumentFieldProblems(cleanDefinition({ ...body, version: 1 } as InstrumentDefinition))
      for (const detail of details) if (detail.field in domain) expect(detail.message, name).toBe(domain[detail.field])
      expect(details.every((d) => d.message.length > 0), name).toBe(true)
    }
    // Missing fields are the domain's too: each named, none a schema error.
    expect(fields(await refused('POST', '/instruments', {}))).toEqual(expect.arrayContaining(['key', 'name', 'locales', 'items']))
    const partial = definition('p8')
    delete (partial.items[0] as Partial<typeof partial.items[0]>).required
    expect(fields(await refused('POST', '/instruments', partial))).toEqual(['items.0.required'])
  })

  it('refuses wrong types, unknown fields and junk bodies with a 400 naming the field', async () => {
    const typed: Array<[string, unknown, string]> = [
      ['null texts', definition('t1', (d) => { (d.items[0] as unknown as Json).staffText = null }), 'items.0.staffText'],
      ['an unknown scale', definition('t2', (d) => { (d.items[1] as unknown as Json).scale = 'stars7' }), 'items.1.scale'],
      ['a headline that is a string', definition('t3', (d) => { (d.items[0] as unknown as Json).headline = 'yes' }), 'items.0.headline'],
      ['an unknown field', { ...definition('t4'), colour: 'red' }, ''],
      ['an unknown item field', definition('t5', (d) => { (d.items[2] as unknown as Json).weight = 2 }), 'items.2'],
      ['an object as a text', definition('t6', (d) => { (d.items[0]!.customerText as Json).en = { text: 'x' } }), 'items.0.customerText.en'],
      ['items as an object', { ...definition('t7'), items: { 0: SERVICE_GAP_INDEX_V1.items[0] } }, 'items'],
    ]
    for (const [name, body, field] of typed) {
      const response = await call('POST', '/instruments', body)
      expect(response.statusCode, `${name}: ${response.body}`).toBe(400)
      expect(response.json(), name).toMatchObject({ error: 'validation_failed', message: expect.any(String) })
      expect(fields(response.json().details), name).toContain(field)
    }
    for (const junk of [[definition('j1')], 'a string', 42, null, [], { key: 'x'.repeat(200_000), name: 'y' }]) {
      const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/instruments', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: JSON.stringify(junk) })
      expect(response.statusCode, JSON.stringify(junk).slice(0, 40)).toBe(400)
      expect(response.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) })
    }
    const broken = await ctx.app.inject({ method: 'POST', url: '/api/v1/instruments', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: '{"from": ' })
    expect(broken.statusCode).toBe(400)
    // A start takes {from, key, name} alone; an unknown source is the field `from`, as is another organization's id.
    expect(fields(await refused('POST', '/instruments', { from: 'blank', key: 's1', name: 'S', items: [] }))).toEqual(['items'])
    expect(fields(await refused('POST', '/instruments', { from: 'nowhere', key: 's2', name: 'S' }))).toEqual(['from'])
    expect(fields(await refused('POST', '/instruments', { from: 'blank', key: '', name: '' }))).toEqual(['key', 'name'])
    const theirs = await call('POST', '/instruments', { from: 'blank', key: 'theirs', name: 'Theirs' }, otherToken)
    expect(theirs.statusCode).toBe(201)
    const borrowed = await refused('POST', '/instruments', { from: theirs.json().id, key: 's3', name: 'S' })
    expect(fields(borrowed)).toEqual(['from'])
    expect(JSON.stringify(borrowed)).not.toContain('Theirs')
    // Nothing of it was stored.
    const keys = (await call('GET', '/instruments')).json().map((v: Detail) => v.key)
    for (const key of ['p1', 'p8', 't1', 't4', 's1', 's3', 'theirs']) expect(keys).not.toContain(key)
  })

  it('saves in place while no wave uses a version, and as version N+1 under the same key once one does', async () => {
    /** The stored definition of a version, changed as asked, as a client would send it back. */
    const edit = async (change: (d: ReturnType<typeof definition>) => void, id = mineId) => {
      const current = (await call('GET', `/instruments/${id}`)).json() as Detail
      const body = definition('mine', (d) => { d.name = current.name; d.items = current.items as unknown as typeof d.items })
      change(body)
      return body
    }
    const inPlace = await call('PUT', `/instruments/${mineId}`, await edit((d) => { d.items[0]!.customerText.en = 'I am served very well by {org}.' }))
    expect(inPlace.statusCode, inPlace.body).toBe(200)
    expect(inPlace.json()).toMatchObject({ id: mineId, key: 'mine', version: 1, saved: 'in_place', inUse: false })
    expect((await call('GET', `/instruments/${mineId}`)).json().items[0].customerText.en).toBe('I am served very well by {org}.')
    // Field problems of a save, under their paths; the stored version stays as it was.
    expect(fields(await refused('PUT', `/instruments/${mineId}`, await edit((d) => { d.items[1]!.headline = true; delete d.items[4]!.customerText.en })))).toEqual(['headline', 'items.4.customerText.en'])
    expect(fields(await refused('PUT', `/instruments/${mineId}`, await edit((d) => { d.key = 'another-key' })))).toEqual(['key'])
    expect(fields(await refused('PUT', `/instruments/${mineId}`, { name: 'Only a name' }))).toEqual(expect.arrayContaining(['locales', 'items']))

    const wave = await call('POST', '/waves', { name: '2026-Q3', templateKey: 'mine' })
    expect(wave.statusCode, wave.body).toBe(201)
    expect(wave.json()).toMatchObject({ templateKey: 'mine', templateVersion: 1 })
    expect((await call('GET', `/instruments/${mineId}`)).json()).toMatchObject({ inUse: true, waves: 1 })

    const unchanged = await call('PUT', `/instruments/${mineId}`, await edit(() => {}))
    expect(unchanged.json()).toMatchObject({ id: mineId, version: 1, saved: 'in_place' })
    const next = await call('PUT', `/instruments/${mineId}`, await edit((d) => { d.items[0]!.staffText.de = 'Unsere Kundschaft wird hervorragend bedient.' }))
    expect(next.statusCode, next.body).toBe(200)
    const v2 = next.json() as Detail
    expect(v2).toMatchObject({ key: 'mine', version: 2, saved: 'new_version', inUse: false, waves: 0, newestVersion: 2 })
    expect(v2.id).not.toBe(mineId)
    expect((v2.items[0]!.staffText as Json).de).toBe('Unsere Kundschaft wird hervorragend bedient.')
    // The frozen version is as the wave ran it.
    const v1 = (await call('GET', `/instruments/${mineId}`)).json() as Detail
    expect((v1.items[0]!.staffText as Json).de).toBe((SERVICE_GAP_INDEX_V1.items[0]!.staffText).de)
    expect(v1).toMatchObject({ version: 1, newestVersion: 2, inUse: true })
    // Saving the frozen one again makes version 3; a wave on the key now runs the newest.
    const third = await call('PUT', `/instruments/${mineId}`, await edit((d) => { d.name = 'Survey mine, third' }))
    expect(third.json()).toMatchObject({ version: 3, saved: 'new_version' })
    const versions = (await call('GET', '/instruments')).json().filter((v: Detail) => v.key === 'mine').map((v: Detail) => v.version)
    expect(versions).toEqual([3, 2, 1])
    // v2 is unused: saved in place.
    const again = await call('PUT', `/instruments/${v2.id}`, await edit((d) => { d.name = 'Survey mine, second' }, v2.id))
    expect(again.json()).toMatchObject({ id: v2.id, version: 2, saved: 'in_place', name: 'Survey mine, second' })
  })

  it('deletes an unused version only: 409 while a wave uses it, 403 for a built-in one', async () => {
    const mine = (await call('GET', '/instruments')).json().filter((v: Detail) => v.key === 'mine') as Detail[]
    const inUse = await call('DELETE', `/instruments/${mineId}`)
    expect(inUse.statusCode).toBe(409)
    expect(inUse.json()).toMatchObject({ error: 'in_use', message: expect.any(String) })
    const builtIn = await call('DELETE', `/instruments/${sgiId}`)
    expect(builtIn.statusCode).toBe(403)
    expect(builtIn.json().error).toBe('read_only')
    const save = await call('PUT', `/instruments/${sgiId}`, definition('service-gap-index'))
    expect(save.statusCode).toBe(403)
    expect(save.json().error).toBe('read_only')
    const unused = mine.find((v) => v.version === 3)!
    const gone = await call('DELETE', `/instruments/${unused.id}`)
    expect(gone.statusCode).toBe(204)
    expect(gone.body).toBe('')
    expect((await call('GET', `/instruments/${unused.id}`)).statusCode).toBe(404)
    expect((await call('DELETE', `/instruments/${unused.id}`)).statusCode).toBe(404)
    expect((await call('GET', `/instruments/${mineId}`)).statusCode).toBe(200)
    expect((await call('GET', '/instruments/not-a-uuid')).statusCode).toBe(400)
  })

  it('answers 404 to another organization for every one of our versions, and lists none of them', async () => {
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const response = await call(method, `/instruments/${mineId}`, method === 'PUT' ? definition('mine') : undefined, otherToken)
      expect(response.statusCode, method).toBe(404)
      expect(response.json().error).toBe('not_found')
      expect(response.body).not.toContain('mine')
    }
    const theirs = (await call('GET', '/instruments', undefined, otherToken)).json() as Detail[]
    expect(theirs.some((v) => v.id === mineId || v.key === 'mine')).toBe(false)
    // The built-in one is shared, but our wave on it would not count as theirs; ours on "mine" is ours alone.
    expect(theirs.find((v) => v.key === 'service-gap-index')).toMatchObject({ waves: 0 })
    expect((await call('GET', `/instruments/${mineId}`)).json()).toMatchObject({ waves: 1 })
  })

  it('lets a viewer read instruments but not change them', async () => {
    expect((await call('GET', '/instruments', undefined, viewerToken)).statusCode).toBe(200)
    expect((await call('GET', `/instruments/${mineId}`, undefined, viewerToken)).statusCode).toBe(200)
    for (const [method, url, body] of [['POST', '/instruments', { from: 'blank', key: 'viewer-made', name: 'V' }], ['PUT', `/instruments/${mineId}`, definition('mine')], ['DELETE', `/instruments/${mineId}`, undefined]] as const) {
      const response = await call(method, url, body, viewerToken)
      expect(response.statusCode, method).toBe(403)
      expect(response.json().error).toBe('forbidden')
    }
    const admin = await apiToken(ctx, await addPerson(ctx, tenant, 'admin'))
    expect((await call('POST', '/instruments', { from: 'blank', key: 'admin-made', name: 'A' }, admin)).statusCode).toBe(201)
    const analyst = await apiToken(ctx, await addPerson(ctx, tenant, 'analyst'))
    expect((await call('POST', '/instruments', { from: 'blank', key: 'analyst-made', name: 'A' }, analyst)).statusCode).toBe(403)
    expect((await call('GET', '/instruments')).json().map((v: Detail) => v.key)).not.toContain('viewer-made')
  })

  it('types every instrument route in the OpenAPI document', async () => {
    const document = await openApiDocument(ctx.app)
    // Read like JSON: any shape, checked by the expectations below.
    const docs: ReturnType<typeof JSON.parse> = inlined(document, document)
    const list = docs.paths['/api/v1/instruments']
    const one = docs.paths['/api/v1/instruments/{id}']
    expect(Object.keys(list).sort()).toEqual(['get', 'post'])
    expect(Object.keys(one).sort()).toEqual(['delete', 'get', 'put'])
    for (const operation of [list.get, list.post, one.get, one.put, one.delete]) {
      expect(operation.tags).toEqual(['instruments'])
      expect(operation.summary).toEqual(expect.any(String))
      expect(operation.responses['401']).toBeDefined()
    }
    const item = list.post.responses['201'].content['application/json'].schema.properties.items.items
    expect(item.properties.scale.enum).toEqual(['agree5', 'likelihood11'])
    expect(Object.keys(item.properties).sort()).toEqual(['customerText', 'dimension', 'headline', 'key', 'required', 'scale', 'staffPredictText', 'staffText'])
    expect(Object.keys(list.post.requestBody.content['application/json'].schema.properties).sort()).toEqual(['customerQuestion', 'from', 'items', 'key', 'locales', 'name', 'staffQuestion'])
    expect(one.put.responses['200'].content['application/json'].schema.properties.saved.anyOf.flatMap((s: { enum: string[] }) => s.enum)).toEqual(['in_place', 'new_version'])
    expect(one.delete.responses['409']).toBeDefined()
    expect(one.put.requestBody.content['application/json'].schema.additionalProperties).toBe(false)
  })

  it('gives the templates list each item\'s required flag and prediction wording, in every language', async () => {
    const templates = (await call('GET', '/templates')).json() as Array<{ key: string; items: Array<Json & { key: string; translations: Record<string, Json> }> }>
    const sgi = templates.find((t) => t.key === 'service-gap-index')!
    expect(sgi.items.map((i) => i.required)).toEqual(SERVICE_GAP_INDEX_V1.items.map((i) => i.required))
    expect(sgi.items.every((i) => i.staffPredictText === null && Object.values(i.translations).every((t) => t.staffPredictText === null))).toBe(true)
    const mine = templates.find((t) => t.key === 'mine')!
    expect(mine.items[2]!.required).toBe(true)
    expect(mine.items[3]!.staffPredictText).toBe('Out of 10, how many would say they can solve it?')
    expect(mine.items[3]!.translations.es!.staffPredictText).toBe('De 10, ¿cuántos?')
    // The fields outside callers read stay as they were.
    expect(mine.items[0]!.customerText).toBe('I am served very well by Builder API Inc.')
    expect(Object.keys(sgi.items[0]!).sort()).toEqual(['customerText', 'dimension', 'headline', 'key', 'required', 'scale', 'staffPredictText', 'staffText', 'translations'])
  })
})
