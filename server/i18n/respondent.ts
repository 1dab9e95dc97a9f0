// Every word a respondent reads, in each language the survey is offered in. Item wordings live with
// the instrument; this file holds the page around them.
import type { Locale } from '../domain/instrument.js'
import { LANGUAGE_NAMES } from '../domain/names.js'

export interface RespondentText {
  languageName: string
  chooseLanguage: string
  introCustomer: (org: string) => string
  introStaff: (org: string) => string
  /** How long the survey takes: its statements, and the staff's prediction questions if the wave asks them. */
  time: (statements: number, predictions: number) => string
  useCustomer: string
  useStaff: string
  anonymousStaff: string
  scale: [string, string, string, string, string]
  /** The two ends of the 0–10 likelihood scale. */
  likelihood: [string, string]
  notApplicable: string
  /**
   * What the respondent must answer, said once above the statements: every statement, only those
   * marked * (some are required), or any they like (none is).
   */
  answerEvery: string
  answerMarked: string
  answerAny: string
  /** The unit a unit's link (or an invitation with a unit) is about, near the top of the form. */
  aboutUnitCustomer: (unit: string) => string
  aboutUnitStaff: (unit: string) => string
  /**
   * The staff's prediction questions (a wave that asks them): heading, one line of introduction, the
   * question asked of every statement (said once, for the group), and a statement in the customers' wording.
   */
  predictHeading: string
  predictIntro: string
  predictQuestion: string
  predictStatement: (customerWording: string) => string
  /** A 0–10 item's prediction: who "agree" there are those who answer its top values (9 or 10). */
  predictTopValues: (statement: string, from: number, to: number) => string
  /** The two ends of the 0–10 prediction scale. */
  predictEnds: [string, string]
  /** A prediction's end choice in its list, so 0 and 10 say what they count: "0 of 10". */
  predictOf: (count: number) => string
  /** A prediction's "no answer", stored as null like "Not applicable". */
  cannotSay: string
  /** A prediction left without an answer. */
  predictRequired: string
  unitQuestionCustomer: string
  unitQuestionStaff: string
  unitNone: string
  commentOptional: string
  commentHint: (max: number) => string
  submit: string
  errorSummary: (count: number) => string
  /** `empty`: the whole form sent with no statement answered, where none is required. */
  problems: { required: string; invalid: string; too_long: string; unit: string; expired: string; empty: string }
  thanksTitle: string
  thanksBody: string
  thanksStaff: string
  closedTitle: string
  closedBody: (org: string) => string
  usedTitle: string
  usedBody: string
  notFoundTitle: string
  notFoundBody: string
  unavailableTitle: string
  unavailableBody: string
  tooManyTitle: string
  tooManyBody: string
}

/**
 * Minutes the survey takes, at about ten seconds a question (twelve statements: two minutes); never
 * said as less than two.
 */
export const minutes = (statements: number, predictions: number) => Math.max(2, Math.round((statements + predictions) / 6))

export const RESPONDENT_TEXT: Record<Locale, RespondentText> = {
  en: {
    languageName: LANGUAGE_NAMES.en,
    chooseLanguage: 'Language',
    introCustomer: (org) => `${org} would like to know how you experience its service.`,
    introStaff: (org) => `${org} asks its team how customers are served — the same questions its customers answer.`,
    time: (count, predictions) => predictions === 0 ? `${count} short statements. It takes about two minutes.`
      : `${count} short statements and ${predictions} ${predictions === 1 ? 'question' : 'questions'} about our customers. It takes about ${minutes(count, predictions)} minutes.`,
    useCustomer: 'Your answers are read together with everyone else\'s to decide what to improve.',
    useStaff: 'Results are only ever shown for groups, and never for fewer people than the organization\'s minimum group size.',
    anonymousStaff: 'This survey is anonymous. We do not store your name, email, IP address or device, and nothing links your answers back to you.',
    scale: ['Strongly disagree', 'Disagree', 'Neither agree nor disagree', 'Agree', 'Strongly agree'],
    likelihood: ['Not at all likely', 'Extremely likely'],
    notApplicable: 'Not applicable',
    answerEvery: 'Please answer every statement; choose "Not applicable" where one does not fit.',
    answerMarked: 'Answer what you can. Only the statements marked * need an answer.',
    answerAny: 'Answer what you can; you may skip any statement.',
    aboutUnitCustomer: (unit) => `About: ${unit}`,
    aboutUnitStaff: (unit) => `Your team: ${unit}`,
    predictHeading: 'What do our customers say?',
    predictIntro: 'Our customers answer these statements too.',
    predictQuestion: 'Out of 10 of our customers, how many do you think would agree with each statement?',
    predictStatement: (wording) => `“${wording}”`,
    predictTopValues: (statement, from, to) => `${statement} (answering ${from} or ${to})`,
    predictEnds: ['None of them', 'All of them'],
    predictOf: (count) => `${count} of 10`,
    cannotSay: 'I can\'t say',
    predictRequired: 'Choose a number, or "I can\'t say".',
    unitQuestionCustomer: 'Which team, branch or store served you? (optional)',
    unitQuestionStaff: 'Where do you work? (optional)',
    unitNone: 'Prefer not to say',
    commentOptional: '(optional)',
    commentHint: (max) => `Up to ${max.toLocaleString('en')} characters.`,
    submit: 'Send my answers',
    errorSummary: (count) => (count === 1 ? 'One answer is missing or needs a look' : `${count} answers are missing or need a look`),
    problems: {
      required: 'Choose an answer, or "Not applicable".',
      invalid: 'Choose one of the answers shown.',
      too_long: 'Please shorten this to 2,000 characters or fewer.',
      unit: 'Choose one of the listed places.',
      expired: 'Your answers are still here: please press the button again to send them.',
      empty: 'Answer at least one statement before sending.',
    },
    thanksTitle: 'Thank you',
    thanksBody: 'Your answers have been saved. You can close this page.',
    thanksStaff: 'They are anonymous and will only be seen as part of group results.',
    closedTitle: 'This survey has closed',
    closedBody: (org) => `Thank you for your interest. ${org} is no longer collecting answers to this survey.`,
    usedTitle: 'You have already answered — thank you',
    usedBody: 'This personal link can only be used once, and your answers are already saved.',
    notFoundTitle: 'Survey not found',
    notFoundBody: 'This link does not lead to an open survey. Check that it was copied completely.',
    unavailableTitle: 'Please try again in a moment',
    unavailableBody: 'We could not save your answers just now. They are still in the form below: please send them again.',
    tooManyTitle: 'Please wait a moment',
    tooManyBody: 'Too many answers were sent from here in a short time. Please try again in a minute.',
  },
  es: {
    languageName: LANGUAGE_NAMES.es,
    chooseLanguage: 'Idioma',
    introCustomer: (org) => `${org} quiere saber cómo vive usted su servicio.`,
    introStaff: (org) => `${org} pregunta a su equipo cómo se atiende a los clientes, con las mismas preguntas que responden sus clientes.`,
    time: (count, predictions) => predictions === 0 ? `${count} afirmaciones breves. Se tarda unos dos minutos.`
      : `${count} afirmaciones breves y ${predictions} ${predictions === 1 ? 'pregunta' : 'preguntas'} sobre nuestros clientes. Se tarda unos ${minutes(count, predictions)} minutos.`,
    useCustomer: 'Sus respuestas se leen junto con las de todas las demás personas para decidir qué mejorar.',
    useStaff: 'Los resultados solo se muestran por grupos y nunca para menos personas que el tamaño mínimo de grupo de la organización.',
    anonymousStaff: 'Esta encuesta es anónima. No guardamos su nombre, correo, dirección IP ni dispositivo, y nada vincula sus respuestas con usted.',
    scale: ['Totalmente en desacuerdo', 'En desacuerdo', 'Ni de acuerdo ni en desacuerdo', 'De acuerdo', 'Totalmente de acuerdo'],
    likelihood: ['Nada probable', 'Muy probable'],
    notApplicable: 'No aplica',
    answerEvery: 'Responda a todas las afirmaciones; elija «No aplica» cuando alguna no encaje.',
    answerMarked: 'Responda lo que pueda. Solo las afirmaciones marcadas con * necesitan respuesta.',
    answerAny: 'Responda lo que pueda; puede saltarse cualquier afirmación.',
    aboutUnitCustomer: (unit) => `Sobre: ${unit}`,
    aboutUnitStaff: (unit) => `Su equipo: ${unit}`,
    predictHeading: '¿Qué dicen nuestros clientes?',
    predictIntro: 'Nuestros clientes también responden a estas afirmaciones.',
    predictQuestion: 'De cada 10 clientes nuestros, ¿cuántos cree que estarían de acuerdo con cada afirmación?',
    predictStatement: (wording) => `«${wording}»`,
    predictTopValues: (statement, from, to) => `${statement} (respondiendo ${from} o ${to})`,
    predictEnds: ['Ninguno', 'Todos'],
    predictOf: (count) => `${count} de 10`,
    cannotSay: 'No sabría decir',
    predictRequired: 'Elija un número o «No sabría decir».',
    unitQuestionCustomer: '¿Qué equipo, sucursal o tienda le atendió? (opcional)',
    unitQuestionStaff: '¿Dónde trabaja? (opcional)',
    unitNone: 'Prefiero no decirlo',
    commentOptional: '(opcional)',
    commentHint: (max) => `Hasta ${max.toLocaleString('es')} caracteres.`,
    submit: 'Enviar mis respuestas',
    errorSummary: (count) => (count === 1 ? 'Falta una respuesta o hay que revisarla' : `Faltan ${count} respuestas o hay que revisarlas`),
    problems: {
      required: 'Elija una respuesta o «No aplica».',
      invalid: 'Elija una de las respuestas mostradas.',
      too_long: 'Acórtelo a 2000 caracteres como máximo.',
      unit: 'Elija uno de los lugares de la lista.',
      expired: 'Sus respuestas siguen aquí: pulse de nuevo el botón para enviarlas.',
      empty: 'Responda al menos a una afirmación antes de enviar.',
    },
    thanksTitle: 'Gracias',
    thanksBody: 'Sus respuestas se han guardado. Ya puede cerrar esta página.',
    thanksStaff: 'Son anónimas y solo se verán como parte de resultados de grupo.',
    closedTitle: 'Esta encuesta ha finalizado',
    closedBody: (org) => `Gracias por su interés. ${org} ya no recoge respuestas a esta encuesta.`,
    usedTitle: 'Ya ha respondido. ¡Gracias!',
    usedBody: 'Este enlace personal solo se puede usar una vez y sus respuestas ya están guardadas.',
    notFoundTitle: 'Encuesta no encontrada',
    notFoundBody: 'Este enlace no lleva a ninguna encuesta abierta. Compruebe que se ha copiado completo.',
    unavailableTitle: 'Inténtelo de nuevo en un momento',
    unavailableBody: 'No hemos podido guardar sus respuestas ahora. Siguen en el formulario: envíelas de nuevo.',
    tooManyTitle: 'Espere un momento',
    tooManyBody: 'Se han enviado demasiadas respuestas desde aquí en poco tiempo. Inténtelo de nuevo en un minuto.',
  },
  de: {
    languageName: LANGUAGE_NAMES.de,
    chooseLanguage: 'Sprache',
    introCustomer: (org) => `${org} möchte wissen, wie Sie den Service erleben.`,
    introStaff: (org) => `${org} fragt das eigene Team, wie Kunden bedient werden – mit denselben Fragen, die auch die Kunden beantworten.`,
    time: (count, predictions) => predictions === 0 ? `${count} kurze Aussagen. Das dauert etwa zwei Minuten.`
      : `${count} kurze Aussagen und ${predictions} ${predictions === 1 ? 'Frage' : 'Fragen'} zu unseren Kunden. Das dauert etwa ${minutes(count, predictions)} Minuten.`,
    useCustomer: 'Ihre Antworten werden zusammen mit allen anderen ausgewertet, um zu entscheiden, was besser werden soll.',
    useStaff: 'Ergebnisse werden nur für Gruppen gezeigt und nie für weniger Personen als die Mindestgruppengröße der Organisation.',
    anonymousStaff: 'Diese Umfrage ist anonym. Wir speichern weder Namen, E-Mail, IP-Adresse noch Gerät, und nichts verbindet Ihre Antworten mit Ihnen.',
    scale: ['Stimme überhaupt nicht zu', 'Stimme nicht zu', 'Weder noch', 'Stimme zu', 'Stimme voll und ganz zu'],
    likelihood: ['Überhaupt nicht wahrscheinlich', 'Äußerst wahrscheinlich'],
    notApplicable: 'Trifft nicht zu',
    answerEvery: 'Bitte beantworten Sie jede Aussage; wählen Sie „Trifft nicht zu“, wo eine nicht passt.',
    answerMarked: 'Beantworten Sie, was Sie können. Nur die mit * markierten Aussagen brauchen eine Antwort.',
    answerAny: 'Beantworten Sie, was Sie können; jede Aussage dürfen Sie auslassen.',
    aboutUnitCustomer: (unit) => `Betrifft: ${unit}`,
    aboutUnitStaff: (unit) => `Ihr Team: ${unit}`,
    predictHeading: 'Was sagen unsere Kunden?',
    predictIntro: 'Auch unsere Kunden beantworten diese Aussagen.',
    predictQuestion: 'Was schätzen Sie: Wie viele von 10 unserer Kunden würden der jeweiligen Aussage zustimmen?',
    predictStatement: (wording) => `„${wording}“`,
    predictTopValues: (statement, from, to) => `${statement} (Antwort ${from} oder ${to})`,
    predictEnds: ['Keiner', 'Alle'],
    predictOf: (count) => `${count} von 10`,
    cannotSay: 'Kann ich nicht sagen',
    predictRequired: 'Bitte wählen Sie eine Zahl oder „Kann ich nicht sagen“.',
    unitQuestionCustomer: 'Welches Team, welche Filiale oder welches Geschäft hat Sie bedient? (optional)',
    unitQuestionStaff: 'Wo arbeiten Sie? (optional)',
    unitNone: 'Keine Angabe',
    commentOptional: '(optional)',
    commentHint: (max) => `Bis zu ${max.toLocaleString('de')} Zeichen.`,
    submit: 'Antworten senden',
    errorSummary: (count) => (count === 1 ? 'Eine Antwort fehlt oder ist zu prüfen' : `${count} Antworten fehlen oder sind zu prüfen`),
    problems: {
      required: 'Bitte wählen Sie eine Antwort oder „Trifft nicht zu“.',
      invalid: 'Bitte wählen Sie eine der angezeigten Antworten.',
      too_long: 'Bitte kürzen Sie den Text auf höchstens 2.000 Zeichen.',
      unit: 'Bitte wählen Sie einen Ort aus der Liste.',
      expired: 'Ihre Antworten sind noch da: Bitte drücken Sie den Knopf noch einmal, um sie zu senden.',
      empty: 'Bitte beantworten Sie vor dem Senden mindestens eine Aussage.',
    },
    thanksTitle: 'Vielen Dank',
    thanksBody: 'Ihre Antworten wurden gespeichert. Sie können diese Seite schließen.',
    thanksStaff: 'Sie sind anonym und werden nur als Teil von Gruppenergebnissen sichtbar.',
    closedTitle: 'Diese Umfrage ist beendet',
    closedBody: (org) => `Vielen Dank für Ihr Interesse. ${org} sammelt keine Antworten mehr zu dieser Umfrage.`,
    usedTitle: 'Sie haben schon geantwortet – vielen Dank',
    usedBody: 'Dieser persönliche Link kann nur einmal verwendet werden, und Ihre Antworten sind bereits gespeichert.',
    notFoundTitle: 'Umfrage nicht gefunden',
    notFoundBody: 'Dieser Link führt zu keiner offenen Umfrage. Bitte prüfen Sie, ob er vollständig kopiert wurde.',
    unavailableTitle: 'Bitte versuchen Sie es gleich noch einmal',
    unavailableBody: 'Ihre Antworten konnten gerade nicht gespeichert werden. Sie stehen noch im Formular: Bitte senden Sie sie erneut.',
    tooManyTitle: 'Bitte warten Sie einen Moment',
    tooManyBody: 'Von hier wurden in kurzer Zeit zu viele Antworten gesendet. Bitte versuchen Sie es in einer Minute erneut.',
  },
}
