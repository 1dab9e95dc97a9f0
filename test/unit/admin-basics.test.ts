// The pure rules of the admin basics: the sender of survey mail, changes to a wave, and what an
// archived unit is told.
import { describe, expect, it } from 'vitest'
import { checkSender, parseMailFrom, surveySender } from '../../server/domain/sender.js'
import { checkWaveChanges, closingDay } from '../../server/domain/wave-changes.js'
import { checkContact } from '../../server/domain/contacts.js'
import { unitIndex } from '../../server/domain/units.js'

describe('the sender of survey mail', () => {
  it('reads the installation sender with and without a display name', () => {
    expect(parseMailFrom('Service Gap <surveys@sg.test>')).toEqual({ name: 'Service Gap', address: 'surveys@sg.test' })
    expect(parseMailFrom('"Acme, Inc." <a@b.test>')).toEqual({ name: 'Acme, Inc.', address: 'a@b.test' })
    expect(parseMailFrom('surveys@sg.test')).toEqual({ name: '', address: 'surveys@sg.test' })
  })

  it('puts the organization name in front of the installation name, on the installation address', () => {
    expect(surveySender('Service Gap <surveys@sg.test>', 'Acme Support')).toEqual({ name: 'Acme Support via Service Gap', address: 'surveys@sg.test' })
    expect(surveySender('surveys@sg.test', 'Acme Support')).toEqual({ name: 'Acme Support', address: 'surveys@sg.test' })
    expect(surveySender('Service Gap <surveys@sg.test>', '')).toBe('Service Gap <surveys@sg.test>')
  })

  it('accepts one line and one address, normalized, and nothing that could reach another header or inbox', () => {
    expect(checkSender({ senderName: '  Acme   Support ', replyTo: ' Help@Acme.Example ' })).toEqual({ ok: true, value: { senderName: 'Acme Support', replyTo: 'help@acme.example' } })
    expect(checkSender({})).toEqual({ ok: true, value: { senderName: '', replyTo: null } })
    for (const senderName of ['a\rb', 'a\nb', 'a\u0000b', 'a\u2028b', 'x'.repeat(101), ['a'], 5]) {
      expect(checkSender({ senderName }).ok, JSON.stringify(senderName)).toBe(false)
    }
    for (const replyTo of ['a,b@x.test', 'name <c@x.test>', 'c@x.test>', '"a"@x.test', 'a@b', 'a b@x.test', 'a@x.test\r\nBcc: y@z.test', 'a;b@x.test', ['a@x.test']]) {
      expect(checkSender({ replyTo }).ok, JSON.stringify(replyTo)).toBe(false)
    }
  })
})

describe('changes to a wave', () => {
  const now = new Date('2026-06-01T12:00:00Z')
  const context = { now, opensAt: new Date('2026-05-01T00:00:00Z'), instrumentLocales: ['en', 'de'] }

  it('checks only the fields given', () => {
    expect(checkWaveChanges({}, context)).toEqual({ ok: true, value: {} })
    expect(checkWaveChanges({ name: ' Q2 ', closesAt: '2026-06-30', locales: ['de', 'de'] }, context))
      .toEqual({ ok: true, value: { name: 'Q2', closesAt: new Date('2026-07-01T00:00:00Z'), locales: ['de'] } })
    expect(checkWaveChanges({ closesAt: null }, context)).toEqual({ ok: true, value: { closesAt: null } })
  })

  it('refuses a closing date in the past, no language, another instrument\'s language, and a status other than open or closed', () => {
    const errors = (input: Record<string, unknown>) => { const c = checkWaveChanges(input, context); return c.ok ? {} : c.errors }
    expect(errors({ closesAt: '2026-05-31' }).closesAt).toBe('The closing date must lie in the future.')
    expect(errors({ closesAt: '2026-02-30' }).closesAt).toBe('Enter a date as yyyy-mm-dd.')
    expect(errors({ closesAt: 20260701 }).closesAt).toBe('Enter a date as yyyy-mm-dd.')
    expect(errors({ locales: [] }).locales).toBe('Choose at least one language.')
    expect(errors({ locales: 'es' }).locales).toBe('Languages must be among: en, de.')
    expect(errors({ status: 'draft' }).status).toBe('Choose "open" or "closed".')
    expect(errors({ status: 'closed', closesAt: '2026-12-31' }).closesAt).toContain('leave the closing date out')
    expect(errors({ name: '' }).name).toBeDefined()
  })

  it('shows a closing date typed as a day as that day again', () => {
    expect(closingDay(new Date('2026-07-01T00:00:00Z'))).toBe('2026-06-30')
    expect(closingDay(new Date('2026-07-01T15:30:00Z'))).toBe('2026-07-01')
    expect(closingDay(null)).toBe('')
  })
})

describe('an archived unit', () => {
  it('is found but refused for a new contact, by name', () => {
    const units = unitIndex([{ id: '7d3b8c7e-1111-4111-8111-111111111111', name: 'Old Pier', archived: true }, { id: '7d3b8c7e-2222-4222-8222-222222222222', name: 'North' }])
    expect(checkContact({ email: 'a@b.test', side: 'customer', unit: 'old pier' }, units)).toEqual({ ok: false, message: 'unit "Old Pier" is archived' })
    expect(checkContact({ email: 'a@b.test', side: 'customer', unit: 'North' }, units).ok).toBe(true)
  })
})
