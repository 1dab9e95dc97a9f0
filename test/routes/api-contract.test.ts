// The server is faithful to its OpenAPI document: real requests for every /api/v1 operation, each
// answer's status, content type and body checked against what the document declares (ajv, JSON
// Schema 2020-12). Every operation in the document must have requests here, a success and an error.
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import type { LightMyRequestResponse } from 'fastify'
import { expect, it } from 'vitest'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, type Tenant } from '../helpers/app.js'
import { fixture } from '../helpers/fixtures.js'
import { openApiDocument, type OpenApiDocument, type Operation } from '../helpers/openapi.js'

type Ids = Record<string, string>
interface Request { method: string; url: (ids: Ids) => string; payload?: (ids: Ids) => unknown; headers?: Record<string, string>; token?: 'owner' | 'viewer' | 'none'; status: number }

const NO_SUCH = '00000000-0000-4000-8000-000000000000'
const get = (url: (ids: Ids) => string, status = 200, token: Request['token'] = 'owner'): Request => ({ method: 'GET', url, status, token })
const send = (method: string, url: (ids: Ids) => string, payload: (ids: Ids) => unknown, status: number, token: Request['token'] = 'owner'): Request => ({ method, url, payload, status, token })

/** Requests per operationId, in the order they run (setup below makes what they name). */
const REQUESTS: Record<string, Request[]> = {
  createToken: [send('POST', () => '/tokens', (ids) => ({ email: ids.email, password: ids.password }), 201, 'none'), send('POST', () => '/tokens', () => ({ email: 42 }), 400, 'none'), send('POST', () => '/tokens', (ids) => ({ email: ids.email, password: 'wrong password' }), 401, 'none')],
  listTokens: [get(() => '/tokens?limit=1'), get(() => '/tokens?cursor=not-a-cursor', 400)],
  revokeToken: [{ method: 'DELETE', url: (ids) => `/tokens/${ids.spareToken}`, status: 204, token: 'owner' }, { method: 'DELETE', url: (ids) => `/tokens/${ids.spareToken}`, status: 404, token: 'owner' }, { method: 'DELETE', url: () => '/tokens/junk', status: 400, token: 'owner' }],
  listTemplates: [get(() => '/templates?limit=1'), get(() => '/templates?limit=0', 400)],
  listInstruments: [get(() => '/instruments?limit=1'), get(() => '/instruments?cursor=x', 400)],
  createInstrument: [send('POST', () => '/instruments', () => ({ from: 'blank', key: 'contract', name: 'Contract' }), 201), send('POST', () => '/instruments', () => ({ key: 7 }), 400), send('POST', () => '/instruments', () => ({ from: 'blank', key: 'viewer', name: 'V' }), 403, 'viewer')],
  getInstrument: [get((ids) => `/instruments/${ids.instrument}`), get(() => '/instruments/not-an-id', 400), get(() => `/instruments/${NO_SUCH}`, 404)],
  replaceInstrument: [send('PUT', (ids) => `/instruments/${ids.instrument}`, (ids) => ids.instrumentBody ? JSON.parse(ids.instrumentBody) : {}, 200), send('PUT', () => `/instruments/${NO_SUCH}`, (ids) => JSON.parse(ids.instrumentBody!), 404), send('PUT', (ids) => `/instruments/${ids.instrument}`, () => ({ name: 5 }), 400)],
  deleteInstrument: [send('DELETE', () => `/instruments/${NO_SUCH}`, () => undefined, 404), { method: 'DELETE', url: (ids) => `/instruments/${ids.instrument}`, status: 204, token: 'owner' }],
  listWaves: [get(() => '/waves'), get(() => '/waves?limit=1001', 400)],
  createWave: [send('POST', () => '/waves', () => ({ name: 'Doomed', templateKey: 'service-gap-index' }), 201), send('POST', () => '/waves', () => ({ name: '' }), 400), send('POST', () => '/waves', () => ({ name: 'No', templateKey: 'service-gap-index' }), 403, 'viewer')],
  getWave: [get((ids) => `/waves/${ids.wave}`), get(() => '/waves/not-a-uuid', 400), get(() => `/waves/${NO_SUCH}`, 404)],
  updateWave: [send('PATCH', (ids) => `/waves/${ids.wave}`, () => ({ name: '2026-Q4 (renamed)' }), 200), send('PATCH', (ids) => `/waves/${ids.wave}`, () => ({ colour: 'red' }), 400), send('PATCH', () => `/waves/${NO_SUCH}`, () => ({ name: 'x' }), 404)],
  deleteWave: [{ method: 'DELETE', url: () => `/waves/${NO_SUCH}`, status: 404, token: 'owner' }, { method: 'DELETE', url: (ids) => `/waves/${ids.doomed}`, status: 403, token: 'viewer' }, { method: 'DELETE', url: (ids) => `/waves/${ids.doomed}`, status: 204, token: 'owner' }],
  listUnits: [get(() => '/units'), get(() => '/units?limit=x', 400)],
  createUnit: [
    send('POST', () => '/units', () => ({ name: 'South' }), 201), send('POST', () => '/units', () => ({ name: 'South' }), 409), send('POST', () => '/units', () => ({}), 400),
    // With an Idempotency-Key: the first answer, its replay, and the key reused for another body.
    { ...send('POST', () => '/units', () => ({ name: 'Keyed' }), 201), headers: { 'idempotency-key': 'contract-unit' } },
    { ...send('POST', () => '/units', () => ({ name: 'Keyed' }), 201), headers: { 'idempotency-key': 'contract-unit' } },
    { ...send('POST', () => '/units', () => ({ name: 'Other' }), 422), headers: { 'idempotency-key': 'contract-unit' } },
    { ...send('POST', () => '/units', () => ({ name: 'Keyed' }), 400), headers: { 'idempotency-key': 'not a key' } },
  ],
  updateUnit: [send('PATCH', (ids) => `/units/${ids.unit}`, () => ({ name: 'North' }), 200), send('PATCH', () => `/units/${NO_SUCH}`, () => ({ name: 'x' }), 404), send('PATCH', () => '/units/junk', () => ({ name: 'x' }), 400)],
  addWaveResponses: [send('POST', (ids) => `/waves/${ids.wave}/responses`, (ids) => JSON.parse(ids.rows!), 201), send('POST', (ids) => `/waves/${ids.wave}/responses`, () => ({ side: 'nobody', answers: {} }), 400), send('POST', () => `/waves/${NO_SUCH}/responses`, (ids) => JSON.parse(ids.rows!), 404),
    { ...send('POST', (ids) => `/waves/${ids.wave}/responses`, () => 'side,colour\ncustomer,3\n', 400), headers: { 'content-type': 'text/csv' } }],
  deleteWaveResponse: [send('DELETE', (ids) => `/waves/${ids.wave}/responses/${ids.response}`, () => ({ reason: 'Asked to be forgotten' }), 204), send('DELETE', (ids) => `/waves/${ids.wave}/responses/${ids.response}`, () => ({ reason: 'Again' }), 404), send('DELETE', (ids) => `/waves/${ids.wave}/responses/junk`, () => ({ reason: 'x' }), 400)],
  getWaveReport: [get((ids) => `/waves/${ids.wave}/report`), get((ids) => `/waves/${ids.wave}/report?unit=${ids.unit}&customer.tier=gold`, 400), get((ids) => `/waves/${ids.wave}/report?colour=blue`, 400), get(() => `/waves/${NO_SUCH}/report`, 404)],
  listWaveAlerts: [get((ids) => `/waves/${ids.wave}/alerts`), get(() => `/waves/${NO_SUCH}/alerts`, 404), get(() => '/waves/junk/alerts', 400)],
  exportWaveResponses: [get((ids) => `/waves/${ids.wave}/export.csv`), get(() => `/waves/${NO_SUCH}/export.csv`, 404), get((ids) => `/waves/${ids.wave}/export.csv`, 403, 'viewer')],
  importContacts: [
    send('POST', () => '/contacts', () => [{ email: 'ana@example.test', name: 'Ana', side: 'customer', unit: 'North' }, { email: 'not an email', side: 'customer' }], 200),
    { method: 'POST', url: () => '/contacts', payload: () => 'email,side\nbea@example.test,customer\n', headers: { 'content-type': 'text/csv' }, status: 200, token: 'owner' },
    { method: 'POST', url: () => '/contacts', payload: () => 'email=x', headers: { 'content-type': 'text/plain' }, status: 415, token: 'owner' },
    send('POST', () => '/contacts', () => ({ email: 'x' }), 400),
  ],
  listContacts: [
    get(() => '/contacts?side=customer'), get(() => '/contacts?limit=1'), get(() => '/contacts?page=0', 400), get(() => '/contacts?cursor=not-a-cursor', 400),
    get(() => '/contacts?cursor=WyJjb250YWN0cyJd&page=2', 400), get(() => '/contacts', 403, 'viewer'),
  ],
  getContact: [get((ids) => `/contacts/${ids.contact}`), get(() => '/contacts/junk', 400), get(() => `/contacts/${NO_SUCH}`, 404), get((ids) => `/contacts/${ids.contact}`, 403, 'viewer')],
  updateContact: [
    send('PATCH', (ids) => `/contacts/${ids.contact}`, () => ({ name: 'Cy', unit: null, locale: 'de', attributes: { tier: 'gold' }, unsubscribed: false }), 200),
    send('PATCH', (ids) => `/contacts/${ids.contact}`, () => ({ email: 'other@example.test', locale: 'it' }), 400),
    send('PATCH', (ids) => `/contacts/${ids.contact}`, () => ({ colour: 'red' }), 400),
    send('PATCH', () => `/contacts/${NO_SUCH}`, () => ({ name: 'x' }), 404),
    send('PATCH', (ids) => `/contacts/${ids.contact}`, () => ({ name: 'x' }), 403, 'viewer'),
  ],
  exportContactData: [get(() => '/contacts/export?email=ana@example.test'), get(() => '/contacts/export', 400), get(() => '/contacts/export?email=ana@example.test', 403, 'viewer')],
  deleteContact: [{ method: 'DELETE', url: (ids) => `/contacts/${ids.contact}`, status: 204, token: 'owner' }, { method: 'DELETE', url: (ids) => `/contacts/${ids.contact}`, status: 404, token: 'owner' }, { method: 'DELETE', url: () => '/contacts/junk', status: 400, token: 'owner' }],
  sendWaveInvitations: [send('POST', (ids) => `/waves/${ids.wave}/invitations`, () => ({ side: 'customer' }), 202), send('POST', (ids) => `/waves/${ids.wave}/invitations`, () => ({ side: 'robots' }), 400), send('POST', () => `/waves/${NO_SUCH}/invitations`, () => ({}), 404)],
  getWaveInvitationCounts: [get((ids) => `/waves/${ids.wave}/invitations`), get(() => `/waves/${NO_SUCH}/invitations`, 404)],
  listWebhooks: [get(() => '/webhooks'), get(() => '/webhooks', 403, 'viewer'), get(() => '/webhooks?cursor=x', 400)],
  createWebhook: [send('POST', () => '/webhooks', () => ({ url: 'http://127.0.0.1:9/second', events: ['wave_closed'] }), 201), send('POST', () => '/webhooks', () => ({ url: 'ftp://example.test/', events: ['wave_closed'] }), 400)],
  getWebhook: [get((ids) => `/webhooks/${ids.webhook}`), get(() => `/webhooks/${NO_SUCH}`, 404)],
  updateWebhook: [send('PATCH', (ids) => `/webhooks/${ids.webhook}`, () => ({ active: false }), 200), send('PATCH', (ids) => `/webhooks/${ids.webhook}`, () => ({ active: 'no' }), 400), send('PATCH', () => `/webhooks/${NO_SUCH}`, () => ({ active: true }), 404)],
  listWebhookDeliveries: [get((ids) => `/webhooks/${ids.webhook}/deliveries`), get(() => `/webhooks/${NO_SUCH}/deliveries`, 404), get((ids) => `/webhooks/${ids.webhook}/deliveries?cursor=x`, 400)],
  deleteWebhook: [{ method: 'DELETE', url: (ids) => `/webhooks/${ids.webhook}`, status: 204, token: 'owner' }, { method: 'DELETE', url: (ids) => `/webhooks/${ids.webhook}`, status: 404, token: 'owner' }],
  listPlans: [get(() => '/plans'), get(() => '/plans?wave=junk', 400), get(() => '/plans?cursor=x', 400)],
  createPlan: [send('POST', () => '/plans', (ids) => ({ waveId: ids.wave, unitId: ids.unit, itemKey: 'excellent_service', owner: 'Ana', change: 'Call back within a day' }), 201), send('POST', () => '/plans', (ids) => ({ waveId: ids.wave, unitId: ids.unit, owner: 'Ana', change: 'Neither item nor dimension' }), 422), send('POST', () => '/plans', () => ({ owner: 1 }), 400)],
  getPlan: [get((ids) => `/plans/${ids.plan}`), get(() => `/plans/${NO_SUCH}`, 404)],
  updatePlan: [send('PATCH', (ids) => `/plans/${ids.plan}`, () => ({ status: 'in_progress' }), 200), send('PATCH', (ids) => `/plans/${ids.plan}`, () => ({ status: 'someday' }), 422), send('PATCH', () => `/plans/${NO_SUCH}`, () => ({ status: 'done' }), 404)],
  deletePlan: [{ method: 'DELETE', url: (ids) => `/plans/${ids.plan}`, status: 204, token: 'owner' }, { method: 'DELETE', url: (ids) => `/plans/${ids.plan}`, status: 404, token: 'owner' }],
  setWaveReminders: [send('PATCH', (ids) => `/waves/${ids.wave}/reminders`, () => ({ count: 2, days: 3 }), 200), send('PATCH', (ids) => `/waves/${ids.wave}/reminders`, () => ({ count: 9 }), 400), send('PATCH', () => `/waves/${NO_SUCH}/reminders`, () => ({ count: 1, days: 1 }), 404)],
  getSendingState: [get(() => '/sending'), get(() => '/sending', 403, 'viewer')],
  resumeSending: [send('POST', () => '/sending/resume', () => undefined, 200), send('POST', () => '/sending/resume', () => undefined, 403, 'viewer')],
  getOrganization: [get(() => '/organization'), get(() => '/organization', 403, 'viewer')],
  updateOrganization: [send('PATCH', () => '/organization', () => ({ senderName: 'Contract', replyTo: null }), 200), send('PATCH', () => '/organization', () => ({ minGroupSize: 1 }), 400), send('PATCH', () => '/organization', () => ({ name: 'x' }), 403, 'viewer')],
  listAuditEntries: [get(() => '/audit?limit=1'), get(() => '/audit?from=2026-13-01', 400), get(() => '/audit?cursor=x', 400), get(() => '/audit', 403, 'viewer')],
  // Colleagues, notification and retention settings.
  listPeople: [get(() => '/people?limit=1'), get(() => '/people?cursor=x', 400), get(() => '/people', 403, 'viewer')],
  getPerson: [get((ids) => `/people/${ids.colleague}`), get(() => '/people/junk', 400), get(() => `/people/${NO_SUCH}`, 404)],
  updatePerson: [
    send('PATCH', (ids) => `/people/${ids.colleague}`, () => ({ role: 'unit_manager' }), 200),
    send('PATCH', (ids) => `/people/${ids.colleague}`, (ids) => ({ units: [ids.unit] }), 200),
    send('PATCH', (ids) => `/people/${ids.colleague}`, () => ({ role: 'boss' }), 400),
    send('PATCH', (ids) => `/people/${ids.colleague}`, () => ({ units: [NO_SUCH] }), 400),
    send('PATCH', () => `/people/${NO_SUCH}`, () => ({}), 404),
    send('PATCH', (ids) => `/people/${ids.owner}`, () => ({ role: 'viewer' }), 409),
    send('PATCH', (ids) => `/people/${ids.colleague}`, () => ({ role: 'viewer' }), 403, 'viewer'),
  ],
  deletePerson: [
    send('DELETE', () => `/people/${NO_SUCH}`, () => undefined, 404), send('DELETE', (ids) => `/people/${ids.owner}`, () => undefined, 409),
    send('DELETE', (ids) => `/people/${ids.colleague}`, () => undefined, 204),
  ],
  createColleagueInvitation: [
    { ...send('POST', () => '/people/invitations', () => ({ email: 'dee@example.test', role: 'analyst' }), 201), headers: { 'idempotency-key': 'contract-invitation' } },
    { ...send('POST', () => '/people/invitations', () => ({ email: 'dee@example.test', role: 'analyst' }), 201), headers: { 'idempotency-key': 'contract-invitation' } },
    send('POST', () => '/people/invitations', () => ({ email: 'dee@example.test', role: 'analyst' }), 400),
    send('POST', () => '/people/invitations', () => ({ email: 'eve@example.test', role: 'viewer' }), 201),
    send('POST', () => '/people/invitations', () => ({ email: 'fay@example.test', role: 'boss' }), 400),
    send('POST', () => '/people/invitations', () => ({ email: 'fay@example.test', role: 'viewer' }), 403, 'viewer'),
  ],
  listColleagueInvitations: [get(() => '/people/invitations?limit=1'), get(() => '/people/invitations?cursor=x', 400)],
  resendColleagueInvitation: [send('POST', (ids) => `/people/invitations/${ids.invitation}/resend`, () => undefined, 201), send('POST', () => `/people/invitations/${NO_SUCH}/resend`, () => undefined, 404)],
  deleteColleagueInvitation: [
    send('DELETE', (ids) => `/people/invitations/${ids.invitation}`, () => undefined, 204), send('DELETE', (ids) => `/people/invitations/${ids.invitation}`, () => undefined, 404),
    send('DELETE', () => '/people/invitations/junk', () => undefined, 400),
  ],
  getNotificationSettings: [get(() => '/account/notifications'), get(() => '/account/notifications', 200, 'viewer')],
  updateNotificationSettings: [
    send('PATCH', () => '/account/notifications', (ids) => ({ units: [ids.unit], digest: 'weekly', alertEmail: false }), 200),
    send('PATCH', () => '/account/notifications', () => ({ locale: 'xx' }), 400), send('PATCH', () => '/account/notifications', () => ({ units: [NO_SUCH] }), 400),
    send('PATCH', () => '/account/notifications', () => ({ digest: 'hourly' }), 400),
  ],
  getRetentionSettings: [get(() => '/settings/retention'), get(() => '/settings/retention', 403, 'viewer')],
  updateRetentionSettings: [
    send('PATCH', () => '/settings/retention', () => ({ contactMonths: 24, commentMonths: null }), 200), send('PATCH', () => '/settings/retention', () => ({ contactMonths: 0 }), 400),
    send('PATCH', () => '/settings/retention', () => ({ commentMonths: 12 }), 403, 'viewer'),
  ],
  // -- organization settings and kiosks (api-settings) --
  getBranding: [get(() => '/branding'), get(() => '/branding', 403, 'viewer')],
  updateBranding: [send('PATCH', () => '/branding', () => ({ accent: '#1a5fb4' }), 200), send('PATCH', () => '/branding', () => ({ accent: '#777777' }), 400), send('PATCH', () => '/branding', () => ({ accent: null }), 403, 'viewer')],
  uploadBrandingLogo: [
    { ...send('PUT', () => '/branding/logo', () => Buffer.from(fixture('logo.png')), 200), headers: { 'content-type': 'image/png' } },
    { ...send('PUT', () => '/branding/logo', () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 400), headers: { 'content-type': 'image/png' } },
    { ...send('PUT', () => '/branding/logo', () => 'a logo', 415), headers: { 'content-type': 'text/plain' } },
  ],
  deleteBrandingLogo: [{ method: 'DELETE', url: () => '/branding/logo', status: 403, token: 'viewer' }, { method: 'DELETE', url: () => '/branding/logo', status: 204, token: 'owner' }],
  getSsoSettings: [get(() => '/sso'), get(() => '/sso', 403, 'viewer')],
  updateSsoSettings: [send('PATCH', () => '/sso', () => ({ signInMode: 'invitation', defaultRole: 'analyst' }), 200), send('PATCH', () => '/sso', () => ({ enabled: true, issuer: 'ftp://login.example.test' }), 400), send('PATCH', () => '/sso', () => ({ defaultRole: 'viewer' }), 403, 'viewer')],
  disableSso: [{ method: 'DELETE', url: () => '/sso', status: 403, token: 'viewer' }, { method: 'DELETE', url: () => '/sso', status: 200, token: 'owner' }],
  createKiosk: [
    send('POST', () => '/kiosks', (ids) => ({ waveId: ids.kioskWave, unitId: ids.unit, dailyCap: 50 }), 201), send('POST', () => '/kiosks', (ids) => ({ waveId: ids.kioskWave, unitId: ids.unit }), 409),
    send('POST', () => '/kiosks', (ids) => ({ waveId: ids.kioskWave, unitId: ids.unit, dailyCap: 0 }), 400), send('POST', () => '/kiosks', (ids) => ({ waveId: NO_SUCH, unitId: ids.unit }), 404),
    send('POST', () => '/kiosks', (ids) => ({ waveId: ids.wave, unitId: ids.unit }), 422),
  ],
  listKiosks: [get(() => '/kiosks?limit=1'), get(() => '/kiosks?cursor=x', 400), get(() => '/kiosks', 403, 'viewer')],
  getKiosk: [get((ids) => `/kiosks/${ids.kiosk}`), get(() => '/kiosks/junk', 400), get(() => `/kiosks/${NO_SUCH}`, 404)],
  updateKiosk: [send('PATCH', (ids) => `/kiosks/${ids.kiosk}`, () => ({ dailyCap: 20 }), 200), send('PATCH', (ids) => `/kiosks/${ids.kiosk}`, () => ({ dailyCap: 0 }), 400), send('PATCH', () => `/kiosks/${NO_SUCH}`, () => ({ dailyCap: 5 }), 404)],
  deleteKiosk: [{ method: 'DELETE', url: (ids) => `/kiosks/${ids.kiosk}`, status: 204, token: 'owner' }, { method: 'DELETE', url: (ids) => `/kiosks/${ids.kiosk}`, status: 404, token: 'owner' }],
  // After the kiosk requests: one of those needs ids.wave to have no unit links yet.
  deleteUnit: [
    send('DELETE', (ids) => `/units/${ids.unit}`, () => undefined, 409), send('DELETE', () => `/units/${NO_SUCH}`, () => undefined, 404),
    send('DELETE', (ids) => `/units/${ids.spareUnit}`, () => undefined, 403, 'viewer'), send('DELETE', (ids) => `/units/${ids.spareUnit}`, () => undefined, 204),
  ],
  addWaveUnitLinks: [send('POST', (ids) => `/waves/${ids.wave}/unit-links`, () => undefined, 200), send('POST', () => `/waves/${NO_SUCH}/unit-links`, () => undefined, 404), send('POST', (ids) => `/waves/${ids.wave}/unit-links`, () => undefined, 403, 'viewer')],
}

/** The id a created thing's answer gives, under the name later requests use. */
const REMEMBER: Record<string, string> = {
  createInstrument: 'instrument', createWave: 'doomed', createWebhook: 'webhook', createPlan: 'plan',
  // Colleagues: the newest invitation, sent or sent again.
  createColleagueInvitation: 'invitation', resendColleagueInvitation: 'invitation',
  createKiosk: 'kiosk',
}

const escapePointer = (part: string) => encodeURIComponent(part.replaceAll('~', '~0').replaceAll('/', '~1'))

describeEachDatabase('the API against its OpenAPI document', (ctx) => {
  let document: OpenApiDocument
  let ajv: Ajv2020
  let tenant: Tenant
  const tokens: Record<string, string> = {}
  const ids: Ids = {}
  const operations = new Map<string, { path: string; method: string; operation: Operation }>()
  /** Answers that led to a next page in their headers (the check of those headers must have run). */
  let pagedAnswers = 0
  let replayedAnswers = 0

  /** Fails unless the document declares this status for the operation, with this content type, and the body fits its schema. */
  function conforms(operationId: string, response: LightMyRequestResponse) {
    const { path, method, operation } = operations.get(operationId)!
    const where = `${operationId} ${response.statusCode}`
    const declared = operation.responses[String(response.statusCode)]
    expect(declared, `${where}: status not declared (${response.body.slice(0, 200)})`).toBeDefined()
    // The paging headers a list answers with are declared for that answer.
    const headers = Object.keys((declared as { headers?: Record<string, unknown> }).headers ?? {}).map((name) => name.toLowerCase())
    for (const name of ['link', 'next-cursor']) {
      if (response.headers[name] === undefined) continue
      expect(headers, `${where}: header ${name}`).toContain(name)
      pagedAnswers++
    }
    if (response.headers['idempotent-replayed'] !== undefined) {
      expect(headers, `${where}: header idempotent-replayed`).toContain('idempotent-replayed')
      replayedAnswers++
    }
    if (response.statusCode === 204) {
      expect(response.body, where).toBe('')
      return
    }
    const type = String(response.headers['content-type']).split(';')[0]!
    expect(Object.keys(declared!.content ?? {}), `${where}: content type`).toContain(type)
    if (type !== 'application/json') return
    const pointer = ['paths', path, method, 'responses', String(response.statusCode), 'content', type, 'schema'].map(escapePointer).join('/')
    const validate = ajv.getSchema(`openapi.json#/${pointer}`)!
    const body: unknown = response.json()
    expect(validate(body) ? [] : validate.errors, `${where}: body`).toEqual([])
  }

  async function call(operationId: string, request: Request) {
    const token = request.token ?? 'owner'
    const payload = request.payload?.(ids)
    return ctx.app.inject({
      method: request.method as 'GET',
      url: `/api/v1${request.url(ids)}`,
      headers: { ...(token === 'none' ? {} : bearer(tokens[token]!)), ...request.headers },
      ...(payload === undefined ? {} : { payload: payload as string }),
    })
  }

  it('reads the document, and has requests for every operation in it: a success and an error each', async () => {
    document = await openApiDocument(ctx.app)
    ajv = new Ajv2020({ strict: false, allErrors: true })
    addFormats.default(ajv)
    ajv.addSchema({ ...document, $id: 'openapi.json' } as object)
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) operations.set(operation.operationId, { path, method, operation })
    }
    expect([...operations.keys()].sort()).toEqual(Object.keys(REQUESTS).sort())
    // The check has teeth: a wave without its fields is not a Wave, an error body without `message` not an Error.
    expect(ajv.getSchema('openapi.json#/components/schemas/Wave')!({ id: 'x' })).toBe(false)
    expect(ajv.getSchema('openapi.json#/components/schemas/Error')!({ error: 'not_found' })).toBe(false)
    for (const [operationId, requests] of Object.entries(REQUESTS)) {
      expect(requests.some((r) => r.status < 300), operationId).toBe(true)
      // The error may be the 401 every operation that needs a token is sent without one (below).
      expect(requests.some((r) => r.status >= 400) || requests[0]!.token !== 'none', operationId).toBe(true)
    }
  })

  it('sets up an organization: a unit, a wave with answers, a contact and a webhook', async () => {
    tenant = await createTenant(ctx, 'Contract Co')
    tokens.owner = await apiToken(ctx, tenant.owner.email)
    tokens.viewer = await apiToken(ctx, await addPerson(ctx, tenant, 'viewer'))
    ids.email = tenant.owner.email
    ids.password = 'correct horse battery staple'
    const api = (method: 'GET' | 'POST', url: string, payload?: unknown) => ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(tokens.owner!), ...(payload === undefined ? {} : { payload: payload as object }) })
    ids.unit = (await api('POST', '/units', { name: 'North' })).json().id
    ids.wave = (await api('POST', '/waves', { name: '2026-Q4', templateKey: 'service-gap-index' })).json().id
    const items: { key: string }[] = (await api('GET', `/waves/${ids.wave}`)).statusCode === 200
      ? (await api('GET', '/templates')).json().find((t: { key: string }) => t.key === 'service-gap-index').items : []
    const answers = Object.fromEntries(items.map((item, i) => [item.key, 1 + (i % 5)]))
    const rows = ['staff', 'customer'].flatMap((side) => Array.from({ length: 6 }, (_, i) => ({ side, unit: 'North', answers, ...(side === 'customer' ? { attributes: { tier: i < 2 ? 'gold' : 'silver' } } : {}) })))
    ids.rows = JSON.stringify(rows.slice(0, 2))
    const added = await api('POST', `/waves/${ids.wave}/responses`, rows)
    expect(added.statusCode, added.body).toBe(201)
    ids.response = added.json().ids[rows.length - 1]
    await api('POST', '/contacts', [{ email: 'cy@example.test', side: 'customer', unit: 'North' }])
    ids.contact = (await api('GET', '/contacts?q=cy')).json().contacts[0].id
    ids.webhook = (await api('POST', '/webhooks', { url: 'http://127.0.0.1:9/first', events: ['wave_closed'] })).json().id
    // A wave with unit links, whose North customer link the kiosk requests make a kiosk of (api-settings).
    ids.kioskWave = (await api('POST', '/waves', { name: 'Kiosk wave', templateKey: 'service-gap-index', unitLinks: true })).json().id
    // A unit nothing names yet, to delete (no wave made after this one asks for unit links before deleteUnit runs).
    ids.spareUnit = (await api('POST', '/units', { name: 'Spare' })).json().id
    const spare = await apiToken(ctx, tenant.owner.email)
    const listed: { id: string; prefix: string }[] = (await api('GET', '/tokens')).json()
    ids.spareToken = listed.find((t) => spare.startsWith(t.prefix))!.id
    // Colleagues: the owner, and an analyst to change and remove.
    await addPerson(ctx, tenant, 'analyst')
    const people: { id: string; role: string }[] = (await api('GET', '/people')).json()
    ids.owner = tenant.owner.userId
    ids.colleague = people.find((p) => p.role === 'analyst')!.id
  })

  for (const [operationId, requests] of Object.entries(REQUESTS)) {
    it(`${operationId}: answers as the document declares`, async () => {
      for (const request of requests) {
        const response = await call(operationId, request)
        expect(response.statusCode, `${operationId} ${request.method} ${request.url(ids)}: ${response.body.slice(0, 300)}`).toBe(request.status)
        conforms(operationId, response)
        const remember = REMEMBER[operationId]
        if (remember && response.statusCode === 201) ids[remember] = response.json().id
        if (operationId === 'getInstrument' && response.statusCode === 200) ids.instrumentBody = JSON.stringify(saveBodyOf(response.json()))
      }
      // Every operation that needs a token refuses a request without one, as declared.
      const first = requests[0]!
      if (first.token !== 'none') {
        const anonymous = await call(operationId, { ...first, token: 'none' })
        expect(anonymous.statusCode, operationId).toBe(401)
        conforms(operationId, anonymous)
      }
    })
  }

  it('checked the paging headers of lists that had a next page, and the header of a replayed answer', () => {
    expect(replayedAnswers).toBeGreaterThanOrEqual(1)
    expect(pagedAnswers).toBeGreaterThanOrEqual(6)
  })
}, { WEBHOOKS_ALLOW_LOOPBACK: 'true' })

/** What PUT /instruments/:id takes, from what GET gives: the definition's own fields. */
function saveBodyOf(detail: Record<string, unknown>) {
  const fields = ['key', 'name', 'locales', 'staffQuestion', 'customerQuestion', 'items']
  const body = Object.fromEntries(fields.filter((f) => f in detail).map((f) => [f, detail[f]]))
  return { ...body, name: 'Contract (renamed)' }
}
