// What the survey form's template prints for one opened survey: shared by the survey link (/s/:token)
// and the kiosk (/k/:token), which posts to its own address and adds its render token.
import { brandView } from '../../domain/branding.js'
import type { Locale } from '../../domain/instrument.js'
import { SCALE_VALUES } from '../../domain/scale.js'
import { MAX_COMMENT_LENGTH, type FormProblem } from '../../domain/responses.js'
import { RESPONDENT_TEXT } from '../../i18n/respondent.js'
import type { SurveyEntry } from '../../repositories/responses.js'
import { isTokenShaped, randomToken } from '../../security/tokens.js'
import { surveyTexts, type Survey } from '../../services/survey.js'

export interface Opened {
  entry: SurveyEntry
  survey: Survey
  locale: Locale
}

export type FormProblems = Record<string, FormProblem | 'expired' | 'unavailable' | 'kiosk'>

/** The organization's logo and colours for a respondent page (none before the survey is known). */
export const brandOf = (survey: Survey | undefined) => survey ? brandView(survey.organization.branding, survey.organization.name) : undefined

export interface FormState {
  /** Where the form posts. */
  action: string
  csrf: string
  values?: Record<string, unknown>
  problems?: FormProblems
  /** A kiosk's signed render token, sent back as the hidden field `form`. */
  render?: string
  /** A message above the form in place of problems._form's usual text (a kiosk's refusals). */
  formMessage?: string
}

export function surveyFormView({ survey, entry, locale }: Opened, state: FormState) {
  const values = state.values ?? {}
  return {
    locale,
    t: RESPONDENT_TEXT[locale],
    languages: survey.wave.locales.map((code) => ({ code, name: RESPONDENT_TEXT[code as Locale].languageName })),
    action: state.action,
    org: survey.organization.name,
    brand: brandOf(survey),
    side: entry.side,
    ...surveyTexts(survey, locale),
    units: entry.unitId === null ? survey.units : [],
    unitName: survey.unitName,
    // Above the statements: answer every one, only those marked * (some required), or any.
    answerRule: survey.items.every((item) => item.required) ? 'answerEvery' : survey.items.some((item) => item.required) ? 'answerMarked' : 'answerAny',
    values,
    problems: state.problems ?? {},
    submission: isTokenShaped(values.submission) ? values.submission : randomToken(16),
    csrf: state.csrf,
    render: state.render,
    formMessage: state.formMessage,
    maxComment: MAX_COMMENT_LENGTH,
    scales: SCALE_VALUES,
  }
}
