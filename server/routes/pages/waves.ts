// Wave pages: the list, creating a wave, one wave with its links and report, opening and closing,
// the report as CSV, QR codes.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import QRCode from 'qrcode'
import { suggestWaveName } from '../../domain/periods.js'
import { parseReportFilters, type ReportFilters } from '../../domain/report.js'
import { HttpError, notFound } from '../../http-error.js'
import { presentDashboard } from '../../presenters/report.js'
import { listInstruments } from '../../repositories/instruments.js'
import { getOrganization } from '../../repositories/organizations.js'
import { listActiveUnits } from '../../repositories/units.js'
import { findLink, listWaves, setWaveStatus, waveNames } from '../../repositories/waves.js'
import { waveDashboard } from '../../services/dashboard.js'
import { responsesCsvDownload } from '../../services/export.js'
import { advanceStaffAfterStore } from '../../services/release-steps.js'
import { reportCsv, waveReport } from '../../services/report.js'
import { addMissingUnitLinks, createWaveFromInput, linkUrl, waveOverview } from '../../services/waves.js'
import { loadWave } from '../load-wave.js'

type Params = { id: string }
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
    const waves = await listWaves(app.db, orgOf(request))
    return reply.page('waves', { title: 'Waves', waves })
  })

  app.get('/waves/new', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const form = await newWaveForm(request)
    const values = { name: form.suggestedName, templateKey: form.templates[0]?.definition.key, status: 'open', locales: form.templates[0]?.definition.locales ?? [], unitLinks: 'on' }
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
    const organization = await getOrganization(app.db, orgOf(request))
    // Page-only parameters (a notice after inviting) are not report filters.
    const { invited: _invited, ...query } = request.query as Record<string, unknown>
    const parsed = parseReportFilters(query)
    const none = { unit: null, staff: {}, customer: {} }
    try {
      return { result: await build(organization, parsed.ok ? parsed.value : none), filterProblem: parsed.ok ? null : parsed.message }
    } catch (error) {
      if (!(error instanceof HttpError) || error.code !== 'unknown_filter') throw error
      return { result: await build(organization, none), filterProblem: error.message }
    }
  }

  app.get<{ Params: Params }>('/waves/:id', { config: { access: 'read' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    const overview = await waveOverview(app.db, orgOf(request), wave)
    const { result: dashboard, filterProblem } = overview.responses.staff + overview.responses.customer > 0
      ? await withFilters(request, (organization, filters) => waveDashboard(app.db, organization, wave, filters))
      : { result: null, filterProblem: null }
    const invited = Number((request.query as { invited?: string }).invited)
    return reply.page('wave', {
      title: wave.name,
      wave,
      ...overview,
      url: (token: string) => linkUrl(app.config.publicUrl, token),
      dashboard: dashboard ? presentDashboard(dashboard, wave.id) : null,
      filterProblem,
      invited: Number.isInteger(invited) && invited >= 0 ? invited : null,
      query: request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '',
      styles: ['/public/report.css'],
      scripts: dashboard ? ['/vendor/chart.js/chart.umd.min.js', '/public/dashboard.js'] : [],
    })
  })

  app.get<{ Params: Params }>('/waves/:id/responses.csv', { config: { access: 'export' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    const org = await getOrganization(app.db, orgOf(request))
    const download = responsesCsvDownload(app.db, org, wave)
    return reply.headers(download.headers).send(download.body)
  })

  app.get<{ Params: Params }>('/waves/:id/report.csv', { config: { access: 'export' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    // The report alone: the rest of the dashboard (heat map, trend, comments) is not in this file.
    const { result: report } = await withFilters(request, (organization, filters) => waveReport(app.db, organization, wave, filters))
    const csv = reportCsv(report)
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${csv.filename}"`).send(csv.body)
  })

  for (const status of ['open', 'closed'] as const) {
    const action = status === 'open' ? 'open' : 'close'
    app.post<{ Params: Params }>(`/waves/:id/${action}`, { config: { access: 'manage_waves' } }, async (request, reply) => {
      if (!(await setWaveStatus(app.db, orgOf(request), request.params.id, status))) throw notFound('This wave')
      // A wave that closes gets its last staff step now rather than at the next background pass.
      if (status === 'closed') await advanceStaffAfterStore(app.db, request.params.id, request.log)
      return reply.redirect(`/waves/${request.params.id}`, 303)
    })
  }

  app.post<{ Params: Params }>('/waves/:id/unit-links', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    await addMissingUnitLinks(app.db, orgOf(request), wave.id)
    return reply.redirect(`/waves/${wave.id}#unit-links`, 303)
  })

  async function loadLink(request: FastifyRequest<{ Params: LinkParams }>) {
    const link = await findLink(app.db, orgOf(request), request.params.id, request.params.linkId)
    if (!link) throw notFound('This link')
    return link
  }

  app.get<{ Params: LinkParams }>('/waves/:id/links/:linkId/qr.svg', { config: { access: 'read' } }, async (request, reply) => {
    const link = await loadLink(request)
    const svg = await QRCode.toString(linkUrl(app.config.publicUrl, link.token), { type: 'svg', margin: 2, errorCorrectionLevel: 'M' })
    const download = (request.query as { download?: string }).download !== undefined
    if (download) reply.header('content-disposition', `attachment; filename="service-gap-${link.side}${link.unitName ? '-unit' : ''}-qr.svg"`)
    return reply.type('image/svg+xml').header('cache-control', 'private, max-age=300').send(svg)
  })

  app.get<{ Params: LinkParams }>('/waves/:id/links/:linkId/print', { config: { access: 'read' } }, async (request, reply) => {
    const link = await loadLink(request)
    const wave = await loadWave(app.db, request)
    return reply.page('link-print', { title: `Print ${link.side} QR code`, wave, link, itemCount: wave.itemCount, url: linkUrl(app.config.publicUrl, link.token) })
  })
}
