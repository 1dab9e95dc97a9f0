// Two exports taken on either side of a release step (design §5: no staff member's answers may be
// recoverable "from two reads at different times"), on both databases. A step adds at least k staff
// in all, but one combination of the exported quasi-identifiers (unit, day, language, channel) could
// grow by a single row: North's German answers 5 → 6. An attacker who keeps both files matches their
// rows by their answers (each respondent here answers differently), so the rows new in the second
// file are one person's whole row, and whoever knows who answered in German in North that day reads
// it. Below, the attacker's whole knowledge of a row is what both files print of it together with
// whether it is new; every such class must hold 0 or at least k rows.
import { parse } from 'csv-parse/sync'
import { expect, it } from 'vitest'
import { apiToken, bearer, Browser, createTenant, describeEachDatabase } from '../helpers/app.js'
import { answers, createUnit, createWave, hidden, KEYS, post, type Wave } from '../helpers/survey.js'

type Row = Record<string, string>

const QUASI_IDENTIFIERS = ['unit', 'submitted', 'language', 'channel'] as const
const DAY = new Date('2026-12-01T00:00:00Z')

const quasi = (row: Row) => JSON.stringify(QUASI_IDENTIFIERS.map((column) => row[column]))
const answerKey = (row: Row) => JSON.stringify(KEYS.map((key) => row[key]))

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1)
  return counts
}

/** What an attacker holding both files knows of each row of the later one: how each file prints it, and whether it is new. */
function linked(before: readonly Row[], after: readonly Row[]) {
  const earlier = new Map(before.map((row) => [answerKey(row), row]))
  return after.map((row) => {
    const old = earlier.get(answerKey(row))
    return { row, isNew: old === undefined, knowledge: JSON.stringify([old === undefined ? 'new' : quasi(old), quasi(row)]) }
  })
}

describeEachDatabase('the responses export across release steps', (ctx) => {
  let token: string
  let wave: Wave
  let respondent = 0
  /** One staff form through North's link, with answers no other respondent gives (two items count up in base 5). */
  const answer = async (lang: string, notApplicable: string[] = []) => {
    const i = respondent++
    const browser = new Browser(ctx.app)
    const link = wave.units.North!.staff
    const page = await browser.get(`/s/${link}?lang=${lang}`)
    expect(page.statusCode).toBe(200)
    const form = { submission: hidden(page.body, 'submission')!, lang, ...answers({ [`a_${KEYS[1]}`]: String(1 + (i % 5)), [`a_${KEYS[2]}`]: String(1 + (Math.floor(i / 5) % 5)),
      ...Object.fromEntries(notApplicable.map((key) => [`a_${key}`, 'na'])) }) }
    expect((await post(browser, link, form)).statusCode).toBe(303)
  }
  const exported = async () => {
    // Every step on one day, so that the test reads the same on either side of midnight.
    await ctx.database.db.updateTable('responses').set({ submitted_at: DAY }).where('wave_id', '=', wave.id).where('side', '=', 'staff').execute()
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${wave.id}/export.csv`, headers: bearer(token) })
    expect(response.statusCode).toBe(200)
    return (parse(response.body, { bom: true, columns: true }) as Row[]).filter((row) => row.side === 'staff')
  }
  const steps = async () => Number((await ctx.database.db.selectFrom('staff_releases').select((eb) => eb.fn.countAll().as('n')).where('wave_id', '=', wave.id).executeTakeFirstOrThrow()).n)
  const reportedN = async (key: string) => {
    const report = (await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${wave.id}/report?unit=North`, headers: bearer(token) })).json()
    const item = key === KEYS[0] ? report.headline : report.items.find((i: { key: string }) => i.key === key)
    return 'suppressed' in item.staff ? null : item.staff.n as number
  }
  let first: Row[] = []
  let second: Row[] = []

  it('a step that adds one German answer to North does not single it out between two exports', async () => {
    const tenant = await createTenant(ctx, 'Steps')
    token = await apiToken(ctx, tenant.owner.email)
    await createUnit(ctx, token, 'North')
    wave = await createWave(ctx, token, { name: 'Steps', unitLinks: true, locales: ['en', 'de'] })
    // Two steps: five English answers, then five German ones.
    for (let i = 0; i < 5; i++) await answer('en')
    for (let i = 0; i < 5; i++) await answer('de')
    expect(await steps()).toBe(2)
    first = await exported()
    expect(first).toHaveLength(10)
    expect(countBy(first, (row) => row.language!)).toEqual(new Map([['en', 5], ['de', 5]]))
    for (const [combination, n] of countBy(first, quasi)) expect(n, combination).toBeGreaterThanOrEqual(5)

    // The third step: one German answer and four English ones. North grows by five, as the report allows.
    await answer('de')
    for (let i = 0; i < 4; i++) await answer('en')
    expect(await steps()).toBe(3)
    second = await exported()
    expect(second).toHaveLength(15)
    // Each response keeps the step it joined in.
    const stored = await ctx.database.db.selectFrom('responses').select(['release_step']).where('wave_id', '=', wave.id).execute()
    expect(countBy(stored, (row) => String(row.release_step))).toEqual(new Map([['1', 5], ['2', 5], ['3', 5]]))
    expect(await reportedN(KEYS[0]!)).toBe(15)

    // The attacker's diff: each row of the second file by what both files print of it.
    const classes = countBy(linked(first, second), (entry) => entry.knowledge)
    const added = countBy(linked(first, second).filter((entry) => entry.isNew), (entry) => quasi(entry.row))
    for (const [combination, n] of added) expect(n, `new rows ${combination}`).toBeGreaterThanOrEqual(5)
    for (const [knowledge, n] of classes) expect(n, knowledge).toBeGreaterThanOrEqual(5)
    // Per step, North's German answers were 5 and then 1: the language is withheld for the whole file.
    expect(second.every((row) => row.language === '' && row.anonymity!.endsWith('; language withheld'))).toBe(true)
    expect([...added.values()]).toEqual([5])
    // And the second file alone stays k-anonymous.
    for (const [combination, n] of countBy(second, quasi)) expect(n, combination).toBeGreaterThanOrEqual(5)
  })

  it('a step moves each answer column of a named unit by 0 or at least five filled cells, as it moves the report', async () => {
    // Five more, one of whom answers "valued" with "not applicable": the report's n for it would move
    // by four, so the release step waits; the export follows the release, step by step.
    for (let i = 0; i < 5; i++) await answer('en', i === 0 ? ['valued'] : [])
    // They wait: no step can move "valued" by four.
    expect(await steps()).toBe(3)
    expect((await exported()).length).toBe(15)
    // Four more, and a step takes at least five of them, with "valued" moving by 0 or at least five.
    for (let i = 0; i < 4; i++) await answer('en')
    expect(await steps()).toBe(4)
    const third = await exported()
    expect(third.length).toBeGreaterThanOrEqual(20)
    const valuedMoved = (await reportedN('valued'))! - 15
    expect(valuedMoved === 0 || valuedMoved >= 5, `valued moved by ${valuedMoved}`).toBe(true)
    const filled = (rows: readonly Row[], key: string) => rows.filter((row) => row.unit === 'North' && /^\d+$/.test(row[key] ?? '')).length
    for (const key of KEYS) {
      const moved = filled(third, key) - filled(second, key)
      expect(moved === 0 || moved >= 5, `${key}: ${filled(second, key)} → ${filled(third, key)}`).toBe(true)
      expect(filled(third, key), key).toBe((await reportedN(key)) ?? 0)
    }
    const classes = countBy(linked(second, third), (entry) => entry.knowledge)
    for (const [knowledge, n] of classes) expect(n, knowledge).toBeGreaterThanOrEqual(5)
  })
})
