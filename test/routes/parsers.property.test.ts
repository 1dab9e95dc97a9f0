// Whatever a client sends, the body parsers and the checks behind them answer it, never with a 500:
// the respondent's form (POST /s/:token), the response import (POST /api/v1/waves/:id/responses)
// and the contacts import (POST /api/v1/contacts), fed bodies that fast-check makes up — arbitrary
// fields and unicode, prototype keys, repeated and huge values, arbitrary JSON, broken encodings and
// the wrong content types. The hand-picked cases are in survey.test.ts, import-api.test.ts and
// contacts.test.ts; these look for the ones nobody thought of.
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import { beforeAll, describe, expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { apiToken, bearer, Browser, createTenant, describeEachDatabase, type TestContext } from '../helpers/app.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const RUNS = 80
const TIMEOUT = 60_000

/** Every form comes from an address of its own, so the per-address limit never answers for the parser. */
let addressCounter = 0
const nextAddress = () => {
  addressCounter++
  return `10.200.${(addressCounter >> 8) & 255}.${addressCounter & 255}`
}

const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1)
const hidden = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1]

/** An answer the client can see went wrong on its side (or went through), and that leaks nothing of the server. */
function expectHandled(response: LightMyRequestResponse, allowed: readonly number[], what: string) {
  const label = `${response.statusCode} for ${what.slice(0, 300)}: ${response.body.slice(0, 300)}`
  expect(response.statusCode, label).toBeLessThan(500)
  expect(allowed, label).toContain(response.statusCode)
  expect(response.body).not.toMatch(/\bat [\w.<>]+ \(.*:\d+:\d+\)|node_modules|\/server\//)
}

/** An API error is JSON: {error, message}. */
function expectApiError(response: LightMyRequestResponse) {
  if (response.statusCode < 400) return
  expect(response.headers['content-type']).toMatch(/^application\/json/)
  expect(response.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) })
}

// ---------------------------------------------------------------------------------------------
// What gets sent

/** Text of every kind: any code point, lone surrogates, NUL and controls, and the characters that mean something in a form. */
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('\u0000', '\uD800', '\uDFFF', '\uFEFF', '\u202E', '\r', '\n', '%', '&', '=', '+', '[', ']', '.', '"', "'", '<', '>', 'é', '😀') }),
)

/** Most often right (`odds` to 1), now and then anything else. */
const mostly = <T, U>(right: fc.Arbitrary<T>, wrong: fc.Arbitrary<U>, odds = 4) =>
  fc.oneof({ arbitrary: right, weight: odds }, { arbitrary: wrong, weight: 1 })

/** Values as a form would carry them, right and wrong: scale points, "na", numbers near them, long and huge ones. */
const formValue = fc.oneof(
  { arbitrary: fc.constantFrom('0', '1', '2', '3', '4', '5', '10', '11', 'na', 'NA', '', ' 4', '4 ', '04', '4.0', '-1', '1e1', '0x4', '٤', 'true', 'null'), weight: 3 },
  { arbitrary: text, weight: 3 },
  { arbitrary: fc.integer({ min: 1, max: 3_000 }).map((length) => '4'.repeat(length)), weight: 1 },
  // Past the form's 32 KB body limit.
  { arbitrary: fc.integer({ min: 3_000, max: 40_000 }).map((length) => 'x'.repeat(length)), weight: 1 },
)

/** Field names: the form's own, prototype keys, bracket and dot syntax, and anything at all. */
const formName = fc.oneof(
  fc.constantFrom(...KEYS.map((key) => `a_${key}`), 'a_', 'a_unknown', '_csrf', 'submission', 'lang', 'unit', 'comment'),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__proto__[a_easy]', 'constructor[prototype][a_easy]', 'a_easy[]', 'a_easy[x]', 'a_easy.x'),
  { arbitrary: text, weight: 2 },
)

/** Raw text appended to an encoded form: broken percent-escapes, stray separators, anything. */
const rawFormTail = fc.array(fc.oneof(
  fc.constantFrom('%', '%Z', '%ZZ', '%E0%A4%A', '%ED%A0%80', '%C0%80', '%00', '%FF', '&', '=', '==', '+', '[]', '[', ']', '.', '&&&', ';'),
  text,
), { maxLength: 8 }).map((parts) => parts.join(''))

/** Any JSON value, and JSON that does not parse. */
const jsonText = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }).map((value) => JSON.stringify(value)),
  fc.anything({ maxDepth: 4 }).map((value) => JSON.stringify(value) ?? 'undefined'),
  fc.jsonValue({ maxDepth: 4 }).chain((value) => {
    const json = JSON.stringify(value)
    return fc.integer({ min: 0, max: json.length }).map((cut) => json.slice(0, cut))
  }),
  fc.constantFrom('', ' ', '{', '[', '}', '{"a":}', '[1,]', "{'side':'staff'}", 'NaN', 'Infinity', '-0', '1e999', '"\\ud800"', '"\\u0000"', '{"__proto__":{"x":1}}',
    '{"constructor":{"prototype":{"x":1}}}', '[{"__proto__":null}]', '\uFEFF{}', '{"a":1,"a":2}', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]'),
  text,
)

/** Bytes written into a URL path as %XX escapes, so that any text (or any bytes, valid UTF-8 or not) reaches the router. */
const percentEncoded = (bytes: Uint8Array) => [...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join('')

/** A path segment: any text, any bytes, or text with a few characters left as they are. */
const pathSegment = fc.oneof(
  text.map((value) => percentEncoded(Buffer.from(value))),
  fc.uint8Array({ maxLength: 64 }).map(percentEncoded),
  fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.~%'.split('')), maxLength: 250 }),
)

/** Object keys that mean something to JavaScript, next to ordinary ones. */
const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf')

/** Any JSON value a field might hold. */
const anyValue = fc.oneof(fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, ''), text, fc.jsonValue({ maxDepth: 3 }))

/** Now and then, one more field that is not the caller's to send. */
const withExtraField = (row: Record<string, unknown>) => mostly(
  fc.constant(row),
  fc.tuple(fc.oneof(hostileKey, text), anyValue).map(([name, value]) => ({ ...row, [name]: value })),
)

/** A response row that is nearly right: each field most often right (so that many rows are stored), sometimes anything. */
const responseRow = fc.record({
  side: mostly(fc.constantFrom('staff', 'customer'), fc.oneof(fc.constantFrom('Staff', ' customer', ''), anyValue)),
  unit: mostly(fc.constantFrom('North branch', 'north branch', 'NORTH BRANCH ', null), fc.oneof(fc.constantFrom('Nowhere'), anyValue)),
  attributes: mostly(
    fc.dictionary(fc.constantFrom('tier', 'region', 'Role_2'), fc.oneof(text.map((value) => value.slice(0, 200)), fc.integer(), fc.boolean()), { maxKeys: 3 }),
    fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom('x'.repeat(41), '1abc'), hostileKey, text), anyValue, { maxKeys: 25 }), anyValue),
  ),
  answers: mostly(
    fc.dictionary(fc.constantFrom(...KEYS), fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(null)), { minKeys: 1 }),
    fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), hostileKey, text), fc.oneof(fc.integer({ min: -2, max: 12 }), fc.double(), anyValue), { maxKeys: 14 }), anyValue),
  ),
  comment: mostly(text, fc.oneof(fc.integer({ min: 1_990, max: 2_010 }).map((length) => 'c'.repeat(length)), anyValue)),
}, { requiredKeys: ['side', 'answers'] }).chain(withExtraField)

/** A contact that is nearly right, from a small pool of addresses so that a batch repeats some. */
const contactRow = fc.record({
  email: mostly(
    fc.constantFrom('ana@example.com', 'ANA@example.com', ' ana@example.com ', 'bo@example.org', 'zoë@example.de'),
    fc.oneof(fc.constantFrom('not-an-email', '', `${'a'.repeat(250)}@example.com`), text, anyValue),
  ),
  name: mostly(fc.oneof(fc.constantFrom('Ana Pérez', null), text), fc.oneof(fc.constant('x'.repeat(250)), anyValue)),
  side: mostly(fc.constantFrom('staff', 'customer', 'CUSTOMER', ' staff '), anyValue),
  unit: mostly(fc.constantFrom('North branch', 'north branch', '', null), fc.oneof(fc.constant('Nowhere'), anyValue)),
  locale: mostly(fc.constantFrom('en', 'es', 'de', 'DE', '', null), fc.oneof(fc.constant('it'), anyValue)),
  attributes: mostly(
    fc.dictionary(fc.constantFrom('tier', 'region'), fc.oneof(text.map((value) => value.slice(0, 100)), fc.integer(), fc.constant(null)), { maxKeys: 2 }),
    fc.oneof(fc.dictionary(fc.oneof(hostileKey, text), anyValue, { maxKeys: 25 }), anyValue),
  ),
}, { requiredKeys: ['email', 'side'] }).chain(withExtraField)

/** Cells that fit the contacts CSV columns that need a particular value. */
const FITTING_CELLS = new Map<string, fc.Arbitrary<string>>([
  ['email', fc.constantFrom('ana@example.com', 'BO@example.org', ' zoë@example.de ')],
  ['side', fc.constantFrom('staff', 'customer', 'Customer')],
  ['unit', fc.constantFrom('North branch', 'north branch', '')],
  ['locale', fc.constantFrom('en', 'es', 'DE', '')],
])

/** A cell for a contacts CSV column: most often one that fits it, sometimes anything, quotes included. */
const csvCell = (column: string) => mostly(
  FITTING_CELLS.get(column.trim().toLowerCase()) ?? text.map((cell) => cell.replace(/["\r\n,;\t]/g, ' ').slice(0, 100)),
  fc.oneof(text, fc.constantFrom('"', '""', '"a,b"', '"unterminated', 'x"y', '\r', ';', ',')),
)

/** A contacts CSV file: a header with email and side and some of the other columns (now and then an odd one), then rows. */
const csvFile = fc.record({
  columns: fc.tuple(
    fc.subarray(['name', 'unit', 'locale', 'tier', 'region']),
    mostly(fc.constant([]), fc.array(fc.oneof(fc.constantFrom('', '1abc', 'email', 'Email', ' SIDE ', '__proto__', 'constructor', 'x'.repeat(41)), text), { maxLength: 2 })),
  ).chain(([optional, odd]) => fc.shuffledSubarray(['email', 'side', ...optional, ...odd], { minLength: 2 + optional.length + odd.length })),
  separator: fc.constantFrom(',', ';', '\t'),
  lineEnd: fc.constantFrom('\n', '\r\n', '\r'),
  bom: fc.boolean(),
}).chain(({ columns, separator, lineEnd, bom }) => fc.array(
  mostly(fc.tuple(...columns.map(csvCell)), fc.array(fc.oneof(text, csvCell('email')), { maxLength: columns.length + 2 })),
  { maxLength: 8 },
).map((rows) => (bom ? '\uFEFF' : '') + [columns, ...rows].map((cells) => cells.join(separator)).join(lineEnd)))

/** Content types a client might send: mostly ones the app parses (with odd parameters), then wrong and malformed ones; undefined sends none. */
const contentType = fc.oneof(
  { arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded', 'text/csv', 'text/csv; charset=windows-1252'), weight: 4 },
  {
    arbitrary: fc.constantFrom(
      undefined, 'application/json; charset=latin1', 'application/json;;', 'APPLICATION/JSON', 'application/x-www-form-urlencoded; charset=utf-16le', 'text/plain',
      'multipart/form-data', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', '', ';', '*/*', 'json',
    ),
    weight: 2,
  },
  { arbitrary: fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz/;=+-*. ,"'.split('')), maxLength: 40 }), weight: 1 },
)

/** Bodies to send raw: any text, any bytes, JSON, forms and CSV, right or broken. */
const rawBody = fc.oneof(
  text,
  jsonText,
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
  fc.array(fc.array(fc.oneof(fc.constantFrom('email', 'side', 'name', 'unit', 'locale', 'tier', '', '"', '""', '"a,b"', 'ana@example.com', 'staff', 'customer'), text), { maxLength: 6 }), { maxLength: 6 })
    .chain((rows) => fc.constantFrom(',', ';', '\t').map((separator) => rows.map((cells) => cells.join(separator)).join('\n'))),
  fc.tuple(fc.constantFrom('', 'email,side\n', 'email;side;name;unit;locale;tier\r\n', '\uFEFFemail,side\n'), text).map(([header, rest]) => header + rest),
  csvFile,
  rawFormTail,
)

// ---------------------------------------------------------------------------------------------

describeEachDatabase('body parsers never answer with a 500', (ctx: TestContext) => {
  let key: string
  let unitId: string
  let waveId: string

  /** A new wave with a customer link of its own, so each property has the link's rate limit to itself. */
  async function newLink(name: string) {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(key), payload: { name, templateKey: 'service-gap-index' } })
    if (response.statusCode !== 201) throw new Error(`wave failed: ${response.statusCode} ${response.body}`)
    const json = response.json() as { id: string; links: { customer: string } }
    return { id: json.id, token: tokenOf(json.links.customer) }
  }

  /** A browser that has opened the survey: it holds the CSRF cookie, and the page's token and submission key. */
  async function openSurvey(token: string) {
    const browser = new Browser(ctx.app)
    const page = await browser.get(`/s/${token}`)
    expect(page.statusCode).toBe(200)
    return { browser, csrf: browser.csrf!, submission: hidden(page.body, 'submission')! }
  }

  beforeAll(async () => {
    const tenant = await createTenant(ctx, 'Parsers Ltd')
    key = await apiToken(ctx, tenant.owner.email)
    const unit = await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(key), payload: { name: 'North branch' } })
    unitId = unit.json().id
    waveId = (await newLink('Imports')).id
  })

  describe('the survey form, POST /s/:token', () => {
    const FORM_ANSWERS = [303, 400, 403, 413, 422]

    it('answers any urlencoded fields, with a valid CSRF token, with a redirect or a 4xx', async () => {
      const { token } = await newLink('Form fields')
      const { browser, csrf, submission } = await openSurvey(token)
      // Valid answers to every item, or to some; then any fields on top.
      const validAnswers = mostly(fc.constant(KEYS), fc.subarray(KEYS))
        .chain((keys) => fc.tuple(...keys.map((item) => fc.tuple(fc.constant(`a_${item}`), fc.constantFrom('1', '3', '5', 'na')))))
      const form = fc.record({
        answers: validAnswers,
        fields: fc.array(fc.tuple(formName, formValue), { maxLength: 8 }),
        unit: fc.constantFrom<Array<[string, string]>>([], [['unit', unitId]], [['unit', 'North branch']]),
        withSubmission: fc.boolean(),
        tail: fc.oneof(fc.constant(''), rawFormTail.map((raw) => `&${raw}`)),
      })
      await fc.assert(fc.asyncProperty(form, async ({ answers, fields, unit, withSubmission, tail }) => {
        const pairs: Array<[string, string]> = [['_csrf', csrf], ...(withSubmission ? [['submission', submission] as [string, string]] : []), ...answers, ...unit, ...fields]
        const payload = new URLSearchParams(pairs).toString() + tail
        const response = await browser.request({
          method: 'POST', url: `/s/${token}`, payload, remoteAddress: nextAddress(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        })
        expectHandled(response, FORM_ANSWERS, payload)
      }), { numRuns: RUNS })
    }, TIMEOUT)

    it('answers the form\'s fields sent as any JSON values, with a valid CSRF token, with a redirect or a 4xx', async () => {
      const { token } = await newLink('Form as JSON')
      const { browser, csrf, submission } = await openSurvey(token)
      // Every answer most often valid, so that many of these forms are complete.
      const answers = Object.fromEntries(KEYS.map((item) => [`a_${item}`, mostly(fc.constantFrom('1', '4', 'na'), anyValue, 40)]))
      const others = fc.record({
        submission: mostly(fc.constant(submission), anyValue),
        lang: mostly(fc.constantFrom('en', 'es', 'de'), anyValue),
        unit: mostly(fc.constant(unitId), anyValue),
        comment: anyValue,
        _csrf: mostly(fc.constant(csrf), anyValue),
      }, { requiredKeys: ['_csrf'] })
      const fields = fc.tuple(fc.record(answers), others).map(([a, b]) => ({ ...a, ...b })).chain(withExtraField)
      await fc.assert(fc.asyncProperty(mostly(fields, fc.array(fields, { maxLength: 2 })), async (body) => {
        const payload = JSON.stringify(body)
        const response = await browser.request({
          method: 'POST', url: `/s/${token}`, payload, remoteAddress: nextAddress(),
          headers: { 'content-type': 'application/json' },
        })
        expectHandled(response, FORM_ANSWERS, payload)
      }), { numRuns: RUNS })
    }, TIMEOUT)

    it('holds any fields on the page that asks a respondent over the limit to wait', async () => {
      const { token } = await newLink('Held')
      const { browser, csrf } = await openSurvey(token)
      const address = nextAddress()
      const send = (payload: string) => browser.request({
        method: 'POST', url: `/s/${token}`, payload, remoteAddress: address,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })
      for (let i = 0; i < ctx.config.submitLimits.perAddress; i++) await send('')
      const form = fc.tuple(fc.array(fc.tuple(formName, formValue), { maxLength: 8 }), fc.oneof(fc.constant(''), rawFormTail.map((raw) => `&${raw}`)))
      await fc.assert(fc.asyncProperty(form, async ([fields, tail]) => {
        const payload = new URLSearchParams([['_csrf', csrf], ...fields]).toString() + tail
        const response = await send(payload)
        expectHandled(response, [400, 413, 429], payload)
        if (response.statusCode === 429) expect(response.body).toContain('<form method="post"')
      }), { numRuns: RUNS })
    }, TIMEOUT)

    it('answers a form sent to any token with a 4xx', async () => {
      const { browser, csrf } = await openSurvey((await newLink('Any token')).token)
      await fc.assert(fc.asyncProperty(pathSegment, async (token) => {
        const response = await browser.request({
          method: 'POST', url: `/s/${token}`, payload: new URLSearchParams({ _csrf: csrf, a_easy: '4' }).toString(),
          remoteAddress: nextAddress(), headers: { 'content-type': 'application/x-www-form-urlencoded' },
        })
        expectHandled(response, [400, 403, 404, 405, 422], token)
      }), { numRuns: RUNS })
    }, TIMEOUT)

    it('answers any body of any content type with a redirect or a 4xx', async () => {
      const { token } = await newLink('Form bodies')
      const { browser } = await openSurvey(token)
      await fc.assert(fc.asyncProperty(rawBody, contentType, async (payload, type) => {
        const response = await browser.request({
          method: 'POST', url: `/s/${token}`, payload, remoteAddress: nextAddress(),
          headers: type === undefined ? {} : { 'content-type': type },
        })
        expectHandled(response, [...FORM_ANSWERS, 415], `${type}: ${payload.toString()}`)
      }), { numRuns: RUNS })
    }, TIMEOUT)
  })

  describe('the response import, POST /api/v1/waves/:id/responses', () => {
    const send = (payload: string | Buffer, type: string | undefined) => ctx.app.inject({
      method: 'POST', url: `/api/v1/waves/${waveId}/responses`, payload,
      headers: { ...bearer(key), ...(type === undefined ? {} : { 'content-type': type }) },
    })

    it('answers any JSON with 201 or a 4xx', async () => {
      const body = fc.oneof(
        jsonText,
        responseRow.map((row) => JSON.stringify(row)),
        fc.array(responseRow, { maxLength: 5 }).map((rows) => JSON.stringify(rows)),
      )
      await fc.assert(fc.asyncProperty(body, async (payload) => {
        const response = await send(payload, 'application/json')
        expectHandled(response, [201, 400, 413], payload)
        expectApiError(response)
      }), { numRuns: RUNS })
    }, TIMEOUT)

    it('answers any body of any content type with 201 or a 4xx', async () => {
      await fc.assert(fc.asyncProperty(rawBody, contentType, async (payload, type) => {
        const response = await send(payload, type)
        expectHandled(response, [201, 400, 413, 415], `${type}: ${payload.toString()}`)
        expectApiError(response)
      }), { numRuns: RUNS })
    }, TIMEOUT)

    it('answers a row sent to any other wave id with a 4xx', async () => {
      const id = fc.oneof(pathSegment, fc.uuid(), fc.constantFrom('00000000-0000-0000-0000-000000000000', `${waveId}x`, waveId.toUpperCase(), `%20${waveId}`))
      await fc.assert(fc.asyncProperty(id, async (wave) => {
        const response = await ctx.app.inject({
          method: 'POST', url: `/api/v1/waves/${wave}/responses`,
          headers: { ...bearer(key), 'content-type': 'application/json' }, payload: JSON.stringify({ side: 'staff', answers: { [KEYS[0]!]: 4 } }),
        })
        // The wave's id in capitals is still the wave.
        expectHandled(response, wave === waveId.toUpperCase() ? [201] : [400, 404, 405], wave)
        expectApiError(response)
      }), { numRuns: RUNS })
    }, TIMEOUT)
  })

  describe('the contacts import, POST /api/v1/contacts', () => {
    const send = (payload: string | Buffer, type: string | undefined) => ctx.app.inject({
      method: 'POST', url: '/api/v1/contacts', payload,
      headers: { ...bearer(key), ...(type === undefined ? {} : { 'content-type': type }) },
    })

    it('answers any JSON with 200 or a 4xx', async () => {
      const body = fc.oneof(
        jsonText,
        fc.array(contactRow, { maxLength: 6 }).map((rows) => JSON.stringify(rows)),
      )
      await fc.assert(fc.asyncProperty(body, async (payload) => {
        const response = await send(payload, 'application/json')
        expectHandled(response, [200, 400, 413, 415], payload)
        expectApiError(response)
      }), { numRuns: RUNS })
    }, TIMEOUT)

    it('answers any CSV file, in UTF-8 or Windows-1252, with 200 or a 4xx', async () => {
      const encoded = fc.tuple(csvFile, fc.constantFrom('utf-8', 'windows-1252', undefined)).map(([csv, charset]) => ({
        payload: charset === 'windows-1252' ? Buffer.from(csv, 'latin1') : Buffer.from(csv, 'utf8'),
        type: charset === undefined ? 'text/csv' : `text/csv; charset=${charset}`,
      }))
      await fc.assert(fc.asyncProperty(encoded, async ({ payload, type }) => {
        const response = await send(payload, type)
        expectHandled(response, [200, 400, 413], `${type}: ${payload.toString()}`)
        expectApiError(response)
      }), { numRuns: RUNS })
    }, TIMEOUT)

    it('answers any body of any content type, CSV included, with 200 or a 4xx', async () => {
      await fc.assert(fc.asyncProperty(rawBody, contentType, async (payload, type) => {
        const response = await send(payload, type)
        expectHandled(response, [200, 400, 413, 415], `${type}: ${payload.toString()}`)
        expectApiError(response)
      }), { numRuns: RUNS })
    }, TIMEOUT)
  })
})
