// Alert mail (design §4 "Gap drift"): what was found, in which unit and on which item, with its
// figures, in the recipient's language. The same sentence is the alert's line on the report page
// (presenters/alerts.ts), so the mail and the page never say it two ways. The params are what the
// alert pass queued: names, the item's text in the recipient's language, and the alert's figures
// (released aggregates only). Numbers go through server/format.ts (true minus signs).
import { isLocale, type Locale } from '../domain/languages.js'
import type { AlertFigures } from '../domain/gap-drift.js'
import type { AlertRule } from '../domain/types.js'
import { gapNumber, percent } from '../format.js'
import type { NotificationContext } from './notification-mail.js'
import { renderResultMail } from './result-mail.js'

/** What an alert's words are made of. */
export interface AlertWords {
  rule: AlertRule
  unit: string
  /** The item's customer text, in the reader's language. */
  item: string
  wave: string
  previousWave: string
  figures: AlertFigures
}

interface AlertText {
  widened: (w: AlertWords, f: Numbers) => string
  fell: (w: AlertWords, f: Numbers) => string
  subject: (rule: AlertRule, unit: string) => string
  context: (wave: string, previous: string) => string
  chance: (q: number) => string
  button: string
  footer: string
}

/** The figures as the sentence prints them. */
interface Numbers {
  gapBefore: string; gapNow: string; change: string; changeLow: string; changeHigh: string
  customerBefore: string; customerNow: string; customerChange: string; customerLow: string; customerHigh: string
  staffBefore: string; staffNow: string
}

const numbers = (f: AlertFigures): Numbers => ({
  gapBefore: gapNumber(f.gap.before), gapNow: gapNumber(f.gap.now), change: gapNumber(f.change.points),
  changeLow: gapNumber(f.change.ci95[0]), changeHigh: gapNumber(f.change.ci95[1]),
  customerBefore: percent(f.customer.before), customerNow: percent(f.customer.now), customerChange: gapNumber(f.customerChange.points),
  customerLow: gapNumber(f.customerChange.ci95[0]), customerHigh: gapNumber(f.customerChange.ci95[1]),
  staffBefore: percent(f.staff.before), staffNow: percent(f.staff.now),
})

/** q < 0.001, q < 0.05, and the rest of what an alert lets through (q < 0.10). */
const byQ = (q: number, [very, unlikely, probably]: [string, string, string]) => (q < 0.001 ? very : q < 0.05 ? unlikely : probably)

export const ALERT_TEXT: Record<Locale, AlertText> = {
  en: {
    widened: (w, n) => `In ${w.unit}, the gap on '${w.item}' widened from ${n.gapBefore} to ${n.gapNow} points since ${w.previousWave} (change ${n.change}, 95% interval ${n.changeLow} to ${n.changeHigh}; ${ALERT_TEXT.en.chance(w.figures.change.qValue)}).`,
    fell: (w, n) => `In ${w.unit}, the customers who agree that '${w.item}' fell from ${n.customerBefore} to ${n.customerNow} since ${w.previousWave} (change ${n.customerChange} points, 95% interval ${n.customerLow} to ${n.customerHigh}), while staff's view did not clearly change (${n.staffBefore} then, ${n.staffNow} now).`,
    subject: (rule, unit) => (rule === 'gap_drift' ? `Service Gap alert: the gap widened in ${unit}` : `Service Gap alert: fewer customers agree in ${unit}`),
    context: (wave, previous) => `Found in the released figures of ${wave}, for the whole unit, compared with ${previous}.`,
    chance: (q) => byQ(q, ['very unlikely to be chance', 'unlikely to be chance', 'probably not chance']),
    button: 'Open the report',
    footer: 'You get this because you follow this unit in Service Gap. Change which units you follow, or turn alert mail off, under Account → Notifications.',
  },
  es: {
    widened: (w, n) => `En ${w.unit}, la brecha en «${w.item}» se amplió de ${n.gapBefore} a ${n.gapNow} puntos desde ${w.previousWave} (cambio ${n.change}, intervalo del 95 %: ${n.changeLow} a ${n.changeHigh}; ${ALERT_TEXT.es.chance(w.figures.change.qValue)}).`,
    fell: (w, n) => `En ${w.unit}, los clientes que están de acuerdo con «${w.item}» bajaron del ${n.customerBefore} al ${n.customerNow} desde ${w.previousWave} (cambio de ${n.customerChange} puntos, intervalo del 95 %: ${n.customerLow} a ${n.customerHigh}), mientras que la opinión del personal no cambió claramente (${n.staffBefore} antes, ${n.staffNow} ahora).`,
    subject: (rule, unit) => (rule === 'gap_drift' ? `Alerta de Service Gap: la brecha se amplió en ${unit}` : `Alerta de Service Gap: menos clientes están de acuerdo en ${unit}`),
    context: (wave, previous) => `Detectado en las cifras publicadas de ${wave}, para toda la unidad, en comparación con ${previous}.`,
    chance: (q) => byQ(q, ['muy improbable que sea casualidad', 'improbable que sea casualidad', 'probablemente no es casualidad']),
    button: 'Abrir el informe',
    footer: 'Recibe este mensaje porque sigue esta unidad en Service Gap. Puede cambiar qué unidades sigue, o desactivar las alertas por correo, en Cuenta → Notificaciones.',
  },
  de: {
    widened: (w, n) => `In ${w.unit} hat sich die Lücke bei „${w.item}“ seit ${w.previousWave} von ${n.gapBefore} auf ${n.gapNow} Punkte vergrößert (Veränderung ${n.change}, 95-%-Intervall ${n.changeLow} bis ${n.changeHigh}; ${ALERT_TEXT.de.chance(w.figures.change.qValue)}).`,
    fell: (w, n) => `In ${w.unit} ist der Anteil der Kundinnen und Kunden, die „${w.item}“ zustimmen, seit ${w.previousWave} von ${n.customerBefore} auf ${n.customerNow} gesunken (Veränderung ${n.customerChange} Punkte, 95-%-Intervall ${n.customerLow} bis ${n.customerHigh}), während sich die Sicht des Personals nicht klar verändert hat (${n.staffBefore} vorher, ${n.staffNow} jetzt).`,
    subject: (rule, unit) => (rule === 'gap_drift' ? `Service-Gap-Hinweis: Die Lücke ist in ${unit} größer geworden` : `Service-Gap-Hinweis: Weniger Kundinnen und Kunden stimmen in ${unit} zu`),
    context: (wave, previous) => `Gefunden in den freigegebenen Zahlen von ${wave}, für die ganze Einheit, im Vergleich mit ${previous}.`,
    chance: (q) => byQ(q, ['sehr wahrscheinlich kein Zufall', 'wahrscheinlich kein Zufall', 'vermutlich kein Zufall']),
    button: 'Bericht öffnen',
    footer: 'Sie erhalten diese Nachricht, weil Sie dieser Einheit in Service Gap folgen. Welche Einheiten Sie verfolgen oder ob Sie Hinweise per E-Mail erhalten, ändern Sie unter Konto → Benachrichtigungen.',
  },
  fr: {
    widened: (w, n) => `À ${w.unit}, l’écart sur « ${w.item} » s’est creusé de ${n.gapBefore} à ${n.gapNow} points depuis ${w.previousWave} (variation ${n.change}, intervalle à 95 % : ${n.changeLow} à ${n.changeHigh} ; ${ALERT_TEXT.fr.chance(w.figures.change.qValue)}).`,
    fell: (w, n) => `À ${w.unit}, la part des clients d’accord avec « ${w.item} » est passée de ${n.customerBefore} à ${n.customerNow} depuis ${w.previousWave} (variation de ${n.customerChange} points, intervalle à 95 % : ${n.customerLow} à ${n.customerHigh}), sans que l’avis du personnel change nettement (${n.staffBefore} avant, ${n.staffNow} maintenant).`,
    subject: (rule, unit) => (rule === 'gap_drift' ? `Alerte Service Gap : l’écart s’est creusé à ${unit}` : `Alerte Service Gap : moins de clients sont d’accord à ${unit}`),
    context: (wave, previous) => `Constaté dans les chiffres publiés de ${wave}, pour l’ensemble de l’unité, par rapport à ${previous}.`,
    chance: (q) => byQ(q, ['très peu probablement dû au hasard', 'peu probablement dû au hasard', 'sans doute pas dû au hasard']),
    button: 'Ouvrir le rapport',
    footer: 'Vous recevez ce message parce que vous suivez cette unité dans Service Gap. Pour changer les unités suivies ou désactiver les alertes par e-mail, allez dans Compte → Notifications.',
  },
  pt: {
    widened: (w, n) => `Em ${w.unit}, a diferença em «${w.item}» aumentou de ${n.gapBefore} para ${n.gapNow} pontos desde ${w.previousWave} (variação ${n.change}, intervalo de 95%: ${n.changeLow} a ${n.changeHigh}; ${ALERT_TEXT.pt.chance(w.figures.change.qValue)}).`,
    fell: (w, n) => `Em ${w.unit}, a parte dos clientes que concordam com «${w.item}» desceu de ${n.customerBefore} para ${n.customerNow} desde ${w.previousWave} (variação de ${n.customerChange} pontos, intervalo de 95%: ${n.customerLow} a ${n.customerHigh}), sem que a opinião do pessoal tenha mudado claramente (${n.staffBefore} antes, ${n.staffNow} agora).`,
    subject: (rule, unit) => (rule === 'gap_drift' ? `Alerta do Service Gap: a diferença aumentou em ${unit}` : `Alerta do Service Gap: menos clientes concordam em ${unit}`),
    context: (wave, previous) => `Detetado nos números publicados de ${wave}, para toda a unidade, em comparação com ${previous}.`,
    chance: (q) => byQ(q, ['muito improvável que seja acaso', 'improvável que seja acaso', 'provavelmente não é acaso']),
    button: 'Abrir o relatório',
    footer: 'Recebe esta mensagem porque segue esta unidade no Service Gap. Pode mudar as unidades que segue, ou desativar os alertas por e-mail, em Conta → Notificações.',
  },
}

const textFor = (locale: string): AlertText => ALERT_TEXT[isLocale(locale) ? locale : 'en']

/** The alert in one sentence, in `locale` (English when it is not one of ours). */
export function alertSentence(words: AlertWords, locale: string): string {
  const text = textFor(locale)
  const n = numbers(words.figures)
  // The item is quoted inside a sentence: without its own full stop.
  const quoted = { ...words, item: words.item.trim().replace(/[.。]$/, '') }
  return words.rule === 'gap_drift' ? text.widened(quoted, n) : text.fell(quoted, n)
}

export function renderAlertMail(params: Record<string, unknown>, context: NotificationContext) {
  const words = params as unknown as AlertWords & { path?: string }
  const text = textFor(context.locale)
  return renderResultMail({
    lang: context.locale,
    subject: text.subject(words.rule, words.unit),
    paragraphs: [alertSentence(words, context.locale), text.context(words.wave, words.previousWave)],
    button: { label: text.button, url: `${context.publicUrl}${typeof words.path === 'string' ? words.path : '/waves'}` },
    footer: text.footer,
  })
}
