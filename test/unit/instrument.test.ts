import { describe, expect, it } from 'vitest'
import type { Role } from '../../server/domain/types.js'
import { instrumentProblems, LOCALES, localize, type InstrumentDefinition } from '../../server/domain/instrument.js'
import { assignableRoles, can, isRole, ROLES, type Permission } from '../../server/domain/roles.js'
import { BUILT_IN_INSTRUMENTS, SERVICE_GAP_INDEX_V1, SERVICE_GAP_INDEX_V2 } from '../../server/domain/built-in-instruments.js'

// Design section 3, copied character for character. [Org] stands for the organization's name.
const DESIGN: Array<{ key: string; dimension: string; staff: string; customer: string }> = [
  { key: 'excellent_service', dimension: 'overall', staff: 'Our customers receive excellent service from us.', customer: 'I receive excellent service from [Org].' },
  { key: 'want_to_help', dimension: 'attitude', staff: 'People here genuinely want to make customers happy.', customer: 'The people at [Org] genuinely want to make me happy.' },
  { key: 'valued', dimension: 'attitude', staff: 'We treat customers as the reason we are in business, not as an interruption.', customer: 'I feel valued as a customer, not treated as an interruption.' },
  { key: 'can_solve', dimension: 'ability', staff: "We have the skills and information to solve customers' problems.", customer: 'The people at [Org] can solve my problems.' },
  { key: 'easy', dimension: 'structure', staff: 'Our processes make it easy for customers to get what they need.', customer: 'It is easy to get what I need from [Org].' },
  { key: 'promises', dimension: 'structure', staff: 'We keep the promises we make to customers.', customer: '[Org] keeps its promises to me.' },
  { key: 'individual', dimension: 'focus', staff: 'We treat each customer as an individual with their own needs.', customer: '[Org] treats me as an individual, not a number.' },
  { key: 'anticipates', dimension: 'focus', staff: 'We anticipate what customers need beyond what they ask for.', customer: '[Org] anticipates what else I need.' },
  { key: 'trust', dimension: 'focus', staff: 'Customers can trust what we tell them.', customer: 'I can trust what [Org] tells me.' },
  { key: 'fit', dimension: 'fit', staff: 'The way we work (lead times, personal attention) suits our customers.', customer: 'The way [Org] works (lead times, personal attention) suits me.' },
  { key: 'asks', dimension: 'listening', staff: 'We regularly ask customers what they value and act on it.', customer: '[Org] asks what I value and acts on it.' },
  { key: 'supported', dimension: 'care', staff: 'I have the support I need to serve customers at my best.', customer: 'The people who serve me seem well supported and positive.' },
]
const DESIGN_STAFF_QUESTION = 'What one change would most improve the service our customers receive?'
const DESIGN_CUSTOMER_QUESTION = 'What one thing could we do to make your experience better?'

const sgi = SERVICE_GAP_INDEX_V1
const withOrg = (text: string, org: string) => text.replaceAll('[Org]', org)

describe('SERVICE_GAP_INDEX_V1 matches design section 3', () => {
  it('is the built-in instrument service-gap-index, version 1, in en, es and de', () => {
    expect(BUILT_IN_INSTRUMENTS).toEqual([sgi, SERVICE_GAP_INDEX_V2])
    expect(sgi.key).toBe('service-gap-index')
    expect(sgi.version).toBe(1)
    expect(sgi.name).toBe('Service Gap Index')
    expect(sgi.locales).toEqual(['en', 'es', 'de'])
  })

  it('has the twelve item keys in the order of the design table', () => {
    expect(sgi.items.map((item) => item.key)).toEqual(DESIGN.map((row) => row.key))
  })

  it('gives each item the dimension of the design table', () => {
    expect(sgi.items.map((item) => [item.key, item.dimension])).toEqual(DESIGN.map((row) => [row.key, row.dimension]))
  })

  it('has exactly one headline item: excellent_service', () => {
    expect(sgi.items.filter((item) => item.headline).map((item) => item.key)).toEqual(['excellent_service'])
  })

  it('uses the 5-point agreement scale and no staff prediction texts', () => {
    for (const item of sgi.items) {
      expect(item.scale).toBe('agree5')
      expect(item.staffPredictText).toBeNull()
    }
  })

  for (const [index, row] of DESIGN.entries()) {
    it(`words ${row.key} in English exactly as the design does`, () => {
      const item = sgi.items[index]!
      expect(item.key).toBe(row.key)
      expect(item.staffText.en).toBe(row.staff)
      expect(localize(item.staffText, 'en', 'Acme')).toBe(row.staff)
      expect(localize(item.customerText, 'en', 'Acme')).toBe(withOrg(row.customer, 'Acme'))
      // The stored text keeps the placeholder, so the name is filled in per organization.
      expect(item.customerText.en).toBe(row.customer.replaceAll('[Org]', '{org}'))
    })
  }

  it('has a non-empty English, Spanish and German text for every staff and customer wording', () => {
    for (const item of sgi.items) {
      for (const locale of ['en', 'es', 'de']) {
        expect(item.staffText[locale]?.trim(), `${item.key} staff ${locale}`).toBeTruthy()
        expect(item.customerText[locale]?.trim(), `${item.key} customer ${locale}`).toBeTruthy()
      }
      expect(Object.keys(item.staffText).sort()).toEqual(['de', 'en', 'es'])
      expect(Object.keys(item.customerText).sort()).toEqual(['de', 'en', 'es'])
    }
  })

  it('puts the organization placeholder in every translation of a customer wording that names the organization', () => {
    for (const [index, row] of DESIGN.entries()) {
      const item = sgi.items[index]!
      const named = row.customer.includes('[Org]')
      for (const locale of ['en', 'es', 'de']) {
        expect(item.customerText[locale]!.includes('{org}'), `${row.key} ${locale}`).toBe(named)
        expect(item.staffText[locale]!.includes('{org}'), `${row.key} staff ${locale}`).toBe(false)
      }
    }
  })

  it('asks the two open questions of the design in English, and has them in es and de', () => {
    expect(sgi.staffQuestion.en).toBe(DESIGN_STAFF_QUESTION)
    expect(sgi.customerQuestion.en).toBe(DESIGN_CUSTOMER_QUESTION)
    for (const locale of ['es', 'de']) {
      expect(sgi.staffQuestion[locale]?.trim()).toBeTruthy()
      expect(sgi.customerQuestion[locale]?.trim()).toBeTruthy()
    }
  })

  it('passes its own validation', () => {
    expect(instrumentProblems(sgi)).toEqual([])
  })
})

describe('SERVICE_GAP_INDEX_V2: version 1 with French and Portuguese', () => {
  const v2 = SERVICE_GAP_INDEX_V2
  const strip = (text: Record<string, string>) => Object.fromEntries(Object.entries(text).filter(([locale]) => sgi.locales.includes(locale)))

  it('is service-gap-index version 2 in all five languages, and valid', () => {
    expect(v2.key).toBe(sgi.key)
    expect(v2.version).toBe(2)
    expect(v2.name).toBe(sgi.name)
    expect(v2.locales).toEqual(['en', 'es', 'de', 'fr', 'pt'])
    expect(instrumentProblems(v2)).toEqual([])
  })

  it('keeps every key, dimension, scale, headline and required flag of version 1, in its order', () => {
    const shape = (def: InstrumentDefinition) => def.items.map(({ key, dimension, scale, headline, required, staffPredictText }) => ({ key, dimension, scale, headline, required, staffPredictText }))
    expect(shape(v2)).toEqual(shape(sgi))
  })

  it('keeps version 1\'s English, Spanish and German wordings and questions word for word', () => {
    for (const [index, item] of v2.items.entries()) {
      expect(strip(item.staffText), item.key).toEqual(sgi.items[index]!.staffText)
      expect(strip(item.customerText), item.key).toEqual(sgi.items[index]!.customerText)
    }
    expect(strip(v2.staffQuestion)).toEqual(sgi.staffQuestion)
    expect(strip(v2.customerQuestion)).toEqual(sgi.customerQuestion)
  })

  it('has French and Portuguese for every wording, with the organization placeholder where English has one', () => {
    for (const item of v2.items) {
      for (const locale of ['fr', 'pt']) {
        expect(item.staffText[locale]?.trim(), `${item.key} staff ${locale}`).toBeTruthy()
        expect(item.customerText[locale]?.trim(), `${item.key} customer ${locale}`).toBeTruthy()
        expect(item.customerText[locale]!.includes('{org}'), `${item.key} ${locale}`).toBe(item.customerText.en!.includes('{org}'))
        expect(item.staffText[locale]!.includes('{org}'), `${item.key} staff ${locale}`).toBe(false)
      }
    }
    for (const locale of ['fr', 'pt']) {
      expect(v2.staffQuestion[locale]?.trim()).toBeTruthy()
      expect(v2.customerQuestion[locale]?.trim()).toBeTruthy()
    }
  })

  it('leaves version 1 as it was published', () => {
    expect(sgi.version).toBe(1)
    expect(sgi.locales).toEqual(['en', 'es', 'de'])
    for (const item of sgi.items) expect(Object.keys(item.customerText).sort()).toEqual(['de', 'en', 'es'])
  })
})

describe('localize', () => {
  const text = { en: 'I trust {org}; {org} is fine.', es: 'Confío en {org}.' }

  it('picks the locale and replaces every placeholder with the organization name', () => {
    expect(localize(text, 'es', 'Acme')).toBe('Confío en Acme.')
    expect(localize(text, 'en', 'Acme')).toBe('I trust Acme; Acme is fine.')
  })

  it('falls back to English for a locale the text lacks, then to any text', () => {
    expect(localize(text, 'de', 'Acme')).toBe('I trust Acme; Acme is fine.')
    expect(localize({ de: 'Nur {org}.' }, 'es', 'Acme')).toBe('Nur Acme.')
    expect(localize({}, 'en', 'Acme')).toBe('')
  })

  it('inserts an organization name containing $ signs literally', () => {
    expect(localize({ en: 'I receive excellent service from {org}.' }, 'en', 'Save$$Money')).toBe('I receive excellent service from Save$$Money.')
    expect(localize({ en: 'From {org}.' }, 'en', 'A$&B')).toBe('From A$&B.')
  })
})

describe('instrumentProblems', () => {
  /** A valid copy of the built-in definition to break one thing at a time. */
  const copy = (): InstrumentDefinition => structuredClone({ ...sgi, key: 'own-instrument' })

  it('finds nothing wrong with a valid own instrument', () => {
    expect(instrumentProblems(copy())).toEqual([])
  })

  it('lists the same problems as instrumentFieldProblems, each led by its field', () => {
    const def = copy()
    def.items[3]!.key = 'valued'
    def.items[1]!.headline = true
    delete def.items[2]!.customerText.de
    expect(instrumentProblems(def)).toEqual([
      'headline: Mark exactly one statement as the headline (2 are marked).',
      'items.2.customerText.de: Enter the customer wording in "de".',
      'items.3.key: Statement 3 already uses the key "valued": give each statement its own key.',
    ])
  })

  it('knows exactly the locales of the language table: en, es, de, fr and pt', () => {
    expect([...LOCALES]).toEqual(['en', 'es', 'de', 'fr', 'pt'])
  })

  it('reports a bad version', () => {
    expect(instrumentProblems({ ...copy(), version: 0 })).toEqual(['version: The version must be a whole number from 1 up.'])
    expect(instrumentProblems({ ...copy(), version: 1.5 })).toEqual(['version: The version must be a whole number from 1 up.'])
  })
})

describe('roles', () => {
  const PERMISSIONS: Permission[] = ['read', 'export', 'manage_waves', 'manage_settings', 'manage_users', 'contacts', 'audit', 'delete_data', 'plans']
  const granted = (role: Role) => PERMISSIONS.filter((permission) => can(role, permission))

  it('lets owners do everything, and admins all but reading the audit log and erasing data', () => {
    expect(granted('owner')).toEqual(PERMISSIONS)
    expect(granted('admin')).toEqual(['read', 'export', 'manage_waves', 'manage_settings', 'manage_users', 'contacts', 'plans'])
  })

  it('lets a unit manager read and make action plans (of their own units: the report scope decides)', () => {
    expect(granted('unit_manager')).toEqual(['read', 'plans'])
  })

  it('lets an analyst read and export only', () => {
    expect(granted('analyst')).toEqual(['read', 'export'])
  })

  it('lets a viewer read only', () => {
    expect(granted('viewer')).toEqual(['read'])
  })

  it('lets only an owner make another owner', () => {
    expect(assignableRoles('owner')).toEqual(['owner', 'admin', 'analyst', 'viewer', 'unit_manager'])
    expect(assignableRoles('admin')).toEqual(['admin', 'analyst', 'viewer', 'unit_manager'])
    expect(assignableRoles('admin')).not.toContain('owner')
  })

  it('lets analysts and viewers assign no role at all', () => {
    expect(assignableRoles('analyst')).toEqual([])
    expect(assignableRoles('viewer')).toEqual([])
  })

  it('does not let a caller change the role list through the returned array', () => {
    assignableRoles('owner').pop()
    expect(assignableRoles('owner')).toHaveLength(5)
    expect(ROLES).toEqual(['owner', 'admin', 'analyst', 'viewer', 'unit_manager'])
  })

  it('recognises exactly the five roles', () => {
    for (const role of ROLES) expect(isRole(role)).toBe(true)
    for (const value of ['Owner', 'superuser', '', null, 1]) expect(isRole(value)).toBe(false)
  })
})
