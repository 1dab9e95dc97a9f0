// The trend's flags for an instrument that changed between waves, on both databases: an own instrument
// (from the Service Gap Index) runs three waves; before the second its Spanish customer wording of
// "valued" changes, before the third the scale of "fit" becomes 0–10. The report's trend flags the
// wording in the second wave only, the scale in the third only, leaves every unchanged item unflagged,
// measures no gap change across the new scale (and leaves it out of the BH family), and the dashboard
// says so beside the numbers and under the chart.
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { apiToken, bearer, createTenant, describeEachDatabase, signedIn, type Browser, type TestContext } from '../helpers/app.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
const WAVES = ['2026-Q2', '2026-Q3', '2026-Q4']
type Point = { wave: { name: string }; gap: unknown; wordingChanged: boolean; scaleChanged: boolean }
type Trend = { waves: Array<{ name: string }>; items: Array<{ key: string; points: Point[] }>; change: { items: Array<{ key: string; change: { qValue: number; pValue: number } | null }> } }

const decode = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')
const text = (html: string) => decode(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim()
const rowsOf = (html: string) => [...html.matchAll(/<tbody>([\s\S]*?)<\/tbody>/g)].map((m) => [...m[1]!.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)]
  .map((r) => [...r[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => text(c[1]!))))
function trendSection(html: string) {
  const start = html.indexOf('data-block="trend"')
  expect(start).toBeGreaterThan(-1)
  return html.slice(html.lastIndexOf('<section', start), html.indexOf('</section>', start))
}

/** 12 staff and 12 customers; respondent i agrees on item j when (i + j) mod 3 ≠ 0 (staff) or mod 2 = 0 (customers). */
function responses(fitScale: 'agree5' | 'likelihood11') {
  const rows = []
  for (const side of ['staff', 'customer'] as const) {
    for (let i = 0; i < 12; i++) {
      const answers: Record<string, number> = {}
      KEYS.forEach((key, j) => {
        const agrees = side === 'staff' ? (i + j) % 3 !== 0 : (i + j) % 2 === 0
        answers[key] = key === 'fit' && fitScale === 'likelihood11' ? (agrees ? 9 + (i % 2) : i % 7) : agrees ? 4 + (i % 2) : 1 + (i % 3)
      })
      rows.push({ side, answers })
    }
  }
  return rows
}

describeEachDatabase('the trend flags wording and scale changes', (ctx: TestContext) => {
  let token: string
  let owner: Browser
  const waveIds: string[] = []
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    ctx.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) })
  const trendOf = async (wave: string): Promise<Trend> => {
    const response = await call('GET', `/waves/${wave}/report`)
    expect(response.statusCode, response.body).toBe(200)
    return response.json().trend
  }
  const flags = (trend: Trend, key: string, flag: 'wordingChanged' | 'scaleChanged') => trend.items.find((i) => i.key === key)!.points.map((p) => p[flag])

  it('runs three waves of an own instrument that changes between them', async () => {
    const tenant = await createTenant(ctx, 'Wording Co')
    token = await apiToken(ctx, tenant.owner.email)
    owner = await signedIn(ctx, tenant.owner.email)
    const made = await call('POST', '/instruments', { from: 'service-gap-index', key: 'branch', name: 'Branch survey' })
    expect(made.statusCode, made.body).toBe(201)
    let versionId: string = made.json().id
    const runWave = async (name: string, fitScale: 'agree5' | 'likelihood11') => {
      const wave = await call('POST', '/waves', { name, templateKey: 'branch' })
      expect(wave.statusCode, wave.body).toBe(201)
      waveIds.push(wave.json().id)
      const stored = await call('POST', `/waves/${wave.json().id}/responses`, responses(fitScale))
      expect(stored.statusCode, stored.body).toBe(201)
    }
    /** Saves the frozen version with a change: the next version under the same key. */
    const revise = async (change: (items: Array<Record<string, unknown> & { key: string; customerText: Record<string, string> }>) => void) => {
      const { id: _id, version: _v, builtIn: _b, inUse: _u, waves: _w, itemCount: _c, createdAt: _t, newestVersion: _n, ...definition } = (await call('GET', `/instruments/${versionId}`)).json()
      change(definition.items)
      const saved = await call('PUT', `/instruments/${versionId}`, definition)
      expect(saved.statusCode, saved.body).toBe(200)
      expect(saved.json().saved).toBe('new_version')
      versionId = saved.json().id
    }
    await runWave(WAVES[0]!, 'agree5')
    // Surrounding spaces are no new wording; a new Spanish customer wording is.
    await revise((items) => {
      const valued = items.find((item) => item.key === 'valued')!
      valued.customerText = { ...valued.customerText, es: 'Me siento valorado, no como una molestia.' }
      const trust = items.find((item) => item.key === 'trust')!
      trust.customerText = { ...trust.customerText, en: `  ${trust.customerText.en}  ` }
    })
    await runWave(WAVES[1]!, 'agree5')
    await revise((items) => { items.find((item) => item.key === 'fit')!.scale = 'likelihood11' })
    await runWave(WAVES[2]!, 'likelihood11')
  }, 240_000)

  it('flags the new wording in the wave it came in, the new scale likewise, and nothing unchanged', async () => {
    const trend = await trendOf(waveIds[2]!)
    expect(trend.waves.map((w) => w.name)).toEqual(WAVES)
    expect(flags(trend, 'valued', 'wordingChanged')).toEqual([false, true, false])
    expect(flags(trend, 'fit', 'scaleChanged')).toEqual([false, false, true])
    expect(flags(trend, 'fit', 'wordingChanged')).toEqual([false, false, false])
    for (const key of KEYS.filter((k) => k !== 'valued' && k !== 'fit')) {
      expect(flags(trend, key, 'wordingChanged'), key).toEqual([false, false, false])
      expect(flags(trend, key, 'scaleChanged'), key).toEqual([false, false, false])
    }
    // The second wave's own trend stops there: its last point carries the flag.
    const second = await trendOf(waveIds[1]!)
    expect(flags(second, 'valued', 'wordingChanged')).toEqual([false, true])
    expect(second.items.every((i) => i.points.every((p) => !p.scaleChanged))).toBe(true)
  }, 240_000)

  it('measures no gap change across the new scale, and leaves it out of the items compared', async () => {
    const trend = await trendOf(waveIds[2]!)
    const byKey = new Map(trend.change.items.map((c) => [c.key, c.change]))
    expect(trend.items.find((i) => i.key === 'fit')!.points.every((p) => p.gap !== null)).toBe(true)
    expect(byKey.get('fit')).toBeNull()
    const compared = trend.change.items.filter((c) => c.change !== null)
    expect(compared).toHaveLength(KEYS.length - 1)
    // Benjamini–Hochberg over the 11 compared: the largest p is its own q.
    const largest = compared.reduce((a, b) => (b.change!.pValue > a.change!.pValue ? b : a))
    expect(largest.change!.qValue).toBeCloseTo(Math.min(1, largest.change!.pValue), 12)
    const smallest = compared.reduce((a, b) => (b.change!.pValue < a.change!.pValue ? b : a))
    expect(smallest.change!.qValue).toBeGreaterThanOrEqual(Math.min(1, smallest.change!.pValue * 11) - 1e-12)
    // A wording change is still compared: it is flagged, not hidden.
    const second = await trendOf(waveIds[1]!)
    expect(flags(second, 'valued', 'wordingChanged').at(-1)).toBe(true)
    expect(second.change.items.find((c) => c.key === 'valued')!.change).not.toBeNull()
  }, 240_000)

  it('types the flags in the OpenAPI document', async () => {
    const docs = JSON.stringify((await ctx.app.inject({ method: 'GET', url: '/api/docs/json' })).json())
    expect(docs).toMatch(/"wordingChanged":\{"type":"boolean","description":"The staff or customer wording/)
    expect(docs).toMatch(/"scaleChanged":\{"type":"boolean"/)
  })

  it('says on the dashboard where the wording and the scale changed, beside the numbers and under the chart', async () => {
    const valued = await owner.get(`/waves/${waveIds[2]}?trend=valued`)
    expect(valued.statusCode).toBe(200)
    const block = trendSection(valued.body)
    expect(text(block)).toContain('Wording changed in 2026-Q3: a move there may come from the new words rather than from the service.')
    expect(text(block)).not.toContain('Scale changed in')
    const [perWave, changes] = rowsOf(block)
    const row = (rows: string[][], label: string) => rows.find((cells) => cells[0]!.replace(/^▸ /, '') === label)!
    expect(row(perWave!, 'Valued')[2]).toMatch(/wording changed$/)
    expect(row(perWave!, 'Valued')[1]).not.toContain('wording changed')
    expect(row(perWave!, 'Valued')[3]).not.toContain('wording changed')
    expect(row(perWave!, 'Fit')[3]).toMatch(/new scale$/)
    expect(row(perWave!, 'Trust').join(' ')).not.toMatch(/wording changed|new scale/)
    expect(row(changes!, 'Fit').slice(3)).toEqual(['—', '—', 'new scale: not compared'])
    const fit = trendSection((await owner.get(`/waves/${waveIds[2]}?trend=fit`)).body)
    expect(text(fit)).toContain('Scale changed in 2026-Q4: its shares count other answers as agreeing, so the line starts again there and no change is measured across it.')
    const spec = JSON.parse(decode(fit.match(/data-chart="([^"]*)"/)![1]!))
    expect(spec.breaks).toEqual([2])
    expect(JSON.parse(decode(block.match(/data-chart="([^"]*)"/)![1]!)).breaks).toEqual([])
    // The second wave's dashboard marks the wording in its own last wave, in the change table too.
    const second = trendSection((await owner.get(`/waves/${waveIds[1]}?trend=valued`)).body)
    expect(text(second)).toContain('Wording changed in 2026-Q3')
    const valuedChange = row(rowsOf(second)[1]!, 'Valued')
    expect(valuedChange[3]).not.toBe('—')
    expect(valuedChange[5]).toMatch(/wording changed$/)
    expect(row(rowsOf(second)[1]!, 'Trust')[5]).not.toContain('wording changed')
  }, 240_000)
})
