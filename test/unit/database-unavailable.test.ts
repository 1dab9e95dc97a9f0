// The one classification of "the database cannot be reached right now" (db/connect.ts), as pg and
// PGlite report it: what it says yes to is answered 503 with Retry-After, and sends reads off a
// replica; anything else is the query's own fault and stays a 500 (or the route's own answer). And a
// standby's read that gave way to its replay, answered 503 too (on a replica read only).
import { describe, expect, it } from 'vitest'
import { isDatabaseUnavailable, isRecoveryConflict } from '../../db/connect.js'

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code })
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5433`), { code })

describe('isDatabaseUnavailable', () => {
  it('says yes to a server that went away, under a query or before one', () => {
    for (const error of [
      pgError('57P01', 'terminating connection due to administrator command'), // pg_ctl stop -m fast
      pgError('57P02', 'terminating connection because of crash of another server process'),
      pgError('57P03', 'the database system is shutting down'),
      pgError('08006', 'connection failure'),
      new Error('Connection terminated unexpectedly'), // pg_ctl stop -m immediate, a killed postmaster, a cut socket
      new Error('Connection terminated due to connection timeout'),
      new Error('timeout exceeded when trying to connect'), // the pool's wait for a free connection
      socketError('ECONNREFUSED'),
      socketError('ECONNRESET'),
      socketError('ETIMEDOUT'),
      new Error('PGlite is closed'),
    ]) expect(isDatabaseUnavailable(error), error.message).toBe(true)
  })

  it('says no to a query that failed on its own', () => {
    for (const error of [
      pgError('23505', 'duplicate key value violates unique constraint "units_name_key"'),
      pgError('42601', 'syntax error at or near "selec"'),
      pgError('57014', 'canceling statement due to statement timeout'),
      new Error('a key is not an item of the wave'),
    ]) expect(isDatabaseUnavailable(error), error.message).toBe(false)
    expect(isDatabaseUnavailable(null)).toBe(false)
    expect(isDatabaseUnavailable(undefined)).toBe(false)
  })

  it('tells a read that gave way to a standby\'s replay, which leaves the replica in use', () => {
    const conflicts = [
      pgError('40001', 'canceling statement due to conflict with recovery'),
      pgError('40P01', 'deadlock detected'), // the read's wait for a lock the replay holds, which waits for the read
      pgError('57P04', 'terminating connection due to conflict with recovery'),
    ]
    for (const error of conflicts) {
      expect(isRecoveryConflict(error), error.message).toBe(true)
      expect(isDatabaseUnavailable(error), error.message).toBe(false)
    }
    expect(isRecoveryConflict(pgError('57P01', 'terminating connection due to administrator command'))).toBe(false)
    expect(isRecoveryConflict(pgError('23505', 'duplicate key value violates unique constraint "units_name_key"'))).toBe(false)
  })
})
