// A wave's tabs, on both databases: the report at /waves/:id holds the report only; its links, links
// per unit, invitations (delivery counts, the invitation and reminder forms, paused sending) and the
// response import are on /waves/:id/operations, with the same rules as before for who sees what (a
// unit manager: the general links and their units' links, nothing of the whole wave); the forms there
// come back to the operations tab, and refuse a request without this browser's CSRF token.
import { expect, it } from 'vitest'
import { findUserByEmail } from '../../server/repositories/organizations.js'
import { pauseSending } from '../../server/repositories/invitations.js'
import { setManagedUnits } from '../../server/repositories/unit-managers.js'
import { addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type Tenant, type TestContext } from '../helpers/app.js'

type WaveLinks = { id: string; links: { staff: string; customer: string }; unitLinks: Array<{ unit: { name: string }; staff: string | null; customer: string | null }> }

const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1)
/** The tab bar's entries, and which one is marked as the current page. */
function tabs(html: string) {
  const nav = html.slice(html.indexOf('<nav class="wave-tabs'), html.indexOf('</nav>', html.indexOf('<nav class="wave-tabs')))
  return [...nav.matchAll(/<a href="([^"]+)"( aria-current="page")?>([^<]+)<\/a>/g)].map((m) => ({ href: m[1]!, current: m[2] !== undefined, label: m[3]! }))
}
/** What only the operations tab holds; none of it may be on the report. */
const OPERATIONS_MARKS = ['id="links-section"', 'Survey links', 'id="unit-links-section"', 'Links per unit', 'id="invitations"', 'data-delivery', 'Import responses (CSV)']

describeEachDatabase('a wave\'s report and operations tabs', (ctx: TestContext) => {
  let tenant: Tenant
  let token: string
  let wave: WaveLinks
  let owner: Browser
  let manager: Browser
  let managerEmail: string
  const units: Record<string, string> = {}

  const api = async (method: 'GET' | 'POST', url: string, payload?: unknown, auth = token) => {
    const response = await ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(auth), ...(payload === undefined ? {} : { payload: payload as object }) })
    if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`)
    return response.json()
  }
  const operations = () => `/waves/${wave.id}/operations`
  const queued = async () => (await ctx.database.db.selectFrom('invitations').select('id').where('wave_id', '=', wave.id).execute()).length

  it('sets up a wave with unit links, contacts, answers and a manager of North', async () => {
    tenant = await createTenant(ctx, 'Tabs & Co')
    token = await apiToken(ctx, tenant.owner.email)
    for (const name of ['North', 'South']) units[name] = (await api('POST', '/units', { name })).id
    const created = await api('POST', '/waves', { name: '2026-Q4', templateKey: 'service-gap-index', unitLinks: true })
    wave = await api('GET', `/waves/${created.id}`)
    expect(wave.unitLinks.map((entry) => entry.unit.name).sort()).toEqual(['North', 'South'])
    await api('POST', '/contacts', [
      { email: 'ann@example.test', side: 'customer', unit: 'North' },
      { email: 'bo@example.test', side: 'customer', unit: 'South' },
      { email: 'cy@example.test', side: 'staff', unit: 'South' },
    ])
    const answers = (value: number) => ({ excellent_service: value, want_to_help: value })
    await api('POST', `/waves/${wave.id}/responses`, [
      ...Array.from({ length: 6 }, (_, i) => ({ side: 'staff', unit: 'North', answers: answers(4 + (i % 2)) })),
      ...Array.from({ length: 6 }, (_, i) => ({ side: 'customer', unit: 'North', answers: answers(1 + (i % 5)) })),
    ])
    owner = await signedIn(ctx, tenant.owner.email)
    managerEmail = await addPerson(ctx, tenant, 'unit_manager')
    await setManagedUnits(ctx.database.db, tenant.organizationId, (await findUserByEmail(ctx.database.db, managerEmail))!.id, [units.North!])
    manager = await signedIn(ctx, managerEmail)
  })

  it('shows the report and the operations each on its own tab, the current one marked', async () => {
    const report = await owner.get(`/waves/${wave.id}`)
    expect(report.statusCode).toBe(200)
    const base = `/waves/${wave.id}`
    expect(tabs(report.body)).toEqual([
      { href: base, current: true, label: 'Report' },
      { href: `${base}/plans`, current: false, label: 'Plans' },
      { href: `${base}/operations`, current: false, label: 'Operations' },
      { href: `${base}/settings`, current: false, label: 'Settings' },
    ])
    // The report: its blocks and the staff-release sentence; no link, no invitation, no import.
    expect(report.body).toContain('data-block="items"')
    expect(report.body).toContain('id="staff-release"')
    for (const mark of OPERATIONS_MARKS) expect(report.body, mark).not.toContain(mark)
    for (const url of [wave.links.staff, wave.links.customer, ...wave.unitLinks.flatMap((e) => [e.staff!, e.customer!])]) {
      expect(report.body).not.toContain(tokenOf(url))
    }

    const page = await owner.get(operations())
    expect(page.statusCode).toBe(200)
    expect(tabs(page.body).map((tab) => [tab.label, tab.current])).toEqual([['Report', false], ['Plans', false], ['Operations', true], ['Settings', false]])
    expect(page.body).toContain(`<title>Operations · 2026-Q4 · Service Gap</title>`)
    // Every link of the wave, the invitations with their counts and forms, the import.
    expect(page.body).toContain(`value="${wave.links.staff}"`)
    expect(page.body).toContain(`value="${wave.links.customer}"`)
    for (const entry of wave.unitLinks) {
      expect(page.body).toContain(`<th scope="row">${entry.unit.name}</th>`)
      expect(page.body).toContain(entry.staff!)
    }
    expect(page.body).toContain(`data-delivery="/waves/${wave.id}/delivery"`)
    expect(page.body).toContain(`action="/waves/${wave.id}/invitations"`)
    expect(page.body).toContain(`action="/waves/${wave.id}/reminders"`)
    expect(page.body).toContain(`href="/waves/${wave.id}/import">Import responses (CSV)</a>`)
    // No report on it: no dashboard block, no chart.
    expect(page.body).not.toContain('data-block=')
    expect(page.body).not.toContain('data-chart=')

    const settings = await owner.get(`/waves/${wave.id}/settings`)
    expect(tabs(settings.body).map((tab) => [tab.label, tab.current])).toEqual([['Report', false], ['Plans', false], ['Operations', false], ['Settings', true]])
  })

  it('points an empty wave\'s report to the operations tab for its links', async () => {
    const empty = await api('POST', '/waves', { name: 'Empty', templateKey: 'service-gap-index' })
    const page = await owner.get(`/waves/${empty.id}`)
    expect(page.body).toContain(`share the links on the <a href="/waves/${empty.id}/operations">Operations</a> tab.`)
    expect(page.body).not.toContain(tokenOf(empty.links.staff))
    expect((await owner.get(`/waves/${empty.id}/operations`)).body).toContain(`value="${empty.links.staff}"`)
  })

  it('shows a unit manager their units\' links and the general ones, nothing of the whole wave, no settings', async () => {
    const page = await manager.get(operations())
    expect(page.statusCode).toBe(200)
    expect(tabs(page.body).map((tab) => tab.label)).toEqual(['Report', 'Plans', 'Operations'])
    expect(page.body).toContain(`value="${wave.links.staff}"`)
    const north = wave.unitLinks.find((entry) => entry.unit.name === 'North')!
    const south = wave.unitLinks.find((entry) => entry.unit.name === 'South')!
    expect(page.body).toContain(north.staff!)
    expect(page.body).toContain(north.customer!)
    for (const url of [south.staff!, south.customer!]) expect(page.body).not.toContain(tokenOf(url))
    expect(page.body).not.toContain('South')
    for (const mark of ['id="invitations"', 'data-delivery', 'Queued', 'Import responses (CSV)', '/unit-links', '/invitations', '/reminders']) {
      expect(page.body, mark).not.toContain(mark)
    }
    // Their report holds no operations either.
    const report = await manager.get(`/waves/${wave.id}`)
    expect(report.statusCode).toBe(200)
    for (const mark of OPERATIONS_MARKS) expect(report.body, mark).not.toContain(mark)
    expect(report.body).not.toContain(tokenOf(north.staff!))
    // Without units, as on the report: refused.
    const lonely = await signedIn(ctx, await addPerson(ctx, tenant, 'unit_manager'))
    const refused = await lonely.get(operations())
    expect(refused.statusCode).toBe(403)
    expect(refused.body).toContain('no units are assigned to you yet')
    expect(refused.body).not.toContain(tokenOf(wave.links.staff))
  })

  it('shows a viewer the links and the delivery counts, but no form to invite, import or make links', async () => {
    const viewer = await signedIn(ctx, await addPerson(ctx, tenant, 'viewer'))
    const page = await viewer.get(operations())
    expect(page.statusCode).toBe(200)
    expect(tabs(page.body).map((tab) => tab.label)).toEqual(['Report', 'Plans', 'Operations'])
    expect(page.body).toContain(`value="${wave.links.customer}"`)
    expect(page.body).toContain('data-delivery')
    for (const mark of ['Import responses (CSV)', `action="/waves/${wave.id}/invitations"`, `action="/waves/${wave.id}/reminders"`, `action="/waves/${wave.id}/close"`]) {
      expect(page.body, mark).not.toContain(mark)
    }
  })

  it('brings the forms back to the operations tab: invitations with their notice, reminders, unit links', async () => {
    await owner.get(operations())
    const invited = await owner.post(`/waves/${wave.id}/invitations`, { side: 'customer', unit: '' })
    expect(invited.statusCode).toBe(303)
    expect(invited.headers.location).toBe(`/waves/${wave.id}/operations?invited=2#invitations`)
    expect(await queued()).toBe(2)
    const notice = await owner.get(invited.headers.location!.split('#')[0]!)
    expect(notice.body).toContain('2 invitations queued.')
    // The notice belongs to the operations tab; on the report the parameter is neither a notice nor a filter.
    const report = await owner.get(`/waves/${wave.id}?invited=2`)
    expect(report.statusCode).toBe(200)
    expect(report.body).not.toContain('invitations queued')
    expect(report.body).not.toContain('class="notice"')
    const again = await owner.post(`/waves/${wave.id}/invitations`, { side: 'customer', unit: '' })
    expect(again.headers.location).toBe(`/waves/${wave.id}/operations?invited=0#invitations`)
    expect((await owner.get(again.headers.location!.split('#')[0]!)).body).toContain('Nobody new to invite')

    const reminders = await owner.post(`/waves/${wave.id}/reminders`, { reminders: '3', reminderDays: '6' })
    expect(reminders.headers.location).toBe(`/waves/${wave.id}/operations#invitations`)
    expect(await ctx.database.db.selectFrom('waves').select(['reminders', 'reminder_days']).where('id', '=', wave.id).executeTakeFirstOrThrow())
      .toEqual({ reminders: 3, reminder_days: 6 })

    await api('POST', '/units', { name: 'East' })
    const before = await owner.get(operations())
    expect(before.body).toContain('Make links for 1 unit without one')
    const made = await owner.post(`/waves/${wave.id}/unit-links`)
    expect(made.headers.location).toBe(`/waves/${wave.id}/operations#unit-links`)
    expect((await owner.get(operations())).body).toContain('<th scope="row">East</th>')
  })

  it('says on the operations tab when sending is paused, and resuming comes back to it', async () => {
    await pauseSending(ctx.database.db, tenant.organizationId, 'the mail server refused 9 of 10 messages')
    const page = await owner.get(operations())
    expect(page.body).toContain('<strong>Sending is paused</strong>')
    expect(page.body).toContain(`name="back" value="/waves/${wave.id}/operations"`)
    expect((await owner.get(`/waves/${wave.id}`)).body).not.toContain('Sending is paused')
    const resumed = await owner.post('/sending/resume', { back: `/waves/${wave.id}/operations` })
    expect(resumed.headers.location).toBe(`/waves/${wave.id}/operations#invitations`)
    expect((await owner.get(operations())).body).not.toContain('Sending is paused')
    // A form of the old page (back to the wave) lands on the tab too; anything else on the list.
    await pauseSending(ctx.database.db, tenant.organizationId, 'again')
    await owner.get(operations())
    expect((await owner.post('/sending/resume', { back: `/waves/${wave.id}` })).headers.location).toBe(`/waves/${wave.id}/operations#invitations`)
    for (const back of ['https://evil.example/waves/x', `/waves/${wave.id}/operations/../../settings`, `//evil.example/waves/${wave.id}`, '/waves/not-an-id/operations']) {
      await owner.get(operations())
      expect((await owner.post('/sending/resume', { back })).headers.location, back).toBe('/waves')
    }
  })

  it('refuses the operations forms without this browser\'s CSRF token, and changes nothing', async () => {
    const before = await queued()
    const other = await signedIn(ctx, tenant.owner.email)
    for (const path of ['invitations', 'reminders', 'unit-links']) {
      for (const csrf of ['', other.csrf!]) {
        await owner.get(operations())
        const response = await owner.post(`/waves/${wave.id}/${path}`, { _csrf: csrf, side: 'staff', reminders: '5', reminderDays: '1' })
        expect(response.statusCode, `${path} with ${csrf ? 'another browser\'s' : 'no'} token`).toBe(403)
      }
    }
    expect(await queued()).toBe(before)
    expect(await ctx.database.db.selectFrom('waves').select('reminders').where('id', '=', wave.id).executeTakeFirstOrThrow()).toEqual({ reminders: 3 })
    // With the token, the same form works: the refusal above was the token's.
    await owner.get(operations())
    expect((await owner.post(`/waves/${wave.id}/invitations`, { side: 'staff' })).headers.location).toBe(`/waves/${wave.id}/operations?invited=1#invitations`)
  })

  it('keeps the operations tab to the wave\'s organization', async () => {
    const stranger = await createTenant(ctx, 'Elsewhere')
    const browser = await signedIn(ctx, stranger.owner.email)
    const response = await browser.get(operations())
    expect(response.statusCode).toBe(404)
    expect(response.body).not.toContain(tokenOf(wave.links.staff))
    expect((await browser.get('/waves/not-a-wave/operations')).statusCode).toBe(404)
  })
})
