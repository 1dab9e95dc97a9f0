// The survey page as a respondent would see it for an instrument that no wave runs yet: the same
// template (views/survey/form.eta) fed from the instrument instead of a token. Staff see the
// prediction question for the headline, the wave default.
import { type InstrumentDefinition, type Locale } from '../domain/instrument.js'
import { predictedItems } from '../domain/predictions.js'
import { SCALE_VALUES } from '../domain/scale.js'
import { MAX_COMMENT_LENGTH } from '../domain/responses.js'
import type { Side } from '../domain/types.js'
import { RESPONDENT_TEXT } from '../i18n/respondent.js'
import { NO_BRANDING } from '../domain/branding.js'
import { surveyTexts, type Survey } from './survey.js'

export function previewSurvey(def: InstrumentDefinition, side: Side, organization: { id: string; name: string; defaultLocale: string }): Survey {
  return {
    organization: { ...organization, branding: NO_BRANDING },
    wave: { id: 'preview', name: 'Preview', status: 'open', locales: def.locales },
    side,
    items: def.items.map((item) => ({ key: item.key, scale: item.scale, headline: item.headline, required: item.required, text: side === 'staff' ? item.staffText : item.customerText })),
    predictions: side === 'staff' ? predictedItems('headline', def.items).map((item) => ({ key: item.key, customerText: item.customerText })) : [],
    question: side === 'staff' ? def.staffQuestion : def.customerQuestion,
    units: [],
    unitName: null,
  }
}

/** What views/survey/form.eta prints, for the preview frame. Nothing in it can be sent: the frame forbids forms. */
export function previewFormData(survey: Survey, locale: Locale) {
  return {
    locale,
    t: RESPONDENT_TEXT[locale],
    languages: [],
    token: 'preview',
    org: survey.organization.name,
    side: survey.side,
    ...surveyTexts(survey, locale),
    units: [],
    values: {},
    problems: {},
    submission: '',
    csrf: '',
    maxComment: MAX_COMMENT_LENGTH,
    scales: SCALE_VALUES,
  }
}
