// Bad input and degenerate data against the leadership analytics (issue 14): every report, dashboard
// and report CSV of a degenerate wave answers 200 with finite numbers, and bad prediction values are
// refused with the field named.
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { apiToken, bearer, type Browser, createTenant, describeEachDatabase, signedIn } from '../helpers/app.js'
import { answers, checked, createWave, KEYS, post, surveyFixture } from '../helpers/survey.js'

const ITEMS = SERVICE_GAP_INDEX_V1.items
const HEADLINE = ITEMS.find((item) => item.headline)!.key
const UNITS = ['U1', 'U2', 'U3', 'U4', 'U5', 'U6']

type Row = { side: 'staff' | 'customer'; unit?: string; answers: Record<string, number | null>; predictions?: Record<string, number | null> }
const every = (value: number | null) => Object.fromEntries(ITEMS.map((item) => [item.key, value]))
const rows = (side: Row['side'], unit: string, count: number, make: (i: number) => Omit<Row, 'side' | 'unit'>): Row[] =>
  Array.from({ length: count }, (_, i) => ({ side, unit, ...make(i) }))

describeEachDatabase('analytics on degenerate data', (ctx) => {
  let token: string
  let owner: Browser
  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) })
  const wave = async (name: string, predictions: 'off' | 'headline' | 'all', data: Row[]) => {
    const made = await api('POST', '/waves', { name, templateKey: 'service-gap-index', predictions })
    expect(made.statusCode, made.body).toBe(201)
    const id = made.json().id as string
    if (data.length) {
      const stored = await api('POST', `/waves/${id}/responses`, data)
      expect(stored.statusCode, stored.body).toBe(201)
    }
    return id
  }
  const everyView = async (id: string, query = '') => {
    const report = await api('GET', `/waves/${id}/report${query}`)
    expect(report.statusCode, report.body).toBe(200)
    expect(report.body).not.toMatch(/NaN|Infinity|undefined/)
    const { drivers } = report.json()
    if (drivers) expect(Math.max(drivers.r2, ...drivers.r2Ci95), 'R²').toBeLessThanOrEqual(1)
    const page = await owner.get(`/waves/${id}${query}`)
    expect(page.statusCode, page.body.slice(0, 2000)).toBe(200)
    expect(page.body).not.toMatch(/NaN|Infinity|undefined/)
    const csv = await owner.get(`/waves/${id}/report.csv${query}`)
    expect(csv.statusCode, csv.body.slice(0, 2000)).toBe(200)
    expect(csv.body).not.toMatch(/NaN|Infinity|undefined/)
    return report.json()
  }

  it('sets up a tenant with six units', async () => {
    const tenant = await createTenant(ctx, 'Degenerate Co')
    token = await apiToken(ctx, tenant.owner.email)
    for (const name of UNITS) expect((await api('POST', '/units', { name })).statusCode).toBe(201)
    owner = await signedIn(ctx, tenant.owner.email)
  })

  it('zero variance: everyone gives the same answers, predictions all 10', async () => {
    const data = UNITS.flatMap((unit) => [
      ...rows('customer', unit, 20, () => ({ answers: every(4) })),
      ...rows('staff', unit, 6, () => ({ answers: every(5), predictions: every(10) })),
    ])
    await everyView(await wave('Flat', 'all', data))
  })

  it('predictions all 0, with varied customers', async () => {
    const data = UNITS.flatMap((unit, u) => [
      ...rows('customer', unit, 20, (i) => ({ answers: every(1 + ((i + u) % 5)) })),
      ...rows('staff', unit, 6, (i) => ({ answers: every(1 + ((i + u) % 5)), predictions: every(0) })),
    ])
    await everyView(await wave('Zero guesses', 'all', data))
  })

  it('only the headline answered', async () => {
    const data = UNITS.flatMap((unit, u) => [
      ...rows('customer', unit, 20, (i) => ({ answers: { [HEADLINE]: 1 + ((i + u) % 5) } })),
      ...rows('staff', unit, 6, (i) => ({ answers: { [HEADLINE]: 1 + (i % 5) }, predictions: { [HEADLINE]: i } })),
    ])
    await everyView(await wave('Headline only', 'headline', data))
  })

  it('all not applicable', async () => {
    const data = UNITS.flatMap((unit) => [
      ...rows('customer', unit, 20, () => ({ answers: every(null) })),
      ...rows('staff', unit, 6, () => ({ answers: every(null), predictions: every(null) })),
    ])
    await everyView(await wave('All NA', 'all', data))
  })

  it('two identical items and exactly 110 customers in one unit', async () => {
    const data = [
      ...rows('customer', 'U1', 110, (i) => ({ answers: Object.fromEntries(ITEMS.map((item, j) => [item.key, j < 3 ? 1 + (i % 5) : 1 + ((i * (j + 1)) % 5)])) })),
      ...rows('staff', 'U1', 6, (i) => ({ answers: every(1 + (i % 5)), predictions: every(i) })),
    ]
    await everyView(await wave('Identical items', 'all', data))
  })

  it('huge n in one unit, one in the others; identical climate across units', async () => {
    const data = [
      ...rows('customer', 'U1', 300, (i) => ({ answers: Object.fromEntries(ITEMS.map((item, j) => [item.key, 1 + ((i * (j + 2) + j) % 5)])) })),
      ...UNITS.slice(1).flatMap((unit) => rows('customer', unit, 1, () => ({ answers: every(3) }))),
      ...UNITS.flatMap((unit) => rows('staff', unit, 5, (i) => ({ answers: every(1 + (i % 5)), predictions: every(5) }))),
    ]
    await everyView(await wave('Lopsided', 'all', data))
  })

  it('identical climate and identical customers in every unit, and a previous wave with no shared units', async () => {
    const data = UNITS.flatMap((unit) => [
      ...rows('customer', unit, 20, (i) => ({ answers: every(1 + (i % 5)) })),
      ...rows('staff', unit, 6, (i) => ({ answers: every(1 + (i % 5)), predictions: every(i) })),
    ])
    await wave('Before', 'all', UNITS.slice(0, 3).flatMap((unit) => [
      ...rows('customer', unit, 20, (i) => ({ answers: every(1 + (i % 5)) })),
      ...rows('staff', unit, 6, (i) => ({ answers: every(1 + (i % 5)) })),
    ]))
    const id = await wave('Same everywhere', 'all', data.filter((row) => !['U1', 'U2', 'U3'].includes(row.unit!)))
    await everyView(id)
    await everyView(await wave('Same everywhere 2', 'all', data))
  })

  it('every predictor constant while the headline varies; one predictor constant; staff all on one answer', async () => {
    const constant = UNITS.flatMap((unit, u) => [
      ...rows('customer', unit, 20, (i) => ({ answers: { ...every(3), [HEADLINE]: 1 + ((i + u) % 5) } })),
      ...rows('staff', unit, 6, (i) => ({ answers: every(1 + ((i + u) % 5)), predictions: every(u) })),
    ])
    await everyView(await wave('Constant predictors', 'all', constant))
    const one = UNITS.flatMap((unit, u) => [
      ...rows('customer', unit, 20, (i) => ({ answers: { ...Object.fromEntries(ITEMS.map((item, j) => [item.key, 1 + ((i * (j + 1) + u) % 5)])), easy: 3 } })),
      ...rows('staff', unit, 6, () => ({ answers: every(2 + (u % 3)), predictions: every(10 - u) })),
    ])
    await everyView(await wave('One constant', 'all', one))
    await everyView(await wave('One constant headline', 'headline', one.map((row) => row.side === 'staff' ? { ...row, predictions: { [HEADLINE]: 4 } } : row)))
  })

  it('cross-lag against a previous wave with no shared units, then one with flat climate in the shared units', async () => {
    const varied = (names: string[], flat = false) => names.flatMap((unit, u) => [
      ...rows('customer', unit, 20, (i) => ({ answers: Object.fromEntries(ITEMS.map((item, j) => [item.key, flat ? 3 : i < 3 + 2 * u ? 4 + (j % 2) : 1 + ((i * (j + 1)) % 3)])) })),
      ...rows('staff', unit, 6, (i) => ({ answers: every(flat ? 4 : 1 + ((i + u * 2) % 5)), predictions: every((i + u) % 11) })),
    ])
    const others = ['V1', 'V2', 'V3', 'V4', 'V5']
    for (const name of others) expect((await api('POST', '/units', { name })).statusCode).toBe(201)
    await wave('Elsewhere', 'all', varied(others))
    const linked = await everyView(await wave('Linked', 'all', varied(UNITS)))
    expect(linked.linkage, JSON.stringify(linked.unavailable)).not.toBeNull()
    await wave('Flat before', 'all', varied(UNITS, true))
    const after = await everyView(await wave('After flat', 'all', varied(UNITS)))
    expect(after.linkage, JSON.stringify(after.unavailable)).not.toBeNull()
  })

  it('weird filters on a normal wave', async () => {
    const data = UNITS.flatMap((unit, u) => [
      ...rows('customer', unit, 25, (i) => ({ answers: Object.fromEntries(ITEMS.map((item, j) => [item.key, 1 + ((i * (j + 1) + u) % 5)])) })),
      ...rows('staff', unit, 6, (i) => ({ answers: every(1 + ((i + u) % 5)), predictions: every((i + u) % 11) })),
    ])
    const id = await wave('Filters', 'all', data)
    await everyView(id)
    for (const query of ['?unit=Nowhere', '?unit=00000000-0000-0000-0000-000000000000', '?unit=NO_UNIT', '?unit=U1&unit=U2',
      '?staff.tier=gold', '?customer.tier=gold&staff.tier=gold', `?unit=${'x'.repeat(5000)}`]) {
      const report = await api('GET', `/waves/${id}/report${query}`)
      expect(report.statusCode, `${query}: ${report.body}`).toBe(400)
      // A filter given twice or longer than any name is malformed input, refused by the request schema; the rest name no group there is.
      const malformed = query === '?unit=U1&unit=U2' || query.length > 1000
      expect(report.json().error, query.slice(0, 40)).toBe(malformed ? 'validation_failed' : 'unknown_filter')
      const page = await owner.get(`/waves/${id}${query}`)
      expect(page.statusCode, query).toBeLessThan(500)
      const csv = await owner.get(`/waves/${id}/report.csv${query}`)
      expect(csv.statusCode, query).toBeLessThan(500)
    }
  })
})

describeEachDatabase('bad prediction input', (ctx) => {
  let token: string
  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method, url: `/api/v1${url}`, headers: { ...bearer(token), ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) })

  it('refuses each bad prediction value on a staff row with 4xx naming the field', async () => {
    const tenant = await createTenant(ctx, 'Bad Input Co')
    token = await apiToken(ctx, tenant.owner.email)
    const headline = (await api('POST', '/waves', { name: 'H', templateKey: 'service-gap-index', predictions: 'headline' })).json().id
    const off = (await api('POST', '/waves', { name: 'O', templateKey: 'service-gap-index', predictions: 'off' })).json().id
    const bad: unknown[] = [11, -1, 1.5, '5', true, {}, [], [5], 'NaN', -0.0001, '']
    for (const value of bad) {
      const response = await api('POST', `/waves/${headline}/responses`, [{ side: 'staff', answers: { [HEADLINE]: 4 }, predictions: { [HEADLINE]: value } }])
      expect(response.statusCode, `${JSON.stringify(value)}: ${response.body}`).toBeGreaterThanOrEqual(400)
      expect(response.statusCode, `${JSON.stringify(value)}: ${response.body}`).toBeLessThan(500)
      expect(response.body, JSON.stringify(value)).toMatch(/predictions/)
    }
    const others: unknown[] = [
      [{ side: 'staff', answers: { [HEADLINE]: 4 }, predictions: { easy: 5 } }],
      [{ side: 'staff', answers: { [HEADLINE]: 4 }, predictions: { nonexistent: 5 } }],
      [{ side: 'customer', answers: { [HEADLINE]: 4 }, predictions: { [HEADLINE]: 5 } }],
      [{ side: 'staff', answers: { [HEADLINE]: 4 }, predictions: [5] }],
      [{ side: 'staff', answers: { [HEADLINE]: 4 }, predictions: 'x' }],
      [{ side: 'staff', answers: { [HEADLINE]: 4 }, predictions: { ['__proto__']: 5 } }],
      [{ side: 'staff', answers: { [HEADLINE]: 4 }, predictions: { constructor: 5 } }],
    ]
    for (const payload of others) {
      const response = await api('POST', `/waves/${headline}/responses`, payload)
      expect(response.statusCode, `${JSON.stringify(payload)}: ${response.body}`).toBeGreaterThanOrEqual(400)
      expect(response.statusCode, `${JSON.stringify(payload)}: ${response.body}`).toBeLessThan(500)
    }
    const toOff = await api('POST', `/waves/${off}/responses`, [{ side: 'staff', answers: { [HEADLINE]: 4 }, predictions: { [HEADLINE]: 5 } }])
    expect(toOff.statusCode, toOff.body).toBe(400)
    expect(toOff.json().details[0].field).toBe(`predictions.${HEADLINE}`)
    const proto = await api('POST', `/waves/${headline}/responses`, JSON.stringify([{ side: 'staff', answers: { [HEADLINE]: 4 }, predictions: JSON.parse('{"__proto__": 5}') }]), { 'content-type': 'application/json' })
    expect(proto.statusCode, proto.body).toBeLessThan(500)
    const fine = await api('POST', `/waves/${headline}/responses`, [{ side: 'staff', answers: { [HEADLINE]: 4 }, predictions: { [HEADLINE]: null } }, { side: 'staff', answers: { [HEADLINE]: 4 }, predictions: { [HEADLINE]: 0 } }, { side: 'staff', answers: { [HEADLINE]: 4 }, predictions: { [HEADLINE]: 10 } }])
    expect(fine.statusCode, fine.body).toBe(201)
    for (const predictions of ['HEADLINE', 'Headline', ' all', 'all ', 0, true, [], {}]) {
      const response = await api('PATCH', `/waves/${off}`, { predictions })
      expect(response.statusCode, `${JSON.stringify(predictions)}: ${response.body}`).toBe(400)
    }
    for (const [type, body] of [['text/plain', 'predictions=all'], ['application/json', '{"predictions":'], ['application/json', '']] as const) {
      const response = await api('PATCH', `/waves/${off}`, body, { 'content-type': type })
      expect(response.statusCode, `${type} ${body}: ${response.body}`).toBeGreaterThanOrEqual(400)
      expect(response.statusCode, `${type} ${body}: ${response.body}`).toBeLessThan(500)
    }
  })
})

describeEachDatabase('tampered prediction fields on the survey form', (ctx) => {
  const survey = surveyFixture(ctx)
  it('answers 4xx with the answers kept, or ignores fields that are not asked, never 500', async () => {
    const all = await createWave(ctx, survey.key, { name: 'All', predictions: 'all' })
    const full = () => ({ ...answers({}, '2'), ...Object.fromEntries(KEYS.map((key) => [`p_${key}`, '6'])) })
    const tampered: Array<Record<string, string | string[]>> = [
      { [`p_${HEADLINE}`]: ['3', '4'] },
      { [`p_${HEADLINE}`]: ['3', '3'] },
      { [`p_${HEADLINE}`]: 'x'.repeat(10_000) },
      { [`p_${HEADLINE}`]: ' 5' },
      { [`p_${HEADLINE}`]: '5.0' },
      { [`p_${HEADLINE}`]: '1e1' },
      { [`p_${HEADLINE}`]: '-0' },
      { [`p_${HEADLINE}`]: '0x5' },
      { [`p_${HEADLINE}`]: 'NA' },
      { [`p_${HEADLINE}`]: '' },
      { [`p_${HEADLINE}`]: [] as string[] },
    ]
    for (const fields of tampered) {
      const { browser, submission } = await survey.open(all.staff)
      const sent = await post(browser, all.staff, { submission, lang: 'en', ...full(), ...fields })
      const label = JSON.stringify(fields).slice(0, 80)
      expect(sent.statusCode, label).toBe(422)
      expect(sent.body, label).toContain(`id="p-${HEADLINE}-e"`)
      for (const key of KEYS) expect(checked(sent.body, key, '2'), `${label} ${key}`).toBe(true)
    }
    // Fields the form does not ask are ignored, as any unknown field is.
    const unasked: Array<Record<string, string>> = [{ [`p_${HEADLINE}[a]`]: '5' }, { p___proto__: '5', p_constructor: '5', p_nothing: '5' }]
    for (const fields of unasked) {
      const { browser, submission } = await survey.open(all.staff)
      expect((await post(browser, all.staff, { submission, lang: 'en', ...full(), ...fields })).statusCode).toBe(303)
    }
    for (const wave of [all.customer, survey.main.staff]) {
      const { browser, submission } = await survey.open(wave)
      const sent = await post(browser, wave, { submission, lang: 'en', ...full() })
      expect(sent.statusCode).toBe(303)
    }
  })
})
