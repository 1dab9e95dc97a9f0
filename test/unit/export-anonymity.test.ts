// The k-anonymity of staff rows in the responses export (generalizeStaff in
// domain/export-anonymity.ts): worked examples with known answers, and the properties that every
// combination of exported values has at least k rows and that the answer does not depend on order.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SMALLEST_MIN_GROUP_SIZE, smallestShownGroup } from '../../server/domain/anonymity.js'
import {
  exportedStaffCells, generalizationNote, generalizedDay, generalizeStaff, staffAnswerRule, type MeasureStatus, type StaffGeneralization, type StaffGroup,
} from '../../server/domain/export-anonymity.js'
import { Release } from '../../server/domain/release.js'

const DAY = '2026-11-02'
const group = (unitId: string | null, n: number, rest: Partial<StaffGroup> = {}): StaffGroup => ({ unitId, n, day: DAY, language: 'en', channel: 'link', ...rest })
const levels = (g: StaffGeneralization) => ({ day: g.day, language: g.language, channel: g.channel })
const KEPT = { day: 'day', language: 'shown', channel: 'shown' }

/** Units shown when every row shares its day, language and channel: the unit is all there is to hide. */
const shown = (rows: Array<[string | null, number]>, min = 5) => {
  const g = generalizeStaff(rows.map(([unitId, n]) => group(unitId, n)), min)
  return [...g.unitsShown].sort()
}

/** Rows per combination of the values a generalization exports. */
function exportedCombinations(groups: readonly StaffGroup[], g: StaffGeneralization): Map<string, number> {
  const counts = new Map<string, number>()
  for (const row of groups) {
    const cells = exportedStaffCells(g, row)
    const key = JSON.stringify([cells.unitShown ? row.unitId : '', cells.submitted, cells.language, cells.channel])
    counts.set(key, (counts.get(key) ?? 0) + row.n)
  }
  return counts
}

describe('generalizeStaff: units', () => {
  it('shows every unit when each has at least the minimum and no staff are without a unit', () => {
    expect(shown([['a', 5], ['b', 8]])).toEqual(['a', 'b'])
    expect(levels(generalizeStaff([group('a', 5), group('b', 8)], 5))).toEqual(KEPT)
  })

  it('hides a small unit, and the smallest shown unit too when the small one alone could be picked out', () => {
    // 'c' (2) alone would be two people without a unit; hiding 'a' (6) as well makes eight.
    expect(shown([['a', 6], ['b', 9], ['c', 2]])).toEqual(['b'])
  })

  it('counts staff without a unit among the hidden rows', () => {
    expect(shown([[null, 1], ['a', 7], ['b', 10]])).toEqual(['b'])
    expect(shown([[null, 6], ['a', 7]])).toEqual(['a'])
  })

  it('hides the smallest unit still shown, never a larger one, and no more than it takes', () => {
    // One hidden person is too few for a minimum of 7; adding 'b' (8) makes nine, enough.
    expect(shown([['x', 1], ['c', 20], ['b', 8], ['d', 9]], 7)).toEqual(['c', 'd'])
  })

  it('breaks a tie between equally small units by unit id, whatever the order given', () => {
    expect(shown([['b', 5], ['a', 5], ['c', 1], ['d', 9]])).toEqual(['b', 'd'])
    expect(shown([['c', 1], ['d', 9], ['a', 5], ['b', 5]])).toEqual(['b', 'd'])
  })

  it('names a unit again when a unit withheld after it made withholding it unnecessary', () => {
    // The rows without a unit ('c': 2 en, 1 de) are too few in both languages. Withholding 'a' (the
    // smaller id of two equal units) helps English only, so 'b' is withheld too; then 'a' is not needed.
    const g = generalizeStaff([group('a', 10), group('b', 5), group('b', 5, { language: 'de' }), group('c', 2), group('c', 1, { language: 'de' })], 5)
    expect(levels(g)).toEqual(KEPT)
    expect([...g.unitsShown]).toEqual(['a'])
  })

  it('exports no staff row when the whole side is too small, and says so', () => {
    for (const rows of [[group('a', 2), group('b', 2)], []]) {
      const g = generalizeStaff(rows, 5)
      expect(g.exported).toBe(false)
      expect(g.unitsShown.size).toBe(0)
      expect(generalizationNote(g)).toBe('staff rows not exported: fewer than 5 staff responses')
    }
  })

  it('never goes below the smallest minimum the product allows', () => {
    expect(shown([['a', 2], ['b', 3], ['c', 4]], 1)).toEqual(['c'])
    expect(generalizeStaff([group('a', 2)], 1).exported).toBe(false)
    expect(generalizeStaff([group('a', 3)], 1).k).toBe(3)
    expect(SMALLEST_MIN_GROUP_SIZE).toBe(3)
  })
})

describe('generalizeStaff: day, language and channel', () => {
  it('withholds the channel when one staff member answered a personal invitation', () => {
    const g = generalizeStaff([group('a', 10), group('b', 9), group('b', 1, { channel: 'invitation' })], 5)
    expect(levels(g)).toEqual({ ...KEPT, channel: 'withheld' })
    expect([...g.unitsShown].sort()).toEqual(['a', 'b'])
    expect(generalizationNote(g)).toBe('k-anonymous, k=5; unit empty when none or withheld; answer empty where the report hides its group; channel withheld')
  })

  it('withholds the language when too few answered in one', () => {
    const g = generalizeStaff([group('a', 12), group('a', 2, { language: 'de' })], 5)
    expect(levels(g)).toEqual({ ...KEPT, language: 'withheld' })
    expect(g.unitsShown).toEqual(new Set(['a']))
  })

  it('shows the ISO week when days are too few but their week is enough', () => {
    const g = generalizeStaff([group('a', 5), group('a', 2, { day: '2026-11-03' }), group('a', 3, { day: '2026-11-04' })], 5)
    expect(levels(g)).toEqual({ ...KEPT, day: 'week' })
    expect(exportedStaffCells(g, group('a', 1, { day: '2026-11-04' }))).toEqual({ unitShown: true, submitted: '2026-W45', language: 'en', channel: 'link' })
    expect(generalizationNote(g)).toContain('submitted as ISO week')
  })

  it('shows the month when weeks are too few, and the week when it joins two months', () => {
    expect(generalizeStaff([group('a', 3), group('a', 3, { day: '2026-11-10' })], 5).day).toBe('month')
    expect(generalizeStaff([group('a', 3, { day: '2026-11-30' }), group('a', 3, { day: '2026-12-01' })], 5).day).toBe('week')
    expect(generalizeStaff([group('a', 3, { day: '2026-10-01' }), group('a', 3, { day: '2026-12-01' })], 5).day).toBe('withheld')
  })

  it('withholds a few units rather than a column of every row when that loses less', () => {
    // Keeping the language costs the 30 rows of a and b their unit (30 × 6); withholding it costs all 130 rows their language (130 × 2).
    const g = generalizeStaff([group('a', 20), group('a', 5, { language: 'de' }), group('b', 4), group('b', 1, { language: 'de' }), group('c', 100)], 5)
    expect(levels(g)).toEqual(KEPT)
    expect([...g.unitsShown]).toEqual(['c'])
  })

  it('withholds a column rather than units when that loses less', () => {
    // The same 30 rows lose either their unit (30 × 6) or their language (30 × 2): the units stay.
    const g = generalizeStaff([group('a', 20), group('a', 5, { language: 'de' }), group('b', 4), group('b', 1, { language: 'de' })], 5)
    expect(levels(g)).toEqual({ ...KEPT, language: 'withheld' })
    expect([...g.unitsShown].sort()).toEqual(['a', 'b'])
  })

  it('gives up the channel before the language, and a day\'s precision before the language', () => {
    // Withholding either the channel or the language would do; the channel tells less, so it goes.
    const either = generalizeStaff([group('a', 4), group('a', 1, { channel: 'invitation' }), group('a', 1, { language: 'de' }), group('a', 4, { language: 'de', channel: 'invitation' })], 5)
    expect(levels(either)).toEqual({ ...KEPT, channel: 'withheld' })
    // Two days of three answers: the ISO week (a third of the day lost) beats withholding the language.
    const days = generalizeStaff([group('a', 3), group('a', 2, { language: 'de' }), group('a', 3, { day: '2026-11-03' }), group('a', 3, { day: '2026-11-03', language: 'de' })], 5)
    expect(levels(days)).toEqual({ ...KEPT, day: 'week' })
  })

  it('climbs the day to its month when that keeps the unit names', () => {
    // By day or week, b's three rows in each of two weeks would take a's and c's names with them.
    const g = generalizeStaff([group('a', 10), group('b', 3), group('b', 3, { day: '2026-11-10' }), group('c', 10, { day: '2026-11-10' })], 5)
    expect(levels(g)).toEqual({ ...KEPT, day: 'month' })
    expect([...g.unitsShown].sort()).toEqual(['a', 'b', 'c'])
  })
})

describe('generalizedDay', () => {
  it('writes days as ISO weeks, numbered within the year of their Thursday', () => {
    expect(generalizedDay('2026-01-01', 'week')).toBe('2026-W01')
    expect(generalizedDay('2027-01-01', 'week')).toBe('2026-W53')
    expect(generalizedDay('2024-12-30', 'week')).toBe('2025-W01')
    expect(generalizedDay('2021-01-03', 'week')).toBe('2020-W53')
    expect(generalizedDay('2026-11-30', 'week')).toBe('2026-W49')
  })

  it('writes days as themselves, their month, or nothing', () => {
    expect(generalizedDay('2026-11-30', 'day')).toBe('2026-11-30')
    expect(generalizedDay('2026-11-30', 'month')).toBe('2026-11')
    expect(generalizedDay('2026-11-30', 'withheld')).toBe('')
  })
})

describe('generalizeStaff: properties', () => {
  const groups = fc.array(fc.record({
    unitId: fc.option(fc.constantFrom('u1', 'u2', 'u3', 'u4', 'u5', 'u6'), { nil: null, freq: 5 }),
    day: fc.constantFrom('2026-10-30', '2026-11-02', '2026-11-03', '2026-11-09', '2026-11-30', '2026-12-01'),
    language: fc.constantFrom('en', 'de', 'fr'),
    channel: fc.constantFrom('link', 'invitation', 'import', 'api'),
    n: fc.integer({ min: 1, max: 12 }),
  }), { maxLength: 40 })

  it('leaves every combination of exported values at least k rows, or exports no staff row', () => {
    fc.assert(fc.property(groups, fc.integer({ min: 1, max: 12 }), (rows, min) => {
      const g = generalizeStaff(rows, min)
      const total = rows.reduce((sum, row) => sum + row.n, 0)
      expect(g.exported).toBe(total >= smallestShownGroup(min))
      if (!g.exported) return
      for (const [combination, n] of exportedCombinations(rows, g)) expect(n, combination).toBeGreaterThanOrEqual(smallestShownGroup(min))
    }), { numRuns: 1000 })
  })

  it('gives the same answer whatever the order of the rows, and whether counted or one by one', () => {
    fc.assert(fc.property(groups, fc.integer({ min: 1, max: 12 }), fc.array(fc.double({ noNaN: true }), { minLength: 40, maxLength: 40 }), (rows, min, order) => {
      const g = generalizeStaff(rows, min)
      const shuffled = rows.map((row, i) => ({ row, at: order[i]! })).sort((a, b) => a.at - b.at).map(({ row }) => row)
      const oneByOne = shuffled.flatMap((row) => Array.from({ length: row.n }, () => ({ ...row, n: 1 })))
      for (const other of [generalizeStaff(shuffled, min), generalizeStaff(oneByOne, min)]) {
        expect(levels(other)).toEqual(levels(g))
        expect([...other.unitsShown].sort()).toEqual([...g.unitsShown].sort())
      }
    }), { numRuns: 300 })
  })
})

describe('generalizeStaff: release steps, each k-anonymous on its own', () => {
  /** Rows per (step, exported combination): what two exports on either side of steps differ by. */
  function stepCombinations(groups: readonly StaffGroup[], g: StaffGeneralization): Map<string, number> {
    const counts = new Map<string, number>()
    for (const row of groups) {
      const cells = exportedStaffCells(g, row)
      const key = JSON.stringify([row.step ?? 0, cells.unitShown ? row.unitId : '', cells.submitted, cells.language, cells.channel])
      counts.set(key, (counts.get(key) ?? 0) + row.n)
    }
    return counts
  }

  it('withholds the language when a step adds one German answer to a unit\'s five (5 → 6 across two exports)', () => {
    const earlier = [group('a', 5, { step: 1 }), group('a', 5, { step: 2, language: 'de' })]
    expect(levels(generalizeStaff(earlier, 5))).toEqual(KEPT)
    const later = [...earlier, group('a', 1, { step: 3, language: 'de' }), group('a', 4, { step: 3 })]
    const g = generalizeStaff(later, 5)
    expect(levels(g)).toEqual({ ...KEPT, language: 'withheld' })
    expect([...g.unitsShown]).toEqual(['a'])
    // The same rows in one step are k-anonymous as they are: the step is what the file must hide.
    expect(levels(generalizeStaff(later.map((row) => ({ ...row, step: 1 })), 5))).toEqual(KEPT)
  })

  it('withholds a unit whose step is too small for it, and counts its rows with the others of that step', () => {
    // Step 2: 'a' gains five, 'b' two (a unit the release hides gets any number); 'b' is withheld.
    const g = generalizeStaff([group('a', 6, { step: 1 }), group('b', 5, { step: 1 }), group('a', 5, { step: 2 }), group(null, 3, { step: 2 }), group('b', 2, { step: 2 })], 5)
    expect(levels(g)).toEqual(KEPT)
    expect([...g.unitsShown]).toEqual(['a'])
  })

  it('exports no staff row when a step is smaller than k (rows deleted since), and says so', () => {
    const g = generalizeStaff([group('a', 10, { step: 1 }), group('a', 3, { step: 2 })], 5)
    expect(g.exported).toBe(false)
    expect(g.notExported).toBe('small_step')
    expect(generalizationNote(g)).toBe('staff rows not exported: a release step has fewer than 5 staff responses')
  })

  const stepped = fc.array(fc.record({
    unitId: fc.option(fc.constantFrom('u1', 'u2', 'u3', 'u4'), { nil: null, freq: 5 }),
    day: fc.constantFrom('2026-11-02', '2026-11-03', '2026-11-09', '2026-12-01'),
    language: fc.constantFrom('en', 'de', 'fr'),
    channel: fc.constantFrom('link', 'invitation', 'import'),
    step: fc.integer({ min: 1, max: 4 }),
    n: fc.integer({ min: 1, max: 9 }),
  }), { maxLength: 30 })

  it('leaves every step\'s rows in each exported combination 0 or at least k, so the rows any two exports differ by are too', () => {
    fc.assert(fc.property(stepped, fc.integer({ min: 3, max: 7 }), fc.integer({ min: 0, max: 4 }), (rows, min, upTo) => {
      const k = smallestShownGroup(min)
      const steps = new Map<number, number>()
      for (const row of rows) steps.set(row.step, (steps.get(row.step) ?? 0) + row.n)
      const g = generalizeStaff(rows, min)
      // Every step holding k rows (as the release makes them) is always enough to export.
      if ([...steps.values()].every((n) => n >= k) && steps.size > 0) expect(g.exported).toBe(true)
      if (!g.exported) return
      for (const [combination, n] of stepCombinations(rows, g)) expect(n, combination).toBeGreaterThanOrEqual(k)
      // Two exports, after step upTo and after all: the later file's rows of the later steps, by what it prints.
      const added = rows.filter((row) => row.step > upTo)
      const later = new Map<string, number>()
      for (const [key, n] of exportedCombinations(added, g)) later.set(key, n)
      for (const [combination, n] of later) expect(n, combination).toBeGreaterThanOrEqual(k)
    }), { numRuns: 1000 })
  })
})

describe('staffAnswerRule: an answer cell only where the release shows its group', () => {
  /** A release given as a table: unit (or "whole") → measure → status; anything not listed is shown. */
  const table = (statuses: Record<string, Record<string, MeasureStatus>>) => (unitId: string | null, measure: string): MeasureStatus =>
    statuses[unitId ?? 'whole']?.[measure] ?? 'shown'

  it('blanks a named unit\'s column where its figure is hidden, and keeps the others', () => {
    // A unit of six where one gave the headline prediction: hidden for it, shown for the rest.
    const rule = staffAnswerRule(table({ small: { 'predict:excellent_service': 'hidden' } }), ['north', 'small'], ['excellent_service', 'predict:excellent_service'])
    expect(rule.rowsExported).toBe(true)
    expect(rule.shows('small', 'predict:excellent_service')).toBe(false)
    expect(rule.shows('small', 'excellent_service')).toBe(true)
    expect(rule.shows('north', 'predict:excellent_service')).toBe(true)
  })

  it('blanks the rows without a unit where the whole wave is hidden, or where a named unit is (the whole less the rest would give it)', () => {
    const measures = ['valued', 'trust', 'easy']
    const rule = staffAnswerRule(table({ whole: { trust: 'hidden' }, small: { valued: 'hidden', easy: 'empty' } }), ['north', 'small'], measures)
    expect(rule.shows(null, 'valued')).toBe(false)
    expect(rule.shows(null, 'trust')).toBe(false)
    // A named unit nobody answered in has nothing to give away: its cells are "na" or blank anyway.
    expect(rule.shows(null, 'easy')).toBe(true)
    expect(rule.shows('small', 'easy')).toBe(true)
    expect(rule.shows('north', 'trust')).toBe(true)
    // A unit not named is not asked about: its rows are among those without a unit.
    expect(staffAnswerRule(table({ kiosk: { valued: 'hidden' } }), ['north'], measures).shows(null, 'valued')).toBe(true)
  })

  it('blanks every column of a unit whose respondents are hidden, and writes no row when the whole side\'s are', () => {
    const hiddenUnit = staffAnswerRule(table({ small: { respondents: 'hidden' } }), ['small'], ['valued'])
    expect(hiddenUnit.shows('small', 'valued')).toBe(false)
    expect(hiddenUnit.shows('unknown', 'valued')).toBe(false)
    const hiddenWhole = staffAnswerRule(table({ whole: { respondents: 'hidden' } }), ['north'], ['valued'])
    expect(hiddenWhole.rowsExported).toBe(false)
    expect(hiddenWhole.shows('north', 'valued')).toBe(false)
    expect(hiddenWhole.shows(null, 'valued')).toBe(false)
  })

  // With the product's own release over random units (respondents and how many of them answered one
  // item), and any set of named units the release shows: an attacker who knows every figure the
  // release shows and every filled-cell count of the export (per named unit, and for the rows without
  // a unit) can fix no unit's count the release hides.
  it('adds no hidden count to what the release shows, whatever the units and their answers', () => {
    const unit = fc.record({ respondents: fc.integer({ min: 1, max: 14 }), answered: fc.integer({ min: 0, max: 14 }) })
    fc.assert(fc.property(fc.array(unit, { minLength: 1, maxLength: 6 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), fc.integer({ min: 3, max: 6 }), (units, naming, k) => {
      const ids = units.map((_, i) => `u${i}`)
      const counts = units.map((u) => [u.respondents, Math.min(u.answered, u.respondents)])
      const release = new Release(ids.map((id, i) => ({ unitKey: id, attributes: {}, counts: counts[i]! })), k)
      const status = (unitId: string | null, measure: string): MeasureStatus => {
        const s = release.status({ unit: unitId, attribute: null }, measure === 'respondents' ? 0 : 1)
        return s.shown ? 'shown' : s.reason === 'no_answers' ? 'empty' : 'hidden'
      }
      const named = ids.filter((id, i) => naming[i] && status(id, 'respondents') === 'shown')
      const rule = staffAnswerRule(status, named, ['item'])
      if (!rule.rowsExported) return
      const known = new Map<string, number>()
      for (const id of ids) if (status(id, 'item') === 'shown') known.set(id, counts[ids.indexOf(id)]![1]!)
      for (const id of named) if (rule.shows(id, 'item')) known.set(id, counts[ids.indexOf(id)]![1]!)
      const equations: Array<{ parts: string[]; value: number }> = []
      const total = counts.reduce((sum, c) => sum + c[1]!, 0)
      if (status(null, 'item') === 'shown') equations.push({ parts: ids, value: total })
      const unnamed = ids.filter((id) => !named.includes(id))
      if (rule.shows(null, 'item') && unnamed.length > 0) {
        equations.push({ parts: unnamed, value: unnamed.reduce((sum, id) => sum + counts[ids.indexOf(id)]![1]!, 0) })
        equations.push({ parts: named, value: total - equations.at(-1)!.value })
      }
      for (let changed = true; changed;) {
        changed = false
        for (const { parts, value } of equations) {
          const open = parts.filter((p) => !known.has(p))
          if (open.length !== 1) continue
          known.set(open[0]!, value - parts.filter((p) => known.has(p)).reduce((sum, p) => sum + known.get(p)!, 0))
          changed = true
        }
      }
      for (const [id, n] of known) {
        if (status(id, 'item') === 'hidden') throw new Error(`${id}'s hidden count ${n} follows (k=${k}, units ${JSON.stringify(counts)}, named ${named})`)
      }
    }), { numRuns: 400, seed: 15 })
  })
})
