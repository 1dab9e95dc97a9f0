// Importing contacts from a CSV file in two steps: upload (streamed to a temporary file), a preview of
// the columns, the first rows and every problem, then the import on confirmation and its result.
// Rows with problems are skipped; the others are stored.
import multipart from '@fastify/multipart'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { contactInput, type ContactColumn, type RowError } from '../../domain/contacts.js'
import { sideName } from '../../domain/names.js'
import { locale } from '../../format.js'
import { HttpError } from '../../http-error.js'
import { csrfFailed } from '../../plugins/security.js'
import { listUnits } from '../../repositories/units.js'
import { MAX_CSV_BYTES } from '../../services/contact-csv.js'
import { checkContactsCsvStart, importContactsCsv, previewContactsCsv, type PreviewRow } from '../../services/contact-import.js'
import { claimUpload, findUpload, openUpload, removeUpload, saveUpload, type Upload } from '../../services/contact-uploads.js'

const PREVIEW_ROWS = 10
const MAX_MB = MAX_CSV_BYTES / 1024 / 1024
const COLUMN_MEANINGS: Record<ContactColumn['kind'], string> = {
  email: 'email address', side: 'staff or customer', name: 'name', unit: 'unit', locale: 'language', attribute: 'attribute', unnamed: 'ignored: no name',
}

const uploadGone = () => new HttpError(404, 'not_found', 'This upload has expired or has already been imported. Upload the file again.')

/** The file's own name, without any folder a browser may send along or characters no one typed. */
const cleanFilename = (name: string) => (name.split(/[\\/]/).pop() ?? '').replace(/\p{Cc}/gu, '').trim().slice(0, 200) || 'upload.csv'

const problemText = (error: RowError) => `Line ${error.row}: ${error.message}.`

export default async function contactImportPages(app: FastifyInstance) {
  // Only these routes read multipart bodies, and they stream the file (at most MAX_MB) to disk.
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: MAX_CSV_BYTES, files: 1, fields: 5, fieldSize: 4096, parts: 10 },
  })

  const orgOf = (request: FastifyRequest) => request.principal!.organizationId

  async function uploadPage(request: FastifyRequest, reply: FastifyReply, errors: Record<string, string> = {}, sent: string | null = null) {
    const units = await listUnits(app.db, orgOf(request))
    const unit = units[0]?.name ?? ''
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

  // The file is streamed to disk as it arrives, so the body is read here rather than before the
  // app-wide CSRF check: the token (first in the form) is checked before a byte of the file is kept.
  app.post('/contacts/import', { config: { access: 'manage_waves', csrf: 'manual' } }, async (request, reply) => {
    if (!request.isMultipart()) {
      if (!request.csrfValid()) throw csrfFailed()
      return uploadPage(request, reply.code(422), { file: 'Choose the CSV file with your contacts.' })
    }
    const fields: Record<string, string> = {}
    const csrfValid = () => {
      request.body = fields // csrfValid() reads `_csrf` from the body: here, the fields read so far
      return request.csrfValid()
    }
    let refused = false
    let upload: Upload | null = null
    let chosen: string | null = null
    let truncated = false
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') fields[part.fieldname] = part.value
        continue
      }
      if (!csrfValid()) refused = true
      if (refused || upload !== null || part.fieldname !== 'file') {
        part.file.resume() // read and dropped
        continue
      }
      chosen = part.filename ? cleanFilename(part.filename) : null
      upload = await saveUpload(orgOf(request), chosen ?? 'upload.csv', part.file)
      truncated = part.file.truncated
    }
    if (refused || !csrfValid()) {
      if (upload) await removeUpload(orgOf(request), upload.id)
      throw csrfFailed()
    }

    const refuse = async (message: string) => {
      if (upload) await removeUpload(orgOf(request), upload.id)
      return uploadPage(request, reply.code(422), { file: message }, chosen)
    }
    if (upload === null || (chosen === null && upload.bytes === 0)) return refuse('Choose the CSV file with your contacts.')
    if (truncated) return refuse(`The file is larger than ${MAX_MB} MB. Split it into several files.`)
    const stream = await openUpload(orgOf(request), upload.id)
    if (!stream) throw uploadGone()
    const start = await checkContactsCsvStart(stream).finally(() => stream.destroy())
    if (!start.ok) return refuse(start.message)
    return reply.redirect(`/contacts/import/preview?upload=${upload.id}`, 303)
  })

  app.get('/contacts/import/preview', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const id = (request.query as Record<string, unknown>).upload
    if (id === undefined || id === '') return reply.redirect('/contacts/import', 303)
    const upload = await findUpload(orgOf(request), String(id))
    const stream = upload && (await openUpload(orgOf(request), upload.id))
    if (!upload || !stream) throw uploadGone()
    const [units, preview] = await Promise.all([
      listUnits(app.db, orgOf(request)),
      previewContactsCsv(app.db, orgOf(request), stream, PREVIEW_ROWS).finally(() => stream.destroy()),
    ])
    if (!preview.ok) {
      await removeUpload(orgOf(request), upload.id)
      return uploadPage(request, reply.code(422), { file: preview.message }, upload.filename)
    }
    const unitNames = new Map(units.map((unit) => [unit.id, unit.name]))
    return reply.page('contacts-import-preview', {
      title: 'Import preview · Contacts',
      upload: { id: upload.id, filename: upload.filename, uploadedAt: upload.uploadedAt },
      separator: preview.delimiter === ';' ? 'semicolons' : 'commas',
      encoding: preview.encoding === 'utf-8' ? 'UTF-8' : 'Windows-1252',
      columns: preview.columns.filter((column) => column.kind !== 'attribute').map((column) => ({
        name: column.kind === 'unnamed' ? `column ${column.index + 1}` : column.name, meaning: COLUMN_MEANINGS[column.kind],
      })),
      attributes: preview.columns.filter((column) => column.kind === 'attribute').map((column) => column.name),
      rows: preview.rows,
      accepted: preview.accepted,
      errorCount: preview.errorCount,
      problems: preview.errors.map(problemText),
      unlisted: preview.errorCount - preview.errors.length,
      sample: preview.sample.map((row) => sampleRow(row, preview.columns, unitNames)),
      hiddenRows: Math.max(0, preview.rows - preview.sample.length),
    })
  })

  app.post('/contacts/import/confirm', { config: { access: 'manage_waves' } }, async (request, reply) => {
    const id = String((request.body as Record<string, unknown> | undefined)?.upload ?? '')
    const claim = await claimUpload(orgOf(request), id)
    if (!claim) throw uploadGone()
    const stream = claim.stream()
    let result: Awaited<ReturnType<typeof importContactsCsv>>
    try {
      result = await importContactsCsv(app.db, orgOf(request), stream)
    } catch (error) {
      stream.destroy()
      await claim.release()
      throw error
    }
    stream.destroy()
    await claim.remove()
    if (!result.ok) return uploadPage(request, reply.code(422), { file: result.message }, claim.upload.filename)
    return reply.page('contacts-import-result', {
      title: 'Import result · Contacts',
      filename: claim.upload.filename,
      created: result.created,
      updated: result.updated,
      errorCount: result.errorCount,
      problems: result.errors.map(problemText),
      unlisted: result.errorCount - result.errors.length,
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
