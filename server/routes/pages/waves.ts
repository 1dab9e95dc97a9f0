// Wave pages: the list, creating a wave, one wave with its links, opening and closing, QR codes.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import QRCode from 'qrcode'
import { isUuid } from '../../domain/formats.js'
import { suggestWaveName } from '../../domain/periods.js'
import { notFound } from '../../http-error.js'
import { listInstruments } from '../../repositories/instruments.js'
import { listUnits } from '../../repositories/units.js'
import { addUnitLinks, findLink, findWave, findWaveName, listWaves, setWaveStatus, waveNames } from '../../repositories/waves.js'
import { createWaveFromInput, groupLinks, linkUrl } from '../../services/waves.js'
import { csvLine } from '../../domain/csv.js'
import { isSuppressed, parseReportFilters, type ReportFilters, type Share } from '../../domain/report.js'
import { HttpError } from '../../http-error.js'
import { getOrganization } from '../../repositories/organizations.js'
import { countResponses } from '../../repositories/responses.js'
import { waveDashboard } from '../../services/dashboard.js'
import { waveReport } from '../../services/report.js'
import { invitationCounts, sendingState } from '../../repositories/invitations.js'
import { responsesCsvDownload } from '../../services/export.js'

type Params = { id: string }
type LinkParams = { id: string; linkId: string }

export default async function wavePages(app: FastifyInstance) {
  const orgOf = (request: FastifyRequest) => request.principal!.organizationId

  async function loadWave(request: FastifyRequest<{ Params: Params }>) {
    const wave = isUuid(request.params.id) ? await findWave(app.db, orgOf(request), request.params.id) : undefined
    if (!wave) throw notFound('This wave')
    return wave
  }

  async function newWaveForm(request: FastifyRequest) {
    const orgId = orgOf(request)
    const [instruments, units, names] = await Promise.all([listInstruments(app.db, orgId), listUnits(app.db, orgId), waveNames(app.db, orgId)])
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

  /** The report's filters from the query string; unknown ones are dropped with a notice, not an error page. */
  /**
   * Builds something from the report filters in the URL; filters that do not parse or name nothing in
   * this wave are dropped, and the problem is returned to be shown instead.
   */
  async function withFilters<T>(request: FastifyRequest, build: (organization: { id: string; name: string; minGroupSize: number }, filters: ReportFilters) => Promise<T>) {
    const org = await getOrganization(app.db, orgOf(request))
    const organization = { id: org.id, name: org.name, minGroupSize: org.min_group_size }
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
    const wave = await loadWave(request)
    const units = await listUnits(app.db, orgOf(request))
    const { general, units: unitLinks } = groupLinks(wave.links)
    const url = (token: string) => linkUrl(app.config.publicUrl, token)
    const missingUnitLinks = units.length - unitLinks.length
    const responses = await countResponses(app.db, orgOf(request), wave.id)
    const { result: dashboard, filterProblem } = responses.staff + responses.customer > 0
      ? await withFilters(request, (organization, filters) => waveDashboard(app.db, organization, wave, filters))
      : { result: null, filterProblem: null }
    const contactCount = await app.db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', orgOf(request)).executeTakeFirstOrThrow()
    const invited = Number((request.query as { invited?: string }).invited)
    return reply.page('wave', {
      title: wave.name, wave, general, unitLinks, url, missingUnitLinks, responses, dashboard, filterProblem, units,
      delivery: await invitationCounts(app.db, orgOf(request), wave.id),
      sending: await sendingState(app.db, orgOf(request)),
      reminders: wave.reminders,
      contacts: Number(contactCount.n),
      invited: Number.isInteger(invited) && invited >= 0 ? invited : null,
      query: request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '',
      styles: ['/public/report.css'],
      scripts: dashboard ? ['/vendor/chart.js/chart.umd.min.js', '/public/dashboard.js'] : [],
    })
  })

  app.get<{ Params: Params }>('/waves/:id/responses.csv', { config: { access: 'export' } }, async (request, reply) => {
    const wave = await loadWave(request)
    const org = await getOrganization(app.db, orgOf(request))
    const download = responsesCsvDownload(app.db, org, wave)
    return reply.headers(download.headers).send(download.body)
  })

  app.get<{ Params: Params }>('/waves/:id/report.csv', { config: { access: 'export' } }, async (request, reply) => {
    const wave = isUuid(request.params.id) ? await findWaveName(app.db, orgOf(request), request.params.id) : undefined
    if (!wave) throw notFound('This wave')
    // The report alone: the rest of the dashboard (heat map, trend, comments) is not in this file.
    const { result: r } = await withFilters(request, (organization, filters) => waveReport(app.db, organization, wave, filters))
    const share = (s: Share) => (isSuppressed(s) ? ['', '', '', 'suppressed'] : [s.n, s.share.toFixed(4), `[${s.ci95[0].toFixed(4)}, ${s.ci95[1].toFixed(4)}]`, s.mean?.toFixed(3) ?? ''])
    const rows = [
      csvLine(['kind', 'key', 'staff_n', 'staff_share', 'staff_ci95', 'staff_mean', 'customer_n', 'customer_share', 'customer_ci95', 'customer_mean', 'gap_points', 'gap_ci95', 'p_value', 'q_value', 'significant', 'classification']),
      ...[...r.items.map((x) => ['item', x] as const), ...r.dimensions.map((x) => ['dimension', x] as const)].map(([kind, x]) => csvLine([
        kind, x.key, ...share(x.staff), ...share(x.customer),
        x.gap?.points.toFixed(2) ?? '', x.gap ? `[${x.gap.ci95[0].toFixed(2)}, ${x.gap.ci95[1].toFixed(2)}]` : '',
        x.gap?.pValue ?? '', x.gap?.qValue ?? '', x.gap ? String(x.gap.significant) : '', x.classification,
      ])),
    ]
    const filename = `service-gap-${wave.name.replace(/[^A-Za-z0-9_-]+/g, '-')}-report.csv`
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).send('\ufeff' + rows.join(''))
  })

  for (const status of ['open', 'closed'] as const) {
    const action = status === 'open' ? 'open' : 'close'
    app.post<{ Params: Params }>(`/waves/:id/${action}`, { config: { access: 'manage_waves' } }, async (request, reply) => {
      if (!isUuid(request.params.id) || !(await setWaveStatus(app.db, orgOf(request), request.params.id, status))) throw notFound('This wave')
      return reply.redirect(`/waves/${request.params.id}`, 303)
    })
  }

  app.post<{ Params: Params }>('/waves/:id/unit-links', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const wave = await loadWave(request)
    const units = await listUnits(app.db, orgOf(request))
    await addUnitLinks(app.db, orgOf(request), wave.id, units.map((unit) => unit.id))
    return reply.redirect(`/waves/${wave.id}#unit-links`, 303)
  })

  async function loadLink(request: FastifyRequest<{ Params: LinkParams }>) {
    const { id, linkId } = request.params
    const link = isUuid(id) && isUuid(linkId) ? await findLink(app.db, orgOf(request), id, linkId) : undefined
    if (!link) throw notFound('This link')
    return link
  }

  app.get<{ Params: LinkParams }>('/waves/:id/links/:linkId/qr.svg', { config: { access: 'read' } }, async (request, reply) => {
    const link = await loadLink(request)
    const svg = await QRCode.toString(linkUrl(app.config.publicUrl, link.token), { type: 'svg', margin: 2, errorCorrectionLevel: 'M' })
    const download = (request.query as { download?: string }).download !== undefined
    if (download) reply.header('content-disposition', `attachment; filename="service-gap-${link.side}${link.unit_name ? '-unit' : ''}-qr.svg"`)
    return reply.type('image/svg+xml').header('cache-control', 'private, max-age=300').send(svg)
  })

  app.get<{ Params: LinkParams }>('/waves/:id/links/:linkId/print', { config: { access: 'read' } }, async (request, reply) => {
    const link = await loadLink(request)
    const wave = await loadWave(request)
    return reply.page('link-print', { title: `Print ${link.side} QR code`, wave, link, itemCount: wave.itemCount, url: linkUrl(app.config.publicUrl, link.token) })
  })
}
