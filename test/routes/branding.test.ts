// Branding on both databases: Settings → Branding (logo upload checked by its bytes, accent colour
// checked for contrast, per-field errors with the rest kept, audit, roles, tenant isolation), the
// public logo and stylesheet files, and the logo and colour on the survey page, the thank-you page,
// the QR poster and in an invitation received by a real SMTP server. An organization without
// branding keeps today's look.
import { expect, it } from 'vitest'
import { smtpTransport } from '../../server/mail/transport.js'
import { MailWorker } from '../../server/mail/worker.js'
import { addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type Tenant } from '../helpers/app.js'
import { readMessage } from '../helpers/mime.js'
import { smtpServer } from '../helpers/smtp.js'
import { fixture } from '../helpers/fixtures.js'

/** The branding form as a browser sends it: multipart, CSRF first, then the fields and the file. */
async function brandingForm(browser: Browser, fields: Record<string, string>, file: { name: string; type: string; content: Uint8Array } | null, csrf?: string) {
  await browser.get('/settings/branding')
  const form = new FormData()
  form.append('_csrf', csrf ?? browser.csrf!)
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  if (file) form.append('logo', new Blob([Buffer.from(file.content)], { type: file.type }), file.name)
  const request = new Request('http://sg.test/', { method: 'POST', body: form })
  return browser.request({ method: 'POST', url: '/settings/branding', payload: Buffer.from(await request.arrayBuffer()), headers: { 'content-type': request.headers.get('content-type')! } })
}

/** A header's value, with folded lines joined again. */
const header = (raw: string, name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(raw.replace(/\r\n[ \t]+/g, ' '))?.[1]?.trim()
const png = () => ({ name: 'logo.png', type: 'image/png', content: fixture('logo.png') })
const logoSrc = (html: string) => /<img class="brand-logo" src="(\/brand\/logo\/[0-9a-f]{32}\.(?:png|jpg|webp))"/.exec(html)?.[1]

describeEachDatabase('branding', (ctx) => {
  let tenant: Tenant
  let owner: Browser
  let other: Tenant
  let surveyPath: string
  let plainSurveyPath: string

  const branding = (organizationId: string) => ctx.database.db.selectFrom('organization_branding')
    .select(['accent', 'logo_type', 'logo_width', 'logo_height', 'logo_hash']).where('organization_id', '=', organizationId).executeTakeFirst()

  it('offers Branding under Settings to owners and admins only', async () => {
    tenant = await createTenant(ctx, 'Northwind')
    other = await createTenant(ctx, 'Plain & Simple')
    owner = await signedIn(ctx, tenant.owner.email)
    expect((await owner.get('/settings')).body).toContain('href="/settings/branding"')
    const page = await owner.get('/settings/branding')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('enctype="multipart/form-data"')
    expect(page.body).toContain('type="color"')
    const admin = await signedIn(ctx, await addPerson(ctx, tenant, 'admin'))
    expect((await admin.get('/settings/branding')).statusCode).toBe(200)
    for (const role of ['analyst', 'viewer', 'unit_manager'] as const) {
      const person = await signedIn(ctx, await addPerson(ctx, tenant, role))
      expect((await person.get('/settings/branding')).statusCode).toBe(403)
      expect((await brandingForm(person, { accent: '#1a5fb4' }, null, person.csrf ?? 'x')).statusCode).toBe(403)
    }
    expect(await branding(tenant.organizationId)).toBeUndefined()
  })

  it('refuses a colour below 4.5:1, naming the ratio and the nearest darker shade, and keeps the colour typed', async () => {
    const response = await brandingForm(owner, { accent: '#777777', accentShown: '', accentPicker: '#0b4f8a' }, png())
    expect(response.statusCode).toBe(422)
    // The good logo sent along is not saved either, and the page says to choose it again.
    expect(response.body).toContain('Your file logo.png is fine, but nothing was saved')
    expect(response.body).toContain('id="accent-error"')
    expect(response.body).toContain('4.48:1')
    expect(response.body).toContain('#767676')
    expect(response.body).toContain('value="#777777"')
    const garbage = await brandingForm(owner, { accent: 'red;}body{', accentShown: '' }, null)
    expect(garbage.statusCode).toBe(422)
    expect(garbage.body).toContain('value="red;}body{"')
    expect(await branding(tenant.organizationId)).toBeUndefined()
  })

  it('refuses SVG, HTML renamed .png, an oversized file and a damaged one, keeping the colour typed', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>')
    const cases: Array<[{ name: string; type: string; content: Uint8Array }, string]> = [
      [{ name: 'logo.svg', type: 'image/svg+xml', content: svg }, 'SVG files are not accepted'],
      [{ name: 'logo.png', type: 'image/png', content: Buffer.from('<!doctype html><script>alert(1)</script>') }, 'not a PNG, JPEG or WebP'],
      [{ name: 'logo.png', type: 'image/png', content: Buffer.concat([fixture('logo.png'), Buffer.alloc(210 * 1024)]) }, 'larger than 200 KB'],
      [{ name: 'logo.png', type: 'image/png', content: fixture('logo.png').subarray(0, 1000) }, 'damaged or incomplete'],
    ]
    for (const [file, message] of cases) {
      const response = await brandingForm(owner, { accent: '#1a5fb4', accentShown: '' }, file)
      expect(response.statusCode, file.name).toBe(422)
      expect(response.body).toContain('id="logo-error"')
      expect(response.body).toContain(message)
      expect(response.body).toContain('value="#1a5fb4"')
    }
    expect(await branding(tenant.organizationId)).toBeUndefined()
  })

  it('refuses a form without its CSRF token and keeps nothing', async () => {
    const response = await brandingForm(owner, { accent: '#1a5fb4' }, png(), 'forged')
    expect(response.statusCode).toBe(403)
    expect(await branding(tenant.organizationId)).toBeUndefined()
  })

  it('saves a real PNG and a colour, shows a preview, and records what changed in the audit log', async () => {
    const response = await brandingForm(owner, { accent: '#1A5FB4', accentShown: '', accentPicker: '#0b4f8a' }, png())
    expect(response.statusCode).toBe(303)
    expect(await branding(tenant.organizationId)).toMatchObject({ accent: '#1a5fb4', logo_type: 'image/png', logo_width: 240, logo_height: 64 })
    const page = await owner.get('/settings/branding?done=saved')
    expect(page.body).toContain('Branding saved.')
    expect(page.body).toMatch(/<img src="\/brand\/logo\/[0-9a-f]{32}\.png" alt="Northwind" width="240" height="64">/)
    expect(page.body).toContain('href="/brand/accent/1a5fb4.css"')
    const audit = await ctx.database.db.selectFrom('audit_log').select(['target', 'detail']).where('organization_id', '=', tenant.organizationId)
      .where('action', '=', 'settings_changed').execute()
    expect(audit).toEqual([{ target: 'branding', detail: { changed: ['accent', 'logo'], accent: '#1a5fb4', logo: { type: 'image/png', width: 240, height: 64, bytes: fixture('logo.png').length } } }])
  })

  it('takes the picker when only the picker changed, and a JPEG in place of the PNG', async () => {
    const response = await brandingForm(owner, { accent: '#1a5fb4', accentShown: '#1a5fb4', accentPicker: '#224466' }, { name: 'logo.jpeg', type: 'image/jpeg', content: fixture('logo.jpg') })
    expect(response.statusCode).toBe(303)
    expect(await branding(tenant.organizationId)).toMatchObject({ accent: '#224466', logo_type: 'image/jpeg', logo_width: 240, logo_height: 64 })
    // Back to the first colour and the PNG for what follows.
    expect((await brandingForm(owner, { accent: '#1a5fb4', accentShown: '#224466', accentPicker: '#224466' }, png())).statusCode).toBe(303)
  })

  it('serves the logo by its hash with its own type, nosniff and a year of cache; anything else is a 404', async () => {
    const src = logoSrc((await ctx.app.inject({ method: 'GET', url: '/settings/branding', headers: { cookie: '' } })).body)
    expect(src).toBeUndefined() // the settings page needs a session
    const saved = (await branding(tenant.organizationId))!
    const file = await ctx.app.inject({ method: 'GET', url: `/brand/logo/${saved.logo_hash}.png` })
    expect(file.statusCode).toBe(200)
    expect(file.headers['content-type']).toBe('image/png')
    expect(file.headers['x-content-type-options']).toBe('nosniff')
    expect(file.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(file.rawPayload.equals(fixture('logo.png'))).toBe(true)
    expect(file.headers['set-cookie']).toBeUndefined()
    for (const url of [`/brand/logo/${saved.logo_hash}.jpg`, `/brand/logo/${'0'.repeat(32)}.png`, `/brand/logo/${saved.logo_hash!.toUpperCase()}.png`, '/brand/logo/..%2f..%2fpackage.json', `/brand/logo/${tenant.organizationId}.png`]) {
      expect((await ctx.app.inject({ method: 'GET', url })).statusCode, url).toBe(404)
    }
    const css = await ctx.app.inject({ method: 'GET', url: '/brand/accent/1a5fb4.css' })
    expect(css.statusCode).toBe(200)
    expect(css.headers['content-type']).toContain('text/css')
    expect(css.body).toContain('--org-accent:#1a5fb4')
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    // A colour nobody may choose, or anything that is not a colour, is no stylesheet.
    for (const url of ['/brand/accent/777777.css', '/brand/accent/ffffff.css', '/brand/accent/1a5fb4;x.css', '/brand/accent/1A5FB4.css']) {
      expect((await ctx.app.inject({ method: 'GET', url })).statusCode, url).toBe(404)
    }
  })

  it('shows the logo and the colour on the survey and thank-you pages, under 25 KB; an unbranded organization looks as before', async () => {
    const token = await apiToken(ctx, tenant.owner.email)
    const wave = (await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name: 'Q1', templateKey: 'service-gap-index' } })).json()
    surveyPath = new URL(wave.links.customer).pathname
    const otherToken = await apiToken(ctx, other.owner.email)
    const plainWave = (await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(otherToken), payload: { name: 'Q1', templateKey: 'service-gap-index' } })).json()
    plainSurveyPath = new URL(plainWave.links.customer).pathname

    const saved = (await branding(tenant.organizationId))!
    const page = await ctx.app.inject({ method: 'GET', url: surveyPath })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(`<img class="brand-logo" src="/brand/logo/${saved.logo_hash}.png" alt="Northwind" width="240" height="64">`)
    expect(page.body).toContain('<link rel="stylesheet" href="/brand/accent/1a5fb4.css">')
    expect(Buffer.byteLength(page.body)).toBeLessThan(25 * 1024)
    expect(page.body).not.toMatch(/<script|style="/)

    const thanks = await ctx.app.inject({ method: 'GET', url: `${surveyPath}/thanks?lang=en` })
    expect(thanks.statusCode).toBe(200)
    expect(logoSrc(thanks.body)).toBe(`/brand/logo/${saved.logo_hash}.png`)
    expect(thanks.body).toContain('href="/brand/accent/1a5fb4.css"')

    const plain = await ctx.app.inject({ method: 'GET', url: plainSurveyPath })
    expect(plain.statusCode).toBe(200)
    expect(plain.body).not.toContain('/brand/')
    expect(plain.body).not.toContain('brand-logo')
    const plainThanks = await ctx.app.inject({ method: 'GET', url: `${plainSurveyPath}/thanks` })
    expect(plainThanks.body).not.toContain('/brand/')
    // The standard stylesheet keeps today's colours wherever no organization colour is set.
    const css = (await ctx.app.inject({ method: 'GET', url: '/public/survey.css' })).body
    expect(css).toContain('background:var(--org-accent,#0b4f8a)')
    expect(css).toContain('outline:3px solid var(--org-ring,#ffbf47)')
  })

  it('shows the logo and the colour on the QR poster', async () => {
    const token = await apiToken(ctx, tenant.owner.email)
    const wave = (await ctx.app.inject({ method: 'GET', url: '/api/v1/waves', headers: bearer(token) })).json()[0]
    const operations = await owner.get(`/waves/${wave.id}/operations`)
    const print = /href="(\/waves\/[^"]+\/links\/[^"]+\/print(?:\?lang=[a-z]+)?)"/.exec(operations.body)![1]!
    const poster = await owner.get(print)
    expect(poster.statusCode).toBe(200)
    expect(logoSrc(poster.body)).toMatch(/^\/brand\/logo\//)
    expect(poster.body).toContain('href="/brand/accent/1a5fb4.css"')
  })

  it('lets no organization change or see another one\'s branding', async () => {
    const intruder = await signedIn(ctx, other.owner.email)
    const own = await intruder.get('/settings/branding')
    expect(own.body).not.toContain('/brand/logo/')
    expect(own.body).not.toContain('1a5fb4')
    expect((await brandingForm(intruder, { accent: '#000000', accentShown: '' }, null)).statusCode).toBe(303)
    expect(await branding(tenant.organizationId)).toMatchObject({ accent: '#1a5fb4', logo_type: 'image/png' })
    expect(await branding(other.organizationId)).toMatchObject({ accent: '#000000', logo_type: null })
    await intruder.post('/settings/branding/logo/remove')
    expect(await branding(tenant.organizationId)).toMatchObject({ logo_type: 'image/png' })
    // Undo, so the other organization is unbranded again for the mail test.
    expect((await brandingForm(intruder, { accent: '', accentShown: '#000000' }, null)).statusCode).toBe(303)
    expect(await branding(other.organizationId)).toMatchObject({ accent: null })
  })

  it('sends the invitation with the logo attached inline, the colour in its HTML and the sender name; an unbranded one as before', async () => {
    await owner.get('/settings')
    expect((await owner.post('/settings', { name: 'Northwind', minGroupSize: '5', defaultLocale: 'en', senderName: 'Northwind Care', replyTo: '' })).statusCode).toBe(303)
    const token = await apiToken(ctx, tenant.owner.email)
    const otherToken = await apiToken(ctx, other.owner.email)
    const waveId = (await ctx.app.inject({ method: 'GET', url: '/api/v1/waves', headers: bearer(token) })).json()[0].id
    const plainWaveId = (await ctx.app.inject({ method: 'GET', url: '/api/v1/waves', headers: bearer(otherToken) })).json()[0].id
    await ctx.database.db.insertInto('contacts').values([
      { organization_id: tenant.organizationId, side: 'customer', email: 'ana@example.test', name: 'Ana', attributes: '{}' },
      { organization_id: other.organizationId, side: 'customer', email: 'ben@example.test', name: 'Ben', attributes: '{}' },
    ]).execute()
    await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${waveId}/invitations`, headers: bearer(token), payload: {} })
    await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${plainWaveId}/invitations`, headers: bearer(otherToken), payload: {} })
    const smtp = await smtpServer()
    const transport = smtpTransport(smtp.url)
    const worker = new MailWorker({ db: ctx.database.db, transport, publicUrl: ctx.config.publicUrl, secret: ctx.config.signingSecret, from: 'Service Gap <surveys@sg.test>', rate: 1000 })
    try {
      await worker.runOnce()
    } finally {
      transport.close()
      await smtp.close()
    }
    const branded = smtp.received.find((m) => m.to === 'ana@example.test')!
    expect(header(branded.raw, 'From')).toBe('Northwind Care via Service Gap <surveys@sg.test>')
    const message = readMessage(branded.raw)
    const html = message.parts.find((part) => part.contentType === 'text/html')!.body.toString('utf8')
    const image = message.parts.find((part) => part.contentType === 'image/png')!
    expect(image.body.equals(fixture('logo.png'))).toBe(true)
    const cid = /<img src="cid:([^"]+)" alt="Northwind" width="240" height="64"/.exec(html)?.[1]
    expect(cid).toBeDefined()
    expect(branded.raw).toContain(`Content-ID: <${cid}>`)
    expect(html).toContain('background:#1a5fb4')
    expect(html).not.toContain('#0b4f8a')

    // The page that confirms an unsubscription carries the organization's logo and colours too.
    const unsubscribe = /\/u\/[0-9a-f-]{36}\.[A-Za-z0-9_-]+/.exec(message.text)![0]
    const confirmed = await ctx.app.inject({ method: 'POST', url: unsubscribe, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    expect(confirmed.statusCode).toBe(200)
    expect(logoSrc(confirmed.body)).toMatch(/^\/brand\/logo\//)
    expect(confirmed.body).toContain('href="/brand/accent/1a5fb4.css"')

    const plain = readMessage(smtp.received.find((m) => m.to === 'ben@example.test')!.raw)
    const plainHtml = plain.parts.find((part) => part.contentType === 'text/html')!.body.toString('utf8')
    expect(plain.parts.filter((part) => part.contentType.startsWith('image/'))).toEqual([])
    expect(plainHtml).not.toContain('<img')
    expect(plainHtml).toContain('background:#0b4f8a')
  })

  it('removes the logo: pages stop showing it and its old address is a 404', async () => {
    const hash = (await branding(tenant.organizationId))!.logo_hash
    await owner.get('/settings/branding')
    const removed = await owner.post('/settings/branding/logo/remove')
    expect(removed.statusCode).toBe(303)
    expect(await branding(tenant.organizationId)).toMatchObject({ logo_type: null, logo_hash: null, accent: '#1a5fb4' })
    expect((await ctx.app.inject({ method: 'GET', url: `/brand/logo/${hash}.png` })).statusCode).toBe(404)
    const page = await ctx.app.inject({ method: 'GET', url: surveyPath })
    expect(page.body).not.toContain('brand-logo')
    expect(page.body).toContain('href="/brand/accent/1a5fb4.css"')
  })
})
