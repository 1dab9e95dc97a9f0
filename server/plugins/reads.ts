// Where a request reads: the primary, or a streaming replica (DATABASE_READ_URL). This is the one
// place the choice is made. A route that may read from the replica says so (`config.reads: 'replica'`:
// reports, exports, analytics) and reads through `request.reads`; every other read, and every write,
// goes to the primary (`app.db`). Even such a route reads the primary when
// - the replica was not seen within DATABASE_READ_MAX_LAG of the primary at its last check (checked
//   every second or so), could not be reached, or is not a standby at all;
// - the caller has written something the replica has not replayed yet (read-your-writes: each write
//   request of a signed-in person notes the primary's WAL position, repositories/replica.ts);
// - the caller is a unit manager, whose units are read fresh on every request (services/report-scope.ts).
// A request keeps its one source to the end: figures of two moments are never mixed in one answer
// (a release from one and counts from another could show a group the newer release hides). So a
// replica that fails under a request (shut down, crashed, its connection cut) fails that request with a
// 503 and Retry-After (plugins/errors.ts), never read again half on the primary; the failure marks the
// replica unreachable at once, so the next request reads the primary, until a check finds it well.
// A replica that stops answering without closing its connections (frozen, cut off) is judged by the
// check, which gives it max(1 s, DATABASE_READ_MAX_LAG): then the reads under way there fail as well.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { abortQueries, openDatabase, type Db } from '../../db/connect.js'
import type { Config } from '../config.js'
import { hasReplayed, parseLsn, replicaLag, type PrimarySample } from '../domain/replica-lag.js'
import { callerWritePosition, noteCallerWrite, primaryPosition, replayedPosition } from '../repositories/replica.js'
import { runPeriodically } from './periodic.js'

export type ReplicaState = 'starting' | 'streaming' | 'behind' | 'unreachable' | 'not_a_replica'

/** What /health says about the replica: no figure in it tells anything about anyone's answers. */
export interface ReplicaStatus {
  state: ReplicaState
  /** Where reports read now. */
  reads: 'replica' | 'primary'
  /** Whole seconds the replica's figures may be behind the primary's (rounded up); null while unknown. */
  lagSeconds: number | null
  maxLagSeconds: number
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'replica': this route's reads may be served by the read replica (see plugins/reads.ts). */
    reads?: 'replica'
  }
  interface FastifyRequest {
    /** Where this request's reads go: the replica only on a route that allows it and when it may. */
    readsFrom: 'replica' | 'primary'
    /** The database this request reads from (the primary, or the read replica). */
    reads: Db
  }
  interface FastifyInstance {
    /** The read replica's state, or null when none is configured. */
    replicaStatus(): ReplicaStatus | null
    /** Whole seconds the figures of this request may trail the primary's (rounded up); null unless they come from the replica. */
    replicaLag(request: FastifyRequest): number | null
    /** True when this error is the read replica's: a query or connection of its pool that failed because the server went away. */
    replicaFailed(error: unknown): boolean
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Keeps track of a replica's lag: the primary's positions over the last moments, and what the replica has replayed. */
class ReplicaWatch {
  state: ReplicaState = 'starting'
  /** The replica's replay position at the last check. */
  replayed: bigint | null = null
  /** Ms behind the primary at the last check (a lower bound while not `streaming`). */
  lagMs: number | null = null
  checkedAt = 0
  private samples: PrimarySample[] = []

  constructor(private readonly primary: Db, private readonly replica: Db, readonly maxLag: number, readonly everyMs: number) {}

  async check(): Promise<void> {
    // The primary first: a replica that has replayed this position has everything committed before it.
    const at = Date.now()
    let lsn: bigint
    try {
      lsn = parseLsn(await primaryPosition(this.primary))
    } catch {
      return // the primary is out: nothing can be judged, and /health says so on its own
    }
    this.samples.push({ at, lsn })
    // Enough history to tell a lag over the bound from one under it, and no more.
    const horizon = at - this.maxLag - 2 * this.everyMs
    while (this.samples.length > 1 && this.samples[1]!.at < horizon) this.samples.shift()
    let replayed: string | null
    try {
      // A replica that hangs is as good as gone: it must answer within the bound (and a second at least).
      replayed = await within(replayedPosition(this.replica), Math.max(1000, this.maxLag))
    } catch {
      this.lost()
      // Reads under way there fail now (a 503) rather than wait for a server that may never answer:
      // one that froze or was cut off holds them until TCP keepalive gives up, minutes. The connections
      // of checks that got no answer are given back to the pool with them.
      abortQueries(this.replica)
      return
    }
    this.checkedAt = Date.now()
    if (replayed === null) {
      this.state = 'not_a_replica'
      this.replayed = null
      this.lagMs = null
      return
    }
    this.replayed = parseLsn(replayed)
    const lag = replicaLag(this.samples, this.replayed, this.checkedAt)
    this.lagMs = lag.ms
    this.state = !lag.atLeast && lag.ms <= this.maxLag ? 'streaming' : 'behind'
  }

  /** The replica failed a query or a connection: reads leave it at once, until a check finds it well. */
  lost(): void {
    this.state = 'unreachable'
    this.lagMs = null
  }

  get usable(): boolean {
    return this.state === 'streaming'
  }

  /** Ms the replica's figures may trail the primary's now: its lag at the last check, plus the time since. */
  staleness(now = Date.now()): number | null {
    return this.lagMs === null ? null : this.lagMs + (now - this.checkedAt)
  }
}

/** The promise's value, or a rejection once `ms` have passed without one. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('no answer in time')), ms) })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

const seconds = (ms: number | null) => (ms === null ? null : Math.ceil(ms / 1000))

export default fp(async function reads(app: FastifyInstance, { config }: { config: Config }) {
  app.decorateRequest('readsFrom', 'primary')
  const replicaConfig = config.readReplica
  if (replicaConfig === null) {
    app.decorateRequest('reads', { getter: () => app.db })
    app.decorate('replicaStatus', () => null)
    app.decorate('replicaLag', () => null)
    app.decorate('replicaFailed', () => false)
    return
  }

  let watch: ReplicaWatch | null = null
  // The errors of the replica's pool, for the error answer to tell them from the primary's.
  const failures = new WeakSet<object>()
  const replica = openDatabase({
    // A replica slow to connect is left for the primary soon: reports need not wait the primary's full timeout.
    url: replicaConfig.url, dataDir: null, connectTimeout: Math.min(config.timeouts.databaseConnect, 2000), applicationName: 'service-gap-reads',
    // Told before the failed query's caller hears of it: the request's answer comes after reads have left.
    onConnectionError: (error) => {
      failures.add(error)
      if (watch?.usable) app.log.warn({ err: { message: error.message, code: (error as { code?: string }).code } }, 'the read replica is unreachable: reports read the primary')
      watch?.lost()
    },
  })
  watch = new ReplicaWatch(app.db, replica, replicaConfig.maxLag, Math.min(1000, Math.max(100, Math.round(replicaConfig.maxLag / 4))))
  const current = watch

  app.decorateRequest('reads', { getter(this: FastifyRequest) { return this.readsFrom === 'replica' ? replica : app.db } })
  app.decorate('replicaStatus', (): ReplicaStatus => ({
    state: current.state, reads: current.usable ? 'replica' : 'primary', lagSeconds: seconds(current.staleness()), maxLagSeconds: replicaConfig.maxLag / 1000,
  }))
  app.decorate('replicaLag', (request: FastifyRequest) => (request.readsFrom === 'replica' ? seconds(current.staleness()) : null))
  app.decorate('replicaFailed', (error: unknown) => typeof error === 'object' && error !== null && failures.has(error))

  app.addHook('preHandler', async (request) => {
    if (request.routeOptions.config?.reads !== 'replica' || !current.usable) return
    const principal = request.principal
    if (principal === null || principal.role === 'unit_manager') return
    const written = await callerWritePosition(app.db, principal.organizationId, principal.userId)
    if (hasReplayed(current.replayed, written === null ? null : parseLsn(written))) request.readsFrom = 'replica'
  })

  // Before the answer leaves: the caller's next request must find the note, whichever instance takes it.
  app.addHook('onSend', async (request, _reply, payload) => {
    const principal = request.principal
    if (principal === null || SAFE_METHODS.has(request.method)) return payload
    try {
      await noteCallerWrite(app.db, principal.organizationId, principal.userId)
    } catch (error) {
      request.log.warn({ error: { name: (error as Error).name, code: (error as { code?: string }).code } }, 'could not note a write for read-your-writes')
    }
    return payload
  })

  runPeriodically(app, { what: 'the read replica check', everyMs: current.everyMs, firstMs: 0, pass: () => current.check() })
  app.addHook('onClose', async () => replica.destroy())
}, { name: 'reads', dependencies: ['db', 'auth'] })
