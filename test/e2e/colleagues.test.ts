/// <reference lib="dom" />
// Colleagues by email in a real browser: an owner invites a unit manager of one unit from the people
// page, the invitation lands in the development outbox (no SMTP_URL here), the colleague opens its
// link in a browser of their own, chooses a password, lands signed in, and the wave's dashboard shows
// them their unit only. axe-core checks the people and join pages; screenshots of both are kept.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { createApiToken } from '../../server/repositories/credentials.js'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { screenshot, seriousViolations, startAppAndBrowser, type Running } from './browser.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const OWNER = { email: 'olivia.owner@example.com', password: 'a perfectly long password' }
const COLLEAGUE = { email: 'uma.manager@example.com', password: 'teal herons over the quay' }

let run: Running
let owner: Page
let waveId: string
const problems: string[] = []

beforeAll(async () => {
  run = await startAppAndBrowser()
  const db = run.database.db
  const { organizationId, userId } = await createOrganizationWithOwner(db, { name: 'Harbour & Co', email: OWNER.email, password: OWNER.password, ownerName: 'Olivia Owner' })
  const token = await createApiToken(db, { userId, organizationId }, 'seed')
  const api = (method: 'POST', url: string, payload: unknown) => run.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, payload: payload as object })
  for (const name of ['North Quay', 'Harbour Street']) await api('POST', '/units', { name })
  waveId = (await api('POST', '/waves', { name: '2026-Q4', templateKey: 'service-gap-index' })).json().id
  const rows = []
  for (const side of ['staff', 'customer'] as const) {
    for (let i = 0; i < 24; i++) {
      rows.push({ side, unit: i % 2 ? 'Harbour Street' : 'North Quay', answers: Object.fromEntries(KEYS.map((key, j) => [key, ((i + j) % 5) + 1])) })
    }
  }
  expect((await api('POST', `/waves/${waveId}/responses`, rows)).statusCode).toBe(201)
  owner = await (await run.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
  owner.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
})
afterAll(async () => run?.close())

it('lets an owner invite a unit manager of one unit', async () => {
  await owner.goto(`${run.baseUrl}/login`)
  await owner.fill('#email', OWNER.email)
  await owner.fill('#password', OWNER.password)
  await owner.click('main button[type=submit]')
  await owner.waitForURL(/\/waves$/)
  await owner.goto(`${run.baseUrl}/settings/people`)
  await owner.fill('#email', COLLEAGUE.email)
  await owner.fill('#name', 'Uma Manager')
  await owner.check('#role-unit_manager')
  // Without a unit the form comes back with the problem next to the field and what was typed kept.
  await owner.click('main button:has-text("Send invitation")')
  await expect.poll(() => owner.locator('#units .field-error').innerText()).toContain('Choose at least one unit')
  expect(await owner.inputValue('#email')).toBe(COLLEAGUE.email)
  await owner.check('label:has-text("North Quay")')
  await owner.click('main button:has-text("Send invitation")')
  await owner.waitForURL(/done=invited/)
  expect(await owner.locator('.notice').innerText()).toContain('Invitation sent')
  expect(await owner.locator('#invitations-title + table').innerText()).toContain(COLLEAGUE.email)
  expect(await seriousViolations(owner), 'people page').toEqual([])
  await screenshot(owner, 'colleagues-people')
})

it('lets the colleague open the link from the outbox, choose a password and land signed in with their unit only', async () => {
  // The mail worker writes to the outbox within a second or two.
  let link: string | undefined
  await expect.poll(async () => {
    await owner.goto(`${run.baseUrl}/outbox`)
    link = (await owner.locator('.outbox-text').allInnerTexts()).join('\n').match(/http:\/\/127\.0\.0\.1:\d+\/join\/[A-Za-z0-9_-]+/)?.[0]
    return link
  }, { timeout: 15_000 }).toBeDefined()

  const colleague = await (await run.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
  colleague.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  await colleague.goto(link!)
  expect(await colleague.locator('h1').innerText()).toBe('Join Harbour & Co on Service Gap')
  expect(await colleague.locator('.lead').innerText()).toContain('a unit manager')
  expect(await colleague.locator('#email-value').innerText()).toBe(COLLEAGUE.email)
  expect(await seriousViolations(colleague), 'join page').toEqual([])
  await screenshot(colleague, 'colleagues-join')
  await colleague.fill('#password', COLLEAGUE.password)
  await colleague.fill('#confirm', COLLEAGUE.password)
  await colleague.click('main button[type=submit]')
  await colleague.waitForURL(/\/waves$/)
  expect(await colleague.locator('header').innerText()).toContain(`${COLLEAGUE.email} · unit_manager`)

  await colleague.goto(`${run.baseUrl}/waves/${waveId}`)
  const options = await colleague.locator('#f-unit option').allInnerTexts()
  expect(options).toEqual(['North Quay'])
  const page = await colleague.locator('main').innerText()
  expect(page).not.toContain('Harbour Street')
  expect(page).toContain('Filtered to unit North Quay')
  await screenshot(colleague, 'colleagues-unit-manager-dashboard')

  // The link works once.
  await colleague.goto(link!)
  expect(await colleague.locator('main').innerText()).toContain('This invitation has been used already')
  expect(problems).toEqual([])
})
