// Bad input over every route, driven by the app's own route table so that a new route is swept without
// editing this file: bodies that are missing, null, arrays, doubled fields, control and odd Unicode
// characters, 100 KB strings and wrong content types; queries with doubled and junk parameters and
// `next=` values with control characters; path parameters that are not ids. Whatever arrives, the
// answer is never a 5xx: pages answer with an HTML page, the API with JSON {error, message}.
import { createInstrument } from '../../server/repositories/instruments.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { expect, it } from 'vitest'
import type { RouteAccess } from '../../server/plugins/auth.js'
import { insertActionPlan } from '../../server/repositories/action-plans.js'
import { createApiToken } from '../../server/repositories/credentials.js'
import { createPasswordReset } from '../../server/repositories/password-resets.js'
import { hashToken } from '../../server/security/tokens.js'
import { importResponses } from '../../server/repositories/responses.js'
import { createUnit } from '../../server/repositories/units.js'
import { insertWebhook } from '../../server/repositories/webhooks.js'
import { saveKiosk } from '../../server/repositories/kiosks.js'
import { listWaveLinks } from '../../server/repositories/waves.js'
import { saveUpload } from '../../server/services/uploads.js'
import { createWaveFromInput } from '../../server/services/waves.js'
import { addPerson, apiToken, Browser, createTenant, describeEachDatabase, signedIn, type TestContext } from '../helpers/app.js'

/** Where each URL parameter takes its (valid) value from, by the path segment in front of it. */
const PARAM_FOR_SEGMENT: Record<string, string> = {
  waves: 'waveId', units: 'unitId', links: 'linkId', people: 'personId', tokens: 'tokenId', s: 'surveyToken', k: 'kioskToken', import: 'importId',
  contacts: 'contactId', responses: 'responseId', invitations: 'invitationId', join: 'joinToken', 'reset-password': 'resetToken',
  logo: 'file', accent: 'file',
  u: 'token', oidc: 'organizationId', 'chart.js': 'file', public: 'file', webhooks: 'webhookId', plans: 'planId', instruments: 'instrumentId',
  // The API reference's assets, /api/docs/static/*.
  static: 'docsAsset',
  kiosks: 'kioskId',
}

/** Path parameter values that are not what the route expects. */
const BAD_PARAMS = [
  'not-a-uuid',
  '00000000-0000-0000-0000-00000000000g',
  'x'.repeat(300), // longer than the router takes
  'a%2Fb%2F..%2F..%2Fetc',
  '%00',
  '%ED%A0%80',
  '%0D%0Aset-cookie:x=1',
  '%E3%80%80',
  "'%3Bdrop%20table%20x--",
]

/** Query strings: doubled parameters, junk names, brackets, and `next=` values with control characters. */
const BAD_QUERIES = [
  '?next=%0D%0ALocation:%20https://evil.test&next=/waves&q=a&q=b&page=1&page=2&unit=x&unit=y&wave=1&wave=2&side=a&side=b&from=a&to=b&action=x&action=y&done=a&done=b&upload=x&upload=y&email=a&email=b&saved&lang=xx&lang=yy&download',
  '?next=%00&q=%00&page=-1&limit=1e309&unit=%ED%A0%80&from=2026-13-45&to=%E3%80%80&user=%0A&email=%0D%0A',
  '?next=/%09/evil.test&next[a]=b&a[b][c]=d&%FF=%FE&=&&&q[]=1&page[]=2&__proto__=x&constructor[prototype][x]=1',
  `?next=${'/a'.repeat(2000)}&q=${'x'.repeat(20_000)}`,
  '?next=%5C%5Cevil.test&%E3%80%80=%E3%80%80&page=NaN&page=Infinity',
]

/** Strings that look like numbers, dates, addresses or ids but are out of range or malformed: each is sent in every field at once. */
const ODD_SCALARS = [
  '99999999999999999999', '-1', '1e400', ' 7 ', '2026-02-30', '10000-01-01T25:61:61Z',
  'x@localhost', '00000000-0000-0000-0000-000000000000', 'javascript:alert(1)', "'\"<>\\%",
]

/** The router treats every route's parameters alike, so state-changing routes get the worst of BAD_PARAMS only. */
const BAD_PARAMS_FOR_CHANGES = ['not-a-uuid', 'x'.repeat(300), 'a%2Fb%2F..%2F..%2Fetc', '%ED%A0%80', '%00']

const JOIN_TOKEN = 'J'.repeat(43)
const RESET_TOKEN = 'R'.repeat(43)
const JUNK = 'a\r\nb\u0000c\u3000d\u2028e\uFEFF<script>x</script>'
const HUGE = 'x'.repeat(100 * 1024)

interface Values {
  [param: string]: string
}

function fillPath(url: string, values: Values, bad?: string): string[] {
  const segments = url.split('/')
  const params = segments.flatMap((s, i) => (s.startsWith(':') || s === '*' ? [i] : []))
  const fill = (badAt: number | null) => segments.map((segment, i) => {
    if (!params.includes(i)) return segment
    if (i === badAt) return bad!
    const key = PARAM_FOR_SEGMENT[segments[i - 1] ?? '']
    if (!key || values[key] === undefined) throw new Error(`No value for parameter ${segment} in ${url}: add one to PARAM_FOR_SEGMENT`)
    return values[key]
  }).join('/')
  if (bad === undefined) return [fill(null)]
  return params.map((i) => fill(i))
}

const isApi = (route: RouteAccess) => route.url.startsWith('/api/')

async function seed(ctx: TestContext) {
  const a = await createTenant(ctx, 'Sweep Org')
  const db = ctx.database.db
  const unitId = await createUnit(db, a.organizationId, 'Sweep unit')
  const created = await createWaveFromInput(db, a.organizationId, { name: 'Sweep wave', templateKey: 'service-gap-index' }, { unitLinks: true })
  if (!created.ok) throw new Error(JSON.stringify(created.errors))
  const links = (await listWaveLinks(db, a.organizationId, [created.value])).get(created.value)!
  const unitCustomerLink = links.find((l) => l.unit && l.side === 'customer')!
  const kiosk = (await saveKiosk(db, a.organizationId, { id: unitCustomerLink.id, unitId: unitCustomerLink.unit!.id }, 100))!
  await createApiToken(db, { userId: a.owner.userId, organizationId: a.organizationId }, 'Sweep token')
  const token = await db.selectFrom('api_tokens').select('id').where('organization_id', '=', a.organizationId).executeTakeFirstOrThrow()
  const saved = await saveUpload(db, { organizationId: a.organizationId, kind: 'responses', waveId: created.value }, a.owner.userId, 'sweep.csv',
    Readable.from([Buffer.from('side,excellent_service,comment\ncustomer,5,Sweep comment\n')]), 1024)
  if (!saved.ok) throw new Error('upload not saved')
  const contact = await db.insertInto('contacts').values({
    organization_id: a.organizationId, side: 'customer', email: 'sweep-contact@example.test', name: 'Sweep contact', unit_id: unitId, attributes: JSON.stringify({}),
  }).returning('id').executeTakeFirstOrThrow()
  const [responseId] = await importResponses(db, { organizationId: a.organizationId, waveId: created.value, locale: 'en', channel: 'api' },
    [{ side: 'customer', unitId, attributes: {}, answers: { excellent_service: 5 }, comment: 'Sweep answer' }])
  const viewerEmail = await addPerson(ctx, a, 'viewer')
  const viewer = await db.selectFrom('users').select('id').where('email', '=', viewerEmail).executeTakeFirstOrThrow()
  const invitation = await db.insertInto('colleague_invitations').values({
    organization_id: a.organizationId, email: 'sweep-colleague@example.test', role: 'viewer', token_hash: hashToken(JOIN_TOKEN), expires_at: new Date(Date.now() + 86_400_000),
  }).returning('id').executeTakeFirstOrThrow()
  // Live links, so that the join and reset forms themselves are swept, not only their "link not found".
  await createPasswordReset(db, { id: randomUUID(), organizationId: a.organizationId, userId: viewer.id, tokenHash: hashToken(RESET_TOKEN), expiresAt: new Date(Date.now() + 3_600_000) })
  const webhook = await insertWebhook(db, a.organizationId, { id: randomUUID(), url: 'https://sweep-hooks.example.com/in', sealedSecret: 'sealed', events: ['wave_closed'] })
  const plan = await insertActionPlan(db, a.organizationId, { waveId: created.value, unitId, itemKey: 'excellent_service', dimension: null, owner: 'Sweep owner', change: 'Sweep change', dueOn: null, createdBy: null })
  const instrumentId = await createInstrument(db, a.organizationId, { ...SERVICE_GAP_INDEX_V1, key: 'sweep-instrument', name: 'Sweep instrument' })
  const values: Values = {
    webhookId: webhook.id, planId: plan.id, instrumentId,
    waveId: created.value, unitId, linkId: links.find((l) => l.unit)!.id,
    // A colleague rather than the owner, so that no sweep input can lock the sweeping owner out.
    personId: viewer.id, tokenId: token.id, importId: saved.upload.id, contactId: contact.id, responseId: responseId!,
    invitationId: invitation.id, surveyToken: links.find((l) => !l.unit && l.side === 'customer')!.token, kioskToken: kiosk.token, kioskId: kiosk.id,
    token: 'A'.repeat(43), joinToken: JOIN_TOKEN, resetToken: RESET_TOKEN, organizationId: a.organizationId, file: 'chart.umd.js', docsAsset: 'swagger-ui.css',
  }
  return { values, ownerEmail: a.owner.email }
}

/** A request as a browser (cookies) or an API client (bearer) would send it. */
type Send = (options: InjectOptions & { url: string }) => Promise<LightMyRequestResponse>

/** What went wrong, collected over a whole sweep so that one run names every failing route and input. */
function checkAnswer(route: RouteAccess, label: string, response: LightMyRequestResponse, failures: string[], statuses: Map<number, number>) {
  statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
  const problem = answerProblem(route, response)
  if (problem) failures.push(`${label} → ${response.statusCode} ${problem}: ${response.body.slice(0, 160)}`)
}

function answerProblem(route: RouteAccess, response: LightMyRequestResponse): string | null {
  // The one 5xx that is an answer: this test app makes no board pack PDFs (no Chromium), and says so.
  if (response.statusCode === 503 && route.url === '/waves/:id/pack.pdf' && response.body.includes('This server cannot make PDFs')) return null
  if (response.statusCode >= 500) return 'a 5xx'
  if (response.statusCode < 400) return null
  const type = String(response.headers['content-type'] ?? '')
  if (isApi(route)) {
    if (!type.includes('application/json')) return `not JSON but ${type}`
    const body = response.json() as { error?: unknown; message?: unknown }
    return typeof body.error === 'string' && typeof body.message === 'string' ? null : 'no {error, message}'
  }
  return type.includes('text/html') && response.body.includes('</html>') ? null : `not a page but ${type}`
}

/** The field names of every form on a page, by the form's action. */
function formsOf(html: string, into: Map<string, Set<string>>) {
  for (const form of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const action = form[1]!.match(/action="([^"]*)"/)?.[1]?.replaceAll('&amp;', '&').split('?')[0]
    if (!action) continue
    const names = into.get(action) ?? new Set<string>()
    for (const name of form[2]!.matchAll(/name="([^"]+)"/g)) if (name[1] !== '_csrf') names.add(name[1]!)
    into.set(action, names)
  }
}

/** The request bodies every state-changing route gets: each answer must be a clear refusal or a success, never a 5xx. */
function bodies(fields: string[], csrf: string, api: boolean): Array<{ name: string; payload?: string; type?: string }> {
  const urlencoded = (pairs: Array<[string, string]>, raw = '') =>
    [`_csrf=${encodeURIComponent(csrf)}`, ...pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)].join('&') + raw
  const json = (value: unknown) => JSON.stringify(value)
  const asObject = (make: (field: string) => unknown) => Object.fromEntries(fields.map((f) => [f, make(f)]))
  const list: Array<{ name: string; payload?: string; type?: string }> = [
    { name: 'no body' },
    { name: 'JSON null', payload: 'null', type: 'application/json' },
    { name: 'JSON array', payload: json([{ name: 'x' }, 1, null]), type: 'application/json' },
    { name: 'JSON string', payload: json('name=x'), type: 'application/json' },
    { name: 'JSON fields as objects', payload: json(asObject(() => ({ a: [1] }))), type: 'application/json' },
    { name: 'JSON fields as numbers and nulls', payload: json(asObject((f) => (f.length % 2 ? 1e308 : null))), type: 'application/json' },
    { name: 'JSON fields as arrays', payload: json(asObject(() => ['a', 'b'])), type: 'application/json' },
    { name: 'broken JSON', payload: '{"name": ', type: 'application/json' },
    { name: 'doubled fields', payload: urlencoded(fields.flatMap((f) => [[f, 'first'], [f, 'second']] as Array<[string, string]>)), type: 'application/x-www-form-urlencoded' },
    { name: 'bracketed fields', payload: urlencoded(fields.map((f) => [`${f}[a]`, 'x'] as [string, string])) + '&__proto__=x&constructor=y', type: 'application/x-www-form-urlencoded' },
    { name: 'empty fields', payload: urlencoded(fields.map((f) => [f, ''] as [string, string])), type: 'application/x-www-form-urlencoded' },
    { name: 'CR/LF, NUL, U+3000', payload: urlencoded(fields.map((f) => [f, JUNK] as [string, string])), type: 'application/x-www-form-urlencoded' },
    { name: 'lone surrogates', payload: urlencoded([]) + fields.map((f) => `&${f}=a%ED%A0%80b%ED%B0%80`).join(''), type: 'application/x-www-form-urlencoded' },
    { name: 'bad percent escapes', payload: urlencoded([]) + fields.map((f) => `&${f}=%ZZ%E3%80`).join(''), type: 'application/x-www-form-urlencoded' },
    { name: 'JSON fields with CR/LF, NUL, U+3000', payload: json(asObject(() => JUNK)), type: 'application/json' },
    { name: 'JSON lone surrogates', payload: json(asObject(() => 'x')).replaceAll('"x"', '"a\\ud800b\\udc00"'), type: 'application/json' },
    // Odd values in the encoding the route's callers use: forms for pages, JSON for the API.
    ...ODD_SCALARS.map((odd) => (api
      ? { name: `JSON fields all ${odd.slice(0, 30)}`, payload: json(asObject(() => odd)), type: 'application/json' }
      : { name: `fields all ${odd.slice(0, 30)}`, payload: urlencoded(fields.map((f) => [f, odd] as [string, string])), type: 'application/x-www-form-urlencoded' })),
    ...[-1, 0, 2 ** 31, 2 ** 53 + 1, 1e21, -1e-7].map((number) => ({ name: `JSON fields all ${number}`, payload: json(asObject(() => number)), type: 'application/json' })),
    { name: 'text/plain', payload: 'name=x&email=y', type: 'text/plain' },
    { name: 'multipart without boundary', payload: `--x\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--x--\r\n`, type: 'multipart/form-data' },
    { name: 'multipart cut short', payload: `--x\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nside,`, type: 'multipart/form-data; boundary=x' },
    { name: 'multipart with a bad part header', payload: '--x\r\nnonsense\r\n\r\nvalue\r\n--x--\r\n', type: 'multipart/form-data; boundary=x' },
    { name: 'unknown content type', payload: '<x/>', type: 'application/xml' },
  ]
  // 100 KB in each field, two fields at a time so the body stays under the form limit.
  for (let i = 0; i < Math.max(fields.length, 1); i += 2) {
    const chunk = fields.length ? fields.slice(i, i + 2) : ['name']
    list.push({ name: `100 KB in ${chunk.join(', ')}`, payload: urlencoded(chunk.map((f) => [f, HUGE] as [string, string])), type: 'application/x-www-form-urlencoded' })
  }
  list.push({ name: '100 KB JSON', payload: json(asObject(() => HUGE.slice(0, 60_000))), type: 'application/json' })
  return list
}

/** The fields the API's schemas name for a route, from its OpenAPI document. */
function apiFields(docs: { paths?: Record<string, Record<string, unknown>> }, route: RouteAccess): string[] {
  const path = route.url.replace(/:(\w+)/g, '{$1}')
  const operation = docs.paths?.[path]?.[route.method.toLowerCase()] as { requestBody?: { content?: Record<string, { schema?: unknown }> } } | undefined
  const names = new Set<string>()
  const walk = (schema: unknown, depth = 0) => {
    if (!schema || typeof schema !== 'object' || depth > 4) return
    const s = schema as { properties?: Record<string, unknown>; items?: unknown; anyOf?: unknown[]; oneOf?: unknown[] }
    for (const [key, inner] of Object.entries(s.properties ?? {})) { names.add(key); walk(inner, depth + 1) }
    for (const inner of [s.items, ...(s.anyOf ?? []), ...(s.oneOf ?? [])]) walk(inner, depth + 1)
  }
  for (const content of Object.values(operation?.requestBody?.content ?? {})) walk(content.schema)
  return [...names]
}

// The state-changing routes that end the sweeping session, may start another one (a junk password can
// be a fine one), or remove what later routes name, go last.
const LAST = (route: RouteAccess) => (route.url === '/logout' ? 3
  : route.url.startsWith('/join/') || route.url.startsWith('/reset-password/') || route.url.startsWith('/setup') ? 2
    : route.method === 'DELETE' || route.url.endsWith('/remove') ? 1 : 0)

describeEachDatabase('bad input over every route', (ctx) => {
  let values: Values
  let owner: Browser
  let ownerToken: string
  let ownerEmail: string
  /** Field names of the forms seen on the pages, by form action. */
  const forms = new Map<string, Set<string>>()

  it('answers the first-run setup form with broken bodies without a 5xx, while no one exists yet', async () => {
    const browser = new Browser(ctx.app)
    const page = await browser.get('/setup')
    expect(page.statusCode).toBe(200)
    const setupForms = new Map<string, Set<string>>()
    formsOf(page.body, setupForms)
    const fields = [...(setupForms.get('/setup') ?? [])]
    expect(fields).toContain('email')
    const failures: string[] = []
    const statuses = new Map<number, number>()
    const route = { method: 'POST', url: '/setup', access: 'public' } as const
    // Without a password every one of these bodies is refused, so setup stays open throughout; each comes
    // from an address of its own so the setup rate limit does not answer first.
    let sent = 0
    for (const body of bodies(fields.filter((f) => f !== 'password'), browser.csrf!, false)) {
      sent++
      const response = await browser.request({ method: 'POST', url: '/setup', remoteAddress: `10.255.${sent >> 8}.${sent & 255}`,
        headers: { 'x-csrf-token': browser.csrf!, ...(body.type ? { 'content-type': body.type } : {}) }, ...(body.payload === undefined ? {} : { payload: body.payload }) })
      checkAnswer(route, `POST /setup with ${body.name}`, response, failures, statuses)
    }
    expect(failures).toEqual([])
    expect(statuses.get(422)).toBeGreaterThan(10)
    expect(await ctx.app.needsSetup()).toBe(true)
  })

  it('seeds an organization and signs its owner in', async () => {
    const seeded = await seed(ctx)
    values = seeded.values
    ownerEmail = seeded.ownerEmail
    owner = await signedIn(ctx, ownerEmail)
    ownerToken = await apiToken(ctx, ownerEmail)
  })

  it('brings every rejected form back with what was typed and each problem beside its field, never a password', async () => {
    const browser = await signedIn(ctx, ownerEmail)
    await createUnit(ctx.database.db, (await ctx.database.db.selectFrom('units').select('organization_id').where('id', '=', values.unitId!).executeTakeFirstOrThrow()).organization_id, 'Sweep unit taken')
    const cases: Array<{ url: string; page: string; form: Record<string, string | string[]>; kept: string[]; problem: string }> = [
      { url: '/settings/people/invitations', page: '/settings/people', form: { email: 'kept-invite-marker', name: 'Kept Invitee Name', role: 'analyst' }, kept: ['kept-invite-marker', 'Kept Invitee Name'], problem: 'email' },
      { url: `/join/${JOIN_TOKEN}`, page: `/join/${JOIN_TOKEN}`, form: { name: 'Kept Joiner Name', password: 'tiny-pw', confirm: 'tiny-pw' }, kept: ['Kept Joiner Name'], problem: 'password' },
      { url: '/account/name', page: '/account', form: { name: `Kept account name ${'x'.repeat(300)}` }, kept: ['Kept account name xxxx'], problem: 'name' },
      { url: '/account/password', page: '/account', form: { current: 'wrong-current-secret', password: 'tiny-pw', confirm: 'tiny-pw' }, kept: [], problem: 'password' },
      { url: `/reset-password/${RESET_TOKEN}`, page: `/reset-password/${RESET_TOKEN}`, form: { password: 'tiny-pw', confirm: 'tiny-pw' }, kept: [], problem: 'password' },
      { url: '/settings/sso', page: '/settings/sso', form: { enabled: 'on', issuer: 'kept issuer marker', clientId: 'kept-client-marker', clientSecret: 'client-secret-marker', signInMode: 'domains', allowedDomains: 'kept domain marker', defaultRole: 'viewer' }, kept: ['kept issuer marker', 'kept-client-marker', 'kept domain marker'], problem: 'issuer' },
      { url: '/settings/retention', page: '/settings/retention', form: { contactMonths: '0', commentMonths: '47' }, kept: ['value="0"', 'value="47"'], problem: 'contactMonths' },
      { url: `/waves/${values.waveId}/settings`, page: `/waves/${values.waveId}/settings`, form: { name: '', closesAt: '2031-02-03', locales: ['en'] }, kept: ['value="2031-02-03"'], problem: 'name' },
      { url: `/units/${values.unitId}`, page: '/units', form: { name: 'Sweep unit taken' }, kept: ['value="Sweep unit taken"'], problem: 'rename' },
    ]
    const secrets = ['tiny-pw', 'wrong-current-secret', 'client-secret-marker']
    for (const { url, page, form, kept, problem } of cases) {
      await browser.get(page)
      const response = await browser.post(url, form)
      expect(response.statusCode, `${url}: ${response.body.slice(0, 300)}`).toBe(422)
      for (const value of kept) expect(response.body, `${url} keeps ${value}`).toContain(value)
      for (const secret of secrets) expect(response.body, `${url} shows a password`).not.toContain(secret)
      // The problem is named beside its field (the field's error paragraph, or the field marked invalid).
      expect(response.body, `${url} names the problem at ${problem}`).toMatch(new RegExp(`id="${problem}-error"|id="${problem}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="${problem}"`))
    }
    const audit = await browser.get('/settings/audit?person=kept-person-marker&from=not-a-date&action=kept-action')
    expect(audit.statusCode).toBe(422)
    expect(audit.body).toContain('kept-person-marker')
    expect(audit.body).toContain('not-a-date')
    expect(audit.body).toMatch(/id="from-error"/)
  })

  const routes = () => ctx.app.accessTable().filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS')
  // Each request comes from an address of its own, so that the rate limits of sign-in and the like
  // (per address) do not answer 429 before the input is read.
  let requests = 0
  const from = () => {
    requests++
    return `10.${(requests >> 16) & 255}.${(requests >> 8) & 255}.${requests & 255}`
  }
  const senders = (): Array<[string, Send, () => string]> => {
    const anonymous = new Browser(ctx.app)
    return [
      ['owner', (options) => (options.url.startsWith('/api/')
        ? ctx.app.inject({ ...options, remoteAddress: from(), headers: { authorization: `Bearer ${ownerToken}`, ...options.headers } })
        : owner.request({ ...options, remoteAddress: from() })), () => owner.csrf!],
      ['anonymous', (options) => (options.url.startsWith('/api/') ? ctx.app.inject({ ...options, remoteAddress: from() }) : anonymous.request({ ...options, remoteAddress: from() })), () => anonymous.csrf ?? 'none'],
    ]
  }

  it('answers every GET with junk queries and bad path parameters without a 5xx', async () => {
    let sent = 0
    const failures: string[] = []
    const statuses = new Map<number, number>()
    for (const [who, send] of senders()) {
      await send({ method: 'GET', url: '/login' })
      for (const route of routes().filter((r) => r.method === 'GET')) {
        const [good] = fillPath(route.url, values)
        const accept = isApi(route) ? 'application/json' : 'text/html'
        // Pages first as they are, so the form fields they offer are known for the POST sweep.
        const plain = await send({ method: 'GET', url: good!, headers: { accept } })
        checkAnswer(route, `${who} GET ${good}`, plain, failures, statuses)
        if (who === 'owner' && plain.statusCode === 200 && String(plain.headers['content-type']).includes('text/html')) formsOf(plain.body, forms)
        for (const query of BAD_QUERIES) {
          checkAnswer(route, `${who} GET ${route.url}${query.slice(0, 80)}`, await send({ method: 'GET', url: good! + query, headers: { accept } }), failures, statuses)
          sent++
        }
        for (const bad of BAD_PARAMS) {
          for (const url of fillPath(route.url, values, bad)) {
            checkAnswer(route, `${who} GET ${url.slice(0, 120)}`, await send({ method: 'GET', url, headers: { accept } }), failures, statuses)
            sent++
          }
        }
      }
    }
    expect(failures).toEqual([])
    expect(sent).toBeGreaterThan(1000)
    // The sweep reached the pages themselves, signed in: most of them answered.
    expect(statuses.get(200)).toBeGreaterThan(100)
    expect(forms.size).toBeGreaterThan(15)
  }, 300_000)

  it('answers every POST, PATCH and DELETE with broken bodies and bad path parameters without a 5xx', async () => {
    const docs = (await ctx.app.inject({ method: 'GET', url: '/api/docs/json' })).json()
    const everyField = [...new Set([...forms.values()].flatMap((names) => [...names]))]
    const changing = routes().filter((r) => ['POST', 'PATCH', 'DELETE', 'PUT'].includes(r.method)).sort((a, b) => LAST(a) - LAST(b))
    expect(changing.length).toBeGreaterThan(40)
    let sent = 0
    const failures: string[] = []
    const statuses = new Map<number, number>()
    for (const [who, send, csrf] of senders()) {
      await send({ method: 'GET', url: '/login' })
      for (const route of changing) {
        const [good] = fillPath(route.url, values)
        const fields = isApi(route) ? apiFields(docs, route) : [...(forms.get(good!) ?? everyField)]
        const headers = (type?: string) => ({
          accept: isApi(route) ? 'application/json' : 'text/html',
          ...(isApi(route) ? {} : { 'x-csrf-token': csrf() }),
          ...(type ? { 'content-type': type } : {}),
        })
        // Anonymous callers are refused before the body is read on every route that is not public: one body each suffices there.
        const list = bodies(fields.length ? fields : ['name', 'email'], csrf(), isApi(route))
        const sample = who === 'anonymous' && route.access !== 'public' ? list.slice(0, 2) : list
        for (const body of sample) {
          const response = await send({ method: route.method as 'POST', url: good!, headers: headers(body.type), ...(body.payload === undefined ? {} : { payload: body.payload }) })
          checkAnswer(route, `${who} ${route.method} ${route.url} with ${body.name}`, response, failures, statuses)
          sent++
        }
        for (const bad of BAD_PARAMS_FOR_CHANGES) {
          for (const url of fillPath(route.url, values, bad)) {
            const response = await send({ method: route.method as 'POST', url, headers: headers('application/json'), payload: '{}' })
            checkAnswer(route, `${who} ${route.method} ${url.slice(0, 120)}`, response, failures, statuses)
            sent++
          }
        }
      }
    }
    expect(failures).toEqual([])
    expect(sent).toBeGreaterThan(2000)
    // The forms were read and refused by their own checks (a valid session and CSRF token), not only at the door.
    expect(statuses.get(422)).toBeGreaterThan(50)
    expect(statuses.get(303)).toBeGreaterThan(0)
    expect(statuses.get(429) ?? 0, 'rate limits kept the sweep from the forms').toBeLessThan(20)
    // Over 3,000 requests: about 100 s on a busy two-core machine, so the limit leaves room for the routes still to come.
  }, 600_000)
})
