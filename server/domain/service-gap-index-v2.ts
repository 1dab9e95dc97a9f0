// Service Gap Index, version 2: version 1's twelve statements, keys, dimensions, scales, headline and
// required answers unchanged, with the same English, Spanish and German wordings, and French and
// (European) Portuguese added. Built from version 1 so the shared wordings cannot drift apart; trends
// across the two line up by key, and the wording comparison reads only the languages both have.
import type { InstrumentDefinition } from './instrument.js'
import { SERVICE_GAP_INDEX_V1 } from './service-gap-index.js'
import type { LocalizedText } from './types.js'

type Added = { fr: string; pt: string }

const QUESTIONS: { staff: Added; customer: Added } = {
  staff: {
    fr: 'Quel changement améliorerait le plus le service que reçoivent nos clients ?',
    pt: 'Que mudança melhoraria mais o serviço que os nossos clientes recebem?',
  },
  customer: {
    fr: 'Que pourrions-nous faire pour améliorer votre expérience ?',
    pt: 'O que poderíamos fazer para melhorar a sua experiência?',
  },
}

/** Each statement's new wordings by key: staff, then customer. */
const ITEMS: Record<string, [Added, Added]> = {
  excellent_service: [
    { fr: 'Nos clients reçoivent de notre part un excellent service.', pt: 'Os nossos clientes recebem de nós um serviço excelente.' },
    { fr: 'Je reçois un excellent service de la part de {org}.', pt: 'Recebo de {org} um serviço excelente.' },
  ],
  want_to_help: [
    { fr: 'Ici, les gens ont vraiment à cœur de satisfaire les clients.', pt: 'As pessoas aqui querem sinceramente que os clientes fiquem contentes.' },
    { fr: 'Les personnes de {org} ont vraiment à cœur de me satisfaire.', pt: 'As pessoas de {org} querem sinceramente que eu fique contente.' },
  ],
  valued: [
    { fr: 'Nous considérons les clients comme notre raison d’être, et non comme un dérangement.', pt: 'Tratamos os clientes como a razão de ser do nosso negócio, e não como uma interrupção.' },
    { fr: 'Je me sens valorisé en tant que client, et non traité comme un dérangement.', pt: 'Sinto-me valorizado como cliente, e não tratado como uma interrupção.' },
  ],
  can_solve: [
    { fr: 'Nous avons les compétences et les informations nécessaires pour résoudre les problèmes des clients.', pt: 'Temos as competências e a informação necessárias para resolver os problemas dos clientes.' },
    { fr: 'Les personnes de {org} savent résoudre mes problèmes.', pt: 'As pessoas de {org} conseguem resolver os meus problemas.' },
  ],
  easy: [
    { fr: 'Nos processus permettent aux clients d’obtenir facilement ce dont ils ont besoin.', pt: 'Os nossos processos facilitam aos clientes obter aquilo de que precisam.' },
    { fr: 'Il est facile d’obtenir de {org} ce dont j’ai besoin.', pt: 'É fácil obter de {org} aquilo de que preciso.' },
  ],
  promises: [
    { fr: 'Nous tenons les promesses que nous faisons aux clients.', pt: 'Cumprimos as promessas que fazemos aos clientes.' },
    { fr: '{org} tient ses promesses envers moi.', pt: '{org} cumpre as promessas que me faz.' },
  ],
  individual: [
    { fr: 'Nous traitons chaque client comme une personne, avec ses propres besoins.', pt: 'Tratamos cada cliente como uma pessoa com as suas próprias necessidades.' },
    { fr: '{org} me traite comme une personne, pas comme un numéro.', pt: '{org} trata-me como uma pessoa, não como um número.' },
  ],
  anticipates: [
    { fr: 'Nous anticipons les besoins des clients au-delà de ce qu’ils demandent.', pt: 'Antecipamos aquilo de que os clientes precisam, para além do que pedem.' },
    { fr: '{org} anticipe mes besoins au-delà de ma demande.', pt: '{org} antecipa as minhas necessidades para além do que peço.' },
  ],
  trust: [
    { fr: 'Les clients peuvent se fier à ce que nous leur disons.', pt: 'Os clientes podem confiar no que lhes dizemos.' },
    { fr: 'Je peux me fier à ce que {org} me dit.', pt: 'Posso confiar no que {org} me diz.' },
  ],
  fit: [
    { fr: 'Notre façon de travailler (délais, attention personnelle) convient à nos clients.', pt: 'A nossa forma de trabalhar (prazos, atenção pessoal) é adequada aos nossos clientes.' },
    { fr: 'La façon de travailler de {org} (délais, attention personnelle) me convient.', pt: 'A forma de trabalhar de {org} (prazos, atenção pessoal) é adequada para mim.' },
  ],
  asks: [
    { fr: 'Nous demandons régulièrement aux clients ce qui compte pour eux, et nous agissons en conséquence.', pt: 'Perguntamos regularmente aos clientes o que valorizam e agimos em conformidade.' },
    { fr: '{org} me demande ce qui compte pour moi et agit en conséquence.', pt: '{org} pergunta-me o que valorizo e age em conformidade.' },
  ],
  supported: [
    { fr: 'J’ai le soutien dont j’ai besoin pour servir les clients au mieux.', pt: 'Tenho o apoio de que preciso para atender os clientes o melhor possível.' },
    { fr: 'Les personnes qui me servent semblent bien soutenues et positives.', pt: 'As pessoas que me atendem parecem bem apoiadas e positivas.' },
  ],
}

const withAdded = (text: LocalizedText, added: Added): LocalizedText => ({ ...text, ...added })

function added(key: string): [Added, Added] {
  const found = ITEMS[key]
  if (!found) throw new Error(`Service Gap Index v2 has no French and Portuguese wording for "${key}"`)
  return found
}

export const SERVICE_GAP_INDEX_V2: InstrumentDefinition = {
  ...SERVICE_GAP_INDEX_V1,
  version: 2,
  locales: [...SERVICE_GAP_INDEX_V1.locales, 'fr', 'pt'],
  staffQuestion: withAdded(SERVICE_GAP_INDEX_V1.staffQuestion, QUESTIONS.staff),
  customerQuestion: withAdded(SERVICE_GAP_INDEX_V1.customerQuestion, QUESTIONS.customer),
  items: SERVICE_GAP_INDEX_V1.items.map((item) => {
    const [staff, customer] = added(item.key)
    return { ...item, staffText: withAdded(item.staffText, staff), customerText: withAdded(item.customerText, customer) }
  }),
}
