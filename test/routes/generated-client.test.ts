// A typed client made from the API's own OpenAPI document with common generators, as an integrator
// would make one: openapi-typescript turns /api/docs/json (fetched from the real server process) into
// types, with no warnings; a small program using openapi-fetch and those types, untouched by hand,
// must pass tsc --strict, and a program that misreads a field must not; then the program runs against
// the server: token, waves, responses of both sides, the report's figures and the CSV export.
import openapiTS, { astToString } from 'openapi-typescript'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { DATABASES } from '../helpers/databases.js'
import { OWNER } from '../helpers/server-process.js'
import { serverOn, type RunningServer } from '../helpers/server-on.js'
import { writeProgram } from '../helpers/typescript-program.js'

/** The integrator's program: every call through the generated types, every answer checked. */
const CLIENT = `import assert from 'node:assert/strict'
import createClient from 'openapi-fetch'
import type { components, paths } from './api.js'

type Classification = components['schemas']['ItemResult']['classification']
const { SG_URL, SG_EMAIL, SG_PASSWORD } = process.env
if (!SG_URL || !SG_EMAIL || !SG_PASSWORD) throw new Error('Set SG_URL, SG_EMAIL and SG_PASSWORD')

const anonymous = createClient<paths>({ baseUrl: SG_URL })
const created = await anonymous.POST('/api/v1/tokens', { body: { email: SG_EMAIL, password: SG_PASSWORD, name: 'Generated client' } })
if (!created.data) throw new Error(\`no token: \${created.response.status} \${JSON.stringify(created.error)}\`)
const api = createClient<paths>({ baseUrl: SG_URL, headers: { authorization: \`Bearer \${created.data.token}\` } })

const refused = await anonymous.GET('/api/v1/waves')
assert.equal(refused.response.status, 401)
assert.equal(refused.error?.error, 'unauthorized')

const templates = await api.GET('/api/v1/templates')
const template = templates.data?.find((t) => t.key === 'service-gap-index')
assert.ok(template, 'the built-in instrument is listed')
const headlineItem = template.items.find((item) => item.headline)
assert.ok(headlineItem)

const wave = await api.POST('/api/v1/waves', { body: { name: 'Generated client wave', templateKey: template.key } })
if (!wave.data) throw new Error(\`no wave: \${JSON.stringify(wave.error)}\`)
assert.equal(wave.response.status, 201)
assert.equal(wave.data.status, 'open')
const id = wave.data.id
const listed = await api.GET('/api/v1/waves')
assert.ok(listed.data?.some((w) => w.id === id && w.links.staff === wave.data.links.staff))

const rows = [
  ...[5, 4, 4, 5, 3].map((answer) => ({ side: 'staff', answers: { [headlineItem.key]: answer } })),
  ...[4, 2, 3, 5, 2].map((answer) => ({ side: 'customer', attributes: { tier: 'gold' }, answers: { [headlineItem.key]: answer }, comment: 'Friendly, but slow.' })),
]
const posted = await api.POST('/api/v1/waves/{id}/responses', { params: { path: { id } }, body: rows })
assert.equal(posted.data?.ids.length, 10)
const invalid = await api.POST('/api/v1/waves/{id}/responses', { params: { path: { id } }, body: { side: 'nobody', answers: {} } })
assert.equal(invalid.response.status, 400)
assert.equal(invalid.error?.error, 'validation_failed')

const report = await api.GET('/api/v1/waves/{id}/report', { params: { path: { id } } })
if (!report.data) throw new Error(\`no report: \${JSON.stringify(report.error)}\`)
const { headline, minGroupSize } = report.data
const { staff, customer } = headline
// A Share is its figures or {suppressed: true}; ruling the latter out gives the figures their types.
if ('suppressed' in staff || 'suppressed' in customer) throw new Error('a side is suppressed')
assert.ok(headline.gap, 'both sides shown, so there is a gap')
const [low, high] = headline.gap.ci95

// The attribute filters as the generated types declare them, serialized by openapi-fetch's defaults.
const gold = await api.GET('/api/v1/waves/{id}/report', { params: { path: { id }, query: { filters: { 'customer.tier': 'gold' } } } })
const goldCustomers = gold.data?.headline.customer
const silver = await api.GET('/api/v1/waves/{id}/report', { params: { path: { id }, query: { filters: { 'customer.tier': 'silver' } } } })

const csv = await api.GET('/api/v1/waves/{id}/export.csv', { params: { path: { id } }, parseAs: 'text' })
assert.equal(csv.response.status, 200)
assert.ok(csv.response.headers.get('content-type')?.startsWith('text/csv'))
const lines = (csv.data ?? '').replace(/^\\uFEFF/, '').trim().split('\\n')

const missing = await api.GET('/api/v1/waves/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } })
console.log(JSON.stringify({
  minGroupSize,
  headline: headline.key,
  staff: { n: staff.n, agree: staff.agree, share: staff.share, distribution: staff.distribution },
  customer: { n: customer.n, agree: customer.agree, share: customer.share, distribution: customer.distribution },
  gap: { points: headline.gap.points, ci95: [low, high], significant: headline.gap.significant },
  classification: headline.classification satisfies Classification,
  filtered: {
    gold: { filters: gold.data?.filters.customer, n: goldCustomers && 'n' in goldCustomers ? goldCustomers.n : null },
    silver: { status: silver.response.status, error: silver.error?.error },
  },
  csv: { header: lines[0]?.split(',').slice(0, 3), rows: lines.length - 1 },
  missing: { status: missing.response.status, error: missing.error?.error },
}))
`

/** Reads fields the document does not promise: tsc must refuse it, or the types above prove nothing. */
const MISREAD = `import createClient from 'openapi-fetch'
import type { paths } from './api.js'

const api = createClient<paths>({ baseUrl: 'http://127.0.0.1' })
const report = await api.GET('/api/v1/waves/{id}/report', { params: { path: { id: 'x' } } })
if (report.data) {
  // A Share may be {suppressed: true}: its share cannot be read before that is ruled out.
  console.log(report.data.headline.staff.share)
  console.log(report.data.headline.gapPoints)
}
await api.POST('/api/v1/waves', { body: { name: 'No template' } })
`

for (const kind of DATABASES) {
  describe(`a client generated from /api/docs/json [${kind}]`, () => {
    let running: RunningServer
    let types: string
    beforeAll(async () => {
      running = await serverOn(kind)
    }, 120_000)
    afterAll(async () => running?.stop(), 30_000)

    it('generates the types from the served document with openapi-typescript, without warnings', async () => {
      const document = await (await fetch(`${running.server.url}/api/docs/json`)).json()
      const warn = vi.spyOn(console, 'warn')
      const error = vi.spyOn(console, 'error')
      try {
        types = astToString(await openapiTS(document))
        expect([...warn.mock.calls, ...error.mock.calls]).toEqual([])
      } finally {
        warn.mockRestore()
        error.mockRestore()
      }
      expect(types).toContain('"/api/v1/waves/{id}/report"')
      expect(types).toContain('suppressed: true')
    }, 60_000)

    it('refuses a program that reads a field the document does not promise', async () => {
      const program = writeProgram({ 'api.d.ts': types, 'misread.mts': MISREAD })
      try {
        const failure = await program.typecheck().then(() => 'compiled', (e: Error) => e.message)
        expect(failure).toMatch(/misread\.mts\(8,[0-9]+\): error TS2339: Property 'share' does not exist/)
        expect(failure).toMatch(/misread\.mts\(9,[0-9]+\): error TS2339: Property 'gapPoints' does not exist/)
        expect(failure).toMatch(/misread\.mts\(11,[0-9]+\): error TS[0-9]+:[^\n]*\n(\s+[^\n]*\n)*?[^\n]*templateKey/)
      } finally {
        program.remove()
      }
    }, 120_000)

    it('type-checks the client program with tsc --strict and runs it against the server', async () => {
      const program = writeProgram({ 'api.d.ts': types, 'client.mts': CLIENT })
      try {
        await program.typecheck()
        const { stdout } = await program.run('client.mts', { SG_URL: running.server.url, SG_EMAIL: OWNER.email, SG_PASSWORD: OWNER.password })
        expect(JSON.parse(stdout)).toEqual({
          minGroupSize: 5,
          headline: 'excellent_service',
          staff: { n: 5, agree: 4, share: 0.8, distribution: [0, 0, 1, 2, 2] },
          customer: { n: 5, agree: 2, share: 0.4, distribution: [0, 2, 1, 1, 1] },
          gap: { points: 40, ci95: [expect.any(Number), expect.any(Number)], significant: false },
          classification: 'aligned',
          filtered: { gold: { filters: { tier: 'gold' }, n: 5 }, silver: { status: 400, error: 'unknown_filter' } },
          csv: { header: ['response', 'side', 'unit'], rows: 10 },
          missing: { status: 404, error: 'not_found' },
        })
      } finally {
        program.remove()
      }
    }, 120_000)
  })
}
