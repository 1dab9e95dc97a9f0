// The responses export keeps staff rows k-anonymous (design §5, "Exports"), on both databases: staff
// who answered through unit links in two languages and one personal invitation, in units of 10, 10
// and 3, read back with csv-parse as a spreadsheet user or a script would; customers are unchanged.
import { parse } from 'csv-parse/sync'
import { expect, it } from 'vitest'
import { createInvitation } from '../../server/repositories/responses.js'
import { NO_UNIT } from '../../db/schema.js'
import { responsesCsv } from '../../server/services/export.js'
import { groupOf, shows, waveRelease } from '../../server/services/release.js'
import { apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type Tenant } from '../helpers/app.js'
import { answers, createUnit, createWave, hidden, KEYS, post, type Wave } from '../helpers/survey.js'

type Row = Record<string, string>

const QUASI_IDENTIFIERS = ['unit', 'submitted', 'language', 'channel'] as const

function countBy(rows: readonly Row[], key: (row: Row) => string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const row of rows) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1)
  return counts
}

describeEachDatabase('the responses export: k-anonymous staff rows', (ctx) => {
  let tenant: Tenant
  let token: string
  let wave: Wave
  const exported = async (waveId: string) => {
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${waveId}/export.csv`, headers: bearer(token) })
    expect(response.statusCode).toBe(200)
    return { body: response.body, rows: parse(response.body, { bom: true, columns: true }) as Row[] }
  }
  const answer = async (link: string, lang: string, comment = '') => {
    const browser = new Browser(ctx.app)
    const page = await browser.get(`/s/${link}?lang=${lang}`)
    expect(page.statusCode).toBe(200)
    const sent = await post(browser, link, { submission: hidden(page.body, 'submission')!, lang, ...answers(), comment })
    expect(sent.statusCode).toBe(303)
  }

  it('leaves every combination of unit, day, language and channel to at least five staff rows', async () => {
    tenant = await createTenant(ctx, 'Acme')
    token = await apiToken(ctx, tenant.owner.email)
    for (const name of ['North', 'South', 'Kiosk']) await createUnit(ctx, token, name)
    wave = await createWave(ctx, token, { name: 'Spring', unitLinks: true, locales: ['en', 'de'] })
    const staff = (unit: string) => wave.units[unit]!.staff
    for (let i = 0; i < 10; i++) await answer(staff('North'), i < 5 ? 'en' : 'de')
    for (let i = 0; i < 9; i++) await answer(staff('South'), 'en')
    const southUnit = (await ctx.database.db.selectFrom('units').select('id').where('name', '=', 'South').where('organization_id', '=', tenant.organizationId).executeTakeFirstOrThrow()).id
    const invitation = await createInvitation(ctx.database.db, { organizationId: tenant.organizationId, waveId: wave.id, side: 'staff', unitId: southUnit })
    await answer(invitation, 'en')
    await answer(staff('Kiosk'), 'en', 'only the three of us in the kiosk')
    await answer(staff('Kiosk'), 'en')
    await answer(staff('Kiosk'), 'de')
    await answer(wave.units.North!.customer, 'de', '=1+1 great')
    await answer(wave.units.South!.customer, 'en')
    const imported = await ctx.app.inject({
      method: 'POST', url: `/api/v1/waves/${wave.id}/responses`, headers: bearer(token),
      payload: [1, 2, 3].map((i) => ({ side: 'customer', unit: 'North', attributes: { tier: i === 1 ? 'gold' : 'standard' }, answers: { excellent_service: i + 2 } })),
    })
    expect(imported.statusCode).toBe(201)
    // Everyone on one day, so that the test reads the same on either side of midnight.
    await ctx.database.db.updateTable('responses').set({ submitted_at: new Date('2026-11-04T10:00:00Z') })
      .where('wave_id', '=', wave.id).where('side', '=', 'staff').execute()

    // The kiosk's three staff answers wait in the pool: no release step can take them without
    // singling them out (a step must hide each newcomer among k others alike in every shown group).
    expect(Number((await ctx.database.db.selectFrom('staff_pool').select((eb) => eb.fn.countAll().as('n')).where('wave_id', '=', wave.id).executeTakeFirstOrThrow()).n)).toBe(3)
    const { rows } = await exported(wave.id)
    const staffRows = rows.filter((row) => row.side === 'staff')
    expect(staffRows).toHaveLength(20)
    for (const [combination, n] of countBy(staffRows, (row) => JSON.stringify(QUASI_IDENTIFIERS.map((column) => row[column])))) {
      expect(n, combination).toBeGreaterThanOrEqual(5)
    }
    // No staff row is the only one (nor one of fewer than five) with its channel or its language.
    for (const column of ['channel', 'language'] as const) {
      for (const [value, n] of countBy(staffRows, (row) => row[column]!)) expect(n, `${column} ${value}`).toBeGreaterThanOrEqual(5)
    }
    expect(staffRows.some((row) => row.channel === 'invitation')).toBe(false)
    // The one invitation is hidden by withholding everyone's channel. North's five English and five
    // German answers and South's ten English ones keep the language and both unit names.
    expect(countBy(staffRows, (row) => row.unit!)).toEqual(new Map([['North', 10], ['South', 10]]))
    expect(countBy(staffRows, (row) => row.language!)).toEqual(new Map([['en', 15], ['de', 5]]))
    expect(new Set(staffRows.map((row) => row.submitted))).toEqual(new Set(['2026-11-04']))
    for (const row of staffRows) {
      expect(row.response).toBe('')
      expect(row['customer.tier']).toBe('')
      expect(row.anonymity).toBe('k-anonymous, k=5; unit empty when none or withheld; answer empty where the report hides its group; channel withheld')
    }
    expect(staffRows.some((row) => row.comment === 'only the three of us in the kiosk')).toBe(false)
  })

  it('leaves customer rows as they are: id, unit, exact time, language, channel and attributes', async () => {
    const { rows } = await exported(wave.id)
    const customers = rows.filter((row) => row.side === 'customer')
    const stored = await ctx.database.db.selectFrom('responses').leftJoin('units', 'units.id', 'responses.unit_id')
      .select(['responses.id', 'units.name', 'responses.submitted_at', 'responses.locale', 'responses.channel', 'responses.attributes', 'responses.comment'])
      .where('wave_id', '=', wave.id).where('side', '=', 'customer').orderBy('responses.id').execute()
    expect(customers.map((row) => ({
      id: row.response, name: row.unit, submitted_at: row.submitted, locale: row.language, channel: row.channel, tier: row['customer.tier'], comment: row.comment, anonymity: row.anonymity,
    }))).toEqual(stored.map((response) => ({
      id: response.id, name: response.name, submitted_at: response.submitted_at.toISOString(), locale: response.locale, channel: response.channel,
      tier: response.attributes.tier ?? '', comment: response.comment === null ? '' : response.comment.startsWith('=') ? `'${response.comment}` : response.comment, anonymity: '',
    })))
    expect(new Set(customers.map((row) => row.channel))).toEqual(new Set(['link', 'api']))
    expect(customers.filter((row) => row.language === 'de')).toHaveLength(1)
    expect(customers.every((row) => KEYS.every((key) => key in row))).toBe(true)
  })

  it('gives the same file from the dashboard link', async () => {
    const owner = await signedIn(ctx, tenant.owner.email)
    const page = await owner.get(`/waves/${wave.id}/responses.csv`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toBe((await exported(wave.id)).body)
  })

  it('writes only the staff rows it counted: one stored while the file streams waits for the next export', async () => {
    const lines = responsesCsv(ctx.database.db, tenant.organizationId, wave.id, 5)
    const header = (await lines.next()).value as string
    const kiosk = (await ctx.database.db.selectFrom('units').select('id').where('name', '=', 'Kiosk').where('organization_id', '=', tenant.organizationId).executeTakeFirstOrThrow()).id
    await ctx.database.db.insertInto('responses').values({
      organization_id: tenant.organizationId, wave_id: wave.id, side: 'staff', unit_id: kiosk, locale: 'de', channel: 'invitation', attributes: '{}',
      comment: 'arrived late', submitted_at: new Date('2026-11-04T11:00:00Z'), staff_answers: '{}',
    }).execute()
    let body = header
    for await (const line of lines) body += line
    const rows = parse(body, { columns: true }) as Row[]
    expect(rows.filter((row) => row.side === 'staff')).toHaveLength(20)
    expect(body).not.toContain('arrived late')
    expect(rows.filter((row) => row.side === 'staff' && row.comment === '')).toHaveLength(20)
  })

  it('writes no staff row when the staff side is fewer than five, and says so in a note row', async () => {
    const small = await createWave(ctx, token, { name: 'Small', unitLinks: true })
    for (const lang of ['en', 'en', 'en', 'en']) await answer(small.units.North!.staff, lang)
    await answer(small.units.North!.customer, 'en')
    const { rows } = await exported(small.id)
    expect(rows.filter((row) => row.side === 'staff')).toHaveLength(0)
    expect(rows).toHaveLength(2)
    const [note, customer] = rows
    expect(note!.anonymity).toBe('staff rows not exported: fewer than 5 staff responses')
    expect(Object.entries(note!).filter(([column]) => column !== 'anonymity').every(([, value]) => value === '')).toBe(true)
    expect(customer).toMatchObject({ side: 'customer', unit: 'North', anonymity: '' })
  })
})

// The per-measure hole: a unit of six staff where one gave the headline prediction and two answered
// "valued". The report hides both figures for the unit (fewer than five), and the whole wave's figure
// minus the other parts as well; an export that printed the unit's answer cells gave them back.
// Below, an attacker reads every report and the export, and solves for every unit's count of one
// measure from what they show: the report's n for the groups it shows, the export's non-empty cells
// per named unit and for the rows without a unit, and the whole wave's n as the sum of all parts.
const HEADLINE = 'excellent_service'
const PREDICT = `predict:${HEADLINE}`
const NONE = '(no unit)'

type Equation = { parts: Set<string>; value: number }

/** Every part's count the equations fix (a part alone, or alone after subtracting what is known). */
function solve(parts: readonly string[], known: ReadonlyMap<string, number>, equations: readonly Equation[]): Map<string, number> {
  const solved = new Map(known)
  const all = [...equations]
  // A sum over a part of another sum's parts leaves their difference.
  for (const a of equations) for (const b of equations) {
    if (a !== b && [...b.parts].every((p) => a.parts.has(p)) && b.parts.size < a.parts.size) all.push({ parts: new Set([...a.parts].filter((p) => !b.parts.has(p))), value: a.value - b.value })
  }
  for (let changed = true; changed;) {
    changed = false
    for (const { parts: over, value } of all) {
      const open = [...over].filter((p) => !solved.has(p))
      if (open.length !== 1) continue
      solved.set(open[0]!, value - [...over].filter((p) => solved.has(p)).reduce((sum, p) => sum + solved.get(p)!, 0))
      changed = true
    }
  }
  return new Map([...solved].filter(([part]) => parts.includes(part)))
}

describeEachDatabase('the responses export: an answer cell follows the report of its group', (ctx) => {
  let token: string
  let waveId: string
  let organizationId: string
  const UNITS = ['North', 'South', 'Small']
  const api = async (url: string) => {
    const response = await ctx.app.inject({ method: 'GET', url, headers: bearer(token) })
    expect(response.statusCode, url).toBe(200)
    return response
  }
  const exportRows = async () => (parse((await api(`/api/v1/waves/${waveId}/export.csv`)).body, { bom: true, columns: true }) as Row[]).filter((row) => row.side === 'staff')
  /** A report's n of a measure for the whole wave (null) or a unit, or null where it is hidden. */
  const reported = async (unit: string | null, measure: string): Promise<number | null> => {
    const report = (await api(`/api/v1/waves/${waveId}/report${unit ? `?unit=${unit}` : ''}`)).json()
    if (measure === PREDICT) return report.prediction?.headline.predicted?.n ?? null
    const item = measure === HEADLINE ? report.headline : report.items.find((i: { key: string }) => i.key === measure)
    return 'suppressed' in item.staff ? null : item.staff.n
  }
  const numeric = (cell: string | undefined) => cell !== undefined && /^\d+$/.test(cell)
  /** What the attacker learns of each part's count of a measure; `withExport` false: from the reports alone. */
  const attack = async (measure: string, rows: readonly Row[] | null) => {
    const parts = [...UNITS, NONE]
    const known = new Map<string, number>()
    for (const unit of UNITS) {
      const n = await reported(unit, measure)
      if (n !== null) known.set(unit, n)
    }
    const equations: Equation[] = []
    const whole = await reported(null, measure)
    if (whole !== null) equations.push({ parts: new Set(parts), value: whole })
    if (rows) {
      const named = new Set(rows.map((row) => row.unit!).filter((unit) => unit !== ''))
      for (const unit of named) {
        const cells = rows.filter((row) => row.unit === unit).map((row) => row[measure])
        // An empty column says nothing: nobody answered, or the report hides it.
        if (cells.some(numeric)) known.set(unit, cells.filter(numeric).length)
      }
      const unnamed = rows.filter((row) => row.unit === '').map((row) => row[measure])
      if (unnamed.some(numeric)) equations.push({ parts: new Set(parts.filter((p) => !named.has(p))), value: unnamed.filter(numeric).length })
    }
    return solve(parts, known, equations)
  }
  const hiddenParts = async (measure: string) => {
    const release = await waveRelease(ctx.database.db, organizationId, waveId, 5)
    const hidden = new Map<string, boolean>()
    for (const unit of UNITS) hidden.set(unit, (await reported(unit, measure)) === null)
    hidden.set(NONE, !shows(release, 'staff', groupOf(NO_UNIT, {}))(measure))
    return hidden
  }
  /** How many of a unit's (or the unnamed rows') cells of a measure are filled. */
  const filled = (rows: readonly Row[], unit: string, measure: string) => rows.filter((row) => row.unit === unit && numeric(row[measure])).length

  const staff = (unit: string | null, n: number, predicting: number, valued: number, prediction: number) => Array.from({ length: n }, (_, i) => ({
    side: 'staff', ...(unit ? { unit } : {}),
    answers: { ...Object.fromEntries(KEYS.map((key) => [key, 4])), valued: i < valued ? 5 : null },
    predictions: { [HEADLINE]: i < predicting ? prediction : null },
  }))

  it('hides a unit of six\'s one headline prediction and two "valued" answers in the export as the report does', async () => {
    const tenant = await createTenant(ctx, 'Predictors')
    organizationId = tenant.organizationId
    token = await apiToken(ctx, tenant.owner.email)
    for (const name of UNITS) await createUnit(ctx, token, name)
    waveId = (await createWave(ctx, token, { name: 'Predict', predictions: 'headline' })).id
    const imported = await ctx.app.inject({
      method: 'POST', url: `/api/v1/waves/${waveId}/responses`, headers: bearer(token),
      payload: [...staff('North', 10, 10, 10, 7), ...staff('South', 8, 8, 8, 6), ...staff('Small', 6, 1, 2, 9), ...staff(null, 5, 4, 5, 3),
        ...Array.from({ length: 6 }, () => ({ side: 'customer', unit: 'North', answers: { [HEADLINE]: 4 } }))],
    })
    expect(imported.statusCode).toBe(201)
    await ctx.database.db.updateTable('responses').set({ submitted_at: new Date('2026-11-04T00:00:00Z') }).where('wave_id', '=', waveId).where('side', '=', 'staff').execute()
    expect(Number((await ctx.database.db.selectFrom('staff_pool').select((eb) => eb.fn.countAll().as('n')).where('wave_id', '=', waveId).executeTakeFirstOrThrow()).n)).toBe(0)

    // The report: the whole wave's headline prediction is 23 staff, Small's is hidden.
    expect(await reported(null, PREDICT)).toBe(10 + 8 + 1 + 4)
    expect(await reported('Small', PREDICT)).toBeNull()
    expect(await reported('Small', 'valued')).toBeNull()
    expect(await reported('Small', HEADLINE)).toBe(6)
    const rows = await exportRows()
    // Every unit is named: each has at least five rows on one day, language and channel.
    expect(countBy(rows, (row) => row.unit!)).toEqual(new Map([['North', 10], ['South', 8], ['Small', 6], ['', 5]]))
    // Small's one prediction (a 9) and two "valued" answers are not in the file.
    expect(filled(rows, 'Small', PREDICT)).toBe(0)
    expect(filled(rows, 'Small', 'valued')).toBe(0)
    expect(rows.filter((row) => row.unit === 'Small').every((row) => row[PREDICT] === '' && row.valued === '')).toBe(true)
    expect(rows.some((row) => row[PREDICT] === '9')).toBe(false)
    // Nor the rows without a unit's: the whole wave's 23 less North's 10, South's 8 and their 4 would leave Small's one.
    expect(filled(rows, '', PREDICT)).toBe(0)
    expect(filled(rows, '', 'valued')).toBe(0)
    // What the report shows stays: North's and South's predictions, everyone's headline answer.
    expect(filled(rows, 'North', PREDICT)).toBe(10)
    expect(filled(rows, 'South', PREDICT)).toBe(8)
    for (const unit of ['North', 'South', 'Small', '']) expect(filled(rows, unit, HEADLINE), unit).toBe(unit === '' ? 5 : (await reported(unit, HEADLINE))!)
    expect(rows.every((row) => row.anonymity === 'k-anonymous, k=5; unit empty when none or withheld; answer empty where the report hides its group')).toBe(true)
  })

  it('leaves an attacker with every report and the export no hidden count of any answer column', async () => {
    const rows = await exportRows()
    for (const measure of [PREDICT, 'valued', HEADLINE, 'trust']) {
      const hidden = await hiddenParts(measure)
      // The reports alone fix no hidden part (the release's promise), and the export adds none.
      for (const [label, seen] of [['reports', await attack(measure, null)], ['reports and export', await attack(measure, rows)]] as const) {
        for (const [part, n] of seen) expect(hidden.get(part) ? `${part} ${measure}: ${n}` : part, label).toBe(part)
      }
    }
    // Each named unit's filled cells are the report's n where it shows one, and none where it does not (the same counts, never others).
    for (const measure of [PREDICT, 'valued', HEADLINE, 'trust']) {
      for (const unit of UNITS) expect(filled(rows, unit, measure), `${unit} ${measure}`).toBe((await reported(unit, measure)) ?? 0)
    }
  })

  it('after the next release step, two exports differ per unit and answer column by 0 or at least five, and the new one obeys the new report', async () => {
    const before = await exportRows()
    // A step while an export streams: the file keeps the rows and cells of the release it was counted on.
    const lines = responsesCsv(ctx.database.db, organizationId, waveId, 5)
    let streamed = (await lines.next()).value as string
    const imported = await ctx.app.inject({
      method: 'POST', url: `/api/v1/waves/${waveId}/responses`, headers: bearer(token),
      payload: [...staff('Small', 5, 5, 5, 8), ...staff('North', 2, 2, 2, 7)],
    })
    expect(imported.statusCode).toBe(201)
    await ctx.database.db.updateTable('responses').set({ submitted_at: new Date('2026-11-04T00:00:00Z') }).where('wave_id', '=', waveId).where('side', '=', 'staff').execute()
    for await (const line of lines) streamed += line
    const sorted = (rows: readonly Row[]) => rows.map((row) => JSON.stringify(row)).sort()
    expect(sorted((parse(streamed, { columns: true }) as Row[]).filter((row) => row.side === 'staff'))).toEqual(sorted(before))
    const after = await exportRows()
    expect(after.length).toBeGreaterThan(before.length)
    for (const measure of [PREDICT, 'valued', HEADLINE]) {
      for (const unit of [...UNITS, '']) {
        const moved = filled(after, unit, measure) - filled(before, unit, measure)
        if (moved !== 0 && filled(before, unit, measure) > 0) expect(moved, `${unit || NONE} ${measure}`).toBeGreaterThanOrEqual(5)
      }
      const hidden = await hiddenParts(measure)
      for (const [part, n] of await attack(measure, after)) expect(hidden.get(part) ? `${part} ${measure}: ${n}` : part).toBe(part)
      for (const unit of UNITS) expect(filled(after, unit, measure), `${unit} ${measure}`).toBe((await reported(unit, measure)) ?? 0)
    }
  })

  it('names no unit whose respondents the report hides to protect a smaller one, so no count of rows or cells gives it', async () => {
    // South has three staff (hidden); Small's six are hidden with them, or South's three would be the
    // whole wave less North and Small. Small's six rows under its name would undo that.
    waveId = (await createWave(ctx, token, { name: 'Secondary', predictions: 'headline' })).id
    const imported = await ctx.app.inject({
      method: 'POST', url: `/api/v1/waves/${waveId}/responses`, headers: bearer(token),
      payload: [...staff('North', 10, 10, 10, 7), ...staff('Small', 6, 6, 6, 5), ...staff('South', 3, 3, 3, 2)],
    })
    expect(imported.statusCode).toBe(201)
    await ctx.database.db.updateTable('responses').set({ submitted_at: new Date('2026-11-04T00:00:00Z') }).where('wave_id', '=', waveId).where('side', '=', 'staff').execute()
    expect(await reported(null, HEADLINE)).toBe(19)
    expect(await reported('North', HEADLINE)).toBe(10)
    expect(await reported('Small', HEADLINE)).toBeNull()
    expect(await reported('South', HEADLINE)).toBeNull()
    const release = await waveRelease(ctx.database.db, organizationId, waveId, 5)
    const small = (await ctx.database.db.selectFrom('units').select('id').where('name', '=', 'Small').where('organization_id', '=', organizationId).executeTakeFirstOrThrow()).id
    expect(release.sides.staff.status({ unit: small, attribute: null })).toEqual({ shown: false, reason: 'protects_smaller' })
    const rows = await exportRows()
    expect(countBy(rows, (row) => row.unit!)).toEqual(new Map([['North', 10], ['', 9]]))
    // Rows per named unit and filled cells per column are the report's figures; the nine without a unit are the whole less North.
    for (const measure of [HEADLINE, PREDICT, 'valued']) {
      expect(filled(rows, 'North', measure)).toBe((await reported('North', measure))!)
      expect(filled(rows, '', measure)).toBe((await reported(null, measure))! - (await reported('North', measure))!)
      const hidden = await hiddenParts(measure)
      for (const [part, n] of await attack(measure, rows)) expect(hidden.get(part) ? `${part} ${measure}: ${n}` : part).toBe(part)
    }
  })
})
