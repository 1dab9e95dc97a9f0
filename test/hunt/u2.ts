import { Release, type Profile } from '../../server/domain/release.js'
const P = (unitKey: string, n: number, attributes: Record<string, string> = {}): Profile => ({ unitKey, attributes, counts: [n] })
const W = { unit: null, attribute: null }
const show = (r: Release, gs: any[]) => gs.map((g) => `${JSON.stringify(g)} ${JSON.stringify(r.status(g))}`).join('\n')
const gs = [W, { unit: 'u0', attribute: null }, { unit: 'u1', attribute: null }, { unit: null, attribute: { name: 'a', value: 'v1' } }, { unit: null, attribute: { name: 'a', value: 'v2' } }, { unit: 'u0', attribute: { name: 'a', value: 'v2' } }, { unit: 'u1', attribute: { name: 'a', value: 'v2' } }]
console.log(show(new Release([P('u0', 1, { a: 'v1' }), P('u0', 13, { a: 'v2' }), P('u1', 2, { a: 'v2' })], 3), gs))
console.log('---')
const g2 = [W, { unit: 'u0', attribute: null }, { unit: 'u1', attribute: null }, { unit: null, attribute: { name: 'a', value: 'v0' } }, { unit: 'u0', attribute: { name: 'a', value: 'v0' } }, { unit: 'u1', attribute: { name: 'a', value: 'v0' } }]
console.log(show(new Release([P('u1', 2), P('u0', 6, { a: 'v0' }), P('u0', 2), P('u1', 12, { a: 'v0' })], 3), g2))
