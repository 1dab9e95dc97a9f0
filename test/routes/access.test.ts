// Access control, driven by the app's own route table so that every new route is covered without
// editing this file: anonymous callers are refused, another organization gets 404 for anything of
// ours, roles are enforced, and every form needs its CSRF token.
import { createInstrument } from '../../server/repositories/instruments.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { expect, it } from 'vitest'
import { buildApp } from '../../server/app.js'
import type { RouteAccess } from '../../server/plugins/auth.js'
import { can } from '../../server/domain/roles.js'
import { insertActionPlan } from '../../server/repositories/action-plans.js'
import { createApiToken } from '../../server/repositories/credentials.js'
import { importResponses } from '../../server/repositories/responses.js'
import { createUnit } from '../../server/repositories/units.js'
import { insertWebhook } from '../../server/repositories/webhooks.js'
import { saveKiosk } from '../../server/repositories/kiosks.js'
import { listWaveLinks } from '../../server/repositories/waves.js'
import { saveUpload } from '../../server/services/uploads.js'
import { createWaveFromInput } from '../../server/services/waves.js'
import {
  addPerson, apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type TestContext,
} from '../helpers/app.js'

/** Where each URL parameter takes its value from, by the path segment in front of it. */
const FIXTURE_FOR_SEGMENT: Record<string, keyof Fixtures> = {
  waves: 'waveId', units: 'unitId', links: 'linkId', people: 'personId', tokens: 'tokenId', s: 'surveyToken', k: 'kioskToken', import: 'importId',
  contacts: 'contactId', responses: 'responseId', plans: 'planId', instruments: 'instrumentId',
  invitations: 'invitationId', join: 'joinToken', webhooks: 'webhookId', kiosks: 'kioskId',
  // Any token-shaped value: the CSRF check comes before the link is looked up.
  'reset-password': 'surveyToken',
}

/** Routes that need a query to answer at all: the export asks about organization A's contact's address. */
const QUERY_FOR_ROUTE: Record<string, string> = {
  '/api/v1/contacts/export': '?email=alpha-secret-contact@example.test',
  '/contacts/export': '?email=alpha-secret-contact@example.test',
}

interface Fixtures {
  waveId: string
  /** An action plan of organization A. */
  planId: string
  /** An own instrument of organization A that no wave uses. */
  instrumentId: string
  unitId: string
  linkId: string
  personId: string
  tokenId: string
  /** A colleague invitation of organization A, not yet accepted. */
  invitationId: string
  /** A token-shaped value for /join/:token (the CSRF check comes before any lookup). */
  joinToken: string
  /** An uploaded CSV file of organization A, not yet imported. */
  importId: string
  contactId: string
  /** A customer response of organization A. */
  responseId: string
  /** A webhook of organization A. */
  webhookId: string
  /** A public survey link of organization A. */
  surveyToken: string
  /** The kiosk of organization A's unit customer link. */
  kioskToken: string
  kioskId: string
  /** Strings that only organization A's data contains. */
  secrets: string[]
}

function fillPath(url: string, fixtures: Fixtures): string {
  const segments = url.split('/')
  return segments.map((segment, i) => {
    if (!segment.startsWith(':')) return segment
    const owner = segments[i - 1] ?? ''
    const key = FIXTURE_FOR_SEGMENT[owner]
    if (!key) throw new Error(`No fixture for parameter ${segment} in ${url}: add one to FIXTURE_FOR_SEGMENT`)
    return fixtures[key] as string
  }).join('/')
}

const isApi = (route: RouteAccess) => route.url.startsWith('/api/')
const routesOf = (ctx: TestContext) => ctx.app.accessTable().filter((r) => r.method !== 'HEAD' && r.access !== 'public')

async function seedOrganizationA(ctx: TestContext): Promise<Fixtures & { ownerEmail: string; adminEmail: string; viewerEmail: string; analystEmail: string; unitManagerEmail: string }> {
  const a = await createTenant(ctx, 'Alpha Secret Org')
  const db = ctx.database.db
  const unitId = await createUnit(db, a.organizationId, 'Alpha secret unit')
  const created = await createWaveFromInput(db, a.organizationId, { name: 'Alpha secret wave', templateKey: 'service-gap-index' }, { unitLinks: true })
  if (!created.ok) throw new Error(JSON.stringify(created.errors))
  const wave = { id: created.value, links: (await listWaveLinks(db, a.organizationId, [created.value])).get(created.value)! }
  const unitCustomerLink = wave.links.find((l) => l.unit && l.side === 'customer')!
  const kiosk = (await saveKiosk(db, a.organizationId, { id: unitCustomerLink.id, unitId: unitCustomerLink.unit!.id }, 100))!
  await createApiToken(db, { userId: a.owner.userId, organizationId: a.organizationId }, 'Alpha secret token')
  const token = await db.selectFrom('api_tokens').select('id').where('organization_id', '=', a.organizationId).executeTakeFirstOrThrow()
  const saved = await saveUpload(db, { organizationId: a.organizationId, kind: 'responses', waveId: wave.id }, a.owner.userId, 'alpha-secret.csv',
    Readable.from([Buffer.from('side,excellent_service,comment\ncustomer,5,Alpha secret comment\n')]), 1024)
  if (!saved.ok) throw new Error('upload not saved')
  const upload = saved.upload
  const contact = await db.insertInto('contacts').values({
    organization_id: a.organizationId, side: 'customer', email: 'alpha-secret-contact@example.test', name: 'Alpha secret contact',
    unit_id: unitId, attributes: JSON.stringify({ tier: 'Alpha secret tier' }),
  }).returning('id').executeTakeFirstOrThrow()
  const [responseId] = await importResponses(db, { organizationId: a.organizationId, waveId: wave.id, locale: 'en', channel: 'api' },
    [{ side: 'customer', unitId, attributes: {}, answers: { excellent_service: 5 }, comment: 'Alpha secret answer' }])
  const plan = await insertActionPlan(db, a.organizationId, { waveId: wave.id, unitId, itemKey: 'excellent_service', dimension: null, owner: 'Alpha secret owner', change: 'Alpha secret plan', dueOn: null, createdBy: null })
  const instrumentId = await createInstrument(db, a.organizationId, { ...SERVICE_GAP_INDEX_V1, key: 'alpha-secret-instrument', name: 'Alpha secret instrument' })
  const viewerEmail = await addPerson(ctx, a, 'viewer')
  const analystEmail = await addPerson(ctx, a, 'analyst')
  const unitManagerEmail = await addPerson(ctx, a, 'unit_manager')
  const adminEmail = await addPerson(ctx, a, 'admin')
  const invitation = await db.insertInto('colleague_invitations').values({
    organization_id: a.organizationId, email: 'alpha-secret-colleague@example.test', role: 'viewer', token_hash: 'alpha-secret-hash', expires_at: new Date(Date.now() + 86_400_000),
  }).returning('id').executeTakeFirstOrThrow()
  const webhook = await insertWebhook(db, a.organizationId, { id: randomUUID(), url: 'https://alpha-secret-hooks.example.com/in', sealedSecret: 'sealed', events: ['wave_closed'] })
  return {
    webhookId: webhook.id,
    invitationId: invitation.id,
    joinToken: 'A'.repeat(43),
    unitManagerEmail,
    adminEmail,
    waveId: wave.id,
    planId: plan.id,
    instrumentId,
    unitId,
    linkId: wave.links.find((l) => l.unit)!.id,
    personId: a.owner.userId,
    tokenId: token.id,
    importId: upload.id,
    contactId: contact.id,
    responseId: responseId!,
    surveyToken: wave.links.find((l) => !l.unit && l.side === 'customer')!.token,
    kioskToken: kiosk.token,
    kioskId: kiosk.id,
    secrets: [kiosk.token, wave.id, plan.id, instrumentId, unitId, wave.links[0]!.token, upload.id, 'Alpha secret', a.owner.email, invitation.id, webhook.id, 'alpha-secret-hooks'],
    ownerEmail: a.owner.email,
    viewerEmail,
    analystEmail,
  }
}

describeEachDatabase('access control over every route', (ctx) => {
  let A: Awaited<ReturnType<typeof seedOrganizationA>>
  let bBrowser: Browser
  let bToken: string

  it('seeds two organizations', async () => {
    A = await seedOrganizationA(ctx)
    const b = await createTenant(ctx, 'Beta Org')
    bBrowser = await signedIn(ctx, b.owner.email)
    bToken = await apiToken(ctx, b.owner.email)
    expect(routesOf(ctx).length).toBeGreaterThan(15)
  })

  it('will not start with a route that does not declare who may use it', async () => {
    const build = () => buildApp({ config: ctx.config, db: ctx.database.db, logger: false, mail: { worker: false } })
    const undeclared = await build()
    undeclared.get('/forgotten', async () => 'anyone may see this')
    await expect(undeclared.ready()).rejects.toThrow('routes without config.access: GET /forgotten')
    await undeclared.close()
    // The same route with its access declared starts: the refusal above is about the declaration alone.
    const declared = await build()
    declared.get('/forgotten', { config: { access: 'public' } }, async () => 'anyone may see this')
    await declared.ready()
    expect((await declared.inject({ method: 'GET', url: '/forgotten' })).body).toBe('anyone may see this')
    await declared.close()
  })

  it('refuses anonymous callers on every non-public route', async () => {
    for (const route of routesOf(ctx)) {
      const url = fillPath(route.url, A)
      const response = await ctx.app.inject({ method: route.method as 'GET', url, headers: { accept: isApi(route) ? 'application/json' : 'text/html' } })
      const label = `${route.method} ${route.url}`
      if (isApi(route)) {
        expect(response.statusCode, label).toBe(401)
        expect(response.json().error, label).toBe('unauthorized')
      } else if (route.method === 'GET') {
        expect(response.statusCode, label).toBe(303)
        expect(response.headers.location, label).toMatch(/^\/login\?next=/)
      } else {
        expect(response.statusCode, label).toBe(401)
      }
      expect(response.body, label).not.toContain('Alpha secret')
    }
  })

  it('answers 404 to another organization for every route that names one of our resources', async () => {
    let checked = 0
    for (const route of routesOf(ctx).filter((r) => r.url.includes(':'))) {
      const url = fillPath(route.url, A)
      const label = `${route.method} ${route.url}`
      if (isApi(route)) {
        const response = await ctx.app.inject({ method: route.method as 'GET', url, headers: bearer(bToken), payload: route.method === 'GET' ? undefined : {} })
        expect(response.statusCode, label).toBe(404)
        expect(response.json().error, label).toBe('not_found')
      } else {
        await bBrowser.get('/waves')
        const response = route.method === 'GET' ? await bBrowser.get(url) : await bBrowser.post(url, { name: 'x', role: 'viewer' })
        expect(response.statusCode, label).toBe(404)
      }
      checked++
    }
    expect(checked).toBeGreaterThanOrEqual(10)
  })

  it('never shows another organization anything of ours in its lists and pages', async () => {
    for (const route of routesOf(ctx).filter((r) => r.method === 'GET' && !r.url.includes(':'))) {
      const url = route.url + (QUERY_FOR_ROUTE[route.url] ?? '')
      const response = isApi(route)
        ? await ctx.app.inject({ method: 'GET', url, headers: bearer(bToken) })
        : await bBrowser.get(url)
      expect([200, 303], route.url).toContain(response.statusCode)
      for (const secret of A.secrets) expect(response.body, `${route.url} shows ${secret}`).not.toContain(secret)
    }
  })

  it('enforces roles: an admin, a viewer, an analyst and a unit manager get 403 wherever their role falls short', async () => {
    for (const [role, email] of [['admin', A.adminEmail], ['viewer', A.viewerEmail], ['analyst', A.analystEmail], ['unit_manager', A.unitManagerEmail]] as const) {
      const browser = await signedIn(ctx, email)
      const token = await apiToken(ctx, email)
      for (const route of routesOf(ctx)) {
        if (route.access === 'public' || can(role, route.access)) continue
        const url = fillPath(route.url, A)
        const label = `${role} ${route.method} ${route.url}`
        const response = isApi(route)
          ? await ctx.app.inject({ method: route.method as 'GET', url, headers: bearer(token), payload: route.method === 'GET' ? undefined : {} })
          : route.method === 'GET' ? await browser.get(url) : await browser.post(url, {})
        expect(response.statusCode, label).toBe(403)
      }
    }
  })

  it('refuses every state-changing form without a CSRF token, or with one from another browser', async () => {
    const owner = await signedIn(ctx, A.ownerEmail)
    const other = new Browser(ctx.app)
    await other.get('/login')
    const foreign = other.csrf!
    // Routes exempt by design (the RFC 8058 one-click unsubscribe) declare it in the route table.
    const forms = ctx.app.accessTable().filter((r) => r.method === 'POST' && !isApi(r) && r.csrf !== 'exempt')
    expect(forms.length).toBeGreaterThan(10)
    for (const route of forms) {
      const url = fillPath(route.url, A)
      for (const token of ['', foreign]) {
        const response = await owner.post(url, { _csrf: token, name: 'changed by attacker' })
        expect(response.statusCode, `${route.url} with ${token ? 'a foreign' : 'no'} token`).toBe(403)
      }
    }
    const wave = await owner.get(`/waves/${A.waveId}`)
    expect(wave.body).toContain('Alpha secret wave')
  })
})
