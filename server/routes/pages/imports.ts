// Importing last quarter's spreadsheet into a wave, as contacts are imported: upload a CSV file
// (streamed into the upload store), look at a preview with every problem by line, then confirm.
// Nothing is stored as responses until the confirmation, and then all rows or none.
import multipart from '@fastify/multipart'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { exampleCsv, MAX_IMPORT_BYTES } from '../../domain/csv-import.js'
import { linesWithProblems, problemText } from '../../domain/problems.js'
import { MAX_IMPORT_ROWS } from '../../domain/responses.js'
import { scaleValues } from '../../domain/scale.js'
import { count } from '../../format.js'
import { csrfFailed } from '../../plugins/security.js'
import { listUnits } from '../../repositories/units.js'
import type { Wave } from '../../repositories/waves.js'
import { importContext, importResponseUpload, previewResponseUpload, readResponseFile, type ResponsePreview } from '../../services/imports.js'
import { deleteUpload, loadUpload, saveUpload, uploadBytes, type Upload, type UploadOwner } from '../../services/uploads.js'
import { loadWave } from '../load-wave.js'
import { receiveUpload } from './upload-form.js'

type Params = { id: string }
type ImportParams = { id: string; importId: string }

const PREVIEW_ROWS = 20
const MAX_MB = MAX_IMPORT_BYTES / 1024 / 1024

export default async function importPages(app: FastifyInstance) {
  // Only these routes read multipart bodies, and they stream the file (at most 5 MB) into the upload store.
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 5, fieldSize: 4096, parts: 10 },
  })

  const orgOf = (request: FastifyRequest) => request.principal!.organizationId
  const ownerOf = (request: FastifyRequest, wave: Wave): UploadOwner => ({ organizationId: orgOf(request), kind: 'responses', waveId: wave.id })
  const previewUrl = (wave: Wave, upload: Pick<Upload, 'id'>) => `/waves/${wave.id}/import/${upload.id}`

  async function loadImport(request: FastifyRequest<{ Params: ImportParams }>) {
    const wave = await loadWave(app.db, request)
    const upload = await loadUpload(app.db, ownerOf(request, wave), request.params.importId)
    return { wave, upload }
  }

  async function uploadPage(request: FastifyRequest, reply: FastifyReply, wave: Wave, errors: Record<string, string> = {}, sent: string | null = null) {
    const [context, units] = await Promise.all([importContext(app.db, orgOf(request), wave.id), listUnits(app.db, orgOf(request))])
    return reply.page('wave-import', {
      title: `Import responses · ${wave.name}`,
      wave,
      items: context.items.map((item) => ({ key: item.key, range: `${scaleValues(item.scale)[0]}–${scaleValues(item.scale).at(-1)}` })),
      example: exampleCsv(context.items, units.find((u) => !u.archived)?.name ?? null),
      maxRows: count(MAX_IMPORT_ROWS),
      maxMb: MAX_MB,
      errors,
      sent,
    })
  }

  /** What the preview page shows: the rows as they will be stored, the counts, and every problem. */
  function previewData(wave: Wave, upload: Upload, preview: ResponsePreview, units: ReadonlyArray<{ id: string; name: string }>) {
    const unitNames = new Map(units.map((unit) => [unit.id, unit.name]))
    const items = preview.csv?.items ?? []
    const rows = preview.rows.slice(0, PREVIEW_ROWS).map((row) => {
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
    for (const row of preview.rows) if (row.input.side === 'staff' || row.input.side === 'customer') sides[row.input.side]++
    return {
      ...uploadData(wave, upload),
      rowCount: preview.rows.length,
      sides,
      items,
      missingItems: preview.csv ? preview.context.items.map((item) => item.key).filter((key) => !items.includes(key)) : [],
      attributes: preview.csv?.attributes ?? [],
      rows,
      hiddenRows: Math.max(0, preview.rows.length - PREVIEW_ROWS),
      problems: preview.problems.map(problemText),
      linesWithProblems: linesWithProblems(preview.problems),
    }
  }

  const uploadData = (wave: Wave, upload: Upload) => ({
    title: `Import preview · ${wave.name}`,
    wave,
    importId: upload.id,
    filename: upload.filename,
    uploadedAt: upload.uploadedAt,
    confirmedAt: upload.confirmedAt,
  })

  app.get<{ Params: Params }>('/waves/:id/import', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    return uploadPage(request, reply, wave)
  })

  // The file is streamed into the store as it arrives, so the body is read here rather than before the
  // app-wide CSRF check: the token (first in the form) is checked before a byte of the file is kept.
  app.post<{ Params: Params }>('/waves/:id/import', { config: { access: 'manage_waves', csrf: 'manual' } }, async (request, reply) => {
    const wave = await loadWave(app.db, request)
    const remove = (id: string) => deleteUpload(app.db, orgOf(request), id)
    const received = await receiveUpload(request,
      (filename, file) => saveUpload(app.db, ownerOf(request, wave), request.principal!.userId, filename, file, MAX_IMPORT_BYTES), remove)
    if (!received.csrfValid) {
      throw csrfFailed()
    }
    const { chosen, saved } = received
    const refuse = async (message: string) => {
      if (saved?.ok) await remove(saved.upload.id)
      return uploadPage(request, reply.code(422), wave, { file: message }, chosen)
    }
    if (saved === null || (saved.ok && chosen === null && saved.upload.bytes === 0)) return refuse('Choose the CSV file with your responses.')
    if (!saved.ok) return refuse(`The file is larger than ${MAX_MB} MB. Split it into several files.`)
    const [context, bytes] = await Promise.all([importContext(app.db, orgOf(request), wave.id), uploadBytes(app.db, saved.upload)])
    const read = readResponseFile(bytes, context)
    if (!read.ok) return refuse(read.message)
    return reply.redirect(previewUrl(wave, saved.upload), 303)
  })

  app.get<{ Params: ImportParams }>('/waves/:id/import/:importId', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const { wave, upload } = await loadImport(request)
    if (upload.confirmedAt) return reply.page('wave-import-preview', uploadData(wave, upload))
    const [preview, units] = await Promise.all([previewResponseUpload(app.db, orgOf(request), wave.id, upload), listUnits(app.db, orgOf(request))])
    return reply.page('wave-import-preview', previewData(wave, upload, preview, units))
  })

  app.post<{ Params: ImportParams }>('/waves/:id/import/:importId/confirm', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const { wave, upload } = await loadImport(request)
    const result = upload.confirmedAt ? 'taken' : await importResponseUpload(app.db, orgOf(request), wave.id, upload, request.log)
    // Confirmed already (here, or from another tab or instance): the preview says when.
    if (result === 'taken') return reply.redirect(previewUrl(wave, upload), 303)
    if (!result.ok) return reply.code(422).page('wave-import-preview', previewData(wave, upload, result.preview, await listUnits(app.db, orgOf(request))))
    return reply.redirect(`/waves/${wave.id}`, 303)
  })
}
