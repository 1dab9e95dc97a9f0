// Kiosk mode on both databases: an admin makes a kiosk of a unit's customer link (never of a staff
// link, never across organizations, the daily cap checked per field), and the kiosk page refuses what
// a flood would need: a form sent too soon after it was shown, a form sent twice, a device without a
// valid signed cookie, more than the per-device limit, more than the day's cap. The clock is fake.
import { beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_SUBMIT_LIMITS } from '../../server/config.js'
import { KIOSK_LIMITS } from '../../server/domain/kiosk.js'
import { kioskText } from '../../server/i18n/kiosk.js'
import { apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type TestContext } from '../helpers/app.js'
import { answers, checked, createUnit, createWave, EN, escapeHtml, expectNoStack, formBody, hidden, nextAddress, type Wave } from '../helpers/survey.js'

const K = kioskText('en')
const START = Date.parse('2026-12-02T09:00:00Z')
const clock = { now: START }
const PER_DEVICE = 3
const RESTART = 8

/** Moves the kiosk's clock on by `seconds`. */
const wait = (seconds: number) => { clock.now += seconds * 1000 }

describeEachDatabase('kiosk mode', (ctx: TestContext) => {
  let owner: Browser
  let wave: Wave
  let waveId: string
  const linkIds: Record<string, string> = {}
  const unitIds: Record<string, string> = {}
  let apiKey: string

  const linkId = async (token: string) => (await ctx.database.db.selectFrom('links').select('id').where('token', '=', token).executeTakeFirstOrThrow()).id
  const kioskPath = (link: string) => `/waves/${waveId}/links/${link}/kiosk`

  /** Makes the unit's customer link a kiosk with this cap; returns the kiosk's token. */
  async function makeKiosk(unit: string, dailyCap: string) {
    const page = kioskPath(linkIds[unit]!)
    await owner.get(page)
    const saved = await owner.post(page, { dailyCap })
    expect(saved.statusCode, saved.body).toBe(303)
    const shown = await owner.get(page)
    return shown.body.match(/\/k\/([\w-]+)/)![1]!
  }

  /** A tablet: a browser that keeps the kiosk's cookies, at one address. */
  const tablet = () => ({ browser: new Browser(ctx.app), address: nextAddress() })
  type Tablet = ReturnType<typeof tablet>

  async function show(t: Tablet, token: string, query = '') {
    const page = await t.browser.request({ method: 'GET', url: `/k/${token}${query}`, remoteAddress: t.address })
    return { page, form: hidden(page.body, 'form'), submission: hidden(page.body, 'submission')! }
  }

  function send(t: Tablet, token: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return t.browser.request({
      method: 'POST', url: `/k/${token}`, remoteAddress: t.address,
      payload: formBody({ _csrf: t.browser.csrf!, lang: 'en', ...fields }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    })
  }

  const kioskResponses = async () => (await ctx.database.db.selectFrom('responses').select(['id', 'unit_id', 'channel', 'side', 'attributes', 'comment'])
    .where('wave_id', '=', waveId).where('channel', '=', 'kiosk').execute())

  beforeAll(async () => {
    const tenant = await createTenant(ctx, 'Kiosk Co')
    const key = await apiToken(ctx, tenant.owner.email)
    apiKey = key
    for (const name of ['Front Desk', 'Café', 'Lobby', 'Shop', 'Old Wing']) unitIds[name] = await createUnit(ctx, key, name)
    wave = await createWave(ctx, key, { name: 'Kiosk wave', unitLinks: true, locales: ['en', 'es', 'de'] })
    waveId = wave.id
    for (const name of Object.keys(wave.units)) linkIds[name] = await linkId(wave.units[name]!.customer)
    owner = await signedIn(ctx, tenant.owner.email)
  })

  describe('making a kiosk', () => {
    it('offers a kiosk link for each unit on the operations tab, with a daily cap of 300 by default', async () => {
      const operations = await owner.get(`/waves/${waveId}/operations`)
      expect(operations.body).toContain(`href="${kioskPath(linkIds['Front Desk']!)}"`)
      expect(operations.body).toContain('Make a kiosk link for Front Desk')
      const page = await owner.get(kioskPath(linkIds['Front Desk']!))
      expect(page.statusCode).toBe(200)
      expect(page.body).toMatch(/name="dailyCap" type="number" value="300"/)
      expect(page.body).not.toContain('/k/')
    })

    it('answers a bad daily cap with a message next to the field, keeping what was typed', async () => {
      const page = kioskPath(linkIds['Front Desk']!)
      for (const [typed, message] of [['', 'Enter how many answers'], ['0', 'from 1 to 10,000'], ['abc', 'from 1 to 10,000'], ['10001', 'from 1 to 10,000'], ['2.5', 'from 1 to 10,000']] as const) {
        const response = await owner.post(page, { dailyCap: typed })
        expect(response.statusCode, typed).toBe(422)
        expect(response.body).toContain('id="dailyCap-error"')
        expect(response.body).toContain(message)
        expect(response.body).toContain(`value="${escapeHtml(typed)}"`)
        expect(response.body).toContain('aria-invalid="true"')
      }
      expect(await ctx.database.db.selectFrom('kiosks').select('id').execute()).toHaveLength(0)
    })

    it('never makes a kiosk of a staff link or of the wave\'s general customer link', async () => {
      const staff = await linkId(wave.units['Front Desk']!.staff)
      const general = await linkId(wave.customer)
      for (const [link, says] of [[staff, 'A staff link cannot become a kiosk'], [general, 'Only a unit&#39;s customer link']] as const) {
        const shown = await owner.get(kioskPath(link))
        expect(shown.body).toContain(says)
        expect(shown.body).not.toContain('name="dailyCap"')
        const refused = await owner.post(kioskPath(link), { dailyCap: '50' })
        expect(refused.statusCode).toBe(409)
      }
      expect(await ctx.database.db.selectFrom('kiosks').select('id').execute()).toHaveLength(0)
    })

    it('shows another organization 404 for the kiosk page and refuses to make one there', async () => {
      const other = await createTenant(ctx, 'Other Co')
      const stranger = await signedIn(ctx, other.owner.email)
      const page = kioskPath(linkIds['Front Desk']!)
      expect((await stranger.get(page)).statusCode).toBe(404)
      expect((await stranger.post(page, { dailyCap: '5' })).statusCode).toBe(404)
      expect(await ctx.database.db.selectFrom('kiosks').select('id').execute()).toHaveLength(0)
    })

    it('makes a kiosk link and changes its cap later, keeping its address', async () => {
      const token = await makeKiosk('Front Desk', '300')
      const page = kioskPath(linkIds['Front Desk']!)
      const again = await owner.post(page, { dailyCap: '250' })
      expect(again.statusCode).toBe(303)
      const shown = await owner.get(page)
      expect(shown.body).toContain(`/k/${token}`)
      expect(shown.body).toContain('Daily cap: 250 answers')
      expect((await owner.get(`/waves/${waveId}/operations`)).body).toContain('>Kiosk link</a>')
      const audited = await ctx.database.db.selectFrom('audit_log').select(['action', 'target']).where('action', '=', 'kiosk_saved').execute()
      expect(audited).toEqual([{ action: 'kiosk_saved', target: 'kiosk for Front Desk in wave Kiosk wave' }, { action: 'kiosk_saved', target: 'kiosk for Front Desk in wave Kiosk wave' }])
    })
  })

  describe('the kiosk page', () => {
    let token: string
    beforeAll(async () => {
      token = await makeKiosk('Café', '1000')
    })

    it('shows the unit\'s customer survey without sign-in, with the language switch and no unit question', async () => {
      const t = tablet()
      const { page, form } = await show(t, token)
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain(escapeHtml(EN.aboutUnitCustomer('Café')))
      expect(page.body).toContain(`action="/k/${token}"`)
      expect(page.body).toContain('aria-label="' + EN.chooseLanguage + '"')
      expect(page.body).not.toContain('name="unit"')
      expect(page.body).not.toContain('<script')
      expect(form).toMatch(/^\d+\.[\w-]+\.[\w-]+$/)
      expect([page.headers['set-cookie']].flat()).toEqual(expect.arrayContaining([expect.stringMatching(/^sg_kiosk=[\w-]+\.[\w-]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/)]))
    })

    it('refuses a form sent sooner than the minimum time, keeping the answers, and takes it once the time has passed', async () => {
      const t = tablet()
      const { form } = await show(t, token)
      wait(KIOSK_LIMITS.minSeconds - 1)
      const early = await send(t, token, { form: form!, ...answers({ a_easy: '2' }), comment: 'Lovely coffee' })
      expect(early.statusCode).toBe(422)
      expect(early.body).toContain(escapeHtml(K.tooFast))
      expect(checked(early.body, 'easy', '2')).toBe(true)
      expect(early.body).toContain('Lovely coffee</textarea>')
      // The same render token comes back, so the wait counts from when the form was first shown.
      expect(hidden(early.body, 'form')).toBe(form)
      expect(await kioskResponses()).toHaveLength(0)
      wait(1)
      const taken = await send(t, token, { form: form!, ...answers({ a_easy: '2' }), comment: 'Lovely coffee' })
      expect(taken.statusCode).toBe(303)
      expect(taken.headers.location).toBe(`/k/${token}/thanks?lang=en`)
      const stored = await kioskResponses()
      expect(stored).toHaveLength(1)
      expect(stored[0]).toMatchObject({ channel: 'kiosk', side: 'customer', attributes: {}, comment: 'Lovely coffee' })
      const unit = await ctx.database.db.selectFrom('units').select('id').where('name', '=', 'Café').executeTakeFirstOrThrow()
      expect(stored[0]!.unit_id).toBe(unit.id)
    })

    it('thanks the person and returns to a fresh form by itself, with a link to start again at once and one to stay', async () => {
      const thanks = await new Browser(ctx.app).get(`/k/${token}/thanks?lang=en`)
      expect(thanks.statusCode).toBe(200)
      expect(thanks.headers.refresh).toBe(`${RESTART};url=/k/${token}`)
      expect(thanks.headers['cache-control']).toBe('no-store')
      expect(thanks.body).toContain(`<a href="/k/${token}">${escapeHtml(K.startNew)}</a>`)
      expect(thanks.body).toContain(escapeHtml(K.restarting(RESTART)))
      expect(thanks.body).toContain(`<a href="/k/${token}/thanks?lang=en&amp;stay">${escapeHtml(K.stay)}</a>`)
      expect(thanks.body).toContain(EN.thanksTitle)
      expect(thanks.body).toContain(escapeHtml(K.thanksBody))
      expect(thanks.body).not.toContain(escapeHtml(EN.thanksBody))
      expect(thanks.body).not.toContain('<script')
      // Whoever needs longer to read turns the restart off.
      const stay = await new Browser(ctx.app).get(`/k/${token}/thanks?lang=en&stay`)
      expect(stay.headers.refresh).toBeUndefined()
      expect(stay.body).not.toContain(escapeHtml(K.restarting(RESTART)))
      expect(stay.body).toContain(`<a href="/k/${token}">${escapeHtml(K.startNew)}</a>`)
      const es = await new Browser(ctx.app).get(`/k/${token}/thanks?lang=es`)
      expect(es.body).toContain(escapeHtml(kioskText('es').startNew))
      expect(es.body).toContain(escapeHtml(kioskText('es').restarting(RESTART)))
    })

    it('stores one response for one shown form, however often it is sent', async () => {
      const t = tablet()
      const { form } = await show(t, token)
      wait(KIOSK_LIMITS.minSeconds)
      const before = (await kioskResponses()).length
      expect((await send(t, token, { form: form!, ...answers() })).statusCode).toBe(303)
      // Sent again (a double tap, or a replay with other answers): nothing more is stored.
      for (const values of [answers(), answers({}, '1')]) {
        wait(KIOSK_LIMITS.minSeconds)
        const replay = await send(t, token, { form: form!, ...values })
        expect(replay.statusCode).toBe(303)
      }
      expect(await kioskResponses()).toHaveLength(before + 1)
    })

    it('refuses a form from a device without a valid signed cookie, keeping the answers and storing nothing', async () => {
      const t = tablet()
      const { form } = await show(t, token)
      wait(KIOSK_LIMITS.minSeconds)
      const before = (await kioskResponses()).length
      const cookie = t.browser.cookie('sg_kiosk')!
      const [deviceId] = cookie.split('.')
      const csrf = `sg_csrf=${t.browser.cookie('sg_csrf')}`
      for (const deviceCookie of ['', `sg_kiosk=${deviceId}`, `sg_kiosk=${deviceId}.forged-signature-000000000000000000000`, `sg_kiosk=AAAAAAAAAAAAAAAAAAAAAA.${cookie.split('.')[1]}`]) {
        const refused = await ctx.app.inject({
          method: 'POST', url: `/k/${token}`, remoteAddress: t.address,
          payload: formBody({ _csrf: t.browser.csrf!, form: form!, lang: 'en', ...answers({ a_trust: '5' }) }),
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [csrf, deviceCookie].filter(Boolean).join('; ') },
        })
        expect(refused.statusCode, deviceCookie).toBe(403)
        expect(refused.body).toContain(escapeHtml(K.noDevice))
        expect(checked(refused.body, 'trust', '5')).toBe(true)
        // A new device and a new form come with the refusal; the old render token is not reissued.
        expect([refused.headers['set-cookie']].flat()).toEqual(expect.arrayContaining([expect.stringMatching(/^sg_kiosk=/)]))
        expect(hidden(refused.body, 'form')).not.toBe(form)
      }
      expect(await kioskResponses()).toHaveLength(before)
    })

    it('refuses a forged, altered or another device\'s render token', async () => {
      const t = tablet()
      const other = tablet()
      const { form } = await show(t, token)
      const { form: othersForm } = await show(other, token)
      wait(KIOSK_LIMITS.minSeconds)
      const before = (await kioskResponses()).length
      const [time, key, signature] = form!.split('.')
      const backdated = `${Number(time) - 60_000}.${key}.${signature}`
      for (const bad of ['', 'junk', backdated, `${time}.${key}.${signature!.slice(1)}x`, othersForm!]) {
        const refused = await send(t, token, { form: bad, ...answers() })
        expect(refused.statusCode, bad).toBe(403)
        expect(refused.body).toContain(escapeHtml(K.stale))
      }
      expect(await kioskResponses()).toHaveLength(before)
    })

    it('refuses a form shown too long ago, with the answers kept and a fresh form to send', async () => {
      const t = tablet()
      const { form } = await show(t, token)
      wait(KIOSK_LIMITS.maxFormAgeMinutes * 60 + 1)
      const refused = await send(t, token, { form: form!, ...answers({ a_fit: '1' }) })
      expect(refused.statusCode).toBe(403)
      expect(refused.body).toContain(escapeHtml(K.stale))
      expect(checked(refused.body, 'fit', '1')).toBe(true)
      const fresh = hidden(refused.body, 'form')!
      expect(fresh).not.toBe(form)
      wait(KIOSK_LIMITS.minSeconds)
      expect((await send(t, token, { form: fresh, ...answers({ a_fit: '1' }) })).statusCode).toBe(303)
    })

    it('checks the answers as the survey does, keeping the render token', async () => {
      const t = tablet()
      const { form } = await show(t, token)
      wait(KIOSK_LIMITS.minSeconds)
      const { a_excellent_service: _, ...missing } = answers()
      const bad = await send(t, token, { form: form!, ...missing })
      expect(bad.statusCode).toBe(422)
      expect(bad.body).toContain(escapeHtml(EN.problems.required))
      expect(hidden(bad.body, 'form')).toBe(form)
    })

    it('takes at most the per-device limit from one device in the window, then again once the window has passed', async () => {
      const kiosk = await makeKiosk('Lobby', '1000')
      const t = tablet()
      const before = (await kioskResponses()).length
      for (let i = 0; i < PER_DEVICE; i++) {
        const { form } = await show(t, kiosk)
        wait(KIOSK_LIMITS.minSeconds)
        expect((await send(t, kiosk, { form: form!, ...answers() })).statusCode).toBe(303)
      }
      const { form } = await show(t, kiosk)
      wait(KIOSK_LIMITS.minSeconds)
      const refused = await send(t, kiosk, { form: form!, ...answers({ a_valued: '3' }) })
      expect(refused.statusCode).toBe(429)
      expect(refused.body).toContain(escapeHtml(K.deviceLimit))
      expect(checked(refused.body, 'valued', '3')).toBe(true)
      expect(await kioskResponses()).toHaveLength(before + PER_DEVICE)
      // Another tablet at the same kiosk is not held back by this one.
      const second = tablet()
      const shown = await show(second, kiosk)
      wait(KIOSK_LIMITS.minSeconds)
      expect((await send(second, kiosk, { form: shown.form!, ...answers() })).statusCode).toBe(303)
      // An hour later the device may answer again (a fresh form: the old one is stale by then).
      wait(KIOSK_LIMITS.deviceWindowMinutes * 60)
      const later = await show(t, kiosk)
      wait(KIOSK_LIMITS.minSeconds)
      expect((await send(t, kiosk, { form: later.form!, ...answers() })).statusCode).toBe(303)
    })

    it('gives one address only so many new devices, so clearing cookies does not reset the device limit', async () => {
      const kiosk = await makeKiosk('Shop', '1000')
      const address = nextAddress()
      const kept = { browser: new Browser(ctx.app), address }
      expect((await show(kept, kiosk)).page.statusCode).toBe(200)
      let last = 0
      for (let i = 0; i < 25 && last !== 429; i++) last = (await ctx.app.inject({ method: 'GET', url: `/k/${kiosk}`, remoteAddress: address })).statusCode
      expect(last).toBe(429)
      // The tablet that keeps its cookie, at the same address, goes on as before.
      const again = await show(kept, kiosk)
      expect(again.page.statusCode).toBe(200)
      wait(KIOSK_LIMITS.minSeconds)
      expect((await send(kept, kiosk, { form: again.form!, ...answers() })).statusCode).toBe(303)
    })
    it('holds one address to the survey forms\' per-address limit, offering to send the same answers again', async () => {
      const t = tablet()
      const { form } = await show(t, token)
      let last = await send(t, token, { form: form!, ...answers({ a_easy: '1' }) })
      for (let i = 0; i < DEFAULT_SUBMIT_LIMITS.perAddress && last.statusCode !== 429; i++) last = await send(t, token, { form: form!, ...answers({ a_easy: '1' }) })
      expect(last.statusCode).toBe(429)
      expect(last.body).toContain(escapeHtml(EN.tooManyTitle))
      expect(last.body).toContain(`<form method="post" action="/k/${token}">`)
      expect(last.body).toContain('<input type="hidden" name="a_easy" value="1">')
      expect(last.body).toContain(`<input type="hidden" name="form" value="${form}">`)
    })
  })

  describe('the daily cap', () => {
    it('takes the cap\'s number of answers a day, then shows a polite page in the respondent\'s language, and the next day takes more', async () => {
      const kiosk = await makeKiosk('Front Desk', '2')
      const before = (await kioskResponses()).length
      for (let i = 0; i < 2; i++) {
        const t = tablet()
        const { form } = await show(t, kiosk)
        wait(KIOSK_LIMITS.minSeconds)
        expect((await send(t, kiosk, { form: form!, ...answers() })).statusCode).toBe(303)
      }
      // A form shown before the cap was reached is refused when sent after it.
      const late = tablet()
      const { form } = await show(late, kiosk)
      const third = tablet()
      const shown = await show(third, kiosk)
      wait(KIOSK_LIMITS.minSeconds)
      const [a, b] = await Promise.all([send(late, kiosk, { form: form!, ...answers() }), send(third, kiosk, { form: shown.form!, ...answers() })])
      expect([a.statusCode, b.statusCode]).toEqual([429, 429])
      expect(a.body).toContain(escapeHtml(K.capTitle))
      expect(await kioskResponses()).toHaveLength(before + 2)
      const german = await ctx.app.inject({ method: 'GET', url: `/k/${kiosk}?lang=de`, remoteAddress: nextAddress() })
      expect(german.statusCode).toBe(429)
      expect(german.body).toContain(escapeHtml(kioskText('de').capTitle))
      expect(german.body).not.toContain('name="form"')
      expectNoStack(german)
      wait(24 * 3600)
      expect((await ctx.app.inject({ method: 'GET', url: `/k/${kiosk}`, remoteAddress: nextAddress() })).statusCode).toBe(200)
    })

    it('holds the cap when many forms arrive at once', async () => {
      const token = await makeKiosk('Café', '1000')
      const cap = 3
      await owner.post(kioskPath(linkIds['Café']!), { dailyCap: String(cap + (await todayCount(token))) })
      const tablets = Array.from({ length: 8 }, tablet)
      const forms = await Promise.all(tablets.map((t) => show(t, token)))
      wait(KIOSK_LIMITS.minSeconds)
      const sent = await Promise.all(tablets.map((t, i) => send(t, token, { form: forms[i]!.form!, ...answers() })))
      expect(sent.filter((r) => r.statusCode === 303)).toHaveLength(cap)
      expect(sent.filter((r) => r.statusCode === 429)).toHaveLength(tablets.length - cap)
    })
  })

  /** What the kiosk took today by its own count. */
  async function todayCount(token: string) {
    const row = await ctx.database.db.selectFrom('kiosk_days').innerJoin('kiosks', 'kiosks.id', 'kiosk_days.kiosk_id').select('responses')
      .where('kiosks.token', '=', token).where('day', '=', new Date(clock.now).toISOString().slice(0, 10)).executeTakeFirst()
    return row?.responses ?? 0
  }

  it('answers an unknown kiosk token, and a unit link\'s own token, with the not-found page', async () => {
    for (const url of ['/k/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', `/k/${wave.units['Café']!.customer}`, '/k/x']) {
      const page = await ctx.app.inject({ method: 'GET', url })
      expect(page.statusCode, url).toBe(404)
      expect(page.body).toContain(EN.notFoundTitle)
    }
  })

  it('keeps the kiosk form within the survey page budget (25 KB with its style sheet)', async () => {
    const token = (await owner.get(kioskPath(linkIds['Café']!))).body.match(/\/k\/([\w-]+)/)![1]!
    const css = Buffer.byteLength((await ctx.app.inject({ method: 'GET', url: '/public/survey.css' })).rawPayload)
    for (const lang of ['en', 'es', 'de']) {
      const page = await ctx.app.inject({ method: 'GET', url: `/k/${token}?lang=${lang}`, remoteAddress: nextAddress() })
      expect(Buffer.byteLength(page.rawPayload) + css, lang).toBeLessThanOrEqual(25 * 1000)
    }
  })

  it('stops taking answers once its unit is archived, telling the person at the kiosk so, and takes them again once it is restored', async () => {
    const token = await makeKiosk('Old Wing', '1000')
    const archive = (archived: boolean) => ctx.app.inject({ method: 'PATCH', url: `/api/v1/units/${unitIds['Old Wing']}`, headers: bearer(apiKey), payload: { archived } })
    const t = tablet()
    const { form } = await show(t, token)
    expect((await archive(true)).statusCode).toBe(200)
    wait(KIOSK_LIMITS.minSeconds)
    const before = (await kioskResponses()).length
    const refused = await send(t, token, { form: form!, ...answers() })
    expect(refused.statusCode).toBe(410)
    expect(refused.body).toContain(escapeHtml(K.closedTitle))
    expect(refused.body).toContain(escapeHtml(K.closedBody))
    expectNoStack(refused)
    const shown = await t.browser.request({ method: 'GET', url: `/k/${token}?lang=de`, remoteAddress: t.address })
    expect(shown.statusCode).toBe(410)
    expect(shown.body).toContain(escapeHtml(kioskText('de').closedTitle))
    expect(shown.body).not.toContain('name="form"')
    expect(await kioskResponses()).toHaveLength(before)
    // The unit's ordinary customer link keeps answering until the wave closes, as archiving promises.
    expect((await ctx.app.inject({ method: 'GET', url: `/s/${wave.units['Old Wing']!.customer}` })).statusCode).toBe(200)
    expect((await archive(false)).statusCode).toBe(200)
    const again = await show(t, token)
    expect(again.page.statusCode).toBe(200)
    wait(KIOSK_LIMITS.minSeconds)
    expect((await send(t, token, { form: again.form!, ...answers() })).statusCode).toBe(303)
    expect(await kioskResponses()).toHaveLength(before + 1)
  })
}, {}, { kiosk: { now: () => new Date(clock.now), limits: { perDevice: PER_DEVICE, restartSeconds: RESTART } } })
