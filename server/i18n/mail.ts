// The words of invitation and reminder emails, in each language a contact can have, and the message
// (subject, text and HTML) they make for one contact.
import { LOCALES, type Locale } from '../domain/instrument.js'
import { chooseLocale } from '../domain/locale.js'
import type { MailKind, Side } from '../domain/types.js'

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
  fr: {
    subject: (org, reminder) => (reminder ? `Rappel : votre avis sur ${org}` : `Votre avis sur ${org} : deux minutes de votre temps`),
    greeting: (name) => (name ? `Bonjour ${name},` : 'Bonjour,'),
    askCustomer: (org) => `${org} souhaite savoir comment vous vivez son service, avec vos mots plutôt qu’avec les siens.`,
    askStaff: (org) => `${org} pose à son équipe les mêmes questions qu’à ses clients, pour voir où les deux regards divergent.`,
    reminder: 'Nous n’avons pas encore reçu votre réponse, et votre avis compte. L’enquête est toujours ouverte.',
    time: (count) => `Il y a ${count} affirmations courtes ; comptez environ deux minutes.`,
    anonymous: 'Vos réponses sont anonymes : rien ne les relie à vous, et les résultats ne sont présentés que par groupes.',
    button: 'Répondre à l’enquête',
    personal: 'Ce lien est personnel et ne sert qu’une fois.',
    unsubscribe: 'Ne plus m’envoyer ces enquêtes',
    sentBy: (org) => `Envoyé au nom de ${org} par Service Gap.`,
  },
  pt: {
    subject: (org, reminder) => (reminder ? `Lembrete: a sua opinião sobre ${org}` : `A sua opinião sobre ${org}: dois minutos do seu tempo`),
    greeting: (name) => (name ? `Olá, ${name},` : 'Olá,'),
    askCustomer: (org) => `${org} quer saber como avalia o serviço que recebe, nas suas próprias palavras.`,
    askStaff: (org) => `${org} faz à sua equipa as mesmas perguntas que faz aos clientes, para ver onde as duas visões diferem.`,
    reminder: 'Ainda não recebemos a sua resposta, e a sua opinião conta. O questionário continua aberto.',
    time: (count) => `São ${count} afirmações curtas; demora cerca de dois minutos.`,
    anonymous: 'As suas respostas são anónimas: nada as associa à sua identidade, e os resultados só são mostrados por grupos.',
    button: 'Responder ao questionário',
    personal: 'Este link é pessoal e só funciona uma vez.',
    unsubscribe: 'Não quero voltar a receber estes questionários',
    sentBy: (org) => `Enviado em nome de ${org} pelo Service Gap.`,
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
  fr: {
    confirmTitle: 'Ne plus recevoir ces enquêtes ?',
    confirmBody: 'Vous ne recevrez plus d’invitations ni de rappels d’enquête de cette organisation.',
    button: 'Me désabonner',
    doneTitle: 'Votre désabonnement est confirmé',
    doneBody: (org) => `${org} ne vous enverra plus d’e-mails d’enquête.`,
    invalidTitle: 'Ce lien ne fonctionne pas',
    invalidBody: 'Vérifiez qu’il a été copié en entier depuis l’e-mail.',
  },
  pt: {
    confirmTitle: 'Deixar de receber estes questionários?',
    confirmBody: 'Não voltará a receber convites nem lembretes de questionários desta organização.',
    button: 'Cancelar a subscrição',
    doneTitle: 'A sua subscrição foi cancelada',
    doneBody: (org) => `${org} não voltará a enviar-lhe e-mails de questionários.`,
    invalidTitle: 'Este link não funciona',
    invalidBody: 'Verifique se o copiou por completo a partir do e-mail.',
  },
}

export interface MessageInput {
  locale: string | null
  organization: string
  side: Side
  kind: MailKind
  name: string
  surveyUrl: string
  unsubscribeUrl: string
  itemCount: number
  /** The organization's accent colour and logo (an image attached to the message), when it has them. */
  brand?: MailBrand
}

export interface MailBrand {
  accent: string | null
  /** `src` is the attachment's address (cid:…); width and height are the file's pixels. */
  logo: { src: string; width: number; height: number; alt: string } | null
}

/** The logo's size in a message: at most 240 × 64 pixels, its shape kept (mail programs ignore most CSS). */
export function mailLogoSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, 240 / width, 64 / height)
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

function logoHtml(logo: MailBrand['logo']): string {
  if (!logo) return ''
  const size = mailLogoSize(logo.width, logo.height)
  return `<p style="margin:0 0 18px"><img src="${escapeHtml(logo.src)}" alt="${escapeHtml(logo.alt)}" width="${size.width}" height="${size.height}" style="display:block;border:0;max-width:100%;height:auto"></p>`
}

export interface Message {
  subject: string
  text: string
  html: string
}

export const escapeHtml = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;')

/** Subject lines are single lines: no line breaks can sneak extra headers in. */
export const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ').trim()

export function renderMessage(input: MessageInput): Message {
  const locale = chooseLocale({ requested: input.locale, fallback: 'en', available: LOCALES }) as Locale
  const t = MAIL_TEXT[locale]
  const org = oneLine(input.organization)
  const name = oneLine(input.name)
  // Only a '#rrggbb' colour goes into a style attribute (the settings check it; this keeps the HTML safe whatever it is given).
  const accent = input.brand?.accent && /^#[0-9a-f]{6}$/.test(input.brand.accent) ? input.brand.accent : null
  const paragraphs = [
    t.greeting(name),
    input.side === 'staff' ? t.askStaff(org) : t.askCustomer(org),
    ...(input.kind === 'reminder' ? [t.reminder] : []),
    t.time(input.itemCount),
    ...(input.side === 'staff' ? [t.anonymous] : []),
  ]
  const text = [
    ...paragraphs.map((p) => `${p}\n`),
    `${t.button}: ${input.surveyUrl}`,
    t.personal,
    '',
    '--',
    t.sentBy(org),
    `${t.unsubscribe}: ${input.unsubscribeUrl}`,
    '',
  ].join('\n')
  const html = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(t.subject(org, input.kind === 'reminder'))}</title></head>`
    + '<body style="margin:0;padding:24px;background:#f4f6f9;font-family:Arial,Helvetica,sans-serif;color:#1b2330;line-height:1.5">'
    + `<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px${accent ? `;border-top:6px solid ${accent}` : ''}">`
    + logoHtml(input.brand?.logo ?? null)
    + paragraphs.map((p) => `<p style="margin:0 0 14px">${escapeHtml(p)}</p>`).join('')
    + `<p style="margin:22px 0"><a href="${escapeHtml(input.surveyUrl)}" style="display:inline-block;background:${accent ?? '#0b4f8a'};color:#ffffff;text-decoration:none;font-weight:bold;padding:12px 20px;border-radius:6px">${escapeHtml(t.button)}</a></p>`
    + `<p style="margin:0 0 14px;font-size:13px;color:#556070">${escapeHtml(t.personal)}<br>${escapeHtml(input.surveyUrl)}</p>`
    + `<p style="margin:24px 0 0;font-size:12px;color:#556070">${escapeHtml(t.sentBy(org))} <a href="${escapeHtml(input.unsubscribeUrl)}" style="color:#556070">${escapeHtml(t.unsubscribe)}</a></p>`
    + '</div></body></html>'
  return { subject: oneLine(t.subject(org, input.kind === 'reminder')), text, html }
}
