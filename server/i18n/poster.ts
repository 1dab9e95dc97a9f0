// The words of a link's printed QR poster (the counter, the staff room), in each language a wave can
// be offered in. The page around it (back link, print button, language choice) is the admin's, in English.
import type { Locale } from '../domain/languages.js'
import type { Side } from '../domain/types.js'

export interface PosterText {
  heading: Record<Side, string>
  /** The line under the heading: how many questions, for whom, how long. */
  lead: (side: Side, questions: number) => string
  /** The QR image's text alternative. */
  qrAlt: Record<Side, string>
}

export const POSTER_TEXT: Record<Locale, PosterText> = {
  en: {
    heading: { staff: 'How good is our service, really?', customer: 'How are we doing?' },
    lead: (side, n) => (side === 'staff' ? `${n} short questions for the team. Anonymous. About two minutes.` : `${n} short questions about the service you receive. About two minutes.`),
    qrAlt: { staff: 'QR code that opens the staff survey', customer: 'QR code that opens the customer survey' },
  },
  es: {
    heading: { staff: '¿Cómo es de verdad nuestro servicio?', customer: '¿Qué tal lo estamos haciendo?' },
    lead: (side, n) => (side === 'staff' ? `${n} preguntas breves para el equipo. Anónima. Unos dos minutos.` : `${n} preguntas breves sobre el servicio que recibe. Unos dos minutos.`),
    qrAlt: { staff: 'Código QR que abre la encuesta para el personal', customer: 'Código QR que abre la encuesta para clientes' },
  },
  de: {
    heading: { staff: 'Wie gut ist unser Service wirklich?', customer: 'Wie zufrieden sind Sie mit uns?' },
    lead: (side, n) => (side === 'staff' ? `${n} kurze Fragen an das Team. Anonym. Etwa zwei Minuten.` : `${n} kurze Fragen zum Service, den Sie erhalten. Etwa zwei Minuten.`),
    qrAlt: { staff: 'QR-Code, der die Umfrage für Mitarbeitende öffnet', customer: 'QR-Code, der die Umfrage für Kunden öffnet' },
  },
  fr: {
    heading: { staff: 'Notre service est-il vraiment bon ?', customer: 'Comment trouvez-vous notre service ?' },
    lead: (side, n) => (side === 'staff' ? `${n} questions courtes pour l’équipe. Anonyme. Environ deux minutes.` : `${n} questions courtes sur le service que vous recevez. Environ deux minutes.`),
    qrAlt: { staff: 'Code QR qui ouvre l’enquête destinée au personnel', customer: 'Code QR qui ouvre l’enquête destinée aux clients' },
  },
  pt: {
    heading: { staff: 'O nosso serviço é mesmo bom?', customer: 'Como avalia o nosso serviço?' },
    lead: (side, n) => (side === 'staff' ? `${n} perguntas curtas para a equipa. Anónimo. Cerca de dois minutos.` : `${n} perguntas curtas sobre o serviço que recebe. Cerca de dois minutos.`),
    qrAlt: { staff: 'Código QR que abre o questionário para a equipa', customer: 'Código QR que abre o questionário para clientes' },
  },
}
