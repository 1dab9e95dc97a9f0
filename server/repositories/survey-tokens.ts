// What a survey token opens, read in one query (the respondent pages' hot path): the public link
// (stored as is) or personal invitation (stored hashed) behind it, its wave and organization (with its
// branding), the units a respondent may pick (or the name of the one unit the entry is about), and
// whether a form with a given submission key is stored already (among the responses, or for staff,
// waiting in the pool).
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Branding } from '../domain/branding.js'
import type { LogoType } from '../domain/logo.js'
import type { PredictionMode, Side, WaveStatus } from '../domain/types.js'
import { brandingOf } from './branding.js'
import { hashToken } from '../security/tokens.js'
import type { SurveyEntry } from './responses.js'
import { invitationKeyHash, poolKeyHash } from './staff-pool.js'

export interface SurveyToken {
  entry: SurveyEntry
  organization: { id: string; name: string; defaultLocale: string; branding: Branding }
  wave: {
    id: string; name: string; status: WaveStatus; opensAt: Date | null; closesAt: Date | null; locales: string[]; instrumentId: string
    predictions: PredictionMode
  }
  /** The organization's units when the entry names none (the respondent picks one); otherwise empty. */
  units: Array<{ id: string; name: string }>
  /** The name of the entry's own unit, when it names one (read in the same query). */
  unitName: string | null
  /** True when a form with the submission key asked about is stored for this wave already. */
  stored: boolean
}

interface Row {
  kind: 'link' | 'invitation'
  invitation_id: string | null
  organization_id: string
  wave_id: string
  side: Side
  unit_id: string | null
  locale: string | null
  attributes: Record<string, string>
  used: boolean
  name: string
  status: WaveStatus
  opens_at: Date | null
  closes_at: Date | null
  locales: string[]
  instrument_id: string
  predictions: PredictionMode
  organization_name: string
  default_locale: string
  accent: string | null
  logo_hash: string | null
  logo_type: LogoType | null
  logo_width: number | null
  logo_height: number | null
  units: Array<{ id: string; name: string }>
  unit_name: string | null
  stored: boolean
}

/**
 * An invitation counts as used only when another form used it: one used by this very form (its key's
 * hash recorded, a staff invitation whose answer is still to be stored after a crash) may finish.
 */
export async function findSurveyToken(db: Db, token: string, submissionKey: string | null): Promise<SurveyToken | undefined> {
  const pooled = submissionKey === null ? null : poolKeyHash(submissionKey)
  const usedBy = submissionKey === null ? null : invitationKeyHash(submissionKey)
  const { rows } = await sql<Row>`
    with entry as (
      select 'link' as kind, null::uuid as invitation_id, organization_id, wave_id, side, unit_id, null::text as locale,
        '{}'::jsonb as attributes, false as used, 0 as preference
      from links where token = ${token}
      union all
      select 'invitation', id, organization_id, wave_id, side, unit_id, locale, attributes,
        used and (used_key_hash is null or used_key_hash is distinct from ${usedBy}::text), 1
      from invitations where token_hash = ${hashToken(token)}
      order by preference limit 1
    )
    select entry.*, waves.name, waves.status, waves.opens_at, waves.closes_at, waves.locales, waves.instrument_id, waves.predictions,
      organizations.name as organization_name, organizations.default_locale,
      brand.accent, brand.logo_hash, brand.logo_type, brand.logo_width, brand.logo_height,
      case when entry.unit_id is null then coalesce((select json_agg(json_build_object('id', units.id, 'name', units.name) order by units.name)
        from units where units.organization_id = entry.organization_id), '[]') else '[]' end as units,
      (select units.name from units where units.id = entry.unit_id and units.organization_id = entry.organization_id) as unit_name,
      (${submissionKey}::text is not null and (exists (select 1 from responses
        where responses.organization_id = entry.organization_id and responses.wave_id = entry.wave_id and responses.submission_key in (${submissionKey}::text, ${pooled}::text))
        or exists (select 1 from staff_pool where staff_pool.organization_id = entry.organization_id and staff_pool.wave_id = entry.wave_id
          and staff_pool.submission_hash = ${pooled}::text))) as stored
    from entry
    join waves on waves.id = entry.wave_id and waves.organization_id = entry.organization_id
    join organizations on organizations.id = entry.organization_id
    left join organization_branding brand on brand.organization_id = entry.organization_id`.execute(db)
  const row = rows[0]
  if (!row) return undefined
  const entry: SurveyEntry = row.kind === 'link'
    ? { kind: 'link', organizationId: row.organization_id, waveId: row.wave_id, side: row.side, unitId: row.unit_id }
    : {
      kind: 'invitation', invitationId: row.invitation_id!, organizationId: row.organization_id, waveId: row.wave_id, side: row.side,
      unitId: row.unit_id, locale: row.locale, attributes: row.attributes, used: row.used,
    }
  return {
    entry,
    organization: { id: row.organization_id, name: row.organization_name, defaultLocale: row.default_locale, branding: brandingOf(row) },
    wave: {
      id: row.wave_id, name: row.name, status: row.status, opensAt: row.opens_at, closesAt: row.closes_at, locales: row.locales, instrumentId: row.instrument_id,
      predictions: row.predictions,
    },
    units: row.units,
    unitName: row.unit_name,
    stored: row.stored,
  }
}
