// findUnit (domain/units.ts): the one way a unit is found from an id or a name, for the report
// filter, contacts, contact files and response imports.
import { describe, expect, it } from 'vitest'
import { findUnit, unitIndex } from '../../server/domain/units.js'

const NORTH = { id: '0b9e1c2a-5d4f-4e3a-9c8b-7a6f5e4d3c2b', name: 'North Branch' }
const SOUTH = { id: '1c0f2d3b-6e5a-4f4b-8d9c-8b7a6f5e4d3c', name: 'South' }
const units = [NORTH, SOUTH]

describe('findUnit', () => {
  it('finds a unit by its exact id, in either case and with spaces around it', () => {
    expect(findUnit(units, NORTH.id)).toBe(NORTH)
    expect(findUnit(units, ` ${NORTH.id.toUpperCase()} `)).toBe(NORTH)
  })

  it('finds a unit by its name, trimmed and ignoring case', () => {
    expect(findUnit(units, 'north branch')).toBe(NORTH)
    expect(findUnit(units, '  SOUTH ')).toBe(SOUTH)
  })

  it('prefers a unit whose id is given over one whose name is that id', () => {
    const confusing = { id: '2d1a3e4c-7f6b-4a5c-9e0d-9c8b7a6f5e4d', name: SOUTH.id }
    expect(findUnit([confusing, SOUTH], SOUTH.id)).toBe(SOUTH)
    expect(findUnit([confusing], SOUTH.id)).toBe(confusing)
  })

  it('finds nothing for an unknown id or name, a part of a name, or nothing at all', () => {
    for (const text of ['West', '2d1a3e4c-7f6b-4a5c-9e0d-9c8b7a6f5e4d', 'North', '', '   ', 'constructor', '__proto__']) expect(findUnit(units, text)).toBeUndefined()
  })

  it('names neither unit when two share a name, so nothing is filed under a guess; their ids still work', () => {
    const twin = { id: '3e2b4f5d-8a7c-4b6d-8f1e-0d9c8b7a6f5e', name: 'north branch ' }
    expect(findUnit([NORTH, twin], 'North Branch')).toBeUndefined()
    expect(findUnit([twin, NORTH], 'North Branch')).toBeUndefined()
    expect(findUnit([NORTH, twin], twin.id)).toBe(twin)
  })

  it('answers the same from a prepared index as from the list', () => {
    const index = unitIndex(units)
    for (const text of [NORTH.id, 'south', 'West']) expect(findUnit(index, text)).toBe(findUnit(units, text))
  })
})
