// Where @fastify/rate-limit counts: an in-process tally (domain/rate-tally.ts) whose hits are stored in
// the database (repositories/rate-limits.ts) in one statement every flush interval, so that a limit
// holds across every instance behind a load balancer without a statement per request. The tally's
// comment says how far a limit can be exceeded between flushes. Each limit has a name: a route's
// method and path, or the name given to a limiter made by hand (app.rateLimit, app.createRateLimit),
// which must have one. What is counted (a client's address, a link's token) is stored as an HMAC
// under the signing secret, never as it came.
//
// When the database cannot store the counts, each instance goes on counting on its own and keeps the
// hits to store them later; one line per failed flush is logged with the error's name and code only,
// never a key. Once the database is found unreachable, flushes pause for a moment (PAUSE_MS). A hit
// the tally has no room for is let through (the plugin's skipOnError) and counted in a log line.
// Closing the app stores what is left.
import type { FastifyBaseLogger } from 'fastify'
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import { isDatabaseUnavailable, type Db } from '../../db/connect.js'
import { RateTally } from '../domain/rate-tally.js'
import { addHits } from '../repositories/rate-limits.js'
import { hmac } from '../security/tokens.js'

/** How long flushes wait after finding the database unreachable. */
const PAUSE_MS = 2000
/** The keys (limit and address or link) one instance holds at most: about 200 bytes each. */
export const MAX_TALLY_KEYS = 50_000

declare module '@fastify/rate-limit' {
  interface CreateRateLimitOptions {
    /** The limit's name in the shared store: required for a limiter that is not a route's own. */
    name?: string
  }
}

/** What the plugin hands the store: its merged options, with the route they belong to when there is one. */
interface LimitOptions {
  name?: unknown
  routeInfo?: { method?: string | string[]; url?: string }
}

/** A route's limit is named by its method and path; any other limiter by the name it was given. */
export function limitName(options: LimitOptions): string {
  if (typeof options.name === 'string' && options.name) return options.name
  const route = options.routeInfo
  if (route?.url) return `${[route.method ?? ''].flat().join(',')} ${route.url}`
  throw new Error('A rate limit that is not set on a route needs a name (the `name` option), so that every instance counts it under the same one.')
}

/** The key as stored: keyed by the signing secret and the limit, so no address can be read back or matched across limits. */
export const rateLimitKey = (secret: string, name: string, key: string) => hmac(`rate-limit:${secret}`, `${name}\n${key}`)

export interface SharedLimits {
  /** The store class for @fastify/rate-limit. */
  Store: FastifyRateLimitStoreCtor
  /** Stores the hits counted so far (and reads the totals back); resolves when done or failed. */
  flush(): Promise<void>
  /** Stops the flush timer and stores what is left. */
  close(): Promise<void>
}

export function sharedLimits(db: Db, secret: string, log: FastifyBaseLogger, { flushMs, maxKeys = MAX_TALLY_KEYS }: { flushMs: number; maxKeys?: number }): SharedLimits {
  const tally = new RateTally((name, key) => rateLimitKey(secret, name, key), maxKeys)
  let pausedUntil = 0
  let running: Promise<void> | null = null

  async function store(): Promise<void> {
    const batch = tally.take(Date.now())
    if (!batch) return
    if (batch.uncounted) log.warn({ uncounted: batch.uncounted, keys: tally.size }, 'rate limits: the tally was full, hits on new keys were let through uncounted')
    if (!batch.counted.length && !batch.refreshed.length) return tally.settle([], Date.now())
    try {
      tally.settle(await addHits(db, batch.counted, batch.refreshed, new Date()), Date.now())
    } catch (caught) {
      tally.fail()
      const error = caught as { name?: string; code?: string } | null
      const unreachable = isDatabaseUnavailable(error)
      if (unreachable) pausedUntil = performance.now() + PAUSE_MS
      log.warn({ keys: batch.counted.length, error: { name: error?.name, code: error?.code } },
        'rate-limit counts not stored: this instance counts on its own and stores them later')
    }
  }

  const flush = () => (running ??= store().finally(() => { running = null }))
  const timer = setInterval(() => {
    if (!running && performance.now() >= pausedUntil) void flush()
  }, flushMs)
  timer.unref()

  class TallyStore implements FastifyRateLimitStore {
    private readonly name: string

    /** The plugin makes the first store from its global options; with global: false that one is never used. */
    constructor(options: LimitOptions, name = typeof options.name === 'string' && options.name ? options.name : 'global') {
      this.name = name
    }

    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      const decision = tally.hit(this.name, key, timeWindow, Date.now())
      if (!decision) return callback(new Error('rate limit not counted: the tally is full'))
      callback(null, { current: decision.current, ttl: decision.ttlMs })
    }

    child(options: object): FastifyRateLimitStore {
      return new TallyStore({}, limitName(options as LimitOptions))
    }
  }

  return {
    Store: TallyStore,
    flush: async () => {
      await running
      await flush()
    },
    async close() {
      clearInterval(timer)
      await running
      await flush()
    },
  }
}
