// The replica's lag from WAL positions on one clock: caught up when idle, the age of the newest
// replayed moment otherwise, and a lower bound when it has replayed none of them.
import { describe, expect, it } from 'vitest'
import { hasReplayed, parseLsn, replicaLag } from '../../server/domain/replica-lag.js'

describe('replica lag', () => {
  it('reads WAL positions as PostgreSQL prints them, in order', () => {
    expect(parseLsn('0/0')).toBe(0n)
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) + 0xB374D848n)
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true)
    expect(() => parseLsn('16-B374')).toThrow('not a WAL position')
  })

  const samples = [{ at: 1000, lsn: 100n }, { at: 2000, lsn: 200n }, { at: 3000, lsn: 300n }]

  it('is 0 when the replica has replayed the primary\'s newest position, however long ago it was written', () => {
    expect(replicaLag(samples, 300n, 9000)).toEqual({ ms: 0, atLeast: false })
    expect(replicaLag([], 5n, 9000)).toEqual({ ms: 0, atLeast: false })
  })

  it('is the age of the newest moment whose position the replica has replayed', () => {
    expect(replicaLag(samples, 250n, 3100)).toEqual({ ms: 1100, atLeast: false })
    expect(replicaLag(samples, 100n, 3100)).toEqual({ ms: 2100, atLeast: false })
  })

  it('is only a lower bound when the replica is behind every noted moment', () => {
    expect(replicaLag(samples, 99n, 3100)).toEqual({ ms: 2100, atLeast: true })
  })

  it('lets a caller read the replica only once it has replayed their last write', () => {
    expect(hasReplayed(200n, null)).toBe(true)
    expect(hasReplayed(200n, 200n)).toBe(true)
    expect(hasReplayed(199n, 200n)).toBe(false)
    expect(hasReplayed(null, 200n)).toBe(false)
  })
})
