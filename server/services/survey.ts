// Everything a survey page needs for one token: the organization, the wave and its state, the items
// in the respondent's side and language, the prediction questions (staff of a wave that asks them),
// and the units a respondent may pick from.
import type { Db } from '../../db/connect.js'
import type { Branding } from '../domain/branding.js'
import type { LocalizedText, Side, WaveStatus } from '../domain/types.js'
import { localize, type Locale } from '../domain/instrument.js'
import { RESPONDENT_TEXT } from '../i18n/respondent.js'
import { effectiveStatus } from '../domain/periods.js'
import { predictedItems } from '../domain/predictions.js'
import { agreeThreshold, highestValue } from '../domain/scale.js'
import type { ItemSpec } from '../domain/responses.js'
import { frozenInstrument, type FrozenInstrument } from '../repositories/instruments.js'
import type { SurveyEntry } from '../repositories/responses.js'
import { findSurveyToken, type SurveyToken } from '../repositories/survey-tokens.js'
import { isTokenShaped } from '../security/tokens.js'

export interface Survey {
  organization: { id: string; name: string; defaultLocale: string; branding: Branding }
  wave: { id: string; name: string; status: WaveStatus; locales: string[] }
  side: Side
  items: Array<ItemSpec & { headline: boolean; text: LocalizedText }>
  /**
   * The items staff are asked to predict customers' answers to, with the customers' wording (empty for
   * customers and for a wave without prediction questions).
   */
  predictions: Array<{ key: string; customerText: LocalizedText }>
  question: LocalizedText
  units: Array<{ id: string; name: string }>
  /** The name of the unit the entry is about (a unit's link or an invitation with a unit), or null. */
  unitName: string | null
}

function toSurvey(found: SurveyToken, instrument: FrozenInstrument, now: Date): Survey {
  const { entry, wave } = found
  return {
    organization: found.organization,
    wave: { id: wave.id, name: wave.name, status: effectiveStatus(wave, now), locales: wave.locales },
    side: entry.side,
    items: instrument.items.map((item) => ({
      key: item.key, scale: item.scale, headline: item.headline, required: item.required,
      text: entry.side === 'staff' ? item.staffText : item.customerText,
    })),
    predictions: entry.side === 'staff' ? predictedItems(wave.predictions, instrument.items).map((item) => ({ key: item.key, customerText: item.customerText })) : [],
    question: entry.side === 'staff' ? instrument.staffQuestion : instrument.customerQuestion,
    units: found.units,
    unitName: found.unitName,
  }
}

export interface OpenedToken {
  entry: SurveyEntry
  survey: Survey
  /** True when a form with the submission key asked about has been stored for this wave already. */
  stored: boolean
}

/**
 * What a survey token opens: the entry behind it (a public link or a personal invitation), the survey
 * in its wave's state, and whether the form with `submissionKey` is stored already.
 */
export async function openSurveyToken(db: Db, token: string, submissionKey: string | null = null, now = new Date()): Promise<OpenedToken | undefined> {
  if (!isTokenShaped(token)) return undefined
  const found = await findSurveyToken(db, token, submissionKey)
  if (!found) return undefined
  const instrument = await frozenInstrument(db, found.wave.instrumentId)
  return { entry: found.entry, survey: toSurvey(found, instrument, now), stored: found.stored }
}

/**
 * The survey's texts in one language with the organization's name filled in, ready for the page: a
 * prediction question is the page's template around the customers' wording of its item.
 */
export function surveyTexts(survey: Survey, locale: Locale) {
  const org = survey.organization.name
  return {
    items: survey.items.map((item) => ({ key: item.key, scale: item.scale, required: item.required, text: localize(item.text, locale, org) })),
    predictions: survey.predictions.map((item) => {
      const answered = survey.items.find((i) => i.key === item.key)
      const statement = RESPONDENT_TEXT[locale].predictStatement(localize(item.customerText, locale, org))
      // On a 0–10 item "agree" is answering its top values (domain/scale.ts), so the question says so.
      const text = answered?.scale === 'likelihood11' ? RESPONDENT_TEXT[locale].predictTopValues(statement, agreeThreshold(answered.scale), highestValue(answered.scale)) : statement
      return { key: item.key, required: answered?.required ?? false, text }
    }),
    question: localize(survey.question, locale, org),
  }
}

/** The item keys whose predictions the survey's form must carry. */
export const predictedKeys = (survey: Survey) => survey.predictions.map((item) => item.key)
