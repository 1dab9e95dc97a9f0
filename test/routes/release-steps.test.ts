// Staff figures over time, read as a curious viewer would: after every single staff answer, the
// report is read for the whole wave and for each unit, and no two reads of the same view ever differ
// by 1 … k−1 staff; a group once shown stays shown; answers that cannot join without being singled
// out wait in the pool, also after the wave closes.
import { expect, it } from 'vitest'
import { apiToken, bearer, Browser, createTenant, describeEachDatabase, type TestContext } from '../helpers/app.js'
import { answers, createUnit, createWave, hidden, post } from '../helpers/survey.js'

describeEachDatabase('staff figures in release steps', (ctx: TestContext) => {
  it('never move by fewer than five between two reads of any view, one answer at a time', async () => {
    const tenant = await createTenant(ctx, 'Steps')
    const token = await apiToken(ctx, tenant.owner.email)
    for (const name of ['North', 'South', 'Kiosk']) await createUnit(ctx, token, name)
    const wave = await createWave(ctx, token, { name: 'Steps', unitLinks: true })
    const views = ['', '?unit=North', '?unit=South', '?unit=Kiosk']
    const read = async () => Promise.all(views.map(async (view) => {
      const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${wave.id}/report${view}`, headers: bearer(token) })
      expect(response.statusCode).toBe(200)
      const staff = response.json().headline.staff
      return 'suppressed' in staff ? null : staff.n as number
    }))
    // 26 answers in a fixed, uneven order: North and South grow together, the kiosk gets three.
    const order = [...'NNSNSSNNSNSNKSNNSSNKNSSNKS']
    let before = await read()
    const seen: Array<Array<number | null>> = [before]
    for (const letter of order) {
      const link = wave.units[{ N: 'North', S: 'South', K: 'Kiosk' }[letter]!]!.staff
      const browser = new Browser(ctx.app)
      const page = await browser.get(`/s/${link}`)
      expect((await post(browser, link, { submission: hidden(page.body, 'submission')!, ...answers() })).statusCode).toBe(303)
      const after = await read()
      after.forEach((n, i) => {
        const was = before[i]!
        if (was !== null) expect(n, `${views[i]} was shown with ${was}`).not.toBeNull()
        if (was !== null && n !== null && n !== was) expect(n - was, `${views[i] || 'whole'}: ${was} → ${n}`).toBeGreaterThanOrEqual(5)
      })
      seen.push(after)
      before = after
    }
    // The figures did move: the whole side is shown with most of the answers, never the kiosk.
    const last = seen.at(-1)!
    expect(last[0]).toBeGreaterThanOrEqual(20)
    expect(seen.every((reads) => reads[3] === null)).toBe(true)
    const waiting = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${wave.id}/report`, headers: bearer(token) })
    expect(waiting.json().release.staffWaiting).toBe(order.length - last[0]!)
    expect(waiting.json().release.at).toBeTypeOf('string')
  })
})
