// The respondent's pages, GET and POST /s/:token, on both databases: what a link opens, the states a
// survey can be in, languages, escaping, page weight and headers.
import { LOCALES } from '../../server/domain/languages.js'
import { describe, expect, it } from 'vitest'
import { localize } from '../../server/domain/instrument.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { RESPONDENT_TEXT } from '../../server/i18n/respondent.js'
import { createInvitation } from '../../server/repositories/responses.js'
import { setWaveStatus } from '../../server/repositories/waves.js'
import { apiToken, Browser, createTenant, describeEachDatabase } from '../helpers/app.js'
import {
  answers, checked, createUnit, createWave, EN, escapeHtml, expectNoStack, formBody, hidden, ITEMS, KEYS, nextAddress, ORG, OWN_SCRIPT, post, summaryLinks, surveyFixture, without, withoutOwnScript,
} from '../helpers/survey.js'

describeEachDatabase('respondent survey pages: links, states, languages, escaping, weight and headers', (ctx) => {
  const survey = surveyFixture(ctx)
  const { db, open, answer, responsesWithKey } = survey

  describe('links and the states of a survey', () => {
    it('shows the customer link in customer words with the organization filled in, every item in order', async () => {
      const { page } = await open(survey.main.customer)
      expect(page.statusCode).toBe(200)
      expect(page.headers['content-type']).toMatch(/^text\/html/)
      expect(page.body).toContain('<html lang="en">')
      expect(page.body).toContain('I receive excellent service from Acme Co.')
      expect(page.body).toContain('It is easy to get what I need from Acme Co.')
      let last = -1
      for (const item of ITEMS) {
        const at = page.body.indexOf(escapeHtml(localize(item.customerText, 'en', ORG)))
        expect(at, item.key).toBeGreaterThan(last)
        last = at
        expect(page.body).not.toContain(escapeHtml(localize(item.staffText, 'en', ORG)))
      }
      expect(page.body).toContain(escapeHtml(EN.introCustomer(ORG)))
      expect(page.body).toContain(escapeHtml(localize(SERVICE_GAP_INDEX_V1.customerQuestion, 'en', ORG)))
      expect(page.body).not.toContain(escapeHtml(EN.anonymousStaff))
      expect(page.body).toContain(`action="/s/${survey.main.customer}"`)
      expect(page.body).not.toMatch(/<script/i)
    })

    it('shows the staff link in staff words with the anonymity promise', async () => {
      const { page } = await open(survey.main.staff)
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('Our customers receive excellent service from us.')
      expect(page.body).toContain(escapeHtml("We have the skills and information to solve customers' problems."))
      for (const item of ITEMS) {
        expect(page.body).toContain(escapeHtml(localize(item.staffText, 'en', ORG)))
        expect(page.body).not.toContain(escapeHtml(localize(item.customerText, 'en', ORG)))
      }
      expect(page.body).toContain(escapeHtml(EN.introStaff(ORG)))
      expect(page.body).toContain(escapeHtml(EN.anonymousStaff))
      expect(page.body).toContain(escapeHtml(EN.unitQuestionStaff))
    })

    it('lets a general link on an organization with units pick a unit, and stores it', async () => {
      const { page } = await open(survey.main.customer)
      expect(page.body).toContain('<select id=unit name=unit><option value>')
      expect(page.body).toContain(`<option value=${survey.units.north}>North branch<`)
      expect(page.body).toContain(`<option value=${survey.units.south}>South branch<`)
      const { response, stored } = await answer(survey.main.customer, { unit: survey.units.south })
      expect(response.statusCode).toBe(303)
      expect(stored).toMatchObject({ unit_id: survey.units.south, side: 'customer', channel: 'link', wave_id: survey.main.id })
      const none = await answer(survey.main.customer, { unit: '' })
      expect(none.response.statusCode).toBe(303)
      expect(none.stored!.unit_id).toBeNull()
    })

    it('answers a unit that is not one of the organization\'s with a 422 next to the picker', async () => {
      const other = await createTenant(ctx, 'Other Org')
      const foreignUnit = (await db().insertInto('units').values({ organization_id: other.organizationId, name: 'Foreign' }).returning('id').executeTakeFirstOrThrow()).id
      for (const unit of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', foreignUnit, `${survey.units.north} `]) {
        const { response, stored } = await answer(survey.main.customer, { unit })
        expect(response.statusCode, unit).toBe(422)
        expect(stored).toBeUndefined()
        expect(summaryLinks(response.body)).toEqual(['unit'])
        expect(response.body).toContain(`<p class="err" id="unit-e">${escapeHtml(EN.problems.unit)}</p>`)
        for (const item of KEYS) expect(checked(response.body, item, '4')).toBe(true)
      }
    })

    it('carries a unit link\'s unit into the response and shows no picker', async () => {
      const link = survey.main.units['North branch']!
      for (const token of [link.customer, link.staff]) {
        const { page, response, kept } = await answer(token)
        expect(page.body).not.toContain('<select')
        expect(page.body).not.toContain('South branch')
        expect(response.statusCode).toBe(303)
        expect(kept!.unit_id).toBe(survey.units.north)
      }
    })

    it('names the unit a unit link is about, in the respondent\'s language and escaped, and marks only the required statement', async () => {
      const link = survey.main.units['North branch']!
      const customer = await open(link.customer)
      expect(customer.page.body).toContain(`<p class="about">${escapeHtml(EN.aboutUnitCustomer('North branch'))}</p>`)
      expect(customer.page.body).toContain(escapeHtml(EN.answerMarked))
      expect(customer.page.body.match(/class="req"/g)).toHaveLength(1)
      expect(customer.page.body).toMatch(/id=excellent_service-1 name=a_excellent_service value=1 required>/)
      expect(customer.page.body).toMatch(/id=easy-1 name=a_easy value=1>/)
      const staff = await open(link.staff, {}, '?lang=de')
      expect(staff.page.body).toContain(`<p class="about">${escapeHtml(RESPONDENT_TEXT.de.aboutUnitStaff('North branch'))}</p>`)
      const spanish = await open(link.customer, {}, '?lang=es')
      expect(spanish.page.body).toContain(escapeHtml(RESPONDENT_TEXT.es.aboutUnitCustomer('North branch')))
      // A general link is about no one unit.
      expect((await open(survey.main.customer)).page.body).not.toContain('class="about"')

      const tenant = await createTenant(ctx, 'Markup Org')
      const key = await apiToken(ctx, tenant.owner.email)
      await createUnit(ctx, key, '<b>x</b>')
      const wave = await createWave(ctx, key, { name: 'Markup', unitLinks: true })
      for (const token of [wave.units['<b>x</b>']!.customer, wave.units['<b>x</b>']!.staff]) {
        const { browser, page, submission } = await open(token)
        expect(page.body).not.toContain('<b>x</b>')
        expect(page.body).toContain('&lt;b&gt;x&lt;/b&gt;</p>')
        const wrong = await post(browser, token, { submission, ...without(answers(), 'excellent_service') })
        expect(wrong.statusCode).toBe(422)
        expect(wrong.body).not.toContain('<b>x</b>')
        expect(wrong.body).toContain('&lt;b&gt;x&lt;/b&gt;</p>')
      }
    })

    it('answers unknown and malformed tokens with 404, never a 500', async () => {
      const tokens = [
        'AAAAAAAAAAAAAAAAAAAAAA', 'short', 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(199),
        'a.b', '...', '.x.', 'x%2F..%2F..%2Fetc%2Fpasswd', 'a%2Fb', 'a%00b', '%00', 'abc%00%00%00%00%00%00%00%00%00%00%00%00%00',
        '%C3%A9t%C3%A9%C3%A9t%C3%A9%C3%A9t%C3%A9%C3%A9t%C3%A9', '%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80',
        '%3Cscript%3Ealert(1)%3C%2Fscript%3E', "'%20or%201=1--", 'a b', 'a+b', `${survey.main.customer}x`, survey.main.customer.slice(1),
      ]
      for (const token of tokens) {
        for (const url of [`/s/${token}`, `/s/${token}/thanks`]) {
          const response = await ctx.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } })
          expect(response.statusCode, url).toBe(404)
          expectNoStack(response)
          expect(response.body).not.toContain('<script>')
        }
        const posted = await ctx.app.inject({ method: 'POST', url: `/s/${token}`, headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, payload: formBody(answers()), remoteAddress: nextAddress() })
        expect(posted.statusCode, `POST ${token}`).toBe(404)
      }
      for (const url of ['/s/a/b', '/s/../s/x', '/s/', '/s', `/s/${survey.main.customer}/`.replace(/\/$/, '/extra')]) {
        const response = await ctx.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } })
        expect(response.statusCode, url).toBe(404)
      }
      // Tokens longer than the router takes are refused before any lookup (414 URI Too Long).
      for (const length of [201, 500, 5000]) {
        for (const method of ['GET', 'POST'] as const) {
          const response = await ctx.app.inject({ method, url: `/s/${'x'.repeat(length)}`, headers: { accept: 'text/html' }, remoteAddress: nextAddress() })
          expect([404, 414], `${method} ${length}`).toContain(response.statusCode)
          expectNoStack(response)
        }
      }
      // A broken percent-encoding is a bad request, not a crash.
      const broken = await ctx.app.inject({ method: 'GET', url: '/s/%E0%A4%A', headers: { accept: 'text/html' } })
      expect(broken.statusCode).toBeGreaterThanOrEqual(400)
      expect(broken.statusCode).toBeLessThan(500)
      const page = await ctx.app.inject({ method: 'GET', url: '/s/AAAAAAAAAAAAAAAAAAAAAA', headers: { accept: 'text/html' } })
      expect(page.body).toContain('Survey not found')
      expect(page.headers['cache-control']).toBe('no-store')
    })

    it('hides a draft wave and a scheduled wave behind 404, and opens a scheduled wave when its day comes', async () => {
      const draft = await createWave(ctx, survey.key, { name: 'Draft', status: 'draft' })
      const scheduled = await createWave(ctx, survey.key, { name: 'Scheduled', opensAt: '2099-01-01', closesAt: '2099-03-31' })
      for (const token of [draft.staff, draft.customer, scheduled.staff, scheduled.customer]) {
        const page = await ctx.app.inject({ method: 'GET', url: `/s/${token}`, headers: { accept: 'text/html' } })
        expect(page.statusCode).toBe(404)
        expect(page.body).toContain('Survey not found')
        expect(page.body).not.toContain('Acme Co')
        const browser = new Browser(ctx.app)
        const sent = await post(browser, token, answers())
        expect(sent.statusCode).toBe(404)
      }
      expect(await db().selectFrom('responses').select('id').where('wave_id', 'in', [draft.id, scheduled.id]).execute()).toEqual([])
      await db().updateTable('waves').set({ opens_at: new Date(Date.now() - 60_000), closes_at: null }).where('id', '=', scheduled.id).execute()
      const { response } = await answer(scheduled.customer)
      expect(response.statusCode).toBe(303)
    })

    it('answers a closed wave with 410 and a friendly page, on GET and POST, and stores nothing', async () => {
      const wave = await createWave(ctx, survey.key, { name: 'Closed soon' })
      const { browser, page, submission } = await open(wave.customer)
      expect(page.statusCode).toBe(200)
      await setWaveStatus(db(), survey.organizationId, wave.id, 'closed')
      for (const token of [wave.customer, wave.staff]) {
        const closed = await ctx.app.inject({ method: 'GET', url: `/s/${token}`, headers: { accept: 'text/html' } })
        expect(closed.statusCode).toBe(410)
        expect(closed.body).toContain('This survey has closed')
        expect(closed.body).toContain(escapeHtml(EN.closedBody(ORG)))
        expect(closed.body).not.toContain('<form')
      }
      const late = await post(browser, wave.customer, { submission, ...answers() })
      expect(late.statusCode).toBe(410)
      expect(late.body).toContain('This survey has closed')
      expect(await responsesWithKey(submission)).toBe(0)
    })

    it('answers a wave whose closing time has passed with 410', async () => {
      const wave = await createWave(ctx, survey.key, { name: 'Ran out' })
      await db().updateTable('waves').set({ opens_at: new Date(Date.now() - 86_400_000), closes_at: new Date(Date.now() - 1000) }).where('id', '=', wave.id).execute()
      const page = await ctx.app.inject({ method: 'GET', url: `/s/${wave.staff}`, headers: { accept: 'text/html' } })
      expect(page.statusCode).toBe(410)
      expect(page.body).toContain('This survey has closed')
      const sent = await post(new Browser(ctx.app), wave.staff, answers())
      expect(sent.statusCode).toBe(410)
    })

    it('redirects to a thank-you page in the respondent\'s language; staff are reminded they are anonymous', async () => {
      const customer = await answer(survey.main.customer)
      expect(customer.response.statusCode).toBe(303)
      expect(customer.response.headers.location).toBe(`/s/${survey.main.customer}/thanks?lang=en`)
      const thanks = await customer.browser.get(customer.response.headers.location!)
      expect(thanks.statusCode).toBe(200)
      expect(thanks.headers['cache-control']).toBe('no-store')
      expect(thanks.body).toContain('<h1>Thank you</h1>')
      expect(thanks.body).toContain(EN.thanksBody)
      expect(thanks.body).not.toContain(EN.thanksStaff)

      const staff = await answer(survey.main.staff, { lang: 'de' })
      expect(staff.response.headers.location).toBe(`/s/${survey.main.staff}/thanks?lang=de`)
      const danke = await staff.browser.get(staff.response.headers.location!)
      expect(danke.body).toContain('<html lang="de">')
      expect(danke.body).toContain('Vielen Dank')
      expect(danke.body).toContain(RESPONDENT_TEXT.de.thanksStaff)
    })
  })

  describe('languages', () => {
    it('follows Accept-Language, offers a switcher, and lets ?lang override', async () => {
      const german = await open(survey.main.customer, { 'accept-language': 'de-CH, de;q=0.9, en;q=0.5' })
      expect(german.page.body).toContain('<html lang="de">')
      expect(german.page.body).toContain('Ich erhalte von Acme Co einen ausgezeichneten Service.')
      expect(german.page.body).toContain(escapeHtml(RESPONDENT_TEXT.de.submit))
      expect(german.page.body).toContain('name="lang" value="de"')
      expect(german.page.body).toMatch(/<nav class="langs"[^>]*>/)
      for (const [code, name] of [['en', 'English'], ['es', 'Español'], ['de', 'Deutsch'], ['fr', 'Français'], ['pt', 'Português']]) {
        expect(german.page.body).toContain(`href="?lang=${code}" lang=${code}`)
        expect(german.page.body).toContain(`>${name}</a>`)
      }
      expect(german.page.body).toMatch(/lang=de aria-current=true/)

      const spanish = await open(survey.main.customer, { 'accept-language': 'de' }, '?lang=es')
      expect(spanish.page.body).toContain('<html lang="es">')
      expect(spanish.page.body).toContain('Recibo un servicio excelente de Acme Co.')
      expect(spanish.page.body).toContain(escapeHtml(RESPONDENT_TEXT.es.scale[0]))

      const ranked = await open(survey.main.staff, { 'accept-language': 'it, es;q=0.8, de;q=0.9' })
      expect(ranked.page.body).toContain('<html lang="de">')
      expect(ranked.page.body).toContain('Unsere Kunden erhalten von uns einen ausgezeichneten Service.')

      for (const header of ['', 'it', '*', 'de;q=0', 'xx-YY;q=abc, ;;;', 'e'.repeat(3000)]) {
        const page = await open(survey.main.customer, { 'accept-language': header })
        expect(page.page.statusCode, header.slice(0, 20)).toBe(200)
        expect(page.page.body).toContain('<html lang="en">')
      }
      for (const lang of ['it', 'EN', 'FR', '', '<script>', 'de&lang=es']) {
        const page = await open(survey.main.customer, {}, `?lang=${encodeURIComponent(lang)}`)
        expect(page.page.statusCode).toBe(200)
        expect(page.page.body).toContain('<html lang="en">')
      }
    })

    it('speaks French and Portuguese, chosen by the browser or by the language links, and stores the answer in that language', async () => {
      const cases = [
        { lang: 'fr', headers: { 'accept-language': 'fr-CA, fr;q=0.9, en;q=0.5' }, query: '', statement: 'Je reçois un excellent service de la part de Acme Co.' },
        { lang: 'fr', headers: { 'accept-language': 'de' }, query: '?lang=fr', statement: 'Je reçois un excellent service de la part de Acme Co.' },
        { lang: 'pt', headers: { 'accept-language': 'pt-BR, pt;q=0.9' }, query: '', statement: 'Recebo de Acme Co um serviço excelente.' },
        { lang: 'pt', headers: { 'accept-language': 'fr' }, query: '?lang=pt', statement: 'Recebo de Acme Co um serviço excelente.' },
      ] as const
      for (const { lang, headers, query, statement } of cases) {
        const t = RESPONDENT_TEXT[lang]
        const { browser, page, submission } = await open(survey.main.customer, headers, query)
        expect(page.statusCode).toBe(200)
        expect(page.body).toContain(`<html lang="${lang}">`)
        expect(page.body).toContain(escapeHtml(statement))
        expect(page.body).toContain(escapeHtml(t.scale[4]))
        expect(page.body).toContain(escapeHtml(t.submit))
        expect(page.body).toMatch(new RegExp(`lang=${lang} aria-current=true>${t.languageName}</a>`))
        const sent = await post(browser, survey.main.customer, { submission, lang, ...answers() }, { headers })
        expect(sent.statusCode).toBe(303)
        expect(sent.headers.location).toBe(`/s/${survey.main.customer}/thanks?lang=${lang}`)
        expect((await db().selectFrom('responses').select('locale').where('submission_key', '=', submission).executeTakeFirstOrThrow()).locale).toBe(lang)
        const thanks = await browser.request({ method: 'GET', url: sent.headers.location as string })
        expect(thanks.body).toContain(escapeHtml(t.thanksTitle))
      }
    })

    it('falls back to a language the wave offers and shows no switcher when it offers one', async () => {
      const english = await createWave(ctx, survey.key, { name: 'English only', locales: ['en'] })
      for (const [headers, query] of [[{ 'accept-language': 'de' }, ''], [{}, '?lang=es'], [{ 'accept-language': 'es' }, '?lang=de']] as const) {
        const { browser, page, submission } = await open(english.customer, headers, query)
        expect(page.statusCode).toBe(200)
        expect(page.body).toContain('<html lang="en">')
        expect(page.body).toContain('I receive excellent service from Acme Co.')
        expect(page.body).not.toContain('class="langs"')
        expect(page.body).not.toContain('?lang=')
        // A lang field the wave does not offer is ignored when storing, too.
        const sent = await post(browser, english.customer, { submission, lang: 'de', ...answers() }, { headers: { 'accept-language': 'de' } })
        expect(sent.statusCode).toBe(303)
        expect(sent.headers.location).toBe(`/s/${english.customer}/thanks?lang=en`)
        expect((await db().selectFrom('responses').select('locale').where('submission_key', '=', submission).executeTakeFirstOrThrow()).locale).toBe('en')
      }
    })

    it('keeps the chosen language through a form that needs correcting, and stores it', async () => {
      const { browser, page, submission } = await open(survey.main.customer, {}, '?lang=es')
      expect(hidden(page.body, 'lang')).toBe('es')
      const wrong = await post(browser, survey.main.customer, { submission, lang: 'es', ...without(answers(), 'excellent_service') }, { headers: { 'accept-language': 'de' } })
      expect(wrong.statusCode).toBe(422)
      expect(wrong.body).toContain('<html lang="es">')
      expect(wrong.body).toContain('name="lang" value="es"')
      expect(wrong.body).toContain(escapeHtml(RESPONDENT_TEXT.es.problems.required))
      expect(wrong.body).toContain(escapeHtml(RESPONDENT_TEXT.es.errorSummary(1)))
      expect(wrong.body).toContain(escapeHtml(localize(ITEMS.find((i) => i.key === 'excellent_service')!.customerText, 'es', ORG)))
      const fixed = await post(browser, survey.main.customer, { submission: hidden(wrong.body, 'submission')!, lang: hidden(wrong.body, 'lang')!, ...answers() })
      expect(fixed.statusCode).toBe(303)
      expect(fixed.headers.location).toBe(`/s/${survey.main.customer}/thanks?lang=es`)
      expect((await db().selectFrom('responses').select('locale').where('submission_key', '=', submission).executeTakeFirstOrThrow()).locale).toBe('es')
    })

    it('shows the 404 and 410 pages in the language of the browser', async () => {
      const notFound = await ctx.app.inject({ method: 'GET', url: '/s/AAAAAAAAAAAAAAAAAAAAAA', headers: { 'accept-language': 'de' } })
      expect(notFound.statusCode).toBe(404)
      expect(notFound.body).toContain('<html lang="de">')
      expect(notFound.body).toContain('Umfrage nicht gefunden')
      const notFoundEs = await ctx.app.inject({ method: 'GET', url: '/s/AAAAAAAAAAAAAAAAAAAAAA?lang=es', headers: { 'accept-language': 'de' } })
      expect(notFoundEs.body).toContain('Encuesta no encontrada')

      const wave = await createWave(ctx, survey.key, { name: 'Closed languages' })
      await setWaveStatus(db(), survey.organizationId, wave.id, 'closed')
      const closed = await ctx.app.inject({ method: 'GET', url: `/s/${wave.customer}`, headers: { 'accept-language': 'es' } })
      expect(closed.statusCode).toBe(410)
      expect(closed.body).toContain('<html lang="es">')
      expect(closed.body).toContain('Esta encuesta ha finalizado')
      expect(closed.body).toContain(RESPONDENT_TEXT.es.closedBody(ORG))

      const token = await createInvitation(db(), { organizationId: survey.organizationId, waveId: survey.main.id, side: 'customer' })
      await answer(token)
      const used = await ctx.app.inject({ method: 'GET', url: `/s/${token}`, headers: { 'accept-language': 'de' } })
      expect(used.statusCode).toBe(410)
      expect(used.body).toContain('<html lang="de">')
      expect(used.body).toContain('Sie haben schon geantwortet – vielen Dank')
    })
  })

  describe('escaping', () => {
    const PAYLOADS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>", '</textarea><script>alert(2)</script>']

    it('stores hostile comments verbatim and prints them escaped', async () => {
      for (const payload of PAYLOADS) {
        const { browser, submission } = await open(survey.main.customer)
        const wrong = await post(browser, survey.main.customer, { submission, ...without(answers(), 'excellent_service'), comment: payload })
        expect(wrong.statusCode).toBe(422)
        if (payload === PAYLOADS[0]) expect(wrong.body).toContain('>&lt;script&gt;alert(1)&lt;/script&gt;</textarea>')
        expect(wrong.body).toContain(`>${escapeHtml(payload)}</textarea>`)
        expect(wrong.body).not.toContain(payload)
        expect(withoutOwnScript(wrong.body)).not.toMatch(/<script|<img|<svg/)
        const sent = await post(browser, survey.main.customer, { submission, ...answers(), comment: payload })
        expect(sent.statusCode).toBe(303)
        const stored = await db().selectFrom('responses').select('comment').where('submission_key', '=', submission).executeTakeFirstOrThrow()
        expect(stored.comment).toBe(payload)
      }
    })

    it('escapes an organization name and unit names with markup on every respondent page', async () => {
      const evilOrg = `<script>alert("org")</script> & 'Co'`
      const evilUnit = '"><img src=x onerror=alert(1)>'
      const tenant = await createTenant(ctx, evilOrg)
      const evilKey = await apiToken(ctx, tenant.owner.email)
      const unitId = await createUnit(ctx, evilKey, evilUnit)
      const wave = await createWave(ctx, evilKey, { name: 'Evil' })
      for (const token of [wave.customer, wave.staff]) {
        const { browser, page, submission } = await open(token)
        expect(page.statusCode).toBe(200)
        expect(page.body).not.toMatch(/<script|<img/)
        expect(page.body).toContain(escapeHtml(evilOrg))
        expect(page.body).toContain(`<title>${escapeHtml(evilOrg)}</title>`)
        expect(page.body).toContain(`<option value=${unitId}>${escapeHtml(evilUnit)}<`)
        const wrong = await post(browser, token, { submission, unit: unitId, ...without(answers(), 'excellent_service') })
        expect(wrong.statusCode).toBe(422)
        expect(withoutOwnScript(wrong.body)).not.toMatch(/<script|<img/)
        expect(wrong.body).toContain(`<option value=${unitId} selected>${escapeHtml(evilUnit)}<`)
        const sent = await post(browser, token, { submission, unit: unitId, ...answers() })
        expect(sent.statusCode).toBe(303)
        const thanks = await browser.get(sent.headers.location!)
        expect(thanks.body).not.toMatch(/<script|<img/)
        expect(thanks.body).toContain(escapeHtml(evilOrg))
      }
      await setWaveStatus(db(), tenant.organizationId, wave.id, 'closed')
      const closed = await ctx.app.inject({ method: 'GET', url: `/s/${wave.customer}` })
      expect(closed.statusCode).toBe(410)
      expect(closed.body).not.toMatch(/<script|<img/)
      expect(closed.body).toContain(escapeHtml(EN.closedBody(evilOrg)))
    })
  })

  describe('page weight', () => {
    it('keeps the HTML and CSS of the survey page within 25 KB with ten units listed, in every language', async () => {
      const tenant = await createTenant(ctx, 'Northwind Regional Services Cooperative')
      const sizeKey = await apiToken(ctx, tenant.owner.email)
      for (let i = 1; i <= 10; i++) await createUnit(ctx, sizeKey, `Branch ${String(i).padStart(2, '0')} — Market Street Service Centre`)
      const wave = await createWave(ctx, sizeKey, { name: 'Weight' })
      const css = await ctx.app.inject({ method: 'GET', url: '/public/survey.css' })
      expect(css.statusCode).toBe(200)
      expect(css.headers['content-type']).toMatch(/^text\/css/)
      const cssBytes = Buffer.byteLength(css.rawPayload)
      for (const token of [wave.staff, wave.customer]) {
        for (const lang of LOCALES) {
          const { page } = await open(token, {}, `?lang=${lang}`)
          expect(page.statusCode).toBe(200)
          expect(page.body.match(/<option /g)).toHaveLength(11)
          // The only resource the page loads is the stylesheet.
          expect([...page.body.matchAll(/(?:src|href)="([^"#?][^"]*)"/g)].map((m) => m[1])).toEqual(['/public/survey.css'])
          const total = Buffer.byteLength(page.rawPayload) + cssBytes
          expect(total, `${token === wave.staff ? 'staff' : 'customer'} ${lang}: ${total} bytes`).toBeLessThanOrEqual(25 * 1000)
        }
      }
    })
  })

  describe('headers', () => {
    it('sends no-store, no referrer and a CSP without inline code on every survey page', async () => {
      const closedWave = await createWave(ctx, survey.key, { name: 'Closed headers' })
      await setWaveStatus(db(), survey.organizationId, closedWave.id, 'closed')
      const { browser, submission } = await open(survey.main.customer)
      const pages = [
        ['form', await browser.get(`/s/${survey.main.customer}`)],
        ['422', await post(browser, survey.main.customer, { submission, ...without(answers(), 'excellent_service') })],
        ['403', await post(browser, survey.main.customer, { submission, ...answers() }, { csrf: false })],
        ['404', await browser.get('/s/AAAAAAAAAAAAAAAAAAAAAA')],
        ['410', await browser.get(`/s/${closedWave.customer}`)],
        ['thanks', await browser.get(`/s/${survey.main.customer}/thanks`)],
      ] as const
      for (const [name, response] of pages) {
        expect(response.headers['cache-control'], name).toBe('no-store')
        expect(response.headers['referrer-policy'], name).toBe('no-referrer')
        const csp = String(response.headers['content-security-policy'])
        expect(csp, name).toContain("default-src 'self'")
        expect(csp, name).toContain("script-src 'self'")
        expect(csp, name).toContain("form-action 'self'")
        expect(csp, name).not.toContain('unsafe-inline')
        expect(csp, name).not.toContain('unsafe-eval')
        expect(response.headers['x-content-type-options'], name).toBe('nosniff')
        // The page with problems loads the one script file that clears a corrected answer's problem.
        expect(response.body.includes(OWN_SCRIPT), name).toBe(name === '422')
        expect(withoutOwnScript(response.body), name).not.toMatch(/<script|style="|\son[a-z]+=/i)
        expect(response.body, name).toContain('<meta name="robots" content="noindex">')
      }
    })

    it('sends the browser\'s own /favicon.ico request to the icon file, which the survey pages do not name', async () => {
      const browser = new Browser(ctx.app)
      const icon = await browser.get('/favicon.ico')
      expect(icon.statusCode).toBe(301)
      expect(icon.headers.location).toBe('/public/favicon.svg')
      const file = await browser.get('/public/favicon.svg')
      expect(file.statusCode).toBe(200)
      expect(String(file.headers['content-type'])).toContain('image/svg+xml')
    })
  })
})
