// The API reference page and the document it shows, over HTTP: /api/docs/json answers the OpenAPI
// document exactly as app.swagger() makes it (the public contract), the page and its assets are
// public and come from this server (no CDN), under the site's own Content-Security-Policy, and the
// API tokens page links to it. The page in a real browser: test/e2e/api-docs.test.ts.
import { expect, it } from 'vitest'
import { createTenant, describeEachDatabase, signedIn } from '../helpers/app.js'

const SITE_CSP = "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;font-src 'self';connect-src 'self';form-action 'self';frame-ancestors 'none';base-uri 'none';object-src 'none'"

describeEachDatabase('the API reference', (ctx) => {
  const get = (url: string, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'GET', url, headers })

  it('serves the OpenAPI document at /api/docs/json to anyone, as JSON, exactly as app.swagger() makes it', async () => {
    const response = await get('/api/docs/json')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(response.body).toBe(JSON.stringify(ctx.app.swagger()))
    expect(response.json()).toMatchObject({ openapi: '3.1.0', info: { title: 'Service Gap API' }, components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } })
    expect(response.headers['content-security-policy']).toBe(SITE_CSP)
    expect((await ctx.app.inject({ method: 'HEAD', url: '/api/docs/json' })).statusCode).toBe(200)
    const yaml = await get('/api/docs/yaml')
    expect(yaml.statusCode).toBe(200)
    expect(yaml.body).toMatch(/^openapi: 3\.1\.0$/m)
  })

  it('serves the page to anyone under the site\'s CSP, every script and stylesheet from this server', async () => {
    for (const url of ['/api/docs', '/api/docs/']) {
      const page = await get(url, { accept: 'text/html' })
      expect(page.statusCode, url).toBe(200)
      expect(page.headers['content-type']).toMatch(/^text\/html/)
      expect(page.headers['content-security-policy']).toBe(SITE_CSP)
      expect(page.body).toContain('<title>Service Gap API</title>')
      // No inline script or style for the policy to refuse: only files.
      expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style\b|\bstyle="/)
      const assets = [...page.body.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1]!)
      expect(assets.length).toBeGreaterThan(5)
      for (const asset of assets) {
        expect(asset, 'no other origin').not.toMatch(/^(https?:)?\/\//)
        const path = new URL(asset, `http://sg.test${url}`).pathname
        const file = await get(path)
        expect(file.statusCode, path).toBe(200)
      }
    }
    const initializer = await get('/api/docs/static/swagger-initializer.js')
    expect(initializer.headers['content-type']).toMatch(/^application\/javascript/)
    // No call to the public validator, and no top bar offering to load other documents.
    expect(initializer.body).toContain('validatorUrl: null')
    expect(initializer.body).toContain('"layout":"BaseLayout"')
  })

  it('answers a missing asset of the page with a JSON 404', async () => {
    const missing = await get('/api/docs/static/no-such-file.js')
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toMatchObject({ error: 'not_found', message: expect.any(String) })
  })

  it('is linked from the API tokens page', async () => {
    const tenant = await createTenant(ctx, 'Docs Org')
    const browser = await signedIn(ctx, tenant.owner.email)
    const page = await browser.get('/account/tokens')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<a href="/api/docs">API reference</a>')
  })
})
