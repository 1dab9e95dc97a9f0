// The mail worker comes with the app: built as `npm start` and `npm run demo` build it (no mail
// options), an invitation reaches the development outbox; closing the app lets the message in
// flight finish, hands the rest back to the queue and claims nothing more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../server/app.js'
import type { OutgoingMessage, Transport } from '../../server/mail/transport.js'
import { apiToken, bearer, createTenant, testConfig, type TestContext } from '../helpers/app.js'
import { createTestDatabase, DATABASES, type TestDatabase } from '../helpers/databases.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until `check` returns true, for up to `ms`. */
async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) {
    if (await check()) return true
  }
  return check()
}

/** A tenant with an open wave and `count` customer contacts, invited through the API. */
async function invited(ctx: Pick<TestContext, 'app' | 'database'>, count: number) {
  const tenant = await createTenant(ctx as TestContext, `Acme ${count}`)
  const token = await apiToken(ctx as TestContext, tenant.owner.email)
  const wave = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(token), payload: { name: 'Q1', templateKey: 'service-gap-index', status: 'open' } })
  expect(wave.statusCode).toBe(201)
  await ctx.database.db.insertInto('contacts').values(Array.from({ length: count }, (_, i) => ({
    organization_id: tenant.organizationId, side: 'customer' as const, email: `customer-${i}@example.test`, name: '', locale: null, attributes: '{}', unit_id: null,
  }))).execute()
  const invite = await ctx.app.inject({ method: 'POST', url: `/api/v1/waves/${wave.json().id}/invitations`, headers: bearer(token), payload: {} })
  expect(invite.json()).toEqual({ queued: count })
  return tenant
}

for (const kind of DATABASES) {
  // One database for both apps, one after the other: the first as the entries build it, the second
  // with a transport the test holds back.
  describe(`the mail worker in the app [${kind}]`, () => {
    let database: TestDatabase
    let app: FastifyInstance
    const sent: OutgoingMessage[] = []
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    // One message at a time, and the first one waits until the test lets it through.
    const transport: Transport & { closed: boolean } = {
      kind: 'outbox', connections: 1, closed: false,
      async send(message) {
        sent.push(message)
        await gate
      },
      close() {
        this.closed = true
      },
    }

    beforeAll(async () => {
      database = await createTestDatabase(kind)
    })
    afterAll(async () => {
      release()
      await app?.close()
      await database.drop()
    })

    it('sends an invitation to the development outbox when the app is built as npm start and npm run demo build it', async () => {
      // No mail options: what server/server.ts and server/cli/demo.ts pass.
      app = await buildApp({ config: testConfig(), db: database.db, logger: false })
      const tenant = await invited({ app, database }, 1)
      const outbox = () => database.db.selectFrom('outbox_messages').select(['recipient', 'subject'])
        .where('organization_id', '=', tenant.organizationId).execute()
      expect(await eventually(async () => (await outbox()).length > 0)).toBe(true)
      const [message] = await outbox()
      expect(message!.recipient).toBe('customer-0@example.test')
      const job = await database.db.selectFrom('mail_jobs').select('status').where('organization_id', '=', tenant.organizationId).executeTakeFirstOrThrow()
      expect(job.status).toBe('sent')
      await app.close()
    })

    it('finishes the message in flight when the app closes, puts the others back in the queue and claims nothing after', async () => {
      app = await buildApp({ config: testConfig(), db: database.db, logger: false, mail: { transport, intervalMs: 50 } })
      const tenant = await invited({ app, database }, 3)
      expect(await eventually(async () => sent.length === 1)).toBe(true)
      const closing = app.close()
      await sleep(100)
      expect(transport.closed).toBe(false)
      release()
      await closing
      expect(transport.closed).toBe(true)
      await sleep(300)
      expect(sent).toHaveLength(1)
      const jobs = await database.db.selectFrom('mail_jobs').select(['status']).where('organization_id', '=', tenant.organizationId).orderBy('id').execute()
      expect(jobs.map((job) => job.status).sort()).toEqual(['pending', 'pending', 'sent'])
    })
  })
}
