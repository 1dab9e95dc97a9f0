// Action plans on both databases: made, read, changed and deleted through the API and the pages; who
// may (owners and admins anywhere, a unit manager for their own units, analysts and viewers read);
// another organization's plans are 404; bad input is 422 with a problem per field and the form keeps
// what was typed; garbage ids and bodies never make a 500; every change is audited and queues one
// plan_changed delivery per subscribed webhook, without the free text; the report page marks planned
// cells and offers "Plan" links to those who may plan.
import { parse } from 'node-html-parser'
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { PLAN_STATUSES } from '../../server/domain/types.js'
import { findUserByEmail } from '../../server/repositories/organizations.js'
import { setManagedUnits } from '../../server/repositories/unit-managers.js'
import { NO_LATER_WAVE } from '../../server/presenters/plans.js'
import { addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type Tenant, type TestContext } from '../helpers/app.js'
import { inlined, openApiDocument } from '../helpers/openapi.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const ITEM = KEYS[1]!
const DIMENSION = SERVICE_GAP_INDEX_V1.items[0]!.dimension
const OWNER_TEXT = 'Dana from the front desk'
const CHANGE_TEXT = 'Answer the phone within three rings'

function rows() {
  const out: Array<{ side: 'staff' | 'customer'; unit: string; answers: Record<string, number> }> = []
  for (const unit of ['North', 'South']) {
    for (const side of ['staff', 'customer'] as const) {
      for (let i = 0; i < 12; i++) out.push({ side, unit, answers: Object.fromEntries(KEYS.map((key, j) => [key, ((i + j + (side === 'staff' ? 2 : 0)) % 5) + 1])) })
    }
  }
  return out
}

describeEachDatabase('action plans', (ctx: TestContext) => {
  let tenant: Tenant
  let ownerToken: string
  let owner: Browser
  let waveId: string
  let units: Record<string, string>
  let managerToken: string
  let analystToken: string
  let viewerToken: string
  let otherToken: string
  let otherPlanId: string
  let webhookId: string

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: unknown) =>
    ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) })
  const deliveries = () => ctx.database.db.selectFrom('webhook_deliveries').select(['event', 'payload']).where('webhook_id', '=', webhookId).orderBy('id').execute()
  const audits = (action: string) => ctx.database.db.selectFrom('audit_log').select(['target', 'detail', 'actor_email']).where('organization_id', '=', tenant.organizationId).where('action', '=', action).execute()
  const newPlan = (extra: Record<string, unknown> = {}) => ({ waveId, unitId: units.North, itemKey: ITEM, owner: OWNER_TEXT, change: CHANGE_TEXT, dueOn: '2027-03-31', ...extra })

  it('sets up two units, an archived one, a wave with answers, people of every role, a webhook and another organization', async () => {
    tenant = await createTenant(ctx, 'Plans Inc')
    ownerToken = await apiToken(ctx, tenant.owner.email)
    owner = await signedIn(ctx, tenant.owner.email)
    units = {}
    for (const name of ['North', 'South', 'Old']) units[name] = (await api('POST', '/units', ownerToken, { name })).json().id
    expect((await api('PATCH', `/units/${units.Old}`, ownerToken, { archived: true })).statusCode).toBe(200)
    waveId = (await api('POST', '/waves', ownerToken, { name: '2026-Q4', templateKey: 'service-gap-index' })).json().id
    expect((await api('POST', `/waves/${waveId}/responses`, ownerToken, rows())).statusCode).toBe(201)
    const managerEmail = await addPerson(ctx, tenant, 'unit_manager')
    await setManagedUnits(ctx.database.db, tenant.organizationId, (await findUserByEmail(ctx.database.db, managerEmail))!.id, [units.North!])
    managerToken = await apiToken(ctx, managerEmail)
    analystToken = await apiToken(ctx, await addPerson(ctx, tenant, 'analyst'))
    viewerToken = await apiToken(ctx, await addPerson(ctx, tenant, 'viewer'))
    webhookId = (await ctx.database.db.insertInto('webhooks').values({
      organization_id: tenant.organizationId, url: 'https://hooks.example.test/plans', secret: 'sealed-elsewhere', events: ['plan_changed'],
    }).returning('id').executeTakeFirstOrThrow()).id

    const other = await createTenant(ctx, 'Other Org')
    otherToken = await apiToken(ctx, other.owner.email)
    const otherUnit = (await api('POST', '/units', otherToken, { name: 'North' })).json().id
    const otherWave = (await api('POST', '/waves', otherToken, { name: 'Theirs', templateKey: 'service-gap-index' })).json().id
    const made = await api('POST', '/plans', otherToken, { waveId: otherWave, unitId: otherUnit, itemKey: ITEM, owner: 'Them', change: 'Their secret change' })
    expect(made.statusCode, made.body).toBe(201)
    otherPlanId = made.json().id
  })

  it('makes, reads, lists, changes and deletes a plan through the API, each change audited and announced once', async () => {
    const made = await api('POST', '/plans', ownerToken, newPlan())
    expect(made.statusCode, made.body).toBe(201)
    const plan = made.json()
    expect(plan).toMatchObject({ waveId, unitId: units.North, itemKey: ITEM, dimension: null, owner: OWNER_TEXT, change: CHANGE_TEXT, dueOn: '2027-03-31', status: 'planned' })
    // Before a later wave there is no effect to show, and no verdict.
    expect(plan.effect).toMatchObject({ since: { id: waveId }, points: [], verdict: null })

    const read = await api('GET', `/plans/${plan.id}`, ownerToken)
    expect(read.statusCode).toBe(200)
    expect(read.json().id).toBe(plan.id)
    const listed = await api('GET', `/plans?wave=${waveId}&unit=${units.North}`, ownerToken)
    expect(listed.json().map((p: { id: string }) => p.id)).toEqual([plan.id])
    expect((await api('GET', `/plans?unit=${units.South}`, ownerToken)).json()).toEqual([])

    const changed = await api('PATCH', `/plans/${plan.id}`, ownerToken, { status: 'in_progress', dueOn: null })
    expect(changed.statusCode, changed.body).toBe(200)
    expect(changed.json()).toMatchObject({ status: 'in_progress', dueOn: null, owner: OWNER_TEXT })

    expect((await api('DELETE', `/plans/${plan.id}`, ownerToken)).statusCode).toBe(204)
    expect((await api('GET', `/plans/${plan.id}`, ownerToken)).statusCode).toBe(404)
    expect((await api('DELETE', `/plans/${plan.id}`, ownerToken)).statusCode).toBe(404)

    const queued = await deliveries()
    expect(queued.map((row) => row.event)).toEqual(['plan_changed', 'plan_changed', 'plan_changed'])
    const bodies = queued.map((row) => (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as { data: { action: string; plan: unknown } })
    expect(bodies.map((body) => body.data.action)).toEqual(['created', 'updated', 'deleted'])
    expect(bodies[1]!.data.plan).toEqual({ id: plan.id, waveId, unitId: units.North, itemKey: ITEM, dimension: null, status: 'in_progress', dueOn: null })
    // The free text people typed stays out of what leaves the server.
    for (const body of bodies) {
      expect(JSON.stringify(body)).not.toContain(OWNER_TEXT)
      expect(JSON.stringify(body)).not.toContain(CHANGE_TEXT)
    }
    const [created] = await audits('plan_created')
    expect(created).toMatchObject({ target: `plan ${plan.id}`, actor_email: tenant.owner.email })
    expect((await audits('plan_updated'))[0]!.detail).toMatchObject({ changed: ['dueOn', 'status'] })
    expect(await audits('plan_deleted')).toHaveLength(1)
  })

  it('makes a plan for a dimension, and a change that changes nothing is neither audited nor announced', async () => {
    const made = await api('POST', '/plans', ownerToken, newPlan({ itemKey: undefined, dimension: DIMENSION, dueOn: undefined }))
    expect(made.statusCode, made.body).toBe(201)
    expect(made.json()).toMatchObject({ itemKey: null, dimension: DIMENSION, dueOn: null })
    const before = (await deliveries()).length
    expect((await api('PATCH', `/plans/${made.json().id}`, ownerToken, { status: 'planned' })).statusCode).toBe(200)
    expect((await deliveries()).length).toBe(before)
    expect((await api('DELETE', `/plans/${made.json().id}`, ownerToken)).statusCode).toBe(204)
  })

  it('answers bad input with 422 and a problem per field, and changes nothing', async () => {
    const before = (await api('GET', '/plans', ownerToken)).json().length
    const refused = async (body: Record<string, unknown>, fields: string[]) => {
      const response = await api('POST', '/plans', ownerToken, body)
      expect(response.statusCode, response.body).toBe(422)
      const json = response.json()
      expect(json.error).toBe('validation_failed')
      expect(json.details.map((d: { field: string }) => d.field).sort()).toEqual([...fields].sort())
      return json
    }
    await refused(newPlan({ owner: ' ', change: 'x'.repeat(2001), dueOn: '2027-02-30', status: 'finished' }), ['owner', 'change', 'dueOn', 'status'])
    await refused(newPlan({ owner: 'o'.repeat(201), dueOn: '31/03/2027' }), ['owner', 'dueOn'])
    await refused(newPlan({ dimension: DIMENSION }), ['itemKey'])
    await refused(newPlan({ itemKey: undefined }), ['itemKey'])
    await refused(newPlan({ itemKey: 'no_such_item' }), ['itemKey'])
    await refused(newPlan({ itemKey: undefined, dimension: 'nowhere' }), ['dimension'])
    const archived = await refused(newPlan({ unitId: units.Old }), ['unitId'])
    expect(archived.details[0].message).toContain('archived')
    await refused(newPlan({ unitId: 'not-a-unit' }), ['unitId'])
    await refused(newPlan({ unitId: '' }), ['unitId'])
    // Another organization's unit is no unit of ours.
    const theirs = (await api('GET', '/units', otherToken)).json()[0].id
    await refused(newPlan({ unitId: theirs }), ['unitId'])

    const made = (await api('POST', '/plans', ownerToken, newPlan())).json()
    const patch = await api('PATCH', `/plans/${made.id}`, ownerToken, { owner: '', status: '', dueOn: '2027-13-01' })
    expect(patch.statusCode).toBe(422)
    expect(patch.json().details.map((d: { field: string }) => d.field).sort()).toEqual(['dueOn', 'owner', 'status'])
    expect((await api('GET', `/plans/${made.id}`, ownerToken)).json().owner).toBe(OWNER_TEXT)
    expect((await api('DELETE', `/plans/${made.id}`, ownerToken)).statusCode).toBe(204)
    expect((await api('GET', '/plans', ownerToken)).json().length).toBe(before)
  })

  it('never answers garbage with a 500: malformed ids are 400, strange bodies 400 or 404', async () => {
    expect((await api('GET', '/plans/not-a-uuid', ownerToken)).statusCode).toBe(400)
    expect((await api('PATCH', '/plans/1%20or%201=1', ownerToken, { status: 'done' })).statusCode).toBe(400)
    expect((await api('DELETE', '/plans/%00', ownerToken)).statusCode).toBe(400)
    expect((await api('GET', '/plans?wave=nope', ownerToken)).statusCode).toBe(400)
    expect((await api('GET', '/plans?colour=blue', ownerToken)).statusCode).toBe(400)
    for (const body of [[], 'text', { ...newPlan(), owner: { name: 'x' } }, { ...newPlan(), extra: true }, { ...newPlan(), waveId: 'x' }, {}]) {
      const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/plans', headers: { ...bearer(ownerToken), 'content-type': 'application/json' }, payload: JSON.stringify(body) })
      expect(response.statusCode, JSON.stringify(body)).toBe(400)
      expect(response.json().error).toBeTruthy()
    }
    // A wave that is not ours (or none at all) is not found.
    expect((await api('POST', '/plans', ownerToken, newPlan({ waveId: '00000000-0000-4000-8000-000000000000' }))).statusCode).toBe(404)
    // Pages: garbage ids are "not found".
    for (const url of [`/waves/${waveId}/plans/zzz/edit`, `/waves/${waveId}/plans/zzz/delete`, '/waves/zzz/plans', '/units/zzz/plans', `/waves/${waveId}/plans/new?unit=zzz&item=%3Cb%3E`]) {
      const response = await owner.get(url)
      expect([200, 404], url).toContain(response.statusCode)
      expect(response.body).not.toContain('<b>')
    }
    const garbage = await owner.post(`/waves/${waveId}/plans`, { unitId: 'x', target: 'item:<script>', owner: 'o'.repeat(300), change: '', dueOn: 'soon', status: 'x' })
    expect(garbage.statusCode).toBe(422)
    expect(garbage.body).not.toContain('<script>')
  })

  it('lets analysts and viewers read plans but not make, change or delete them', async () => {
    const made = (await api('POST', '/plans', ownerToken, newPlan())).json()
    for (const token of [analystToken, viewerToken]) {
      expect((await api('GET', `/plans/${made.id}`, token)).statusCode).toBe(200)
      expect((await api('GET', `/plans?wave=${waveId}`, token)).json().map((p: { id: string }) => p.id)).toContain(made.id)
      expect((await api('POST', '/plans', token, newPlan())).statusCode).toBe(403)
      expect((await api('PATCH', `/plans/${made.id}`, token, { status: 'done' })).statusCode).toBe(403)
      expect((await api('DELETE', `/plans/${made.id}`, token)).statusCode).toBe(403)
    }
    expect((await api('DELETE', `/plans/${made.id}`, ownerToken)).statusCode).toBe(204)
  })

  it("limits a unit manager to their own units' plans", async () => {
    const south = (await api('POST', '/plans', ownerToken, newPlan({ unitId: units.South, change: 'South change' }))).json()
    const mine = await api('POST', '/plans', managerToken, newPlan({ change: 'North change by its manager' }))
    expect(mine.statusCode, mine.body).toBe(201)
    const refused = await api('POST', '/plans', managerToken, newPlan({ unitId: units.South }))
    expect(refused.statusCode).toBe(422)
    expect(refused.json().details).toEqual([{ field: 'unitId', message: 'You can make plans for your own units only.' }])
    // Another unit's plan does not exist for them, to read or to change.
    expect((await api('GET', `/plans/${south.id}`, managerToken)).statusCode).toBe(404)
    expect((await api('PATCH', `/plans/${south.id}`, managerToken, { status: 'done' })).statusCode).toBe(404)
    expect((await api('DELETE', `/plans/${south.id}`, managerToken)).statusCode).toBe(404)
    const listed = (await api('GET', `/plans?wave=${waveId}`, managerToken)).json()
    expect(listed.map((p: { unitId: string }) => p.unitId)).toEqual([units.North])
    expect((await api('PATCH', `/plans/${mine.json().id}`, managerToken, { status: 'done' })).json().status).toBe('done')
    const page = await (await signedIn(ctx, (await ctx.database.db.selectFrom('users').select('email').where('role', '=', 'unit_manager').where('organization_id', '=', tenant.organizationId).executeTakeFirstOrThrow()).email)).get(`/waves/${waveId}/plans`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('North change by its manager')
    expect(page.body).not.toContain('South change')
    for (const id of [south.id, mine.json().id]) expect((await api('DELETE', `/plans/${id}`, ownerToken)).statusCode).toBe(204)
  })

  it("answers 404 for another organization's plans, and never lists them", async () => {
    expect((await api('GET', `/plans/${otherPlanId}`, ownerToken)).statusCode).toBe(404)
    expect((await api('PATCH', `/plans/${otherPlanId}`, ownerToken, { status: 'done' })).statusCode).toBe(404)
    expect((await api('DELETE', `/plans/${otherPlanId}`, ownerToken)).statusCode).toBe(404)
    expect((await api('GET', '/plans', ownerToken)).body).not.toContain('Their secret change')
    expect((await owner.get(`/waves/${waveId}/plans/${otherPlanId}/edit`)).statusCode).toBe(404)
    expect((await api('GET', `/plans/${otherPlanId}`, otherToken)).json().status).toBe('planned')
  })

  it('makes a plan on the pages from a heat-map cell, keeps what was typed when it is refused, edits and deletes it after asking', async () => {
    const form = await owner.get(`/waves/${waveId}/plans/new?unit=${units.South}&item=${ITEM}`)
    expect(form.statusCode).toBe(200)
    const root = parse(form.body)
    expect(root.querySelector(`#unitId option[value="${units.South}"]`)!.hasAttribute('selected')).toBe(true)
    expect(root.querySelector(`#target option[value="item:${ITEM}"]`)!.hasAttribute('selected')).toBe(true)
    // Archived units are not offered.
    expect(form.body).not.toContain(units.Old)
    expect(root.querySelectorAll('#status option').map((o) => o.getAttribute('value'))).toEqual([...PLAN_STATUSES])

    const refused = await owner.post(`/waves/${waveId}/plans`, { unitId: units.South!, target: `item:${ITEM}`, owner: '', change: 'Greet & smile', dueOn: '2027-02-29', status: 'planned' })
    expect(refused.statusCode).toBe(422)
    const again = parse(refused.body)
    expect(again.querySelector('#owner-error')!.text).toContain('Enter who owns this plan')
    expect(again.querySelector('#dueOn-error')!.text).toContain('real day')
    expect(again.querySelector('#change')!.text).toBe('Greet & smile')
    expect(again.querySelector('#dueOn')!.getAttribute('value')).toBe('2027-02-29')
    expect(again.querySelector(`#unitId option[value="${units.South}"]`)!.hasAttribute('selected')).toBe(true)
    const noTarget = parse((await owner.post(`/waves/${waveId}/plans`, { unitId: units.South!, target: '', owner: 'x', change: 'y', dueOn: '', status: 'planned' })).body)
    expect(noTarget.querySelector('#target-error')!.text).toContain('Choose the item')

    const made = await owner.post(`/waves/${waveId}/plans`, { unitId: units.South!, target: `item:${ITEM}`, owner: 'Sam', change: 'Greet & smile', dueOn: '2027-02-28', status: 'planned' })
    expect(made.statusCode).toBe(303)
    const list = await owner.get(`/waves/${waveId}/plans`)
    const table = parse(list.body).querySelector('.plan-table')!
    expect(table.text).toContain('Greet & smile')
    expect(table.text).toContain('South')
    expect(table.text).toContain('2027-02-28')
    expect(table.text).toContain(NO_LATER_WAVE)
    expect(parse(list.body).querySelector('.wave-tabs [aria-current="page"]')!.text).toBe('Plans')
    const planId = (await api('GET', `/plans?unit=${units.South}`, ownerToken)).json()[0].id

    const edit = await owner.get(`/waves/${waveId}/plans/${planId}/edit`)
    expect(parse(edit.body).querySelector('#owner')!.getAttribute('value')).toBe('Sam')
    const badEdit = await owner.post(`/waves/${waveId}/plans/${planId}`, { owner: 'Sam', change: '', dueOn: '2027-02-28', status: 'done' })
    expect(badEdit.statusCode).toBe(422)
    expect(parse(badEdit.body).querySelector('#change-error')!.text).toContain('Say what will change')
    expect(parse(badEdit.body).querySelector('#status option[value="done"]')!.hasAttribute('selected')).toBe(true)
    expect((await owner.post(`/waves/${waveId}/plans/${planId}`, { owner: 'Sam and Kim', change: 'Greet & smile', dueOn: '', status: 'done' })).statusCode).toBe(303)
    expect((await api('GET', `/plans/${planId}`, ownerToken)).json()).toMatchObject({ owner: 'Sam and Kim', status: 'done', dueOn: null })

    // Every plan of the unit, across waves, from the units page.
    expect((await owner.get('/units')).body).toContain(`/units/${units.South}/plans`)
    const unitPage = await owner.get(`/units/${units.South}/plans`)
    expect(unitPage.body).toContain('Sam and Kim')
    expect(unitPage.body).toContain('2026-Q4')

    // Deleting asks first, without JavaScript.
    const ask = await owner.post(`/waves/${waveId}/plans/${planId}/delete`, {})
    expect(ask.statusCode).toBe(200)
    expect(ask.body).toContain('Delete this plan?')
    expect((await api('GET', `/plans/${planId}`, ownerToken)).statusCode).toBe(200)
    expect((await owner.get(`/waves/${waveId}/plans/${planId}/delete`)).body).toContain('Delete the plan')
    expect((await owner.post(`/waves/${waveId}/plans/${planId}/delete`, { confirm: 'yes' })).statusCode).toBe(303)
    expect((await api('GET', `/plans/${planId}`, ownerToken)).statusCode).toBe(404)
    expect((await audits('plan_deleted')).length).toBeGreaterThan(1)
  })

  it('refuses the plan forms to analysts and viewers, and keeps a plan of another wave off this wave\'s pages', async () => {
    const analyst = await signedIn(ctx, await addPerson(ctx, tenant, 'analyst'))
    expect((await analyst.get(`/waves/${waveId}/plans/new`)).statusCode).toBe(403)
    expect((await analyst.get(`/waves/${waveId}/plans`)).statusCode).toBe(200)
    const otherWave = (await api('POST', '/waves', ownerToken, { name: '2027-Q1', templateKey: 'service-gap-index' })).json().id
    const plan = (await api('POST', '/plans', ownerToken, newPlan())).json()
    expect((await owner.get(`/waves/${otherWave}/plans/${plan.id}/edit`)).statusCode).toBe(404)
    expect((await api('DELETE', `/plans/${plan.id}`, ownerToken)).statusCode).toBe(204)
  })

  it('marks planned cells in the heat map, offers Plan links to planners only, and lists the plans on the report', async () => {
    const plan = (await api('POST', '/plans', ownerToken, newPlan({ change: 'North report change' }))).json()
    const page = parse((await owner.get(`/waves/${waveId}`)).body)
    const heat = page.querySelector('[data-block="heatmap"]')!
    const marks = heat.querySelectorAll('a.plan-mark')
    expect(marks.map((a) => a.getAttribute('href'))).toEqual([`/waves/${waveId}/plans#plan-${plan.id}`])
    expect(marks[0]!.text).toContain(`North, ${ITEM.charAt(0).toUpperCase()}`)
    const adds = heat.querySelectorAll('a.plan-add')
    expect(adds.length).toBe(2 * KEYS.length - 1)
    expect(adds.map((a) => a.getAttribute('href'))).toContain(`/waves/${waveId}/plans/new?unit=${units.South}&item=${ITEM}`)
    const block = page.querySelector('section[data-block="plans"]')!
    expect(block.getAttribute('data-answers')).toBe('filter')
    expect(block.text).toContain('North report change')
    // 2027-Q1 (made above) is a later wave of the same questionnaire, without answers yet: the effect says it cannot be judged.
    expect(block.text).toContain('2027-Q1')
    expect(block.text).toContain('Cannot be judged yet')
    // Under South's filter the block lists South's plans only.
    const south = parse((await owner.get(`/waves/${waveId}?unit=South`)).body).querySelector('section[data-block="plans"]')!
    expect(south.text).not.toContain('North report change')
    expect(south.text).toContain('No plans from this wave for South yet')

    const viewer = await signedIn(ctx, await addPerson(ctx, tenant, 'viewer'))
    const seen = parse((await viewer.get(`/waves/${waveId}`)).body)
    expect(seen.querySelectorAll('[data-block="heatmap"] a.plan-mark')).toHaveLength(1)
    expect(seen.querySelectorAll('a.plan-add')).toHaveLength(0)
    expect(seen.querySelector('section[data-block="plans"]')!.text).toContain('North report change')
    expect(seen.querySelector('section[data-block="plans"]')!.querySelectorAll('a[href$="/edit"]')).toHaveLength(0)
    expect((await api('DELETE', `/plans/${plan.id}`, ownerToken)).statusCode).toBe(204)
  })

  it('declares the plan schemas in the OpenAPI document', async () => {
    const doc = await openApiDocument(ctx.app)
    const paths = doc.paths
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/api/v1/plans', '/api/v1/plans/{id}']))
    const plan = inlined(doc, paths['/api/v1/plans/{id}']!.get!.responses['200']!.content!['application/json']!.schema)
    expect(JSON.stringify(plan)).toContain('differenceInDifferences')
  })
})
