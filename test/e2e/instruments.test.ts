/// <reference lib="dom" />
// Building a small instrument in a real browser: a blank start, two statements (one on the 0–10
// scale), a refused save that keeps what was typed, a save, and the preview of both sides in the
// 360-px phone frame, at 1366 px and on a 360 px phone. axe-core finds nothing serious; screenshots
// are kept in test/artifacts for a person to look at.
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BrowserContextOptions, Page } from 'playwright-core'
import { createOrganizationWithOwner } from '../../server/repositories/organizations.js'
import { screenshot, seriousViolations, sidewaysScrolling, signInWithPassword, startAppAndBrowser, type Running } from './browser.js'

const EMAIL = 'builder-owner@example.com'
const PASSWORD = 'a perfectly long password'
let run: Running

async function signedIn(options: BrowserContextOptions) {
  const context = await run.browser.newContext(options)
  const page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  await signInWithPassword(page, run.baseUrl, EMAIL, PASSWORD)
  return { context, page, problems }
}

const fill = (page: Page, id: string, value: string) => page.locator(`[id="${id}"]`).fill(value)

beforeAll(async () => {
  run = await startAppAndBrowser()
  await createOrganizationWithOwner(run.database.db, { name: 'Harbour & Co', email: EMAIL, password: PASSWORD, ownerName: 'Olivia Owner' })
})
afterAll(async () => run?.close())

for (const [label, options] of [['1366', { viewport: { width: 1366, height: 900 } }], ['360', { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true }]] as const) {
  it(`builds a two-statement instrument with a 0–10 item and previews both sides (${label} px)`, async () => {
    const { context, page, problems } = await signedIn(options)
    await page.goto(`${run.baseUrl}/instruments`)
    expect(await seriousViolations(page), 'list').toEqual([])
    expect(await sidewaysScrolling(page)).toBeUndefined()
    await page.click('main a:has-text("New blank instrument")')
    await fill(page, 'name', `Counter survey ${label}`)
    await fill(page, 'key', `counter-${label}`)
    await page.check('#locale-es')
    await page.click('button:has-text("Show these languages")')
    await fill(page, 'staffQuestion.en', 'What would help you serve better?')
    await fill(page, 'customerQuestion.en', 'What should we change?')
    await fill(page, 'items.0.key', 'served_well')
    await fill(page, 'items.0.dimension', 'overall')
    await fill(page, 'items.0.staffText.en', 'Our customers are served well.')
    await fill(page, 'items.0.customerText.en', 'I was served well by {org}.')
    await fill(page, 'items.0.staffText.es', 'Atendemos bien a nuestros clientes.')
    await fill(page, 'items.0.customerText.es', '{org} me atendió bien.')
    await page.click('button:has-text("Add a statement")')
    // The new statement's key has the focus, so typing can go on at once.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('items.1.key')
    await fill(page, 'items.1.key', 'recommend')
    await fill(page, 'items.1.dimension', 'loyalty')
    await page.selectOption('[id="items.1.scale"]', 'likelihood11')
    await fill(page, 'items.1.staffText.en', 'Customers would recommend us to a friend.')
    await fill(page, 'items.1.customerText.en', 'How likely are you to recommend {org} to a friend?')
    // Spanish left out for the second statement and the questions: the save is refused, nothing typed is lost.
    await page.locator('.builder-bar button[value="save"]').first().click()
    await page.locator('.error-summary').waitFor()
    expect(await page.inputValue('[id="items.1.customerText.en"]')).toBe('How likely are you to recommend {org} to a friend?')
    expect(await seriousViolations(page), 'editor with errors').toEqual([])
    expect(await sidewaysScrolling(page)).toBeUndefined()
    await screenshot(page, `instruments-editor-errors-${label}`)
    await fill(page, 'staffQuestion.es', '¿Qué le ayudaría a atender mejor?')
    await fill(page, 'customerQuestion.es', '¿Qué deberíamos cambiar?')
    await fill(page, 'items.1.staffText.es', 'Los clientes nos recomendarían a un amigo.')
    await fill(page, 'items.1.customerText.es', '¿Qué probabilidad hay de que recomiende {org} a un amigo?')
    await page.locator('.builder-bar button[value="save"]').first().click()
    await page.waitForURL(/done=new/)
    await screenshot(page, `instruments-editor-${label}`)
    await page.click('main a:has-text("Preview the saved version")')
    for (const side of ['Customers', 'Staff']) {
      await page.click(`.preview-switch a:has-text("${side}")`)
      const frame = page.frameLocator('.current .phone iframe')
      await frame.locator('fieldset.q').first().waitFor()
      expect(await frame.locator('fieldset.q').count()).toBe(2)
      expect(await frame.locator('.scale.s11 input[type=radio]').count()).toBe(11)
      expect(await seriousViolations(page), `preview ${side}`).toEqual([])
      expect(await sidewaysScrolling(page)).toBeUndefined()
      await screenshot(page, `instruments-preview-${side.toLowerCase()}-${label}`)
    }
    await page.click('.preview-switch a:has-text("Español")')
    expect(await page.frameLocator('.current .phone iframe').locator('legend').first().innerText()).toContain('Atendemos bien')
    expect(problems).toEqual([])
    await context.close()
  })
}
