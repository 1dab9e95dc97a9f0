// Importing last quarter's spreadsheet into a wave: upload a CSV file, look at a preview with every
// problem by line, then confirm. Nothing is stored as responses until the confirmation.
import multipart, { type MultipartFile } from '@fastify/multipart'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isUuid } from '../../domain/formats.js'
import {
  checkCsvImport, decodeCsvFile, exampleCsv, MAX_IMPORT_BYTES, readCsvImport, toSpreadsheetProblems,
  type CheckedCsvRow, type CsvImport,
} from '../../domain/csv-import.js'
import { MAX_IMPORT_ROWS, type RowProblem } from '../../domain/responses.js'
import { scaleValues } from '../../domain/scale.js'
import { count } from '../../format.js'
import { notFound } from '../../http-error.js'
import { csrfFailed } from '../../plugins/security.js'
import { claimImport, createImport, findImport } from '../../repositories/imports.js'
import { listUnits } from '../../repositories/units.js'
import { findWave, type WaveDetail } from '../../repositories/waves.js'
import { importContext, importIntoWave } from '../../services/imports.js'

type Params = { id: string }
type ImportParams = { id: string; importId: string }
type Upload = { filename: string; data: Buffer; truncated: boolean }
type StoredImport = NonNullable<Awaited<ReturnType<typeof findImport>>>

const PREVIEW_ROWS = 20
const MAX_MB = MAX_IMPORT_BYTES / 1024 / 1024

const isUpload = (value: unknown): value is Upload => typeof value === 'object' && value !== null && Buffer.isBuffer((value as Upload).data)

/** The file's own name, without any folder a browser may send along or characters no one typed. */
const cleanFilename = (name: string) => (name.split(/[\\/]/).pop() ?? '').replace(/\p{Cc}/gu, '').trim().slice(0, 200) || 'upload.csv'

const problemText = (problem: RowProblem) => `line ${problem.row}${problem.field ? `, ${problem.field}` : ''}: ${problem.message}`

export default async function importPages(app: FastifyInstance) {
  // Only these routes read multipart bodies. The file arrives whole (at most 5 MB) under its field
  // name, next to `_csrf`; a file over the limit is cut short and marked, so the page can say so.
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 5, fieldSize: 4096 },
    async onFile(part: MultipartFile) {
      const data = await part.toBuffer()
      part.value = { filename: part.filename, data, truncated: part.file.truncated } satisfies Upload
    },
  })

  const orgOf = (request: FastifyRequest) => request.principal!.organizationId

  async function loadWave(request: FastifyRequest<{ Params: Params }>) {
    const wave = isUuid(request.params.id) ? await findWave(app.db, orgOf(request), request.params.id) : undefined
    if (!wave) throw notFound('This wave')
    return wave
  }

  async function loadImport(request: FastifyRequest<{ Params: ImportParams }>) {
    const wave = await loadWave(request)
    const upload = isUuid(request.params.importId) ? await findImport(app.db, orgOf(request), wave.id, request.params.importId) : undefined
    if (!upload) throw notFound('This import')
    return { wave, upload }
  }

  async function uploadPage(request: FastifyRequest, reply: FastifyReply, wave: WaveDetail, errors: Record<string, string> = {}, sent: string | null = null) {
    const [context, units] = await Promise.all([importContext(app.db, orgOf(request), wave.id), listUnits(app.db, orgOf(request))])
    return reply.page('wave-import', {
      title: `Import responses · ${wave.name}`,
      wave,
      items: context.items.map((item) => ({ key: item.key, range: `${scaleValues(item.scale)[0]}–${scaleValues(item.scale).at(-1)}` })),
      example: exampleCsv(context.items, units[0]?.name ?? null),
      maxRows: count(MAX_IMPORT_ROWS),
      maxMb: MAX_MB,
      errors,
      sent,
    })
  }

  /** What the preview page shows: the rows as they will be stored, the counts, and every problem. */
  async function previewPage(request: FastifyRequest, wave: WaveDetail, upload: StoredImport) {
    const [context, units] = await Promise.all([importContext(app.db, orgOf(request), wave.id), listUnits(app.db, orgOf(request))])
    const csv = readCsvImport(upload.content, context.items)
    const checked = csv.ok ? checkCsvImport(csv.value, context) : { rows: [], problems: [{ row: 1, field: '', message: csv.message }] }
    return { csv: csv.ok ? csv.value : null, checked, data: previewData(wave, upload, csv.ok ? csv.value : null, checked, units, context.items.map((item) => item.key)) }
  }

  function previewData(
    wave: WaveDetail,
    upload: StoredImport,
    csv: CsvImport | null,
    checked: { rows: CheckedCsvRow[]; problems: RowProblem[] },
    units: ReadonlyArray<{ id: string; name: string }>,
    itemKeys: readonly string[],
  ) {
    const unitNames = new Map(units.map((unit) => [unit.id, unit.name]))
    const items = csv?.items ?? []
    const rows = checked.rows.slice(0, PREVIEW_ROWS).map((row) => {
      const stored = row.value
      const answers = stored?.answers ?? row.input.answers
      return {
        line: row.line,
        ok: stored !== null,
        side: stored?.side ?? row.input.side,
        unit: stored ? (stored.unitId ? unitNames.get(stored.unitId) ?? '' : '') : row.input.unit ?? '',
        answers: items.map((key) => (!Object.hasOwn(answers, key) ? '' : answers[key] === null ? 'n/a' : String(answers[key]))),
        comment: stored ? stored.comment ?? '' : row.input.comment ?? '',
        attributes: Object.entries(stored?.attributes ?? row.input.attributes).map(([name, value]) => `${name}: ${value}`),
      }
    })
    const sides = { staff: 0, customer: 0 }
    for (const row of checked.rows) if (row.input.side === 'staff' || row.input.side === 'customer') sides[row.input.side]++
    const linesWithProblems = new Set(checked.problems.map((problem) => problem.row)).size
    return {
      title: `Import preview · ${wave.name}`,
      wave,
      importId: upload.id,
      filename: upload.filename,
      uploadedAt: upload.created_at,
      importedAt: upload.imported_at,
      rowCount: checked.rows.length,
      sides,
      items,
      missingItems: csv ? itemKeys.filter((key) => !items.includes(key)) : [],
      attributes: csv?.attributes ?? [],
      rows,
      hiddenRows: Math.max(0, checked.rows.length - PREVIEW_ROWS),
      problems: checked.problems.map(problemText),
      linesWithProblems,
    }
  }

  app.get<{ Params: Params }>('/waves/:id/import', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const wave = await loadWave(request)
    return uploadPage(request, reply, wave)
  })

  // The multipart body is read by the plugin's preValidation hook, which runs after the app-wide
  // CSRF check; so this route checks the token itself, once `_csrf` is in the body.
  app.post<{ Params: Params }>('/waves/:id/import', { config: { access: 'manage_waves', csrf: 'manual' } }, async (request, reply) => {
    if (!request.csrfValid()) {
      throw csrfFailed()
    }
    const wave = await loadWave(request)
    const file = (request.body as Record<string, unknown> | undefined)?.file
    const refuse = (message: string, sent: string | null = null) => uploadPage(request, reply.code(422), wave, { file: message }, sent)
    if (!isUpload(file) || (file.filename === '' && file.data.length === 0)) return refuse('Choose the CSV file with your responses.')
    const filename = cleanFilename(file.filename)
    if (file.truncated) return refuse(`The file is larger than ${MAX_MB} MB. Split it into several files.`, filename)
    const decoded = decodeCsvFile(file.data)
    if (!decoded.ok) return refuse(decoded.message, filename)
    const context = await importContext(app.db, orgOf(request), wave.id)
    const csv = readCsvImport(decoded.text, context.items)
    if (!csv.ok) return refuse(csv.message, filename)
    const id = await createImport(app.db, {
      organizationId: orgOf(request), waveId: wave.id, userId: request.principal!.userId,
      filename, content: decoded.text, rowCount: csv.value.rows.length,
    })
    return reply.redirect(`/waves/${wave.id}/import/${id}`, 303)
  })

  app.get<{ Params: ImportParams }>('/waves/:id/import/:importId', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const { wave, upload } = await loadImport(request)
    const { data } = await previewPage(request, wave, upload)
    return reply.page('wave-import-preview', data)
  })

  app.post<{ Params: ImportParams }>('/waves/:id/import/:importId/confirm', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const { wave, upload } = await loadImport(request)
    const preview = `/waves/${wave.id}/import/${upload.id}`
    if (upload.imported_at) return reply.redirect(preview, 303)
    // Checked again: units may have been renamed or deleted since the preview.
    const { csv, checked, data } = await previewPage(request, wave, upload)
    if (!csv || checked.problems.length > 0) return reply.code(422).page('wave-import-preview', data)
    // Marking the import and storing its rows happen in one transaction: of two confirmations at
    // once only one gets past the mark, and a failure leaves neither the mark nor any row.
    class NothingStored extends Error {
      constructor(readonly result: Extract<Awaited<ReturnType<typeof importIntoWave>>, { ok: false }>) { super('import refused') }
    }
    let result: Awaited<ReturnType<typeof importIntoWave>> | 'taken'
    try {
      result = await app.db.transaction().execute(async (trx) => {
        if (!(await claimImport(trx, orgOf(request), upload.id))) return 'taken' as const
        const stored = await importIntoWave(trx, { organizationId: orgOf(request), waveId: wave.id, channel: 'import' }, csv.rows.map((row) => row.input))
        if (!stored.ok) throw new NothingStored(stored)
        return stored
      })
    } catch (error) {
      if (!(error instanceof NothingStored)) throw error
      result = error.result
    }
    if (result === 'taken') return reply.redirect(preview, 303)
    if (!result.ok) {
      const problems = toSpreadsheetProblems(result.problems, csv.rows.map((row) => row.line))
      return reply.code(422).page('wave-import-preview', { ...data, problems: problems.map(problemText), linesWithProblems: new Set(problems.map((p) => p.row)).size })
    }
    return reply.redirect(`/waves/${wave.id}`, 303)
  })
}
