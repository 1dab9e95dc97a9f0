// Staff answers stored unlinked (issue 12, design §5 "No linkage in storage"): a staff invitation is
// used in a transaction of its own, its answer waits in the pool with nothing pointing back, and
// answers join the figures only in release steps of at least k, in a transaction of their own.
// On PostgreSQL the transaction ids (xmin) show that no row of an answer shares one with an invitation.
import { sql } from 'kysely'
import { expect, it } from 'vitest'
import { SERVICE_GAP_INDEX_V1 } from '../../server/domain/service-gap-index.js'
import type { Scale } from '../../server/domain/types.js'
import { profileCounts } from '../../server/repositories/profiles.js'
import { fromAnswers, fromRollups } from '../../server/repositories/reports.js'
import { createInvitation, storeResponse, type NewResponse } from '../../server/repositories/responses.js'
import { invitationKeyHash, poolKeyHash, staffReleaseState } from '../../server/repositories/staff-pool.js'
import { setWaveStatus } from '../../server/repositories/waves.js'
import { hashToken } from '../../server/security/tokens.js'
import { advanceStaff } from '../../server/services/release-steps.js'
import { apiToken, bearer, Browser, createTenant, describeEachDatabase, signedIn, type TestContext } from '../helpers/app.js'
import { profilesAndRecount } from '../helpers/recount.js'
import { answers, createWave, hidden, post, type Wave } from '../helpers/survey.js'

const SCALES = new Map<string, Scale>(SERVICE_GAP_INDEX_V1.items.map((item) => [item.key, item.scale]))

describeEachDatabase('unlinked storage of staff answers', (ctx: TestContext) => {
  const db = () => ctx.database.db
  let organizationId: string
  let apiKey: string
  let wave: Wave

  const invite = async () => {
    const token = await createInvitation(db(), { organizationId, waveId: wave.id, side: 'staff' })
    const { id } = await db().selectFrom('invitations').select('id').where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow()
    return { token, id }
  }
  const open = async (token: string) => {
    const browser = new Browser(ctx.app)
    const page = await browser.get(`/s/${token}`)
    return { browser, page, submission: hidden(page.body, 'submission')! }
  }
  const send = (browser: Browser, token: string, submission: string) => post(browser, token, { submission, ...answers({ a_trust: '2', a_easy: '5' }) })
  /** How many copies of a form are kept, waiting or released. */
  const copies = async (submission: string) => {
    const hash = poolKeyHash(submission)
    const pooled = await db().selectFrom('staff_pool').select('id').where('submission_hash', '=', hash).execute()
    const released = await db().selectFrom('responses').select('id').where('submission_key', 'in', [hash, submission]).execute()
    return pooled.length + released.length
  }
  const staffResponses = async () => db().selectFrom('responses').select('id').where('wave_id', '=', wave.id).where('side', '=', 'staff').execute()
  const pool = async () => db().selectFrom('staff_pool').select('id').where('wave_id', '=', wave.id).execute()
  const xmins = async (table: 'invitations' | 'staff_pool' | 'responses', ids: string[]) => ids.length === 0 ? [] : (await sql<{ xmin: string }>`
    select xmin::text as xmin from ${sql.table(table)} where id = any(${ids}::uuid[])`.execute(db())).rows.map((row) => row.xmin)
  const invitationIds: string[] = []
  let released: { browser: Browser; token: string; submission: string } | undefined
  let owner: Browser

  it('uses a staff invitation in one transaction and pools its answer in another, keeping nothing that points back', async () => {
    const tenant = await createTenant(ctx)
    organizationId = tenant.organizationId
    apiKey = await apiToken(ctx, tenant.owner.email)
    wave = await createWave(ctx, apiKey, { name: 'Unlinked' })
    const { token, id } = await invite()
    invitationIds.push(id)
    const { browser, page, submission } = await open(token)
    expect(page.statusCode).toBe(200)
    expect((await send(browser, token, submission)).statusCode).toBe(303)

    const invitation = await db().selectFrom('invitations').select(['used', 'used_at', 'used_key_hash']).where('id', '=', id).executeTakeFirstOrThrow()
    expect(invitation).toEqual({ used: true, used_at: null, used_key_hash: invitationKeyHash(submission) })
    // The answer waits in the pool, with the form key only as a hash no one can match to the invitation's.
    const pooled = await db().selectFrom('staff_pool').selectAll().where('wave_id', '=', wave.id).execute()
    expect(pooled).toHaveLength(1)
    expect(pooled[0]!.submission_hash).toBe(poolKeyHash(submission))
    expect(pooled[0]!.submission_hash).not.toBe(invitation.used_key_hash)
    expect(pooled[0]!.answers).toMatchObject({ trust: 2, easy: 5 })
    expect(await staffResponses()).toHaveLength(0)
    // One staff answer alone is not in the figures.
    const report = (await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${wave.id}/report`, headers: bearer(apiKey) })).json()
    expect(report.headline.staff).toEqual({ suppressed: true })
    expect(await staffReleaseState(db(), organizationId, wave.id)).toEqual({ releasedAt: null, seq: 0, pending: 1 })
    owner = await signedIn(ctx, tenant.owner.email)
    const wavePage = await owner.get(`/waves/${wave.id}`)
    expect(wavePage.body).toContain('Staff figures not released yet; 1 staff answer waiting')

    const columns = await sql<{ column_name: string; data_type: string }>`select column_name, data_type from information_schema.columns
      where table_name = 'staff_pool' and table_schema = current_schema()`.execute(db())
    for (const column of columns.rows) {
      expect(column.column_name).not.toMatch(/invitation|contact|email|user|person|token|ip|agent|device|session/i)
      expect(column.data_type, column.column_name).not.toMatch(/timestamp|time/)
    }
    if (ctx.kind === 'postgres') {
      const [used] = await xmins('invitations', [id])
      expect(await xmins('staff_pool', pooled.map((row) => row.id))).not.toContain(used)
    }
  })

  it('keeps answers in the pool while fewer than k wait, then moves them all in one step of their own', async () => {
    for (let i = 0; i < 3; i++) {
      const { token, id } = await invite()
      invitationIds.push(id)
      const { browser, submission } = await open(token)
      expect((await send(browser, token, submission)).statusCode).toBe(303)
    }
    expect(await pool()).toHaveLength(4)
    expect(await staffResponses()).toHaveLength(0)
    // Asking for a step changes nothing while fewer than five wait.
    expect(await advanceStaff(db(), organizationId, wave.id, 5)).toBe(0)
    expect(await pool()).toHaveLength(4)

    const { token, id } = await invite()
    invitationIds.push(id)
    const { browser, submission } = await open(token)
    expect((await send(browser, token, submission)).statusCode).toBe(303)
    released = { browser, token, submission }
    // The fifth answer makes a step: all five joined at once, and the pool is empty.
    expect(await pool()).toHaveLength(0)
    const joined = await staffResponses()
    expect(joined).toHaveLength(5)
    const state = await staffReleaseState(db(), organizationId, wave.id)
    expect(state).toMatchObject({ seq: 1, pending: 0 })
    expect(state.releasedAt).toBeInstanceOf(Date)
    const steps = await db().selectFrom('staff_releases').select(['seq', 'respondents', 'shown']).where('wave_id', '=', wave.id).execute()
    expect(steps.map(({ seq, respondents }) => ({ seq, respondents }))).toEqual([{ seq: 1, respondents: 5 }])
    // The step stores the release it made (the whole side shown from step 1), and its answers count at step 1.
    expect(steps[0]!.shown.shown[0]).toContainEqual([JSON.stringify([null, null, null]), 1])
    expect((await profileCounts(db(), organizationId, wave.id, 'staff')).map((p) => ({ step: p.step, n: p.counts[0] }))).toEqual([{ step: 1, n: 5 }])
    // Released responses carry the day only, and the form key only as the pool's hash.
    const rows = await db().selectFrom('responses').select(['submitted_at', 'submission_key', 'channel']).where('wave_id', '=', wave.id).execute()
    for (const row of rows) {
      expect(row.submitted_at.toISOString()).toMatch(/T00:00:00\.000Z$/)
      expect(row.submission_key).toMatch(/^[0-9a-f]{64}$/)
      expect(row.channel).toBe('invitation')
    }
    expect(rows.map((row) => row.submission_key)).toContain(poolKeyHash(submission))

    const report = (await ctx.app.inject({ method: 'GET', url: `/api/v1/waves/${wave.id}/report`, headers: bearer(apiKey) })).json()
    expect(report.headline.staff).toMatchObject({ n: 5 })
    const page = await owner.get(`/waves/${wave.id}`)
    expect(page.body).toContain('5 staff and 0 customer responses')
    expect(page.body).toMatch(/Staff figures as of [^;]+; 0 staff answers waiting/)
    for (const side of ['staff', 'customer'] as const) {
      const rolled = await fromRollups(db(), organizationId, wave.id, side, null, SCALES)
      const raw = await fromAnswers(db(), organizationId, wave.id, side, { unitId: null, attributes: {} }, SCALES)
      expect(rolled.respondents).toBe(raw.respondents)
      expect(Object.fromEntries(rolled.distributions)).toEqual(Object.fromEntries(raw.distributions))
      const { rolled: profiles, recounted } = await profilesAndRecount(db(), wave.id, side)
      expect(profiles).toEqual(recounted)
    }
    if (ctx.kind === 'postgres') {
      // All five in one transaction, and none in the transaction of any invitation's use.
      const responseXmins = await xmins('responses', joined.map((row) => row.id))
      expect(new Set(responseXmins).size).toBe(1)
      const used = await xmins('invitations', invitationIds)
      expect(used).toHaveLength(5)
      for (const xmin of used) expect(responseXmins).not.toContain(xmin)
    }
  })

  it('stores a form sent twice once, before and after it joined the figures', async () => {
    const { token } = await invite()
    const { browser, submission } = await open(token)
    expect((await send(browser, token, submission)).statusCode).toBe(303)
    expect((await send(browser, token, submission)).statusCode).toBe(303)
    expect(await copies(submission)).toBe(1)
    // The fifth form of the step before, whose answer has joined the figures, sent again: still once.
    expect((await send(released!.browser, released!.token, released!.submission)).statusCode).toBe(303)
    expect(await copies(released!.submission)).toBe(1)
  })

  it('finishes a form cut short between the invitation\'s use and its answer, and refuses any other form', async () => {
    const { token, id } = await invite()
    const { browser, submission } = await open(token)
    // The crash: the invitation was used by this form, and its answer never reached the pool.
    await db().updateTable('invitations').set({ used: true, used_key_hash: invitationKeyHash(submission) }).where('id', '=', id).execute()
    expect(await copies(submission)).toBe(0)
    expect((await send(browser, token, submission)).statusCode).toBe(303)
    expect(await copies(submission)).toBe(1)
    // Sent once more: stored once still.
    expect((await send(browser, token, submission)).statusCode).toBe(303)
    expect(await copies(submission)).toBe(1)

    // Anyone else finds the invitation used: the page, another form, another key through the store.
    expect((await ctx.app.inject({ method: 'GET', url: `/s/${token}`, headers: { accept: 'text/html' } })).statusCode).toBe(410)
    expect((await send(browser, token, 'another-form-key-0123456')).statusCode).toBe(410)
    const base: NewResponse = {
      organizationId, waveId: wave.id, side: 'staff', unitId: null, locale: 'en', channel: 'invitation', attributes: {}, comment: null,
      answers: { easy: 4 }, submissionKey: submission, invitationId: id,
    }
    expect(await storeResponse(db(), base)).toBe('duplicate')
    expect(await storeResponse(db(), { ...base, submissionKey: 'yet-another-form-key-0123' })).toBe('invitation_used')
    expect(await storeResponse(db(), { ...base, submissionKey: null })).toBe('invitation_used')
    expect(await copies(submission)).toBe(1)
  })

  it('never uses a staff invitation inside a caller\'s transaction', async () => {
    const { id } = await invite()
    await expect(db().transaction().execute((trx) => storeResponse(trx, {
      organizationId, waveId: wave.id, side: 'staff', unitId: null, locale: 'en', channel: 'invitation', attributes: {}, comment: null,
      answers: { easy: 4 }, submissionKey: 'in-a-transaction-key-01', invitationId: id,
    }))).rejects.toThrow(/transaction/)
    expect(await db().selectFrom('invitations').select('used').where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ used: false })
  })

  it('pools a staff link\'s form only while its link exists and its wave is open', async () => {
    const closing = await createWave(ctx, apiKey, { name: 'Closing' })
    const { browser, submission } = await open(closing.staff)
    await setWaveStatus(db(), organizationId, closing.id, 'closed')
    expect((await send(browser, closing.staff, submission)).statusCode).toBe(410)
    expect(await copies(submission)).toBe(0)
  })
}, {}, { release: { worker: false } })
