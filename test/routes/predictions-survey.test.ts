// Staff predict what customers say (issue 14), end to end on both databases: the staff page of a wave
// with prediction questions asks them in every language, keeps every answer when one is missing,
// stores them in the pool as `predict:<key>` answers, and a release step moves them into the answers
// with the rest; the API import takes them on staff rows only, for predicted items, 0 … 10 or null;
// the export has a column per prediction.
import { parse } from 'csv-parse/sync'
import { expect, it } from 'vitest'
import { localize, LOCALES } from '../../server/domain/instrument.js'
import { measureKeys } from '../../server/domain/measures.js'
import { RESPONDENT_TEXT } from '../../server/i18n/respondent.js'
import { waveItems } from '../../server/repositories/instruments.js'
import { apiToken, bearer, createTenant, describeEachDatabase } from '../helpers/app.js'
import { profilesAndRecount } from '../helpers/recount.js'
import { answers, checked, createUnit, createWave, EN, escapeHtml, ITEMS, keptForm, KEYS, ORG, post, summaryLinks, surveyFixture, type Wave } from '../helpers/survey.js'

const HEADLINE = ITEMS.find((item) => item.headline)!.key
/** A complete set of predictions: every item `value` out of 10, with `overrides` on top. */
const predictions = (overrides: Record<string, string> = {}, value = '6') => ({ ...Object.fromEntries(KEYS.map((key) => [`p_${key}`, value])), ...overrides })
/** A prediction's list on the page: its options as [value, text] (an option without a value is valued by its text), and the one selected. */
const predictionList = (html: string, key: string) => {
  const list = html.match(new RegExp(`<select id=p-${key} name=p_${key}( [^>]*)?>(.*?)</select>`))
  const options = [...(list?.[2] ?? '').matchAll(/<option( value(?:=(?:"([^"]*)"|([^ >]*)))?)?( selected)?>([^<]*)/g)]
    .map((o) => ({ value: o[1] ? (o[2] ?? o[3] ?? '') : o[5]!, text: o[5]!, selected: Boolean(o[4]) }))
  return { attributes: list?.[1] ?? '', options: options.map((o) => [o.value, o.text]), selected: options.filter((o) => o.selected).map((o) => o.value) }
}
const predictionChecked = (html: string, key: string, value: string) => predictionList(html, key).selected.join() === value

describeEachDatabase('staff predictions: survey, pool, release, import and export', (ctx) => {
  const survey = surveyFixture(ctx)
  const { db, open } = survey
  let all: Wave
  let headline: Wave
  const api = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    ctx.app.inject({ method, url, headers: bearer(survey.key), ...(payload !== undefined ? { payload: payload as object } : {}) })

  it('asks staff, after the statements, how many of 10 customers would agree with each customer statement, in every language', async () => {
    all = await createWave(ctx, survey.key, { name: 'All', predictions: 'all' })
    headline = await createWave(ctx, survey.key, { name: 'Headline', predictions: 'headline' })
    for (const lang of ['en', 'es', 'de'] as const) {
      const t = RESPONDENT_TEXT[lang]
      const { page } = await open(all.staff, {}, `?lang=${lang}`)
      expect(page.statusCode).toBe(200)
      const heading = page.body.indexOf(escapeHtml(t.predictHeading))
      expect(heading, lang).toBeGreaterThan(page.body.lastIndexOf(`name=a_${KEYS.at(-1)} `))
      // The question is asked once, as the legend of the group of lists.
      const legend = page.body.indexOf(`<fieldset class="preds"><legend>${escapeHtml(t.predictQuestion)} (0 = ${escapeHtml(t.predictEnds[0])}, 10 = ${escapeHtml(t.predictEnds[1])})</legend>`)
      expect(legend, lang).toBeGreaterThan(heading)
      let last = legend
      for (const item of ITEMS) {
        const question = `<label for=p-${item.key}><span class=num>${ITEMS.indexOf(item) + 13}.</span> ${escapeHtml(t.predictStatement(localize(item.customerText, lang, ORG)))}${item.headline ? ' <span class="req" aria-hidden="true">*</span>' : ''}</label>`
        const at = page.body.indexOf(question)
        expect(at, `${lang} ${item.key}`).toBeGreaterThan(last)
        last = at
        // A labelled list: "—" (no answer yet), 0 … 10 with the ends saying what they count, and "I can't say".
        const list = predictionList(page.body, item.key)
        // Only the headline's prediction must be given, as the headline must be answered.
        expect(list.attributes, `${lang} ${item.key}`).toBe(item.headline ? ' required' : '')
        expect(list.options).toEqual([['', '—'], ['0', escapeHtml(t.predictOf(0))], ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => [String(k), String(k)]), ['10', escapeHtml(t.predictOf(10))], ['na', escapeHtml(t.cannotSay)]])
        expect(list.selected).toEqual([])
      }
      expect(page.body).not.toMatch(/<script/i)
      // The intro counts the predictions in its time: twelve statements and twelve predictions, about four minutes.
      expect(page.body).toContain(escapeHtml(t.time(12, 12)))
      expect(t.time(12, 12)).toMatch(/\b12\b.*\b12\b.*\b4\b/)
      // Customers never see them.
      const customer = (await open(all.customer, {}, `?lang=${lang}`)).page.body
      expect(customer).not.toContain(escapeHtml(t.predictHeading))
      expect(customer).not.toContain('name=p_')
    }
    expect(EN.predictStatement('I receive excellent service from Acme Co.')).toBe('“I receive excellent service from Acme Co.”')
    const one = (await open(headline.staff)).page.body
    expect(one).toContain(escapeHtml(EN.time(12, 1)))
    expect(EN.time(12, 1)).toBe('12 short statements and 1 question about our customers. It takes about 2 minutes.')
    expect(one.match(/name=p_[a-z_]+/g)).toEqual([`name=p_${HEADLINE}`])
    const plain = (await open(survey.main.staff)).page.body
    expect(plain).not.toContain(escapeHtml(EN.predictHeading))
    expect(plain).toContain('12 short statements. It takes about two minutes.')
  })

  it('names the missing headline prediction or a wrong one, and keeps every answer given', async () => {
    const { browser, submission } = await open(all.staff)
    const missing = await post(browser, all.staff, { submission, lang: 'en', ...answers({}, '2') })
    expect(missing.statusCode).toBe(422)
    expect(summaryLinks(missing.body)).toEqual([`p-${HEADLINE}`])
    expect(missing.body).toContain(`<p class="err" id="p-${HEADLINE}-e">${escapeHtml(EN.predictRequired)}</p>`)
    for (const key of KEYS) expect(checked(missing.body, key, '2')).toBe(true)
    for (const key of KEYS) expect(predictionList(missing.body, key).attributes).toBe(key === HEADLINE ? ` required aria-invalid=true aria-describedby=p-${key}-e` : '')
    const wrong = await post(browser, all.staff, { submission, lang: 'en', ...answers({}, '2'), ...predictions({ [`p_${HEADLINE}`]: '11', p_valued: 'na', p_easy: '0', p_trust: '10' }, '3') })
    expect(wrong.statusCode).toBe(422)
    expect(summaryLinks(wrong.body)).toEqual([`p-${HEADLINE}`])
    expect(wrong.body).toContain(`<p class="err" id="p-${HEADLINE}-e">${escapeHtml(EN.problems.invalid)}</p>`)
    expect(predictionChecked(wrong.body, 'valued', 'na')).toBe(true)
    expect(predictionChecked(wrong.body, 'want_to_help', '3')).toBe(true)
    expect(predictionChecked(wrong.body, 'easy', '0')).toBe(true)
    expect(predictionChecked(wrong.body, 'trust', '10')).toBe(true)
    expect(predictionList(wrong.body, HEADLINE).selected).toEqual([])
    expect(predictionList(wrong.body, 'valued').attributes).toBe('')
    expect(await survey.responsesWithKey(submission)).toBe(0)
  })

  it('keeps predictions in the pool, and a release step moves them into the answers; the rollups hold their measures', async () => {
    let kept: Awaited<ReturnType<typeof keptForm>>
    for (let i = 0; i < 5; i++) {
      const { browser, submission } = await open(all.staff)
      const sent = await post(browser, all.staff, { submission, lang: 'en', ...answers(), ...predictions({ p_valued: 'na' }, String(i)) })
      expect(sent.statusCode).toBe(303)
      if (i === 0) kept = await keptForm(db(), submission)
    }
    expect(kept!.answers).toMatchObject({ [`predict:${HEADLINE}`]: 0, 'predict:valued': null, [HEADLINE]: 4 })
    const released = await db().selectFrom('answers').innerJoin('responses', 'responses.id', 'answers.response_id')
      .select(['answers.item_key', 'answers.value']).where('responses.wave_id', '=', all.id).where('answers.item_key', 'like', 'predict:%').execute()
    expect(released.filter((a) => a.item_key === `predict:${HEADLINE}`).map((a) => a.value).sort()).toEqual([0, 1, 2, 3, 4])
    expect(released.filter((a) => a.item_key === 'predict:valued').map((a) => a.value)).toEqual([null, null, null, null, null])
    const staff = await profilesAndRecount(db(), all.id, 'staff')
    expect(staff.rolled).toEqual(staff.recounted)
    const keys = measureKeys(await waveItems(db(), all.id))
    const total = staff.rolled.reduce((sum, p) => sum.map((c, i) => c + p.counts[i]!), keys.map(() => 0))
    expect(total[keys.indexOf(`predict:${HEADLINE}`)]).toBe(5)
    expect(total[keys.indexOf('predict:valued')]).toBe(0)
    const report = await api('GET', `/api/v1/waves/${all.id}/report`)
    expect(report.statusCode).toBe(200)
    expect(report.json().headline.staff.n).toBe(5)
  })

  it('takes predictions through the API on staff rows for predicted items only, 0 … 10 or null', async () => {
    const stored = await api('POST', `/api/v1/waves/${headline.id}/responses`, [
      { side: 'staff', answers: { [HEADLINE]: 5 }, predictions: { [HEADLINE]: 7 } },
      { side: 'staff', answers: { [HEADLINE]: 4 }, predictions: { [HEADLINE]: null } },
    ])
    expect(stored.statusCode).toBe(201)
    const pooled = await db().selectFrom('staff_pool').select('answers').where('wave_id', '=', headline.id).execute()
    expect(pooled.map((p) => p.answers[`predict:${HEADLINE}`]).sort()).toEqual([7, null])
    const refused = await api('POST', `/api/v1/waves/${headline.id}/responses`, [
      { side: 'customer', answers: { [HEADLINE]: 5 }, predictions: { [HEADLINE]: 7 } },
      { side: 'staff', answers: { [HEADLINE]: 5 }, predictions: { valued: 7 } },
      { side: 'staff', answers: { [HEADLINE]: 5 }, predictions: { [HEADLINE]: 11 } },
      { side: 'staff', answers: { [HEADLINE]: 5 }, predictions: { [HEADLINE]: 2.5 } },
      { side: 'staff', answers: { [HEADLINE]: 5 }, predictions: { nothing: 2 } },
      { side: 'staff', answers: { [HEADLINE]: 5 }, predictions: [3] },
      { side: 'staff', answers: { [HEADLINE]: 5, [`predict:${HEADLINE}`]: 3 } },
    ])
    expect(refused.statusCode).toBe(400)
    expect((refused.json().details as Array<{ row: number; field: string }>).map((d) => `${d.row} ${d.field}`)).toEqual([
      '1 predictions', '2 predictions.valued', `3 predictions.${HEADLINE}`, `4 predictions.${HEADLINE}`, '5 predictions.nothing', '6 predictions', `7 answers.predict:${HEADLINE}`,
    ])
    // A wave without prediction questions predicts nothing.
    const off = await api('POST', `/api/v1/waves/${survey.main.id}/responses`, { side: 'staff', answers: { [HEADLINE]: 5 }, predictions: { [HEADLINE]: 7 } })
    expect(off.statusCode).toBe(400)
    expect(await db().selectFrom('staff_pool').select('id').where('wave_id', '=', headline.id).execute()).toHaveLength(2)
  })

  it('exports a predict:<key> column per predicted item, filled on staff rows only', async () => {
    await api('POST', `/api/v1/waves/${all.id}/responses`, { side: 'customer', answers: { [HEADLINE]: 5 } })
    const response = await api('GET', `/api/v1/waves/${all.id}/export.csv`)
    expect(response.statusCode).toBe(200)
    const rows = parse(response.body, { bom: true, columns: true }) as Array<Record<string, string>>
    expect(Object.keys(rows[0]!)).toEqual(expect.arrayContaining(KEYS.map((key) => `predict:${key}`)))
    const header = Object.keys(rows[0]!)
    expect(header.indexOf(`predict:${KEYS[0]}`)).toBe(header.indexOf(KEYS.at(-1)!) + 1)
    const staff = rows.filter((row) => row.side === 'staff')
    expect(staff.map((row) => row[`predict:${HEADLINE}`]).sort()).toEqual(['0', '1', '2', '3', '4'])
    expect(staff.every((row) => row['predict:valued'] === 'na')).toBe(true)
    expect(rows.filter((row) => row.side === 'customer').map((row) => row[`predict:${HEADLINE}`])).toEqual([''])
    const plain = parse((await api('GET', `/api/v1/waves/${survey.main.id}/export.csv`)).body, { bom: true, to_line: 1 }) as string[][]
    expect(plain[0]!.some((column) => column.startsWith('predict:'))).toBe(false)
  })

  // The page's budget is 25 KB, HTML and style sheet together, as for every survey page: here for the
  // heaviest staff page, a wave predicting all twelve items, with a long organization name and ten long
  // unit names (as the page-weight test in survey-page.test.ts builds it), in every language the product
  // speaks, as first shown and as sent back empty (the headline and its prediction then need an answer).
  it('keeps the staff page with prediction questions on every item within 25 KB with its style sheet, in every language, with problems too', async () => {
    const tenant = await createTenant(ctx, 'Northwind Regional Services Cooperative')
    const key = await apiToken(ctx, tenant.owner.email)
    for (let i = 1; i <= 10; i++) await createUnit(ctx, key, `Branch ${String(i).padStart(2, '0')} — Market Street Service Centre`)
    const heavy = await createWave(ctx, key, { name: 'Heavy', predictions: 'all' })
    const cssBytes = Buffer.byteLength((await ctx.app.inject({ method: 'GET', url: '/public/survey.css' })).rawPayload)
    const sizes: string[] = []
    for (const lang of LOCALES) {
      const { page, browser, submission } = await open(heavy.staff, {}, `?lang=${lang}`)
      expect(page.body, lang).toContain(`<html lang="${lang}"`)
      expect(page.body.match(/<select /g), lang).toHaveLength(KEYS.length + 1)
      const html = Buffer.byteLength(page.rawPayload)
      expect.soft(html + cssBytes, `all ${lang}: ${html} + ${cssBytes} bytes`).toBeLessThanOrEqual(25 * 1000)
      const problems = await post(browser, heavy.staff, { submission, lang })
      expect(problems.statusCode, lang).toBe(422)
      expect(summaryLinks(problems.body), lang).toEqual([`${HEADLINE}-1`, `p-${HEADLINE}`])
      const withProblems = Buffer.byteLength(problems.rawPayload)
      expect.soft(withProblems + cssBytes, `all ${lang}, with problems: ${withProblems} + ${cssBytes} bytes`).toBeLessThanOrEqual(25 * 1000)
      const one = Buffer.byteLength((await open(headline.staff, {}, `?lang=${lang}`)).page.rawPayload)
      expect(one + cssBytes, `headline ${lang}: ${one} + ${cssBytes} bytes`).toBeLessThanOrEqual(25 * 1000)
      sizes.push(`${lang}: ${html + cssBytes} (${withProblems + cssBytes} with problems)`)
    }
    console.info(`heaviest staff page, HTML + ${cssBytes} bytes of CSS: ${sizes.join(', ')}`)
  })
})
