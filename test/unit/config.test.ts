import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../server/config.js'

const SECRET = 'a-signing-secret-of-at-least-32-chars!'

/** A temporary data directory per test, removed afterwards. */
const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sg-config-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** Runs loadConfig and returns the ConfigError it throws (fails the test if it throws nothing else). */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`)
}

describe('loadConfig defaults', () => {
  it('listens on 127.0.0.1:3000 and derives the public URL from host and port', () => {
    const config = loadConfig({ SIGNING_SECRET: SECRET })
    expect(config.host).toBe('127.0.0.1')
    expect(config.port).toBe(3000)
    expect(config.publicUrl).toBe('http://127.0.0.1:3000')
    expect(config.databaseUrl).toBeNull()
    expect(config.smtpUrl).toBeNull()
    expect(config.adminEmail).toBeNull()
    expect(config.adminPassword).toBeNull()
    expect(config.logLevel).toBe('info')
    expect(config.trustProxy).toBe(false)
    expect(config.orgName).toBe('My organization')
    expect(config.signingSecret).toBe(SECRET)
  })

  it('derives the public URL from a custom HOST and PORT, bracketing an IPv6 host', () => {
    expect(loadConfig({ SIGNING_SECRET: SECRET, HOST: '0.0.0.0', PORT: '8080' }).publicUrl).toBe('http://0.0.0.0:8080')
    expect(loadConfig({ SIGNING_SECRET: SECRET, HOST: '::1', PORT: '8080' }).publicUrl).toBe('http://[::1]:8080')
  })

  it('removes trailing slashes from PUBLIC_URL', () => {
    expect(loadConfig({ SIGNING_SECRET: SECRET, PUBLIC_URL: 'https://survey.example.com/' }).publicUrl).toBe('https://survey.example.com')
    expect(loadConfig({ SIGNING_SECRET: SECRET, PUBLIC_URL: 'https://example.com/sg//' }).publicUrl).toBe('https://example.com/sg')
  })

  it('lower-cases the admin email and accepts admin email and password together', () => {
    const config = loadConfig({ SIGNING_SECRET: SECRET, ADMIN_EMAIL: 'Boss@Example.COM', ADMIN_PASSWORD: 'twelve chars' })
    expect(config.adminEmail).toBe('boss@example.com')
    expect(config.adminPassword).toBe('twelve chars')
  })

  it('reads TRUST_PROXY as a boolean', () => {
    expect(loadConfig({ SIGNING_SECRET: SECRET, TRUST_PROXY: 'true' }).trustProxy).toBe(true)
    expect(loadConfig({ SIGNING_SECRET: SECRET, TRUST_PROXY: 'YES' }).trustProxy).toBe(true)
    expect(loadConfig({ SIGNING_SECRET: SECRET, TRUST_PROXY: '0' }).trustProxy).toBe(false)
  })

  it('accepts postgres:// and postgresql:// database URLs', () => {
    expect(loadConfig({ SIGNING_SECRET: SECRET, DATABASE_URL: 'postgres://u@h/db' }).databaseUrl).toBe('postgres://u@h/db')
    expect(loadConfig({ SIGNING_SECRET: SECRET, DATABASE_URL: 'postgresql://u@h/db' }).databaseUrl).toBe('postgresql://u@h/db')
  })

  it('keeps survey submissions at 30 a minute per address and 600 per link unless SUBMIT_RATE_LIMIT / SUBMIT_LINK_RATE_LIMIT raise them', () => {
    expect(loadConfig({ SIGNING_SECRET: SECRET }).submitLimits).toEqual({ perAddress: 30, perLink: 600 })
    expect(loadConfig({ SIGNING_SECRET: SECRET, SUBMIT_RATE_LIMIT: '1000000', SUBMIT_LINK_RATE_LIMIT: '5000' }).submitLimits)
      .toEqual({ perAddress: 1_000_000, perLink: 5000 })
  })

  it('stores rate-limit hits every 200 ms unless RATE_LIMIT_FLUSH_MS says otherwise, from 1 to 10,000 ms', () => {
    expect(loadConfig({ SIGNING_SECRET: SECRET }).rateLimitFlushMs).toBe(200)
    expect(loadConfig({ SIGNING_SECRET: SECRET, RATE_LIMIT_FLUSH_MS: '50' }).rateLimitFlushMs).toBe(50)
    for (const bad of ['0', '10001', '0.5', 'soon']) expect(() => loadConfig({ SIGNING_SECRET: SECRET, RATE_LIMIT_FLUSH_MS: bad })).toThrow(/RATE_LIMIT_FLUSH_MS/)
  })

  it('waits 30 s for a request, keeps idle connections 65 s, silent ones 120 s, and waits 5 s for the database, unless told otherwise in seconds', () => {
    expect(loadConfig({ SIGNING_SECRET: SECRET }).timeouts).toEqual({ request: 30_000, keepAlive: 65_000, socket: 120_000, databaseConnect: 5000 })
    expect(loadConfig({ SIGNING_SECRET: SECRET, REQUEST_TIMEOUT: '0.5', KEEP_ALIVE_TIMEOUT: '75', SOCKET_TIMEOUT: '3600', DATABASE_CONNECT_TIMEOUT: '2.25' }).timeouts)
      .toEqual({ request: 500, keepAlive: 75_000, socket: 3_600_000, databaseConnect: 2250 })
  })

  it('returns a frozen object that cannot be changed', () => {
    const config = loadConfig({ SIGNING_SECRET: SECRET })
    expect(Object.isFrozen(config)).toBe(true)
    expect(() => {
      (config as { port: number }).port = 1
    }).toThrow(TypeError)
    expect(config.port).toBe(3000)
  })
})

describe('loadConfig rejects bad values with a ConfigError naming the variable', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '-1' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'ftp://x' }],
    ['SMTP_URL', { SMTP_URL: 'http://mail' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['ADMIN_EMAIL', { ADMIN_EMAIL: 'nope', ADMIN_PASSWORD: 'long enough password' }],
    ['ADMIN_PASSWORD', { ADMIN_EMAIL: 'boss@example.com', ADMIN_PASSWORD: 'elevenchars' }],
    ['ADMIN_PASSWORD', { ADMIN_EMAIL: 'boss@example.com' }],
    ['ADMIN_EMAIL', { ADMIN_PASSWORD: 'long enough password' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'maybe' }],
    ['SIGNING_SECRET', { SIGNING_SECRET: 'x'.repeat(31) }],
    ['ORG_NAME', { ORG_NAME: 'x'.repeat(101) }],
    ['SUBMIT_RATE_LIMIT', { SUBMIT_RATE_LIMIT: '0' }],
    ['SUBMIT_RATE_LIMIT', { SUBMIT_RATE_LIMIT: '2.5' }],
    ['SUBMIT_LINK_RATE_LIMIT', { SUBMIT_LINK_RATE_LIMIT: '1000001' }],
    ['REQUEST_TIMEOUT', { REQUEST_TIMEOUT: '0' }],
    ['REQUEST_TIMEOUT', { REQUEST_TIMEOUT: '30s' }],
    ['KEEP_ALIVE_TIMEOUT', { KEEP_ALIVE_TIMEOUT: '-5' }],
    ['SOCKET_TIMEOUT', { SOCKET_TIMEOUT: '3601' }],
    ['DATABASE_CONNECT_TIMEOUT', { DATABASE_CONNECT_TIMEOUT: '1e3' }],
    ['DATABASE_CONNECT_TIMEOUT', { DATABASE_CONNECT_TIMEOUT: '601' }],
    ['DATABASE_READ_URL', { DATABASE_READ_URL: 'postgres://127.0.0.1:5433/x' }],
    ['DATABASE_READ_URL', { DATABASE_URL: 'postgres://127.0.0.1/x', DATABASE_READ_URL: 'mysql://x' }],
    ['DATABASE_READ_MAX_LAG', { DATABASE_URL: 'postgres://127.0.0.1/x', DATABASE_READ_URL: 'postgres://127.0.0.1:5433/x', DATABASE_READ_MAX_LAG: '0' }],
  ]
  for (const [variable, env] of cases) {
    it(`${variable} for ${JSON.stringify(env)}`, () => {
      const error = configError({ SIGNING_SECRET: SECRET, ...env })
      expect(error.variable).toBe(variable)
      expect(error.message.startsWith(`${variable}: `)).toBe(true)
    })
  }

  it('reads a streaming replica only beside DATABASE_URL, with its lag bound in milliseconds', () => {
    const primary = { SIGNING_SECRET: SECRET, DATABASE_URL: 'postgres://127.0.0.1/x' }
    expect(loadConfig(primary).readReplica).toBeNull()
    expect(loadConfig({ ...primary, DATABASE_READ_URL: 'postgres://127.0.0.1:5433/x' }).readReplica).toEqual({ url: 'postgres://127.0.0.1:5433/x', maxLag: 5000 })
    expect(loadConfig({ ...primary, DATABASE_READ_URL: 'postgres://127.0.0.1:5433/x', DATABASE_READ_MAX_LAG: '0.5' }).readReplica!.maxLag).toBe(500)
    expect(configError({ SIGNING_SECRET: SECRET, DATABASE_READ_URL: 'postgres://127.0.0.1:5433/x' }).message).toContain('the embedded database has none')
  })

  it('says that ADMIN_EMAIL and ADMIN_PASSWORD must be set together when only the email is given', () => {
    const error = configError({ SIGNING_SECRET: SECRET, ADMIN_EMAIL: 'boss@example.com' })
    expect(error.message).toContain('ADMIN_EMAIL and ADMIN_PASSWORD must be set together')
  })

  it('accepts a SIGNING_SECRET of exactly 32 characters', () => {
    expect(loadConfig({ SIGNING_SECRET: 'x'.repeat(32) }).signingSecret).toBe('x'.repeat(32))
  })

  it('accepts PORT 65535 and an ADMIN_PASSWORD of exactly 12 characters', () => {
    const config = loadConfig({ SIGNING_SECRET: SECRET, PORT: '65535', ADMIN_EMAIL: 'a@b.co', ADMIN_PASSWORD: '123456789012' })
    expect(config.port).toBe(65535)
    expect(config.adminPassword).toBe('123456789012')
  })
})

describe('loadConfig signing secret', () => {
  it('generates a secret on the embedded database, keeps it in DATA_DIR/signing-secret and reads the same one back', () => {
    const dataDir = join(tempDir(), 'nested', 'data')
    const first = loadConfig({ DATA_DIR: dataDir })
    expect(first.dataDir).toBe(dataDir)
    expect(first.signingSecret).toMatch(/^[0-9a-f]{64}$/)
    const file = join(dataDir, 'signing-secret')
    expect(existsSync(file)).toBe(true)
    expect(readFileSync(file, 'utf8').trim()).toBe(first.signingSecret)

    const second = loadConfig({ DATA_DIR: dataDir })
    expect(second.signingSecret).toBe(first.signingSecret)
  })

  it('keeps using a secret stored before the rename in DATA_DIR/session-secret, so links already sent stay valid', () => {
    const dataDir = tempDir()
    writeFileSync(join(dataDir, 'session-secret'), `${SECRET}\n`)
    expect(loadConfig({ DATA_DIR: dataDir }).signingSecret).toBe(SECRET)
    expect(existsSync(join(dataDir, 'signing-secret'))).toBe(false)
  })

  it('generates a different secret for a different data directory', () => {
    const a = loadConfig({ DATA_DIR: tempDir() })
    const b = loadConfig({ DATA_DIR: tempDir() })
    expect(a.signingSecret).not.toBe(b.signingSecret)
  })

  it('prefers SIGNING_SECRET over the stored file and writes no file when it is given', () => {
    const dataDir = tempDir()
    expect(loadConfig({ DATA_DIR: dataDir, SIGNING_SECRET: SECRET }).signingSecret).toBe(SECRET)
    expect(existsSync(join(dataDir, 'signing-secret'))).toBe(false)
  })

  it('still takes SESSION_SECRET, its old name, and checks it the same way', () => {
    const dataDir = tempDir()
    expect(loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: SECRET }).signingSecret).toBe(SECRET)
    expect(existsSync(join(dataDir, 'signing-secret'))).toBe(false)
    const error = configError({ SESSION_SECRET: 'x'.repeat(31) })
    expect(error.variable).toBe('SESSION_SECRET')
    expect(error.message).toContain('at least 32 characters')
  })

  it('accepts SIGNING_SECRET and SESSION_SECRET set to the same value', () => {
    expect(loadConfig({ SIGNING_SECRET: SECRET, SESSION_SECRET: SECRET }).signingSecret).toBe(SECRET)
  })

  it('refuses to start when SIGNING_SECRET and SESSION_SECRET differ, naming both', () => {
    const error = configError({ SIGNING_SECRET: SECRET, SESSION_SECRET: `${SECRET}-other` })
    expect(error.variable).toBe('SIGNING_SECRET')
    expect(error.message).toBe('SIGNING_SECRET: differs from SESSION_SECRET, its old name; set only SIGNING_SECRET')
  })

  it('requires SIGNING_SECRET when DATABASE_URL is set', () => {
    const dataDir = tempDir()
    const error = configError({ DATA_DIR: dataDir, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' })
    expect(error.variable).toBe('SIGNING_SECRET')
    expect(existsSync(join(dataDir, 'signing-secret'))).toBe(false)
  })

  it('replaces an empty stored secret file with a generated secret', () => {
    const dataDir = tempDir()
    writeFileSync(join(dataDir, 'signing-secret'), '\n')
    const secret = loadConfig({ DATA_DIR: dataDir }).signingSecret
    expect(secret).toMatch(/^[0-9a-f]{64}$/)
    expect(readFileSync(join(dataDir, 'signing-secret'), 'utf8').trim()).toBe(secret)
  })
})

describe('loadConfig secure cookies', () => {
  it('are on only when PUBLIC_URL is https', () => {
    expect(loadConfig({ SIGNING_SECRET: SECRET, PUBLIC_URL: 'https://survey.example.com' }).secureCookies).toBe(true)
    expect(loadConfig({ SIGNING_SECRET: SECRET, PUBLIC_URL: 'http://survey.example.com' }).secureCookies).toBe(false)
    expect(loadConfig({ SIGNING_SECRET: SECRET }).secureCookies).toBe(false)
  })

  it('are on for an https PUBLIC_URL written with an upper-case scheme', () => {
    expect(loadConfig({ SIGNING_SECRET: SECRET, PUBLIC_URL: 'HTTPS://survey.example.com' }).secureCookies).toBe(true)
  })
})

describe('the Chromium of the board pack', () => {
  const base = () => ({ SIGNING_SECRET: SECRET, DATA_DIR: tempDir() })
  it('is CHROMIUM_PATH when set, even to a file that is not there (the server then makes no PDFs)', () => {
    expect(loadConfig({ ...base(), CHROMIUM_PATH: '/opt/chrome/chrome' }).chromiumPath).toBe('/opt/chrome/chrome')
  })
  it('is /usr/bin/chromium when unset and that file exists, and none otherwise', () => {
    expect(loadConfig(base()).chromiumPath).toBe(existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : null)
    expect(loadConfig({ ...base(), CHROMIUM_PATH: '' }).chromiumPath).toBe(existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : null)
  })
})
