// Hostile and malformed survey submissions, and the rate limits, on both databases.
import { describe, expect, it } from 'vitest'
import { DEFAULT_SUBMIT_LIMITS as SUBMIT_LIMITS } from '../../server/config.js'
import { Browser, describeEachDatabase } from '../helpers/app.js'
import {
  answers, checked, createWave, EN, escapeHtml, expectNoStack, formBody, hidden, KEYS, nextAddress, post, summaryLinks, surveyFixture, without,
} from '../helpers/survey.js'

describeEachDatabase('respondent survey pages: hostile input and rate limits', (ctx) => {
  const survey = surveyFixture(ctx)
  const { db, open, answer, responsesWithKey } = survey

  describe('robustness', () => {
    type Case = { name: string; body: (csrf: string, submission: string) => string; type?: string; status?: number; problems?: string[] }
    const valid = (csrf: string, submission: string, extra: Record<string, string | string[]> = {}, drop: string[] = []) =>
      formBody({ _csrf: csrf, submission, ...without(answers(), ...drop), ...extra })
    const FORM = 'application/x-www-form-urlencoded'
    const cases: Case[] = [
      { name: 'JSON body with numbers', type: 'application/json', body: (c, s) => JSON.stringify({ _csrf: c, submission: s, ...Object.fromEntries(KEYS.map((k) => [`a_${k}`, 4])) }), status: 422 },
      { name: 'JSON body with arrays and objects', type: 'application/json', body: (c, s) => JSON.stringify({ _csrf: c, submission: [s], lang: { x: 1 }, unit: [1], comment: { a: 1 }, ...Object.fromEntries(KEYS.map((k) => [`a_${k}`, ['4']])) }), status: 422 },
      { name: 'JSON body with a CSRF token that is not text', type: 'application/json', body: () => JSON.stringify({ _csrf: 1, ...answers() }), status: 403 },
      { name: 'malformed JSON', type: 'application/json', body: () => '{"a_easy":', status: 400 },
      { name: 'JSON null', type: 'application/json', body: () => 'null' },
      { name: 'JSON array', type: 'application/json', body: () => '[1,2,3]' },
      { name: 'JSON string', type: 'application/json', body: () => '"a_easy=4"' },
      { name: 'JSON number', type: 'application/json', body: () => '42' },
      { name: 'JSON with a prototype key', type: 'application/json', body: (c) => `{"_csrf":"${c}","__proto__":{"a_easy":"4"},"constructor":{"prototype":{"x":1}}}` },
      { name: 'empty JSON body', type: 'application/json', body: () => '', status: 400 },
      { name: 'empty form body', type: FORM, body: () => '', status: 403 },
      { name: 'only the CSRF token', type: FORM, body: (c) => formBody({ _csrf: c }), status: 422, problems: ['excellent_service-1'] },
      { name: 'no content type, no body', type: undefined, body: () => '', status: 403 },
      { name: 'text/plain', type: 'text/plain', body: (c, s) => valid(c, s) },
      { name: 'application/xml', type: 'application/xml', body: () => '<form><a_easy>4</a_easy></form>', status: 415 },
      { name: 'multipart form data', type: 'multipart/form-data; boundary=x', body: (c) => `--x\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${c}\r\n--x--\r\n`, status: 415 },
      { name: 'an answer sent twice', type: FORM, body: (c, s) => valid(c, s, { a_easy: ['1', '2'] }), status: 422, problems: ['easy-1'] },
      { name: 'an answer sent twice, the same value', type: FORM, body: (c, s) => valid(c, s, { a_easy: ['4', '4'] }), status: 422, problems: ['easy-1'] },
      { name: 'a comment sent twice', type: FORM, body: (c, s) => valid(c, s, { comment: ['a', 'b'] }), status: 422, problems: ['comment'] },
      { name: 'a huge answer value', type: FORM, body: (c, s) => valid(c, s, { a_easy: '4'.repeat(25_000) }), status: 422, problems: ['easy-1'] },
      { name: 'a huge comment under the body limit', type: FORM, body: (c, s) => valid(c, s, { comment: 'x'.repeat(28_000) }), status: 422, problems: ['comment'] },
      { name: 'a huge field name', type: FORM, body: (c, s) => valid(c, s, { ['n'.repeat(25_000)]: '1' }, ['excellent_service']), status: 422, problems: ['excellent_service-1'] },
      { name: 'unknown fields', type: FORM, body: (c, s) => valid(c, s, { a_unknown: '3', answer: '4', role: 'admin', organization_id: 'x', channel: 'import' }, ['excellent_service']), status: 422, problems: ['excellent_service-1'] },
      { name: 'thousands of empty parameters', type: FORM, body: (c, s) => `${valid(c, s, {}, ['excellent_service'])}${'&'.repeat(20_000)}`, status: 422, problems: ['excellent_service-1'] },
      { name: 'thousands of parameters', type: FORM, body: (c, s) => `${valid(c, s, {}, ['excellent_service'])}${'&p=1'.repeat(6_000)}`, status: 422, problems: ['excellent_service-1'] },
      { name: 'a body over 32 KB', type: FORM, body: (c, s) => valid(c, s, { comment: 'x'.repeat(33 * 1024) }), status: 413 },
      { name: 'a JSON body over 32 KB', type: 'application/json', body: (c) => JSON.stringify({ _csrf: c, comment: 'x'.repeat(33 * 1024) }), status: 413 },
      { name: 'nested keys', type: FORM, body: (c, s) => `${valid(c, s, {}, ['excellent_service'])}&a_excellent_service[x]=1&a_excellent_service[]=2&a_excellent_service.x=3`, status: 422, problems: ['excellent_service-1'] },
      { name: 'prototype keys', type: FORM, body: (c, s) => `${valid(c, s, {}, ['excellent_service'])}&__proto__[a_excellent_service]=1&__proto__=x&constructor[prototype][a_excellent_service]=1&hasOwnProperty=1&toString=1`, status: 422, problems: ['excellent_service-1'] },
      { name: 'broken percent-encoding', type: FORM, body: (c, s) => `${valid(c, s, {}, ['excellent_service'])}&a_excellent_service=%E0%A4%A&comment=%&unit=%ZZ` },
      { name: 'an answer with a NUL', type: FORM, body: (c, s) => `${valid(c, s, {}, ['excellent_service'])}&a_excellent_service=9%00`, status: 422, problems: ['excellent_service-1'] },
      { name: 'hostile hidden fields', type: FORM, body: (c, s) => valid(c, s, { lang: '"><script>alert(1)</script>', submission: '"><script>alert(1)</script>', unit: '"><script>' }, ['excellent_service']), status: 422, problems: ['excellent_service-1', 'unit'] },
      { name: 'a form with an unexpected charset', type: `${FORM}; charset=utf-16le`, body: (c, s) => valid(c, s, {}, ['excellent_service']) },
    ]

    it.each(cases)('answers $name with a 4xx, never a 500', async ({ body, type, status, problems }) => {
      const { browser, submission } = await open(survey.main.customer)
      const payload = body(browser.csrf!, submission)
      const response = await browser.request({
        method: 'POST', url: `/s/${survey.main.customer}`, payload, remoteAddress: nextAddress(),
        headers: type === undefined ? {} : { 'content-type': type },
      })
      expect(response.statusCode).toBeGreaterThanOrEqual(400)
      expect(response.statusCode).toBeLessThan(500)
      if (status !== undefined) expect(response.statusCode).toBe(status)
      if (problems) expect(summaryLinks(response.body)).toEqual(problems)
      expectNoStack(response)
      expect(response.body).not.toContain('<script>')
      expect(await responsesWithKey(submission)).toBe(0)
    })

    it('refuses a unit sent twice instead of silently storing no unit', async () => {
      const { response, stored } = await answer(survey.main.customer, { unit: [survey.units.north, survey.units.south] } as unknown as Record<string, string>)
      expect(response.statusCode).toBe(422)
      expect(stored).toBeUndefined()
    })

    it('takes unknown extra fields alongside a complete form without storing them', async () => {
      const { response, stored } = await answer(survey.main.customer, { organization_id: '00000000-0000-4000-8000-000000000000', channel: 'import', side: 'staff', attributes: 'x', a_unknown: '3' })
      expect(response.statusCode).toBe(303)
      expect(stored).toMatchObject({ organization_id: survey.organizationId, channel: 'link', side: 'customer', attributes: {} })
      expect(await db().selectFrom('answers').select('item_key').where('response_id', '=', stored!.id).execute()).toHaveLength(12)
    })

    it('refuses a form without a valid CSRF token with 403, the answers still chosen, and takes it once resent', async () => {
      const { browser, submission } = await open(survey.main.customer)
      const form = { submission, ...answers({ a_easy: '2', a_trust: 'na' }), comment: 'Still here' }
      for (const csrf of [undefined, '', 'forged', `${browser.csrf!}x`]) {
        const response = await post(browser, survey.main.customer, csrf === undefined ? form : { _csrf: csrf, ...form }, { csrf: false })
        expect(response.statusCode).toBe(403)
        expect(response.body).toContain(escapeHtml(EN.problems.expired))
        expect(checked(response.body, 'easy', '2')).toBe(true)
        expect(checked(response.body, 'trust', 'na')).toBe(true)
        expect(checked(response.body, 'excellent_service', '4')).toBe(true)
        expect(response.body).toContain('>Still here</textarea>')
        expect(hidden(response.body, 'submission')).toBe(submission)
      }
      // A token from another browser does not match this browser's cookie.
      const stranger = await open(survey.main.customer)
      const crossed = await post(browser, survey.main.customer, { _csrf: stranger.browser.csrf!, ...form })
      expect(crossed.statusCode).toBe(403)
      // No cookie at all (a new browser posting a form it never loaded).
      const fresh = new Browser(ctx.app)
      const noCookie = await post(fresh, survey.main.customer, { _csrf: browser.csrf!, ...form })
      expect(noCookie.statusCode).toBe(403)
      expect(await responsesWithKey(submission)).toBe(0)

      const resent = await post(browser, survey.main.customer, form)
      expect(resent.statusCode).toBe(303)
      expect(await responsesWithKey(submission)).toBe(1)
    })
  })

  describe('rate limits', () => {
    it('holds the 31st submission in a minute from one address with a 429 that keeps every answer, and lets others through', async () => {
      const address = '198.51.100.23'
      const { browser, submission } = await open(survey.main.customer)
      const form = { submission, lang: 'en', ...without(answers({ a_easy: '2', a_trust: 'na' }), 'excellent_service'), comment: 'Held "answers" <kept>' }
      for (let i = 0; i < 30; i++) {
        const response = await post(browser, survey.main.customer, form, { remoteAddress: address })
        expect(response.statusCode).toBe(422)
      }
      const held = await post(browser, survey.main.customer, { ...form, a_excellent_service: '5' }, { remoteAddress: address })
      expect(held.statusCode).toBe(429)
      expect(held.headers['retry-after']).toBeDefined()
      expect(held.headers['content-type']).toMatch(/^text\/html/)
      expect(held.body).toContain(EN.tooManyTitle)
      expect(held.body).toContain(`action="/s/${survey.main.customer}"`)
      expect(held.body).toMatch(/<button type="submit">/)
      const sent: Record<string, string> = { _csrf: browser.csrf!, ...form, a_excellent_service: '5' }
      for (const [name, value] of Object.entries(sent)) {
        expect(held.body, name).toContain(`<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
      }
      expect(held.body).not.toContain('<kept>')
      expect(await responsesWithKey(submission)).toBe(0)

      // Another address is not held back; the same address is held for the whole form, whatever its content.
      const other = await post(browser, survey.main.customer, { ...form, a_excellent_service: '5' }, { remoteAddress: '198.51.100.24' })
      expect(other.statusCode).toBe(303)
      expect(await responsesWithKey(submission)).toBe(1)
      const again = await post(new Browser(ctx.app), 'AAAAAAAAAAAAAAAAAAAAAA', answers(), { remoteAddress: address })
      expect(again.statusCode).toBe(429)
      // A forwarded-for header from the client does not get it past the limit (no proxy is trusted by default).
      const spoofed = await post(browser, survey.main.customer, { ...form, a_fit: '5' }, { remoteAddress: address, headers: { 'x-forwarded-for': '192.0.2.1', 'x-real-ip': '192.0.2.1' } })
      expect(spoofed.statusCode).toBe(429)
      // Reading the survey is not limited.
      const read = await browser.request({ method: 'GET', url: `/s/${survey.main.customer}`, remoteAddress: address })
      expect(read.statusCode).toBe(200)
    })

    it('limits submissions per link, whatever the address, and leaves other links alone', async () => {
      expect(SUBMIT_LIMITS.perAddress).toBe(30)
      const wave = await createWave(ctx, survey.key, { name: 'Busy link' })
      const browser = new Browser(ctx.app)
      for (let i = 0; i < SUBMIT_LIMITS.perLink; i++) {
        const response = await post(browser, wave.customer, {}, { csrf: false })
        expect(response.statusCode).toBe(403)
      }
      const { browser: respondent, submission } = await open(wave.customer)
      const held = await post(respondent, wave.customer, { submission, ...answers() })
      expect(held.statusCode).toBe(429)
      expect(held.body).toContain(`name="submission" value="${submission}"`)
      expect(await responsesWithKey(submission)).toBe(0)
      const other = await post(respondent, wave.staff, { submission, ...answers() })
      expect(other.statusCode).toBe(303)
    }, 60_000)

    it('escapes hostile field names and values on the held page', async () => {
      const address = '198.51.100.99'
      const browser = new Browser(ctx.app)
      for (let i = 0; i < 30; i++) await post(browser, 'AAAAAAAAAAAAAAAAAAAAAA', {}, { remoteAddress: address })
      const held = await post(browser, '%3Cb%3Etoken%3C%2Fb%3E', { '"><script>alert(1)</script>': '"><img src=x onerror=alert(1)>' }, { remoteAddress: address })
      expect(held.statusCode).toBe(429)
      expect(held.body).not.toMatch(/<script|<img|<b>/)
      expect(held.body).toContain(`name="${escapeHtml('"><script>alert(1)</script>')}" value="${escapeHtml('"><img src=x onerror=alert(1)>')}"`)
    })

    it('sends the held page (answers inside) with cache-control: no-store', async () => {
      const address = '198.51.100.77'
      const browser = new Browser(ctx.app)
      for (let i = 0; i < 30; i++) await post(browser, 'AAAAAAAAAAAAAAAAAAAAAA', {}, { remoteAddress: address })
      const held = await post(browser, survey.main.customer, answers(), { remoteAddress: address })
      expect(held.statusCode).toBe(429)
      expect(held.headers['cache-control']).toBe('no-store')
    })
  })
})
