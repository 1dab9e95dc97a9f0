// The audit log's page and CSV for owners, and the entries written by token and download routes.
import { parse } from 'csv-parse/sync'
import { expect, it } from 'vitest'
import { recordAudit, listAudit } from '../../server/repositories/audit.js'
import { createUnit } from '../../server/repositories/units.js'
import {
  addPerson, apiToken, bearer, createTenant, describeEachDatabase, PASSWORD, signedIn, uniqueEmail, type TestContext, type Tenant,
} from '../helpers/app.js'

const entriesOf = (ctx: TestContext, tenant: Tenant, action?: 'token_created' | 'token_revoked' | 'export_downloaded') =>
  listAudit(ctx.database.db, tenant.organizationId, { action, limit: 1000 })

const today = () => new Date().toISOString().slice(0, 10)
const shiftDay = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)
/** The entry rows of the page (one <tr> per entry in the table body). */
const rowsOf = (html: string) => (html.split('<tbody>')[1]?.split('</tbody>')[0] ?? '').split('<tr>').length - 1

async function newWave(ctx: TestContext, token: string) {
  const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name: 'Audit wave', templateKey: 'service-gap-index' } })
  expect(response.statusCode).toBe(201)
  return response.json().id as string
}

describeEachDatabase('audit log', (ctx) => {
  it('records token creation and revocation, on the page and through the API, naming the token but never its secret', async () => {
    const tenant = await createTenant(ctx, 'Token Audit')
    const owner = await signedIn(ctx, tenant.owner.email)
    await owner.get('/account/tokens')
    const created = await owner.post('/account/tokens', { name: 'CRM export' })
    expect(created.statusCode).toBe(201)
    const secret = /id="new-token"[^>]*value="([^"]+)"/.exec(created.body)![1]!
    let entries = await entriesOf(ctx, tenant, 'token_created')
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ actorEmail: tenant.owner.email, target: `token "CRM export" (${secret.slice(0, 10)}…)` })
    expect(JSON.stringify(entries)).not.toContain(secret)

    const id = /action="\/account\/tokens\/([^/]+)\/revoke"/.exec(created.body)![1]!
    expect((await owner.post(`/account/tokens/${id}/revoke`)).statusCode).toBe(303)
    const revoked = await entriesOf(ctx, tenant, 'token_revoked')
    expect(revoked).toHaveLength(1)
    expect(revoked[0]!.target).toBe(`token "CRM export" (${secret.slice(0, 10)}…)`)
    // Revoking again (or another person's token) is a 404 and writes nothing.
    expect((await owner.post(`/account/tokens/${id}/revoke`)).statusCode).toBe(404)
    expect(await entriesOf(ctx, tenant, 'token_revoked')).toHaveLength(1)

    const viaApi = await ctx.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: tenant.owner.email, password: PASSWORD, name: 'Script' } })
    expect(viaApi.statusCode).toBe(201)
    entries = await entriesOf(ctx, tenant, 'token_created')
    expect(entries).toHaveLength(2)
    expect(entries[0]).toMatchObject({ actorEmail: tenant.owner.email, target: expect.stringMatching(/^token "Script" \(sgt_/), detail: { via: 'api' } })
    expect(JSON.stringify(entries)).not.toContain(viaApi.json().token)
    // A refused sign-in for a token creates nothing.
    await ctx.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: tenant.owner.email, password: 'wrong password here' } })
    expect(await entriesOf(ctx, tenant, 'token_created')).toHaveLength(2)
  })

  it('records each download of responses and reports, with the wave, the kind and the filters', async () => {
    const tenant = await createTenant(ctx, 'Export Audit')
    const token = await apiToken(ctx, tenant.owner.email)
    const waveId = await newWave(ctx, token)
    await createUnit(ctx.database.db, tenant.organizationId, 'North')
    const owner = await signedIn(ctx, tenant.owner.email)

    expect((await owner.get(`/waves/${waveId}/responses.csv`)).statusCode).toBe(200)
    expect((await owner.get(`/waves/${waveId}/report.csv?unit=North`)).statusCode).toBe(200)
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/export.csv`, headers: bearer(token) })).statusCode).toBe(200)
    // A filter that does not apply is not what the file was made with: the entry says none.
    expect((await owner.get(`/waves/${waveId}/report.csv?unit=Nowhere`)).statusCode).toBe(200)
    const entries = (await entriesOf(ctx, tenant, 'export_downloaded')).reverse()
    expect(entries).toHaveLength(4)
    expect(entries[0]).toMatchObject({ target: 'wave Audit wave', detail: { wave: waveId, kind: 'responses', filters: {} } })
    expect(entries[1]).toMatchObject({ target: 'wave Audit wave', detail: { wave: waveId, kind: 'report', filters: { unit: 'North' } } })
    expect(entries[2]).toMatchObject({ detail: { wave: waveId, kind: 'responses', via: 'api' } })
    expect(entries[3]).toMatchObject({ detail: { wave: waveId, kind: 'report', filters: { unit: null } } })
    // Another organization's wave: 404, and nothing recorded for anyone.
    const other = await createTenant(ctx, 'Other Export')
    const stranger = await signedIn(ctx, other.owner.email)
    expect((await stranger.get(`/waves/${waveId}/responses.csv`)).statusCode).toBe(404)
    expect(await entriesOf(ctx, other, 'export_downloaded')).toHaveLength(0)
    expect(await entriesOf(ctx, tenant, 'export_downloaded')).toHaveLength(4)
  })

  it('shows owners their organization\'s entries, newest first, filtered and paged', async () => {
    const tenant = await createTenant(ctx, 'Page Audit')
    const db = ctx.database.db
    const worker = uniqueEmail('worker')
    for (let i = 0; i < 60; i++) {
      await recordAudit(db, { organizationId: tenant.organizationId, actorUserId: null, actorEmail: worker, action: 'settings_changed', target: `change ${i}`, ip: '203.0.113.9' })
    }
    await recordAudit(db, { organizationId: tenant.organizationId, actorUserId: null, actorEmail: 'intruder@evil.test', action: 'sign_in_failed', target: '<script>alert(1)</script>' })
    const owner = await signedIn(ctx, tenant.owner.email)

    const first = await owner.get('/settings/audit')
    expect(first.statusCode).toBe(200)
    expect(first.body).toContain('href="/settings/audit" aria-current="page">Audit log</a>')
    expect(rowsOf(first.body)).toBe(50)
    // Newest first: the sign-in of this page's owner, then the failed sign-in, then change 59…
    expect(first.body.indexOf('Sign-in failed')).toBeLessThan(first.body.indexOf('change 59'))
    expect(first.body.indexOf('change 59')).toBeLessThan(first.body.indexOf('change 58'))
    expect(first.body).not.toContain('<script>alert(1)</script>')
    expect(first.body).toContain('&lt;script&gt;')
    const older = /class="button" href="(\/settings\/audit\?before=\d+)">Older entries/.exec(first.body)![1]!
    const second = await owner.get(older)
    expect(second.statusCode).toBe(200)
    expect(rowsOf(second.body)).toBe(62 - 50)
    expect(second.body).toContain('change 0<')
    expect(second.body).not.toContain('change 59<')
    expect(second.body).not.toContain('Older entries')
    expect(second.body).toContain('Newest entries')

    const failed = await owner.get('/settings/audit?action=sign_in_failed')
    expect(rowsOf(failed.body)).toBe(1)
    expect(failed.body).toContain('intruder@evil.test')
    expect(failed.body).toContain('<option value="sign_in_failed" selected>')
    const byPerson = await owner.get(`/settings/audit?person=${encodeURIComponent(worker.slice(0, 12).toUpperCase())}`)
    expect(rowsOf(byPerson.body)).toBe(50)
    expect(byPerson.body).not.toContain('intruder@evil.test')
    expect(byPerson.body).toMatch(/class="button" href="\/settings\/audit\?person=[^"]+&amp;before=\d+">Older entries/)
    expect(rowsOf((await owner.get(`/settings/audit?from=${today()}&to=${today()}`)).body)).toBe(50)
    expect((await owner.get(`/settings/audit?from=${shiftDay(1)}`)).body).toContain('No entries match these filters.')
    expect((await owner.get(`/settings/audit?to=${shiftDay(-1)}`)).body).toContain('No entries match these filters.')
    // Wildcards in the person filter are letters, not patterns.
    expect((await owner.get('/settings/audit?person=%25')).body).toContain('No entries match these filters.')
  })

  it('exports the filtered entries as formula-safe CSV, and records the export', async () => {
    const tenant = await createTenant(ctx, 'Csv Audit')
    const db = ctx.database.db
    await recordAudit(db, { organizationId: tenant.organizationId, actorUserId: null, actorEmail: '=cmd@evil.test', action: 'sign_in_failed', target: '=HYPERLINK("http://evil.test")', ip: '198.51.100.7' })
    await recordAudit(db, { organizationId: tenant.organizationId, actorUserId: null, actorEmail: 'x@example.test', action: 'role_changed', target: 'person a@example.test', detail: { from: 'viewer', to: 'admin' } })
    const owner = await signedIn(ctx, tenant.owner.email)
    const page = await owner.get('/settings/audit?action=sign_in_failed')
    expect(page.body).toContain('href="/settings/audit.csv?action=sign_in_failed"')

    const response = await owner.get('/settings/audit.csv?action=sign_in_failed')
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="service-gap-audit-\d{4}-\d{2}-\d{2}\.csv"$/)
    const rows = parse(response.body) as string[][]
    expect(rows[0]).toEqual(['time', 'person', 'action', 'description', 'target', 'detail', 'address'])
    expect(rows).toHaveLength(2)
    expect(rows[1]).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT/), "'=cmd@evil.test", 'sign_in_failed', 'Sign-in failed', `'=HYPERLINK("http://evil.test")`, '{}', '198.51.100.7'])

    const all = parse((await owner.get('/settings/audit.csv')).body) as string[][]
    expect(all.map((row) => row[2])).toEqual(['action', 'export_downloaded', 'export_downloaded', 'sign_in', 'role_changed', 'sign_in_failed'])
    expect(JSON.parse(all[4]![5]!)).toEqual({ from: 'viewer', to: 'admin' })
    const exports = await entriesOf(ctx, tenant, 'export_downloaded')
    expect(exports).toHaveLength(2)
    expect(exports[0]).toMatchObject({ target: 'audit log', detail: { kind: 'audit', filters: {} } })
    expect(exports[1]).toMatchObject({ detail: { kind: 'audit', filters: { action: 'sign_in_failed' } } })
  })

  it('is for owners only: admins, analysts and viewers get 403, and another organization sees none of it', async () => {
    const tenant = await createTenant(ctx, 'Roles Audit')
    const secretEmail = uniqueEmail('only-in-a')
    await recordAudit(ctx.database.db, { organizationId: tenant.organizationId, actorUserId: null, actorEmail: secretEmail, action: 'sign_in_failed' })
    for (const role of ['admin', 'analyst', 'viewer'] as const) {
      const person = await signedIn(ctx, await addPerson(ctx, tenant, role))
      expect((await person.get('/settings/audit')).statusCode).toBe(403)
      expect((await person.get('/settings/audit.csv')).statusCode).toBe(403)
      expect((await person.get('/waves')).body).not.toContain('Audit log')
    }
    const anonymous = await ctx.app.inject({ method: 'GET', url: '/settings/audit.csv' })
    expect(anonymous.statusCode).toBeGreaterThanOrEqual(300)
    expect(anonymous.statusCode).toBeLessThan(500)
    expect(anonymous.body).not.toContain(secretEmail)

    const other = await createTenant(ctx, 'Other Roles')
    const stranger = await signedIn(ctx, other.owner.email)
    expect((await stranger.get('/settings/audit')).body).not.toContain(secretEmail)
    expect((await stranger.get(`/settings/audit?person=${encodeURIComponent(secretEmail)}`)).body).toContain('No entries match')
    expect((await stranger.get('/settings/audit.csv')).body).not.toContain(secretEmail)
  })

  it('answers bad filters with a page that names each problem and keeps what was typed, never a 500', async () => {
    const tenant = await createTenant(ctx, 'Bad Audit')
    const owner = await signedIn(ctx, tenant.owner.email)
    const cases: [string, string, string][] = [
      ['action=drop_tables', 'action', 'Choose an action from the list.'],
      ['action=sign_in&action=sign_in_failed', 'action', 'Give this once.'],
      ['from=2026-02-30', 'from', 'Enter a date such as 2026-03-31.'],
      ['from=yesterday', 'from', 'Enter a date such as 2026-03-31.'],
      ['to=2026-13-01', 'to', 'Enter a date such as 2026-03-31.'],
      ['from=2026-05-02&to=2026-05-01', 'to', 'The last day cannot be before the first.'],
      ['before=abc', 'before', 'start again from the newest entries'],
      ['before=-5', 'before', 'start again from the newest entries'],
      ['before=99999999999999999999', 'before', 'start again from the newest entries'],
      [`person=${'a'.repeat(400)}`, 'person', 'Use at most 320 characters.'],
      ['person=a%0D%0Ab', 'person', 'Type part of an email address.'],
      ['person=x&person=y', 'person', 'Give this once.'],
    ]
    for (const [query, field, message] of cases) {
      const page = await owner.get(`/settings/audit?${query}`)
      expect(page.statusCode, query).toBe(422)
      expect(page.body, query).toContain(message)
      expect(page.body, query).toContain(`href="#${field}"`)
      const csv = await owner.get(`/settings/audit.csv?${query}`)
      expect(csv.statusCode, query).toBe(400)
    }
    const kept = await owner.get('/settings/audit?action=bogus&person=kept%40example.test&from=2026-01-01')
    expect(kept.body).toContain('value="kept@example.test"')
    expect(kept.body).toContain('value="2026-01-01"')
    // No route changes or removes entries.
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      const response = await owner.request({ method, url: '/settings/audit' })
      expect(response.statusCode, method).toBeGreaterThanOrEqual(400)
      expect(response.statusCode, method).toBeLessThan(500)
    }
    expect(ctx.app.accessTable().filter((route) => route.url.startsWith('/settings/audit')).map((route) => route.method).sort()).toEqual(['GET', 'GET', 'HEAD', 'HEAD'])
  })
})
