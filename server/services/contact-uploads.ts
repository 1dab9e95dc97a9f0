// Uploaded contact files between the preview and the import: kept as temporary files, one folder per
// organization, under a random id that only the uploader's form carries. A file goes when it is
// imported, or an hour after its upload (swept whenever a new file arrives).
// The files live on this machine's disk: with several app instances, the load balancer must send an
// organization's preview and confirmation to the same instance (or this moves to shared storage).
import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { isUuid } from '../domain/formats.js'

export const UPLOAD_LIFETIME_MS = 60 * 60 * 1000
const ROOT = join(tmpdir(), 'service-gap-contact-uploads')
const ID = /^[0-9a-f]{32}$/

export interface Upload {
  id: string
  filename: string
  uploadedAt: Date
  bytes: number
}

export const isUploadId = (value: unknown): value is string => typeof value === 'string' && ID.test(value)

function folder(organizationId: string): string {
  // Both parts of every path are checked, so no input can point outside the folder.
  if (!isUuid(organizationId)) throw new Error('not an organization id')
  return join(ROOT, organizationId.toLowerCase())
}

const paths = (organizationId: string, id: string) => {
  const base = join(folder(organizationId), id)
  return { data: `${base}.csv`, meta: `${base}.json`, claimed: `${base}.importing` }
}

/** Writes an uploaded file to disk as it arrives. */
export async function saveUpload(organizationId: string, filename: string, file: Readable): Promise<Upload> {
  await sweepUploads()
  await mkdir(folder(organizationId), { recursive: true, mode: 0o700 })
  const id = randomBytes(16).toString('hex')
  const { data, meta } = paths(organizationId, id)
  await pipeline(file, createWriteStream(data, { flags: 'wx', mode: 0o600 }))
  const uploadedAt = new Date()
  await writeFile(meta, JSON.stringify({ filename, uploadedAt }), { flag: 'wx', mode: 0o600 })
  return { id, filename, uploadedAt, bytes: (await stat(data)).size }
}

/** The organization's upload with this id, if it is still there and not being imported. */
export async function findUpload(organizationId: string, id: string): Promise<Upload | null> {
  if (!isUploadId(id)) return null
  const { data, meta } = paths(organizationId, id)
  try {
    const info = JSON.parse(await readFile(meta, 'utf8')) as { filename: string; uploadedAt: string }
    const uploadedAt = new Date(info.uploadedAt)
    if (Date.now() - uploadedAt.getTime() > UPLOAD_LIFETIME_MS) return null
    return { id, filename: info.filename, uploadedAt, bytes: (await stat(data)).size }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/** The upload's bytes, or null when it is gone (imported, or swept away) since it was found. */
export async function openUpload(organizationId: string, id: string): Promise<Readable | null> {
  if (!isUploadId(id)) return null
  try {
    const handle = await open(paths(organizationId, id).data)
    return handle.createReadStream()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

export interface ClaimedUpload {
  upload: Upload
  stream(): Readable
  /** After the import: the upload is gone. */
  remove(): Promise<void>
  /** After a failed import: the upload can be confirmed again. */
  release(): Promise<void>
}

/** Takes the file for importing. Of two confirmations at once only one gets it: a rename happens once. */
export async function claimUpload(organizationId: string, id: string): Promise<ClaimedUpload | null> {
  const upload = await findUpload(organizationId, id)
  if (upload === null) return null
  const { data, meta, claimed } = paths(organizationId, id)
  try {
    await rename(data, claimed)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  return {
    upload,
    stream: () => createReadStream(claimed),
    remove: async () => {
      await rm(claimed, { force: true })
      await rm(meta, { force: true })
    },
    release: () => rename(claimed, data),
  }
}

export async function removeUpload(organizationId: string, id: string): Promise<void> {
  if (!isUploadId(id)) return
  const { data, meta } = paths(organizationId, id)
  await rm(data, { force: true })
  await rm(meta, { force: true })
}

/** Removes every upload older than its lifetime, in every organization's folder. */
export async function sweepUploads(now = Date.now()): Promise<void> {
  let organizations: string[]
  try {
    organizations = await readdir(ROOT)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  for (const organization of organizations) {
    const dir = join(ROOT, organization)
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const path = join(dir, name)
      const info = await stat(path).catch(() => null)
      if (info && now - info.mtimeMs > UPLOAD_LIFETIME_MS) await rm(path, { force: true })
    }
  }
}
