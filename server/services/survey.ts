// Everything a survey page needs for one token: the organization, the wave and its state, the items
// in the respondent's side and language, and the units a respondent may pick from.
import type { Db } from '../../db/connect.js'
import type { LocalizedText, Side, WaveStatus } from '../../db/schema.js'
import { localize } from '../domain/instrument.js'
import { effectiveStatus } from '../domain/periods.js'
import type { ItemSpec } from '../domain/responses.js'
import type { SurveyEntry } from '../repositories/responses.js'

export interface Survey {
  organization: { id: string; name: string; defaultLocale: string }
  wave: { id: string; name: string; status: WaveStatus; locales: string[] }
  side: Side
  items: Array<ItemSpec & { headline: boolean; text: LocalizedText }>
  question: LocalizedText
  units: Array<{ id: string; name: string }>
}

export async function loadSurvey(db: Db, entry: SurveyEntry, now = new Date()): Promise<Survey | undefined> {
  const wave = await db.selectFrom('waves')
    .innerJoin('organizations', 'organizations.id', 'waves.organization_id')
    .innerJoin('instruments', 'instruments.id', 'waves.instrument_id')
    .select([
      'waves.id', 'waves.name', 'waves.status', 'waves.opens_at', 'waves.closes_at', 'waves.locales', 'waves.instrument_id',
      'organizations.name as organization_name', 'organizations.default_locale',
      'instruments.staff_question', 'instruments.customer_question',
    ])
    .where('waves.id', '=', entry.waveId).where('waves.organization_id', '=', entry.organizationId)
    .executeTakeFirst()
  if (!wave) return undefined
  const [items, units] = await Promise.all([
    db.selectFrom('items').select(['key', 'scale', 'headline', 'staff_text', 'customer_text'])
      .where('instrument_id', '=', wave.instrument_id).orderBy('position').execute(),
    entry.unitId === null
      ? db.selectFrom('units').select(['id', 'name']).where('organization_id', '=', entry.organizationId).orderBy('name').execute()
      : Promise.resolve([]),
  ])
  return {
    organization: { id: entry.organizationId, name: wave.organization_name, defaultLocale: wave.default_locale },
    wave: { id: wave.id, name: wave.name, status: effectiveStatus(wave, now), locales: wave.locales },
    side: entry.side,
    items: items.map((item) => ({
      key: item.key, scale: item.scale, headline: item.headline,
      text: entry.side === 'staff' ? item.staff_text : item.customer_text,
    })),
    question: entry.side === 'staff' ? wave.staff_question : wave.customer_question,
    units,
  }
}

/** The survey's texts in one language with the organization's name filled in, ready for the page. */
export function surveyTexts(survey: Survey, locale: string) {
  const org = survey.organization.name
  return {
    items: survey.items.map((item) => ({ key: item.key, scale: item.scale, text: localize(item.text, locale, org) })),
    question: localize(survey.question, locale, org),
  }
}
