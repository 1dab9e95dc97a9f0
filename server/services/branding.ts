// Changing an organization's branding, for the settings page and the API alike: the accent colour
// (checked for contrast against white), the logo (its type told by its bytes, its size and pixels
// checked) or both. Nothing is saved unless everything given is right; a change is audited (what
// changed and the logo's type and size, never its bytes), and a change to nothing writes nothing.
import type { Db } from '../../db/connect.js'
import { checkAccent, type Branding } from '../domain/branding.js'
import type { FieldErrors } from '../domain/inputs.js'
import { checkLogo, LOGO_PROBLEMS, type Logo } from '../domain/logo.js'
import { getBranding, logoHash, saveBranding } from '../repositories/branding.js'
import { audit, type Caller } from './audit.js'

/** What to change: `accent` as typed ('' for the standard colours); `logo` a file (`tooLarge` when it was cut at the limit) or null to remove it. */
export interface BrandingChange {
  accent?: string
  logo?: { bytes: Uint8Array; tooLarge?: boolean } | null
}

export type BrandingResult =
  | { ok: true; branding: Branding; changed: string[] }
  /** `logoAccepted`: a logo was given and was fine, so only other fields held the change back. */
  | { ok: false; errors: FieldErrors; logoAccepted: boolean }

export async function changeBranding(db: Db, caller: Caller, change: BrandingChange): Promise<BrandingResult> {
  const organizationId = caller.principal!.organizationId
  const before = await getBranding(db, organizationId)
  const errors: FieldErrors = {}
  const accent = change.accent === undefined ? null : checkAccent(change.accent)
  if (accent && !accent.ok) Object.assign(errors, accent.errors)
  const file = change.logo ?? null
  const logo = file === null ? null : file.tooLarge ? { ok: false as const, problem: 'too_large' as const } : checkLogo(file.bytes)
  if (logo && !logo.ok) errors.logo = LOGO_PROBLEMS[logo.problem]
  if (Object.keys(errors).length > 0) return { ok: false, errors, logoAccepted: logo?.ok === true }

  const changes: { accent?: string | null; logo?: { bytes: Uint8Array; logo: Logo } | null } = {}
  const changed: string[] = []
  if (accent?.ok && accent.value.accent !== before.accent) {
    changes.accent = accent.value.accent
    changed.push('accent')
  }
  if (file && logo?.ok && before.logo?.hash !== logoHash(file.bytes)) {
    changes.logo = { bytes: file.bytes, logo: logo.logo }
    changed.push('logo')
  }
  if (change.logo === null && before.logo) {
    changes.logo = null
    changed.push('logo')
  }
  if (changed.length === 0) return { ok: true, branding: before, changed }
  await saveBranding(db, organizationId, changes)
  const logoFacts = changes.logo ? { logo: { ...changes.logo.logo, bytes: changes.logo.bytes.length } } : changes.logo === null ? { logo: null } : {}
  await audit(db, caller, 'settings_changed', { target: 'branding', detail: { changed, ...('accent' in changes ? { accent: changes.accent ?? null } : {}), ...logoFacts } })
  return { ok: true, branding: await getBranding(db, organizationId), changed }
}
