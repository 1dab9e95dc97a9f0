import { describe, expect, it } from 'vitest'
import {
  checkContact, checkContactFilters, checkCsvContact, DuplicateCheck, readContactHeader, type ContactColumn,
} from '../../server/domain/contacts.js'
import { unitIndex } from '../../server/domain/units.js'

const NORTH = '6f1c1f0e-2b7a-4c1e-9d3a-1a2b3c4d5e6f'
const units = unitIndex([{ id: NORTH, name: 'North Branch' }])

const problem = (input: unknown) => {
  const checked = checkContact(input, units)
  return checked.ok ? null : checked.message
}

describe('one contact', () => {
  it('keeps a good contact, with the email lower-cased, the unit found by name in any case and the attributes as text', () => {
    expect(checkContact({ email: ' Ana@Example.COM ', name: ' Ana Pérez ', side: 'Customer', unit: 'north branch', locale: 'ES', attributes: { tier: 'gold', visits: 3, vip: true } }, units))
      .toEqual({ ok: true, value: { email: 'ana@example.com', name: 'Ana Pérez', side: 'customer', unitId: NORTH, locale: 'es', attributes: { tier: 'gold', visits: '3', vip: 'true' } } })
  })

  it('finds a unit by its id too', () => {
    expect(checkContact({ email: 'a@example.com', side: 'staff', unit: NORTH }, units)).toMatchObject({ ok: true, value: { unitId: NORTH } })
  })

  it('leaves out the fields a row does not give, so that an update keeps them; empty ones are given and clear', () => {
    expect(checkContact({ email: 'a@example.com', side: 'staff' }, units)).toEqual({ ok: true, value: { email: 'a@example.com', side: 'staff' } })
    expect(checkContact({ email: 'a@example.com', side: 'staff', name: '', unit: '', locale: '', attributes: {} }, units))
      .toEqual({ ok: true, value: { email: 'a@example.com', side: 'staff', name: '', unitId: null, locale: null, attributes: {} } })
  })

  it('refuses a missing, malformed or overlong email', () => {
    expect(problem({ side: 'staff' })).toBe('email is missing')
    expect(problem({ email: 'ana.example.com', side: 'staff' })).toBe('email "ana.example.com" is not an address like name@example.com')
    expect(problem({ email: 'ana@example', side: 'staff' })).toMatch(/not an address/)
    expect(problem({ email: 'a b@example.com', side: 'staff' })).toMatch(/not an address/)
    expect(problem({ email: `${'a'.repeat(250)}@example.com`, side: 'staff' })).toBe('email is longer than 254 characters')
    expect(problem({ email: 42, side: 'staff' })).toBe('email must be text')
  })

  it('refuses an address that would be delivered elsewhere than stored, and stores one normalized', () => {
    for (const email of ['a,b@x.test', 'name<c@x.test>', 'Name <c@x.test>', '"a"@x.test', 'a@x.test\r\nBcc: b@x.test', 'a\n@x.test', 'a;b@x.test']) {
      expect(problem({ email, side: 'staff' }), email).toMatch(/not an address like name@example.com/)
    }
    expect(checkContact({ email: ' JOSE\u0301@Example.ES ', side: 'staff' }, units)).toEqual({ ok: true, value: { email: 'jos\u00e9@example.es', side: 'staff' } })
  })

  it('refuses a missing or unknown side', () => {
    expect(problem({ email: 'a@example.com' })).toBe('side is missing: use "staff" or "customer"')
    expect(problem({ email: 'a@example.com', side: 'vendor' })).toBe('side "vendor" is not "staff" or "customer"')
  })

  it('refuses an unknown unit, a long name and an unsupported locale', () => {
    expect(problem({ email: 'a@example.com', side: 'staff', unit: 'South' })).toBe('unit "South" is not one of your units')
    expect(problem({ email: 'a@example.com', side: 'staff', name: 'x'.repeat(101) })).toBe('name is longer than 100 characters')
    expect(problem({ email: 'a@example.com', side: 'staff', name: 'x'.repeat(100) })).toBeNull()
    expect(problem({ email: 'a@example.com', side: 'staff', locale: 'it' })).toBe('locale "it" is not one of en, es, de, fr, pt')
  })

  it('checks attribute names and values, and skips empty values', () => {
    expect(problem({ email: 'a@example.com', side: 'staff', attributes: { '1st': 'x' } })).toMatch(/attribute name "1st" must start with a letter/)
    expect(problem({ email: 'a@example.com', side: 'staff', attributes: { 'a-b': 'x' } })).toMatch(/attribute name "a-b"/)
    expect(problem({ email: 'a@example.com', side: 'staff', attributes: { ['a'.repeat(41)]: 'x' } })).toMatch(/at most 40/)
    expect(problem({ email: 'a@example.com', side: 'staff', attributes: { tier: 'x'.repeat(201) } })).toBe('attribute "tier" is longer than 200 characters')
    expect(problem({ email: 'a@example.com', side: 'staff', attributes: { tier: { nested: 1 } } })).toBe('attribute "tier" must be text')
    expect(problem({ email: 'a@example.com', side: 'staff', attributes: ['gold'] })).toBe('attributes must be an object of names to text')
    expect(checkContact({ email: 'a@example.com', side: 'staff', attributes: { tier: '', region: '  north ' } }, units))
      .toMatchObject({ ok: true, value: { attributes: { region: 'north' } } })
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`a${i}`, 'x']))
    expect(problem({ email: 'a@example.com', side: 'staff', attributes: many })).toBe('has 21 attributes; at most 20 are allowed')
  })

  it('names every problem of a row in one message, and unknown fields too', () => {
    expect(problem({ email: 'bad', side: 'x', colour: 'red' })).toBe('"colour" is not a field of a contact (email, name, side, unit, locale, attributes); email "bad" is not an address like name@example.com; side "x" is not "staff" or "customer"')
    expect(problem('ana@example.com')).toBe('must be an object with email and side')
  })

  it('turns control characters (NUL, line breaks) in names and attributes into spaces, as PostgreSQL cannot store NUL', () => {
    expect(checkContact({ email: 'a@example.com', side: 'staff', name: 'Ana\u0000\nPérez', attributes: { note: 'a\tb' } }, units))
      .toMatchObject({ ok: true, value: { name: 'Ana  Pérez', attributes: { note: 'a b' } } })
  })
})

describe('the header of a CSV file', () => {
  it('finds the known columns in any order and case, and takes the others as attributes', () => {
    const read = readContactHeader(['Side', ' EMAIL ', 'tier', 'Name', '', 'unit', 'locale'])
    expect(read).toEqual({
      ok: true,
      columns: [
        { index: 0, name: 'side', kind: 'side' }, { index: 1, name: 'email', kind: 'email' }, { index: 2, name: 'tier', kind: 'attribute' },
        { index: 3, name: 'name', kind: 'name' }, { index: 4, name: '', kind: 'unnamed' }, { index: 5, name: 'unit', kind: 'unit' },
        { index: 6, name: 'locale', kind: 'locale' },
      ],
    })
  })

  it('needs email and side, refuses unusable attribute names and repeated columns', () => {
    expect(readContactHeader(['name', 'unit'])).toEqual({ ok: false, message: 'The first line must name the columns, including "email" and "side". This file\'s first line reads: name, unit' })
    expect(readContactHeader(['email', 'side', 'e-mail 2'])).toMatchObject({ ok: false, message: expect.stringContaining('The column "e-mail 2" is not a usable attribute name') })
    expect(readContactHeader(['email', 'side', 'Email'])).toMatchObject({ ok: false, message: 'The column "Email" appears more than once.' })
    const wide = ['email', 'side', ...Array.from({ length: 21 }, (_, i) => `a${i}`)]
    expect(readContactHeader(wide)).toMatchObject({ ok: false, message: 'The file has 21 attribute columns; at most 20 are allowed.' })
  })
})

describe('a CSV row', () => {
  const columns = (readContactHeader(['email', 'side', 'unit', 'tier', '']) as { columns: ContactColumn[] }).columns

  it('becomes a contact; empty attribute cells are left out, an empty unit cell clears the unit', () => {
    expect(checkCsvContact(['b@example.com', 'staff', '', '', ''], columns, units))
      .toEqual({ ok: true, value: { email: 'b@example.com', side: 'staff', unitId: null, attributes: {} } })
    expect(checkCsvContact(['b@example.com', 'staff', 'North Branch', 'gold'], columns, units))
      .toEqual({ ok: true, value: { email: 'b@example.com', side: 'staff', unitId: NORTH, attributes: { tier: 'gold' } } })
  })

  it('refuses values in a column without a name, and more cells than the header has columns', () => {
    expect(checkCsvContact(['b@example.com', 'staff', '', '', 'stray'], columns, units)).toEqual({ ok: false, message: 'column 5 has a value but no name in the first line' })
    expect(checkCsvContact(['b@example.com', 'staff', '', '', '', 'x', ''], columns, units)).toEqual({ ok: false, message: 'has 1 more cell than the first line has columns' })
    expect(checkCsvContact(['b@example.com', 'staff', '', '', '', '', ''], columns, units)).toMatchObject({ ok: true })
  })
})

describe('duplicates within one file', () => {
  it('keeps the first row for an email and side, and names it for a later one', () => {
    const duplicates = new DuplicateCheck()
    expect(duplicates.firstRow({ email: 'a@example.com', side: 'staff' }, 2)).toBeNull()
    expect(duplicates.firstRow({ email: 'a@example.com', side: 'customer' }, 3)).toBeNull()
    expect(duplicates.firstRow({ email: 'a@example.com', side: 'staff' }, 7)).toBe(2)
  })
})

describe('the filters of the contact list', () => {
  it('reads every filter, finding the unit by id or name', () => {
    expect(checkContactFilters({ q: ' ana ', side: 'staff', unit: 'north branch', unsubscribed: 'yes', attribute: 'tier', value: 'gold', page: '3' }, units)).toEqual({
      value: { q: 'ana', side: 'staff', unitId: NORTH, unsubscribed: true, attribute: { name: 'tier', value: 'gold' }, page: 3 },
      errors: {},
    })
    expect(checkContactFilters({ unsubscribed: false, unit: NORTH, page: 2 }, units).value).toMatchObject({ unsubscribed: false, unitId: NORTH, page: 2 })
  })

  it('means no filter when nothing is chosen, and page 1 for a page that is not a number', () => {
    expect(checkContactFilters({ q: '', side: '', unit: '', unsubscribed: '', attribute: '', value: '', page: 'x' }, units)).toEqual({
      value: { q: '', side: null, unitId: null, unsubscribed: null, attribute: null, page: 1 },
      errors: {},
    })
  })

  it('names each filter it cannot use, and leaves it out', () => {
    const { value, errors } = checkContactFilters({ side: 'vendor', unit: 'South', unsubscribed: 'maybe', attribute: 'a b', q: 'x' }, units)
    expect(Object.keys(errors).sort()).toEqual(['attribute', 'side', 'unit', 'unsubscribed'])
    expect(value).toEqual({ q: 'x', side: null, unitId: null, unsubscribed: null, attribute: null, page: 1 })
    expect(checkContactFilters({ value: 'gold' }, units).errors).toEqual({ attribute: 'Enter the name of the attribute, such as tier.' })
  })
})
