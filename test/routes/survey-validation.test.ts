// Server-side validation of the survey form, and double submits, on both databases.
import { beforeAll, describe, expect, it } from 'vitest'
import { localize } from '../../server/domain/instrument.js'
import { createInstrument } from '../../server/repositories/instruments.js'
import { describeEachDatabase } from '../helpers/app.js'
import { answers, checked, createWave, EN, escapeHtml, hidden, ITEMS, keptForm, KEYS, ORG, post, summaryLinks, surveyFixture, without } from '../helpers/survey.js'

describeEachDatabase('respondent survey pages: validation and double submits', (ctx) => {
  const survey = surveyFixture(ctx)
  const { db, open, answer, responsesWithKey } = survey
  const optionalKey = 'all-optional'
  beforeAll(async () => {
    const text = (en: string) => ({ en })
    await createInstrument(db(), survey.organizationId, {
      key: optionalKey, version: 1, name: 'All optional', locales: ['en'], staffQuestion: text('Anything else?'), customerQuestion: text('Anything else?'),
      items: [
        { key: 'excellent_service', dimension: 'overall', scale: 'agree5', headline: true, required: false, staffText: text('We serve well.'), customerText: text('{org} serves me well.'), staffPredictText: null },
        { key: 'easy', dimension: 'structure', scale: 'agree5', headline: false, required: false, staffText: text('It is easy.'), customerText: text('It is easy to deal with {org}.'), staffPredictText: null },
      ],
    })
  })

  describe('validation', () => {
    it('stores a form with optional statements skipped: they are not answered, apart from "Not applicable"', async () => {
      const { browser, submission } = await open(survey.main.customer)
      const form = { submission, ...without(answers({ a_valued: '5', a_trust: 'na' }), 'easy', 'asks', 'fit') }
      const response = await post(browser, survey.main.customer, form)
      expect(response.statusCode).toBe(303)
      const stored = (await keptForm(db(), submission))!
      // A skipped item has no answer at all; "Not applicable" is kept as null. Neither counts in n.
      expect(Object.keys(stored.answers).sort()).toEqual(KEYS.filter((k) => !['easy', 'asks', 'fit'].includes(k)).sort())
      expect(stored.answers).toMatchObject({ valued: 5, trust: null, excellent_service: 4 })
    })

    it('counts a skipped statement, like "Not applicable", out of its n in the report', async () => {
      const wave = await createWave(ctx, survey.key, { name: 'Skips counted' })
      const easy = ['skip', 'skip', 'na', '5', '5', '5', '5', '2']
      for (const value of easy) {
        const form = value === 'skip' ? without(answers(), 'easy') : answers({ a_easy: value })
        const { browser, submission } = await open(wave.customer)
        expect((await post(browser, wave.customer, { submission, ...form })).statusCode).toBe(303)
      }
      const report = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${wave.id}/report`, headers: { authorization: `Bearer ${survey.key}` } })
      expect(report.statusCode).toBe(200)
      const items = report.json().items as Array<{ key: string; customer: { n: number; agree: number } }>
      expect(items.find((i) => i.key === 'excellent_service')!.customer).toMatchObject({ n: 8, agree: 8 })
      expect(items.find((i) => i.key === 'easy')!.customer).toMatchObject({ n: 5, agree: 4 })
      expect(items.find((i) => i.key === 'trust')!.customer).toMatchObject({ n: 8 })
      // In the export a skip is an empty cell and "Not applicable" is "na".
      const csv = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${wave.id}/export.csv`, headers: { authorization: `Bearer ${survey.key}` } })
      const [header, ...rows] = csv.body.trim().split(/\r?\n/)
      const column = header!.split(',').indexOf('easy')
      expect(rows.filter((row) => row.includes(',customer,')).map((row) => row.split(',')[column]).sort()).toEqual(['', '', '2', '5', '5', '5', '5', 'na'])
    })

    it('returns a form without the required headline as 422: one problem, named, every other answer still chosen', async () => {
      const { browser, submission } = await open(survey.main.customer)
      const form = { submission, ...without(answers({ a_valued: '5', a_trust: 'na', a_fit: '1' }), 'excellent_service', 'easy', 'asks'), comment: 'Keep me' }
      const response = await post(browser, survey.main.customer, form)
      expect(response.statusCode).toBe(422)
      expect(response.headers['cache-control']).toBe('no-store')
      expect(summaryLinks(response.body)).toEqual(['excellent_service-1'])
      expect(response.body).toContain(escapeHtml(EN.errorSummary(1)))
      expect(response.body).toContain(`<title>${escapeHtml(EN.errorSummary(1))} · ${ORG}</title>`)
      expect(response.body).toContain(`${escapeHtml(localize(ITEMS[0]!.customerText, 'en', ORG))}</a>`)
      expect(response.body.indexOf('aria-labelledby="sum"')).toBeLessThan(response.body.indexOf('<form'))
      expect(response.body).toContain('<fieldset class="q bad" aria-describedby=excellent_service-e>')
      expect(response.body).toContain(`<p class="err" id="excellent_service-e">${escapeHtml(EN.problems.required)}</p>`)
      expect(response.body.match(/class="err"/g)).toHaveLength(1)
      expect(response.body.match(/aria-describedby="?[a-z_]+-e\b/g)).toHaveLength(1)
      expect(checked(response.body, 'valued', '5')).toBe(true)
      expect(checked(response.body, 'trust', 'na')).toBe(true)
      expect(checked(response.body, 'fit', '1')).toBe(true)
      for (const item of KEYS.filter((k) => !['excellent_service', 'easy', 'asks', 'valued', 'trust', 'fit'].includes(k))) expect(checked(response.body, item, '4'), item).toBe(true)
      expect(response.body.match(/ checked/g)).toHaveLength(9)
      expect(response.body).toContain('>Keep me</textarea>')
      expect(hidden(response.body, 'submission')).toBe(submission)
      expect(await responsesWithKey(submission)).toBe(0)
    })

    it('answers a form with nothing answered, on an instrument with no required statement, with one problem for the form', async () => {
      const wave = await createWave(ctx, survey.key, { name: 'All optional', templateKey: optionalKey })
      const { browser, page, submission } = await open(wave.customer)
      expect(page.body).toContain(escapeHtml(EN.answerAny))
      expect(page.body).not.toContain('class="req"')
      const response = await post(browser, wave.customer, { submission, comment: 'Only a comment' })
      expect(response.statusCode).toBe(422)
      expect(summaryLinks(response.body)).toEqual([])
      expect(response.body).toContain(`<div class="alert" id="form-e" role="alert" tabindex="-1" autofocus><p>${escapeHtml(EN.problems.empty)}</p></div>`)
      expect(response.body).toContain(`<title>${escapeHtml(EN.problems.empty)} · ${ORG}</title>`)
      expect(response.body).not.toContain('class="err"')
      expect(response.body).toContain('>Only a comment</textarea>')
      expect(await responsesWithKey(submission)).toBe(0)
      // One answer is enough, and "Not applicable" is an answer.
      const sent = await post(browser, wave.customer, { submission, a_easy: 'na' })
      expect(sent.statusCode).toBe(303)
      expect((await keptForm(db(), submission))!.answers).toEqual({ easy: null })
    })

    it('refuses values off the scale', async () => {
      const { browser, submission } = await open(survey.main.customer)
      const cases: Array<[string, 'invalid' | 'required']> = [
        ['6', 'invalid'], ['0', 'invalid'], ['-1', 'invalid'], ['4.5', 'invalid'], ['abc', 'invalid'], ['', 'required'],
        [' 4', 'invalid'], ['4 ', 'invalid'], ['1e0', 'invalid'], ['0x4', 'invalid'], ['NA', 'invalid'], ['null', 'invalid'],
        ['10', 'invalid'], ['99999999999999999999', 'invalid'], ['٤', 'invalid'], ['４', 'invalid'],
      ]
      for (const [value, problem] of cases) {
        // On the required headline, so that an empty value is a problem too (elsewhere it is a skip).
        const response = await post(browser, survey.main.customer, { submission, ...answers({ a_excellent_service: value }) })
        expect(response.statusCode, JSON.stringify(value)).toBe(422)
        expect(summaryLinks(response.body), value).toEqual(['excellent_service-1'])
        expect(response.body).toContain(`<p class="err" id="excellent_service-e">${escapeHtml(EN.problems[problem])}</p>`)
        // A value off the scale is refused on an optional statement too (an empty one is a skip: see above).
        if (problem === 'required') continue
        const optional = await post(browser, survey.main.customer, { submission, ...answers({ a_promises: value }) })
        expect(optional.statusCode, `optional ${JSON.stringify(value)}`).toBe(422)
        expect(summaryLinks(optional.body), value).toEqual(['promises-1'])
      }
      expect(await responsesWithKey(submission)).toBe(0)
    })

    it('takes comments of up to 2,000 characters and keeps a longer one in the form', async () => {
      const long = 'é'.repeat(2001)
      const { browser, submission } = await open(survey.main.customer)
      const tooLong = await post(browser, survey.main.customer, { submission, ...answers(), comment: long })
      expect(tooLong.statusCode).toBe(422)
      expect(summaryLinks(tooLong.body)).toEqual(['comment'])
      expect(tooLong.body).toContain(`<p class="err" id="comment-e">${escapeHtml(EN.problems.too_long)}</p>`)
      expect(tooLong.body).toContain(`>${long}</textarea>`)
      expect(tooLong.body).toContain('maxlength=2000 ')
      expect(await responsesWithKey(submission)).toBe(0)

      const exact = await post(browser, survey.main.customer, { submission, ...answers(), comment: 'é'.repeat(2000) })
      expect(exact.statusCode).toBe(303)
      const stored = await db().selectFrom('responses').select('comment').where('submission_key', '=', submission).executeTakeFirstOrThrow()
      expect(stored.comment).toBe('é'.repeat(2000))

      // A browser sends the line breaks of a 2,000-character textarea as CRLF; they count once.
      const lines = `${'abcdefghi\r\n'.repeat(199)}abcdefghij`
      const crlf = await answer(survey.main.customer, { comment: lines })
      expect(crlf.response.statusCode).toBe(303)
      expect(crlf.stored!.comment).toBe(lines.replaceAll('\r\n', '\n'))
      expect(crlf.stored!.comment!.length).toBe(2000)

      const blank = await answer(survey.main.customer, { comment: '   \r\n  ' })
      expect(blank.stored!.comment).toBeNull()
    })

    it('never answers a comment with a NUL character with a 500', async () => {
      const { response } = await answer(survey.main.customer, { comment: 'before\u0000after' })
      expect(response.statusCode).toBeLessThan(500)
    })

    it('stores exactly the answers sent, "na" as null', async () => {
      const values = ['1', '2', '3', '4', '5', 'na', '5', '4', '3', '2', '1', 'na']
      const form = Object.fromEntries(KEYS.map((k, i) => [`a_${k}`, values[i]!]))
      const { browser, submission } = await open(survey.main.staff)
      const response = await post(browser, survey.main.staff, { submission, ...form, comment: '  Plain words.  ' })
      expect(response.statusCode).toBe(303)
      // A staff answer: waiting in the pool, or joined already; the same either way.
      const stored = (await keptForm(db(), submission))!
      expect(stored).toMatchObject({ side: 'staff', channel: 'link', unit_id: null, locale: 'en', comment: 'Plain words.', attributes: {}, organization_id: survey.organizationId })
      expect(stored.answers).toEqual(Object.fromEntries(KEYS.map((k, i) => [k, values[i] === 'na' ? null : Number(values[i])])))
    })
  })

  describe('double submits', () => {
    it('stores the same form sent twice once, and answers both with the thank-you page', async () => {
      const { browser, submission } = await open(survey.main.customer)
      const form = { submission, ...answers(), comment: 'once' }
      const first = await post(browser, survey.main.customer, form)
      const second = await post(browser, survey.main.customer, form)
      expect([first.statusCode, second.statusCode]).toEqual([303, 303])
      expect(second.headers.location).toBe(first.headers.location)
      expect(await responsesWithKey(submission)).toBe(1)
      const stored = await db().selectFrom('responses').select('id').where('submission_key', '=', submission).executeTakeFirstOrThrow()
      expect(await db().selectFrom('answers').select('item_key').where('response_id', '=', stored.id).execute()).toHaveLength(12)
    })

    it('stores the same form sent three times at once once', async () => {
      const { browser, submission } = await open(survey.main.staff)
      const form = { submission, ...answers() }
      const sent = await Promise.all([post(browser, survey.main.staff, form), post(browser, survey.main.staff, form), post(browser, survey.main.staff, form)])
      expect(sent.map((r) => r.statusCode)).toEqual([303, 303, 303])
      expect(await responsesWithKey(submission)).toBe(1)
    })

    it('stores two page loads as two responses', async () => {
      const a = await answer(survey.main.customer)
      const b = await answer(survey.main.customer)
      expect(a.submission).not.toBe(b.submission)
      expect(a.submission).toMatch(/^[A-Za-z0-9_-]{16,64}$/)
      expect(a.stored).toBeDefined()
      expect(b.stored).toBeDefined()
      expect(a.stored!.id).not.toBe(b.stored!.id)
    })

    it('stores a form without a usable submission key, but cannot tell a repeat then', async () => {
      for (const submission of ['', 'short', '"><b>x</b>']) {
        const browser = (await open(survey.main.customer)).browser
        const sent = await post(browser, survey.main.customer, { submission, ...answers() })
        expect(sent.statusCode).toBe(303)
      }
    })
  })
})
