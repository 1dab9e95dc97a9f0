// The rules of delivering invitation emails: how long to wait before trying again, which failures are
// final, and when to stop sending altogether. Pure functions; what a message says is in i18n/mail.ts.

/** Attempts at most, counting the first. */
export const MAX_ATTEMPTS = 6

/** Waiting time before attempt `attempt + 1` after a temporary failure: 30 s, 1 min, 2 min, … up to an hour. */
export function backoffMs(attempt: number): number {
  return Math.min(60 * 60_000, 30_000 * 2 ** Math.max(0, attempt - 1))
}

export type Failure = 'temporary' | 'permanent'

/** SMTP 4xx replies and connection problems can pass; 5xx replies are final. */
export function classifyFailure(error: { responseCode?: number; code?: string }): Failure {
  if (typeof error.responseCode === 'number') return error.responseCode >= 500 ? 'permanent' : 'temporary'
  return 'temporary'
}

/** Pause when, of the last `window` attempts, at least half failed (and there were enough to judge). */
export const PAUSE_WINDOW = 20
export const PAUSE_FAILURE_RATE = 0.5

export function shouldPause(recent: readonly boolean[]): boolean {
  if (recent.length < PAUSE_WINDOW) return false
  const last = recent.slice(-PAUSE_WINDOW)
  return last.filter((ok) => !ok).length / last.length >= PAUSE_FAILURE_RATE
}
