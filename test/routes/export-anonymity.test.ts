// The responses export keeps staff rows k-anonymous (design §5, "Exports"), on both databases: staff
// who answered through unit links in two languages and one personal invitation, in units of 10, 10
// and 3, read back with csv-parse as a spreadsheet user or a script would; customers are unchanged.
import { parse } from 'csv-parse/sync'
import { expect, it } from 'vitest'
import { createInvitation } from '../../server/repositories/responses.js'
import { responsesCsv } from '../../server/services/export.js'
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

    const { rows } = await exported(wave.id)
    const staffRows = rows.filter((row) => row.side === 'staff')
    expect(staffRows).toHaveLength(23)
    for (const [combination, n] of countBy(staffRows, (row) => JSON.stringify(QUASI_IDENTIFIERS.map((column) => row[column])))) {
      expect(n, combination).toBeGreaterThanOrEqual(5)
    }
    // No staff row is the only one (nor one of fewer than five) with its channel or its language.
    for (const column of ['channel', 'language'] as const) {
      for (const [value, n] of countBy(staffRows, (row) => row[column]!)) expect(n, `${column} ${value}`).toBeGreaterThanOrEqual(5)
    }
    expect(staffRows.some((row) => row.channel === 'invitation')).toBe(false)
    // The one invitation is hidden by withholding everyone's channel. Six German answers are enough
    // to keep the language; the Kiosk's three rows (one German) hide among North's ten, whose name
    // goes with them (South's ten English rows would leave the Kiosk's German one alone). South keeps its name.
    expect(countBy(staffRows, (row) => row.unit!)).toEqual(new Map([['', 13], ['South', 10]]))
    expect(countBy(staffRows, (row) => row.language!)).toEqual(new Map([['en', 17], ['de', 6]]))
    expect(new Set(staffRows.map((row) => row.submitted))).toEqual(new Set(['2026-11-04']))
    for (const row of staffRows) {
      expect(row.response).toBe('')
      expect(row['customer.tier']).toBe('')
      expect(row.anonymity).toBe('k-anonymous, k=5; unit empty when none or withheld; channel withheld')
    }
    expect(staffRows.filter((row) => row.comment === 'only the three of us in the kiosk').map((row) => row.unit)).toEqual([''])
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
      comment: 'arrived late', submitted_at: new Date('2026-11-04T11:00:00Z'),
    }).execute()
    let body = header
    for await (const line of lines) body += line
    const rows = parse(body, { columns: true }) as Row[]
    expect(rows.filter((row) => row.side === 'staff')).toHaveLength(23)
    expect(body).not.toContain('arrived late')
    expect(rows.filter((row) => row.side === 'staff' && row.comment === '')).toHaveLength(22)
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
