import { afterEach, expect, it, vi } from 'vitest'
import { LocalCache } from '../../server/local-cache.js'

afterEach(() => vi.useRealTimers())

it('forgets an entry once its time is up', () => {
  vi.useFakeTimers()
  const cache = new LocalCache<string, number>({ ttlMs: 1000 })
  cache.set('a', 1)
  vi.advanceTimersByTime(999)
  expect(cache.get('a')).toBe(1)
  vi.advanceTimersByTime(1)
  expect(cache.get('a')).toBeUndefined()
})

it('starts afresh when full, and keeps entries without a time limit until then', () => {
  const cache = new LocalCache<number, string>({ max: 2 })
  cache.set(1, 'one')
  cache.set(2, 'two')
  expect(cache.get(1)).toBe('one')
  cache.set(3, 'three')
  expect([cache.get(1), cache.get(2), cache.get(3)]).toEqual([undefined, undefined, 'three'])
})

it('loads a missing entry once and keeps it', async () => {
  const cache = new LocalCache<string, number>()
  const load = vi.fn(async () => 42)
  expect(await cache.getOrLoad('k', load)).toBe(42)
  expect(await cache.getOrLoad('k', load)).toBe(42)
  expect(load).toHaveBeenCalledTimes(1)
  cache.delete('k')
  await cache.getOrLoad('k', load)
  expect(load).toHaveBeenCalledTimes(2)
})
