// Branding through the API on both databases: the accent colour held to the page's contrast rule,
// the logo uploaded as the body (told by its bytes, held to the page's limits), served and shown on
// the survey page, removed again; the settings page's permission; each organization its own.
import { expect, it } from 'vitest'
import { MAX_LOGO_BYTES } from '../../server/domain/logo.js'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, signedIn, type Tenant } from '../helpers/app.js'
import { fixture } from '../helpers/fixtures.js'
import { createWave } from '../helpers/survey.js'

describeEachDatabase('branding through the API', (ctx) => {
  let tenant: Tenant
  let owner: string
  let surveyPath: string

  const api = (token: string, method: 'GET' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method, url: `/api/v1${url}`, headers: { ...bearer(token), ...headers }, ...(payload === undefined ? {} : { payload: payload as string }) })
  const upload = (token: string, bytes: Uint8Array, type = 'image/png') => api(token, 'PUT', '/branding/logo', Buffer.from(bytes), { 'content-type': type })

  it('gives the standard branding before anything is set, to owners and admins only', async () => {
    tenant = await createTenant(ctx, 'Brand API Co')
    owner = await apiToken(ctx, tenant.owner.email)
    surveyPath = `/s/${(await createWave(ctx, owner, { name: 'Branded wave' })).customer}`
    const read = await api(owner, 'GET', '/branding')
    expect(read.statusCode).toBe(200)
    expect(read.json()).toEqual({ accent: null, shades: null, stylesheet: null, logo: null })
    const admin = await apiToken(ctx, await addPerson(ctx, tenant, 'admin'))
    expect((await api(admin, 'GET', '/branding')).statusCode).toBe(200)
    for (const role of ['analyst', 'viewer', 'unit_manager'] as const) {
      const token = await apiToken(ctx, await addPerson(ctx, tenant, role))
      expect((await api(token, 'GET', '/branding')).statusCode, role).toBe(403)
      expect((await api(token, 'PATCH', '/branding', { accent: '#1a5fb4' })).statusCode, role).toBe(403)
      expect((await upload(token, fixture('logo.png'))).statusCode, role).toBe(403)
      expect((await api(token, 'DELETE', '/branding/logo')).statusCode, role).toBe(403)
    }
  })

  it('refuses an accent colour below 4.5:1 with the page\'s message and the nearest passing shade, and saves nothing', async () => {
    const refused = await api(owner, 'PATCH', '/branding', { accent: '#777777' })
    expect(refused.statusCode).toBe(400)
    const body = refused.json()
    expect(body.error).toBe('validation_failed')
    expect(body.details).toEqual([{ field: 'accent', message: expect.stringMatching(/#777777 has a contrast of 4\.48:1 against white.*nearest darker shade that passes is #[0-9a-f]{6}/) }])
    expect((await api(owner, 'PATCH', '/branding', { accent: 'blue' })).json().details[0].field).toBe('accent')
    expect((await api(owner, 'PATCH', '/branding', { colour: '#1a5fb4' })).statusCode).toBe(400)
    expect((await api(owner, 'GET', '/branding')).json().accent).toBeNull()
  })

  it('sets the accent colour, which the survey page then links, and clears it with null', async () => {
    const saved = await api(owner, 'PATCH', '/branding', { accent: '#1A5FB4' })
    expect(saved.statusCode, saved.body).toBe(200)
    expect(saved.json()).toMatchObject({ accent: '#1a5fb4', shades: { accent: '#1a5fb4' }, stylesheet: expect.stringMatching(/\/brand\/accent\/1a5fb4\.css$/) })
    expect((await ctx.app.inject({ method: 'GET', url: surveyPath })).body).toContain('/brand/accent/1a5fb4.css')
    const css = await ctx.app.inject({ method: 'GET', url: '/brand/accent/1a5fb4.css' })
    expect(css.body).toContain('--org-accent:#1a5fb4')
    const page = await (await signedIn(ctx, tenant.owner.email)).get('/settings/branding')
    expect(page.body).toContain('#1a5fb4')
    const audit = await ctx.database.db.selectFrom('audit_log').select(['action', 'detail']).where('organization_id', '=', tenant.organizationId).where('action', '=', 'settings_changed').execute()
    expect(audit.map((a) => a.detail)).toContainEqual(expect.objectContaining({ changed: ['accent'], accent: '#1a5fb4' }))
    expect((await api(owner, 'PATCH', '/branding', { accent: null })).json().accent).toBeNull()
    expect((await ctx.app.inject({ method: 'GET', url: surveyPath })).body).not.toContain('/brand/accent/')
    expect((await api(owner, 'PATCH', '/branding', { accent: '#1a5fb4' })).statusCode).toBe(200)
  })

  it('takes a PNG, JPEG or WebP logo as the body, whatever type it claims, serves it and shows it on the survey page', async () => {
    const png = fixture('logo.png')
    const saved = await upload(owner, png, 'application/octet-stream')
    expect(saved.statusCode, saved.body).toBe(200)
    const logo = saved.json().logo
    expect(logo).toMatchObject({ type: 'image/png', url: expect.stringMatching(/\/brand\/logo\/[0-9a-f]{32}\.png$/) })
    const path = new URL(logo.url).pathname
    const served = await ctx.app.inject({ method: 'GET', url: path })
    expect(served.statusCode).toBe(200)
    expect(served.headers['content-type']).toBe('image/png')
    expect(Buffer.compare(served.rawPayload, Buffer.from(png))).toBe(0)
    expect((await ctx.app.inject({ method: 'GET', url: surveyPath })).body).toContain(`src="${path}"`)
    // A JPEG sent as image/png is a JPEG: the bytes decide.
    const jpeg = await upload(owner, fixture('logo.jpg'), 'image/png')
    expect(jpeg.json().logo.type).toBe('image/jpeg')
    expect((await upload(owner, fixture('logo.webp'), 'image/webp')).json().logo.type).toBe('image/webp')
  })

  it('refuses SVG, other files, damaged and oversized ones with the page\'s reasons, keeping the logo it had', async () => {
    const before = (await api(owner, 'GET', '/branding')).json().logo
    const svg = await upload(owner, Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/png')
    expect(svg.statusCode).toBe(400)
    expect(svg.json().details).toEqual([{ field: 'logo', message: expect.stringContaining('SVG files are not accepted') }])
    expect((await upload(owner, Buffer.from('just text, not an image'))).json().details[0].message).toContain('not a PNG, JPEG or WebP')
    expect((await upload(owner, fixture('logo.png').subarray(0, 60))).json().details[0].message).toContain('damaged or incomplete')
    expect((await upload(owner, new Uint8Array(0))).statusCode).toBe(400)
    // One byte over the limit is read and refused by the rule; far over it, the body is cut off.
    const over = Buffer.concat([Buffer.from(fixture('logo.png')), Buffer.alloc(MAX_LOGO_BYTES + 1 - fixture('logo.png').length)])
    const tooLarge = await upload(owner, over)
    expect(tooLarge.statusCode).toBe(400)
    expect(tooLarge.json().details[0].message).toContain(`larger than ${MAX_LOGO_BYTES / 1024} KB`)
    const huge = await upload(owner, Buffer.alloc(MAX_LOGO_BYTES * 3, 1))
    expect(huge.statusCode).toBe(413)
    expect(huge.json().error).toBe('payload_too_large')
    const json = await api(owner, 'PUT', '/branding/logo', { logo: 'data:image/png;base64,AAAA' })
    expect(json.statusCode).toBe(415)
    expect((await upload(owner, fixture('logo.png'), 'text/plain')).statusCode).toBe(415)
    expect((await api(owner, 'GET', '/branding')).json().logo).toEqual(before)
  })

  it('removes the logo: the survey page shows none and its file is gone', async () => {
    const path = new URL((await upload(owner, fixture('logo.png'))).json().logo.url).pathname
    const removed = await api(owner, 'DELETE', '/branding/logo')
    expect(removed.statusCode).toBe(204)
    expect((await api(owner, 'GET', '/branding')).json()).toMatchObject({ accent: '#1a5fb4', logo: null })
    expect((await ctx.app.inject({ method: 'GET', url: surveyPath })).body).not.toContain('/brand/logo/')
    expect((await ctx.app.inject({ method: 'GET', url: path })).statusCode).toBe(404)
    expect((await api(owner, 'DELETE', '/branding/logo')).statusCode).toBe(204)
  })

  it('keeps each organization\'s branding its own', async () => {
    const other = await createTenant(ctx, 'Other Brand Co')
    const token = await apiToken(ctx, other.owner.email)
    expect((await api(token, 'GET', '/branding')).json()).toEqual({ accent: null, shades: null, stylesheet: null, logo: null })
    expect((await api(token, 'PATCH', '/branding', { accent: '#2b2b2b' })).statusCode).toBe(200)
    expect((await api(owner, 'GET', '/branding')).json().accent).toBe('#1a5fb4')
  })
})
