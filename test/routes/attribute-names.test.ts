// Attribute names come from whoever imports responses, so they may be any name a plain object already
// has (constructor, toString, hasOwnProperty, valueOf). The dashboard, the report API and the
// exports treat them as data: they render, filter and export, and never answer 500.
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { apiToken, bearer, createTenant, describeEachDatabase, signedIn, type TestContext } from '../helpers/app.js'

const NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf']

describeEachDatabase('attribute names that a plain object already has', (ctx: TestContext) => {
  it('renders the dashboard, filters the report and exports, for either side', async () => {
    const tenant = await createTenant(ctx, 'Proto')
    const headers = bearer(await apiToken(ctx, tenant.owner.email))
    const post = (url: string, payload: object) => ctx.app.inject({ method: 'POST', url: `/api/v1${url}`, headers, payload })
    const wave = (await post('/waves', { name: 'Proto wave', templateKey: 'service-gap-index' })).json()
    const answers = Object.fromEntries(SERVICE_GAP_INDEX_V1.items.map((item) => [item.key, 4]))
    const attributes = Object.fromEntries(NAMES.map((name) => [name, 'x']))
    const rows = ['staff', 'customer'].flatMap((side) => Array.from({ length: 12 }, () => ({ side, attributes, answers })))
    expect((await post(`/waves/${wave.id}/responses`, rows)).statusCode).toBe(201)

    const owner = await signedIn(ctx, tenant.owner.email)
    expect((await owner.get(`/waves/${wave.id}`)).statusCode).toBe(200)
    for (const name of NAMES) {
      for (const side of ['staff', 'customer']) {
        const page = await owner.get(`/waves/${wave.id}?${side}.${name}=x`)
        expect(page.statusCode, `${side}.${name}`).toBe(200)
        const report = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${wave.id}/report?${side}.${name}=x`, headers })
        expect(report.statusCode, `${side}.${name}`).toBe(200)
        expect(report.json().filters[side]).toEqual({ [name]: 'x' })
      }
    }
    expect((await owner.get(`/waves/${wave.id}/report.csv`)).statusCode).toBe(200)
    const exported = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${wave.id}/export.csv`, headers })
    expect(exported.statusCode).toBe(200)
    expect(exported.body.split('\n')[0]).toContain('customer.constructor')
  })
})

describeEachDatabase('an attribute called __proto__', (ctx: TestContext) => {
  it('is refused with a clear 400 as JSON and as a filter, never a 500, and the dashboard still renders', async () => {
    const tenant = await createTenant(ctx, 'Proto2')
    const headers = { ...bearer(await apiToken(ctx, tenant.owner.email)), 'content-type': 'application/json' }
    const wave = (await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers, payload: { name: 'W', templateKey: 'service-gap-index' } })).json()
    const answers = Object.fromEntries(SERVICE_GAP_INDEX_V1.items.map((item) => [item.key, 4]))
    const body = `[{"side":"staff","attributes":{"__proto__":"x"},"answers":${JSON.stringify(answers)}}]`
    const sent = await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${wave.id}/responses`, headers, payload: body })
    expect(sent.statusCode).toBe(400)
    expect(sent.json().error).toBeTypeOf('string')
    const filtered = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${wave.id}/report?staff.__proto__=x`, headers })
    expect(filtered.statusCode).toBe(400)
    const owner = await signedIn(ctx, tenant.owner.email)
    expect((await owner.get(`/waves/${wave.id}?staff.__proto__=x`)).statusCode).toBe(200)
  })
})
