import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor, pageOf } from '../../server/domain/cursor.js'

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
})
