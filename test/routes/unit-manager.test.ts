// The unit manager role on both databases: reports only of their units, through the API and on the
// dashboard, with every block of the page checked for figures of the whole wave or of other units;
// the figures they see are the same release's figures an owner sees for that unit. Their API token
// follows a change of role or units at once, and stops with their removal.
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { listAudit } from '../../server/repositories/audit.js'
import { findUserByEmail } from '../../server/repositories/organizations.js'
import { setManagedUnits } from '../../server/repositories/unit-managers.js'
import { addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type Tenant, type TestContext } from '../helpers/app.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const NORTH_COMMENT = 'North counter could open earlier'
const SOUTH_COMMENT = 'Southern secret about the manager'
const EAST_COMMENT = 'Three of us in the kiosk'

type Row = { side: 'staff' | 'customer'; unit: string; attributes?: Record<string, string>; answers: Record<string, number>; comment?: string }

/** Staff and customers per unit; customers of South are half 'gold', everyone else 'standard'. */
function rows(shift: number): Row[] {
  const out: Row[] = []
  const add = (side: 'staff' | 'customer', unit: string, n: number, comment: string) => {
    for (let i = 0; i < n; i++) {
      const answers = Object.fromEntries(KEYS.map((key, j) => [key, ((i * 3 + j + shift + (side === 'staff' ? 2 : 0)) % 5) + 1]))
      const tier = unit === 'South' && i % 2 === 0 ? 'gold' : 'standard'
      out.push({ side, unit, answers, ...(side === 'customer' ? { attributes: { tier } } : {}), ...(i < 2 ? { comment } : {}) })
    }
  }
  // East's three staff are hidden, and so (secondary suppression) is the next-smallest unit, South.
  add('staff', 'North', 25, NORTH_COMMENT)
  add('staff', 'South', 20, SOUTH_COMMENT)
  add('staff', 'East', 3, EAST_COMMENT)
  add('customer', 'North', 20, NORTH_COMMENT)
  add('customer', 'South', 20, SOUTH_COMMENT)
  return out
}

describeEachDatabase('the unit manager role', (ctx: TestContext) => {
  let tenant: Tenant
  let ownerToken: string
  let owner: Browser
  let waveId: string
  let previousId: string
  let units: Record<string, string>
  let managerEmail: string
  let managerId: string
  let managerToken: string

  const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: bearer(token) })
  const report = async (waveOf: string, query: string, token = ownerToken) => {
    const response = await get(`/waves/${waveOf}/report${query}`, token)
    expect(response.statusCode, `${query}: ${response.body}`).toBe(200)
    return response.json()
  }

  it('sets up an organization with three units, two waves and a manager of North', async () => {
    tenant = await createTenant(ctx, 'Acme')
    ownerToken = await apiToken(ctx, tenant.owner.email)
    owner = await signedIn(ctx, tenant.owner.email)
    units = {}
    for (const name of ['North', 'South', 'East']) {
      const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(ownerToken), payload: { name } })
      units[name] = created.json().id
    }
    const wave = async (name: string, shift: number) => {
      const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(ownerToken), payload: { name, templateKey: 'service-gap-index', unitLinks: true } })
      const id = created.json().id as string
      const stored = await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${id}/responses`, headers: bearer(ownerToken), payload: rows(shift) })
      expect(stored.statusCode, stored.body).toBe(201)
      return id
    }
    previousId = await wave('2026-Q3', 1)
    waveId = await wave('2026-Q4', 0)
    managerEmail = await addPerson(ctx, tenant, 'unit_manager')
    managerId = (await findUserByEmail(ctx.database.db, managerEmail))!.id
    await setManagedUnits(ctx.database.db, tenant.organizationId, managerId, [units.North!])
    managerToken = await apiToken(ctx, managerEmail)
  })

  it('answers the report API only for their unit, with the figures an owner sees for it', async () => {
    for (const query of ['', '?unit=South', `?unit=${units.South}`, '?unit=Nowhere', '?customer.tier=standard']) {
      const refused = await get(`/waves/${waveId}/report${query}`, managerToken)
      expect(refused.statusCode, query).toBe(403)
      expect(refused.json().message).toContain('your own units only')
      expect(refused.json().message).toContain('"North"')
      expect(refused.body).not.toContain('South')
    }
    for (const query of ['?unit=North', `?unit=${units.North}`, '?unit=north']) {
      const mine = await report(waveId, query, managerToken)
      const owners = await report(waveId, query)
      expect(mine.release.staffWaiting).toBeNull()
      // The same report, except that the heat map's rows are their units only (the owner's hold every unit).
      expect({ ...mine, release: { at: mine.release.at }, units: null }).toEqual({ ...owners, release: { at: owners.release.at }, units: null })
      expect(mine.units.map((u: { name: string }) => u.name)).toEqual(['North'])
      expect(JSON.stringify(mine.units)).not.toContain('South')
      expect(mine.headline.staff.n).toBe(25)
      expect(mine.filters.unit).toEqual({ id: units.North, name: 'North' })
    }
    // Attribute values: only those shown within their unit. 'gold' is held only in South.
    expect((await report(waveId, '?customer.tier=gold')).headline.customer.n).toBe(10)
    const gold = await get(`/waves/${waveId}/report?unit=North&customer.tier=gold`, managerToken)
    expect(gold.statusCode).toBe(400)
    expect((await report(waveId, '?unit=North&customer.tier=standard', managerToken)).headline.customer.n).toBe(20)
  })

  it('gives a unit manager no exports and no whole-wave counters', async () => {
    expect((await get(`/waves/${waveId}/export.csv`, managerToken)).statusCode).toBe(403)
    expect((await get(`/waves/${waveId}/invitations`, managerToken)).statusCode).toBe(403)
    const browser = await signedIn(ctx, managerEmail)
    for (const path of ['responses.csv', 'report.csv?unit=North', 'delivery', 'import']) {
      expect((await browser.get(`/waves/${waveId}/${path}`)).statusCode, path).toBe(403)
    }
    expect((await browser.get('/waves/new')).statusCode).toBe(403)
    expect((await browser.get('/settings/people')).statusCode).toBe(403)
    // The wave list shows them their unit's figures only (test/routes/waves-overview.test.ts).
    const list = await browser.get('/waves')
    expect(list.statusCode).toBe(200)
    expect(list.body).toContain('2026-Q4')
  })

  it('opens the dashboard on their unit and shows nothing of the whole wave or of other units', async () => {
    const browser = await signedIn(ctx, managerEmail)
    const page = await browser.get(`/waves/${waveId}`)
    expect(page.statusCode).toBe(200)
    const html = page.body
    const north = await report(waveId, '?unit=North')
    // Picker: their unit, no "All units".
    const picker = html.slice(html.indexOf('id="f-unit"'), html.indexOf('</select>', html.indexOf('id="f-unit"')))
    expect(picker).not.toContain('All units')
    expect([...picker.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1])).toEqual(['North'])
    expect(html).toContain('<strong>Filtered to</strong> unit North')
    // Headline: North's figures.
    expect(html).toContain(`n = ${north.headline.staff.n}`)
    // No other unit anywhere: heat map, respondents table, links, comments.
    for (const other of ['South', 'East', SOUTH_COMMENT, EAST_COMMENT]) expect(html, other).not.toContain(other)
    expect(html).toContain(NORTH_COMMENT)
    // No whole-wave count: the respondents table has no "All" row, the page no response total,
    // no invitation counters and no count of staff answers waiting.
    expect(html).not.toMatch(/<tr class="total">/)
    expect(html).not.toContain('customer responses')
    expect(html).not.toContain('id="invitations"')
    expect(html).not.toContain('data-delivery')
    expect(html).not.toContain('id="staff-release"')
    // The links are on the Operations tab: the wave's general links and North's, no other unit's,
    // and no invitation counters there either.
    const operations = await browser.get(`/waves/${waveId}/operations`)
    expect(operations.statusCode).toBe(200)
    expect(operations.body).toContain('Links per unit')
    expect(operations.body).toContain('<th scope="row">North</th>')
    for (const other of ['South', 'East']) expect(operations.body, other).not.toContain(other)
    expect(operations.body).not.toContain('id="invitations"')
    expect(operations.body).not.toContain('data-delivery')
    // Attribute values: 'standard' is held in North, 'gold' only in South, so it is not offered.
    expect(html).toContain('<option value="standard"')
    expect(html).not.toContain('<option value="gold"')
    // The trend follows North through both waves, each under its own release.
    const trendSpec = [...html.matchAll(/data-chart="([^"]*)"/g)].map((m) => JSON.parse(m[1]!.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&#39;', "'")))
      .find((spec) => spec.kind === 'gap')
    const before = await report(previousId, '?unit=North')
    expect(trendSpec.gap.map((p: number[]) => p[0])).toEqual([before.headline.gap.points, north.headline.gap.points])
    expect(html).toContain('It follows <strong>unit North</strong>')
    // Another unit asked for by name or id: refused, not shown.
    for (const query of ['?unit=South', `?unit=${units.East}`]) {
      const refused = await browser.get(`/waves/${waveId}${query}`)
      expect(refused.statusCode, query).toBe(403)
      expect(refused.body).toContain('your own units only')
      expect(refused.body).not.toContain(SOUTH_COMMENT)
    }
    // The owner's page of the same wave has the whole wave: the check above can fail.
    const owners = (await owner.get(`/waves/${waveId}`)).body
    expect(owners).toContain('South')
    expect(owners).toMatch(/<tr class="total">/)
    const ownersOperations = (await owner.get(`/waves/${waveId}/operations`)).body
    expect(ownersOperations).toContain('<th scope="row">South</th>')
    expect(ownersOperations).toContain('id="invitations"')
  })

  it('offers a manager of two units just those two, opening on the first', async () => {
    const email = await addPerson(ctx, tenant, 'unit_manager')
    const id = (await findUserByEmail(ctx.database.db, email))!.id
    await setManagedUnits(ctx.database.db, tenant.organizationId, id, [units.South!, units.North!])
    const browser = await signedIn(ctx, email)
    const html = (await browser.get(`/waves/${waveId}`)).body
    const picker = html.slice(html.indexOf('id="f-unit"'), html.indexOf('</select>', html.indexOf('id="f-unit"')))
    expect([...picker.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1])).toEqual(['North', 'South'])
    expect(html).toContain('unit North')
    expect(html).not.toContain('East')
    // A value not offered within the unit: their first unit instead, said so, never the whole wave.
    const fallback = (await browser.get(`/waves/${waveId}?unit=South&customer.tier=platinum`)).body
    expect(fallback).toContain('Showing your first unit instead.')
    expect(fallback).toContain('<strong>Filtered to</strong> unit North')
    const south = await browser.get(`/waves/${waveId}?unit=South`)
    expect(south.statusCode).toBe(200)
    expect(south.body).toContain(SOUTH_COMMENT)
    expect(south.body).toContain('<option value="gold"')
    // A unit manager without units sees a clear refusal.
    const lonely = await signedIn(ctx, await addPerson(ctx, tenant, 'unit_manager'))
    const none = await lonely.get(`/waves/${waveId}`)
    expect(none.statusCode).toBe(403)
    expect(none.body).toContain('no units are assigned to you yet')
  })

  it('applies a change of units, of role and a removal to the person\'s API token at once', async () => {
    const path = `/waves/${waveId}/report?unit=North`
    expect((await get(path, managerToken)).statusCode).toBe(200)
    // New units: North is no longer theirs.
    await owner.get('/settings/people')
    expect((await owner.post(`/settings/people/${managerId}/units`, { units: [units.South!] })).statusCode).toBe(303)
    expect((await get(path, managerToken)).statusCode).toBe(403)
    expect((await get(`/waves/${waveId}/report?unit=South`, managerToken)).statusCode).toBe(200)
    // Promoted to analyst: the whole wave and exports, with the same token.
    expect((await owner.post(`/settings/people/${managerId}/role`, { role: 'analyst' })).statusCode).toBe(303)
    expect((await get(`/waves/${waveId}/report`, managerToken)).statusCode).toBe(200)
    expect((await get(`/waves/${waveId}/export.csv`, managerToken)).statusCode).toBe(200)
    // Demoted to unit manager again: no units (they were dropped with the role), so nothing.
    expect((await owner.post(`/settings/people/${managerId}/role`, { role: 'unit_manager' })).statusCode).toBe(303)
    expect((await get(`/waves/${waveId}/export.csv`, managerToken)).statusCode).toBe(403)
    expect((await get(`/waves/${waveId}/report?unit=South`, managerToken)).statusCode).toBe(403)
    expect((await get(`/waves/${waveId}/report`, managerToken)).statusCode).toBe(403)
    // An analyst demoted to viewer loses exports at once.
    const analystEmail = await addPerson(ctx, tenant, 'analyst')
    const analystToken = await apiToken(ctx, analystEmail)
    expect((await get(`/waves/${waveId}/export.csv`, analystToken)).statusCode).toBe(200)
    const analystId = (await findUserByEmail(ctx.database.db, analystEmail))!.id
    expect((await owner.post(`/settings/people/${analystId}/role`, { role: 'viewer' })).statusCode).toBe(303)
    expect((await get(`/waves/${waveId}/export.csv`, analystToken)).statusCode).toBe(403)
    expect((await get(`/waves/${waveId}/report`, analystToken)).statusCode).toBe(200)
    // Removed: the token is worth nothing.
    expect((await owner.post(`/settings/people/${managerId}/remove`)).statusCode).toBe(303)
    expect((await get('/waves', managerToken)).statusCode).toBe(401)
    expect((await owner.post(`/settings/people/${analystId}/remove`)).statusCode).toBe(303)
    expect((await get('/waves', analystToken)).statusCode).toBe(401)
    const entries = await listAudit(ctx.database.db, tenant.organizationId, { limit: 50 })
    expect(entries.find((entry) => entry.action === 'role_changed' && entry.target === `person ${analystId}`)).toMatchObject({ detail: { from: 'analyst', to: 'viewer' } })
    expect(entries.filter((entry) => entry.action === 'person_removed').map((entry) => entry.target)).toEqual(expect.arrayContaining([`person ${managerId}`, `person ${analystId}`]))
  })

  it('keeps another organization\'s unit managers out of this one', async () => {
    const other = await createTenant(ctx, 'Other')
    const email = await addPerson(ctx, other, 'unit_manager')
    const id = (await findUserByEmail(ctx.database.db, email))!.id
    // Even a row naming this organization's unit gives them nothing here.
    await setManagedUnits(ctx.database.db, other.organizationId, id, [units.North!])
    const token = await apiToken(ctx, email)
    expect((await get(`/waves/${waveId}/report?unit=North`, token)).statusCode).toBe(404)
    expect(await ctx.database.db.selectFrom('unit_managers').select('unit_id').where('user_id', '=', id).execute()).toEqual([])
  })
})
