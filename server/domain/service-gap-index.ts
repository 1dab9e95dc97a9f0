// The built-in paired instrument every organization shares: Service Gap Index, version 1.
// Staff and customers answer the same twelve ideas, each in their own words, on a 5-point
// agreement scale. Never edit a published version; add the next beside it (service-gap-index-v2.ts),
// and list it in built-in-instruments.ts.
import type { InstrumentDefinition, ItemDefinition } from './instrument.js'

type Wording = { en: string; es: string; de: string }

function item(key: string, dimension: string, staffText: Wording, customerText: Wording, headline = false): ItemDefinition {
  return { key, dimension, scale: 'agree5', headline, required: headline, staffText, customerText, staffPredictText: null }
}

export const SERVICE_GAP_INDEX_V1: InstrumentDefinition = {
  key: 'service-gap-index',
  version: 1,
  name: 'Service Gap Index',
  locales: ['en', 'es', 'de'],
  staffQuestion: {
    en: 'What one change would most improve the service our customers receive?',
    es: '¿Qué cambio concreto mejoraría más el servicio que reciben nuestros clientes?',
    de: 'Welche eine Veränderung würde den Service für unsere Kunden am meisten verbessern?',
  },
  customerQuestion: {
    en: 'What one thing could we do to make your experience better?',
    es: '¿Qué podríamos hacer para que su experiencia fuera mejor?',
    de: 'Was könnten wir tun, damit Ihre Erfahrung mit uns besser wird?',
  },
  items: [
    item('excellent_service', 'overall', {
      en: 'Our customers receive excellent service from us.',
      es: 'Nuestros clientes reciben de nosotros un servicio excelente.',
      de: 'Unsere Kunden erhalten von uns einen ausgezeichneten Service.',
    }, {
      en: 'I receive excellent service from {org}.',
      es: 'Recibo un servicio excelente de {org}.',
      de: 'Ich erhalte von {org} einen ausgezeichneten Service.',
    }, true),
    item('want_to_help', 'attitude', {
      en: 'People here genuinely want to make customers happy.',
      es: 'Aquí la gente quiere de verdad hacer felices a los clientes.',
      de: 'Die Menschen hier wollen wirklich, dass unsere Kunden zufrieden sind.',
    }, {
      en: 'The people at {org} genuinely want to make me happy.',
      es: 'Las personas de {org} quieren de verdad hacerme feliz.',
      de: 'Die Menschen bei {org} wollen wirklich, dass ich zufrieden bin.',
    }),
    item('valued', 'attitude', {
      en: 'We treat customers as the reason we are in business, not as an interruption.',
      es: 'Tratamos a los clientes como la razón de ser de nuestro negocio, no como una interrupción.',
      de: 'Wir sehen unsere Kunden als den Grund, warum es uns gibt, nicht als Störung.',
    }, {
      en: 'I feel valued as a customer, not treated as an interruption.',
      es: 'Siento que me valoran como cliente y no me tratan como una interrupción.',
      de: 'Ich fühle mich als Kunde geschätzt und nicht wie eine Störung behandelt.',
    }),
    item('can_solve', 'ability', {
      en: "We have the skills and information to solve customers' problems.",
      es: 'Tenemos las habilidades y la información necesarias para resolver los problemas de los clientes.',
      de: 'Wir haben das Können und die Informationen, um die Probleme unserer Kunden zu lösen.',
    }, {
      en: 'The people at {org} can solve my problems.',
      es: 'Las personas de {org} saben resolver mis problemas.',
      de: 'Die Menschen bei {org} können meine Probleme lösen.',
    }),
    item('easy', 'structure', {
      en: 'Our processes make it easy for customers to get what they need.',
      es: 'Nuestros procesos facilitan que los clientes consigan lo que necesitan.',
      de: 'Unsere Abläufe machen es Kunden leicht, zu bekommen, was sie brauchen.',
    }, {
      en: 'It is easy to get what I need from {org}.',
      es: 'Es fácil conseguir de {org} lo que necesito.',
      de: 'Es ist leicht, von {org} zu bekommen, was ich brauche.',
    }),
    item('promises', 'structure', {
      en: 'We keep the promises we make to customers.',
      es: 'Cumplimos las promesas que hacemos a los clientes.',
      de: 'Wir halten die Versprechen, die wir Kunden geben.',
    }, {
      en: '{org} keeps its promises to me.',
      es: '{org} cumple las promesas que me hace.',
      de: '{org} hält, was mir versprochen wird.',
    }),
    item('individual', 'focus', {
      en: 'We treat each customer as an individual with their own needs.',
      es: 'Tratamos a cada cliente como una persona con sus propias necesidades.',
      de: 'Wir behandeln jeden Kunden als Menschen mit eigenen Bedürfnissen.',
    }, {
      en: '{org} treats me as an individual, not a number.',
      es: '{org} me trata como a una persona, no como a un número.',
      de: '{org} behandelt mich als Menschen, nicht als Nummer.',
    }),
    item('anticipates', 'focus', {
      en: 'We anticipate what customers need beyond what they ask for.',
      es: 'Nos anticipamos a lo que los clientes necesitan más allá de lo que piden.',
      de: 'Wir erkennen, was Kunden über ihre Anfrage hinaus brauchen.',
    }, {
      en: '{org} anticipates what else I need.',
      es: '{org} se anticipa a lo que también necesito.',
      de: '{org} erkennt, was ich sonst noch brauche.',
    }),
    item('trust', 'focus', {
      en: 'Customers can trust what we tell them.',
      es: 'Los clientes pueden confiar en lo que les decimos.',
      de: 'Kunden können sich auf das verlassen, was wir ihnen sagen.',
    }, {
      en: 'I can trust what {org} tells me.',
      es: 'Puedo confiar en lo que me dice {org}.',
      de: 'Ich kann mich auf das verlassen, was {org} mir sagt.',
    }),
    item('fit', 'fit', {
      en: 'The way we work (lead times, personal attention) suits our customers.',
      es: 'Nuestra forma de trabajar (plazos, atención personal) se adapta a nuestros clientes.',
      de: 'Unsere Arbeitsweise (Lieferzeiten, persönliche Betreuung) passt zu unseren Kunden.',
    }, {
      en: 'The way {org} works (lead times, personal attention) suits me.',
      es: 'La forma de trabajar de {org} (plazos, atención personal) se adapta a mí.',
      de: 'Die Arbeitsweise von {org} (Lieferzeiten, persönliche Betreuung) passt zu mir.',
    }),
    item('asks', 'listening', {
      en: 'We regularly ask customers what they value and act on it.',
      es: 'Preguntamos con regularidad a los clientes qué valoran y actuamos en consecuencia.',
      de: 'Wir fragen Kunden regelmäßig, was ihnen wichtig ist, und handeln danach.',
    }, {
      en: '{org} asks what I value and acts on it.',
      es: '{org} me pregunta qué valoro y actúa en consecuencia.',
      de: '{org} fragt mich, was mir wichtig ist, und handelt danach.',
    }),
    item('supported', 'care', {
      en: 'I have the support I need to serve customers at my best.',
      es: 'Tengo el apoyo que necesito para atender a los clientes lo mejor posible.',
      de: 'Ich habe die Unterstützung, die ich brauche, um Kunden bestmöglich zu bedienen.',
    }, {
      en: 'The people who serve me seem well supported and positive.',
      es: 'Las personas que me atienden parecen bien respaldadas y con buena actitud.',
      de: 'Die Menschen, die mich bedienen, wirken gut unterstützt und positiv.',
    }),
  ],
}
