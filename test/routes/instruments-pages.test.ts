// The instrument builder's pages on both databases: starting from the Service Gap Index, editing a
// wording and saving, adding, moving and removing statements without saving, per-field errors with
// what was typed kept, a version in use saved as the next version, delete rules, a viewer who may
// only look, and another organization that gets 404 for our ids. Forms are sent the way a browser
// sends them: every field of the page as it was rendered, with a few changed.
import { parse, type HTMLElement } from 'node-html-parser'
import { expect, it } from 'vitest'
import { addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type Tenant, type TestContext } from '../helpers/app.js'

/** What a browser would send for the page's builder form (checked boxes only), plus the button pressed. */
function formFields(html: string, action: string): Array<[string, string]> {
  const form = parse(html).querySelector('form.builder-form')!
  const out: Array<[string, string]> = []
  for (const el of form.querySelectorAll('input, textarea, select') as HTMLElement[]) {
    const name = el.getAttribute('name')
    if (!name || name === 'action') continue
    const type = el.getAttribute('type')
    if ((type === 'checkbox' || type === 'radio') && !el.hasAttribute('checked')) continue
    if (el.tagName === 'TEXTAREA') out.push([name, el.textContent.replace(/^\n/, '')])
    else if (el.tagName === 'SELECT') out.push([name, (el.querySelector('option[selected]') ?? el.querySelector('option'))!.getAttribute('value') ?? ''])
    else out.push([name, el.getAttribute('value') ?? ''])
  }
  out.push(['action', action])
  return out
}
const decode = (text: string) => parse(`<p>${text}</p>`).textContent

describeEachDatabase('instrument builder pages', (ctx: TestContext) => {
  let tenant: Tenant
  let owner: Browser
  let sgiId: string
  let mineId: string

  /** Posts the page's form with some fields changed (a value of null drops the field). */
  async function send(url: string, html: string, action: string, changes: Record<string, string | string[] | null> = {}) {
    const fields = formFields(html, action).filter(([name]) => !(name in changes))
    for (const [name, value] of Object.entries(changes)) for (const v of value === null ? [] : [value].flat()) fields.push([name, v])
    const body = new URLSearchParams(fields)
    return owner.request({ method: 'POST', url, payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  }
  const valueOf = (html: string, id: string) => {
    const el = parse(html).getElementById(id)
    return el ? (el.tagName === 'TEXTAREA' ? decode(el.innerHTML) : el.getAttribute('value')) : undefined
  }

  it('lists the built-in instrument with its statements and links it in the nav', async () => {
    tenant = await createTenant(ctx, 'Builder Inc')
    owner = await signedIn(ctx, tenant.owner.email)
    const page = await owner.get('/instruments')
    expect(page.statusCode).toBe(200)
    const doc = parse(page.body)
    expect(doc.querySelector('nav[aria-label="Main"] a[href="/instruments"]')).not.toBeNull()
    const link = doc.querySelectorAll('a').find((a) => a.getAttribute('href')?.startsWith('/instruments/new?from='))!
    sgiId = link.getAttribute('href')!.split('=')[1]!
    expect(doc.querySelector('table')!.textContent).toContain('Service Gap Index')
    expect(doc.querySelector('table')!.textContent).toContain('12')
  })

  it('starts from the Service Gap Index and saves it as an own instrument', async () => {
    const start = await owner.get(`/instruments/new?from=${sgiId}`)
    expect(start.statusCode).toBe(200)
    expect(valueOf(start.body, 'items.4.key')).toBe('easy')
    const saved = await send('/instruments', start.body, 'save', { key: 'branch-survey', name: 'Branch survey' })
    expect(saved.statusCode, saved.body).toBe(303)
    mineId = saved.headers.location!.split('/')[2]!
    const edit = await owner.get(saved.headers.location!)
    expect(edit.body).toContain('Instrument created.')
    expect(valueOf(edit.body, 'name')).toBe('Branch survey')
    expect(parse(edit.body).querySelectorAll('fieldset.item-card')).toHaveLength(12)
  })

  it('edits a wording and saves it in place while no wave uses the version', async () => {
    const edit = await owner.get(`/instruments/${mineId}/edit`)
    const saved = await send(`/instruments/${mineId}`, edit.body, 'save', { 'items.4.customerText.en': 'Getting what I need from {org} is easy & quick.' })
    expect(saved.statusCode, saved.body).toBe(303)
    expect(saved.headers.location).toBe(`/instruments/${mineId}/edit?done=saved`)
    const again = await owner.get(saved.headers.location!)
    expect(valueOf(again.body, 'items.4.customerText.en')).toBe('Getting what I need from {org} is easy & quick.')
  })

  it('adds, moves and removes statements without saving, keeping everything typed', async () => {
    const edit = await owner.get(`/instruments/${mineId}/edit`)
    const added = await send(`/instruments/${mineId}`, edit.body, 'add', { 'items.0.customerText.en': 'Typed, not saved' })
    expect(added.statusCode).toBe(200)
    expect(parse(added.body).querySelectorAll('fieldset.item-card')).toHaveLength(13)
    expect(valueOf(added.body, 'items.0.customerText.en')).toBe('Typed, not saved')
    expect(parse(added.body).getElementById('items.12.key')!.hasAttribute('autofocus')).toBe(true)
    const filled = { 'items.12.key': 'recommend', 'items.12.dimension': 'overall', 'items.12.scale': 'likelihood11', 'items.12.staffText.en': 'Customers would recommend us.', 'items.12.customerText.en': 'I would recommend {org}.' }
    const moved = await send(`/instruments/${mineId}`, added.body, 'up:12', filled)
    expect(valueOf(moved.body, 'items.11.key')).toBe('recommend')
    expect(valueOf(moved.body, 'items.12.key')).toBe('supported')
    expect(parse(moved.body).querySelector('select[name="items.11.scale"] option[selected]')!.getAttribute('value')).toBe('likelihood11')
    const down = await send(`/instruments/${mineId}`, moved.body, 'down:0')
    expect(valueOf(down.body, 'items.1.key')).toBe('excellent_service')
    expect(parse(down.body).querySelector('input[name="headline"][checked]')!.getAttribute('value')).toBe('1')
    const removed = await send(`/instruments/${mineId}`, down.body, 'remove:0')
    expect(parse(removed.body).querySelectorAll('fieldset.item-card')).toHaveLength(12)
    expect(valueOf(removed.body, 'items.0.key')).toBe('excellent_service')
    // Nothing of this was stored.
    const stored = await owner.get(`/instruments/${mineId}/edit`)
    expect(parse(stored.body).querySelectorAll('fieldset.item-card')).toHaveLength(12)
    expect(valueOf(stored.body, 'items.0.customerText.en')).not.toBe('Typed, not saved')
  })

  it('shows each problem beside its field and in the summary, with what was typed kept', async () => {
    const edit = await owner.get(`/instruments/${mineId}/edit`)
    const bad = await send(`/instruments/${mineId}`, edit.body, 'save', {
      'items.3.key': 'valued', 'items.0.staffText.en': '  ', 'name': 'Branch <survey>',
    })
    expect(bad.statusCode).toBe(422)
    const doc = parse(bad.body)
    expect(doc.querySelector('.error-summary a[href="#items.3.key"]')).not.toBeNull()
    expect(doc.querySelector('.error-summary a[href="#items.0.staffText.en"]')).not.toBeNull()
    expect(doc.getElementById('items.3.key')!.getAttribute('aria-invalid')).toBe('true')
    expect(valueOf(bad.body, 'items.3.key')).toBe('valued')
    expect(valueOf(bad.body, 'name')).toBe('Branch <survey>')
    expect(bad.body).not.toContain('Branch <survey>')
    // No headline chosen, and a wording left empty in one language: each named where it belongs.
    const more = await send(`/instruments/${mineId}`, edit.body, 'save', { headline: null, 'items.0.customerText.es': '' })
    expect(more.statusCode).toBe(422)
    const problems = parse(more.body)
    expect(problems.querySelector('.error-summary a[href="#headline"]')).not.toBeNull()
    expect(problems.getElementById('headline')).not.toBeNull()
    expect(problems.getElementById('items.0.customerText.es')!.getAttribute('aria-invalid')).toBe('true')
    expect(valueOf(more.body, 'items.0.customerText.de')).toBe(valueOf(edit.body, 'items.0.customerText.de'))
  })

  it('lets a viewer see the list and previews but not edit; another organization gets 404', async () => {
    const viewer = await signedIn(ctx, await addPerson(ctx, tenant, 'viewer'))
    expect((await viewer.get('/instruments')).statusCode).toBe(200)
    expect((await viewer.get(`/instruments/${mineId}/preview`)).statusCode).toBe(200)
    expect((await viewer.get(`/instruments/${mineId}/edit`)).statusCode).toBe(403)
    expect((await viewer.post(`/instruments/${mineId}/delete`, { confirm: 'yes' })).statusCode).toBe(403)
    const other = await createTenant(ctx, 'Other Org')
    const stranger = await signedIn(ctx, other.owner.email)
    for (const url of [`/instruments/${mineId}/edit`, `/instruments/${mineId}/preview`, `/instruments/${mineId}/preview/frame`, `/instruments/${mineId}/delete`]) {
      expect((await stranger.get(url)).statusCode, url).toBe(404)
    }
    expect((await stranger.get('/instruments')).body).not.toContain('branch-survey')
  })

  it('previews both sides in a frame that cannot send a form', async () => {
    const page = await owner.get(`/instruments/${mineId}/preview?side=staff`)
    const frame = parse(page.body).querySelector('.phone iframe')!
    expect(frame.getAttribute('sandbox')).toBe('allow-same-origin')
    const inside = await owner.get(frame.getAttribute('src')!)
    expect(inside.statusCode).toBe(200)
    expect(inside.headers['content-security-policy']).toContain("form-action 'none'")
    expect(inside.body).toContain('Our customers receive excellent service from us.')
    const customers = await owner.get(`/instruments/${mineId}/preview/frame?side=customer&lang=es`)
    expect(customers.body).toContain('<html lang="es">')
  })

  it('saves a version in use by a wave as the next version, and deletes only unused versions', async () => {
    const token = await apiToken(ctx, tenant.owner.email)
    const wave = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name: '2026-Q4', templateKey: 'branch-survey' } })
    expect(wave.statusCode, wave.body).toBe(201)
    const edit = await owner.get(`/instruments/${mineId}/edit`)
    expect(parse(edit.body).getElementById('frozen')!.textContent).toContain('Saving creates version 2; waves already using version 1 keep it')
    const saved = await send(`/instruments/${mineId}`, edit.body, 'save', { 'items.1.staffText.en': 'We truly want customers to be happy.' })
    expect(saved.statusCode, saved.body).toBe(303)
    const newId = saved.headers.location!.split('/')[2]!
    expect(newId).not.toBe(mineId)
    expect((await owner.get(saved.headers.location!)).body).toContain('Saved as a new version')
    expect((await owner.post(`/instruments/${mineId}/delete`, { confirm: 'yes' })).statusCode).toBe(409)
    expect((await owner.get(`/instruments/${mineId}/edit`)).statusCode).toBe(200)
    const asked = await owner.post(`/instruments/${newId}/delete`, {})
    expect(asked.statusCode).toBe(200)
    expect((await owner.get(`/instruments/${newId}/edit`)).statusCode).toBe(200)
    expect((await owner.post(`/instruments/${newId}/delete`, { confirm: 'yes' })).statusCode).toBe(303)
    expect((await owner.get(`/instruments/${newId}/edit`)).statusCode).toBe(404)
  })
})
