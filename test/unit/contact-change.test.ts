import { describe, expect, it } from 'vitest'
import { checkContactChange } from '../../server/domain/contact-change.js'
import { unitIndex } from '../../server/domain/units.js'

const NORTH = '6f1c1f0e-2b7a-4c1e-9d3a-1a2b3c4d5e6f'
const OLD = '7f1c1f0e-2b7a-4c1e-9d3a-1a2b3c4d5e6f'
const units = unitIndex([{ id: NORTH, name: 'North Branch' }, { id: OLD, name: 'Old', archived: true }])
const stored = { attributes: { tier: 'gold', region: 'west' }, unsubscribed: false }

describe('a change to one contact', () => {
  it('cleans each field as the import does, and gives only the fields sent', () => {
    expect(checkContactChange({ name: ' Ana\tP. ', unit: 'north branch', locale: 'ES' }, units, stored))
      .toEqual({ ok: true, value: { name: 'Ana P.', unitId: NORTH, locale: 'es' } })
    expect(checkContactChange({ unit: null, locale: null, name: null }, units, stored)).toEqual({ ok: true, value: { unitId: null, locale: null, name: '' } })
    expect(checkContactChange({}, units, stored)).toEqual({ ok: true, value: {} })
  })

  it('merges attributes into the stored ones: null or empty removes one, null for all removes them all', () => {
    expect(checkContactChange({ attributes: { tier: 'platinum', region: null, visits: '3' } }, units, stored))
      .toEqual({ ok: true, value: { attributes: { tier: 'platinum', visits: '3' } } })
    expect(checkContactChange({ attributes: { region: '' } }, units, stored)).toEqual({ ok: true, value: { attributes: { tier: 'gold' } } })
    expect(checkContactChange({ attributes: null }, units, stored)).toEqual({ ok: true, value: { attributes: {} } })
    const twenty = Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`a${i}`, 'x']))
    expect(checkContactChange({ attributes: { ...twenty, region: null } }, units, stored)).toMatchObject({ ok: true })
    expect(checkContactChange({ attributes: twenty }, units, stored)).toEqual({ ok: false, errors: { attributes: 'would have 21 attributes; at most 20 are allowed (remove some with null)' } })
  })

  it('names each problem under its field, the identity included', () => {
    expect(checkContactChange({ email: 'b@example.com', side: 'staff', unit: 'Old', locale: 'it', attributes: { '1x': 'y' } }, units, stored)).toEqual({
      ok: false,
      errors: {
        email: expect.stringContaining('cannot be changed'),
        side: expect.stringContaining('cannot be changed'),
        unit: expect.stringContaining('archived'),
        locale: 'locale "it" is not one of en, es, de, fr, pt',
        attributes: expect.stringContaining('attribute name "1x" must start with a letter'),
      },
    })
  })

  it('unsubscribes, but never subscribes again someone who unsubscribed', () => {
    expect(checkContactChange({ unsubscribed: true }, units, stored)).toEqual({ ok: true, value: { unsubscribed: true } })
    expect(checkContactChange({ unsubscribed: false }, units, stored)).toEqual({ ok: true, value: {} })
    expect(checkContactChange({ unsubscribed: false }, units, { ...stored, unsubscribed: true })).toMatchObject({ ok: false, errors: { unsubscribed: expect.stringContaining('Only they can choose') } })
  })
})
