// The anonymity release of one side (server/domain/release.ts, design §5): hand-built lattices whose
// answers were worked out by hand (in the comments), then the attacks that beat the module as it
// stands — each written as the combination of shown groups a reader would use, which must not all be
// shown. The generated checks against an independent auditor are in release.property.test.ts.
import { describe, expect, it } from 'vitest'
import { dimensionMeasures, measureKeys, measureVector } from '../../server/domain/measures.js'
import { hiddenBecause } from '../../server/presenters/report.js'
import { rollupTotals } from '../../server/repositories/rollups.js'
import { nextStaffStep, Release, type GroupRef, type Profile } from '../../server/domain/release.js'

const P = (unitKey: string, n: number, attributes: Record<string, string> = {}, more: number[] = []): Profile =>
  ({ unitKey, attributes, counts: [n, ...more] })
/** One pending staff answer. */
const one = (unitKey: string, attributes: Record<string, string> = {}): Profile => P(unitKey, 1, attributes)

const W: GroupRef = { unit: null, attribute: null }
const U = (unit: string): GroupRef => ({ unit, attribute: null })
const V = (name: string, value: string, unit: string | null = null): GroupRef => ({ unit, attribute: { name, value } })

const statusOf = (release: Release, group: GroupRef, measure = 0) => {
  const s = release.status(group, measure)
  return s.shown ? s.n : s.reason
}
/** Whether a reader can read every one of these groups. */
const allShown = (release: Release, groups: GroupRef[], measure = 0) => groups.every((g) => release.shown(g, measure))

/** Every group a reader can ask for that somebody is in, for comparing two releases. */
function everyGroup(profiles: readonly Profile[]): GroupRef[] {
  const units = [...new Set(profiles.map((p) => p.unitKey))].sort()
  const values = new Map<string, GroupRef['attribute']>()
  for (const p of profiles) for (const [name, value] of Object.entries(p.attributes)) values.set(JSON.stringify([name, value]), { name, value })
  const attributes = [...values.values()]
  return [W, ...units.map(U), ...attributes.map((attribute) => ({ unit: null, attribute })),
    ...units.flatMap((unit) => attributes.map((attribute) => ({ unit, attribute })))]
}
/** The releases a reader sees around one staff step: before it, and after the answers it lets in. */
function step(current: Profile[], pending: Profile[], k: number) {
  const released = current.map((p) => ({ ...p, step: 1 }))
  const before = new Release(released, k)
  const result = nextStaffStep(released, pending, k, before.save())
  const chosen = result?.chosen ?? []
  const after = result ? new Release([...released, ...chosen.map((i) => ({ ...pending[i]!, step: 2 }))], k, result.release) : before
  return { chosen, before, after }
}
const snapshot = (release: Release, profiles: readonly Profile[]) =>
  everyGroup(profiles).map((g) => `${JSON.stringify(g)} ${JSON.stringify(release.status(g))}`)

describe('Release: worked lattices', () => {
  it('hides a small unit and, of two equal units, the one with the smaller key; the whole stays', () => {
    // k = 5. A = 10, B = 10, C = 3. C < 5: too_few. The hidden parts of the whole by unit would be
    // C alone (3, and whole − A − B = 3), so one more unit is hidden: A and B tie at 10, A's key is
    // smaller. Hidden then: A + C = 13 ≥ 5. The whole (23) is shown.
    const r = new Release([P('A', 10), P('B', 10), P('C', 3)], 5)
    expect(statusOf(r, W)).toBe(23)
    expect(statusOf(r, U('A'))).toBe('protects_smaller')
    expect(statusOf(r, U('B'))).toBe(10)
    expect(statusOf(r, U('C'))).toBe('too_few')
  })

  it('hides the role groups when a role sits inside one unit (by the data) and the rest of it is small', () => {
    // k = 5. A: 10 with role x, 2 with role y; B: 10 with role y. Whole 22.
    // [A y] = 2 is too_few. With x and y shown, A's two with role y would be the only ones in A and
    // y — a class of 2 (A − x = 2). The cheapest merge hides [A x], [* x] and [* y]: A's twelve then
    // share one class ({whole, A}), B's ten another ({whole, B, [B y]}).
    const r = new Release([P('A', 10, { role: 'x' }), P('A', 2, { role: 'y' }), P('B', 10, { role: 'y' })], 5)
    expect([W, U('A'), U('B'), V('role', 'y', 'B')].map((g) => statusOf(r, g))).toEqual([22, 12, 10, 10])
    for (const g of [V('role', 'x'), V('role', 'y'), V('role', 'x', 'A')]) expect(statusOf(r, g)).toBe('protects_smaller')
    expect(statusOf(r, V('role', 'y', 'A'))).toBe('too_few')
    expect(statusOf(r, V('role', 'x', 'B'))).toBe('no_answers')
  })

  it('does not show a unit and a role that cover everyone and overlap in fewer than k', () => {
    // k = 5. A: 10 with role x; B: 2 with role x, 8 with role y. Whole 20, B 10, x 12.
    // x + B − whole = B ∩ x = 2 people, so not all three may be shown. [B x] = 2 is too_few; B's two
    // with x stand apart from B's eight with y only by the role groups, so x, y and [B y] are hidden:
    // B's ten form one class, A's ten another ({whole, A, [A x]}).
    const r = new Release([P('A', 10, { role: 'x' }), P('B', 2, { role: 'x' }), P('B', 8, { role: 'y' })], 5)
    expect(allShown(r, [V('role', 'x'), U('B'), W])).toBe(false)
    expect([W, U('A'), U('B'), V('role', 'x', 'A')].map((g) => statusOf(r, g))).toEqual([20, 10, 10, 10])
    for (const g of [V('role', 'x'), V('role', 'y'), V('role', 'y', 'B')]) expect(statusOf(r, g)).toBe('protects_smaller')
    expect(statusOf(r, V('role', 'x', 'B'))).toBe('too_few')
  })

  it('in a two-way table with one small cell, keeps the units and hides what would single the cell out', () => {
    // k = 5.        a=v  a=w | unit
    //          A     6    6  |  12
    //          B     6    2  |   8
    //          value 12   8  |  20
    // [B w] = 2 is too_few. B's two with w must share a class with others. Units weigh four times
    // their size when hidden, so the cheapest merge hides [B v] and both value groups: B's eight then
    // form one class ({whole, B}), A's six with v and six with w one each.
    const r = new Release([P('A', 6, { a: 'v' }), P('A', 6, { a: 'w' }), P('B', 6, { a: 'v' }), P('B', 2, { a: 'w' })], 5)
    expect([W, U('A'), U('B'), V('a', 'v', 'A'), V('a', 'w', 'A')].map((g) => statusOf(r, g))).toEqual([20, 12, 8, 6, 6])
    expect([V('a', 'v'), V('a', 'w'), V('a', 'v', 'B')].map((g) => statusOf(r, g))).toEqual(['protects_smaller', 'protects_smaller', 'protects_smaller'])
    expect(statusOf(r, V('a', 'w', 'B'))).toBe('too_few')
  })

  it('treats attributes named like Object.prototype members as plain attributes', () => {
    // k = 3. Own properties named constructor, toString, hasOwnProperty and __proto__ (the last made
    // with JSON.parse, as it would arrive from a CSV import; an object literal would set the
    // prototype instead). Everyone is in A: 3 hold each value, 3 lack every attribute.
    const odd = JSON.parse('{"constructor":"c","toString":"t","hasOwnProperty":"h","__proto__":"p"}') as Record<string, string>
    const r = new Release([P('A', 3, odd), P('A', 3)], 3)
    expect(statusOf(r, W)).toBe(6)
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      // whole − value = the 3 without any attribute: ≥ 3, so each value is shown
      expect(statusOf(r, V(name, Object.getOwnPropertyDescriptor(odd, name)!.value as string))).toBe(3)
      expect(r.offers(name, Object.getOwnPropertyDescriptor(odd, name)!.value as string)).toBe(true)
      // a value nobody holds, and what a prototype lookup would give
      expect(statusOf(r, V(name, 'nobody'))).toBe('no_answers')
      expect(r.offers(name, 'nobody')).toBe(false)
    }
    expect(r.offers('constructor', String(Object))).toBe(false)
    expect([...r.offeredValues().keys()].sort()).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString'])
    // someone without the attribute is not in a value group that a prototype lookup would invent
    const lacking = new Release([P('A', 3), P('B', 3)], 3)
    expect(statusOf(lacking, V('constructor', 'c'))).toBe('no_answers')
    expect(lacking.offeredValues().size).toBe(0)
  })

  it('answers no_answers for a value nobody holds, a unit nobody is in, and an empty side', () => {
    const r = new Release([P('A', 5, { a: 'v' })], 5)
    expect(statusOf(r, V('a', 'w'))).toBe('no_answers')
    expect(statusOf(r, V('b', 'v'))).toBe('no_answers')
    expect(statusOf(r, U('Z'))).toBe('no_answers')
    expect(r.offers('a', 'w')).toBe(false)
    const empty = new Release([], 5)
    expect(statusOf(empty, W)).toBe('no_answers')
    expect(empty.offeredValues().size).toBe(0)
  })

  it('offers a value only where its group across the side is shown', () => {
    // k = 5: v held by 6, w by 4 (too_few), x by 5; people lacking the attribute (2) are never offered.
    // Offering every value held by k or more would tell, next to the shown whole, how many hold the rest.
    const r = new Release([P('A', 6, { a: 'v' }), P('A', 4, { a: 'w' }), P('B', 5, { a: 'x' }), P('B', 2)], 5)
    for (const value of ['v', 'w', 'x']) expect(r.offers('a', value), value).toBe(r.shown(V('a', value)))
    expect(r.offers('a', 'w')).toBe(false)
    expect(r.offeredValues()).toEqual(new Map([...['v', 'x'].filter((v) => r.shown(V('a', v))).length ? [['a', ['v', 'x'].filter((v) => r.shown(V('a', v)))] as const] : []]))
  })

  it('gives the same release whatever the order of the profiles', () => {
    const profiles = [P('A', 6, { a: 'v', b: 'p' }), P('A', 2, { a: 'w' }), P('B', 5, { b: 'q' }), P('B', 4, { a: 'v', b: 'p' }),
      P('C', 3, { a: 'w', b: 'q' }), P('C', 7), P('A', 1, { a: 'v' })]
    const reference = snapshot(new Release(profiles, 3), profiles)
    let seed = 7
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    for (let round = 0; round < 20; round++) {
      const shuffled = [...profiles].sort(() => random() - 0.5)
      expect(snapshot(new Release(shuffled, 3), profiles)).toEqual(reference)
    }
  })

  it('treats k below 3 as 3', () => {
    // A = 2 would be shown with k = 2; with the floor of 3 it is too_few, and B (4) hides it.
    const profiles = [P('A', 2), P('B', 4), P('C', 5)]
    for (const k of [0, 1, 2]) {
      const r = new Release(profiles, k)
      expect(snapshot(r, profiles)).toEqual(snapshot(new Release(profiles, 3), profiles))
      expect(statusOf(r, U('A'))).toBe('too_few')
      expect(statusOf(r, U('B'))).toBe('protects_smaller')
    }
  })
})

describe('nextStaffStep: worked steps', () => {
  const current = [P('A', 10), P('B', 10)]

  it('waits while fewer than k answers are pending', () => {
    expect(step(current, [one('A'), one('A'), one('A'), one('A')], 5).chosen).toEqual([])
    expect(step(current, [], 5).chosen).toEqual([])
    expect(step([], [one('A'), one('A')], 1).chosen).toEqual([]) // k floored at 3
  })

  it('lets k answers in one shown unit go together', () => {
    expect(step(current, [one('A'), one('A'), one('A'), one('A'), one('A')], 5).chosen).toEqual([0, 1, 2, 3, 4])
  })

  it('holds back one answer that would sit alone in another shown unit', () => {
    // B would grow by 1: B after − B before is that one person.
    expect(step(current, [one('A'), one('B'), one('A'), one('A'), one('A'), one('A')], 5).chosen).toEqual([0, 2, 3, 4, 5])
  })

  it('lets every pending answer in at the first release, once there are k', () => {
    expect(step([], [one('A'), one('A'), one('A'), one('B'), one('B')], 5).chosen).toEqual([0, 1, 2, 3, 4])
    expect(step([], [one('A'), one('A'), one('A'), one('B')], 5).chosen).toEqual([])
  })
})

// ---------------------------------------------------------------------------------------------------
// Attacks that beat the first, rule-based module (0f80f2f). Each test names the combination of shown
// groups and the group it reveals; the k-anonymous release hides at least one of those groups.

describe('Release: attacks found against the rule-based release', () => {
  it('a hidden unit whose members all share one value is still readable as unit × value', () => {
    // k = 3. u0: 3 with a=v0; u1: 1 without a; u2: 3 with a=v0; u3: 3 with a=v0. Whole 10.
    // u1 (1) is too_few; the unit cut hides u0 (ties at 3, smallest key). But [u0 a=v0] has the
    // same members as u0 and is shown (nothing checks a hidden group against a shown one that is
    // equal to it by the data). Reader: whole − u2 − u3 − [u0 a=v0] = 10 − 3 − 3 − 3 = the 1 in u1.
    const r = new Release([P('u2', 3, { a: 'v0' }), P('u0', 3, { a: 'v0' }), P('u1', 1), P('u3', 3, { a: 'v0' })], 3)
    expect(allShown(r, [W, U('u2'), U('u3'), V('a', 'v0', 'u0')]), 'whole − u2 − u3 − [u0 a=v0] = the one in u1').toBe(false)
  })

  it('three shown groups that together nearly cover the whole leave one person', () => {
    // k = 3. u0: 4 without a; u1: 1 with a=v0; u2: 4 without a; u3: 1 without a, 2 with a=v0. Whole 12.
    // u1 (1) too_few → u3 (3, the smallest shown) hidden: hidden units 4 ≥ 3. Value v0 = 3 (u1's 1,
    // u3's 2) is shown. u0, u2 and v0 are disjoint and inside the whole; the pair rule looks at two at
    // a time (whole − u0 − u2 = 4, whole − u0 − v0 = 5) and never at three.
    // Reader: whole − u0 − u2 − [a=v0] = 12 − 4 − 4 − 3 = the 1 in u3 who lacks a.
    const r = new Release([P('u3', 1), P('u1', 1, { a: 'v0' }), P('u3', 2, { a: 'v0' }), P('u0', 4), P('u2', 4)], 3)
    expect(allShown(r, [W, U('u0'), U('u2'), V('a', 'v0')]), 'whole − u0 − u2 − [a=v0] = the one in u3 without a').toBe(false)
  })

  it('data-dependent nesting across two attributes: a shown b-value equal to a hidden unit × a-value', () => {
    // k = 3.   A: 3 (a=v, b=u), 1 (a=x, b=u);   B: 3 (a=v, b=w), 3 (a=x, b=u). Whole 10.
    // [A x] = 1 too_few. The two-way rule hides [B v] (whole − B − v + [B v] = [A x]), but [* b=w]
    // has exactly [B v]'s members and stays shown. Reader: whole − B − [a=v] + [b=w] =
    // 10 − 6 − 6 + 3 = the 1 in A with a=x.
    const r = new Release([P('A', 3, { a: 'v', b: 'u' }), P('A', 1, { a: 'x', b: 'u' }), P('B', 3, { a: 'v', b: 'w' }), P('B', 3, { a: 'x', b: 'u' })], 3)
    expect(allShown(r, [W, U('B'), V('a', 'v'), V('b', 'w')]), 'whole − B − [a=v] + [b=w] = the one in A with a=x').toBe(false)
  })

  it('two units minus a value they hold between them: a hidden unit × value is worked out along its value', () => {
    // k = 3. u0: 3 with a=v0, 1 with a=v1; u1: 3 with a=v1; u2: 3 with a=v0. Whole 10.
    // [u0 v1] = 1 too_few; u0 cut by a hides [u0 v0] (3); v1 cut by unit hides [u1 v1] (3). But
    // [u0 v0] is the only hidden part of v0 (v0 − [u2 v0] = 6 − 3 = 3 ≥ k is allowed), so it is
    // known exactly, and u0 − it is the one. In shown groups: u0 + u2 − [a=v0] = 4 + 3 − 6 = 1.
    // The pair rule only tries a third group that contains both (a common parent), never one that
    // lies inside their union.
    const r = new Release([P('u0', 3, { a: 'v0' }), P('u1', 3, { a: 'v1' }), P('u2', 3, { a: 'v0' }), P('u0', 1, { a: 'v1' })], 3)
    expect(allShown(r, [U('u0'), U('u2'), V('a', 'v0')]), 'u0 + u2 − [a=v0] = the one in u0 with a=v1').toBe(false)
  })

  it('the same gap for an item some did not answer, where the respondents themselves are safe (measure 1)', () => {
    // k = 3, counts = [respondents, answered item 1]. u0: 3 (a=v0) [3, 3], 1 (a=v1) [1, 1];
    // u1: 1 (a=v0) [1, 0], 3 (a=v1) [3, 3]; u2: 3 (a=v0) [3, 3]. For respondents nothing leaks
    // (the audit in release.property.test.ts finds nothing). For item 1 the one in u1 with a=v0 did
    // not answer, and the item's figures are the first example's: shown u0 4, u2 3, [a=v0] 6, and
    // u0 + u2 − [a=v0] = 4 + 3 − 6 = the item-1 answer of the one in u0 with a=v1.
    const r = new Release([P('u2', 3, { a: 'v0' }, [3]), P('u1', 1, { a: 'v0' }, [0]), P('u0', 3, { a: 'v0' }, [3]),
      P('u0', 1, { a: 'v1' }, [1]), P('u1', 3, { a: 'v1' }, [3])], 3)
    expect(allShown(r, [U('u0'), U('u2'), V('a', 'v0')], 1), 'u0 + u2 − [a=v0] for item 1').toBe(false)
  })

  it('a unit minus one attribute\'s value plus another attribute\'s value', () => {
    // k = 3. u0: 3 (a=v0, b=v0), 3 (b=v1); u1: 3 (a=v0), 1 (no attributes). Whole 10.
    // Shown: u1 = 4, [a=v0] = 6, [b=v0] = 3. [b=v0] has exactly [u0 a=v0]'s members, so
    // [a=v0] − [b=v0] = [u1 a=v0] (3), and u1 − that is the one in u1 without attributes:
    // u1 − [a=v0] + [b=v0] = 4 − 6 + 3 = 1.
    const r = new Release([P('u0', 3, { a: 'v0', b: 'v0' }), P('u0', 3, { b: 'v1' }), P('u1', 3, { a: 'v0' }), P('u1', 1)], 3)
    expect(allShown(r, [U('u1'), V('a', 'v0'), V('b', 'v0')]), 'u1 − [a=v0] + [b=v0] = the one in u1 without attributes').toBe(false)
  })

  it('two attributes in one unit, nothing suppressed at all: their cross-table is never looked at', () => {
    // k = 3, everyone in u0.      b=v0  b=v1 | no b
    //                      a=v0     1     3  |
    //                      a=v1     0     3  |
    //                      no a     3     0  |
    // Every readable group has ≥ 3 (a=v0 4, a=v1 3, b=v0 4, b=v1 6), so all are shown. Everyone
    // with b=v1 holds some a, so [a=v0] + [a=v1] − [b=v1] = 4 + 3 − 6 = the one with a=v0 and b=v0.
    const r = new Release([P('u0', 3, { a: 'v0', b: 'v1' }), P('u0', 3, { a: 'v1', b: 'v1' }), P('u0', 3, { b: 'v0' }), P('u0', 1, { a: 'v0', b: 'v0' })], 3)
    expect(allShown(r, [V('a', 'v0'), V('a', 'v1'), V('b', 'v1')]), '[a=v0] + [a=v1] − [b=v1] = the one with a=v0, b=v0').toBe(false)
  })

  it('people lacking an attribute: the whole minus every value of a, minus a value of b they all hold', () => {
    // k = 3, everyone in u0: 3 (a=v0, b=v1), 3 (a=v1), 3 (b=v0), 1 (no attributes). Whole 10.
    // Shown: the whole, [a=v0] 3, [a=v1] 3, [b=v0] 3 (and b=v1 3). The 4 without a are the hidden
    // part of the cut by a (4 ≥ k, allowed); the 3 with b=v0 all lack a.
    // Whole − [a=v0] − [a=v1] − [b=v0] = 10 − 3 − 3 − 3 = the one without any attribute.
    const r = new Release([P('u0', 1), P('u0', 3, { a: 'v0', b: 'v1' }), P('u0', 3, { a: 'v1' }), P('u0', 3, { b: 'v0' })], 3)
    expect(allShown(r, [W, V('a', 'v0'), V('a', 'v1'), V('b', 'v0')]), 'whole − [a=v0] − [a=v1] − [b=v0] = the one without attributes').toBe(false)
  })

  it('values of one attribute that cover a unit and one person outside it', () => {
    // k = 3. u0: 3 with a=v0, 3 with a=v1; u1: 3 with a=v2, 1 with a=v0. Whole 10.
    // Shown: u0 6, [a=v0] 4, [a=v1] 3. [a=v0] + [a=v1] − u0 = 4 + 3 − 6 = the one in u1 with a=v0
    // ([u1 v0] itself is too_few).
    const r = new Release([P('u1', 3, { a: 'v2' }), P('u0', 3, { a: 'v0' }), P('u1', 1, { a: 'v0' }), P('u0', 3, { a: 'v1' })], 3)
    expect(allShown(r, [U('u0'), V('a', 'v0'), V('a', 'v1')]), '[a=v0] + [a=v1] − u0 = the one in u1 with a=v0').toBe(false)
  })

  it('three unit × value groups inside one unit (k = 5)', () => {
    // k = 5. u0: 2 (a, b, c=v0), 1 (b, c=v1), 5 (a, b, c=v1), 3 (a, c=v0); u1: 4 (a, b). All a, b
    // values are v0. Shown: [u0 a] 10, [u0 b] 8, [u0 c=v0] 5 (u0 itself is hidden, protecting u1).
    // [u0 b] + [u0 c=v0] − [u0 a] = 8 + 5 − 10 = 3 people: the 2 with a, b, c=v0 and the 1 with b,
    // c=v1 and no a.
    const r = new Release([P('u0', 2, { a: 'v0', b: 'v0', c: 'v0' }), P('u0', 1, { b: 'v0', c: 'v1' }), P('u0', 5, { a: 'v0', b: 'v0', c: 'v1' }),
      P('u1', 4, { a: 'v0', b: 'v0' }), P('u0', 3, { a: 'v0', c: 'v0' })], 5)
    expect(allShown(r, [V('a', 'v0', 'u0'), V('b', 'v0', 'u0'), V('c', 'v0', 'u0')]), '[u0 b] + [u0 c=v0] − [u0 a] = 3 people').toBe(false)
  })

  it('units and one attribute only: everyone lacking the attribute sits in one unit (five groups)', () => {
    // k = 3. u0: 1 (a=v2), 2 (a=v0), 3 (a=v1); u1: 1 (a=v0), 2 (a=v2); u2: 1 (a=v0), 3 without a.
    // Whole 13. Shown: the whole, u0 6, u1 3, u2 4, [a=v0] 4, [a=v1] 3, [a=v2] 3. The 3 without a
    // are the one hidden part of the whole's cut by a (3 ≥ k, allowed), so they are known exactly —
    // and they are all in u2. u2 + [a=v0] + [a=v1] + [a=v2] − whole = 4 + 4 + 3 + 3 − 13 = the one
    // in u2 with a=v0 ([u2 a=v0] itself is too_few). Restricting filters to "unit or one attribute"
    // does not stop this.
    const r = new Release([P('u0', 1, { a: 'v2' }), P('u2', 1, { a: 'v0' }), P('u1', 1, { a: 'v0' }), P('u2', 3), P('u0', 2, { a: 'v0' }),
      P('u0', 3, { a: 'v1' }), P('u1', 2, { a: 'v2' })], 3)
    expect(allShown(r, [U('u2'), V('a', 'v0'), V('a', 'v1'), V('a', 'v2'), W]), 'u2 + [a=v0] + [a=v1] + [a=v2] − whole').toBe(false)
  })

  it('halves: three one-way margins of a 2 × 2 × 2 table give one person with coefficient ½ (no ±1 sum does)', () => {
    // k = 3.   u1: 1 (a=v0, b=v0), 2 (a=v1, b=v1);   u0: 2 (a=v1, b=v0), 2 (a=v0, b=v1). Whole 7.
    // Every unit × value group has 1 or 2 and is too_few; the cuts leave hidden parts of 3 or 4;
    // nothing else is hidden: whole 7, u0 4, u1 3, [a=v0] 3, [a=v1] 4, [b=v0] 3, [b=v1] 4 all shown.
    // Each of u1, [a=v0], [b=v0] holds the one (u1, v0, v0) and exactly one of the three pairs, so
    // u1 + [a=v0] + [b=v0] − whole = 3 + 3 + 3 − 7 = 2 × that one person: halve the distribution.
    // No combination with coefficients ±1 of up to 5 shown groups isolates anyone here; the reader's
    // arithmetic is not limited to ±1.
    const r = new Release([P('u1', 1, { a: 'v0', b: 'v0' }), P('u0', 2, { a: 'v1', b: 'v0' }), P('u0', 2, { a: 'v0', b: 'v1' }), P('u1', 2, { a: 'v1', b: 'v1' })], 3)
    expect(allShown(r, [U('u1'), V('a', 'v0'), V('b', 'v0'), W]), '(u1 + [a=v0] + [b=v0] − whole) / 2 = the one in u1 with a=v0, b=v0').toBe(false)
  })

  it('halves again, with three attributes in a single unit', () => {
    // k = 3, everyone in u0: 1 (a, b, c = v0), 2 (a=v0, b=v1, c=v1), 2 (a=v1, b=v0, c=v1),
    // 2 (a=v1, b=v1, c=v0). Every value group holds 3 or 4 and is shown.
    // ([a=v0] + [b=v0] + [c=v0] − whole) / 2 = (3 + 3 + 3 − 7) / 2 = the one with all three v0.
    const r = new Release([P('u0', 1, { a: 'v0', b: 'v0', c: 'v0' }), P('u0', 2, { a: 'v0', b: 'v1', c: 'v1' }),
      P('u0', 2, { a: 'v1', b: 'v0', c: 'v1' }), P('u0', 2, { a: 'v1', b: 'v1', c: 'v0' })], 3)
    expect(allShown(r, [V('a', 'v0'), V('b', 'v0'), V('c', 'v0'), W]), '([a=v0] + [b=v0] + [c=v0] − whole) / 2').toBe(false)
  })

  it('gives the same release whichever order the profiles come in (k = 5, three profiles)', () => {
    // u1: 1 (a=v0, b=v0); u0: 5 (a=v1, b=v1), 4 (a=v0, b=v1). In this order [* a=v1] and
    // [u0 a=v1] are hidden (protects_smaller); in the reverse order both are shown with n = 5. Two
    // surfaces that read rows in different orders would publish two different releases.
    const profiles = [P('u1', 1, { a: 'v0', b: 'v0' }), P('u0', 5, { a: 'v1', b: 'v1' }), P('u0', 4, { a: 'v0', b: 'v1' })]
    expect(snapshot(new Release([...profiles].reverse(), 5), profiles)).toEqual(snapshot(new Release(profiles, 5), profiles))
  })
})

describe('nextStaffStep: attacks over two reads found against the rule-based release', () => {
  it('a unit hidden only to protect a small one, unchanged by the step and shown after it, gives away the small one', () => {
    // k = 3. Before: u0 = 1, u1 = 3, whole 4. u0 too_few → u1 hidden; only the whole (4) is shown.
    // Pending: 3 answers in u0. The step checks only groups shown both before and after (the whole,
    // +3) and the hidden parts of the change (u0 +3, u1 +0: 3 ≥ k), so all 3 go. After: u0 = 4,
    // u1 = 3, whole 7, all shown. Reader: whole(before) − u1(after) = 4 − 3 = the 1 old u0 answer
    // (u1 did not change). Also whole(before) − whole(after) + u0(after) gives the same person.
    const { before, after } = step([P('u0', 1), P('u1', 3)], [one('u0'), one('u0'), one('u0')], 3)
    expect(before.shown(W) && after.shown(U('u1')), 'whole(before) − u1(after)').toBe(false)
    expect(before.shown(W) && after.shown(W) && after.shown(U('u0')), 'whole(before) − whole(after) + u0(after)').toBe(false)
  })

  it('a value group hidden only because of one person, unchanged and shown after the step, gives that person away', () => {
    // k = 3, everyone in u0. Before: 3 with a=v0, 1 without a; whole 4. Whole − [a=v0] = 1, so
    // [a=v0] is hidden. Pending: 3 without a. After: whole 7, [a=v0] 3 (whole − it = 4): shown.
    // Reader: whole(before) − [a=v0](after) = 4 − 3 = the one old respondent without a.
    const { before, after } = step([P('u0', 1), P('u0', 3, { a: 'v0' })], [one('u0'), one('u0'), one('u0')], 3)
    expect(before.shown(W) && after.shown(V('a', 'v0')), 'whole(before) − [a=v0](after)').toBe(false)
  })

  it('a unit shown after the step minus its unit × value shown before leaves a newcomer and an old respondent', () => {
    // k = 3. Before: u0: 3 with a=v0, 1 without; u1: 2 with a=v0. u1 too_few → u0 hidden; [u0 a=v0]
    // (3) shown. Pending: 2 in u1 (a=v0), 1 in u0 (a=v0). After: u0 5, u1 4 shown; [u0 a=v0] (4)
    // is now hidden (u0 − it = 1), so it is not among the groups "shown both before and after" whose
    // change is checked. Reader: u0(after) − [u0 a=v0](before) = 5 − 3 = 2: the new u0 answer and the
    // old one without a.
    const { before, after } = step([P('u0', 3, { a: 'v0' }), P('u0', 1), P('u1', 2, { a: 'v0' })],
      [one('u1', { a: 'v0' }), one('u1', { a: 'v0' }), one('u0', { a: 'v0' })], 3)
    expect(after.shown(U('u0')) && before.shown(V('a', 'v0', 'u0')), 'u0(after) − [u0 a=v0](before)').toBe(false)
  })

  it('a newcomer alone in a group shown for the first time waits rather than being given away', () => {
    // k = 3. Before: u1: 3 with a=v1; u0: 4 with a=v0, 1 without. [a=v1] holds the same three as u1.
    // Pending: u1 without a ×2, u0 a=v0 ×2, u0 a=v1 ×1, u1 a=v0 ×1. The one in u0 with a=v1 would be
    // the only newcomer in u0 and [a=v1]: [a=v1](after) − u1(before) would be that person. They wait.
    const pending = [one('u1'), one('u0', { a: 'v0' }), one('u0', { a: 'v0' }), one('u1'), one('u0', { a: 'v1' }), one('u1', { a: 'v0' })]
    const { chosen, before, after } = step([P('u1', 3, { a: 'v1' }), P('u0', 1), P('u0', 4, { a: 'v0' })], pending, 3)
    expect(chosen).not.toContain(4)
    expect(before.shown(U('u1')) && after.shown(V('a', 'v1')) && after.status(V('a', 'v1')).shown && (after.status(V('a', 'v1')) as { n: number }).n - 3 === 1).toBe(false)
  })
})

// ---------------------------------------------------------------------------------------------------
// Attacks that beat the k-anonymous release (eb5f5ce). The release is sound for what it models — every
// shown figure of one measure is a sum over classes of ≥ k, over every step — (hunted with the exact
// linear auditor over ~255 000 generated organizations and ~330 000 chains of 3–5 steps, nothing
// found). These attacks use what it does not model: figures of one measure that are functions of
// another measure's answers, and the reasons it gives for hiding.

describe('Release: attacks found against the k-anonymous release', () => {
  // The measures as the product builds them (domain/measures.ts): respondents, each item's answered
  // count, each dimension's count of respondents with an opinion. A dimension's figures per group are
  // n, agree and meanSum, where each respondent adds the mean of *their own* answers to the dimension's
  // items (repositories/rollups.ts). So a respondent who answered one item of the dimension adds that
  // answer itself, and the dimension's figures are sums of item answers — but the release decides
  // each measure alone.
  const items = [{ key: 'h', dimension: 'overall', headline: true, scale: 'agree5' as const }, { key: 'i', dimension: 'D', headline: false, scale: 'agree5' as const },
    { key: 'j', dimension: 'D', headline: false, scale: 'agree5' as const }]
  const measure = new Map(measureKeys(items).map((key, m) => [key, m]))
  const answering = (unitKey: string, n: number, answers: Record<string, number>): Profile =>
    ({ unitKey, attributes: {}, counts: measureVector(items, answers).map((x) => x * n) })

  it('an optional item only one person answered is the dimension minus the other item (one release, one group)', () => {
    // k = 5, twenty staff in one unit. Nineteen answered h and i and skipped j; one (P) answered h and
    // j and skipped i. Item j has n = 1: too_few everywhere. Item i (n = 19) and dimension D (n = 20:
    // everyone has an opinion, so D has the respondents' release) are shown for the whole side.
    // D's meanSum = Σ(19 answers to i) + P's answer to j, and item i's distribution gives Σ(i) exactly:
    //   P's answer to j = n_D · mean_D − n_i · mean_i = 20 · mean_D − 19 · mean_i,
    //   whether P agrees on j = agree_D − agree_i.
    // The suppressed figures of item j (n = 1) are worked out exactly from two shown figures.
    const r = new Release([answering('u0', 19, { h: 4, i: 4 }), answering('u0', 1, { h: 4, j: 1 })], 5, null, dimensionMeasures(items))
    // The arithmetic on the totals the product keeps (repositories/rollups.ts), with varied answers to i:
    const responses = [...Array.from({ length: 19 }, (_, n) => ({ h: 4, i: 1 + (n % 5) })), { h: 4, j: 2 }]
      .map((answers) => ({ side: 'staff' as const, unitId: 'u0', attributes: {}, answers }))
    const totals = rollupTotals(items, responses)
    const sumOfI = totals.answers.filter((a) => a.item === 'i').reduce((sum, a) => sum + a.value * a.count, 0)
    expect(totals.dimensions[0]!.meanSum - sumOfI, 'the reader gets P\'s answer to j (2)').toBe(2)
    expect(r.status(W, measure.get('j'))).toEqual({ shown: false, reason: 'too_few' })
    expect(r.shown(W, measure.get('i')) && r.shown(W, measure.get('dimension:D')),
      'n_D · mean_D − n_i · mean_i = the answer to j of the one who answered it').toBe(false)
  })

  it('the one person who answered both items of a dimension: dimension − item − item (every figure shown)', () => {
    // k = 3, seven staff in one unit: 3 answered i only, 3 answered j only, 1 (P) answered both.
    // Every measure's whole is shown: respondents 7, i 4, j 4, D 7. Each one-item respondent adds that
    // item's answer to D's meanSum; P adds (i + j) / 2. So
    //   meanSum_D − Σ_i − Σ_j = −(P's i + P's j) / 2   and   n_D − n_i − n_j = −1:
    // the mean of P's two answers (e.g. 5 means both are 5), the one who answered both.
    const r = new Release([answering('u0', 3, { h: 3, i: 2 }), answering('u0', 3, { h: 3, j: 2 }), answering('u0', 1, { h: 3, i: 5, j: 5 })], 3, null, dimensionMeasures(items))
    const responses = ([{ h: 3, i: 2 }, { h: 3, i: 4 }, { h: 3, i: 1 }, { h: 3, j: 3 }, { h: 3, j: 2 }, { h: 3, j: 4 }, { h: 3, i: 5, j: 5 }] as Array<Record<string, number>>)
      .map((answers) => ({ side: 'staff' as const, unitId: 'u0', attributes: {}, answers }))
    const totals = rollupTotals(items, responses)
    const sumOf = (item: string) => totals.answers.filter((a) => a.item === item).reduce((sum, a) => sum + a.value * a.count, 0)
    expect(sumOf('i') + sumOf('j') - totals.dimensions[0]!.meanSum, 'the reader gets the mean of P\'s two answers (5)').toBe(5)
    expect(['i', 'j', 'dimension:D'].every((key) => r.shown(W, measure.get(key))),
      'meanSum_D − Σ_i − Σ_j = −(mean of the answers of the one who answered both)').toBe(false)
  })

  it('the reasons of hidden groups would give a hidden group\'s n exactly, so readers see one wording for both', () => {
    // k = 5. A: 1, B: 5. Whole 6 shown. A is too_few, B (whose 5 would single out A's one) is
    // protects_smaller — given only to groups of ≥ k. Shown as such next to the whole: n(A) ∈ 1 … 4,
    // n(B) ≥ 5, n(A) + n(B) = 6, so n(A) = 1 and n(B) = 5. The API says only {suppressed: true}, and
    // the dashboard prints the same words for either reason.
    const r = new Release([P('A', 1), P('B', 5)], 5)
    expect(r.status(W)).toEqual({ shown: true, n: 6 })
    expect([statusOf(r, U('A')), statusOf(r, U('B'))]).toEqual(['too_few', 'protects_smaller'])
    expect(hiddenBecause(5)).not.toMatch(/too_few|protects/)
    expect(hiddenBecause(5)).toContain('fewer than 5')
    expect(hiddenBecause(5)).toContain('smaller group')
  })
})
