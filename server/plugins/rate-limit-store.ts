// Where @fastify/rate-limit counts: the database (repositories/rate-limits.ts) instead of each
// process's memory, so that a limit holds across every instance behind a load balancer. Each limit
// has a name: a route's method and path, or the name given to a limiter made by hand
// (app.rateLimit, app.createRateLimit), which must have one. What is counted (a client's address, a
// link's token) is stored as an HMAC under the signing secret, never as it came.
//
// When the database cannot count, the request is let through (the plugin's skipOnError) and a
// line is logged with the limit's name and the error's name and code only, never the key: a limiter
// must not turn a database hiccup into refusals on every form, and the route's own queries report an
// outage as they always do (503). Once the database is found unreachable, this instance's limiters
// stop asking it for a moment (PAUSE_MS), so that a request is not held for a connection timeout by
// each of its limiters before its route even starts.
import type { FastifyBaseLogger } from 'fastify'
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { Db } from '../../db/connect.js'
import { countHit } from '../repositories/rate-limits.js'
import { hmac } from '../security/tokens.js'
import { isDatabaseUnavailable } from './errors.js'

/** How long limiters let requests through uncounted after finding the database unreachable. */
const PAUSE_MS = 2000

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

export function databaseStore(db: Db, secret: string, log: FastifyBaseLogger): FastifyRateLimitStoreCtor {
  let pausedUntil = 0

  class DatabaseStore implements FastifyRateLimitStore {
    private readonly name: string

    /** The plugin makes the first store from its global options; with global: false that one is never used. */
    constructor(options: LimitOptions, name = typeof options.name === 'string' && options.name ? options.name : 'global') {
      this.name = name
    }

    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      if (performance.now() < pausedUntil) return callback(new Error('rate limits paused: the database was unreachable a moment ago'))
      countHit(db, this.name, rateLimitKey(secret, this.name, key), timeWindow).then(
        (hit) => callback(null, { current: hit.hits, ttl: hit.ttlMs }),
        (error: { name?: string; code?: string } | null) => {
          const unreachable = isDatabaseUnavailable(error)
          if (unreachable) pausedUntil = performance.now() + PAUSE_MS
          log.warn({ limit: this.name, error: { name: error?.name, code: error?.code } },
            unreachable ? `rate limit not counted: the request is let through, and the next ${PAUSE_MS / 1000} s uncounted` : 'rate limit not counted: the request is let through')
          callback(error instanceof Error ? error : new Error('rate limit not counted'))
        })
    }

    child(options: object): FastifyRateLimitStore {
      return new DatabaseStore({}, limitName(options as LimitOptions))
    }
  }
  return DatabaseStore
}
