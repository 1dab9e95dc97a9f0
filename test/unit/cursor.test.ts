import { describe, expect, it } from 'vitest'
import { decodeCursor, decodeKey, encodeCursor, pageOf, type Keyset } from '../../server/domain/cursor.js'

describe('list cursors', () => {
  it('give back the key they seal, for their own list only', () => {
    const cursor = encodeCursor('waves', ['2026-12-01T10:00:00.000Z', 'a1'])
    expect(decodeCursor('waves', cursor, 2)).toEqual(['2026-12-01T10:00:00.000Z', 'a1'])
    expect(decodeCursor('units', cursor, 2)).toBeNull()
    expect(decodeCursor('waves', cursor, 1)).toBeNull()
  })

  it('refuse what was not made by encodeCursor', () => {
    for (const text of ['', 'not base64 at all!', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('["waves",{"x":1}]').toString('base64url'), Buffer.from('["waves",null]').toString('base64url')]) {
      expect(decodeCursor('waves', text, 1)).toBeNull()
    }
  })

  it('page rows fetched with one extra: a cursor only when more follow', () => {
    const rows = [1, 2, 3].map((n) => ({ n }))
    expect(pageOf('n', rows, 2, (row) => [row.n])).toEqual({ rows: [{ n: 1 }, { n: 2 }], nextCursor: encodeCursor('n', [2]) })
    expect(pageOf('n', rows, 3, (row) => [row.n])).toEqual({ rows, nextCursor: null })
  })

  it('give back a typed key only when each part is of its kind, so that nothing edited reaches SQL', () => {
    const keyset: Keyset = { list: 'rows', parts: ['time', 'uuid', 'text', 'integer'] }
    const id = '0b9c2a4e-8f1d-4c3b-9a7e-2d5f6e8a1b3c'
    const good = ['2026-12-01T10:00:00.123456Z', id, 'North, "east" \u0000', -3]
    expect(decodeKey(keyset, encodeCursor('rows', good))).toEqual(good)
    const bad = [
      ['2026-12-01T10:00:00.123Z', id, 'x', 1], ['2026-02-30T10:00:00.000000Z', id, 'x', 1], ['0000-01-01T00:00:00.000000Z', id, 'x', 1],
      ['2026-13-01T10:00:00.000000Z', id, 'x', 1], ['2026-12-01 10:00:00.000000Z', id, 'x', 1], [1, id, 'x', 1],
      ['2026-12-01T10:00:00.000000Z', 'not-a-uuid', 'x', 1], ['2026-12-01T10:00:00.000000Z', id, 7, 1],
      ['2026-12-01T10:00:00.000000Z', id, 'x', 1.5], ['2026-12-01T10:00:00.000000Z', id, 'x', 2 ** 60], ['2026-12-01T10:00:00.000000Z', id, 'x', '1'],
    ]
    for (const key of bad) expect(decodeKey(keyset, encodeCursor('rows', key)), JSON.stringify(key)).toBeNull()
    expect(decodeKey(keyset, encodeCursor('other', good))).toBeNull()
  })
})
