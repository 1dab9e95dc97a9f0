// Everything a survey page needs for one token: the organization, the wave and its state, the items
// in the respondent's side and language, and the units a respondent may pick from.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { LocalizedText, Side, WaveStatus } from '../domain/types.js'
import { localize } from '../domain/instrument.js'
import { effectiveStatus } from '../domain/periods.js'
import type { ItemSpec } from '../domain/responses.js'
import { frozenInstrument, type FrozenInstrument } from '../repositories/instruments.js'
import type { SurveyEntry } from '../repositories/responses.js'
import { hashToken, isTokenShaped } from '../security/tokens.js'

export interface Survey {
  organization: { id: string; name: string; defaultLocale: string }
  wave: { id: string; name: string; status: WaveStatus; locales: string[] }
  side: Side
  items: Array<ItemSpec & { headline: boolean; text: LocalizedText }>
  question: LocalizedText
  units: Array<{ id: string; name: string }>
}

interface WaveRow {
  id: string
  name: string
  status: WaveStatus
  opens_at: Date | null
  closes_at: Date | null
  locales: string[]
  instrument_id: string
  organization_name: string
  default_locale: string
}

function toSurvey(entry: SurveyEntry, wave: WaveRow, units: Array<{ id: string; name: string }>, instrument: FrozenInstrument, now: Date): Survey {
  return {
    organization: { id: entry.organizationId, name: wave.organization_name, defaultLocale: wave.default_locale },
    wave: { id: wave.id, name: wave.name, status: effectiveStatus(wave, now), locales: wave.locales },
    side: entry.side,
    items: instrument.items.map((item) => ({
      key: item.key, scale: item.scale, headline: item.headline,
      text: entry.side === 'staff' ? item.staffText : item.customerText,
    })),
    question: entry.side === 'staff' ? instrument.staffQuestion : instrument.customerQuestion,
    units,
  }
}

export interface OpenedToken {
  entry: SurveyEntry
  survey: Survey
  /** True when a form with the submission key asked about has been stored for this wave already. */
  stored: boolean
}

type TokenRow = WaveRow & {
  kind: 'link' | 'invitation'
  invitation_id: string | null
  organization_id: string
  wave_id: string
  side: Side
  unit_id: string | null
  locale: string | null
  attributes: Record<string, string>
  used: boolean
  units: Array<{ id: string; name: string }>
  stored: boolean
}

/**
 * What a survey token opens, in one query (the respondent pages' hot path): the public link (stored as
 * is) or personal invitation (stored hashed) behind it, its wave and organization, the units a
 * respondent may pick, and whether the form with `submissionKey` is stored already.
 */
export async function openSurveyToken(db: Db, token: string, submissionKey: string | null = null, now = new Date()): Promise<OpenedToken | undefined> {
  if (!isTokenShaped(token)) return undefined
  const { rows } = await sql<TokenRow>`
    with entry as (
      select 'link' as kind, null::uuid as invitation_id, organization_id, wave_id, side, unit_id, null::text as locale,
        '{}'::jsonb as attributes, false as used, 0 as preference
      from links where token = ${token}
      union all
      select 'invitation', id, organization_id, wave_id, side, unit_id, locale, attributes, used, 1
      from invitations where token_hash = ${hashToken(token)}
      order by preference limit 1
    )
    select entry.*, waves.id, waves.name, waves.status, waves.opens_at, waves.closes_at, waves.locales, waves.instrument_id,
      organizations.name as organization_name, organizations.default_locale,
      case when entry.unit_id is null then coalesce((select json_agg(json_build_object('id', units.id, 'name', units.name) order by units.name)
        from units where units.organization_id = entry.organization_id), '[]') else '[]' end as units,
      (${submissionKey}::text is not null and exists (select 1 from responses
        where responses.wave_id = entry.wave_id and responses.submission_key = ${submissionKey}::text)) as stored
    from entry
    join waves on waves.id = entry.wave_id and waves.organization_id = entry.organization_id
    join organizations on organizations.id = entry.organization_id`.execute(db)
  const row = rows[0]
  if (!row) return undefined
  const entry: SurveyEntry = row.kind === 'link'
    ? { kind: 'link', organizationId: row.organization_id, waveId: row.wave_id, side: row.side, unitId: row.unit_id }
    : {
      kind: 'invitation', invitationId: row.invitation_id!, organizationId: row.organization_id, waveId: row.wave_id, side: row.side,
      unitId: row.unit_id, locale: row.locale, attributes: row.attributes, used: row.used,
    }
  const instrument = await frozenInstrument(db, row.instrument_id)
  return { entry, survey: toSurvey(entry, row, row.units, instrument, now), stored: row.stored }
}

/** The survey's texts in one language with the organization's name filled in, ready for the page. */
export function surveyTexts(survey: Survey, locale: string) {
  const org = survey.organization.name
  return {
    items: survey.items.map((item) => ({ key: item.key, scale: item.scale, text: localize(item.text, locale, org) })),
    question: localize(survey.question, locale, org),
  }
}
