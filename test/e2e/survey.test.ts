/// <reference lib="dom" />
// The respondent's survey in a real browser: a customer on a 360 px phone who answers by keyboard
// only, a form sent with two answers missing, a staff member without JavaScript who can see they are
// anonymous, Spanish and German (and French and Portuguese), axe-core on every respondent page, and the
// layout from 320 to 400 px in every language.
// The organization, units and waves are made through the API so nothing here depends on the admin UI.
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BrowserContextOptions, Page } from 'playwright-core'
import { LOCALES } from '../../server/domain/languages.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { createInstrument } from '../../server/repositories/instruments.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { setWaveStatus } from '../../server/repositories/waves.js'
import { ARTIFACTS, screenshot, seriousViolations, sidewaysScrolling, startAppAndBrowser, type Running } from './browser.js'

const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
const ITEMS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const EMAIL = 'survey-owner@example.com'
const PASSWORD = 'a perfectly long password'
const THANKS = /\/s\/[\w-]+\/thanks\?lang=en$/

type Answer = number | 'na'

let run: Running
let organizationId: string
let waveId: string
let links: { customer: string; staff: string; closed: string; northQuayCustomer: string; likelihood: string; predicting: string }
let units: { harbour: string; north: string }

async function api<T>(token: string, method: 'GET' | 'POST', url: string, payload?: object): Promise<T> {
  const response = await run.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) })
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`)
  return response.json() as T
}

type WaveJson = { id: string; links: { staff: string; customer: string }; unitLinks: Array<{ unit: { id: string; name: string }; staff: string; customer: string }> }

beforeAll(async () => {
  run = await startAppAndBrowser()
  ;({ organizationId } = await createOrganizationWithOwner(run.database.db, { name: 'Harbour & Co', email: EMAIL, password: PASSWORD }))
  const tokens = await run.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email: EMAIL, password: PASSWORD } })
  const token = tokens.json().token as string
  const harbour = await api<{ id: string }>(token, 'POST', '/units', { name: 'Harbour Street' })
  const north = await api<{ id: string }>(token, 'POST', '/units', { name: 'North Quay' })
  units = { harbour: harbour.id, north: north.id }
  const wave = await api<WaveJson>(token, 'POST', '/waves', { name: '2026-Q4', templateKey: 'service-gap-index', locales: [...LOCALES], unitLinks: true })
  const closed = await api<WaveJson>(token, 'POST', '/waves', { name: '2026-Q3', templateKey: 'service-gap-index', locales: ['en', 'es', 'de'] })
  expect(await setWaveStatus(run.database.db, organizationId, closed.id, 'closed')).toBe(true)
  // An organization's own template with a 0–10 item, to see that scale on a narrow phone too.
  const text = (en: string) => ({ en })
  await createInstrument(run.database.db, organizationId, {
    key: 'recommend', version: 1, name: 'Recommend', locales: ['en'],
    staffQuestion: text('Anything else?'), customerQuestion: text('Anything else?'),
    items: [
      { key: 'recommend', dimension: 'overall', scale: 'likelihood11', headline: true, required: true, staffText: text('Customers would recommend us.'), customerText: text('How likely are you to recommend {org}?'), staffPredictText: null },
      { key: 'easy', dimension: 'structure', scale: 'agree5', headline: false, required: true, staffText: text('It is easy.'), customerText: text('It is easy to deal with {org}.'), staffPredictText: null },
    ],
  })
  const likelihood = await api<WaveJson>(token, 'POST', '/waves', { name: 'Recommend check', templateKey: 'recommend', locales: ['en'] })
  const predicting = await api<WaveJson>(token, 'POST', '/waves', { name: 'Predicting', templateKey: 'service-gap-index', locales: [...LOCALES], predictions: 'all' })
  waveId = wave.id
  links = {
    customer: wave.links.customer,
    staff: wave.links.staff,
    closed: closed.links.customer,
    northQuayCustomer: wave.unitLinks.find((l) => l.unit.name === 'North Quay')!.customer,
    likelihood: likelihood.links.customer,
    predicting: predicting.links.staff,
  }
})
afterAll(async () => run?.close())

/** The stored responses of the open wave, each with its answers by item key. */
async function stored(side: 'customer' | 'staff', unitId?: string) {
  let query = run.database.db.selectFrom('responses').selectAll().where('wave_id', '=', waveId).where('side', '=', side)
  if (unitId) query = query.where('unit_id', '=', unitId)
  const responses = await query.orderBy('submitted_at').execute()
  return Promise.all(responses.map(async (response) => {
    const rows = await run.database.db.selectFrom('answers').select(['item_key', 'value']).where('response_id', '=', response.id).execute()
    return { ...response, answers: Object.fromEntries(rows.map((row) => [row.item_key, row.value])) as Record<string, number | null> }
  }))
}

const expectedAnswers = (answers: Answer[]) => Object.fromEntries(ITEMS.map((key, i) => [key, answers[i] === 'na' ? null : answers[i]]))

/** Presses keys and counts them, as a person would have to. */
class Keyboard {
  presses = 0
  constructor(private readonly page: Page) {}
  async press(key: string, times = 1) {
    for (let i = 0; i < times; i++) {
      await this.page.keyboard.press(key)
      this.presses++
    }
  }
  async type(text: string) {
    await this.page.keyboard.type(text)
    this.presses += text.length
  }
  /** With focus on the first radio of an unanswered 1–5 group: picks the answer with the arrow keys. */
  async choose(answer: Answer) {
    if (answer === 1) await this.press('Space')
    else if (answer === 'na') await this.press('ArrowLeft') // wraps from the first option to the last
    else await this.press('ArrowRight', answer - 1)
  }
}

/** What has focus, and whether it shows: the id, and the focused radio's label's outline and place. */
function focused(page: Page) {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null
    const shown = element instanceof HTMLInputElement && element.type === 'radio' ? document.querySelector(`label[for="${element.id}"]`)! : element!
    const rect = shown.getBoundingClientRect()
    const legend = element?.closest('fieldset')?.querySelector('legend')?.getBoundingClientRect()
    return {
      id: element?.id ?? '',
      tag: element?.tagName.toLowerCase() ?? '',
      text: element?.textContent?.trim() ?? '',
      outline: getComputedStyle(shown).outlineStyle,
      rect: [Math.round(rect.top), Math.round(rect.bottom), window.innerHeight, window.scrollY],
      inView: rect.top >= 0 && rect.bottom <= window.innerHeight && rect.left >= 0 && rect.right <= window.innerWidth,
      /** For an answer: its question is on screen as well. */
      questionInView: legend ? legend.top >= 0 && legend.bottom <= window.innerHeight : null,
    }
  })
}

const checkedValue = (page: Page, key: string) => page.evaluate((name) => document.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? null, `a_${key}`)

it('lets a customer on a 360 px phone answer all twelve items by keyboard only, and stores it once', async () => {
  const context = await run.browser.newContext(PHONE)
  const page = await context.newPage()
  const answers: Answer[] = [4, 5, 3, 4, 2, 'na', 4, 5, 1, 3, 4, 5]
  const comment = 'Friendly staff, long queue.'
  await page.goto(links.customer)
  expect(await page.getAttribute('html', 'lang')).toBe('en')
  expect(await page.locator('fieldset.q').count()).toBe(12)
  expect(await page.locator('.anon').count()).toBe(0) // the anonymity promise is the staff's, not the customers'
  const keys = new Keyboard(page)
  const started = performance.now()

  // From the top of the page: the language switcher comes first, then the twelve groups.
  expect((await focused(page)).tag).toBe('body')
  await keys.press('Tab')
  expect(await focused(page)).toMatchObject({ tag: 'a', text: 'English' })
  await keys.press('Tab', LOCALES.length - 1)
  expect(await focused(page)).toMatchObject({ tag: 'a', text: 'Português' })
  for (const [i, key] of ITEMS.entries()) {
    await keys.press('Tab')
    expect(await focused(page), `Tab into item ${i + 1}`).toMatchObject({ id: `${key}-1`, outline: 'solid', inView: true, questionInView: true })
    await keys.choose(answers[i]!)
    expect(await checkedValue(page, key), `item ${i + 1}`).toBe(String(answers[i]))
    expect(await focused(page), `after answering item ${i + 1}`).toMatchObject({ id: `${key}-${answers[i]}`, outline: 'solid', inView: true })
    if (i === 5) await page.screenshot({ path: join(ARTIFACTS, 'survey-phone-focus.png') }) // what the phone shows, focus on "Not applicable"
    if (i === 6) await page.screenshot({ path: join(ARTIFACTS, 'survey-phone-focus-4.png') })
  }
  // Shift+Tab goes back to the previous group's chosen answer, and Tab forward again.
  await keys.press('Shift+Tab')
  expect((await focused(page)).id).toBe(`${ITEMS[10]}-${answers[10]}`)
  await keys.press('Tab')
  expect((await focused(page)).id).toBe(`${ITEMS[11]}-${answers[11]}`)
  await keys.press('Tab')
  expect(await focused(page)).toMatchObject({ id: 'unit', inView: true })
  await keys.press('ArrowDown') // "Prefer not to say" → the first unit, Harbour Street
  expect(await page.inputValue('#unit')).toBe(units.harbour)
  await keys.press('Tab')
  expect(await focused(page)).toMatchObject({ id: 'comment', inView: true })
  await keys.type(comment)
  await keys.press('Tab')
  expect(await focused(page)).toMatchObject({ tag: 'button', inView: true })
  await screenshot(page, 'survey-phone-en')
  await keys.press('Enter')
  await page.waitForURL(THANKS)
  const seconds = (performance.now() - started) / 1000
  console.log(`keyboard-only survey at 360×740: ${keys.presses} key presses (${keys.presses - comment.length} without the ${comment.length}-character comment), ${seconds.toFixed(2)} s`)
  expect(seconds).toBeLessThan(120)

  expect(await page.locator('h1').textContent()).toBe('Thank you')
  expect(await page.locator('.msg').textContent()).not.toContain('anonymous')
  const responses = await stored('customer')
  expect(responses).toHaveLength(1)
  expect(responses[0]).toMatchObject({ unit_id: units.harbour, comment, locale: 'en', channel: 'link', attributes: {} })
  expect(Object.keys(responses[0]!.answers)).toHaveLength(12)
  expect(responses[0]!.answers).toEqual(expectedAnswers(answers))
  await context.close()
})

it('brings a form without its required headline back with one focused problem, every answer kept, and clears it once answered', async () => {
  const context = await run.browser.newContext(PHONE)
  const page = await context.newPage()
  const answers: Answer[] = [2, 3, 4, 5, 'na', 1, 4, 4, 3, 2, 5, 4]
  const skipped = [0, 8] // item 1, the required headline, and item 9, which may be skipped
  await page.goto(links.northQuayCustomer)
  expect(await page.locator('#unit').count()).toBe(0) // a unit's own link does not ask for the unit
  expect(await page.locator('.about').textContent()).toBe('About: North Quay')
  const keys = new Keyboard(page)
  await keys.press('Tab', LOCALES.length) // past the language links
  for (const [i] of ITEMS.entries()) {
    await keys.press('Tab')
    if (!skipped.includes(i)) await keys.choose(answers[i]!)
  }
  await keys.press('Tab')
  expect((await focused(page)).id).toBe('comment')
  await keys.press('Tab')
  const sent = page.waitForResponse((r) => r.request().method() === 'POST')
  await keys.press('Enter')
  const returned = await sent
  expect(returned.status()).toBe(422)
  // Small enough for a weak phone connection: the page with its problem, its style sheet and its script.
  const [css, js] = await Promise.all(['/public/survey.css', '/public/survey.js'].map((path) => context.request.get(`${run.baseUrl}${path}`)))
  const bytes = (await returned.body()).length + (await css!.body()).length + (await js!.body()).length
  console.log(`survey page with a problem: ${bytes} bytes of HTML, CSS and JS`)
  expect(bytes).toBeLessThan(25 * 1024)
  const summary = page.locator('.alert')
  await summary.waitFor({ state: 'visible' })
  await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('alert'))).toBe(true)
  expect(await summary.getAttribute('role')).toBe('alert')
  expect(await summary.locator('h2').textContent()).toBe('One answer is missing or needs a look')
  expect(await page.title()).toBe('One answer is missing or needs a look · Harbour & Co')
  const summaryLinks = summary.locator('a')
  expect(await summaryLinks.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual([`#${ITEMS[0]}-1`])
  expect(await summaryLinks.first().textContent()).toMatch(/^1\. /)
  expect(await page.locator('fieldset.bad').count()).toBe(1)
  for (const [i, key] of ITEMS.entries()) expect(await checkedValue(page, key), `item ${i + 1} kept`).toBe(skipped.includes(i) ? null : String(answers[i]))
  // The problem is said next to the question too, and belongs to its group.
  expect(await page.locator(`#${ITEMS[0]}-e`).textContent()).toContain('Choose an answer')
  expect(await page.locator('fieldset.bad').first().getAttribute('aria-describedby')).toBe(`${ITEMS[0]}-e`)
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'survey-phone-errors')
  expect(await stored('customer', units.north)).toHaveLength(0)

  // Following the link puts focus on that item's first answer, with its question and problem in view.
  await keys.press('Tab')
  const first = await focused(page)
  expect(first.tag).toBe('a')
  expect(first.text).toMatch(/^1\. /)
  await keys.press('Enter')
  await expect.poll(async () => (await focused(page)).id).toBe(`${ITEMS[0]}-1`)
  expect(await focused(page)).toMatchObject({ inView: true, questionInView: true })
  expect(await page.locator(`#${ITEMS[0]}-e`).evaluate((e) => e.getBoundingClientRect().top >= 0)).toBe(true)
  // Choosing the answer clears the problem at once: message, red outline, summary and title.
  await keys.choose(answers[0]!)
  expect(await page.locator('.err, fieldset.bad').count()).toBe(0)
  expect(await summary.isVisible()).toBe(false)
  expect(await page.title()).toBe('Harbour & Co')
  for (let i = 1; i < ITEMS.length; i++) await keys.press('Tab')
  await keys.press('Tab') // the comment
  expect((await focused(page)).id).toBe('comment')
  await keys.press('Tab')
  await keys.press('Enter')
  await page.waitForURL(THANKS)
  const responses = await stored('customer', units.north)
  expect(responses).toHaveLength(1)
  // Item 9, skipped, is not answered at all (not even "not applicable").
  const expected = expectedAnswers(answers)
  delete expected[ITEMS[8]!]
  expect(responses[0]!.answers).toEqual(expected)
  expect(responses[0]!.comment).toBeNull()
  await context.close()
})

it('lets a staff member answer without JavaScript, says they are anonymous, and stores one anonymous response', async () => {
  const context = await run.browser.newContext({ ...PHONE, javaScriptEnabled: false })
  const page = await context.newPage()
  await page.goto(links.staff)
  const anonymity = page.locator('.anon')
  expect(await anonymity.isVisible()).toBe(true)
  expect(await anonymity.textContent()).toContain('This survey is anonymous')
  const answers: Answer[] = [3, 4, 2, 3, 4, 5, 1, 'na', 3, 4, 2, 3]
  for (const [i, key] of ITEMS.entries()) await page.click(`label[for="${key}-${answers[i]}"]`)
  await page.selectOption('#unit', units.north)
  await page.click('#comment')
  await page.keyboard.type('More time per customer.')
  await screenshot(page, 'survey-staff-nojs')
  const sent = page.waitForRequest((request) => request.method() === 'POST')
  await page.click('main button[type=submit]')
  const post = await sent
  await page.waitForURL(THANKS)
  expect(await page.locator('h1').textContent()).toBe('Thank you')
  expect(await page.locator('.msg').textContent()).toContain('They are anonymous')
  await screenshot(page, 'survey-thanks')

  // The same form sent again (a double tap, a retried connection) is stored once.
  const again = await context.request.fetch(post, { maxRedirects: 0 })
  expect(again.status()).toBe(303)
  expect(again.headers().location).toMatch(/\/thanks\?lang=en$/)
  // A lone staff answer waits in the sealed pool until a release step can take it among others.
  expect(await stored('staff')).toHaveLength(0)
  const pool = await run.database.db.selectFrom('staff_pool').selectAll().where('wave_id', '=', waveId).execute()
  expect(pool).toHaveLength(1)
  const [response] = pool
  expect(response).toMatchObject({ unit_id: units.north, comment: 'More time per customer.', attributes: {}, channel: 'link' })
  expect(Object.fromEntries(Object.entries(response!.answers).filter(([, v]) => v !== undefined))).toEqual(expectedAnswers(answers))
  expect(Object.keys(response!).some((column) => /_at$|time/.test(column))).toBe(false) // the day only
  await context.close()
})

it('speaks Spanish to a Spanish browser and switches to German from the language links', async () => {
  const context = await run.browser.newContext({ ...PHONE, locale: 'es-ES' })
  const page = await context.newPage()
  await page.goto(links.customer)
  expect(await page.getAttribute('html', 'lang')).toBe('es')
  expect(await page.locator('button[type=submit]').textContent()).toBe('Enviar mis respuestas')
  expect(await page.locator('.intro').textContent()).toContain('quiere saber')
  expect(await page.locator('legend').first().textContent()).toContain('Recibo un servicio excelente de Harbour & Co.')
  expect(await page.locator('.langs a[aria-current]').textContent()).toBe('Español')
  expect(await seriousViolations(page)).toEqual([])
  await screenshot(page, 'survey-phone-es')

  await page.click('.langs a[lang=de]')
  await page.waitForURL(/\/s\/[\w-]+\?lang=de$/)
  expect(await page.getAttribute('html', 'lang')).toBe('de')
  expect(await page.locator('button[type=submit]').textContent()).toBe('Antworten senden')
  expect(await page.locator('.langs a[aria-current]').textContent()).toBe('Deutsch')
  expect(await page.inputValue('input[name=lang]')).toBe('de')
  expect(await seriousViolations(page)).toEqual([])
  await context.close()
})

it('has no serious or critical accessibility problems on any respondent page', async () => {
  const context = await run.browser.newContext(PHONE)
  const page = await context.newPage()
  const pages: Array<{ name: string; url: string; status: number; lang: string; h1: string }> = [
    { name: 'customer survey', url: links.customer, status: 200, lang: 'en', h1: 'Harbour & Co' },
    { name: 'staff survey', url: links.staff, status: 200, lang: 'en', h1: 'Harbour & Co' },
    { name: 'thank-you page', url: `${links.customer}/thanks`, status: 200, lang: 'en', h1: 'Thank you' },
    { name: 'staff thank-you page', url: `${links.staff}/thanks?lang=es`, status: 200, lang: 'es', h1: 'Gracias' },
    { name: 'closed wave', url: links.closed, status: 410, lang: 'en', h1: 'This survey has closed' },
    { name: 'closed wave in German', url: `${links.closed}?lang=de`, status: 410, lang: 'de', h1: 'Diese Umfrage ist beendet' },
    { name: 'unknown link', url: `${run.baseUrl}/s/AAAAAAAAAAAAAAAAAAAAAA`, status: 404, lang: 'en', h1: 'Survey not found' },
  ]
  for (const { name, url, status, lang, h1 } of pages) {
    const response = await page.goto(url)
    expect(response?.status(), name).toBe(status)
    expect(await page.getAttribute('html', 'lang'), name).toBe(lang)
    expect(await page.locator('h1').textContent(), name).toBe(h1)
    expect(await seriousViolations(page), name).toEqual([])
  }
  await context.close()
})

for (const width of [320, 400]) {
  it(`fits a ${width} px phone: no sideways scrolling, large answer targets, the button in full view`, async () => {
    const context = await run.browser.newContext({ ...PHONE, viewport: { width, height: 740 } })
    const page = await context.newPage()
    for (const lang of LOCALES) {
      await page.goto(`${links.customer}?lang=${lang}`)
      expect(await page.getAttribute('html', 'lang')).toBe(lang)
      expect(await sidewaysScrolling(page), lang).toBeUndefined()
      // axe-core at the narrowest width too: French and Portuguese texts are the longest.
      if (width === 320) expect(await seriousViolations(page), lang).toEqual([])
      await expectLargeAnswerTargets(page, lang, 12 * 6)
      // The names of the scale's two ends, shown under its first and last box, overlap nothing.
      const ends = await page.locator('fieldset.q').evaluateAll((sets) => sets.map((set) => {
        const [first, last] = Array.from(set.querySelectorAll('.scale label')).filter((_, i, all) => i === 0 || i === all.length - 1).map((l) => l.querySelector('span')!.getBoundingClientRect())
        const boxes = set.querySelector('.scale label')!.getBoundingClientRect()
        const na = set.querySelector('label.na')!.getBoundingClientRect()
        return { below: first!.top >= boxes.bottom && last!.top >= boxes.bottom, clear: Math.max(first!.bottom, last!.bottom) <= na.top, apart: first!.right <= last!.left }
      }))
      for (const end of ends) expect(end, `${lang}: the scale's ends`).toEqual({ below: true, clear: true, apart: true })
      const button = page.locator('main button[type=submit]')
      await button.scrollIntoViewIfNeeded()
      const box = await button.evaluate((b) => { const r = b.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, vh: window.innerHeight } })
      expect(box.top, lang).toBeGreaterThanOrEqual(0)
      expect(box.left, lang).toBeGreaterThanOrEqual(0)
      expect(box.bottom, lang).toBeLessThanOrEqual(box.vh)
      expect(box.right, lang).toBeLessThanOrEqual(width) // the width asked for: a phone's innerWidth grows with what overflows
      if (width === 320) await screenshot(page, lang === 'en' ? 'survey-320' : `survey-320-${lang}`)
    }
    // A 0–10 item wraps onto rows of boxes that are still large enough.
    await page.goto(links.likelihood)
    expect(await sidewaysScrolling(page), '0–10').toBeUndefined()
    await expectLargeAnswerTargets(page, '0–10', 11 + 1 + 6)
    if (width === 320) await screenshot(page, 'survey-320-0-10')
    await context.close()
  })
}

/** Every answer's label is at least 44 × 44 CSS px and its text stays inside it. */
async function expectLargeAnswerTargets(page: Page, what: string, count: number) {
  const labels = await page.locator('fieldset.q label').evaluateAll((ls) => ls.map((l) => {
    const r = l.getBoundingClientRect()
    return { for: l.getAttribute('for'), width: r.width, height: r.height, spills: l.scrollWidth > l.clientWidth || l.scrollHeight > l.clientHeight }
  }))
  expect(labels).toHaveLength(count)
  for (const label of labels) {
    expect(label.width, `${what} ${label.for} width`).toBeGreaterThanOrEqual(44)
    expect(label.height, `${what} ${label.for} height`).toBeGreaterThanOrEqual(44)
    expect(label.spills, `${what} ${label.for}: text spills out of its box`).toBe(false)
  }
}

it('asks staff on a 360 px phone a labelled list per prediction, names the missing required one and keeps every choice', async () => {
  const context = await run.browser.newContext(PHONE)
  const page = await context.newPage()
  for (const lang of LOCALES) {
    await page.goto(`${links.predicting}?lang=${lang}`)
    expect(await page.locator('select[name^="p_"]').count(), lang).toBe(12)
    expect(await seriousViolations(page), lang).toEqual([])
    expect(await sidewaysScrolling(page), lang).toBeUndefined()
  }
  await page.goto(`${links.predicting}?lang=en`)
  expect(await page.locator('h2.pred').textContent()).toBe('What do our customers say?')
  expect(await page.locator('.intro').textContent()).toContain('12 short statements and 12 questions about our customers. It takes about 4 minutes.')
  const first = page.locator(`#p-${ITEMS[0]}`)
  expect(await first.evaluate((s: HTMLSelectElement) => Array.from(s.options, (o) => `${o.value}=${o.text}`))).toEqual(['=—', '0=0 of 10', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => `${k}=${k}`), '10=10 of 10', "na=I can't say"])
  expect(await first.evaluate((s: HTMLSelectElement) => s.labels[0]?.textContent)).toMatch(/^13\. “I receive excellent service from Harbour & Co\.” \*$/) // the headline's prediction must be given
  // The questions one row each: the list is a single line, 44 px or more high.
  expect(await first.evaluate((s) => s.getBoundingClientRect().height)).toBeGreaterThanOrEqual(44)
  for (const key of ITEMS) await page.locator(`label[for="${key}-4"]`).click()
  const chosen = ITEMS.map((_, i) => (i === 3 ? 'na' : String(i % 11)))
  for (const [i, key] of ITEMS.entries()) if (i !== 0) await page.selectOption(`#p-${key}`, chosen[i]!)
  await page.locator('h2.pred').evaluate((h) => h.scrollIntoView())
  await page.screenshot({ path: join(ARTIFACTS, 'survey-phone-predictions-view.png') }) // what the phone shows
  await screenshot(page, 'survey-phone-predictions')
  await page.locator('button[type=submit]').click()
  await page.locator('.alert').waitFor({ state: 'visible' })
  const links2 = page.locator('.alert a')
  expect(await links2.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual([`#p-${ITEMS[0]}`])
  const missing = page.locator(`#p-${ITEMS[0]}`)
  expect(await missing.getAttribute('aria-describedby')).toBe(`p-${ITEMS[0]}-e`)
  expect(await page.locator(`#p-${ITEMS[0]}-e`).textContent()).toBe('Choose a number, or "I can\'t say".')
  for (const [i, key] of ITEMS.entries()) expect(await page.inputValue(`#p-${key}`), `prediction ${i + 1} kept`).toBe(i === 0 ? '' : chosen[i])
  expect(await seriousViolations(page)).toEqual([])
  await links2.first().click()
  await expect.poll(async () => (await focused(page)).id).toBe(`p-${ITEMS[0]}`)
  expect(await focused(page)).toMatchObject({ outline: 'solid', inView: true })
  await page.screenshot({ path: join(ARTIFACTS, 'survey-phone-predictions-error-view.png') })
  await screenshot(page, 'survey-phone-predictions-error')
  await page.selectOption(`#p-${ITEMS[0]}`, '7')
  await page.locator('button[type=submit]').click()
  await page.waitForURL(/\/thanks\?lang=en$/)
  await context.close()
})
