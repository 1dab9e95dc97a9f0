// How far a streaming replica trails its primary, judged by write-ahead log positions (LSNs) on the
// app's own clock only: each check notes the primary's position and the time, and the replica is as
// fresh as the latest noted moment whose position it has replayed. Unlike the replica's last replay
// timestamp, this says "caught up" on an idle primary and needs no agreement between two clocks.

/** A position in the write-ahead log, as PostgreSQL prints it ("16/B374D848"), as one number. */
export function parseLsn(text: string): bigint {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(text)
  if (!match) throw new Error(`not a WAL position: ${text}`)
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`)
}

/** The primary's position at one moment (ms on the app's clock). */
export interface PrimarySample { at: number; lsn: bigint }

/**
 * The replica's staleness in ms at `now`: 0 when it has replayed the newest sample's position, else the
 * age of the newest sample it has replayed. When it has replayed none of them it is at least as far
 * behind as the oldest is old, and `atLeast` says the figure is only a lower bound. Samples are oldest first.
 */
export function replicaLag(samples: readonly PrimarySample[], replayed: bigint, now: number): { ms: number; atLeast: boolean } {
  const newest = samples.at(-1)
  if (newest === undefined || replayed >= newest.lsn) return { ms: 0, atLeast: false }
  for (let i = samples.length - 2; i >= 0; i--) {
    if (replayed >= samples[i]!.lsn) return { ms: now - samples[i]!.at, atLeast: false }
  }
  return { ms: now - samples[0]!.at, atLeast: true }
}

/** Whether the replica has replayed a caller's last write (null: the caller wrote nothing we track). */
export const hasReplayed = (replayed: bigint | null, written: bigint | null) => written === null || (replayed !== null && replayed >= written)
