// The quarterly digest (issue 16 part 5) in the recipient's language: the headline three ways, its
// change, fix first, where the gaps are widest, the plans and their verdicts, the board pack. It words
// the facts presenters/digest.ts stored with the mail (numbers already formatted by format.ts) and
// says whether the pack is attached from what the worker actually attached.
import type { DigestChange, DigestParams, DigestPlan } from '../presenters/digest.js'
import { intlLocale, isLocale, type Locale } from '../domain/languages.js'
import { packFileName } from '../domain/names.js'
import type { PlanStatus, PlanVerdict } from '../domain/types.js'
import type { NotificationContext } from './notification-mail.js'
import { renderResultMail } from './result-mail.js'

type Chance = DigestChange['chance']
type Verdict = NonNullable<DigestParams['headline']['verdict']>
type Scope = DigestParams['scope']
type Missing = NonNullable<DigestParams['fixFirst']['missing']>

interface Words {
  subject: (wave: string, when: string | null, unit: string | null, figures: string) => string
  staffShort: (v: string | null) => string
  customersShort: (v: string | null) => string
  gapShort: (v: string) => string
  intro: (wave: string, week: string | null) => string
  scope: (scope: Scope) => string
  released: (date: string | null) => string
  headline: (item: string, staff: string | null, predicted: string | null | undefined, customer: string | null) => string
  gap: (gap: string, range: [string, string], verdict: Verdict, chance: string) => string
  noGap: string
  change: (change: DigestChange) => string
  noChange: (why: 'no_trend' | 'first_wave' | 'hidden', since: string | null) => string
  fixFirst: string
  fixItem: (item: string, gap: string | null, weight: string) => string
  fixWholeWave: string
  fixMissing: Record<Missing, string>
  fixEmpty: string
  widest: (yours: boolean, list: string) => string
  noWidest: string
  improved: (unit: string, change: DigestChange) => string
  noImproved: (comparable: boolean) => string
  plans: string
  noPlans: string
  plan: (plan: DigestPlan, topic: string, status: string, verdict: string) => string
  morePlans: (n: number) => string
  status: Record<PlanStatus, string>
  verdict: Record<PlanVerdict | 'none', string>
  dimension: Record<string, string>
  attached: string
  notAttached: string
  button: string
  footer: string
  chance: Record<Chance, string>
}

const EN: Words = {
  subject: (wave, when, unit, figures) => `Service Gap — ${wave} ${when === null ? 'closed' : `week ${when}`}${unit ? `, ${unit}` : ''}: ${figures}`,
  staffShort: (v) => `staff ${v ?? 'hidden'}`,
  customersShort: (v) => `customers ${v ?? 'hidden'}`,
  gapShort: (v) => `gap ${v} points`,
  intro: (wave, week) => (week === null ? `${wave} has closed. This is where it ended.` : `${wave} is still open. This is where it stands in week ${week}.`),
  scope: (scope) => {
    switch (scope.kind) {
      case 'all_units': return 'This digest covers all units.'
      case 'all_units_followed_several': return 'You follow several units; one digest cannot narrow to several, so it covers every unit you can read.'
      case 'unit': return `This digest covers ${scope.unit}.`
      case 'first_of_your_units': return `This digest covers ${scope.unit}, the first of your ${scope.of} units, as your dashboard opens; the units compared below are yours only.`
    }
  },
  released: (date) => (date ? `Staff figures as of ${date}.` : 'Staff figures are not released yet.'),
  headline: (item, staff, predicted, customer) => `“${item}” ${[
    staff ? `${staff} of staff agree` : 'the staff share is hidden here',
    ...(predicted === undefined ? [] : [predicted ? `staff predict ${predicted} of customers do` : 'staff predictions are hidden here']),
    customer ? `${customer} of customers agree` : 'the customer share is hidden here',
  ].join('; ')}.`,
  gap: (gap, range, verdict, chance) => `Gap ${gap} points (95% interval ${range[0]} to ${range[1]}): ${{
    staff_higher: 'staff think better of the service than customers do',
    customers_higher: 'customers think better of the service than staff do',
    no_clear: 'no clear difference between staff and customers',
  }[verdict]}, ${chance}.`,
  noGap: 'No gap can be given: one side is hidden here.',
  change: (c) => `Since ${c.since} the gap has ${moveEn(c)} (95% interval ${c.range[0]} to ${c.range[1]} points), ${EN.chance[c.chance]}.`,
  noChange: (why, since) => ({
    no_trend: 'No comparison with earlier waves for this view.',
    first_wave: 'This is the first wave of this survey: nothing to compare with yet.',
    hidden: `No change since ${since ?? 'the previous wave'} can be given: a side is hidden in one of the two waves.`,
  }[why]),
  fixFirst: 'Fix first:',
  fixItem: (item, gap, weight) => `“${item}” — ${gap === null ? 'gap hidden' : `gap ${gap} points`}, weight ${weight}`,
  fixWholeWave: 'The weights come from the whole wave (too few customers here for their own); the gaps from this view.',
  fixMissing: {
    not_enough_answers: 'Fix first: too few customers here to weigh the items against their verdict.',
    suppressed: 'Fix first: the anonymity rules hide some customer answers here, so the items cannot be weighed.',
    other: 'Fix first is not available for this view.',
  },
  fixEmpty: 'Fix first: no item with a positive gap carries weight, so nothing stands out.',
  widest: (yours, list) => `Widest gaps among ${yours ? 'your units' : 'all units'}: ${list}.`,
  noWidest: 'No unit has a gap (staff above customers) that is unlikely to be chance.',
  improved: (unit, c) => `Most improved: ${unit}, whose gap has ${moveEn(c)} since ${c.since}, ${EN.chance[c.chance]}.`,
  noImproved: (comparable) => (comparable ? 'No unit\'s gap narrowed by more than chance since the previous wave.' : 'No unit can be compared with a previous wave.'),
  plans: 'Plans:',
  noPlans: 'No plans for these units yet.',
  plan: (plan, topic, status, verdict) => `${plan.unit} · ${topic}: ${plan.change} (${plan.owner}, ${status}, since ${plan.since}) — ${verdict}`,
  morePlans: (n) => `…and ${n} more on the dashboard.`,
  status: { planned: 'planned', in_progress: 'in progress', done: 'done', dropped: 'dropped' },
  verdict: { worked: 'worked', no_effect_yet: 'no effect yet', worse: 'worse', none: 'no verdict yet' },
  dimension: { overall: 'Overall', attitude: 'Attitude', ability: 'Ability', structure: 'Structure', focus: 'Focus on the person', fit: 'Fit', listening: 'Listening', care: 'Care for staff' },
  attached: 'The board pack of this view is attached as a PDF.',
  notAttached: 'The board pack could not be attached. To print it, open the dashboard, choose Print (Ctrl+P, or ⌘P on a Mac) and pick Save as PDF.',
  button: 'Open the dashboard',
  footer: 'You get this digest because you chose it in Service Gap; change it under Account → Notifications.',
  chance: { very_unlikely: 'very unlikely to be chance', unlikely: 'unlikely to be chance', could_be: 'could be chance' },
}

function moveEn(c: DigestChange): string {
  if (c.shape === 'steady') return 'held steady'
  if (c.shape === 'crossed') return `moved from ${c.before} to ${c.now} points`
  return `${c.shape} by ${c.by} ${c.by === '1' ? 'point' : 'points'}`
}

const ES: Words = {
  subject: (wave, when, unit, figures) => `Service Gap — ${wave} ${when === null ? 'cerrada' : `semana ${when}`}${unit ? `, ${unit}` : ''}: ${figures}`,
  staffShort: (v) => `personal ${v ?? 'oculto'}`,
  customersShort: (v) => `clientes ${v ?? 'oculto'}`,
  gapShort: (v) => `brecha ${v} puntos`,
  intro: (wave, week) => (week === null ? `La oleada ${wave} ha cerrado. Así ha terminado.` : `La oleada ${wave} sigue abierta. Así está en la semana ${week}.`),
  scope: (scope) => {
    switch (scope.kind) {
      case 'all_units': return 'Este resumen abarca todas las unidades.'
      case 'all_units_followed_several': return 'Sigue varias unidades; un resumen no puede limitarse a varias, así que abarca todas las que puede consultar.'
      case 'unit': return `Este resumen abarca ${scope.unit}.`
      case 'first_of_your_units': return `Este resumen abarca ${scope.unit}, la primera de sus ${scope.of} unidades, como abre su panel; las unidades comparadas abajo son solo las suyas.`
    }
  },
  released: (date) => (date ? `Datos del personal a ${date}.` : 'Los datos del personal aún no se han publicado.'),
  headline: (item, staff, predicted, customer) => `«${item}» ${[
    staff ? `el ${staff} del personal está de acuerdo` : 'la cifra del personal está oculta aquí',
    ...(predicted === undefined ? [] : [predicted ? `el personal prevé que lo esté el ${predicted} de los clientes` : 'las previsiones del personal están ocultas aquí']),
    customer ? `el ${customer} de los clientes está de acuerdo` : 'la cifra de los clientes está oculta aquí',
  ].join('; ')}.`,
  gap: (gap, range, verdict, chance) => `Brecha de ${gap} puntos (intervalo del 95 %: de ${range[0]} a ${range[1]}): ${{
    staff_higher: 'el personal valora el servicio mejor que los clientes',
    customers_higher: 'los clientes valoran el servicio mejor que el personal',
    no_clear: 'no hay una diferencia clara entre personal y clientes',
  }[verdict]}; ${chance}.`,
  noGap: 'No se puede dar la brecha: uno de los lados está oculto aquí.',
  change: (c) => `Desde ${c.since} la brecha ${moveEs(c)} (intervalo del 95 %: de ${c.range[0]} a ${c.range[1]} puntos); ${ES.chance[c.chance]}.`,
  noChange: (why, since) => ({
    no_trend: 'No hay comparación con oleadas anteriores para esta vista.',
    first_wave: 'Es la primera oleada de esta encuesta: todavía no hay con qué comparar.',
    hidden: `No se puede dar el cambio desde ${since ?? 'la oleada anterior'}: un lado está oculto en una de las dos oleadas.`,
  }[why]),
  fixFirst: 'Corregir primero:',
  fixItem: (item, gap, weight) => `«${item}» — ${gap === null ? 'brecha oculta' : `brecha ${gap} puntos`}, peso ${weight}`,
  fixWholeWave: 'Los pesos proceden de toda la oleada (aquí hay pocos clientes para calcularlos); las brechas, de esta vista.',
  fixMissing: {
    not_enough_answers: 'Corregir primero: hay muy pocos clientes aquí para ponderar los ítems frente a su valoración.',
    suppressed: 'Corregir primero: las reglas de anonimato ocultan aquí algunas respuestas de clientes, así que los ítems no se pueden ponderar.',
    other: 'Corregir primero no está disponible para esta vista.',
  },
  fixEmpty: 'Corregir primero: ningún ítem con brecha positiva tiene peso, así que nada destaca.',
  widest: (yours, list) => `Mayores brechas entre ${yours ? 'sus unidades' : 'todas las unidades'}: ${list}.`,
  noWidest: 'Ninguna unidad tiene una brecha (personal por encima de clientes) que difícilmente sea casualidad.',
  improved: (unit, c) => `Mayor mejora: ${unit}, cuya brecha ${moveEs(c)} desde ${c.since}; ${ES.chance[c.chance]}.`,
  noImproved: (comparable) => (comparable ? 'La brecha de ninguna unidad se ha reducido más de lo que explicaría la casualidad desde la oleada anterior.' : 'Ninguna unidad se puede comparar con una oleada anterior.'),
  plans: 'Planes:',
  noPlans: 'Todavía no hay planes para estas unidades.',
  plan: (plan, topic, status, verdict) => `${plan.unit} · ${topic}: ${plan.change} (${plan.owner}, ${status}, desde ${plan.since}) — ${verdict}`,
  morePlans: (n) => `…y ${n} más en el panel.`,
  status: { planned: 'previsto', in_progress: 'en curso', done: 'hecho', dropped: 'descartado' },
  verdict: { worked: 'ha funcionado', no_effect_yet: 'sin efecto todavía', worse: 'ha empeorado', none: 'aún sin veredicto' },
  dimension: { overall: 'General', attitude: 'Actitud', ability: 'Capacidad', structure: 'Estructura', focus: 'Atención a la persona', fit: 'Encaje', listening: 'Escucha', care: 'Cuidado del personal' },
  attached: 'Adjuntamos en PDF el informe para la dirección de esta vista.',
  notAttached: 'No se ha podido adjuntar el informe para la dirección. Para imprimirlo, abra el panel, elija Imprimir (Ctrl+P, o ⌘P en un Mac) y seleccione Guardar como PDF.',
  button: 'Abrir el panel',
  footer: 'Recibe este resumen porque lo eligió en Service Gap; puede cambiarlo en Cuenta → Notificaciones.',
  chance: { very_unlikely: 'muy difícilmente es casualidad', unlikely: 'difícilmente es casualidad', could_be: 'podría ser casualidad' },
}

function moveEs(c: DigestChange): string {
  if (c.shape === 'steady') return 'se ha mantenido'
  if (c.shape === 'crossed') return `ha pasado de ${c.before} a ${c.now} puntos`
  return `se ha ${c.shape === 'narrowed' ? 'reducido' : 'ampliado'} en ${c.by} ${c.by === '1' ? 'punto' : 'puntos'}`
}

const DE: Words = {
  subject: (wave, when, unit, figures) => `Service Gap — ${wave} ${when === null ? 'abgeschlossen' : `Woche ${when}`}${unit ? `, ${unit}` : ''}: ${figures}`,
  staffShort: (v) => `Mitarbeitende ${v ?? 'verborgen'}`,
  customersShort: (v) => `Kunden ${v ?? 'verborgen'}`,
  gapShort: (v) => `Lücke ${v} Punkte`,
  intro: (wave, week) => (week === null ? `Die Welle ${wave} ist abgeschlossen. So endete sie.` : `Die Welle ${wave} läuft noch. So steht sie in Woche ${week}.`),
  scope: (scope) => {
    switch (scope.kind) {
      case 'all_units': return 'Diese Übersicht umfasst alle Einheiten.'
      case 'all_units_followed_several': return 'Sie folgen mehreren Einheiten; eine Übersicht lässt sich nicht auf mehrere eingrenzen, daher umfasst sie alle Einheiten, die Sie sehen dürfen.'
      case 'unit': return `Diese Übersicht umfasst ${scope.unit}.`
      case 'first_of_your_units': return `Diese Übersicht umfasst ${scope.unit}, die erste Ihrer ${scope.of} Einheiten, so wie Ihr Dashboard öffnet; unten werden nur Ihre Einheiten verglichen.`
    }
  },
  released: (date) => (date ? `Zahlen der Mitarbeitenden mit Stand ${date}.` : 'Die Zahlen der Mitarbeitenden sind noch nicht freigegeben.'),
  headline: (item, staff, predicted, customer) => `„${item}“ ${[
    staff ? `${staff} der Mitarbeitenden stimmen zu` : 'der Anteil der Mitarbeitenden ist hier verborgen',
    ...(predicted === undefined ? [] : [predicted ? `die Mitarbeitenden schätzen, dass ${predicted} der Kunden zustimmen` : 'die Schätzungen der Mitarbeitenden sind hier verborgen']),
    customer ? `${customer} der Kunden stimmen zu` : 'der Anteil der Kunden ist hier verborgen',
  ].join('; ')}.`,
  gap: (gap, range, verdict, chance) => `Lücke ${gap} Punkte (95-%-Intervall ${range[0]} bis ${range[1]}): ${{
    staff_higher: 'die Mitarbeitenden sehen den Service besser als die Kunden',
    customers_higher: 'die Kunden sehen den Service besser als die Mitarbeitenden',
    no_clear: 'kein klarer Unterschied zwischen Mitarbeitenden und Kunden',
  }[verdict]}; ${chance}.`,
  noGap: 'Keine Lücke angebbar: eine Seite ist hier verborgen.',
  change: (c) => `Seit ${c.since} ${moveDe(c)} (95-%-Intervall ${c.range[0]} bis ${c.range[1]} Punkte); ${DE.chance[c.chance]}.`,
  noChange: (why, since) => ({
    no_trend: 'Für diese Ansicht gibt es keinen Vergleich mit früheren Wellen.',
    first_wave: 'Dies ist die erste Welle dieser Umfrage: noch nichts zum Vergleichen.',
    hidden: `Keine Veränderung seit ${since ?? 'der vorigen Welle'} angebbar: eine Seite ist in einer der beiden Wellen verborgen.`,
  }[why]),
  fixFirst: 'Zuerst angehen:',
  fixItem: (item, gap, weight) => `„${item}“ — ${gap === null ? 'Lücke verborgen' : `Lücke ${gap} Punkte`}, Gewicht ${weight}`,
  fixWholeWave: 'Die Gewichte stammen aus der ganzen Welle (hier zu wenige Kunden für eigene); die Lücken aus dieser Ansicht.',
  fixMissing: {
    not_enough_answers: 'Zuerst angehen: hier zu wenige Kunden, um die Fragen gegen ihr Urteil zu gewichten.',
    suppressed: 'Zuerst angehen: die Anonymitätsregeln verbergen hier einige Kundenantworten, daher lassen sich die Fragen nicht gewichten.',
    other: '„Zuerst angehen“ ist für diese Ansicht nicht verfügbar.',
  },
  fixEmpty: 'Zuerst angehen: keine Frage mit positiver Lücke hat Gewicht, also sticht nichts heraus.',
  widest: (yours, list) => `Größte Lücken unter ${yours ? 'Ihren Einheiten' : 'allen Einheiten'}: ${list}.`,
  noWidest: 'Keine Einheit hat eine Lücke (Mitarbeitende über Kunden), die kaum Zufall sein kann.',
  improved: (unit, c) => `Größte Verbesserung: ${unit}; seit ${c.since} ${moveDe(c)}; ${DE.chance[c.chance]}.`,
  noImproved: (comparable) => (comparable ? 'Bei keiner Einheit hat sich die Lücke seit der vorigen Welle stärker als zufällig verringert.' : 'Keine Einheit lässt sich mit einer früheren Welle vergleichen.'),
  plans: 'Maßnahmen:',
  noPlans: 'Für diese Einheiten gibt es noch keine Maßnahmen.',
  plan: (plan, topic, status, verdict) => `${plan.unit} · ${topic}: ${plan.change} (${plan.owner}, ${status}, seit ${plan.since}) — ${verdict}`,
  morePlans: (n) => `…und ${n} weitere im Dashboard.`,
  status: { planned: 'geplant', in_progress: 'in Arbeit', done: 'erledigt', dropped: 'verworfen' },
  verdict: { worked: 'hat gewirkt', no_effect_yet: 'noch keine Wirkung', worse: 'schlechter', none: 'noch kein Urteil' },
  dimension: { overall: 'Gesamt', attitude: 'Haltung', ability: 'Können', structure: 'Struktur', focus: 'Fokus auf den Menschen', fit: 'Passung', listening: 'Zuhören', care: 'Fürsorge für Mitarbeitende' },
  attached: 'Der Vorstandsbericht dieser Ansicht liegt als PDF bei.',
  notAttached: 'Der Vorstandsbericht konnte nicht beigefügt werden. Zum Drucken öffnen Sie das Dashboard, wählen Drucken (Strg+P, auf dem Mac ⌘P) und dann „Als PDF speichern“.',
  button: 'Dashboard öffnen',
  footer: 'Sie erhalten diese Übersicht, weil Sie sie in Service Gap gewählt haben; ändern können Sie das unter Konto → Benachrichtigungen.',
  chance: { very_unlikely: 'sehr unwahrscheinlich Zufall', unlikely: 'unwahrscheinlich Zufall', could_be: 'könnte Zufall sein' },
}

function moveDe(c: DigestChange): string {
  if (c.shape === 'steady') return 'ist die Lücke gleich geblieben'
  if (c.shape === 'crossed') return `ist die Lücke von ${c.before} auf ${c.now} Punkte gegangen`
  return `hat sich die Lücke um ${c.by} ${c.by === '1' ? 'Punkt' : 'Punkte'} ${c.shape === 'narrowed' ? 'verringert' : 'vergrößert'}`
}

const FR: Words = {
  subject: (wave, when, unit, figures) => `Service Gap — ${wave} ${when === null ? 'close' : `semaine ${when}`}${unit ? `, ${unit}` : ''} : ${figures}`,
  staffShort: (v) => `personnel ${v ?? 'masqué'}`,
  customersShort: (v) => `clients ${v ?? 'masqué'}`,
  gapShort: (v) => `écart ${v} points`,
  intro: (wave, week) => (week === null ? `La vague ${wave} est close. Voici où elle s’est arrêtée.` : `La vague ${wave} est toujours ouverte. Voici où elle en est en semaine ${week}.`),
  scope: (scope) => {
    switch (scope.kind) {
      case 'all_units': return 'Ce résumé couvre toutes les unités.'
      case 'all_units_followed_several': return 'Vous suivez plusieurs unités ; un résumé ne peut pas se limiter à plusieurs, il couvre donc toutes les unités que vous pouvez consulter.'
      case 'unit': return `Ce résumé couvre ${scope.unit}.`
      case 'first_of_your_units': return `Ce résumé couvre ${scope.unit}, la première de vos ${scope.of} unités, comme à l’ouverture de votre tableau de bord ; les unités comparées ci-dessous sont uniquement les vôtres.`
    }
  },
  released: (date) => (date ? `Chiffres du personnel au ${date}.` : 'Les chiffres du personnel ne sont pas encore publiés.'),
  headline: (item, staff, predicted, customer) => `« ${item} » : ${[
    staff ? `${staff} du personnel sont d’accord` : 'la part du personnel est masquée ici',
    ...(predicted === undefined ? [] : [predicted ? `le personnel prévoit ${predicted} de clients d’accord` : 'les prévisions du personnel sont masquées ici']),
    customer ? `${customer} des clients sont d’accord` : 'la part des clients est masquée ici',
  ].join(' ; ')}.`,
  gap: (gap, range, verdict, chance) => `Écart de ${gap} points (intervalle à 95 % : ${range[0]} à ${range[1]}) : ${{
    staff_higher: 'le personnel juge le service meilleur que les clients',
    customers_higher: 'les clients jugent le service meilleur que le personnel',
    no_clear: 'pas de différence nette entre personnel et clients',
  }[verdict]}, ${chance}.`,
  noGap: 'Aucun écart ne peut être donné : un des deux côtés est masqué ici.',
  change: (c) => `Depuis ${c.since}, l’écart ${moveFr(c)} (intervalle à 95 % : ${c.range[0]} à ${c.range[1]} points), ${FR.chance[c.chance]}.`,
  noChange: (why, since) => ({
    no_trend: 'Pas de comparaison avec les vagues précédentes pour cette vue.',
    first_wave: 'C’est la première vague de cette enquête : rien à comparer pour l’instant.',
    hidden: `Aucune évolution depuis ${since ?? 'la vague précédente'} ne peut être donnée : un côté est masqué dans l’une des deux vagues.`,
  }[why]),
  fixFirst: 'À corriger en premier :',
  fixItem: (item, gap, weight) => `« ${item} » — ${gap === null ? 'écart masqué' : `écart ${gap} points`}, poids ${weight}`,
  fixWholeWave: 'Les poids viennent de toute la vague (trop peu de clients ici pour les calculer) ; les écarts, de cette vue.',
  fixMissing: {
    not_enough_answers: 'À corriger en premier : trop peu de clients ici pour pondérer les affirmations par rapport à leur jugement.',
    suppressed: 'À corriger en premier : les règles d’anonymat masquent ici certaines réponses de clients, les affirmations ne peuvent donc pas être pondérées.',
    other: '« À corriger en premier » n’est pas disponible pour cette vue.',
  },
  fixEmpty: 'À corriger en premier : aucune affirmation avec un écart positif n’a de poids, rien ne ressort donc.',
  widest: (yours, list) => `Écarts les plus grands parmi ${yours ? 'vos unités' : 'toutes les unités'} : ${list}.`,
  noWidest: 'Aucune unité n’a d’écart (personnel au-dessus des clients) qui soit peu probablement dû au hasard.',
  improved: (unit, c) => `Meilleure progression : ${unit}, dont l’écart ${moveFr(c)} depuis ${c.since}, ${FR.chance[c.chance]}.`,
  noImproved: (comparable) => (comparable ? 'L’écart d’aucune unité ne s’est réduit plus que le hasard ne l’expliquerait depuis la vague précédente.' : 'Aucune unité ne peut être comparée avec une vague précédente.'),
  plans: 'Plans d’action :',
  noPlans: 'Pas encore de plan d’action pour ces unités.',
  plan: (plan, topic, status, verdict) => `${plan.unit} · ${topic} : ${plan.change} (${plan.owner}, ${status}, depuis ${plan.since}) — ${verdict}`,
  morePlans: (n) => `…et ${n} de plus dans le tableau de bord.`,
  status: { planned: 'prévu', in_progress: 'en cours', done: 'terminé', dropped: 'abandonné' },
  verdict: { worked: 'efficace', no_effect_yet: 'pas encore d’effet', worse: 'en recul', none: 'pas encore de verdict' },
  dimension: { overall: 'Global', attitude: 'Attitude', ability: 'Compétence', structure: 'Organisation', focus: 'Attention à la personne', fit: 'Adéquation', listening: 'Écoute', care: 'Soin du personnel' },
  attached: 'Le dossier de direction de cette vue est joint en PDF.',
  notAttached: 'Le dossier de direction n’a pas pu être joint. Pour l’imprimer, ouvrez le tableau de bord, choisissez Imprimer (Ctrl+P, ou ⌘P sur Mac) puis Enregistrer au format PDF.',
  button: 'Ouvrir le tableau de bord',
  footer: 'Vous recevez ce résumé parce que vous l’avez choisi dans Service Gap ; modifiez ce choix dans Compte → Notifications.',
  chance: { very_unlikely: 'très peu probablement dû au hasard', unlikely: 'peu probablement dû au hasard', could_be: 'peut-être dû au hasard' },
}

function moveFr(c: DigestChange): string {
  if (c.shape === 'steady') return 'est resté stable'
  if (c.shape === 'crossed') return `est passé de ${c.before} à ${c.now} points`
  return `s’est ${c.shape === 'narrowed' ? 'réduit' : 'creusé'} de ${c.by} ${c.by === '1' ? 'point' : 'points'}`
}

const PT: Words = {
  subject: (wave, when, unit, figures) => `Service Gap — ${wave} ${when === null ? 'encerrada' : `semana ${when}`}${unit ? `, ${unit}` : ''}: ${figures}`,
  staffShort: (v) => `pessoal ${v ?? 'oculto'}`,
  customersShort: (v) => `clientes ${v ?? 'oculto'}`,
  gapShort: (v) => `diferença ${v} pontos`,
  intro: (wave, week) => (week === null ? `A vaga ${wave} foi encerrada. Foi assim que terminou.` : `A vaga ${wave} continua aberta. É assim que está na semana ${week}.`),
  scope: (scope) => {
    switch (scope.kind) {
      case 'all_units': return 'Este resumo abrange todas as unidades.'
      case 'all_units_followed_several': return 'Segue várias unidades; um resumo não se pode limitar a várias, por isso abrange todas as unidades que pode consultar.'
      case 'unit': return `Este resumo abrange ${scope.unit}.`
      case 'first_of_your_units': return `Este resumo abrange ${scope.unit}, a primeira das suas ${scope.of} unidades, tal como abre o seu painel; as unidades comparadas abaixo são apenas as suas.`
    }
  },
  released: (date) => (date ? `Números do pessoal a ${date}.` : 'Os números do pessoal ainda não foram publicados.'),
  headline: (item, staff, predicted, customer) => `«${item}»: ${[
    staff ? `${staff} do pessoal concordam` : 'a parte do pessoal está oculta aqui',
    ...(predicted === undefined ? [] : [predicted ? `o pessoal prevê que ${predicted} dos clientes concordem` : 'as previsões do pessoal estão ocultas aqui']),
    customer ? `${customer} dos clientes concordam` : 'a parte dos clientes está oculta aqui',
  ].join('; ')}.`,
  gap: (gap, range, verdict, chance) => `Diferença de ${gap} pontos (intervalo de 95%: ${range[0]} a ${range[1]}): ${{
    staff_higher: 'o pessoal avalia o serviço melhor do que os clientes',
    customers_higher: 'os clientes avaliam o serviço melhor do que o pessoal',
    no_clear: 'não há diferença clara entre pessoal e clientes',
  }[verdict]}; ${chance}.`,
  noGap: 'Não é possível indicar a diferença: um dos lados está oculto aqui.',
  change: (c) => `Desde ${c.since}, a diferença ${movePt(c)} (intervalo de 95%: ${c.range[0]} a ${c.range[1]} pontos); ${PT.chance[c.chance]}.`,
  noChange: (why, since) => ({
    no_trend: 'Não há comparação com vagas anteriores para esta vista.',
    first_wave: 'Esta é a primeira vaga deste questionário: ainda não há com que comparar.',
    hidden: `Não é possível indicar a variação desde ${since ?? 'a vaga anterior'}: um lado está oculto numa das duas vagas.`,
  }[why]),
  fixFirst: 'Corrigir primeiro:',
  fixItem: (item, gap, weight) => `«${item}» — ${gap === null ? 'diferença oculta' : `diferença ${gap} pontos`}, peso ${weight}`,
  fixWholeWave: 'Os pesos vêm de toda a vaga (aqui há poucos clientes para os calcular); as diferenças, desta vista.',
  fixMissing: {
    not_enough_answers: 'Corrigir primeiro: há poucos clientes aqui para ponderar as afirmações face à sua avaliação.',
    suppressed: 'Corrigir primeiro: as regras de anonimato ocultam aqui algumas respostas de clientes, por isso as afirmações não podem ser ponderadas.',
    other: '«Corrigir primeiro» não está disponível para esta vista.',
  },
  fixEmpty: 'Corrigir primeiro: nenhuma afirmação com diferença positiva tem peso, por isso nada se destaca.',
  widest: (yours, list) => `Maiores diferenças entre ${yours ? 'as suas unidades' : 'todas as unidades'}: ${list}.`,
  noWidest: 'Nenhuma unidade tem uma diferença (pessoal acima dos clientes) que dificilmente seja acaso.',
  improved: (unit, c) => `Maior melhoria: ${unit}, cuja diferença ${movePt(c)} desde ${c.since}; ${PT.chance[c.chance]}.`,
  noImproved: (comparable) => (comparable ? 'A diferença de nenhuma unidade diminuiu mais do que o acaso explicaria desde a vaga anterior.' : 'Nenhuma unidade pode ser comparada com uma vaga anterior.'),
  plans: 'Planos:',
  noPlans: 'Ainda não há planos para estas unidades.',
  plan: (plan, topic, status, verdict) => `${plan.unit} · ${topic}: ${plan.change} (${plan.owner}, ${status}, desde ${plan.since}) — ${verdict}`,
  morePlans: (n) => `…e mais ${n} no painel.`,
  status: { planned: 'previsto', in_progress: 'em curso', done: 'concluído', dropped: 'abandonado' },
  verdict: { worked: 'resultou', no_effect_yet: 'ainda sem efeito', worse: 'piorou', none: 'ainda sem veredicto' },
  dimension: { overall: 'Geral', attitude: 'Atitude', ability: 'Capacidade', structure: 'Estrutura', focus: 'Foco na pessoa', fit: 'Adequação', listening: 'Escuta', care: 'Cuidado com o pessoal' },
  attached: 'Segue em anexo, em PDF, o relatório para a direção desta vista.',
  notAttached: 'Não foi possível anexar o relatório para a direção. Para o imprimir, abra o painel, escolha Imprimir (Ctrl+P, ou ⌘P num Mac) e selecione Guardar como PDF.',
  button: 'Abrir o painel',
  footer: 'Recebe este resumo porque o escolheu no Service Gap; pode alterá-lo em Conta → Notificações.',
  chance: { very_unlikely: 'muito improvável que seja acaso', unlikely: 'improvável que seja acaso', could_be: 'pode ser acaso' },
}

function movePt(c: DigestChange): string {
  if (c.shape === 'steady') return 'manteve-se'
  if (c.shape === 'crossed') return `passou de ${c.before} para ${c.now} pontos`
  return `${c.shape === 'narrowed' ? 'diminuiu' : 'aumentou'} ${c.by} ${c.by === '1' ? 'ponto' : 'pontos'}`
}

const WORDS: Record<Locale, Words> = { en: EN, es: ES, de: DE, fr: FR, pt: PT }


const dateIn = (lang: string, iso: string) =>
  new Intl.DateTimeFormat(intlLocale(lang), { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(iso))

export function renderDigestMail(raw: Record<string, unknown>, context: NotificationContext) {
  const lang: Locale = isLocale(context.locale) ? context.locale : 'en'
  const w = WORDS[lang]
  const p = raw as unknown as DigestParams
  const week = p.run === 'close' ? null : p.run.slice(p.run.indexOf('-W') + 2).replace(/^0/, '')
  const unit = p.scope.kind === 'unit' || p.scope.kind === 'first_of_your_units' ? p.scope.unit : null
  const h = p.headline
  const figures = [w.staffShort(h.staff), w.customersShort(h.customer), ...(h.gap ? [w.gapShort(h.gap)] : [])].join(', ')
  const topic = (plan: DigestPlan) => (plan.item ? `“${plan.item}”` : w.dimension[plan.dimension ?? ''] ?? plan.dimension ?? '')
  const fix = p.fixFirst
  const paragraphs = [
    w.intro(p.wave, week),
    `${w.scope(p.scope)} ${w.released(p.releasedAt ? dateIn(lang, p.releasedAt) : null)}`,
    w.headline(h.item, h.staff, h.predicted, h.customer),
    h.gap && h.gapRange && h.verdict && h.chance ? w.gap(h.gap, h.gapRange, h.verdict, w.chance[h.chance]) : w.noGap,
    p.change.shape === null ? w.noChange(p.change.why, p.change.since) : w.change(p.change),
    ...(fix.missing ? [w.fixMissing[fix.missing]] : fix.items.length === 0 ? [w.fixEmpty]
      : [w.fixFirst, ...fix.items.map((item, at) => `${at + 1}. ${w.fixItem(item.item, item.gap, item.weight)}`), ...(fix.wholeWave ? [w.fixWholeWave] : [])]),
    p.where.widest.length > 0 ? w.widest(p.where.yours, p.where.widest.map((row) => `${row.unit} ${row.gap}`).join(', ')) : w.noWidest,
    p.where.improved ? w.improved(p.where.improved.unit, p.where.improved) : w.noImproved(p.where.comparable),
    ...(p.plans.length === 0 ? [w.noPlans] : [w.plans, ...p.plans.map((plan) => `• ${w.plan(plan, topic(plan), w.status[plan.status], w.verdict[plan.verdict ?? 'none'])}`),
      ...(p.morePlans > 0 ? [w.morePlans(p.morePlans)] : [])]),
    context.attachments?.includes(packFileName(p.wave)) ? w.attached : w.notAttached,
  ]
  return renderResultMail({
    lang,
    subject: w.subject(p.wave, week, unit, figures),
    paragraphs,
    button: { label: w.button, url: `${context.publicUrl}${p.path}` },
    footer: w.footer,
  })
}
