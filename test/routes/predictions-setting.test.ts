// A wave's prediction questions (issue 14, "staff predict the customer"), on both databases: chosen
// when the wave is made (API and form), shown by the API, changed in its settings and by PATCH only
// while the wave holds no answer, audited; refused with 409 / a field error once it does.
import { expect, it } from 'vitest'
import { PREDICTIONS_LOCKED } from '../../server/domain/wave-changes.js'
import { apiToken, bearer, createTenant, describeEachDatabase, signedIn, type Tenant } from '../helpers/app.js'
import { answers, createWave, escapeHtml, hidden, post } from '../helpers/survey.js'
import { Browser } from '../helpers/app.js'

describeEachDatabase('prediction questions: the wave setting', (ctx) => {
  let tenant: Tenant
  let token: string
  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) })
  const auditRows = () => ctx.database.db.selectFrom('audit_log').select(['target', 'detail'])
    .where('organization_id', '=', tenant.organizationId).where('action', '=', 'wave_updated').orderBy('id').execute()

  it('is off unless chosen, is given on creation and shows in the wave and the list', async () => {
    tenant = await createTenant(ctx, 'Acme Co')
    token = await apiToken(ctx, tenant.owner.email)
    const plain = await createWave(ctx, token, { name: 'Plain' })
    const all = await createWave(ctx, token, { name: 'All', predictions: 'all' })
    expect((await api('GET', `/api/v1/waves/${plain.id}`)).json().predictions).toBe('off')
    expect((await api('GET', `/api/v1/waves/${all.id}`)).json().predictions).toBe('all')
    const list = (await api('GET', '/api/v1/waves')).json() as Array<{ id: string; predictions: string }>
    expect(Object.fromEntries(list.map((w) => [w.id, w.predictions]))).toMatchObject({ [plain.id]: 'off', [all.id]: 'all' })
    for (const predictions of ['some', '', 1, null]) {
      const refused = await api('POST', '/api/v1/waves', { name: `Bad ${String(predictions)}`, templateKey: 'service-gap-index', predictions })
      expect(refused.statusCode, String(predictions)).toBe(400)
    }
  })

  it('changes by PATCH while the wave is empty, audited, and is refused with 409 once a customer answered', async () => {
    const wave = await createWave(ctx, token, { name: 'Patch customer' })
    const changed = await api('PATCH', `/api/v1/waves/${wave.id}`, { predictions: 'headline' })
    expect(changed.statusCode).toBe(200)
    expect(changed.json().predictions).toBe('headline')
    expect((await auditRows()).at(-1)).toMatchObject({ target: 'wave Patch customer', detail: { changed: ['predictions'] } })
    const browser = new Browser(ctx.app)
    const page = await browser.get(`/s/${wave.customer}`)
    expect((await post(browser, wave.customer, { submission: hidden(page.body, 'submission')!, ...answers() })).statusCode).toBe(303)
    const refused = await api('PATCH', `/api/v1/waves/${wave.id}`, { predictions: 'all', name: 'Renamed' })
    expect(refused.statusCode).toBe(409)
    expect(refused.json()).toMatchObject({ error: 'conflict', message: PREDICTIONS_LOCKED })
    // Nothing of a refused request changes; the same value again is no change at all.
    expect((await api('GET', `/api/v1/waves/${wave.id}`)).json()).toMatchObject({ name: 'Patch customer', predictions: 'headline' })
    expect((await api('PATCH', `/api/v1/waves/${wave.id}`, { predictions: 'headline', name: 'Renamed' })).statusCode).toBe(200)
    expect((await api('PATCH', `/api/v1/waves/${wave.id}`, { predictions: 'sometimes' })).statusCode).toBe(400)
  })

  it('is refused once a staff answer waits in the pool, before any step', async () => {
    const wave = await createWave(ctx, token, { name: 'Patch staff' })
    const browser = new Browser(ctx.app)
    const page = await browser.get(`/s/${wave.staff}`)
    expect((await post(browser, wave.staff, { submission: hidden(page.body, 'submission')!, ...answers() })).statusCode).toBe(303)
    expect(await ctx.database.db.selectFrom('responses').select('id').where('wave_id', '=', wave.id).execute()).toHaveLength(0)
    expect((await api('PATCH', `/api/v1/waves/${wave.id}`, { predictions: 'all' })).statusCode).toBe(409)
    expect((await api('GET', `/api/v1/waves/${wave.id}`)).json().predictions).toBe('off')
  })

  it('is chosen on the new-wave form and changed on the settings form until the wave has answers', async () => {
    const owner = await signedIn(ctx, tenant.owner.email)
    const form = await owner.get('/waves/new')
    expect(form.body).toContain('id="predictions-off" name="predictions" value="off" aria-describedby="predictions-hint" checked')
    expect(form.body).toContain(escapeHtml('Out of 10 of our customers, how many would agree: …?'))
    const bad = await owner.post('/waves', { name: 'Form wave', templateKey: 'service-gap-index', status: 'open', locales: ['en'], predictions: 'most' })
    expect(bad.statusCode).toBe(422)
    expect(bad.body).toContain(escapeHtml('Choose "off", "headline" or "all".'))
    expect(bad.body).toContain('value="Form wave"')
    const made = await owner.post('/waves', { name: 'Form wave', templateKey: 'service-gap-index', status: 'open', locales: ['en'], predictions: 'headline' })
    expect(made.statusCode).toBe(303)
    const id = made.headers.location!.split('/').at(-1)!
    expect((await api('GET', `/api/v1/waves/${id}`)).json().predictions).toBe('headline')

    const settings = await owner.get(`/waves/${id}/settings`)
    expect(settings.body).toMatch(/id="predictions-headline" name="predictions" value="headline" aria-describedby="predictions-hint" checked>/)
    const saved = await owner.post(`/waves/${id}/settings`, { name: 'Form wave', locales: ['en'], predictions: 'all' })
    expect(saved.statusCode).toBe(303)
    expect((await api('GET', `/api/v1/waves/${id}`)).json().predictions).toBe('all')
    expect((await auditRows()).at(-1)).toMatchObject({ detail: { changed: ['predictions'] } })

    const links = (await api('GET', `/api/v1/waves/${id}`)).json().links as { customer: string }
    const customer = links.customer.split('/').at(-1)!
    const browser = new Browser(ctx.app)
    const page = await browser.get(`/s/${customer}`)
    expect((await post(browser, customer, { submission: hidden(page.body, 'submission')!, ...answers() })).statusCode).toBe(303)
    const locked = await owner.get(`/waves/${id}/settings`)
    expect(locked.body).toMatch(/value="all" aria-describedby="predictions-hint" checked disabled>/)
    expect(locked.body).toContain('This wave has answers, so this stays as it is')
    // The disabled choices are not sent: the rest of the form still saves.
    expect((await owner.post(`/waves/${id}/settings`, { name: 'Form wave renamed', locales: ['en'] })).statusCode).toBe(303)
    const forced = await owner.post(`/waves/${id}/settings`, { name: 'Form wave renamed', locales: ['en'], predictions: 'off' })
    expect(forced.statusCode).toBe(422)
    expect(forced.body).toContain(escapeHtml(PREDICTIONS_LOCKED))
    expect((await api('GET', `/api/v1/waves/${id}`)).json()).toMatchObject({ name: 'Form wave renamed', predictions: 'all' })
  })
})
