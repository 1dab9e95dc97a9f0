// What the respondent survey tests (test/routes/survey-*.test.ts) share: form helpers, and the
// organization, units and open wave each file starts from.
import type { LightMyRequestResponse } from 'fastify'
import { sql, type Selectable } from 'kysely'
import { beforeAll, expect } from 'vitest'
import type { ResponseTable } from '../../db/schema.js'
import { RESPONDENT_TEXT } from '../../server/i18n/respondent.js'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import type { Channel, Side } from '../../server/domain/types.js'
import { poolKeyHash } from '../../server/repositories/staff-pool.js'
import { apiToken, bearer, Browser, createTenant, type TestContext } from './app.js'

export const ITEMS = SERVICE_GAP_INDEX_V1.items
export const KEYS = ITEMS.map((item) => item.key)
export const EN = RESPONDENT_TEXT.en

/** What eta's autoEscape makes of a text. */
export const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;')

/** A complete, valid set of answers: every item answered with `value`, with `overrides` on top. */
export const answers = (overrides: Record<string, string> = {}, value = '4'): Record<string, string> =>
  ({ ...Object.fromEntries(KEYS.map((key) => [`a_${key}`, value])), ...overrides })

export const without = (form: Record<string, string>, ...keys: string[]) =>
  Object.fromEntries(Object.entries(form).filter(([name]) => !keys.includes(name.replace(/^a_/, ''))))

export const hidden = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1]

export const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1)

export const checked = (html: string, key: string, value: string) =>
  new RegExp(`id=${key}-${value} name=a_${key} value=${value} checked`).test(html)

/** The one script a respondent page may load: on a page with problems, the file that clears a corrected one. */
export const OWN_SCRIPT = '<script src="/public/survey.js" defer></script>'
/** A page's HTML without that script tag, to check it for any other script. */
export const withoutOwnScript = (html: string) => html.replace(OWN_SCRIPT, '')

/** The anchors of the error summary at the top of the page. */
export const summaryLinks = (html: string) => {
  const summary = html.match(/<div class="alert"[^>]*aria-labelledby="sum"[^>]*>([\s\S]*?)<\/div>/)?.[1] ?? ''
  return [...summary.matchAll(/href="#([^"]+)"/g)].map((m) => m[1])
}

/** Every POST comes from its own address unless one is given, so the per-address limit only bites where meant. */
let addressCounter = 0
export const nextAddress = () => {
  addressCounter++
  return `10.${(addressCounter >> 16) & 255}.${(addressCounter >> 8) & 255}.${addressCounter & 255}`
}

export const formBody = (fields: Record<string, string | string[]>) => {
  const body = new URLSearchParams()
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(name, v)
  return body.toString()
}

export interface PostOptions { csrf?: boolean; headers?: Record<string, string>; remoteAddress?: string; url?: string }

/** Sends a form the way the browser that loaded the page would (its cookie, and its CSRF token unless told not to). */
export function post(browser: Browser, token: string, fields: Record<string, string | string[]>, options: PostOptions = {}) {
  const withCsrf = options.csrf === false || '_csrf' in fields || !browser.csrf ? fields : { _csrf: browser.csrf, ...fields }
  return browser.request({
    method: 'POST',
    url: options.url ?? `/s/${token}`,
    payload: formBody(withCsrf),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
    remoteAddress: options.remoteAddress ?? nextAddress(),
  })
}

/** No HTML error page may leak a stack trace. */
export const expectNoStack = (response: LightMyRequestResponse) => {
  expect(response.body).not.toMatch(/\bat [\w.<>]+ \(.*:\d+:\d+\)/)
  expect(response.body).not.toMatch(/node_modules|\/server\//)
}

export interface Wave { id: string; staff: string; customer: string; units: Record<string, { staff: string; customer: string }> }

export async function createWave(ctx: TestContext, apiKey: string, body: Record<string, unknown>): Promise<Wave> {
  const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(apiKey), payload: { templateKey: 'service-gap-index', ...body } })
  if (response.statusCode !== 201) throw new Error(`wave failed: ${response.statusCode} ${response.body}`)
  const json = response.json() as { id: string; links: { staff: string; customer: string }; unitLinks: Array<{ unit: { name: string }; staff: string; customer: string }> }
  return {
    id: json.id,
    staff: tokenOf(json.links.staff),
    customer: tokenOf(json.links.customer),
    units: Object.fromEntries(json.unitLinks.map((u) => [u.unit.name, { staff: tokenOf(u.staff), customer: tokenOf(u.customer) }])),
  }
}

export async function createUnit(ctx: TestContext, apiKey: string, name: string): Promise<string> {
  const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(apiKey), payload: { name } })
  if (response.statusCode !== 201) throw new Error(`unit failed: ${response.statusCode} ${response.body}`)
  return response.json().id
}

export const ORG = 'Acme Co'

/**
 * What is kept of one form, wherever it is: a customer's response, or a staff answer waiting in the
 * pool or released into the responses (a step can come at any submission). Staff keep the day only:
 * `submittedAt` is null while the answer waits, and midnight UTC once it has joined.
 */
export interface KeptForm {
  where: 'responses' | 'pool'
  organization_id: string
  side: Side
  unit_id: string | null
  locale: string
  channel: Channel
  attributes: Record<string, string>
  comment: string | null
  answers: Record<string, number | null>
  /** The UTC day, YYYY-MM-DD. */
  day: string
  submittedAt: Date | null
}

export async function keptForm(db: TestContext['database']['db'], submission: string): Promise<KeptForm | undefined> {
  const hash = poolKeyHash(submission)
  const response = await db.selectFrom('responses').selectAll().where('submission_key', 'in', [submission, hash]).executeTakeFirst()
  if (response) {
    const answers = await db.selectFrom('answers').select(['item_key', 'value']).where('response_id', '=', response.id).execute()
    return {
      where: 'responses', organization_id: response.organization_id, side: response.side, unit_id: response.unit_id, locale: response.locale,
      channel: response.channel, attributes: response.attributes, comment: response.comment,
      answers: Object.fromEntries(answers.map((a) => [a.item_key, a.value])),
      day: response.submitted_at.toISOString().slice(0, 10), submittedAt: response.submitted_at,
    }
  }
  const { rows } = await sql<{ organization_id: string; unit_id: string | null; locale: string; channel: Channel; attributes: Record<string, string>; comment: string | null; answers: Record<string, number | null>; day: string }>`
    select organization_id, unit_id, locale, channel, attributes, comment, answers, day::text as day from staff_pool where submission_hash = ${hash}`.execute(db)
  const pooled = rows[0]
  return pooled && { where: 'pool', side: 'staff', ...pooled, submittedAt: null }
}

/** Today in UTC, YYYY-MM-DD: the only time a staff answer keeps. */
export const utcToday = () => new Date().toISOString().slice(0, 10)

export interface SurveyFixture {
  organizationId: string
  /** The owner's API token. */
  key: string
  /** An open wave with unit links for both units. */
  main: Wave
  units: { north: string; south: string }
  db: () => TestContext['database']['db']
  /** Opens a survey in a fresh browser. */
  open(token: string, headers?: Record<string, string>, query?: string): Promise<{ browser: Browser; page: LightMyRequestResponse; submission: string }>
  /** Opens a survey and sends a complete form (plus `extra`); returns the stored response, if any. */
  answer(token: string, extra?: Record<string, string>, headers?: Record<string, string>): Promise<{
    browser: Browser; page: LightMyRequestResponse; submission: string; response: LightMyRequestResponse
    /** A customer's stored response. */
    stored: Selectable<ResponseTable> | undefined
    /** What is kept of the form, either side (see KeptForm). */
    kept: KeptForm | undefined
  }>
  /** How many copies of a form are kept: responses, and staff answers waiting in the pool. */
  responsesWithKey(submission: string): Promise<number>
}

/** The organization, units and open wave every survey test file starts from, made before its tests run. */
export function surveyFixture(ctx: TestContext): SurveyFixture {
  const db = () => ctx.database.db
  const fixture = {
    db,
    async open(token: string, headers: Record<string, string> = {}, query = '') {
      const browser = new Browser(ctx.app)
      const page = await browser.request({ method: 'GET', url: `/s/${token}${query}`, headers })
      return { browser, page, submission: hidden(page.body, 'submission')! }
    },
    async answer(token: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) {
      const { browser, page, submission } = await fixture.open(token, headers)
      expect(page.statusCode).toBe(200)
      const response = await post(browser, token, { submission, lang: hidden(page.body, 'lang')!, ...answers(), ...extra })
      const stored = await db().selectFrom('responses').selectAll().where('submission_key', '=', submission).executeTakeFirst()
      return { browser, page, submission, response, stored, kept: await keptForm(db(), submission) }
    },
    responsesWithKey: async (submission: string) => {
      const hash = poolKeyHash(submission)
      const responses = await db().selectFrom('responses').select('id').where('submission_key', 'in', [submission, hash]).execute()
      const pooled = await db().selectFrom('staff_pool').select('id').where('submission_hash', '=', hash).execute()
      return responses.length + pooled.length
    },
  } as SurveyFixture
  beforeAll(async () => {
    const tenant = await createTenant(ctx, ORG)
    fixture.organizationId = tenant.organizationId
    fixture.key = await apiToken(ctx, tenant.owner.email)
    fixture.units = { north: await createUnit(ctx, fixture.key, 'North branch'), south: await createUnit(ctx, fixture.key, 'South branch') }
    fixture.main = await createWave(ctx, fixture.key, { name: 'Main', unitLinks: true })
  })
  return fixture
}
