// The words of invitation and reminder emails, in each language a contact can have.
import type { Locale } from '../domain/instrument.js'

export interface MailText {
  subject: (org: string, reminder: boolean) => string
  greeting: (name: string) => string
  askCustomer: (org: string) => string
  askStaff: (org: string) => string
  reminder: string
  time: (count: number) => string
  anonymous: string
  button: string
  personal: string
  unsubscribe: string
  sentBy: (org: string) => string
}

export const MAIL_TEXT: Record<Locale, MailText> = {
  en: {
    subject: (org, reminder) => (reminder ? `A reminder: how is ${org} doing?` : `How is ${org} doing? Two minutes of your time`),
    greeting: (name) => (name ? `Hello ${name},` : 'Hello,'),
    askCustomer: (org) => `${org} wants to know how you experience its service, in your words rather than its own.`,
    askStaff: (org) => `${org} asks its team the same questions it asks its customers, to see where the two views differ.`,
    reminder: 'We have not heard from you yet, and your view counts. The survey is still open.',
    time: (count) => `There are ${count} short statements; it takes about two minutes.`,
    anonymous: 'Your answers are anonymous: nothing links them to you, and results are only shown for groups.',
    button: 'Answer the survey',
    personal: 'This link is personal and works once.',
    unsubscribe: 'Do not send me these surveys again',
    sentBy: (org) => `Sent on behalf of ${org} by Service Gap.`,
  },
  es: {
    subject: (org, reminder) => (reminder ? `Recordatorio: ¿qué tal lo hace ${org}?` : `¿Qué tal lo hace ${org}? Dos minutos de su tiempo`),
    greeting: (name) => (name ? `Hola, ${name}:` : 'Hola:'),
    askCustomer: (org) => `${org} quiere saber cómo vive usted su servicio, con sus palabras y no con las suyas.`,
    askStaff: (org) => `${org} hace a su equipo las mismas preguntas que a sus clientes, para ver dónde difieren ambas miradas.`,
    reminder: 'Todavía no tenemos su respuesta y su opinión cuenta. La encuesta sigue abierta.',
    time: (count) => `Son ${count} afirmaciones breves; se tarda unos dos minutos.`,
    anonymous: 'Sus respuestas son anónimas: nada las vincula con usted y los resultados solo se muestran por grupos.',
    button: 'Responder la encuesta',
    personal: 'Este enlace es personal y sirve una sola vez.',
    unsubscribe: 'No quiero recibir más estas encuestas',
    sentBy: (org) => `Enviado en nombre de ${org} por Service Gap.`,
  },
  de: {
    subject: (org, reminder) => (reminder ? `Erinnerung: Wie macht sich ${org}?` : `Wie macht sich ${org}? Zwei Minuten Ihrer Zeit`),
    greeting: (name) => (name ? `Hallo ${name},` : 'Hallo,'),
    askCustomer: (org) => `${org} möchte wissen, wie Sie den Service erleben – in Ihren Worten, nicht in den eigenen.`,
    askStaff: (org) => `${org} stellt dem eigenen Team dieselben Fragen wie den Kunden, um zu sehen, wo die Sichtweisen auseinandergehen.`,
    reminder: 'Wir haben noch nichts von Ihnen gehört, und Ihre Sicht zählt. Die Umfrage ist noch offen.',
    time: (count) => `Es sind ${count} kurze Aussagen; das dauert etwa zwei Minuten.`,
    anonymous: 'Ihre Antworten sind anonym: Nichts verbindet sie mit Ihnen, und Ergebnisse werden nur für Gruppen gezeigt.',
    button: 'Zur Umfrage',
    personal: 'Dieser Link ist persönlich und funktioniert einmal.',
    unsubscribe: 'Diese Umfragen nicht mehr an mich senden',
    sentBy: (org) => `Im Auftrag von ${org} gesendet von Service Gap.`,
  },
}

export interface UnsubscribeText {
  confirmTitle: string
  confirmBody: string
  button: string
  doneTitle: string
  doneBody: (org: string) => string
  invalidTitle: string
  invalidBody: string
}

export const UNSUBSCRIBE_TEXT: Record<Locale, UnsubscribeText> = {
  en: {
    confirmTitle: 'Stop these survey emails?',
    confirmBody: 'You will not receive survey invitations or reminders from this organization again.',
    button: 'Unsubscribe',
    doneTitle: 'You are unsubscribed',
    doneBody: (org) => `${org} will not send you survey emails again.`,
    invalidTitle: 'This link does not work',
    invalidBody: 'Check that it was copied completely from the email.',
  },
  es: {
    confirmTitle: '¿Dejar de recibir estas encuestas?',
    confirmBody: 'No volverá a recibir invitaciones ni recordatorios de encuestas de esta organización.',
    button: 'Darme de baja',
    doneTitle: 'Se ha dado de baja',
    doneBody: (org) => `${org} no volverá a enviarle correos de encuestas.`,
    invalidTitle: 'Este enlace no funciona',
    invalidBody: 'Compruebe que lo ha copiado completo desde el correo.',
  },
  de: {
    confirmTitle: 'Keine Umfrage-E-Mails mehr?',
    confirmBody: 'Sie erhalten von dieser Organisation keine Einladungen oder Erinnerungen zu Umfragen mehr.',
    button: 'Abmelden',
    doneTitle: 'Sie sind abgemeldet',
    doneBody: (org) => `${org} sendet Ihnen keine Umfrage-E-Mails mehr.`,
    invalidTitle: 'Dieser Link funktioniert nicht',
    invalidBody: 'Bitte prüfen Sie, ob er vollständig aus der E-Mail kopiert wurde.',
  },
}
