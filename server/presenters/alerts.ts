// The report's Alerts block (views/partials/blocks/alerts.eta): each alert of the wave the reader may
// see, in the sentence its mail says (i18n/alert-mail.ts), with its q and when it was found. Alerts
// are about whole units, so under an attribute filter the block says that it does not follow it.
import { alertSentence } from '../i18n/alert-mail.js'
import * as f from '../format.js'
import type { WaveAlert } from '../services/alerts.js'
import { answersFilter, answersOther, type BlockScope } from './block-scope.js'

export interface AlertsView {
  scope: BlockScope
  empty: string | null
  rows: Array<{ id: string; label: string; sentence: string; unit: string; facts: string }>
}

const LABELS = { gap_drift: 'The gap widened', customers_fell: 'Customers fell' } as const

export function presentAlerts(alerts: readonly WaveAlert[], context: { wave: string; unit: string | null; attributesApply: boolean }): AlertsView {
  return {
    scope: context.attributesApply
      ? answersOther('Alerts are about whole units: they compare each unit\'s released figures with the previous wave, and do not follow the staff or customer attribute filters.')
      : answersFilter,
    empty: alerts.length > 0 ? null : `No alerts${context.unit ? ` for ${context.unit}` : ''} in this wave: no unit's gap widened clearly, and no unit's customers fell while staff's view held.`,
    rows: alerts.map((alert) => ({
      id: alert.id,
      label: LABELS[alert.rule],
      sentence: alertSentence({ rule: alert.rule, unit: alert.unit.name, item: alert.item, wave: context.wave, previousWave: alert.previousWave.name, figures: alert.figures }, 'en'),
      unit: alert.unit.name,
      facts: `q = ${f.pValue(alert.figures.change.qValue)} · found ${f.dateTime(new Date(alert.createdAt))}`,
    })),
  }
}
