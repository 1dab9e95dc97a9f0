// The survey form's short way (server/routes/survey/index.ts): a public link read a moment ago decides
// a submission from that copy and stores it with one guarded statement. Whenever the copy is out of
// date, the answer must be the same as if it had been read afresh, and nothing may be stored twice.
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { deleteUnit } from '../../server/repositories/units.js'
import { setWaveStatus } from '../../server/repositories/waves.js'
import { apiToken, bearer, Browser, createTenant, describeEachDatabase, type TestContext } from '../helpers/app.js'

const answers = () => Object.fromEntries(SERVICE_GAP_INDEX_V1.items.map((item) => [`a_${item.key}`, '4']))
const hidden = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1]
let address = 0

async function openSurvey(ctx: TestContext, token: string) {
  const browser = new Browser(ctx.app)
  const page = await browser.get(`/s/${token}`)
  expect(page.statusCode).toBe(200)
  return { browser, submission: hidden(page.body, 'submission')! }
}

function send(browser: Browser, token: string, fields: Record<string, string>) {
  const body = new URLSearchParams({ _csrf: browser.csrf!, ...fields })
  return browser.request({
    method: 'POST', url: `/s/${token}`, payload: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: `203.0.113.${1 + (address++ % 250)}`,
  })
}

describeEachDatabase('survey form sent to a link read a moment ago', (ctx) => {
  let organizationId: string
  let key: string
  const stored = async (submission: string) =>
    (await ctx.database.db.selectFrom('responses').select('id').where('submission_key', '=', submission).execute()).length

  async function wave(name: string) {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(key), payload: { name, templateKey: 'service-gap-index' } })
    const json = response.json() as { id: string; links: { customer: string } }
    return { id: json.id, token: json.links.customer.slice(json.links.customer.lastIndexOf('/') + 1) }
  }

  it('stores a form once, however often it is sent', async () => {
    const tenant = await createTenant(ctx)
    organizationId = tenant.organizationId
    key = await apiToken(ctx, tenant.owner.email)
    const { token } = await wave('Twice')
    const { browser, submission } = await openSurvey(ctx, token)
    for (let i = 0; i < 3; i++) expect((await send(browser, token, { submission, ...answers() })).statusCode).toBe(303)
    expect(await stored(submission)).toBe(1)
  })

  it('refuses a form for a wave closed after the page was read, and stores nothing', async () => {
    const { id, token } = await wave('Closing')
    const { browser, submission } = await openSurvey(ctx, token)
    await setWaveStatus(ctx.database.db, organizationId, id, 'closed')
    const response = await send(browser, token, { submission, ...answers() })
    expect(response.statusCode).toBe(410)
    expect(await stored(submission)).toBe(0)
  })

  it('asks again for a unit deleted after the page was read, and stores nothing', async () => {
    const unit = (await ctx.app.inject({ method: 'POST', url: '/api/v1/units', headers: bearer(key), payload: { name: 'Soon gone' } })).json().id as string
    const { token } = await wave('Unit gone')
    const { browser, submission } = await openSurvey(ctx, token)
    expect(await deleteUnit(ctx.database.db, organizationId, unit)).toBe(true)
    const response = await send(browser, token, { submission, unit, ...answers() })
    expect(response.statusCode).toBe(422)
    expect(await stored(submission)).toBe(0)
  })

  it('still checks the CSRF token and the answers', async () => {
    const { token } = await wave('Checked')
    const { browser, submission } = await openSurvey(ctx, token)
    expect((await send(browser, token, { submission, ...answers(), _csrf: 'forged' })).statusCode).toBe(403)
    expect((await send(browser, token, { submission, ...answers(), a_easy: '9' })).statusCode).toBe(422)
    expect(await stored(submission)).toBe(0)
    expect((await send(browser, token, { submission, ...answers() })).statusCode).toBe(303)
    expect(await stored(submission)).toBe(1)
  })
})
