// The API's lists page by cursor. Each list walked page by page gives the rows of one big page, in the
// same order, none twice and none missing, also while rows are added and removed between pages; the
// next page is announced in the Link and Next-Cursor headers (absent on the last page) and the body
// stays a bare array; cursors that are edited or another list's are refused; another organization's
// rows never appear. And the caller's own API tokens through the API: listed, revoked, audited.
import type { LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { expect, it } from 'vitest'
import { createApiToken } from '../../server/repositories/credentials.js'
import { queueWebhookEvent } from '../../server/repositories/webhook-events.js'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, type Tenant } from '../helpers/app.js'

type Row = Record<string, unknown>
type Org = 'a' | 'b'

interface List {
  name: string
  /** The list's address under /api/v1 for an organization ('a' unless said), with any query of its own. */
  url: (org?: Org) => string
  /** The page size the walks use. */
  limit: number
  /** The largest page it gives (one big page), when not 1000. */
  max?: number
  rowsOf?: (body: unknown) => Row[]
  idOf: (row: Row) => string
  /** Makes one more row of the list for an organization. */
  add: (org: Org, n: number) => Promise<void>
  /** Removes a row that the list showed; false when this row cannot go (a built-in instrument, or what the other lists stand on). */
  remove: (row: Row) => Promise<boolean>
  /** The database table whose created_at orders the list: its rows are then set to tie, or to differ by a microsecond. */
  retime?: string
}

describeEachDatabase('paging of the API lists', (ctx) => {
  const db = () => ctx.database.db
  const tenants = {} as Record<Org, Tenant>
  const tokens = {} as Record<Org, string>
  const fixtures = {} as Record<Org, { unit: string; wave: string; otherWave: string; hook: string }>
  const ownerIds = {} as Record<Org, string>
  let names = 0

  const api = (method: 'GET' | 'POST' | 'DELETE', url: string, org: Org = 'a', payload?: unknown) =>
    ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(tokens[org]), ...(payload === undefined ? {} : { payload: payload as object }) })
  const made = async (response: Promise<LightMyRequestResponse>) => {
    const answer = await response
    expect(answer.statusCode, answer.body).toBe(201)
    return answer.json() as Row
  }
  const gone = async (response: Promise<LightMyRequestResponse>) => {
    const answer = await response
    expect(answer.statusCode, answer.body).toBe(204)
    return true
  }

  const LISTS: List[] = [
    {
      name: 'waves', url: () => '/waves', limit: 2, idOf: (row) => row.id as string, retime: 'waves',
      add: async (org, n) => { await made(api('POST', '/waves', org, { name: `Paged wave ${org} ${n}`, templateKey: 'service-gap-index' })) },
      remove: async (row) => ![fixtures.a.wave, fixtures.a.otherWave].includes(row.id as string) && gone(api('DELETE', `/waves/${row.id}`)),
    },
    {
      // Names out of the order they are made in: the list is by name.
      name: 'units', url: () => '/units', limit: 3, idOf: (row) => row.id as string,
      add: async (org, n) => { await made(api('POST', '/units', org, { name: `${'qxbmahzc'[n % 8]} unit ${org} ${names++}` })) },
      remove: async (row) => row.id !== fixtures.a.unit && (await db().deleteFrom('units').where('id', '=', row.id as string).executeTakeFirst()).numDeletedRows === 1n,
    },
    {
      // With a filter of its own, which the next page's link keeps.
      name: 'plans', url: (org = 'a') => `/plans?wave=${fixtures[org].wave}`, limit: 3, idOf: (row) => row.id as string, retime: 'action_plans',
      add: async (org, n) => {
        await made(api('POST', '/plans', org, { waveId: fixtures[org].wave, unitId: fixtures[org].unit, itemKey: 'excellent_service', owner: `Owner ${n}`, change: `Change ${org} ${n}` }))
      },
      remove: (row) => gone(api('DELETE', `/plans/${row.id}`)),
    },
    {
      name: 'webhooks', url: () => '/webhooks', limit: 3, idOf: (row) => row.id as string, retime: 'webhooks',
      add: async (org, n) => { await made(api('POST', '/webhooks', org, { url: `http://127.0.0.1:9/paged-${org}-${n}`, events: ['wave_opened'] })) },
      remove: async (row) => row.id !== fixtures.a.hook && gone(api('DELETE', `/webhooks/${row.id}`)),
    },
    {
      name: 'deliveries', url: (org = 'a') => `/webhooks/${fixtures[org].hook}/deliveries`, limit: 3, max: 100, rowsOf: (body) => (body as { deliveries: Row[] }).deliveries, idOf: (row) => String(row.id),
      add: async (org, n) => { await db().transaction().execute((trx) => queueWebhookEvent(trx, tenants[org].organizationId, 'wave_closed', { n })) },
      remove: async (row) => (await db().deleteFrom('webhook_deliveries').where('id', '=', Number(row.id)).executeTakeFirst()).numDeletedRows === 1n,
    },
    {
      // The two built-in versions come first and stay.
      name: 'instruments', url: () => '/instruments', limit: 4, idOf: (row) => row.id as string,
      add: async (org, n) => { await made(api('POST', '/instruments', org, { from: 'blank', key: `paged-${org}-${names++}`, name: `Paged ${n}` })) },
      remove: async (row) => !row.builtIn && gone(api('DELETE', `/instruments/${row.id}`)),
    },
    {
      name: 'templates', url: () => '/templates', limit: 4, idOf: (row) => `${row.builtIn}/${row.key}/${row.version}`,
      add: async (org, n) => { await made(api('POST', '/instruments', org, { from: 'blank', key: `paged-${org}-${names++}`, name: `Paged ${n}` })) },
      remove: async (row) => {
        if (row.builtIn) return false
        const versions: Row[] = (await api('GET', '/instruments?limit=1000')).json()
        return gone(api('DELETE', `/instruments/${versions.find((v) => !v.builtIn && v.key === row.key && v.version === row.version)!.id}`))
      },
    },
    {
      name: 'tokens', url: () => '/tokens', limit: 3, idOf: (row) => row.id as string, retime: 'api_tokens',
      add: async (org, n) => { await createApiToken(db(), { userId: ownerIds[org], organizationId: tenants[org].organizationId }, `Paged token ${n}`) },
      remove: async (row) => !tokens.a.startsWith(row.prefix as string) && (await db().deleteFrom('api_tokens').where('id', '=', row.id as string).executeTakeFirst()).numDeletedRows === 1n,
    },
  ]

  const withQuery = (url: string, query: string) => `${url}${url.includes('?') ? '&' : '?'}${query}`
  const rowsOf = (list: List, response: LightMyRequestResponse) => (list.rowsOf ?? ((body) => body as Row[]))(response.json())
  /** One big page: the whole list in its order. */
  const everything = async (list: List, org: Org = 'a') => {
    const response = await api('GET', withQuery(list.url(org), `limit=${list.max ?? 1000}`), org)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.headers.link).toBeUndefined()
    return rowsOf(list, response).map(list.idOf)
  }

  /** One page: its rows, and the next page's address from the Link header (checked against Next-Cursor and the request). */
  async function page(list: List, url: string, org: Org = 'a') {
    const response = await api('GET', url, org)
    expect(response.statusCode, `${url}: ${response.body}`).toBe(200)
    const rows = rowsOf(list, response)
    expect(rows.length).toBeLessThanOrEqual(list.limit)
    const link = response.headers.link as string | undefined
    const cursor = response.headers['next-cursor'] as string | undefined
    if (link === undefined) {
      expect(cursor, `${url}: Next-Cursor without Link`).toBeUndefined()
      return { rows, next: null, cursor: null }
    }
    expect(rows, `${url}: a page before the last is full`).toHaveLength(list.limit)
    const target = /^<([^>]+)>; rel="next"$/.exec(link)?.[1]
    expect(target, link).toBeDefined()
    const next = new URL(target!)
    expect(`${next.origin}`).toBe(new URL(ctx.config.publicUrl).origin)
    expect(next.pathname).toBe(`/api/v1${list.url().split('?')[0]}`)
    expect(next.searchParams.get('cursor')).toBe(cursor)
    expect(next.searchParams.get('limit')).toBe(String(list.limit))
    // The request's own query is kept (the plans' wave filter).
    for (const [name, value] of new URLSearchParams(list.url().split('?')[1] ?? '')) expect(next.searchParams.get(name), name).toBe(value)
    return { rows, next: `${next.pathname.replace(/^\/api\/v1/, '')}${next.search}`, cursor: cursor! }
  }

  /** Every page from the first, following the links; each page's ids. */
  async function walk(list: List, org: Org = 'a') {
    const pages: string[][] = []
    let url: string | null = withQuery(list.url(), `limit=${list.limit}`)
    while (url !== null && pages.length < 50) {
      const shown = await page(list, url, org)
      pages.push(shown.rows.map(list.idOf))
      url = shown.next
    }
    return pages
  }

  it('sets up two organizations, each with a unit, waves and a webhook that gets deliveries', async () => {
    for (const org of ['a', 'b'] as const) {
      tenants[org] = await createTenant(ctx, `Paging ${org}`)
      ownerIds[org] = tenants[org].owner.userId
      tokens[org] = await apiToken(ctx, tenants[org].owner.email)
      const unit = (await made(api('POST', '/units', org, { name: `Plans unit ${org}` }))).id as string
      const wave = (await made(api('POST', '/waves', org, { name: `Plans wave ${org}`, templateKey: 'service-gap-index' }))).id as string
      const otherWave = (await made(api('POST', '/waves', org, { name: `Other wave ${org}`, templateKey: 'service-gap-index' }))).id as string
      const hook = (await made(api('POST', '/webhooks', org, { url: `http://127.0.0.1:9/deliveries-${org}`, events: ['wave_closed'] }))).id as string
      fixtures[org] = { unit, wave, otherWave, hook }
    }
    // A plan of the other wave, which the plans list (filtered by wave) must leave out.
    await made(api('POST', '/plans', 'a', { waveId: fixtures.a.otherWave, unitId: fixtures.a.unit, itemKey: 'excellent_service', owner: 'Elsewhere', change: 'Not this wave' }))
  })

  it('makes more rows than a page holds in every list, and a few of the other organization\'s', async () => {
    for (const list of LISTS) {
      for (let n = 0; n < 2 * list.limit + 1; n++) await list.add('a', n)
      for (let n = 0; n < 2; n++) await list.add('b', n)
      if (!list.retime) continue
      // Ties and microseconds: pairs of rows made at the same instant, each pair one microsecond after the other
      // (the same millisecond to a JavaScript Date), so the id must break ties and no key may be rounded.
      // Counted from the end of the list, so that it keeps its order but for the ties.
      const ids = await everything(list)
      for (const [i, id] of ids.entries()) {
        const step = list.name === 'webhooks' ? i : ids.length - 1 - i
        const at = `2026-11-02T10:00:00.000${String(Math.floor(step / 2)).padStart(3, '0')}Z`
        await sql`update ${sql.table(list.retime)} set created_at = cast(${at} as timestamptz) where id = ${id}`.execute(db())
      }
    }
  })

  for (const name of ['waves', 'units', 'plans', 'webhooks', 'deliveries', 'instruments', 'templates', 'tokens']) {
    it(`${name}: walked page by page, the same rows in the same order as one big page, none twice, the last page without a next`, async () => {
      const list = LISTS.find((l) => l.name === name)!
      const whole = await everything(list)
      expect(whole.length).toBeGreaterThan(2 * list.limit)
      const pages = await walk(list)
      expect(pages.length).toBeGreaterThanOrEqual(3)
      expect(pages.flat()).toEqual(whole)
      expect(new Set(pages.flat()).size).toBe(whole.length)
      // The other organization's rows are not in it, and its own list holds only its own (and the shared built-ins).
      const theirs = await everything(list, 'b')
      const builtIn = name === 'templates' || name === 'instruments' ? 2 : 0
      expect(theirs.filter((id) => whole.includes(id))).toHaveLength(builtIn)
      expect(theirs.length).toBeLessThan(whole.length)
      expect(pages.flat().flatMap((id) => theirs.includes(id) ? [id] : [])).toHaveLength(builtIn)
    })
  }

  it('skips and repeats no row that stays when rows are added and removed between pages', async () => {
    for (const list of LISTS) {
      const before = await everything(list)
      const first = await page(list, withQuery(list.url(), `limit=${list.limit}`))
      const shown = first.rows.map(list.idOf)
      const anchor = shown.at(-1)!
      // One row made, one already shown removed (never the last one shown) and one still to come removed.
      await list.add('a', 100)
      const removed: string[] = []
      const shownRemovable = first.rows.slice(0, -1).reverse()
      for (const row of shownRemovable) if (await list.remove(row)) { removed.push(list.idOf(row)); break }
      const laterRows = (await api('GET', withQuery(list.url(), `limit=${list.max ?? 1000}`))).json() as unknown
      const later = (list.rowsOf ?? ((body) => body as Row[]))(laterRows).filter((row) => !shown.includes(list.idOf(row)))
      const farther = later.filter((row) => before.includes(list.idOf(row)))
      const middle = Math.floor(farther.length / 2)
      for (const row of [...farther.slice(middle), ...farther.slice(0, middle)]) if (await list.remove(row)) { removed.push(list.idOf(row)); break }
      expect(removed, `${list.name}: a row shown and a row to come removed`).toHaveLength(2)
      const rest: string[] = []
      let url = first.next
      while (url !== null) {
        const next = await page(list, url)
        rest.push(...next.rows.map(list.idOf))
        url = next.next
      }
      const after = await everything(list)
      // Exactly the rows that now come after the last one shown, in their order.
      expect(rest, list.name).toEqual(after.slice(after.indexOf(anchor) + 1))
      const walked = [...shown, ...rest]
      expect(new Set(walked).size, list.name).toBe(walked.length)
      for (const id of before.filter((id) => !removed.includes(id))) expect(walked.filter((w) => w === id), `${list.name}: ${id}`).toHaveLength(1)
    }
  })

  it('refuses a cursor of another list, an edited or cut one, and a limit out of range, with a 400 that says which', async () => {
    const cursors = new Map<string, string>()
    for (const list of LISTS) cursors.set(list.name, (await page(list, withQuery(list.url(), `limit=${list.limit}`))).cursor!)
    for (const [i, list] of LISTS.entries()) {
      const cursor = cursors.get(list.name)!
      const foreign = cursors.get(LISTS[(i + 1) % LISTS.length]!.name)!
      const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[]
      const seal = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
      const edited = [
        seal([...key.slice(0, -1), 'x']),
        seal([...key.slice(0, -1), { id: key.at(-1) }]),
        seal(key.slice(0, -1)),
        seal([...key, 'more']),
        seal(['another list', ...key.slice(1)]),
        seal(key.map((part, k) => (k === 1 && typeof part === 'string' && part.endsWith('Z') ? '2026-02-30T10:00:00.000000Z' : part))),
        seal(key.map((part, k) => (k === 1 && typeof part === 'string' && part.endsWith('Z') ? '0000-01-01T00:00:00.000000Z' : part))),
      ]
      for (const bad of [foreign, cursor.slice(0, -4), 'not a cursor', ...edited]) {
        if (bad === cursor) continue
        const response = await api('GET', withQuery(list.url(), `cursor=${encodeURIComponent(bad)}`))
        expect(response.statusCode, `${list.name} ${bad}: ${response.body}`).toBe(400)
        expect(response.json(), `${list.name} ${bad}`).toMatchObject({ error: 'invalid_cursor', message: expect.any(String), details: [{ field: 'cursor', message: expect.any(String) }] })
      }
      for (const limit of ['0', String((list.max ?? 1000) + 1), '1001', 'x', '-1', '1.5', '1e309']) {
        const response = await api('GET', withQuery(list.url(), `limit=${limit}`))
        expect(response.statusCode, `${list.name} limit=${limit}: ${response.body}`).toBe(400)
        expect(response.json().error, `${list.name} limit=${limit}`).toBe('validation_failed')
      }
      // The cursor it gave still works, and the same twice gives the same page.
      const again = await api('GET', withQuery(list.url(), `cursor=${cursor}&limit=${list.limit}`))
      const twice = await api('GET', withQuery(list.url(), `cursor=${cursor}&limit=${list.limit}`))
      expect(again.statusCode).toBe(200)
      expect(again.body).toBe(twice.body)
    }
  })

  it('keeps the bodies the lists always had: a bare array, and the deliveries\' own object with nextBefore', async () => {
    for (const list of LISTS) {
      const response = await api('GET', list.url())
      expect(response.statusCode).toBe(200)
      if (list.name === 'deliveries') {
        // Its own page size (20 by default, at most 100), and its older `before` beside the cursor.
        const body = response.json() as { deliveries: Row[]; nextBefore: number | null }
        expect(Object.keys(body).sort()).toEqual(['deliveries', 'nextBefore'])
        const first = (await api('GET', `${list.url()}?limit=2`)).json() as { deliveries: Row[]; nextBefore: number }
        const byBefore = (await api('GET', `${list.url()}?limit=2&before=${first.nextBefore}`))
        const byCursor = (await api('GET', `${list.url()}?limit=2&cursor=${(await api('GET', `${list.url()}?limit=2`)).headers['next-cursor'] as string}`))
        expect(byBefore.json()).toEqual(byCursor.json())
        expect(byBefore.headers.link).toEqual(expect.stringContaining('cursor='))
        expect(byBefore.headers.link).not.toContain('before=')
        const both = await api('GET', `${list.url()}?limit=2&before=${first.nextBefore}&cursor=${byCursor.headers['next-cursor'] as string}`)
        expect(both.statusCode).toBe(400)
        expect(both.json().error).toBe('validation_failed')
      } else {
        expect(Array.isArray(response.json()), list.name).toBe(true)
      }
    }
  })

  it('lists the caller\'s own tokens only, with their prefix and never the secret', async () => {
    const viewerEmail = await addPerson(ctx, tenants.a, 'viewer')
    const viewerToken = await apiToken(ctx, viewerEmail)
    const mine = (await api('GET', '/tokens?limit=1000')).json() as Row[]
    const stored = await db().selectFrom('api_tokens').select(['id', 'user_id', 'prefix']).execute()
    const ownIds = stored.filter((t) => t.user_id === ownerIds.a).map((t) => t.id)
    expect(mine.map((t) => t.id).sort()).toEqual(ownIds.sort())
    for (const token of mine) {
      expect(Object.keys(token).sort()).toEqual(['createdAt', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt'])
      expect(token.prefix).toMatch(/^sgt_.{6}$/)
    }
    const body = JSON.stringify(mine)
    expect(body).not.toContain(tokens.a)
    expect(body).not.toContain(viewerToken.slice(0, 10))
    // The token of this very request was used just now.
    expect(mine.find((t) => tokens.a.startsWith(t.prefix as string))!.lastUsedAt).not.toBeNull()
    const theirs = (await ctx.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: bearer(viewerToken) })).json() as Row[]
    expect(theirs.map((t) => t.prefix)).toEqual([viewerToken.slice(0, 10)])
  })

  it('revokes one of the caller\'s own tokens, audited; another person\'s or organization\'s is 404; a revoked token is refused', async () => {
    const organizationId = tenants.a.organizationId
    const spare = await apiToken(ctx, tenants.a.owner.email)
    const idOf = async (token: string, org: Org = 'a') => ((await api('GET', '/tokens?limit=1000', org)).json() as Row[]).find((t) => token.startsWith(t.prefix as string))!.id as string
    const spareId = await idOf(spare)
    const viewerEmail = await addPerson(ctx, tenants.a, 'viewer')
    const viewerToken = await apiToken(ctx, viewerEmail)
    const viewerTokenId = (await db().selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id').select('api_tokens.id').where('users.email', '=', viewerEmail).executeTakeFirstOrThrow()).id
    const theirId = await idOf(tokens.b, 'b')
    const auditRows = () => db().selectFrom('audit_log').select(['action', 'target', 'actor_email']).where('organization_id', '=', organizationId).where('action', '=', 'token_revoked').execute()

    expect((await api('DELETE', `/tokens/${spareId}`)).statusCode).toBe(204)
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: bearer(spare) })).statusCode).toBe(401)
    expect(((await api('GET', '/tokens?limit=1000')).json() as Row[]).find((t) => t.id === spareId)!.revokedAt).toEqual(expect.any(String))
    // Once: revoked already is not found.
    const again = await api('DELETE', `/tokens/${spareId}`)
    expect(again.statusCode).toBe(404)
    expect(again.json().error).toBe('not_found')
    for (const id of [viewerTokenId, theirId, '00000000-0000-4000-8000-000000000000']) {
      const refused = await api('DELETE', `/tokens/${id}`)
      expect(refused.statusCode, id).toBe(404)
      expect(refused.json().error).toBe('not_found')
    }
    const malformed = await api('DELETE', '/tokens/not-an-id')
    expect(malformed.statusCode).toBe(400)
    expect(malformed.json().error).toBe('validation_failed')
    // Those refused still work.
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: bearer(viewerToken) })).statusCode).toBe(200)
    expect((await api('GET', '/tokens', 'b')).statusCode).toBe(200)
    const audited = await auditRows()
    expect(audited).toHaveLength(1)
    expect(audited[0]).toMatchObject({ actor_email: tenants.a.owner.email, target: `token "API" (${spare.slice(0, 10)}…)` })

    // A token may revoke itself; the next request with it is refused.
    const own = await idOf(tokens.a)
    expect((await api('DELETE', `/tokens/${own}`)).statusCode).toBe(204)
    expect((await api('GET', '/tokens')).statusCode).toBe(401)
    expect((await auditRows()).map((row) => row.target).sort()).toEqual([`token "API" (${spare.slice(0, 10)}…)`, `token "API" (${tokens.a.slice(0, 10)}…)`].sort())
    tokens.a = await apiToken(ctx, tenants.a.owner.email)
    expect((await api('GET', '/tokens')).statusCode).toBe(200)
  })
}, { WEBHOOKS_ALLOW_LOOPBACK: 'true' })
