// Importing contacts from a CSV file in three steps, as responses are imported: upload (streamed into
// the upload store), a preview of the columns, the first rows and every problem, then the import on
// confirmation and its result. Rows with problems are skipped; the others are stored.
import multipart from '@fastify/multipart'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { contactInput, type ContactColumn } from '../../domain/contacts.js'
import { DELIMITER_NAMES, ENCODING_NAMES } from '../../domain/csv-text.js'
import { sideName } from '../../domain/names.js'
import { problemText } from '../../domain/problems.js'
import { locale } from '../../format.js'
import { csrfFailed } from '../../plugins/security.js'
import { listUnits } from '../../repositories/units.js'
import { MAX_CSV_BYTES } from '../../services/contact-csv.js'
import { checkContactsCsvStart, importContactUpload, previewContactUpload, type PreviewRow } from '../../services/contact-import.js'
import { deleteUpload, loadUpload, saveUpload, uploadStream, type Upload, type UploadOwner } from '../../services/uploads.js'
import { receiveUpload } from './upload-form.js'

const PREVIEW_ROWS = 10
const MAX_MB = MAX_CSV_BYTES / 1024 / 1024
const COLUMN_MEANINGS: Record<ContactColumn['kind'], string> = {
  email: 'email address', side: 'staff or customer', name: 'name', unit: 'unit', locale: 'language', attribute: 'attribute', unnamed: 'ignored: no name',
}


export default async function contactImportPages(app: FastifyInstance) {
  // Only these routes read multipart bodies, and they stream the file (at most MAX_MB) into the upload store.
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: MAX_CSV_BYTES, files: 1, fields: 5, fieldSize: 4096, parts: 10 },
  })

  const orgOf = (request: FastifyRequest) => request.principal!.organizationId
  const ownerOf = (request: FastifyRequest): UploadOwner => ({ organizationId: orgOf(request), kind: 'contacts', waveId: null })
  const previewUrl = (upload: Pick<Upload, 'id'>) => `/contacts/import/preview?upload=${upload.id}`

  async function uploadPage(request: FastifyRequest, reply: FastifyReply, errors: Record<string, string> = {}, sent: string | null = null) {
    const units = await listUnits(app.db, orgOf(request))
    const unit = units.find((u) => !u.archived)?.name ?? ''
    return reply.page('contacts-import', {
      title: 'Import contacts',
      maxMb: MAX_MB,
      hasUnits: units.length > 0,
      example: [
        'email,name,side,unit,locale,tier,region',
        `ana@example.com,Ana Pérez,customer,${unit},es,gold,north`,
        `ben@example.com,Ben Okafor,staff,${unit},,,`,
      ],
      errors,
      sent,
    })
  }

  app.get('/contacts/import', { config: { access: 'manage_waves' } }, async (request, reply) => uploadPage(request, reply))

  // The file is streamed into the store as it arrives, so the body is read here rather than before the
  // app-wide CSRF check: the token (first in the form) is checked before a byte of the file is kept.
  app.post('/contacts/import', { config: { access: 'manage_waves', csrf: 'manual' } }, async (request, reply) => {
    const remove = (id: string) => deleteUpload(app.db, orgOf(request), id)
    const received = await receiveUpload(request,
      (filename, file) => saveUpload(app.db, ownerOf(request), request.principal!.userId, filename, file, MAX_CSV_BYTES), remove)
    if (!received.csrfValid) throw csrfFailed()
    const { chosen, saved } = received
    const refuse = async (message: string) => {
      if (saved?.ok) await remove(saved.upload.id)
      return uploadPage(request, reply.code(422), { file: message }, chosen)
    }
    if (saved === null || (saved.ok && chosen === null && saved.upload.bytes === 0)) return refuse('Choose the CSV file with your contacts.')
    if (!saved.ok) return refuse(`The file is larger than ${MAX_MB} MB. Split it into several files.`)
    const stream = uploadStream(app.db, saved.upload)
    const start = await checkContactsCsvStart(stream).finally(() => stream.destroy())
    if (!start.ok) return refuse(start.message)
    return reply.redirect(previewUrl(saved.upload), 303)
  })

  app.get('/contacts/import/preview', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const id = (request.query as Record<string, unknown>).upload
    if (id === undefined || id === '') return reply.redirect('/contacts/import', 303)
    const upload = await loadUpload(app.db, ownerOf(request), id)
    const shown = { id: upload.id, filename: upload.filename, uploadedAt: upload.uploadedAt, confirmedAt: upload.confirmedAt }
    if (upload.confirmedAt) return reply.page('contacts-import-preview', { title: 'Import preview · Contacts', upload: shown })
    const [units, preview] = await Promise.all([
      listUnits(app.db, orgOf(request)),
      previewContactUpload(app.db, orgOf(request), upload, PREVIEW_ROWS),
    ])
    if (!preview.ok) {
      await deleteUpload(app.db, orgOf(request), upload.id)
      return uploadPage(request, reply.code(422), { file: preview.message }, upload.filename)
    }
    const unitNames = new Map(units.map((unit) => [unit.id, unit.name]))
    return reply.page('contacts-import-preview', {
      title: 'Import preview · Contacts',
      upload: shown,
      separator: DELIMITER_NAMES[preview.delimiter],
      encoding: ENCODING_NAMES[preview.encoding],
      columns: preview.columns.filter((column) => column.kind !== 'attribute').map((column) => ({
        name: column.kind === 'unnamed' ? `column ${column.index + 1}` : column.name, meaning: COLUMN_MEANINGS[column.kind],
      })),
      attributes: preview.columns.filter((column) => column.kind === 'attribute').map((column) => column.name),
      rows: preview.rows,
      accepted: preview.accepted,
      problemCount: preview.problemCount,
      problems: preview.problems.map(problemText),
      unlisted: preview.problemCount - preview.problems.length,
      sample: preview.sample.map((row) => sampleRow(row, preview.columns, unitNames)),
      hiddenRows: Math.max(0, preview.rows - preview.sample.length),
    })
  })

  app.post('/contacts/import/confirm', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const upload = await loadUpload(app.db, ownerOf(request), (request.body as Record<string, unknown> | undefined)?.upload)
    const result = upload.confirmedAt ? 'taken' : await importContactUpload(app.db, orgOf(request), upload)
    // Confirmed already (here, or from another tab or instance): the preview says when.
    if (result === 'taken') return reply.redirect(previewUrl(upload), 303)
    if (!result.ok) return uploadPage(request, reply.code(422), { file: result.message }, upload.filename)
    return reply.page('contacts-import-result', {
      title: 'Import result · Contacts',
      filename: upload.filename,
      created: result.created,
      updated: result.updated,
      problemCount: result.problemCount,
      problems: result.problems.map(problemText),
      unlisted: result.problemCount - result.problems.length,
    })
  })
}

/** A preview row as the table shows it: as it will be stored, or as the file has it when it has problems. */
function sampleRow(row: PreviewRow, columns: readonly ContactColumn[], unitNames: ReadonlyMap<string, string>) {
  const contact = row.contact
  if (contact) {
    return {
      line: row.line, problem: null, email: contact.email, name: contact.name ?? '', side: sideName(contact.side),
      unit: contact.unitId ? unitNames.get(contact.unitId) ?? '' : '', locale: contact.locale ? locale(contact.locale) : '',
      attributes: Object.entries(contact.attributes ?? {}).map(([name, value]) => `${name}: ${value}`),
    }
  }
  const input = contactInput(row.cells, columns)
  const cell = (key: string) => (typeof input[key] === 'string' ? (input[key] as string) : '')
  return {
    line: row.line, problem: row.problem, email: cell('email'), name: cell('name'), side: cell('side'), unit: cell('unit'), locale: cell('locale'),
    attributes: Object.entries((input.attributes ?? {}) as Record<string, string>).map(([name, value]) => `${name}: ${value}`),
  }
}
