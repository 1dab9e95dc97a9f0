// Every word a kiosk adds to the customer survey, in each language the product may offer. A locale
// without its own entry reads English. Kept apart from respondent.ts so the kiosk's texts travel together.

export interface KioskText {
  /** The thank-you's line: saved, and nothing to close (the next person uses the same page). */
  thanksBody: string
  /** Under the thank-you: the page starts again on its own. */
  restarting: (seconds: number) => string
  startNew: string
  /** Turns the restart off, for someone who needs longer to read the page (WCAG 2.2.1). */
  stay: string
  /** Why a form was not taken; the answers stay in it. */
  tooFast: string
  stale: string
  noDevice: string
  deviceLimit: string
  capTitle: string
  capBody: string
  /** The kiosk's unit was archived: the kiosk takes no answers any more. */
  closedTitle: string
  closedBody: string
}

type KioskLocale = 'en' | 'es' | 'de' | 'fr' | 'pt'

const KIOSK_TEXT: Record<KioskLocale, KioskText> = {
  en: {
    thanksBody: 'Your answers have been saved. Thank you for your time.',
    restarting: (s) => `A fresh form for the next person opens in ${s} second${s === 1 ? '' : 's'}.`,
    startNew: 'Start a new response',
    stay: 'Keep this page on screen',
    tooFast: 'That was quicker than anyone can read the questions. Please check your answers and send them again.',
    stale: 'This form was open for a long time. Your answers are still here: please send them again.',
    noDevice: 'This kiosk did not recognise the device (it may not keep cookies). Your answers are still here: please send them again.',
    deviceLimit: 'This device has sent a lot of answers in the last hour. Please try again later or ask a member of staff.',
    capTitle: 'This kiosk has taken all the answers it can today',
    capBody: 'Thank you for wanting to tell us. Please come back another day, or ask a member of staff for another way to answer.',
    closedTitle: 'This kiosk no longer takes answers',
    closedBody: 'The team or place this kiosk collected answers for has closed it. Thank you for wanting to tell us: please ask a member of staff for another way to answer.',
  },
  es: {
    thanksBody: 'Sus respuestas se han guardado. Gracias por su tiempo.',
    restarting: (s) => `En ${s} segundo${s === 1 ? '' : 's'} se abrirá un formulario nuevo para la siguiente persona.`,
    startNew: 'Empezar una respuesta nueva',
    stay: 'Mantener esta página en pantalla',
    tooFast: 'Ha sido más rápido de lo que nadie tarda en leer las preguntas. Revise sus respuestas y envíelas de nuevo.',
    stale: 'Este formulario ha estado abierto mucho tiempo. Sus respuestas siguen aquí: envíelas de nuevo.',
    noDevice: 'Este quiosco no ha reconocido el dispositivo (puede que no guarde cookies). Sus respuestas siguen aquí: envíelas de nuevo.',
    deviceLimit: 'Este dispositivo ha enviado muchas respuestas en la última hora. Inténtelo más tarde o pregunte al personal.',
    capTitle: 'Este quiosco ya ha recogido todas las respuestas que puede por hoy',
    capBody: 'Gracias por querer contárnoslo. Vuelva otro día o pida al personal otra forma de responder.',
    closedTitle: 'Este quiosco ya no recoge respuestas',
    closedBody: 'El equipo o el lugar para el que este quiosco recogía respuestas lo ha cerrado. Gracias por querer contárnoslo: pida al personal otra forma de responder.',
  },
  de: {
    thanksBody: 'Ihre Antworten wurden gespeichert. Danke für Ihre Zeit.',
    restarting: (s) => `In ${s} Sekunde${s === 1 ? '' : 'n'} öffnet sich ein neues Formular für die nächste Person.`,
    startNew: 'Neue Antwort beginnen',
    stay: 'Diese Seite stehen lassen',
    tooFast: 'Das ging schneller, als man die Fragen lesen kann. Bitte prüfen Sie Ihre Antworten und senden Sie sie noch einmal.',
    stale: 'Dieses Formular war lange geöffnet. Ihre Antworten sind noch da: Bitte senden Sie sie noch einmal.',
    noDevice: 'Dieser Kiosk hat das Gerät nicht erkannt (vielleicht speichert es keine Cookies). Ihre Antworten sind noch da: Bitte senden Sie sie noch einmal.',
    deviceLimit: 'Von diesem Gerät kamen in der letzten Stunde sehr viele Antworten. Bitte versuchen Sie es später noch einmal oder fragen Sie das Personal.',
    capTitle: 'Dieser Kiosk hat heute alle Antworten aufgenommen, die er kann',
    capBody: 'Danke, dass Sie uns Ihre Meinung sagen möchten. Kommen Sie bitte an einem anderen Tag wieder oder fragen Sie das Personal nach einem anderen Weg.',
    closedTitle: 'Dieser Kiosk nimmt keine Antworten mehr an',
    closedBody: 'Das Team oder der Ort, für den dieser Kiosk Antworten gesammelt hat, hat ihn geschlossen. Danke, dass Sie uns Ihre Meinung sagen möchten: Fragen Sie bitte das Personal nach einem anderen Weg.',
  },
  fr: {
    thanksBody: 'Vos réponses ont été enregistrées. Merci de votre temps.',
    restarting: (s) => `Un nouveau formulaire pour la personne suivante s’ouvrira dans ${s} seconde${s === 1 ? '' : 's'}.`,
    startNew: 'Commencer une nouvelle réponse',
    stay: 'Garder cette page à l’écran',
    tooFast: 'C’était plus rapide que le temps de lire les questions. Vérifiez vos réponses et envoyez-les à nouveau.',
    stale: 'Ce formulaire est resté ouvert longtemps. Vos réponses sont toujours là : envoyez-les à nouveau.',
    noDevice: 'Cette borne n’a pas reconnu l’appareil (il ne garde peut-être pas les cookies). Vos réponses sont toujours là : envoyez-les à nouveau.',
    deviceLimit: 'Cet appareil a envoyé beaucoup de réponses au cours de la dernière heure. Réessayez plus tard ou demandez à un membre du personnel.',
    capTitle: 'Cette borne a reçu toutes les réponses qu’elle peut prendre aujourd’hui',
    capBody: 'Merci de vouloir nous donner votre avis. Revenez un autre jour, ou demandez au personnel une autre façon de répondre.',
    closedTitle: 'Cette borne ne prend plus de réponses',
    closedBody: 'L\'équipe ou le lieu pour lequel cette borne recueillait des réponses l\'a fermée. Merci de vouloir nous donner votre avis : demandez au personnel une autre façon de répondre.',
  },
  pt: {
    thanksBody: 'As suas respostas foram guardadas. Obrigado pelo seu tempo.',
    restarting: (s) => `Dentro de ${s} segundo${s === 1 ? '' : 's'} abre-se um formulário novo para a pessoa seguinte.`,
    startNew: 'Começar uma nova resposta',
    stay: 'Manter esta página no ecrã',
    tooFast: 'Foi mais rápido do que o tempo de ler as perguntas. Verifique as suas respostas e envie-as novamente.',
    stale: 'Este formulário esteve aberto muito tempo. As suas respostas continuam aqui: envie-as novamente.',
    noDevice: 'Este quiosque não reconheceu o dispositivo (pode não guardar cookies). As suas respostas continuam aqui: envie-as novamente.',
    deviceLimit: 'Este dispositivo enviou muitas respostas na última hora. Tente mais tarde ou fale com um membro da equipa.',
    capTitle: 'Este quiosque já recebeu hoje todas as respostas que pode',
    capBody: 'Obrigado por querer dar a sua opinião. Volte noutro dia ou peça à equipa outra forma de responder.',
    closedTitle: 'Este quiosque já não recebe respostas',
    closedBody: 'A equipa ou o local para o qual este quiosque recolhia respostas encerrou-o. Obrigado por querer dar a sua opinião: peça à equipa outra forma de responder.',
  },
}

const isKioskLocale = (locale: string): locale is KioskLocale => Object.hasOwn(KIOSK_TEXT, locale)

/** The kiosk's texts in a language, English when the language has none of its own. */
export const kioskText = (locale: string): KioskText => KIOSK_TEXT[isKioskLocale(locale) ? locale : 'en']

/** The languages the kiosk's texts are written in (the tests check every one is complete). */
export const KIOSK_LOCALES = Object.keys(KIOSK_TEXT) as readonly string[]
