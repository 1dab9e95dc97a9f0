import { Release, nextStaffStep } from '/work/wt/attack/server/domain/release.js'
import { measureKeys, measureVector } from '/work/wt/attack/server/domain/measures.js'
const items = [{ key: 'h', dimension: 'overall', headline: true }, { key: 'i', dimension: 'D', headline: false }, { key: 'j', dimension: 'D', headline: false }]
console.log(measureKeys(items))
const v1 = measureVector(items, { h: 4, i: 2 }), vP = measureVector(items, { h: 4, j: 5 })
console.log(v1, vP)
const r = new Release([{ unitKey: 'u0', attributes: {}, counts: v1.map((x) => 3 * x) }, { unitKey: 'u0', attributes: {}, counts: vP }], 3)
for (let m = 0; m < 5; m++) console.log(m, r.status({ unit: null, attribute: null }, m))
// step-less caller
const k = 3
const first = nextStaffStep([], [...Array(5)].map(() => ({ unitKey: 'u1', attributes: {}, counts: [1] })).concat([...Array(3)].map(() => ({ unitKey: 'u0', attributes: {}, counts: [1] }))), k, null)!
console.log(first)
const cur = [{ unitKey: 'u1', attributes: {}, counts: [5] }, { unitKey: 'u0', attributes: {}, counts: [3] }]
const second = nextStaffStep(cur, [{ unitKey: 'u1', attributes: {}, counts: [1] }, { unitKey: 'u0', attributes: {}, counts: [1] }, { unitKey: 'u0', attributes: {}, counts: [1] }], k, first.release)
console.log(JSON.stringify(second))
const withStep = nextStaffStep(cur.map((p) => ({ ...p, step: 1 })), [{ unitKey: 'u1', attributes: {}, counts: [1] }, { unitKey: 'u0', attributes: {}, counts: [1] }, { unitKey: 'u0', attributes: {}, counts: [1] }], k, first.release)
console.log(JSON.stringify(withStep))
