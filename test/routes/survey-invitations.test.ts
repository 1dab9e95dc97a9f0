// Personal invitation links on the respondent's pages, on both databases: one response each, and what
// a used, draft or closed invitation shows.
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createInvitation, storeResponse } from '../../server/repositories/responses.js'
import { setWaveStatus } from '../../server/repositories/waves.js'
import { hashToken } from '../../server/security/tokens.js'
import { describeEachDatabase } from '../helpers/app.js'
import { answers, createWave, EN, escapeHtml, keptForm, post, surveyFixture, utcToday } from '../helpers/survey.js'

describeEachDatabase('respondent survey pages: personal invitations', (ctx) => {
  const survey = surveyFixture(ctx)
  const { db, open, answer, responsesWithKey } = survey

  describe('personal invitations', () => {
    it('opens a customer invitation in its language, stores the response with its attributes and uses it up', async () => {
      const token = await createInvitation(db(), { organizationId: survey.organizationId, waveId: survey.main.id, side: 'customer', unitId: survey.units.north, locale: 'es', attributes: { tier: 'gold', region: 'north' } })
      const { browser, page, submission } = await open(token)
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('<html lang="es">')
      expect(page.body).toContain('Recibo un servicio excelente de Acme Co.')
      expect(page.body).not.toContain('<select')
      const before = Date.now()
      const sent = await post(browser, token, { submission, lang: 'es', ...answers(), comment: 'Muy bien' })
      expect(sent.statusCode).toBe(303)
      expect(sent.headers.location).toBe(`/s/${token}/thanks?lang=es`)
      const stored = await db().selectFrom('responses').selectAll().where('submission_key', '=', submission).executeTakeFirstOrThrow()
      expect(stored).toMatchObject({ channel: 'invitation', side: 'customer', unit_id: survey.units.north, locale: 'es', attributes: { tier: 'gold', region: 'north' }, comment: 'Muy bien' })
      // A customer's time is exact.
      expect(stored.submitted_at.getTime()).toBeGreaterThanOrEqual(before - 5_000)
      expect(stored.submitted_at.getTime()).toBeLessThanOrEqual(Date.now() + 5_000)
      const invitation = await db().selectFrom('invitations').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow()
      expect(invitation.used).toBe(true)
      expect(invitation.used_at).toBeInstanceOf(Date)

      const thanks = await browser.get(sent.headers.location!)
      expect(thanks.statusCode).toBe(200)
      expect(thanks.body).toContain('Gracias')

      const again = await ctx.app.inject({ method: 'GET', url: `/s/${token}`, headers: { accept: 'text/html', 'accept-language': 'en' } })
      expect(again.statusCode).toBe(410)
      expect(again.body).toContain('You have already answered — thank you')
      expect(again.body).toContain(EN.usedBody)
      expect(again.body).not.toContain('<form')

      // A fresh form (another key) sent to the used link is refused as well, and nothing more is stored.
      const other = await post(browser, token, { submission: 'another-submission-key-0001', ...answers() }, { headers: { 'accept-language': 'de' } })
      expect(other.statusCode).toBe(410)
      expect(other.body).toContain('Sie haben schon geantwortet – vielen Dank')
      expect(await db().selectFrom('responses').select('id').where('wave_id', '=', survey.main.id).where('comment', '=', 'Muy bien').execute()).toHaveLength(1)
    })

    it('keeps a staff invitation\'s response anonymous: no attributes, the day only, and the invitation only marked used', async () => {
      const token = await createInvitation(db(), { organizationId: survey.organizationId, waveId: survey.main.id, side: 'staff', unitId: survey.units.south, attributes: { role: 'cashier', email: 'ann@example.test' } })
      const { browser, page, submission } = await open(token)
      expect(page.body).toContain(escapeHtml(EN.anonymousStaff))
      const sent = await post(browser, token, { submission, ...answers() })
      expect(sent.statusCode).toBe(303)
      // Waiting in the pool or joined already, the answer keeps the unit, no attributes and the day only.
      const stored = (await keptForm(db(), submission))!
      expect(stored).toMatchObject({ channel: 'invitation', side: 'staff', unit_id: survey.units.south, attributes: {}, day: utcToday() })
      if (stored.submittedAt) expect(stored.submittedAt.toISOString()).toBe(`${utcToday()}T00:00:00.000Z`)
      const invitation = await db().selectFrom('invitations').select(['used', 'used_at']).where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow()
      expect(invitation).toEqual({ used: true, used_at: null })
      const used = await ctx.app.inject({ method: 'GET', url: `/s/${token}`, headers: { accept: 'text/html' } })
      expect(used.statusCode).toBe(410)
      expect(used.body).toContain('You have already answered — thank you')
    })

    it('keeps staff link responses to the day and customer link responses exact', async () => {
      const staff = await answer(survey.main.staff)
      const customer = await answer(survey.main.customer)
      expect(staff.kept!.day).toBe(utcToday())
      if (staff.kept!.submittedAt) expect(staff.kept!.submittedAt.toISOString()).toMatch(/T00:00:00\.000Z$/)
      expect(staff.kept!.attributes).toEqual({})
      expect(Math.abs(customer.stored!.submitted_at.getTime() - Date.now())).toBeLessThan(60_000)
    })

    it('keeps a staff response to midnight UTC even when the database session runs in another time zone', async () => {
      const submission = 'timezone-check-submission-key'
      await db().connection().execute(async (connection) => {
        await sql`set time zone 'America/New_York'`.execute(connection)
        try {
          await storeResponse(connection, {
            organizationId: survey.organizationId, waveId: survey.main.id, side: 'staff', unitId: null, locale: 'en', channel: 'link',
            attributes: {}, comment: null, answers: { easy: 3 }, submissionKey: submission,
          })
        } finally {
          await sql`reset time zone`.execute(connection)
        }
      })
      // The UTC day, not New York's; and midnight UTC once the answer joins the figures.
      const stored = (await keptForm(db(), submission))!
      expect(stored.day).toBe(utcToday())
      if (stored.submittedAt) expect(stored.submittedAt.toISOString()).toMatch(/T00:00:00\.000Z$/)
    })

    it('has no column in responses that could identify a person', async () => {
      const columns = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = 'responses' and table_schema = current_schema()`.execute(db())
      const names = columns.rows.map((row) => row.column_name)
      expect(names).toContain('submitted_at')
      for (const name of names) expect(name).not.toMatch(/ip|addr|agent|device|invitation|contact|email|user|person|name|cookie|session|token/i)
    })

    it('writes the response, its answers and the invitation\'s use in one transaction', async () => {
      const token = await createInvitation(db(), { organizationId: survey.organizationId, waveId: survey.main.id, side: 'customer' })
      const { id: invitationId } = await db().selectFrom('invitations').select('id').where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow()
      const submission = 'transaction-check-submission'
      const response = {
        organizationId: survey.organizationId, waveId: survey.main.id, side: 'customer' as const, unitId: null, locale: 'en', channel: 'invitation' as const,
        attributes: {}, comment: 'rolled back', submissionKey: submission, invitationId,
      }
      // An answer the database refuses (out of its range) must take the response and the invitation's use with it.
      await expect(storeResponse(db(), { ...response, answers: { easy: 3, trust: 99 } })).rejects.toThrow()
      expect(await responsesWithKey(submission)).toBe(0)
      expect(await db().selectFrom('invitations').select(['used', 'used_at']).where('id', '=', invitationId).executeTakeFirstOrThrow()).toEqual({ used: false, used_at: null })
      expect((await open(token)).page.statusCode).toBe(200)
      expect(await storeResponse(db(), { ...response, answers: { easy: 3, trust: 5 } })).toBe('stored')
      expect(await storeResponse(db(), { ...response, answers: { easy: 3, trust: 5 } })).toBe('duplicate')
      expect(await storeResponse(db(), { ...response, submissionKey: 'another-key-for-the-check', answers: { easy: 3 } })).toBe('invitation_used')
      expect(await responsesWithKey(submission)).toBe(1)
    })

    it('stores an invitation form sent twice at once only once', async () => {
      const token = await createInvitation(db(), { organizationId: survey.organizationId, waveId: survey.main.id, side: 'customer' })
      const { browser, submission } = await open(token)
      const form = { submission, ...answers() }
      const sent = await Promise.all([post(browser, token, form), post(browser, token, form), post(browser, token, form)])
      // Which of them finds the invitation already used depends on timing; see the known bug below for what the others should get.
      expect(sent.filter((r) => r.statusCode === 303).length).toBeGreaterThanOrEqual(1)
      for (const response of sent) expect([303, 410]).toContain(response.statusCode)
      expect(await responsesWithKey(submission)).toBe(1)
      expect(await db().selectFrom('responses').select('id').where('submission_key', '=', submission).where('channel', '=', 'invitation').execute()).toHaveLength(1)
    })

    it('answers an invitation form sent a second time (same submission key) with 303 to the thank-you page', async () => {
      const token = await createInvitation(db(), { organizationId: survey.organizationId, waveId: survey.main.id, side: 'customer' })
      const { browser, submission } = await open(token)
      const form = { submission, ...answers() }
      const first = await post(browser, token, form)
      expect(first.statusCode).toBe(303)
      const second = await post(browser, token, form)
      expect(await responsesWithKey(submission)).toBe(1)
      expect(second.statusCode).toBe(303)
      expect(second.headers.location).toBe(`/s/${token}/thanks?lang=en`)
    })

    it('hides an invitation to a draft wave and shows the closed page for a closed one', async () => {
      const draft = await createWave(ctx, survey.key, { name: 'Draft invitations', status: 'draft' })
      const draftToken = await createInvitation(db(), { organizationId: survey.organizationId, waveId: draft.id, side: 'customer' })
      expect((await ctx.app.inject({ method: 'GET', url: `/s/${draftToken}` })).statusCode).toBe(404)
      const closed = await createWave(ctx, survey.key, { name: 'Closed invitations' })
      const closedToken = await createInvitation(db(), { organizationId: survey.organizationId, waveId: closed.id, side: 'customer' })
      await setWaveStatus(db(), survey.organizationId, closed.id, 'closed')
      const page = await ctx.app.inject({ method: 'GET', url: `/s/${closedToken}`, headers: { accept: 'text/html' } })
      expect(page.statusCode).toBe(410)
      expect(page.body).toContain('This survey has closed')
    })
  })
})
