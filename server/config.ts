// The one place that reads process.env. Every setting is parsed and checked here, once, and the
// result is frozen; the rest of the code receives a typed Config and never looks at the environment.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './domain/inputs.js'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

export interface Config {
  readonly host: string
  readonly port: number
  readonly publicUrl: string
  readonly databaseUrl: string | null
  /**
   * A streaming replica of DATABASE_URL for reports, exports and analytics (DATABASE_READ_URL), and
   * how far behind the primary it may fall before those reads go back to the primary
   * (DATABASE_READ_MAX_LAG, in milliseconds here). Null without a replica.
   */
  readonly readReplica: { readonly url: string; readonly maxLag: number } | null
  readonly dataDir: string
  readonly smtpUrl: string | null
  /** The sender of survey invitations. */
  readonly mailFrom: string
  /** Messages sent per second at most. */
  readonly mailRate: number
  /**
   * The key that signs what the server hands out and must recognise later: the CSRF token in every
   * form, personal survey links (invitation tokens) and unsubscribe links. Not sessions: those are
   * random ids kept (hashed) in the database.
   */
  readonly signingSecret: string
  readonly adminEmail: string | null
  readonly adminPassword: string | null
  readonly orgName: string
  readonly logLevel: LogLevel
  readonly trustProxy: boolean
  /** True when PUBLIC_URL is https: cookies then get `Secure` and the `__Host-` prefix, and HSTS is sent. */
  readonly secureCookies: boolean
  /** Survey forms accepted per minute from one client address, and for one survey link. */
  readonly submitLimits: { readonly perAddress: number; readonly perLink: number }
  /** How often, in milliseconds, each instance stores the rate-limit hits it counted and reads everyone's totals back. */
  readonly rateLimitFlushMs: number
  /** How long slow clients and an unreachable database are waited for, in milliseconds. */
  readonly timeouts: Timeouts
  /**
   * Single sign-on: allow an identity provider at a plain-http loopback address (127.0.0.1, ::1,
   * localhost), for tests and local trials. Off by default: every other issuer must use https.
   */
  readonly allowInsecureOidcLoopback: boolean
  /**
   * The Chromium that prints the board pack as PDF (GET /waves/:id/pack.pdf): CHROMIUM_PATH, else
   * /usr/bin/chromium when that file exists, else null (no PDFs; the page's Print gives the same pack).
   */
  readonly chromiumPath: string | null
  /**
   * Which addresses webhooks may reach besides public ones (WEBHOOKS_ALLOW_LOOPBACK: this machine,
   * plain http allowed, for development and tests; WEBHOOKS_ALLOW_PRIVATE: private networks, for
   * receivers on premises). Both off by default, so a webhook cannot be aimed inside the network.
   */
  readonly webhooks: { readonly allowLoopback: boolean; readonly allowPrivate: boolean }
}

export interface Timeouts {
  /** The whole request, headers and body, must arrive within this; a slower client gets 408. */
  readonly request: number
  /** An idle connection is kept this long for the client's next request. */
  readonly keepAlive: number
  /** A connection on which nothing moves either way for this long is closed (a client that stopped reading). */
  readonly socket: number
  /** A request waits this long for a database connection before it is answered 503. */
  readonly databaseConnect: number
}

/** The timeouts, in seconds, unless REQUEST_TIMEOUT, KEEP_ALIVE_TIMEOUT, SOCKET_TIMEOUT, DATABASE_CONNECT_TIMEOUT say otherwise. */
export const DEFAULT_TIMEOUT_SECONDS = Object.freeze({ request: 30, keepAlive: 65, socket: 120, databaseConnect: 5 })
const MAX_TIMEOUT_SECONDS = 3600

/** Seconds a read replica may trail the primary before reports read the primary, unless DATABASE_READ_MAX_LAG says otherwise. */
export const DEFAULT_READ_MAX_LAG_SECONDS = 5

/** Where Debian and Ubuntu install Chromium; used for the board pack's PDF unless CHROMIUM_PATH says otherwise. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium'

/** Survey forms accepted per minute, unless SUBMIT_RATE_LIMIT / SUBMIT_LINK_RATE_LIMIT say otherwise. */
export const DEFAULT_SUBMIT_LIMITS = Object.freeze({ perAddress: 30, perLink: 600 })
export const MAX_SUBMIT_LIMIT = 1_000_000
/** Rate-limit hits are stored every this many milliseconds, unless RATE_LIMIT_FLUSH_MS says otherwise. */
export const DEFAULT_RATE_LIMIT_FLUSH_MS = 200

export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`${variable}: ${problem}`)
    this.name = 'ConfigError'
  }
}

type Env = Record<string, string | undefined>

/** One entry per variable: how to read it. `.env.example` documents the same list. */
const parse = {
  HOST: (v: string | undefined) => v || '127.0.0.1',
  PORT(v: string | undefined) {
    if (v === undefined || v === '') return 3000
    const port = Number(v)
    if (!/^\d+$/.test(v) || port < 1 || port > 65535) throw new ConfigError('PORT', `"${v}" is not a port number (1–65535)`)
    return port
  },
  url(name: string, v: string | undefined, protocols: string[]) {
    if (v === undefined || v === '') return null
    let url: URL
    try {
      url = new URL(v)
    } catch {
      throw new ConfigError(name, 'is not a valid URL')
    }
    if (!protocols.includes(url.protocol)) {
      throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`)
    }
    return v
  },
  email(name: string, v: string | undefined) {
    if (v === undefined || v === '') return null
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) throw new ConfigError(name, `"${v}" is not an email address`)
    return v.toLowerCase()
  },
  /** A whole number from 1 to `max`, or the default when unset. */
  count(name: string, v: string | undefined, fallback: number, max: number) {
    if (v === undefined || v === '') return fallback
    const n = Number(v)
    if (!/^\d+$/.test(v) || n < 1 || n > max) throw new ConfigError(name, `"${v}" must be a whole number from 1 to ${max}`)
    return n
  },
  /** A number of seconds (fractions allowed) from 0.1 to `max`, returned in milliseconds. */
  seconds(name: string, v: string | undefined, fallback: number, max = MAX_TIMEOUT_SECONDS) {
    if (v === undefined || v === '') return fallback * 1000
    const n = Number(v)
    if (!/^\d+(\.\d+)?$/.test(v) || n < 0.1 || n > max) throw new ConfigError(name, `"${v}" must be a number of seconds from 0.1 to ${max}`)
    return Math.round(n * 1000)
  },
  boolean(name: string, v: string | undefined) {
    if (v === undefined || v === '') return false
    if (['1', 'true', 'yes'].includes(v.toLowerCase())) return true
    if (['0', 'false', 'no'].includes(v.toLowerCase())) return false
    throw new ConfigError(name, `"${v}" must be true or false`)
  },
}

/** For commands: a bad setting prints one line naming the variable and exits, without a stack trace. */
export function loadConfigOrExit(exitCode = 1): Config {
  try {
    return loadConfig()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(`Configuration error: ${error.message}`)
    process.exit(exitCode)
  }
}

/** Reads and checks the environment. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const host = parse.HOST(env.HOST)
  const port = parse.PORT(env.PORT)
  const publicUrl = (parse.url('PUBLIC_URL', env.PUBLIC_URL, ['http:', 'https:']) ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '')
  const databaseUrl = parse.url('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:'])
  const dataDir = resolve(env.DATA_DIR || '.data')
  const readReplica = readReplicaOf(env, databaseUrl)
  const smtpUrl = parse.url('SMTP_URL', env.SMTP_URL, ['smtp:', 'smtps:'])
  const adminEmail = parse.email('ADMIN_EMAIL', env.ADMIN_EMAIL)
  const adminPassword = env.ADMIN_PASSWORD || null
  if (adminPassword !== null && (adminPassword.length < MIN_PASSWORD_LENGTH || adminPassword.length > MAX_PASSWORD_LENGTH)) {
    throw new ConfigError('ADMIN_PASSWORD', `must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`)
  }
  if ((adminEmail === null) !== (adminPassword === null)) {
    throw new ConfigError(adminEmail ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL', 'ADMIN_EMAIL and ADMIN_PASSWORD must be set together')
  }
  const orgName = (env.ORG_NAME ?? '').trim() || 'My organization'
  if (orgName.length > 100) throw new ConfigError('ORG_NAME', 'must be at most 100 characters')
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`)
  const trustProxy = parse.boolean('TRUST_PROXY', env.TRUST_PROXY)
  const mailFrom = (env.MAIL_FROM ?? '').trim() || `Service Gap <surveys@${new URL(publicUrl).hostname}>`
  if (!/@[^\s@>]+\.?[^\s@>]*>?$/.test(mailFrom) || mailFrom.length > 200) throw new ConfigError('MAIL_FROM', 'must be an address such as "Acme surveys <surveys@acme.example>"')
  const mailRate = env.MAIL_RATE === undefined || env.MAIL_RATE === '' ? 20 : Number(env.MAIL_RATE)
  if (!Number.isFinite(mailRate) || mailRate <= 0 || mailRate > 10_000) throw new ConfigError('MAIL_RATE', 'must be a number of messages per second between 0 and 10000')
  const submitLimits = Object.freeze({
    perAddress: parse.count('SUBMIT_RATE_LIMIT', env.SUBMIT_RATE_LIMIT, DEFAULT_SUBMIT_LIMITS.perAddress, MAX_SUBMIT_LIMIT),
    perLink: parse.count('SUBMIT_LINK_RATE_LIMIT', env.SUBMIT_LINK_RATE_LIMIT, DEFAULT_SUBMIT_LIMITS.perLink, MAX_SUBMIT_LIMIT),
  })
  const rateLimitFlushMs = parse.count('RATE_LIMIT_FLUSH_MS', env.RATE_LIMIT_FLUSH_MS, DEFAULT_RATE_LIMIT_FLUSH_MS, 10_000)
  const timeouts: Timeouts = Object.freeze({
    request: parse.seconds('REQUEST_TIMEOUT', env.REQUEST_TIMEOUT, DEFAULT_TIMEOUT_SECONDS.request),
    keepAlive: parse.seconds('KEEP_ALIVE_TIMEOUT', env.KEEP_ALIVE_TIMEOUT, DEFAULT_TIMEOUT_SECONDS.keepAlive),
    socket: parse.seconds('SOCKET_TIMEOUT', env.SOCKET_TIMEOUT, DEFAULT_TIMEOUT_SECONDS.socket),
    databaseConnect: parse.seconds('DATABASE_CONNECT_TIMEOUT', env.DATABASE_CONNECT_TIMEOUT, DEFAULT_TIMEOUT_SECONDS.databaseConnect, 600),
  })
  const signingSecret = readSigningSecret(env, databaseUrl, dataDir)
  const allowInsecureOidcLoopback = parse.boolean('OIDC_ALLOW_INSECURE_LOOPBACK', env.OIDC_ALLOW_INSECURE_LOOPBACK)
  // A path that names no file is kept: the board pack then says the server cannot make PDFs.
  const chromiumPath = env.CHROMIUM_PATH || (existsSync(DEFAULT_CHROMIUM) ? DEFAULT_CHROMIUM : null)
  const webhooks = Object.freeze({
    allowLoopback: parse.boolean('WEBHOOKS_ALLOW_LOOPBACK', env.WEBHOOKS_ALLOW_LOOPBACK),
    allowPrivate: parse.boolean('WEBHOOKS_ALLOW_PRIVATE', env.WEBHOOKS_ALLOW_PRIVATE),
  })

  return Object.freeze({
    host, port, publicUrl, databaseUrl, readReplica, dataDir, smtpUrl, mailFrom, mailRate, signingSecret, adminEmail, adminPassword,
    orgName, logLevel, trustProxy, secureCookies: new URL(publicUrl).protocol === 'https:', submitLimits, rateLimitFlushMs,
    timeouts, allowInsecureOidcLoopback, chromiumPath, webhooks,
  })
}

/**
 * DATABASE_READ_URL names a streaming replica of DATABASE_URL. The embedded database has no replicas,
 * so a read URL without DATABASE_URL stops the server at start rather than being silently ignored.
 */
function readReplicaOf(env: Env, databaseUrl: string | null): Config['readReplica'] {
  const url = parse.url('DATABASE_READ_URL', env.DATABASE_READ_URL, ['postgres:', 'postgresql:'])
  const maxLag = parse.seconds('DATABASE_READ_MAX_LAG', env.DATABASE_READ_MAX_LAG, DEFAULT_READ_MAX_LAG_SECONDS, 600)
  if (url === null) return null
  if (databaseUrl === null) throw new ConfigError('DATABASE_READ_URL', 'needs DATABASE_URL: it names a streaming replica of that PostgreSQL database, and the embedded database has none')
  return Object.freeze({ url, maxLag })
}

/** Where the generated secret is kept on the embedded database; the second name is from before the rename. */
const SIGNING_SECRET_FILE = 'signing-secret'
const LEGACY_SECRET_FILE = 'session-secret'

/**
 * SIGNING_SECRET: the key that signs CSRF tokens, survey links and unsubscribe links. Its old name
 * SESSION_SECRET still works, so existing deployments keep their links valid; both set to different
 * values is refused, since either choice would silently break links or forms. On the embedded
 * database one is generated and kept in the data directory, so a laptop needs no setup; on
 * PostgreSQL every instance must share it, so it is required.
 */
function readSigningSecret(env: Env, databaseUrl: string | null, dataDir: string): string {
  const current = env.SIGNING_SECRET || null
  const legacy = env.SESSION_SECRET || null
  if (current !== null && legacy !== null && current !== legacy) {
    throw new ConfigError('SIGNING_SECRET', 'differs from SESSION_SECRET, its old name; set only SIGNING_SECRET')
  }
  const value = current ?? legacy
  if (value !== null) {
    const variable = current !== null ? 'SIGNING_SECRET' : 'SESSION_SECRET'
    if (value.length < 32) throw new ConfigError(variable, 'must be at least 32 characters (try: openssl rand -hex 32)')
    return value
  }
  if (databaseUrl !== null) {
    throw new ConfigError('SIGNING_SECRET', 'is required when DATABASE_URL is set, so that every instance shares it (try: openssl rand -hex 32)')
  }
  for (const name of [SIGNING_SECRET_FILE, LEGACY_SECRET_FILE]) {
    let stored = ''
    try {
      stored = readFileSync(join(dataDir, name), 'utf8').trim()
    } catch {
      // not there (yet): the next name, or one is made below
    }
    if (stored.length >= 32) return stored
  }
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('hex')
  writeFileSync(join(dataDir, SIGNING_SECRET_FILE), secret + '\n', { mode: 0o600 })
  return secret
}
