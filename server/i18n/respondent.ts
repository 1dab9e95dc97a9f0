// Every word a respondent reads, in each language the survey is offered in. Item wordings live with
// the instrument; this file holds the page around them.
import type { Locale } from '../domain/languages.js'
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
  fr: {
    languageName: LANGUAGE_NAMES.fr,
    chooseLanguage: 'Langue',
    introCustomer: (org) => `${org} souhaite savoir comment vous vivez son service.`,
    introStaff: (org) => `${org} demande à son équipe comment les clients sont servis, avec les mêmes questions que celles posées à ses clients.`,
    time: (count, predictions) => predictions === 0 ? `${count} affirmations courtes. Comptez environ deux minutes.`
      : `${count} affirmations courtes et ${predictions} ${predictions === 1 ? 'question' : 'questions'} sur nos clients. Comptez environ ${minutes(count, predictions)} minutes.`,
    useCustomer: 'Vos réponses sont lues avec celles de toutes les autres personnes pour décider de ce qu’il faut améliorer.',
    useStaff: 'Les résultats ne sont présentés que par groupes, et jamais pour moins de personnes que la taille minimale de groupe fixée par l’organisation.',
    anonymousStaff: 'Cette enquête est anonyme. Nous n’enregistrons ni votre nom, ni votre e-mail, ni votre adresse IP, ni votre appareil, et rien ne permet de relier vos réponses à votre personne.',
    scale: ['Pas du tout d’accord', 'Pas d’accord', 'Ni d’accord ni pas d’accord', 'D’accord', 'Tout à fait d’accord'],
    likelihood: ['Pas du tout probable', 'Extrêmement probable'],
    notApplicable: 'Sans objet',
    answerEvery: 'Merci de répondre à chaque affirmation ; choisissez « Sans objet » si l’une d’elles ne vous concerne pas.',
    answerMarked: 'Répondez à ce que vous pouvez. Seules les affirmations marquées d’un * demandent une réponse.',
    answerAny: 'Répondez à ce que vous pouvez ; aucune affirmation n’est obligatoire.',
    aboutUnitCustomer: (unit) => `Concerne : ${unit}`,
    aboutUnitStaff: (unit) => `Votre équipe : ${unit}`,
    predictHeading: 'Que disent nos clients ?',
    predictIntro: 'Nos clients répondent eux aussi à ces affirmations.',
    predictQuestion: 'Selon vous, sur 10 de nos clients, combien seraient d’accord avec chaque affirmation ?',
    predictStatement: (wording) => `« ${wording} »`,
    predictTopValues: (statement, from, to) => `${statement} (en répondant ${from} ou ${to})`,
    predictEnds: ['Aucun', 'Tous'],
    predictOf: (count) => `${count} sur 10`,
    cannotSay: 'Je ne sais pas',
    predictRequired: 'Choisissez un nombre, ou « Je ne sais pas ».',
    unitQuestionCustomer: 'Quelle équipe, quelle agence ou quel magasin vous a servi ? (facultatif)',
    unitQuestionStaff: 'Où travaillez-vous ? (facultatif)',
    unitNone: 'Je préfère ne pas répondre',
    commentOptional: '(facultatif)',
    commentHint: (max) => `Jusqu’à ${max.toLocaleString('fr-FR')} caractères.`,
    submit: 'Envoyer mes réponses',
    errorSummary: (count) => (count === 1 ? 'Une réponse manque ou est à revoir' : `${count} réponses manquent ou sont à revoir`),
    problems: {
      required: 'Choisissez une réponse, ou « Sans objet ».',
      invalid: 'Choisissez l’une des réponses proposées.',
      too_long: 'Merci de raccourcir ce texte à 2 000 caractères au plus.',
      unit: 'Choisissez l’un des lieux de la liste.',
      expired: 'Vos réponses sont toujours là : appuyez de nouveau sur le bouton pour les envoyer.',
      empty: 'Répondez à au moins une affirmation avant d’envoyer.',
    },
    thanksTitle: 'Merci',
    thanksBody: 'Vos réponses ont été enregistrées. Vous pouvez fermer cette page.',
    thanksStaff: 'Elles sont anonymes et ne seront vues que dans des résultats de groupe.',
    closedTitle: 'Cette enquête est close',
    closedBody: (org) => `Merci de votre intérêt. ${org} ne recueille plus de réponses à cette enquête.`,
    usedTitle: 'Vous avez déjà répondu, merci',
    usedBody: 'Ce lien personnel ne sert qu’une fois, et vos réponses sont déjà enregistrées.',
    notFoundTitle: 'Enquête introuvable',
    notFoundBody: 'Ce lien ne mène à aucune enquête ouverte. Vérifiez qu’il a été copié en entier.',
    unavailableTitle: 'Veuillez réessayer dans un instant',
    unavailableBody: 'Nous n’avons pas pu enregistrer vos réponses pour le moment. Elles sont toujours dans le formulaire ci-dessous : veuillez les renvoyer.',
    tooManyTitle: 'Veuillez patienter un instant',
    tooManyBody: 'Trop de réponses ont été envoyées d’ici en peu de temps. Veuillez réessayer dans une minute.',
  },
  pt: {
    languageName: LANGUAGE_NAMES.pt,
    chooseLanguage: 'Idioma',
    introCustomer: (org) => `${org} gostaria de saber como avalia o serviço que recebe.`,
    introStaff: (org) => `${org} pergunta à sua equipa como os clientes são atendidos, com as mesmas perguntas a que os clientes respondem.`,
    time: (count, predictions) => predictions === 0 ? `${count} afirmações curtas. Demora cerca de dois minutos.`
      : `${count} afirmações curtas e ${predictions} ${predictions === 1 ? 'pergunta' : 'perguntas'} sobre os nossos clientes. Demora cerca de ${minutes(count, predictions)} minutos.`,
    useCustomer: 'As suas respostas são lidas em conjunto com as de todas as outras pessoas para decidir o que melhorar.',
    useStaff: 'Os resultados só são mostrados por grupos e nunca para menos pessoas do que a dimensão mínima de grupo definida pela organização.',
    anonymousStaff: 'Este questionário é anónimo. Não guardamos o seu nome, e-mail, endereço IP nem dispositivo, e nada permite associar as suas respostas à sua identidade.',
    scale: ['Discordo totalmente', 'Discordo', 'Não concordo nem discordo', 'Concordo', 'Concordo totalmente'],
    likelihood: ['Nada provável', 'Extremamente provável'],
    notApplicable: 'Não se aplica',
    answerEvery: 'Responda a todas as afirmações; escolha «Não se aplica» quando alguma não se ajustar ao seu caso.',
    answerMarked: 'Responda ao que puder. Só as afirmações marcadas com * precisam de resposta.',
    answerAny: 'Responda ao que puder; nenhuma afirmação é obrigatória.',
    aboutUnitCustomer: (unit) => `Sobre: ${unit}`,
    aboutUnitStaff: (unit) => `A sua equipa: ${unit}`,
    predictHeading: 'O que dizem os nossos clientes?',
    predictIntro: 'Os nossos clientes também respondem a estas afirmações.',
    predictQuestion: 'Em cada 10 dos nossos clientes, quantos acha que concordariam com cada afirmação?',
    predictStatement: (wording) => `«${wording}»`,
    predictTopValues: (statement, from, to) => `${statement} (respondendo ${from} ou ${to})`,
    predictEnds: ['Nenhum', 'Todos'],
    predictOf: (count) => `${count} em 10`,
    cannotSay: 'Não sei dizer',
    predictRequired: 'Escolha um número ou «Não sei dizer».',
    unitQuestionCustomer: 'Que equipa, agência ou loja prestou o serviço? (opcional)',
    unitQuestionStaff: 'Onde trabalha? (opcional)',
    unitNone: 'Prefiro não dizer',
    commentOptional: '(opcional)',
    commentHint: (max) => `Até ${max.toLocaleString('pt-PT')} caracteres.`,
    submit: 'Enviar respostas',
    errorSummary: (count) => (count === 1 ? 'Uma resposta está em falta ou precisa de revisão' : `${count} respostas estão em falta ou precisam de revisão`),
    problems: {
      required: 'Escolha uma resposta ou «Não se aplica».',
      invalid: 'Escolha uma das respostas apresentadas.',
      too_long: 'Reduza o texto para 2000 caracteres, no máximo.',
      unit: 'Escolha um dos locais da lista.',
      expired: 'As suas respostas continuam aqui: envie-as novamente com o botão.',
      empty: 'Responda a pelo menos uma afirmação antes de enviar.',
    },
    thanksTitle: 'Obrigado',
    thanksBody: 'As suas respostas foram guardadas. Pode fechar esta página.',
    thanksStaff: 'São anónimas e só serão vistas como parte de resultados de grupo.',
    closedTitle: 'Este questionário foi encerrado',
    closedBody: (org) => `Obrigado pelo seu interesse. ${org} já não recolhe respostas a este questionário.`,
    usedTitle: 'Já respondeu. Obrigado!',
    usedBody: 'Este link pessoal só pode ser usado uma vez e as suas respostas já estão guardadas.',
    notFoundTitle: 'Questionário não encontrado',
    notFoundBody: 'Este link não leva a nenhum questionário aberto. Verifique se foi copiado por completo.',
    unavailableTitle: 'Tente novamente dentro de momentos',
    unavailableBody: 'Não foi possível guardar as suas respostas agora. Continuam no formulário abaixo: envie-as novamente.',
    tooManyTitle: 'Aguarde um momento',
    tooManyBody: 'Foram enviadas demasiadas respostas a partir daqui em pouco tempo. Tente novamente dentro de um minuto.',
  },
}
