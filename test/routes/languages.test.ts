// French and Portuguese end to end, on both databases: a new wave on the built-in instrument gets
// Service Gap Index v2 and offers all five languages; a wave made on v1 keeps v1 and its three; the
// QR poster speaks each of the wave's languages, its code opening the survey in that language, and an
// unknown language gives the wave's first, never an error.
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/built-in-instruments.js'
import { LOCALES } from '../../server/domain/languages.js'
import { POSTER_TEXT } from '../../server/i18n/poster.js'
import { RESPONDENT_TEXT } from '../../server/i18n/respondent.js'
import { createWave as insertWave } from '../../server/repositories/waves.js'
import { apiToken, Browser, createTenant, describeEachDatabase, signedIn, type Tenant } from '../helpers/app.js'
import { createWave, escapeHtml, type Wave } from '../helpers/survey.js'

describeEachDatabase('languages: SGI v2, French and Portuguese, the poster per language', (ctx) => {
  let tenant: Tenant
  let key: string
  let owner: Browser
  let v2: Wave
  let v1Id: string
  const db = () => ctx.database.db
  const instrumentOf = (waveId: string) => db().selectFrom('waves').innerJoin('instruments', 'instruments.id', 'waves.instrument_id')
    .select(['instruments.key', 'instruments.version', 'waves.locales']).where('waves.id', '=', waveId).executeTakeFirstOrThrow()
  /** The wave's links as the operations page shows them: [side, link id], the general links first. */
  const links = async (waveId: string) => {
    const page = await owner.get(`/waves/${waveId}/operations`)
    expect(page.statusCode).toBe(200)
    return { page, ids: [...new Set([...page.body.matchAll(/\/links\/([0-9a-f-]{36})\/print/g)].map((m) => m[1]!))] }
  }

  it('gives a new wave Service Gap Index v2 in all five languages, and keeps a v1 wave on v1', async () => {
    tenant = await createTenant(ctx, 'Acme Co')
    key = await apiToken(ctx, tenant.owner.email)
    owner = await signedIn(ctx, tenant.owner.email)
    v2 = await createWave(ctx, key, { name: 'Newest' })
    expect(await instrumentOf(v2.id)).toEqual({ key: 'service-gap-index', version: 2, locales: ['en', 'es', 'de', 'fr', 'pt'] })

    // A wave made before v2 existed: on the built-in v1, in its three languages.
    const v1 = await db().selectFrom('instruments').select('id').where('organization_id', 'is', null)
      .where('key', '=', SERVICE_GAP_INDEX_V1.key).where('version', '=', 1).executeTakeFirstOrThrow()
    v1Id = await insertWave(db(), tenant.organizationId, { name: 'Older', instrumentId: v1.id, status: 'open', opensAt: null, closesAt: null, locales: ['de', 'en'], unitIds: [] })
    expect(await instrumentOf(v1Id)).toEqual({ key: 'service-gap-index', version: 1, locales: ['de', 'en'] })

    const templates = (await ctx.app.inject({ method: 'GET', url: '/api/v1/templates', headers: { authorization: `Bearer ${key}` } })).json() as Array<{ key: string; version: number; locales: string[] }>
    expect(templates.filter((t) => t.key === 'service-gap-index').map((t) => [t.version, t.locales])).toEqual(expect.arrayContaining([[1, ['en', 'es', 'de']], [2, [...LOCALES]]]))
  })

  it('serves the v2 wave in French and Portuguese, and the v1 wave only in its own languages', async () => {
    for (const [lang, statement] of [['fr', 'Je reçois un excellent service de la part de Acme Co.'], ['pt', 'Recebo de Acme Co um serviço excelente.']] as const) {
      const page = await new Browser(ctx.app).request({ method: 'GET', url: `/s/${v2.customer}?lang=${lang}` })
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain(`<html lang="${lang}">`)
      expect(page.body).toContain(escapeHtml(statement))
      expect(page.body).toContain(escapeHtml(RESPONDENT_TEXT[lang].introCustomer('Acme Co')))
    }
    const { ids } = await links(v1Id)
    const token = (await db().selectFrom('links').select('token').where('id', '=', ids[1]!).executeTakeFirstOrThrow()).token
    for (const lang of ['fr', 'pt']) {
      const page = await new Browser(ctx.app).request({ method: 'GET', url: `/s/${token}?lang=${lang}`, headers: { 'accept-language': lang } })
      expect(page.statusCode).toBe(200)
      // Neither is offered: the organization's default language, English, with the wave's two to choose from.
      expect(page.body).toContain('<html lang="en">')
      expect(page.body).toContain('lang=de>Deutsch</a>')
      expect(page.body).not.toContain('lang=fr')
      expect(page.body).not.toContain('lang=pt')
    }
  })

  it('offers a poster per wave language on the operations page, and prints it in that language', async () => {
    const { page, ids } = await links(v2.id)
    const [staffLink, customerLink] = ids
    for (const code of LOCALES) expect(page.body).toContain(`/links/${customerLink}/print?lang=${code}" lang="${code}"`)
    for (const [linkId, side] of [[staffLink!, 'staff'], [customerLink!, 'customer']] as const) {
      const token = (await db().selectFrom('links').select('token').where('id', '=', linkId).executeTakeFirstOrThrow()).token
      for (const lang of LOCALES) {
        const t = POSTER_TEXT[lang]
        const poster = await owner.get(`/waves/${v2.id}/links/${linkId}/print?lang=${lang}`)
        expect(poster.statusCode).toBe(200)
        expect(poster.body).toContain(`<div lang="${lang}">`)
        expect(poster.body).toContain(`<h1>${escapeHtml(t.heading[side])}</h1>`)
        expect(poster.body).toContain(escapeHtml(t.lead(side, 12)))
        expect(poster.body).toContain(`alt="${escapeHtml(t.qrAlt[side])}"`)
        expect(poster.body).toContain(`/qr.svg?lang=${lang}"`)
        expect(poster.body).toMatch(new RegExp(`<p class="print-url">[^<]*/s/${token}\\?lang=${lang}</p>`))
        // The language choice, off the printed page, marks this one.
        expect(poster.body).toMatch(new RegExp(`href="\\?lang=${lang}" lang="${lang}" hreflang="${lang}" aria-current="page"`))
      }
    }
    // The poster's code opens the survey in its language: a different code per language, the plain one without.
    const svg = async (query: string) => (await owner.get(`/waves/${v2.id}/links/${customerLink}/qr.svg${query}`)).body
    const [plain, french, portuguese] = [await svg(''), await svg('?lang=fr'), await svg('?lang=pt')]
    expect(new Set([plain, french, portuguese]).size).toBe(3)
    expect(await svg('?lang=zz')).toBe(await svg('?lang=en'))
  })

  it('prints the wave\'s first language for a language it does not offer, never an error', async () => {
    const { ids } = await links(v1Id)
    for (const query of ['?lang=fr', '?lang=zz', '?lang=', '?lang=%3Cscript%3E', '?lang=de&lang=fr', '?lang[]=pt', '']) {
      const poster = await owner.get(`/waves/${v1Id}/links/${ids[0]}/print${query}`)
      expect(poster.statusCode, query).toBe(200)
      expect(poster.body, query).toContain('<div lang="de">')
      expect(poster.body, query).toContain(escapeHtml(POSTER_TEXT.de.heading.staff))
      const qr = await owner.get(`/waves/${v1Id}/links/${ids[0]}/qr.svg${query}`)
      expect(qr.statusCode, query).toBe(200)
    }
  })

  it('shows no other organization\'s poster', async () => {
    const other = await createTenant(ctx, 'Other Co')
    const intruder = await signedIn(ctx, other.owner.email)
    const { ids } = await links(v2.id)
    for (const lang of ['fr', 'pt']) {
      expect((await intruder.get(`/waves/${v2.id}/links/${ids[0]}/print?lang=${lang}`)).statusCode).toBe(404)
      expect((await intruder.get(`/waves/${v2.id}/links/${ids[0]}/qr.svg?lang=${lang}`)).statusCode).toBe(404)
    }
  })
})
