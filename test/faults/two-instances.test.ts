// Two instances of the real server on one PostgreSQL database (same signing secret, different ports),
// behind haproxy on loopback (round robin, no stickiness): nothing a person or a worker does may
// depend on which instance answers. haproxy names the instance in an x-served-by header, so each
// check below first proves that its requests really went to both. PostgreSQL only: two processes
// cannot share the embedded database.
//
// What was checked for state kept in one instance, and why each is safe behind a load balancer:
// - Sessions: a random id in a cookie, its hash in the sessions table (plugins/auth.ts). Checked here.
// - CSRF: the form token is an HMAC of the browser's CSRF cookie under SIGNING_SECRET, which every
//   instance must share (config.ts refuses to start on PostgreSQL without one). Checked here.
// - Rate limits: tallied in each instance and added to the rate_limits table in one statement per
//   flush interval, which reads every instance's totals back (domain/rate-tally.ts, repositories/
//   rate-limits.ts, plugins/rate-limit-store.ts), the kiosk's new devices per address included. A limit
//   can be exceeded by what the other instances take in about two flush intervals. Checked here.
// - Sign-in and reset throttles per account: the throttle_events table (repositories/sign-in-throttle.ts).
// - Uploads awaiting confirmation (contact and response CSVs): the uploads and upload_parts tables,
//   nothing on local disk. Checked here.
// - Kiosk device cookies and render tokens: signed with SIGNING_SECRET; per-day and per-device counts
//   in kiosk_days and kiosk_device_counts. Single sign-on state and two-factor challenges: tables.
// - In-memory caches (local-cache.ts), each safe because what it keeps cannot differ between instances:
//   frozen instruments (a trigger forbids changing an instrument a wave uses); a wave's measure items
//   (its prediction questions may change only while it holds no answer, so they are kept only once it
//   holds one: repositories/rollups.ts); releases, wave figures and analytics (kept under the release
//   version read from the database on every use: a new answer on another instance is a new version.
//   Checked here: each instance reports the answer the other took); logos in mail (by content hash);
//   a survey link or an import's context read a moment ago (10 s, and the statement that stores
//   checks again that the link exists and its wave is open, or the foreign keys refuse).
// - Mail: every kind of job is claimed with `for update skip locked` and marked sending in the same
//   statement (repositories/invitations.ts, account-mails.ts, notification-mails.ts), so two workers
//   never hold one job; a paused organization is paused in the database. Checked here with both
//   workers sending. Each instance keeps its own MAIL_RATE pace, so the total rate is MAIL_RATE per
//   instance (documented as such, not shared).
// - Release steps take a per-wave row lock (staff-pool.ts lockStaffRelease); the schedule locks the
//   wave's row (wave-schedule.ts); alert and digest mail is queued under a unique (kind, ref,
//   recipient), so a second instance's copy changes nothing; webhook deliveries are claimed with
//   `skip locked` (test/faults/webhook-worker-kill.test.ts); a second retention run finds nothing left.
//   Ended rate-limit windows are purged by any instance (a window gone is a window restarted).
// - First start: instances started together on a new database create the owner once (the second,
//   refused by the unique email, starts as if it had found them). Both servers here start at once.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js'
import { freePort, OWNER, startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { smtpServer } from '../helpers/smtp.js'

const KEYS = SERVICE_GAP_INDEX_V1.items.map((item) => item.key)
/** Contacts in the uploaded file: more than one worker claims at once (100), so both must send. */
const CONTACTS = 130

const unescapeHtml = (text: string) =>
  text.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')
/** The hidden fields of a page's form, as a browser would send them. */
const hiddenFields = (html: string): Array<[string, string]> =>
  [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [unescapeHtml(m[1]!), unescapeHtml(m[2]!)])
const csrfOf = (html: string) => unescapeHtml(/name="_csrf" value="([^"]+)"/.exec(html)![1]!)

interface Answer { status: number; headers: Headers; body: string; servedBy: string }

/** A browser (or an API client) talking to the balancer: keeps its cookies, follows no redirects. */
class Client {
  private readonly cookies = new Map<string, string>()

  constructor(private readonly base: string) {}

  async request(method: string, path: string, options: { form?: Array<[string, string]>; body?: FormData | string; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'text/html', ...options.headers }
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    let body: FormData | string | undefined = options.body
    if (options.form) {
      body = new URLSearchParams(options.form).toString()
      headers['content-type'] = 'application/x-www-form-urlencoded'
    }
    const response = await fetch(`${this.base}${path}`, { method, headers, body, redirect: 'manual' })
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';')
      const [name, value = ''] = pair!.split('=')
      if (value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name!.trim())
      else this.cookies.set(name!.trim(), value)
    }
    return { status: response.status, headers: response.headers, body: await response.text(), servedBy: response.headers.get('x-served-by') ?? '' }
  }

  get(path: string) {
    return this.request('GET', path)
  }

  post(path: string, form: Array<[string, string]>) {
    return this.request('POST', path, { form })
  }

  json(method: string, path: string, payload: unknown, token?: string) {
    return this.request(method, path, {
      body: JSON.stringify(payload),
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    })
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((done) => setTimeout(done, 50))
  }
}

async function listening(port: number, timeoutMs = 10_000) {
  await until(() => new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  }), `haproxy to listen on ${port}`, timeoutMs)
}

function haproxyConfig(port: number, servers: Array<{ name: string; port: number }>) {
  return [
    'global',
    '  maxconn 256',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    'frontend balancer',
    `  bind 127.0.0.1:${port}`,
    '  default_backend instances',
    'backend instances',
    '  balance roundrobin',
    // Which instance answered, for the test to check that requests really went to both.
    '  http-response set-header x-served-by %s',
    ...servers.map((server) => `  server ${server.name} 127.0.0.1:${server.port}`),
    '',
  ].join('\n')
}

describe('two instances behind a load balancer [postgres]', () => {
  let database: TestDatabase
  let smtp: Array<Awaited<ReturnType<typeof smtpServer>>> = []
  let servers: ServerProcess[] = []
  let haproxy: ChildProcess | null = null
  let haproxyOutput = ''
  let dir = ''
  let base = ''
  let token = ''
  const admin = () => new Client(base)
  let owner: Client

  beforeAll(async () => {
    database = await createTestDatabase('postgres')
    smtp = await Promise.all([smtpServer(), smtpServer()])
    const port = await freePort()
    base = `http://127.0.0.1:${port}`
    // Both at once, as a deployment starts them: the owner from the environment is created once.
    // Each sends mail through its own SMTP server, so the messages say which instance sent them.
    servers = await Promise.all(smtp.map((relay) => startServerProcess({ url: database.url! }, {
      env: { PUBLIC_URL: base, SMTP_URL: relay.url, MAIL_RATE: '40' },
    })))
    dir = mkdtempSync(join(tmpdir(), 'sg-haproxy-'))
    const config = join(dir, 'haproxy.cfg')
    writeFileSync(config, haproxyConfig(port, servers.map((server, i) => ({ name: `instance-${'ab'[i]}`, port: Number(new URL(server.url).port) }))))
    haproxy = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] })
    haproxy.stdout!.on('data', (chunk: Buffer) => { haproxyOutput += chunk.toString() })
    haproxy.stderr!.on('data', (chunk: Buffer) => { haproxyOutput += chunk.toString() })
    haproxy.once('exit', (code) => { haproxyOutput += `\n(haproxy exited: ${code})` })
    try {
      await listening(port)
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${haproxyOutput}`, { cause: error })
    }
    owner = admin()
  })

  afterAll(async () => {
    if (haproxy && haproxy.exitCode === null && haproxy.signalCode === null) {
      haproxy.kill('SIGTERM')
      await once(haproxy, 'exit')
    }
    for (const server of servers) {
      if (server.child.exitCode === null) {
        server.child.kill('SIGTERM')
        await server.exited
      }
    }
    await Promise.all(smtp.map((relay) => relay.close()))
    await database?.drop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('serves requests from both instances, one after the other', async () => {
    const served = []
    for (let i = 0; i < 4; i++) served.push((await admin().get('/health')).servedBy)
    expect(new Set(served)).toEqual(new Set(['instance-a', 'instance-b']))
    // Round robin: each request goes to the other instance than the one before.
    for (let i = 1; i < served.length; i++) expect(served[i]).not.toBe(served[i - 1])
  })

  // Signing in hashes at the production cost (the servers are real): slow on a busy machine.
  it('signs in on one instance and continues on the other: the session and the CSRF token hold on both', { timeout: 60_000 }, async () => {
    const page = await owner.get('/login')
    expect(page.status).toBe(200)
    const signIn = await owner.post('/login', [['_csrf', csrfOf(page.body)], ['email', OWNER.email], ['password', OWNER.password]])
    expect(signIn.status, signIn.body.slice(0, 300)).toBe(303)
    expect(signIn.servedBy).not.toBe(page.servedBy)
    const pages = [await owner.get('/waves'), await owner.get('/waves')]
    expect(pages.map((p) => p.status)).toEqual([200, 200])
    expect(new Set(pages.map((p) => p.servedBy))).toEqual(new Set(['instance-a', 'instance-b']))
    expect(pages[0]!.body).toContain('action="/logout"')

    // The CSRF check is live on both: a token one character off is refused by either instance.
    const stranger = admin()
    const good = csrfOf((await stranger.get('/login')).body)
    const forged = `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`
    const refused = [await stranger.post('/login', [['_csrf', forged], ['email', OWNER.email], ['password', OWNER.password]]),
      await stranger.post('/login', [['_csrf', forged], ['email', OWNER.email], ['password', OWNER.password]])]
    expect(refused.map((r) => r.status)).toEqual([403, 403])
    expect(new Set(refused.map((r) => r.servedBy))).toEqual(new Set(['instance-a', 'instance-b']))
  })

  it('previews an uploaded contacts file on one instance and imports it on the other', async () => {
    const csv = ['email,name,side', ...Array.from({ length: CONTACTS }, (_, i) => `person${i}@scale.test,Person ${i},customer`)].join('\n')
    const page = await owner.get('/contacts/import')
    const form = new FormData()
    form.append('_csrf', csrfOf(page.body))
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'people.csv')
    const uploaded = await owner.request('POST', '/contacts/import', { body: form })
    expect(uploaded.status, uploaded.body.slice(0, 300)).toBe(303)
    expect(uploaded.servedBy).not.toBe(page.servedBy)
    const previewPath = uploaded.headers.get('location')!
    const preview = await owner.get(previewPath)
    expect(preview.status).toBe(200)
    expect(preview.servedBy).not.toBe(uploaded.servedBy)
    expect(preview.body).toContain(`<li><strong>${CONTACTS}</strong> to import</li>`)
    const uploadId = new URL(previewPath, base).searchParams.get('upload')!
    const confirmed = await owner.post('/contacts/import/confirm', [['_csrf', csrfOf(preview.body)], ['upload', uploadId]])
    expect(confirmed.status).toBe(200)
    expect(confirmed.servedBy).not.toBe(preview.servedBy)
    expect(confirmed.body).toContain(`<li><strong>${CONTACTS}</strong> created</li>`)
  })

  it('holds a rate limit across instances: once they have flushed, the 11th token request of a minute is refused, whichever instance gets it', async () => {
    const api = admin()
    const first = await api.json('POST', '/api/v1/tokens', OWNER)
    expect(first.status).toBe(201)
    token = JSON.parse(first.body).token
    const served = [first.servedBy]
    // Requests the limit counts before anything else reads them (no password is hashed for these).
    for (let i = 0; i < 9; i++) {
      const incomplete = await api.json('POST', '/api/v1/tokens', { email: `nobody${i}@scale.test` })
      expect(incomplete.status).toBe(400)
      served.push(incomplete.servedBy)
    }
    // Each instance took five: with a limit per instance, neither would refuse the next one.
    expect(served.filter((name) => name === 'instance-a')).toHaveLength(5)
    expect(served.filter((name) => name === 'instance-b')).toHaveLength(5)
    // Each instance stores its hits and reads the other's back every flush interval (200 ms by
    // default, domain/rate-tally.ts): within a few intervals each knows all ten. Sooner, the one that
    // has not read the other's last hits may let one more through: the documented slack.
    await new Promise((done) => setTimeout(done, 1500))
    const eleventh = await api.json('POST', '/api/v1/tokens', OWNER)
    expect(eleventh.status).toBe(429)
    expect(JSON.parse(eleventh.body).error).toBe('too_many_requests')
    const twelfth = await api.json('POST', '/api/v1/tokens', OWNER)
    expect(twelfth.status).toBe(429)
    expect(new Set([eleventh.servedBy, twelfth.servedBy])).toEqual(new Set(['instance-a', 'instance-b']))
  })

  it('takes survey answers through both instances and counts each once, in the report of either', async () => {
    const wave = await admin().json('POST', '/api/v1/waves', { name: 'Scale-out wave', templateKey: 'service-gap-index' }, token)
    expect(wave.status, wave.body).toBe(201)
    const { id: waveId, links } = JSON.parse(wave.body) as { id: string; links: { customer: string } }
    const path = new URL(links.customer).pathname
    // The smallest group the anonymity rules allow, so that a few answers show.
    await database.db.updateTable('organizations').set({ min_group_size: 3 }).execute()

    async function respond(value: number) {
      const respondent = new Client(base)
      const form = await respondent.get(path)
      expect(form.status).toBe(200)
      const fields: Array<[string, string]> = [...hiddenFields(form.body), ...KEYS.map((key): [string, string] => [`a_${key}`, String(value)])]
      const sent = await respondent.post(path, fields)
      expect(sent.status, sent.body.slice(0, 300)).toBe(303)
      expect(sent.servedBy).not.toBe(form.servedBy)
      // The same form sent again (a double click), to the instance that showed it: stored once.
      const again = await respondent.post(path, fields)
      expect(again.servedBy).toBe(form.servedBy)
      expect([303, 410]).toContain(again.status)
      return sent.servedBy
    }
    const report = async () => {
      const answers = [await admin().json('GET', `/api/v1/waves/${waveId}/report`, undefined, token), await admin().json('GET', `/api/v1/waves/${waveId}/report`, undefined, token)]
      expect(new Set(answers.map((a) => a.servedBy))).toEqual(new Set(['instance-a', 'instance-b']))
      return answers.map((a) => (JSON.parse(a.body) as { headline: { customer: { n?: number } } }).headline.customer.n)
    }

    const takers = [await respond(4), await respond(5), await respond(2)]
    expect(new Set(takers)).toEqual(new Set(['instance-a', 'instance-b']))
    expect(await report()).toEqual([3, 3])
    // One more, taken by one instance: the other's report counts it too (no copy kept from before).
    await respond(3)
    expect(await report()).toEqual([4, 4])
    const stored = await database.db.selectFrom('responses').select('submission_key').where('wave_id', '=', waveId).execute()
    expect(stored).toHaveLength(4)
    expect(new Set(stored.map((row) => row.submission_key)).size).toBe(4)
  })

  it('sends each invitation exactly once with both instances\' mail workers running', { timeout: 60_000 }, async () => {
    const wave = await admin().json('POST', '/api/v1/waves', { name: 'Mail wave', templateKey: 'service-gap-index' }, token)
    expect(wave.status, wave.body).toBe(201)
    const waveId = JSON.parse(wave.body).id as string
    const invited = await admin().json('POST', `/api/v1/waves/${waveId}/invitations`, { side: 'customer' }, token)
    expect(invited.status, invited.body).toBeLessThan(300)
    const received = () => smtp.flatMap((relay) => relay.received)
    await until(() => received().length >= CONTACTS, `${CONTACTS} messages`, 40_000)
    // Long enough for a second copy of any message to arrive, had two workers held one job.
    await new Promise((done) => setTimeout(done, 2500))
    const recipients = received().map((message) => message.to)
    expect(recipients).toHaveLength(CONTACTS)
    expect(new Set(recipients).size).toBe(CONTACTS)
    expect(new Set(recipients)).toEqual(new Set(Array.from({ length: CONTACTS }, (_, i) => `person${i}@scale.test`)))
    // Both workers sent some: each instance has its own SMTP server.
    for (const relay of smtp) expect(relay.received.length).toBeGreaterThan(0)
    const sent = await database.db.selectFrom('invitations').select('status').where('wave_id', '=', waveId).execute()
    expect(sent.map((row) => row.status)).toEqual(Array(CONTACTS).fill('sent'))
    for (const server of servers) expect(server.child.exitCode).toBeNull()
  })
})
