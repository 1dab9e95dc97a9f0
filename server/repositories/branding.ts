// An organization's branding row: the logo (bytes in the database, so every instance serves it), its
// type, size and hash, and the accent colour. Reads for pages never fetch the bytes; only the public
// logo route does, by the hash that names the file.
import { createHash } from 'node:crypto'
import type { Db } from '../../db/connect.js'
import type { Branding } from '../domain/branding.js'
import type { Logo, LogoType } from '../domain/logo.js'

type Row = { accent: string | null; logo_hash: string | null; logo_type: LogoType | null; logo_width: number | null; logo_height: number | null }

export const brandingOf = (row: Row | undefined | null): Branding => ({
  accent: row?.accent ?? null,
  logo: row?.logo_hash && row.logo_type ? { hash: row.logo_hash, type: row.logo_type, width: row.logo_width!, height: row.logo_height! } : null,
})

export async function getBranding(db: Db, organizationId: string): Promise<Branding> {
  const row = await db.selectFrom('organization_branding').select(['accent', 'logo_hash', 'logo_type', 'logo_width', 'logo_height'])
    .where('organization_id', '=', organizationId).executeTakeFirst()
  return brandingOf(row)
}

export const logoHash = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').slice(0, 32)

/** Sets the logo, the accent or both; what is not given stays as it is. `logo: null` removes the logo. */
export async function saveBranding(db: Db, organizationId: string, changes: { accent?: string | null; logo?: { bytes: Uint8Array; logo: Logo } | null }): Promise<void> {
  const logo = changes.logo === undefined ? {} : changes.logo === null
    ? { logo: null, logo_type: null, logo_width: null, logo_height: null, logo_hash: null }
    : {
      logo: Buffer.from(changes.logo.bytes), logo_type: changes.logo.logo.type, logo_width: changes.logo.logo.width,
      logo_height: changes.logo.logo.height, logo_hash: logoHash(changes.logo.bytes),
    }
  const set = { ...logo, ...(changes.accent !== undefined ? { accent: changes.accent } : {}) }
  if (Object.keys(set).length === 0) return
  await db.insertInto('organization_branding').values({ organization_id: organizationId, accent: null, logo: null, logo_type: null, logo_width: null, logo_height: null, logo_hash: null, ...set })
    .onConflict((oc) => oc.column('organization_id').doUpdateSet({ ...set, updated_at: new Date() }))
    .execute()
}

/** The logo file named by its hash, for the public route; undefined when no organization has it. */
export async function findLogo(db: Db, hash: string): Promise<{ bytes: Buffer; type: LogoType } | undefined> {
  const row = await db.selectFrom('organization_branding').select(['logo', 'logo_type'])
    .where('logo_hash', '=', hash).where('logo', 'is not', null).limit(1).executeTakeFirst()
  return row?.logo && row.logo_type ? { bytes: row.logo, type: row.logo_type } : undefined
}
