// The checks of a colleague's invitation and of the join form: roles the inviter may give, units a
// unit manager needs, addresses and names of sane size, the password rules with the person's context.
import { describe, expect, it } from 'vitest'
import { checkInvitation, checkJoin, roleInWords } from '../../server/domain/colleagues.js'
import { assignableRoles } from '../../server/domain/roles.js'

const NORTH = '0b7e8a52-64b6-4f0e-9a49-3f4f4a0c1d11'
const SOUTH = '5d1c3b8e-2f7a-4c3e-8b1d-9e6f2a7c4b22'
const UNITS = [NORTH, SOUTH]
const fields = (checked: { ok: boolean; errors?: Record<string, string> }) => (checked.ok ? [] : Object.keys(checked.errors!).sort())

describe('checkInvitation', () => {
  const admin = assignableRoles('admin')

  it('accepts a role the inviter may give, lower-cases the address and drops units for other roles', () => {
    expect(checkInvitation({ email: ' Nia@Example.COM ', name: ' Nia ', role: 'analyst', units: NORTH }, admin, UNITS))
      .toEqual({ ok: true, value: { email: 'nia@example.com', name: 'Nia', role: 'analyst', unitIds: [] } })
  })

  it('needs at least one of the organization\'s units for a unit manager, each once', () => {
    expect(fields(checkInvitation({ email: 'u@x.test', role: 'unit_manager' }, admin, UNITS))).toEqual(['units'])
    expect(fields(checkInvitation({ email: 'u@x.test', role: 'unit_manager', units: ['7f000000-0000-4000-8000-000000000000'] }, admin, UNITS))).toEqual(['units'])
    expect(fields(checkInvitation({ email: 'u@x.test', role: 'unit_manager', units: [{}] }, admin, UNITS))).toEqual(['units'])
    expect(checkInvitation({ email: 'u@x.test', role: 'unit_manager', units: [SOUTH, SOUTH, NORTH] }, admin, UNITS))
      .toMatchObject({ ok: true, value: { unitIds: [SOUTH, NORTH] } })
  })

  it('refuses a role the inviter may not give, an unknown one, and any from someone who gives none', () => {
    expect(fields(checkInvitation({ email: 'o@x.test', role: 'owner' }, admin, UNITS))).toEqual(['role'])
    expect(fields(checkInvitation({ email: 'o@x.test', role: 'superuser' }, admin, UNITS))).toEqual(['role'])
    expect(fields(checkInvitation({ email: 'o@x.test', role: ['viewer'] }, admin, UNITS))).toEqual(['role'])
    expect(fields(checkInvitation({ email: 'o@x.test', role: 'viewer' }, assignableRoles('analyst'), UNITS))).toEqual(['role'])
  })

  it('refuses a missing, malformed, doubled or huge address and a long name, all at once', () => {
    expect(fields(checkInvitation({ role: 'viewer' }, admin, UNITS))).toEqual(['email'])
    expect(fields(checkInvitation({ email: ['a@x.test', 'b@x.test'], role: 'viewer' }, admin, UNITS))).toEqual(['email'])
    expect(fields(checkInvitation({ email: 'a b@x.test', role: 'viewer' }, admin, UNITS))).toEqual(['email'])
    expect(fields(checkInvitation({ email: `${'a'.repeat(250)}@x.test`, name: 'n'.repeat(101), role: 'nobody' }, admin, UNITS))).toEqual(['email', 'name', 'role'])
  })

  it('says each role in words for the mail', () => {
    expect(roleInWords('unit_manager')).toBe('a unit manager')
    expect(roleInWords('admin')).toBe('an admin')
  })
})

describe('checkJoin', () => {
  const context = { email: 'pia@example.test', organization: 'Acme Care' }

  it('accepts a good password typed twice and a name', () => {
    expect(checkJoin({ name: ' Pia ', password: 'a kettle of teal herons', confirm: 'a kettle of teal herons' }, context))
      .toEqual({ ok: true, value: { name: 'Pia', password: 'a kettle of teal herons' } })
  })

  it('applies the password rules with the person\'s own address and organization, and wants it twice', () => {
    expect(fields(checkJoin({ password: 'short', confirm: 'short' }, context))).toEqual(['password'])
    expect(fields(checkJoin({ password: 'pia@example.test', confirm: 'pia@example.test' }, context))).toEqual(['password'])
    expect(fields(checkJoin({ password: 'a kettle of teal herons', confirm: 'something else' }, context))).toEqual(['confirm'])
    expect(fields(checkJoin({ password: ['a kettle of teal herons'], confirm: 'a kettle of teal herons' }, context))).toEqual(['password'])
    expect(fields(checkJoin({ name: 'n'.repeat(101), password: 'a kettle of teal herons', confirm: 'a kettle of teal herons' }, context))).toEqual(['name'])
  })
})
