// Wave pages: the list, creating a wave, one wave's report and its operations tab (links,
// invitations, imports), its settings (name,
// dates, languages, prediction questions, repeat and weekly digest), opening and closing (after a confirmation), deleting it (owners, after
// typing its name), the report as CSV, QR codes.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import QRCode from 'qrcode'
import { brandView } from '../../domain/branding.js'
import { suggestWaveName } from '../../domain/periods.js'
import type { FieldErrors } from '../../domain/inputs.js'
import { parseReportFilters, type ReportFilters } from '../../domain/report.js'
import { can } from '../../domain/roles.js'
import { closingDay } from '../../domain/wave-changes.js'
import { isLocale, offeredLocale } from '../../domain/languages.js'
import { languageName } from '../../domain/names.js'
import { POSTER_TEXT } from '../../i18n/poster.js'
import { HttpError, notFound } from '../../http-error.js'
import { heatmapSort } from '../../presenters/heatmap.js'
import { parseItemOrder } from '../../presenters/items.js'
import { presentDashboard } from '../../presenters/report.js'
import { presentSchedule } from '../../presenters/schedule.js'
import { presentWavesOverview } from '../../presenters/waves-overview.js'
import { getBranding } from '../../repositories/branding.js'
import { listInstruments } from '../../repositories/instruments.js'
import { getOrganization } from '../../repositories/organizations.js'
import { kiosksOfWave } from '../../repositories/kiosks.js'
import { listActiveUnits } from '../../repositories/units.js'
import { findLink, listWaves, waveHoldsAnswers, waveNames, type Wave } from '../../repositories/waves.js'
import { waveDashboard } from '../../services/dashboard.js'
import { audit } from '../../services/audit.js'
import { responsesCsvDownload } from '../../services/export.js'
import { gapReport, reportCsv } from '../../services/report.js'
import { firstUnit, reportScope, seesLinkOf } from '../../services/report-scope.js'
import { auditWaveChange, changeWave, removeWave, waveHoldings } from '../../services/wave-settings.js'
import { addMissingUnitLinks, createWaveFromInput, linkUrl, waveOverview } from '../../services/waves.js'
import { wavesOverview } from '../../services/waves-overview.js'
import { loadWave } from '../load-wave.js'

type Params = { id: string }
type SettingsValues = { name: unknown; opensAt: unknown; closesAt: unknown; locales: string[]; predictions: unknown; repeatEvery: unknown; weeklyDigest: boolean }

/** The day a form shows for an opening date (UTC). */
const openingDay = (opensAt: Date | null) => opensAt?.toISOString().slice(0, 10) ?? ''
type LinkParams = { id: string; linkId: string }

export default async function wavePages(app: FastifyInstance) {
  const orgOf = (request: FastifyRequest) => request.principal!.organizationId

  async function newWaveForm(request: FastifyRequest) {
    const orgId = orgOf(request)
    const [instruments, units, names] = await Promise.all([listInstruments(app.db, orgId), listActiveUnits(app.db, orgId), waveNames(app.db, orgId)])
    const templates = instruments.filter((row, i) => instruments.findIndex((r) => r.definition.key === row.definition.key) === i)
    return { title: 'New wave', templates, unitCount: units.length, suggestedName: suggestWaveName(new Date(), names) }
  }

  app.get('/waves', { config: { access: 'read' } }, async (request, reply) => {
    const [waves, organization] = await Promise.all([listWaves(app.db, orgOf(request)), getOrganization(app.db, orgOf(request))])
    // Each wave's figures through its own release; a unit manager's of their first unit only.
    const { group, overviews } = await wavesOverview(app.db, organization, waves, request.principal!)
    const overview = presentWavesOverview({ waves, overviews, group, minGroupSize: organization.minGroupSize })
    return reply.page('waves', { title: 'Waves', waves, overview, styles: ['/public/report.css', '/public/waves.css'] })
  })

  app.get('/waves/new', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const form = await newWaveForm(request)
    const values = { name: form.suggestedName, templateKey: form.templates[0]?.definition.key, status: 'open', locales: form.templates[0]?.definition.locales ?? [], unitLinks: 'on', predictions: 'off' }
    return reply.page('wave-new', { ...form, values, errors: {} })
  })

  app.post('/waves', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const body = request.body as Record<string, unknown>
    const input = { ...body, locales: body.locales ?? [] }
    const created = await createWaveFromInput(app.db, orgOf(request), input, { unitLinks: body.unitLinks === 'on' })
    if (!created.ok) {
      const form = await newWaveForm(request)
      const locales = Array.isArray(body.locales) ? body.locales : body.locales ? [body.locales] : []
      return reply.code(422).page('wave-new', { ...form, values: { ...body, locales }, errors: created.errors })
    }
    return reply.redirect(`/waves/${created.value}`, 303)
  })

  /**
   * Builds something from the report filters in the URL; filters that do not parse or name nothing in
   * this wave are dropped, and the problem is returned to be shown instead.
   */
  async function withFilters<T>(request: FastifyRequest, build: (organization: { id: string; name: string; minGroupSize: number }, filters: ReportFilters) => Promise<T>) {
    const organization = await getOrganization(request.reads, orgOf(request))
    // Page-only parameters (a notice after inviting, the order of the item table and of the heat map, the item the trend chart follows) are not report filters.
    const { invited: _invited, order: _order, sort: _sort, trend: _trend, ...query } = request.query as Record<string, unknown>
    const parsed = parseReportFilters(query)
    const none = { unit: null, staff: {}, customer: {} }
    try {
      return { result: await build(organization, parsed.ok ? parsed.value : none), filterProblem: parsed.ok ? null : parsed.message }
    } catch (error) {
      if (!(error instanceof HttpError) || error.code !== 'unknown_filter') throw error
      return { result: await build(organization, none), filterProblem: error.message }
    }
  }

  // The wave's report tab: the dashboard under the filters in the address, nothing of its operations.
  app.get<{ Params: Params }>('/waves/:id', { config: { access: 'read', reads: 'replica' } }, async (request, reply) => {
    const db = request.reads
    const wave = await loadWave(db, request)
    const [overview, scope] = await Promise.all([waveOverview(db, orgOf(request), wave), reportScope(db, request.principal!)])
    // A unit manager always gets their unit's dashboard: whether the whole wave has answers is not theirs to see.
    const { result: dashboard, filterProblem } = !scope.whole || overview.responses.staff + overview.responses.customer > 0
      ? await withFilters(request, (organization, filters) => waveDashboard(db, organization, wave, filters, request.principal!))
      : { result: null, filterProblem: null }
    const order = parseItemOrder((request.query as { order?: unknown }).order)
    return reply.page('wave', {
      title: wave.name,
      wave,
      schedule: presentSchedule(wave, new Date()),
      // Whole-wave counts (responses, staff answers waiting) are left out for a unit manager.
      whole: scope.whole,
      responses: scope.whole ? overview.responses : null,
      staffRelease: overview.staffRelease,
      dashboard: dashboard ? presentDashboard(dashboard, wave.id, {
        order,
        sort: heatmapSort((request.query as { sort?: unknown }).sort),
        trend: typeof (request.query as { trend?: unknown }).trend === 'string' ? (request.query as { trend: string }).trend : null,
        canPlan: can(request.principal!.role, 'plans'),
      }) : null,
      filterProblem,
      query: request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '',
      styles: ['/public/report.css', `/waves/${wave.id}/pack.css`],
      packPdf: app.packPdf.available,
      printedAt: new Date(),
      // For those who run the organization: how far the figures may trail, when a read replica served them.
      replicaLag: can(request.principal!.role, 'manage_settings') ? app.replicaLag(request) : null,
      scripts: dashboard ? ['/vendor/chart.js/chart.umd.min.js', '/public/dashboard.js'] : [],
    })
  })

  // The wave's operations tab: its links, links per unit, invitations and the response import.
  app.get<{ Params: Params }>('/waves/:id/operations', { config: { access: 'read' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    const [overview, scope, kiosks] = await Promise.all([waveOverview(app.db, orgOf(request), wave), reportScope(app.db, request.principal!), kiosksOfWave(app.db, orgOf(request), wave.id)])
    // As on the report tab: a unit manager without units is refused (403, saying so).
    if (!scope.whole) firstUnit(scope)
    const invited = Number((request.query as { invited?: string }).invited)
    const mine = (unitId: string) => seesLinkOf(scope, unitId)
    return reply.page('wave-operations', {
      title: `Operations · ${wave.name}`,
      wave,
      posterLanguages: wave.locales.filter(isLocale).map((code) => ({ code, name: languageName(code) })),
      schedule: presentSchedule(wave, new Date()),
      general: overview.general,
      // Invitations (delivery counts, contacts, sending) and other units' links are left out for a unit manager.
      whole: scope.whole,
      ...(scope.whole
        ? { units: overview.units, delivery: overview.delivery, sending: overview.sending, contacts: overview.contacts }
        : { units: [], delivery: null, sending: null, contacts: null }),
      unitLinks: overview.unitLinks.filter((entry) => mine(entry.unit.id)),
      missingUnitLinks: scope.whole ? overview.missingUnitLinks : 0,
      kiosks,
      url: (token: string) => linkUrl(app.config.publicUrl, token),
      invited: Number.isInteger(invited) && invited >= 0 ? invited : null,
    })
  })

  app.get<{ Params: Params }>('/waves/:id/responses.csv', { config: { access: 'export', reads: 'replica' } }, async (request, reply) => {
    const wave = await loadWave(request.reads, request)
    const org = await getOrganization(request.reads, orgOf(request))
    const download = await responsesCsvDownload(request.reads, org, wave)
    await audit(app.db, request, 'export_downloaded', { target: `wave ${wave.name}`, detail: { wave: wave.id, kind: 'responses', filters: {} } })
    return reply.headers(download.headers).send(download.body)
  })

  app.get<{ Params: Params }>('/waves/:id/report.csv', { config: { access: 'export', reads: 'replica' } }, async (request, reply) => {
    const wave = await loadWave(request.reads, request)
    // The report alone: the rest of the dashboard (heat map, trend, comments) is not in this file.
    let used: ReportFilters | null = null
    // The filters the file was made with, for the audit log (a bad filter falls back to none).
    const { result: report } = await withFilters(request, (organization, filters) => {
      used = filters
      return gapReport(request.reads, organization, wave, filters, request.principal!)
    })
    const csv = reportCsv(report)
    await audit(app.db, request, 'export_downloaded', { target: `wave ${wave.name}`, detail: { wave: wave.id, kind: 'report', filters: used } })
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${csv.filename}"`).send(csv.body)
  })

  /**
   * The wave settings form: what was typed (or what the wave holds), with each problem beside its
   * field. The prediction questions are shown fixed once the wave holds answers.
   */
  async function settingsPage(wave: Wave, values: SettingsValues, errors: FieldErrors = {}) {
    return { title: `Settings · ${wave.name}`, wave, values, errors, predictionsLocked: await waveHoldsAnswers(app.db, wave.id) }
  }

  app.get<{ Params: Params }>('/waves/:id/settings', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    return reply.page('wave-settings', await settingsPage(wave, {
      name: wave.name, opensAt: openingDay(wave.opensAt), closesAt: closingDay(wave.closesAt), locales: wave.locales, predictions: wave.predictions,
      repeatEvery: wave.repeatEvery ?? '', weeklyDigest: wave.weeklyDigest,
    }))
  })

  app.post<{ Params: Params }>('/waves/:id/settings', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    const body = (request.body ?? {}) as Record<string, unknown>
    // No box ticked sends no field at all: that is "no language", not "unchanged".
    const locales = body.locales === undefined ? [] : body.locales
    // The prediction choices are not sent while they are fixed (disabled): then they stay as they are.
    const input = {
      name: body.name ?? '', locales,
      ...(body.closesAt !== undefined && wave.status !== 'closed' ? { closesAt: body.closesAt } : {}),
      ...(body.predictions !== undefined ? { predictions: body.predictions } : {}),
      // A draft's opening date, when it differs from the day shown (the form shows a day, the wave may hold a time).
      ...(body.opensAt !== undefined && wave.status === 'draft' && body.opensAt !== openingDay(wave.opensAt) ? { opensAt: body.opensAt } : {}),
      repeatEvery: body.repeatEvery ?? '',
      // An unticked box sends nothing: no weekly digest.
      weeklyDigest: body.weeklyDigest ?? '',
    }
    const changed = await changeWave(app.db, orgOf(request), wave.id, input, { log: request.log })
    if (!changed.ok) {
      const typed = (value: unknown) => (typeof value === 'string' ? value : '')
      const ticked = (Array.isArray(locales) ? locales : [locales]).filter((code): code is string => typeof code === 'string')
      const values = {
        name: typed(body.name), opensAt: typed(body.opensAt), closesAt: typed(body.closesAt), locales: ticked, predictions: body.predictions ?? wave.predictions,
        repeatEvery: typed(body.repeatEvery), weeklyDigest: body.weeklyDigest === 'on',
      }
      return reply.code(422).page('wave-settings', await settingsPage(wave, values, changed.errors))
    }
    await auditWaveChange(app.db, request, changed.value)
    return reply.redirect(`/waves/${wave.id}`, 303)
  })

  app.post<{ Params: Params }>('/waves/:id/open', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const changed = await changeWave(app.db, orgOf(request), request.params.id, { status: 'open' }, { log: request.log })
    if (changed.ok) await auditWaveChange(app.db, request, changed.value)
    return reply.redirect(`/waves/${request.params.id}`, 303)
  })

  // Closing asks first: without confirm=yes the answer is a page that asks (it works without JavaScript).
  app.post<{ Params: Params }>('/waves/:id/close', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    if ((request.body as Record<string, unknown> | undefined)?.confirm !== 'yes') {
      const { responses } = await waveHoldings(app.db, orgOf(request), wave.id)
      return reply.page('wave-close', { title: `Close ${wave.name}?`, wave, responses })
    }
    const changed = await changeWave(app.db, orgOf(request), wave.id, { status: 'closed' }, { log: request.log })
    if (changed.ok) await auditWaveChange(app.db, request, changed.value)
    return reply.redirect(`/waves/${wave.id}`, 303)
  })

  async function deletePage(request: FastifyRequest<{ Params: Params }>, wave: Wave, typed: string, errors: FieldErrors = {}) {
    const holdings = await waveHoldings(app.db, orgOf(request), wave.id)
    return { title: `Delete ${wave.name}?`, wave, ...holdings, values: { confirm: typed }, errors }
  }

  app.get<{ Params: Params }>('/waves/:id/delete', { config: { access: 'delete_data' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    return reply.page('wave-delete', await deletePage(request, wave, ''))
  })

  app.post<{ Params: Params }>('/waves/:id/delete', { config: { access: 'delete_data' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    const confirm = (request.body as Record<string, unknown> | undefined)?.confirm
    const typed = typeof confirm === 'string' ? confirm : ''
    if (typed.trim() !== wave.name) {
      const errors = { confirm: typed.trim() === '' ? 'Type the name of the wave to delete it.' : 'That is not the name of this wave. Type it exactly as shown.' }
      return reply.code(422).page('wave-delete', await deletePage(request, wave, typed, errors))
    }
    const name = await removeWave(app.db, orgOf(request), wave.id)
    await audit(app.db, request, 'wave_deleted', { target: `wave ${name}` })
    return reply.redirect('/waves', 303)
  })

  app.post<{ Params: Params }>('/waves/:id/unit-links', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    await addMissingUnitLinks(app.db, orgOf(request), wave.id)
    return reply.redirect(`/waves/${wave.id}/operations#unit-links`, 303)
  })

  async function loadLink(request: FastifyRequest<{ Params: LinkParams }>) {
    const link = await findLink(app.db, orgOf(request), request.params.id, request.params.linkId)
    // Another unit's link is not a unit manager's to see, as on the wave page: the same 404 as for no link.
    if (!link || !seesLinkOf(await reportScope(app.db, request.principal!), link.unitId)) throw notFound('This link')
    return link
  }

  /** The language a poster (and the survey its QR code opens) is in: ?lang= when the wave offers it, else the wave's first. */
  const posterLanguage = (request: FastifyRequest, wave: Wave) => offeredLocale(wave.locales, (request.query as { lang?: unknown }).lang)

  app.get<{ Params: LinkParams }>('/waves/:id/links/:linkId/qr.svg', { config: { access: 'read' } }, async (request, reply) => {
    const link = await loadLink(request)
    // With ?lang= the code opens the survey in that language (a poster's); without it, the plain link.
    const asked = (request.query as { lang?: unknown }).lang
    const lang = asked === undefined ? null : posterLanguage(request, await loadWave(app.db, request))
    const svg = await QRCode.toString(linkUrl(app.config.publicUrl, link.token, lang), { type: 'svg', margin: 2, errorCorrectionLevel: 'M' })
    const download = (request.query as { download?: string }).download !== undefined
    if (download) reply.header('content-disposition', `attachment; filename="service-gap-${link.side}${link.unitName ? '-unit' : ''}${lang ? `-${lang}` : ''}-qr.svg"`)
    return reply.type('image/svg+xml').header('cache-control', 'private, max-age=300').send(svg)
  })

  app.get<{ Params: LinkParams }>('/waves/:id/links/:linkId/print', { config: { access: 'read' } }, async (request, reply) => {
    const link = await loadLink(request)
    const wave = await loadWave(app.db, request)
    const lang = posterLanguage(request, wave)
    const brand = brandView(await getBranding(app.db, request.principal!.organizationId), request.principal!.organizationName)
    const t = POSTER_TEXT[lang]
    return reply.page('link-print', {
      title: `Print ${link.side} QR code`, wave, link, url: linkUrl(app.config.publicUrl, link.token, lang),
      lang, poster: { heading: t.heading[link.side], lead: t.lead(link.side, wave.itemCount), qrAlt: t.qrAlt[link.side] },
      languages: wave.locales.filter(isLocale).map((code) => ({ code, name: languageName(code), current: code === lang })),
      brand, styles: brand.stylesheet ? [brand.stylesheet] : [],
    })
  })
}
