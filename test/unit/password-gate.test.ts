// The gate in front of password hashing: a few at once, a short queue, and a quick "busy" beyond it.
import { describe, expect, it } from 'vitest'
import { Gate, passwordGate, PasswordsBusy } from '../../server/security/passwords.js'

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('Gate', () => {
  it('runs at most `limit` tasks at once, queues `queue` more, and refuses the rest at once', async () => {
    const gate = new Gate(2, 3, 5000)
    let running = 0
    let most = 0
    const task = async () => {
      running++
      most = Math.max(most, running)
      await later(30)
      running--
      return 'done'
    }
    const started = Date.now()
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => gate.run(task)))
    expect(most).toBe(2)
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5)
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(refused).toHaveLength(3)
    expect(refused.every((r) => r.reason instanceof PasswordsBusy && r.reason.statusCode === 503)).toBe(true)
    expect(Date.now() - started).toBeLessThan(1000)
    // Once the burst is over, the gate is free again.
    expect(await gate.run(async () => 'again')).toBe('again')
  })

  it('gives up on a wait that takes longer than `waitMs`, and a failing task frees its slot', async () => {
    const gate = new Gate(1, 5, 20)
    const slow = gate.run(() => later(200))
    await expect(gate.run(async () => 'never')).rejects.toBeInstanceOf(PasswordsBusy)
    await slow
    await expect(gate.run(async () => { throw new Error('boom') })).rejects.toThrow('boom')
    expect(await gate.run(async () => 'free')).toBe('free')
  })

  it('is set to four checks at once with a short queue in production', () => {
    expect(passwordGate.limit).toBe(4)
    expect(passwordGate.queue).toBeLessThanOrEqual(16)
    expect(passwordGate.waitMs).toBeLessThanOrEqual(5000)
  })
})
