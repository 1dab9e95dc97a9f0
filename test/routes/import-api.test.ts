// POST /api/v1/waves/:id/responses: one response or a batch of up to 10,000, all or nothing, with a
// per-row list of problems; who may call it, what it stores, and every malformed body answered 4xx.
import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ImportedResponse } from '../../server/domain/responses.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { importResponses } from '../../server/repositories/responses.js'
import { deleteUnit } from '../../server/repositories/units.js'
import { addPerson, apiToken, bearer, createTenant, describeEachDatabase, type TestContext } from '../helpers/app.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A complete, valid row: every item answered. */
const row = (overrides: Record<string, unknown> = {}, value = 4) =>
  ({ side: 'customer', answers: Object.fromEntries(KEYS.map((key) => [key, value])), ...overrides })

interface Problem { row: number; field: string; message: string }

describeEachDatabase('response import API', (ctx: TestContext) => {
  let organizationId: string
  let owner: string
  let analyst: string
  let stranger: string
  let waveId: string
  let units: { north: string; south: string }
  let strangerUnit: string

  const db = () => ctx.database.db
  const url = () => `/api/v1/waves/${waveId}/responses`
  const send = (payload: unknown, token = owner, target = url()) =>
    ctx.app.inject({ method: 'POST', url: target, headers: { ...bearer(token), 'content-type': 'application/json' }, payload: JSON.stringify(payload) })
  const sendRaw = (payload: string | Buffer, contentType: string | undefined, target = url()) =>
    ctx.app.inject({ method: 'POST', url: target, headers: { ...bearer(owner), ...(contentType === undefined ? {} : { 'content-type': contentType }) }, payload })
  /** Rows kept for the wave: responses, and staff answers waiting in the pool for a release step. */
  const stored = async () => {
    const { count } = await db().selectFrom('responses').select((eb) => eb.fn.countAll<number>().as('count')).where('wave_id', '=', waveId).executeTakeFirstOrThrow()
    const pooled = await db().selectFrom('staff_pool').select((eb) => eb.fn.countAll<number>().as('count')).where('wave_id', '=', waveId).executeTakeFirstOrThrow()
    return Number(count) + Number(pooled.count)
  }
  const problemsOf = (response: { json(): unknown }) => (response.json() as { details: Problem[] }).details

  /** Sends one bad row and returns the fields the API names for it. */
  async function fieldsFor(bad: unknown) {
    const before = await stored()
    const response = await send([row(), bad])
    expect(response.statusCode, JSON.stringify(bad).slice(0, 200)).toBe(400)
    expect(await stored()).toBe(before)
    const details = problemsOf(response)
    for (const problem of details) {
      expect(problem).toEqual({ row: 2, field: expect.any(String), message: expect.any(String) })
      expect(problem.message.length).toBeGreaterThan(0)
    }
    return details.map((problem) => problem.field)
  }

  beforeAll(async () => {
    const tenant = await createTenant(ctx, 'Importers Inc')
    organizationId = tenant.organizationId
    owner = await apiToken(ctx, tenant.owner.email)
    analyst = await apiToken(ctx, await addPerson(ctx, tenant, 'analyst'))
    const unit = async (token: string, name: string) =>
      (await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(token), payload: { name } })).json().id as string
    units = { north: await unit(owner, 'North branch'), south: await unit(owner, 'South branch') }
    const wave = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(owner), payload: { name: 'Imported', templateKey: 'service-gap-index' } })
    waveId = wave.json().id
    const other = await createTenant(ctx, 'Other Org')
    stranger = await apiToken(ctx, other.owner.email)
    strangerUnit = await unit(stranger, 'North branch')
  })

  describe('access', () => {
    it('refuses an analyst (403), a missing or wrong token (401), and stores nothing', async () => {
      const forbidden = await send(row(), analyst)
      expect(forbidden.statusCode).toBe(403)
      expect(forbidden.json()).toMatchObject({ error: 'forbidden', message: expect.any(String) })
      const anonymous = await ctx.app.inject({ method: 'POST', url: url(), payload: row() })
      expect(anonymous.statusCode).toBe(401)
      const wrong = await send(row(), 'sgt_not-a-real-token')
      expect(wrong.statusCode).toBe(401)
      expect(await stored()).toBe(0)
    })

    it('answers another organization\'s token, an unknown wave and a malformed id with 4xx, never touching the wave', async () => {
      const foreign = await send(row(), stranger)
      expect(foreign.statusCode).toBe(404)
      expect(foreign.json()).toMatchObject({ error: 'not_found' })
      const unknown = await send(row(), owner, '/api/v1/waves/00000000-0000-4000-8000-000000000000/responses')
      expect(unknown.statusCode).toBe(404)
      expect(unknown.json()).toMatchObject({ error: 'not_found' })
      for (const id of ['not-a-uuid', '1', "1'%20or%20'1'='1", '%00']) {
        const bad = await send(row(), owner, `/api/v1/waves/${id}/responses`)
        expect(bad.statusCode, id).toBeGreaterThanOrEqual(400)
        expect(bad.statusCode, id).toBeLessThan(500)
      }
      expect(await stored()).toBe(0)
    })
  })

  describe('storing', () => {
    it('stores one object and answers 201 {ids: [id]}', async () => {
      const response = await send(row({ unit: 'North branch', attributes: { tier: 'gold', region: 'north' }, comment: '  Quick and friendly.  ' }))
      expect(response.statusCode).toBe(201)
      const { ids } = response.json() as { ids: string[] }
      expect(ids).toHaveLength(1)
      expect(ids[0]).toMatch(UUID)
      const saved = await db().selectFrom('responses').selectAll().where('id', '=', ids[0]!).executeTakeFirstOrThrow()
      expect(saved).toMatchObject({
        organization_id: organizationId, wave_id: waveId, side: 'customer', unit_id: units.north, channel: 'api', locale: 'en',
        attributes: { tier: 'gold', region: 'north' }, comment: 'Quick and friendly.', submission_key: null,
      })
      expect(Math.abs(saved.submitted_at.getTime() - Date.now())).toBeLessThan(60_000)
      const answers = await db().selectFrom('answers').select(['item_key', 'value']).where('response_id', '=', ids[0]!).execute()
      expect(answers).toHaveLength(12)
      expect(answers.every((a) => a.value === 4)).toBe(true)
    })

    it('stores a staff row to the day only', async () => {
      const response = await send(row({ side: 'staff', unit: units.south, attributes: { role: 'cashier' } }))
      expect(response.statusCode).toBe(201)
      // One staff row alone waits in the pool for others (a release step holds at least k), keeping the day only.
      const id = response.json().ids[0] as string
      expect(await db().selectFrom('responses').select('id').where('id', '=', id).execute()).toHaveLength(0)
      const { rows } = await sql<{ unit_id: string; channel: string; attributes: Record<string, string>; day: string }>`
        select unit_id, channel, attributes, day::text as day from staff_pool where id = ${id}::uuid`.execute(db())
      expect(rows).toEqual([{ unit_id: units.south, channel: 'api', attributes: { role: 'cashier' }, day: new Date().toISOString().slice(0, 10) }])
    })

    it('finds a unit by name in any case and by id, and takes no unit as none', async () => {
      const cases: Array<[unknown, string | null]> = [
        ['North branch', units.north], ['NORTH BRANCH', units.north], ['  south Branch ', units.south], [units.south, units.south],
        [null, null], ['', null], [undefined, null],
      ]
      const response = await send(cases.map(([unit]) => row(unit === undefined ? {} : { unit })))
      expect(response.statusCode).toBe(201)
      const ids = response.json().ids as string[]
      expect(ids).toHaveLength(cases.length)
      for (const [i, id] of ids.entries()) {
        const saved = await db().selectFrom('responses').select('unit_id').where('id', '=', id).executeTakeFirstOrThrow()
        expect(saved.unit_id, String(cases[i]![0])).toBe(cases[i]![1])
      }
    })

    it('stores null answers as null and leaves out items not answered', async () => {
      const response = await send({ side: 'customer', answers: { excellent_service: 5, easy: null, trust: null, fit: 1 } })
      expect(response.statusCode).toBe(201)
      const answers = await db().selectFrom('answers').select(['item_key', 'value']).where('response_id', '=', response.json().ids[0]).execute()
      expect(Object.fromEntries(answers.map((a) => [a.item_key, a.value]))).toEqual({ excellent_service: 5, easy: null, trust: null, fit: 1 })
    })

    it('stores hostile text in comments and attributes verbatim', async () => {
      const payloads = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'; drop table responses; --", '=HYPERLINK("http://x")', 'Zoë 👋 \u202e']
      const response = await send(payloads.map((text) => row({ comment: text, attributes: { note: text, region: text } })))
      expect(response.statusCode).toBe(201)
      const ids = response.json().ids as string[]
      for (const [i, id] of ids.entries()) {
        const saved = await db().selectFrom('responses').select(['comment', 'attributes']).where('id', '=', id).executeTakeFirstOrThrow()
        expect(saved.comment).toBe(payloads[i]!.trim())
        expect(saved.attributes).toEqual({ note: payloads[i], region: payloads[i] })
      }
    })

    it('takes numbers and booleans as attribute text', async () => {
      const response = await send(row({ attributes: { age: 42, vip: true } }))
      expect(response.statusCode).toBe(201)
      const saved = await db().selectFrom('responses').select('attributes').where('id', '=', response.json().ids[0]).executeTakeFirstOrThrow()
      expect(saved.attributes).toEqual({ age: '42', vip: 'true' })
    })

    it('stores a batch of 10,000 rows in one call, in order', async () => {
      const before = await stored()
      const rows = Array.from({ length: 10_000 }, (_, i) => ({
        side: i % 2 === 0 ? 'staff' : 'customer',
        answers: Object.fromEntries(KEYS.map((key, k) => [key, ((i + k) % 6) || null])),
        ...(i % 3 === 0 ? { unit: 'north branch' } : {}),
        ...(i === 9_999 ? { comment: 'last row' } : {}),
      }))
      const response = await send(rows)
      expect(response.statusCode).toBe(201)
      const ids = response.json().ids as string[]
      expect(ids).toHaveLength(10_000)
      expect(new Set(ids).size).toBe(10_000)
      // Kept: the 10,000, whether in the responses or (staff) still waiting; the 5,000 staff rows make a step at once.
      expect(await stored()).toBe(before + 10_000)
      expect(await db().selectFrom('responses').select('id').where('id', 'in', ids.filter((_, i) => i % 2 === 0)).execute()).toHaveLength(5_000)
      const last = await db().selectFrom('responses').select(['comment', 'side']).where('id', '=', ids[9_999]!).executeTakeFirstOrThrow()
      expect(last).toEqual({ comment: 'last row', side: 'customer' })
      const { count } = await db().selectFrom('answers').innerJoin('responses', 'responses.id', 'answers.response_id')
        .select((eb) => eb.fn.countAll<number>().as('count')).where('responses.wave_id', '=', waveId).where('responses.channel', '=', 'api')
        .where('responses.id', 'in', [ids[0]!, ids[1]!, ids[9_999]!]).executeTakeFirstOrThrow()
      expect(Number(count)).toBe(36)
      const first = await db().selectFrom('answers').select(['item_key', 'value']).where('response_id', '=', ids[0]!).execute()
      expect(Object.fromEntries(first.map((a) => [a.item_key, a.value]))).toEqual(Object.fromEntries(KEYS.map((key, k) => [key, (k % 6) || null])))
    }, 120_000)
  })

  describe('refusing', () => {
    it('stores nothing when the database refuses a row late in a batch (one transaction)', async () => {
      const before = await stored()
      const rows = Array.from({ length: 2_500 }, (): ImportedResponse => ({ side: 'customer', unitId: null, attributes: {}, answers: { easy: 3 }, comment: null }))
      rows[2_200] = { ...rows[2_200]!, answers: { easy: 99 } }
      await expect(importResponses(db(), { organizationId, waveId, locale: 'en', channel: 'api' }, rows)).rejects.toThrow()
      expect(await stored()).toBe(before)
    })

    it('refuses 10,001 rows with 400 and stores nothing', async () => {
      const before = await stored()
      const response = await send(Array.from({ length: 10_001 }, () => row()))
      expect(response.statusCode).toBe(400)
      expect(response.json()).toMatchObject({ error: 'validation_failed', message: expect.any(String) })
      expect(await stored()).toBe(before)
    }, 60_000)

    it('rejects the whole batch when three rows are bad, listing each problem by its 1-based row', async () => {
      const before = await stored()
      const rows = Array.from({ length: 10 }, () => row())
      rows[1] = row({ side: 'manager' })
      rows[4] = row({ answers: { easy: 6 } })
      rows[8] = row({ unit: 'Nowhere', comment: 'x'.repeat(2001) })
      const response = await send(rows)
      expect(response.statusCode).toBe(400)
      const body = response.json()
      expect(body).toMatchObject({ error: 'validation_failed', message: expect.stringContaining('Nothing was stored') })
      expect(body.details).toEqual([
        { row: 2, field: 'side', message: expect.any(String) },
        { row: 5, field: 'answers.easy', message: expect.any(String) },
        { row: 9, field: 'unit', message: expect.any(String) },
        { row: 9, field: 'comment', message: expect.any(String) },
      ])
      expect(await stored()).toBe(before)
    })

    it('names the field of each kind of bad row', async () => {
      const cases: Array<[string, unknown, string[]]> = [
        ['unknown item key', row({ answers: { nope: 3 } }), ['answers.nope']],
        ['unknown item key next to good ones', row({ answers: { easy: 3, Easy: 3 } }), ['answers.Easy']],
        ['value above the scale', row({ answers: { easy: 6 } }), ['answers.easy']],
        ['value below the scale', row({ answers: { easy: 0 } }), ['answers.easy']],
        ['negative value', row({ answers: { easy: -1 } }), ['answers.easy']],
        ['fraction', row({ answers: { easy: 4.5 } }), ['answers.easy']],
        ['value as text', row({ answers: { easy: '4' } }), ['answers.easy']],
        ['value as boolean', row({ answers: { easy: true } }), ['answers.easy']],
        ['value as object', row({ answers: { easy: { value: 4 } } }), ['answers.easy']],
        ['value as "na"', row({ answers: { easy: 'na' } }), ['answers.easy']],
        ['huge value', row({ answers: { easy: 1e308 } }), ['answers.easy']],
        ['no answers', { side: 'customer' }, ['answers']],
        ['empty answers', row({ answers: {} }), ['answers']],
        ['answers as a list', row({ answers: [4, 4] }), ['answers']],
        ['answers as null', row({ answers: null }), ['answers']],
        ['wrong side', row({ side: 'manager' }), ['side']],
        ['side in capitals', row({ side: 'Staff' }), ['side']],
        ['no side', { answers: { easy: 3 } }, ['side']],
        ['unknown unit name', row({ unit: 'Nowhere' }), ['unit']],
        ['unknown unit id', row({ unit: '00000000-0000-4000-8000-000000000000' }), ['unit']],
        ['another organization\'s unit id', row({ unit: strangerUnit }), ['unit']],
        ['unit as number', row({ unit: 42 }), ['unit']],
        ['unit as object', row({ unit: { id: 'x' } }), ['unit']],
        ['attribute name starting with a digit', row({ attributes: { '1tier': 'gold' } }), ['attributes.1tier']],
        ['attribute name with a space', row({ attributes: { 'the tier': 'gold' } }), ['attributes.the tier']],
        ['attribute name with markup', row({ attributes: { '<b>': 'gold' } }), ['attributes.<b>']],
        ['attribute name too long', row({ attributes: { ['a'.repeat(41)]: 'gold' } }), [`attributes.${'a'.repeat(40)}`]],
        ['empty attribute name', row({ attributes: { '': 'gold' } }), ['attributes.']],
        ['attribute as object', row({ attributes: { tier: { level: 1 } } }), ['attributes.tier']],
        ['attribute as list', row({ attributes: { tier: ['gold'] } }), ['attributes.tier']],
        ['attribute as null', row({ attributes: { tier: null } }), ['attributes.tier']],
        ['attribute too long', row({ attributes: { tier: 'g'.repeat(201) } }), ['attributes.tier']],
        ['attributes as text', row({ attributes: 'tier=gold' }), ['attributes']],
        ['attributes as list', row({ attributes: ['gold'] }), ['attributes']],
        ['too many attributes', row({ attributes: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`a${i}`, 'x'])) }), ['attributes']],
        ['comment too long', row({ comment: 'x'.repeat(2001) }), ['comment']],
        ['comment as number', row({ comment: 5 }), ['comment']],
        ['comment as list', row({ comment: ['a'] }), ['comment']],
        ['unknown top-level field', row({ extra: 1 }), ['extra']],
        ['channel given', row({ channel: 'link' }), ['channel']],
        ['organization given', row({ organizationId: 'x' }), ['organizationId']],
        ['submitted time given', row({ submittedAt: '2020-01-01' }), ['submittedAt']],
      ]
      for (const [name, bad, fields] of cases) {
        const got = await fieldsFor(bad)
        expect(got, name).toEqual(fields)
      }
      // Every problem of a row is listed, not just the first.
      expect(await fieldsFor({ side: 'x', unit: 'Nowhere', attributes: { '1': 'a' }, answers: { nope: 1 }, comment: 1, extra: true }))
        .toEqual(['extra', 'side', 'unit', 'attributes.1', 'answers.nope', 'comment'])
    })

    it('takes a comment of exactly 2,000 characters', async () => {
      const response = await send(row({ comment: 'é'.repeat(2000) }))
      expect(response.statusCode).toBe(201)
    })

    it('stores text without the NUL characters PostgreSQL cannot hold, never answering 500', async () => {
      const response = await send([row(), row({ comment: 'before\u0000after', attributes: { tier: 'gold\u0000' } })])
      expect(response.statusCode).toBe(201)
      const ids = response.json().ids as string[]
      const stored = await ctx.database.db.selectFrom('responses').select(['comment', 'attributes']).where('id', '=', ids[1]!).executeTakeFirstOrThrow()
      expect(stored).toEqual({ comment: 'beforeafter', attributes: { tier: 'gold' } })
    })

    it('replaces a lone surrogate with the replacement character instead of failing', async () => {
      const response = await sendRaw(`[{"side":"customer","answers":{"easy":3},"attributes":{"tier":"gold\\ud800"}}]`, 'application/json')
      expect(response.statusCode).toBe(201)
      const stored = await ctx.database.db.selectFrom('responses').select('attributes').where('id', '=', response.json().ids[0]).executeTakeFirstOrThrow()
      expect(stored.attributes).toEqual({ tier: 'gold\uFFFD' })
    })

    it('answers every invalid shape with 400 and stores nothing', async () => {
      const before = await stored()
      const shapes: unknown[] = [
        null, 0, 42, 'text', '', true, false, {}, [], [null], [1], ['row'], [true], [[]], [[row()]], [row(), [row()]], [{}], [{}, {}],
        { side: 'customer' }, { answers: {} }, [row(), null], [row(), 'row'], { 0: row() }, { length: 1, 0: row() },
      ]
      for (const shape of shapes) {
        const response = await send(shape)
        expect(response.statusCode, JSON.stringify(shape)).toBe(400)
        expect(response.json(), JSON.stringify(shape)).toMatchObject({ error: 'validation_failed', message: expect.any(String) })
      }
      expect(await stored()).toBe(before)
    })

    it('answers bodies that are not JSON, or not wanted, with 4xx and never 500', async () => {
      const before = await stored()
      const bodies: Array<[string, string | Buffer, string | undefined, number?]> = [
        ['malformed JSON', '{"side":', 'application/json', 400],
        ['trailing garbage', `${JSON.stringify(row())}x`, 'application/json', 400],
        ['empty JSON body', '', 'application/json', 400],
        ['JSON with a prototype key', '{"side":"customer","answers":{"easy":3},"__proto__":{"x":1}}', 'application/json', 400],
        ['JSON with a constructor key', '{"side":"customer","answers":{"easy":3},"constructor":{"prototype":{"x":1}}}', 'application/json', 400],
        ['deeply nested JSON', `${'['.repeat(5000)}${']'.repeat(5000)}`, 'application/json'],
        ['plain text', 'side=customer', 'text/plain', undefined],
        ['a form', 'side=customer&answers[easy]=3', 'application/x-www-form-urlencoded'],
        ['XML', '<responses><side>staff</side></responses>', 'application/xml', 415],
        ['CSV naming a column the wave does not have', 'side,colour\ncustomer,3\n', 'text/csv', 400],
        ['CSV that is not text', Buffer.from([0x00, 0xff, 0x00, 0xfe]), 'text/csv', 400],
        // Refused as the import page refuses such a file, with its message (bodies over 16 MB get 413).
        ['CSV over the 5 MB limit', `side,easy\n${'customer,3\n'.repeat(500_000)}`, 'text/csv', 400],
        ['multipart', '--x\r\nContent-Disposition: form-data; name="side"\r\n\r\ncustomer\r\n--x--\r\n', 'multipart/form-data; boundary=x', 415],
        ['no content type', JSON.stringify(row()), undefined],
        ['binary', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80]), 'application/json', 400],
        ['UTF-16 JSON', Buffer.from(`\ufeff${JSON.stringify(row())}`, 'utf16le'), 'application/json', 400],
        ['over the 16 MB limit', `[${JSON.stringify(row({ comment: 'x'.repeat(1000) }))}${`,${JSON.stringify(row({ comment: 'x'.repeat(1000) }))}`.repeat(17_000)}]`, 'application/json', 413],
      ]
      for (const [name, payload, type, status] of bodies) {
        const response = await sendRaw(payload, type)
        expect(response.statusCode, name).toBeGreaterThanOrEqual(400)
        expect(response.statusCode, name).toBeLessThan(500)
        if (status !== undefined) expect(response.statusCode, name).toBe(status)
        expect(response.headers['content-type'], name).toMatch(/^application\/json/)
        expect(response.json().error, name).toEqual(expect.any(String))
      }
      expect(await stored()).toBe(before)
    }, 60_000)

    it('takes a CSV file as the import page does, all rows or none, problems by spreadsheet line and column', async () => {
      const header = ['side', 'unit', ...KEYS, 'comment', 'tier'].join(',')
      const line = (side: string, unit: string, value: string, comment = '') => [side, unit, ...KEYS.map(() => value), comment, 'gold'].join(',')
      const before = await stored()
      const good = [header, line('customer', 'north branch', '5', '"Quick, kind"'), line('customer', 'South branch', '2'), line('staff', '', 'na')].join('\r\n')
      const created = await sendRaw(good, 'text/csv; charset=utf-8')
      expect(created.statusCode, created.body).toBe(201)
      expect(created.json().ids).toHaveLength(3)
      expect(await stored()).toBe(before + 3)
      const customer = await db().selectFrom('responses').select(['unit_id', 'comment', 'attributes', 'channel']).where('id', '=', created.json().ids[0]).executeTakeFirstOrThrow()
      expect(customer).toEqual({ unit_id: units.north, comment: 'Quick, kind', attributes: { tier: 'gold' }, channel: 'import' })
      // One bad line refuses the file: nothing stored, each problem under its line (the header is line 1) and column.
      const bad = [header, line('customer', 'North branch', '4'), line('robot', 'North branch', '4'), line('customer', 'Atlantis', '9')].join('\n')
      const refused = await sendRaw(bad, 'text/csv')
      expect(refused.statusCode).toBe(400)
      const details = problemsOf(refused)
      expect(details.map((p) => p.row).sort()).toEqual(expect.arrayContaining([3, 4]))
      expect(details.some((p) => p.row === 3 && p.field === 'side')).toBe(true)
      expect(details.some((p) => p.row === 4 && p.field === 'unit')).toBe(true)
      expect(details.some((p) => p.row === 4 && p.field === KEYS[0])).toBe(true)
      expect(details.every((p) => p.row !== 2)).toBe(true)
      expect(await stored()).toBe(before + 3)
    })

    it('takes a unit created a moment after the last call, and refuses one deleted since, storing nothing', async () => {
      const unit = async (name: string) =>
        (await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(owner), payload: { name } })).json().id as string
      expect((await send(row({ unit: 'East branch' }))).statusCode).toBe(400)
      await unit('East branch')
      expect((await send(row({ unit: 'East branch' }))).statusCode).toBe(201)
      const doomed = await unit('Closing branch')
      expect((await send(row({ unit: 'North branch' }))).statusCode).toBe(201)
      expect(await deleteUnit(db(), organizationId, doomed)).toBe(true)
      const before = await stored()
      for (const unitRef of ['Closing branch', doomed]) {
        const refused = await send(row({ unit: unitRef }))
        expect(refused.statusCode).toBe(400)
        expect(problemsOf(refused).map((problem) => problem.field)).toEqual(['unit'])
      }
      expect(await stored()).toBe(before)
    })

    it('rejects rows in a batch no matter where they sit, and counts rows from 1 for a single object', async () => {
      const single = await send(row({ side: 'nobody' }))
      expect(single.statusCode).toBe(400)
      expect(problemsOf(single)).toEqual([{ row: 1, field: 'side', message: expect.any(String) }])
      const rows = Array.from({ length: 2_500 }, () => row())
      rows[2_499] = row({ answers: { easy: 9 } })
      const last = await send(rows)
      expect(last.statusCode).toBe(400)
      expect(problemsOf(last)).toEqual([{ row: 2_500, field: 'answers.easy', message: expect.any(String) }])
    })
  })
})
