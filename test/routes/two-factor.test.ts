// Two-factor sign-in through the real app on each database: setting up an app with a code computed
// here from the secret the page shows, signing in with a code or a recovery code, refusals (wrong,
// reused, too many, expired or forged pending sign-ins), turning it off, and the organization's
// requirement. The clock (Date only) is moved by hand, so codes of later time steps can be used
// without waiting 30 seconds.
import { expect, it } from 'vitest'
import { totpCode } from '../../server/domain/totp.js'
import { checkSecondFactor } from '../../server/services/two-factor.js'
import {
  addPerson, Browser, createTenant, describeEachDatabase, PASSWORD, signedIn, type TestContext, type Tenant,
} from '../helpers/app.js'
import {
  addressesIn, codeNow, enrol, manualClock, passwordStep as signInStep, recoveryCodesOn, secretOn, STEP,
} from '../helpers/two-factor.js'

const { tick } = manualClock('2026-12-01T10:00:05Z')
const nextAddress = addressesIn('198.51.100')
const passwordStep = (browser: Browser, email: string, password = PASSWORD) => signInStep(browser, email, nextAddress(), password)

async function auditActions(ctx: TestContext, organizationId: string): Promise<string[]> {
  const rows = await ctx.database.db.selectFrom('audit_log').select('action').where('organization_id', '=', organizationId).orderBy('id').execute()
  return rows.map((row) => row.action)
}

describeEachDatabase('two-factor sign-in', (ctx) => {
  let tenant: Tenant

  it('sets up an app from a QR code and key, confirmed by a code; the secret the form sends is ignored', async () => {
    tenant = await createTenant(ctx, 'Harbour & Co')
    const browser = await signedIn(ctx, tenant.owner.email)
    const page = await browser.get('/account/two-factor')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('src="data:image/png;base64,')
    expect(page.headers['cache-control']).toBe('no-store')
    const secret = secretOn(page.body)
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(page.body).toContain(`otpauth://totp/Service%20Gap:Harbour%20%26%20Co%3A%20${encodeURIComponent(tenant.owner.email)}?issuer=Service%20Gap&amp;secret=${secret}`)
    // Reloading shows the same secret, so a scan is not undone.
    expect(secretOn((await browser.get('/account/two-factor')).body)).toBe(secret)

    const wrong = await browser.post('/account/two-factor', { code: totpCode(secret, Date.now() + 10 * STEP) })
    expect(wrong.statusCode).toBe(422)
    expect(wrong.body).toContain('That code is not right')
    expect(secretOn(wrong.body)).toBe(secret)
    const ownSecret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
    const forged = await browser.post('/account/two-factor', { code: totpCode(ownSecret, Date.now()), secret: ownSecret })
    expect(forged.statusCode).toBe(422)

    const done = await browser.post('/account/two-factor', { code: codeNow(secret) })
    expect(done.statusCode).toBe(200)
    const codes = recoveryCodesOn(done.body)
    expect(codes).toHaveLength(10)
    expect(done.headers['cache-control']).toBe('no-store')
    expect(new Set(codes).size).toBe(10)
    const stored = await ctx.database.db.selectFrom('users').select(['totp_secret', 'totp_pending_secret']).where('id', '=', tenant.owner.userId).executeTakeFirstOrThrow()
    expect(stored.totp_secret).toMatch(/^v1\./)
    expect(stored.totp_secret).not.toContain(secret)
    expect(stored.totp_pending_secret).toBeNull()
    const hashes = await ctx.database.db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', tenant.owner.userId).execute()
    expect(hashes).toHaveLength(10)
    for (const { code_hash } of hashes) for (const code of codes) expect(code_hash).not.toContain(code)
    expect(await auditActions(ctx, tenant.organizationId)).toContain('two_factor_enabled')
    const status = await browser.get('/account/two-factor')
    expect(status.body).toContain('10 of your recovery codes are left')
  })

  it('asks for the code after the password, starts no session before it, and refuses a wrong or reused code', async () => {
    const email = await addPerson(ctx, tenant, 'analyst')
    const { secret } = await enrol(ctx, email)
    tick()
    const browser = new Browser(ctx.app)
    const step = await passwordStep(browser, email)
    expect(step.statusCode).toBe(303)
    expect(step.headers.location).toBe('/login/two-factor')
    expect(browser.cookie('sg_session')).toBeUndefined()
    const cookie = step.cookies.find((c) => c.name === 'sg_2fa')!
    expect(cookie.httpOnly).toBe(true)
    expect(cookie.sameSite).toBe('Lax')
    expect((await browser.get('/waves')).headers.location).toMatch(/^\/login\?next=/)

    const page = await browser.get('/login/two-factor')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('autocomplete="one-time-code"')
    const wrong = await browser.post('/login/two-factor', { code: totpCode(secret, Date.now() + 5 * STEP) })
    expect(wrong.statusCode).toBe(422)
    expect(wrong.body).toContain('That code is not right')
    const code = codeNow(secret)
    const right = await browser.post('/login/two-factor', { code })
    expect(right.statusCode).toBe(303)
    expect(right.headers.location).toBe('/units')
    expect(browser.cookie('sg_2fa')).toBeUndefined()
    expect((await browser.get('/units')).statusCode).toBe(200)

    // The same code, in another sign-in within its 90 seconds, does not count again.
    const other = new Browser(ctx.app)
    await passwordStep(other, email)
    await other.get('/login/two-factor')
    const reused = await other.post('/login/two-factor', { code })
    expect(reused.statusCode).toBe(422)
    expect(reused.body).toContain('used already')
    // Nor does the code of the step before it.
    const older = await other.post('/login/two-factor', { code: codeNow(secret, -STEP) })
    expect(older.statusCode).toBe(422)
    const actions = await auditActions(ctx, tenant.organizationId)
    expect(actions.filter((a) => a === 'two_factor_failed').length).toBeGreaterThanOrEqual(3)
    expect(actions.at(-1)).toBe('two_factor_failed')
  })

  it('accepts each recovery code once, in place of a code', async () => {
    const email = await addPerson(ctx, tenant, 'viewer')
    const { codes, secret } = await enrol(ctx, email)
    const browser = new Browser(ctx.app)
    await passwordStep(browser, email)
    await browser.get('/login/two-factor')
    const used = await browser.post('/login/two-factor', { code: codes[3]!.replaceAll('-', '').toLowerCase() })
    expect(used.statusCode).toBe(303)
    expect(used.headers.location).toBe('/account/two-factor?recovery=used')
    const account = await browser.get(used.headers.location as string)
    expect(account.body).toContain('You signed in with a recovery code. 9 of them are left')
    expect(await auditActions(ctx, tenant.organizationId)).toContain('recovery_code_used')

    const again = new Browser(ctx.app)
    await passwordStep(again, email)
    await again.get('/login/two-factor')
    expect((await again.post('/login/two-factor', { code: codes[3]! })).statusCode).toBe(422)
    expect((await again.post('/login/two-factor', { code: codes[4]! })).statusCode).toBe(303)

    // Under another SIGNING_SECRET the app's secret cannot be opened, but the recovery codes still work.
    const userId = (await ctx.database.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id
    const otherKey = 'another-signing-secret-another-signing-secret'
    expect(await checkSecondFactor(ctx.database.db, otherKey, userId, totpCode(secret, Date.now() + STEP), { allowRecovery: true })).toEqual({ ok: false, reason: 'wrong' })
    expect(await checkSecondFactor(ctx.database.db, otherKey, userId, codes[5]!, { allowRecovery: true })).toEqual({ ok: true, via: 'recovery', recoveryCodesLeft: 7 })
  })

  it('ends a pending sign-in after five wrong codes, and locks the account for a while after ten across sign-ins', async () => {
    const email = await addPerson(ctx, tenant, 'viewer')
    const { secret } = await enrol(ctx, email)
    const wrong = () => totpCode(secret, Date.now() + 20 * STEP)
    const browser = new Browser(ctx.app)
    await passwordStep(browser, email)
    await browser.get('/login/two-factor')
    for (let i = 0; i < 4; i++) expect((await browser.post('/login/two-factor', { code: wrong() })).statusCode).toBe(422)
    const fifth = await browser.post('/login/two-factor', { code: wrong() })
    expect(fifth.statusCode).toBe(429)
    expect(fifth.body).toContain('Sign in with your email and password again')
    // That pending sign-in is over, even with the right code.
    expect((await browser.request({ method: 'POST', url: '/login/two-factor', payload: `_csrf=${browser.csrf}&code=${codeNow(secret, STEP)}`, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sg_csrf=${browser.cookie('sg_csrf')}; sg_2fa=${fifth.cookies.find((c) => c.name === 'sg_2fa')?.value ?? 'gone'}` } })).statusCode).toBe(410)

    // Five more wrong codes in a new sign-in make ten for the account: then even the right code waits.
    await passwordStep(browser, email)
    await browser.get('/login/two-factor')
    for (let i = 0; i < 4; i++) await browser.post('/login/two-factor', { code: wrong() })
    await passwordStep(browser, email)
    await browser.get('/login/two-factor')
    await browser.post('/login/two-factor', { code: wrong() })
    const locked = await browser.post('/login/two-factor', { code: codeNow(secret, STEP) })
    expect(locked.statusCode).toBe(429)
    expect(locked.body).toContain('Too many wrong codes for this account')
    tick(15 * 60_000)
    await passwordStep(browser, email)
    await browser.get('/login/two-factor')
    expect((await browser.post('/login/two-factor', { code: codeNow(secret) })).statusCode).toBe(303)
  })

  it('lets a pending sign-in expire after five minutes, and refuses a forged or missing one', async () => {
    const email = await addPerson(ctx, tenant, 'viewer')
    const { secret } = await enrol(ctx, email)
    const browser = new Browser(ctx.app)
    await passwordStep(browser, email)
    await browser.get('/login/two-factor')
    tick(5 * 60_000 + 1000)
    const late = await browser.post('/login/two-factor', { code: codeNow(secret) })
    expect(late.statusCode).toBe(410)
    expect(late.body).toContain('Sign in again')
    expect(browser.cookie('sg_session')).toBeUndefined()

    const stranger = new Browser(ctx.app)
    const page = await stranger.get('/login/two-factor')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Sign in again')
    await stranger.get('/login')
    for (const forged of ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'x', '%00%0d%0a', 'a'.repeat(5000)]) {
      const response = await stranger.request({
        method: 'POST', url: '/login/two-factor', payload: `_csrf=${stranger.csrf}&code=${codeNow(secret, STEP)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sg_csrf=${stranger.cookie('sg_csrf')}; sg_2fa=${forged}` },
      })
      expect(response.statusCode, forged.slice(0, 10)).toBe(410)
    }
  })

  it('answers odd input with a form to correct, never an error page', async () => {
    const email = await addPerson(ctx, tenant, 'viewer')
    const { browser } = await enrol(ctx, email)
    const pending = new Browser(ctx.app)
    await passwordStep(pending, email)
    await pending.get('/login/two-factor')
    for (const code of [['123456', '654321'], 'x'.repeat(100_000), '12\r\n3456', '', '<script>']) {
      const response = await pending.post('/login/two-factor', { code })
      expect(response.statusCode, String(code).slice(0, 10)).toBe(422)
      expect(response.body).not.toContain('<script>')
    }
    for (const url of ['/account/two-factor/recovery-codes', '/account/two-factor/disable']) {
      const response = await browser.post(url, { regenerateCode: ['1', '2'], disableCode: ['1', '2'], password: ['a', 'b'] })
      expect(response.statusCode, url).toBe(422)
    }
  })

  it('makes new recovery codes only with a current code, and the old ones stop working', async () => {
    const email = await addPerson(ctx, tenant, 'viewer')
    const { browser, secret, codes } = await enrol(ctx, email)
    const refused = await browser.post('/account/two-factor/recovery-codes', { regenerateCode: codes[0]! })
    expect(refused.statusCode).toBe(422)
    expect(refused.body).toContain('Enter the 6-digit code from your authenticator app.')
    tick()
    const renewed = await browser.post('/account/two-factor/recovery-codes', { regenerateCode: codeNow(secret) })
    expect(renewed.statusCode).toBe(200)
    const fresh = recoveryCodesOn(renewed.body)
    expect(fresh).toHaveLength(10)
    const pending = new Browser(ctx.app)
    await passwordStep(pending, email)
    await pending.get('/login/two-factor')
    expect((await pending.post('/login/two-factor', { code: codes[1]! })).statusCode).toBe(422)
    expect((await pending.post('/login/two-factor', { code: fresh[1]! })).statusCode).toBe(303)
  })

  it('turns off only with the password and a current code', async () => {
    const email = await addPerson(ctx, tenant, 'viewer')
    const { browser, secret } = await enrol(ctx, email)
    tick()
    const noPassword = await browser.post('/account/two-factor/disable', { password: 'not my password', disableCode: codeNow(secret) })
    expect(noPassword.statusCode).toBe(422)
    expect(noPassword.body).toContain('That is not your current password.')
    expect(noPassword.body).not.toContain('not my password')
    tick()
    const noCode = await browser.post('/account/two-factor/disable', { password: PASSWORD, disableCode: '000000' === codeNow(secret) ? '111111' : '000000' })
    expect(noCode.statusCode).toBe(422)
    expect(noCode.body).toContain('That code is not right')
    const off = await browser.post('/account/two-factor/disable', { password: PASSWORD, disableCode: codeNow(secret) })
    expect(off.statusCode).toBe(303)
    expect(off.headers.location).toBe('/account/two-factor?off')
    expect(await auditActions(ctx, tenant.organizationId)).toContain('two_factor_disabled')
    const plain = new Browser(ctx.app)
    const step = await passwordStep(plain, email)
    expect(step.headers.location).toBe('/units')
    expect(plain.cookie('sg_session')).toBeDefined()
  })

  it('mints no API token from the password alone once two-factor is on (tokens are made signed in)', async () => {
    const email = await addPerson(ctx, tenant, 'analyst')
    const { browser } = await enrol(ctx, email)
    const token = await browser.get('/account/tokens').then(() => browser.post('/account/tokens', { name: 'made signed in' }))
    expect(token.body).toMatch(/sgt_/)
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/tokens', payload: { email, password: PASSWORD } })
    expect(response.statusCode).toBe(403)
  })

  it('lets owners require it: people without it set it up before their first session, and cannot turn it off', async () => {
    const org = await createTenant(ctx, 'Strict Org')
    const admin = await signedIn(ctx, await addPerson(ctx, org, 'admin'))
    const analyst = await signedIn(ctx, await addPerson(ctx, org, 'analyst'))
    const viewerEmail = await addPerson(ctx, org, 'viewer')
    expect((await analyst.get('/settings/security')).statusCode).toBe(403)
    const adminPage = await admin.get('/settings/security')
    expect(adminPage.statusCode).toBe(200)
    expect(adminPage.body).toContain('Only an owner can change this')
    expect((await admin.post('/settings/security', { requireTwoFactor: 'on' })).statusCode).toBe(403)

    const owner = await signedIn(ctx, org.owner.email)
    await owner.get('/settings/security')
    expect((await owner.post('/settings/security', { requireTwoFactor: ['on', 'on'] })).statusCode).toBe(422)
    const saved = await owner.post('/settings/security', { requireTwoFactor: 'on' })
    expect(saved.headers.location).toBe('/settings/security?saved')
    const page = await owner.get('/settings/security?saved')
    expect(page.body).toContain('checked')
    expect(page.body).toContain('0 of 4 people have two-factor sign-in on')
    expect(await auditActions(ctx, org.organizationId)).toContain('settings_changed')
    // Everyone without two-factor but the owner who asked is signed out, to meet it at their next sign-in.
    expect((await analyst.get('/waves')).headers.location).toMatch(/^\/login\?next=/)
    expect((await admin.get('/waves')).statusCode).toBe(303)
    expect((await owner.get('/waves')).statusCode).toBe(200)

    const viewer = new Browser(ctx.app)
    const step = await passwordStep(viewer, viewerEmail)
    expect(step.headers.location).toBe('/login/two-factor/setup')
    expect(viewer.cookie('sg_session')).toBeUndefined()
    for (const path of ['/waves', '/units', '/account/two-factor']) expect((await viewer.get(path)).headers.location, path).toMatch(/^\/login\?next=/)
    expect((await viewer.get('/login/two-factor')).headers.location).toBe('/login/two-factor/setup')
    const setup = await viewer.get('/login/two-factor/setup')
    expect(setup.statusCode).toBe(200)
    expect(setup.body).toContain('Your organization requires a second step')
    const secret = secretOn(setup.body)
    expect((await viewer.post('/login/two-factor/setup', { code: '12345' })).statusCode).toBe(422)
    const done = await viewer.post('/login/two-factor/setup', { code: codeNow(secret) })
    expect(done.statusCode).toBe(200)
    expect(recoveryCodesOn(done.body)).toHaveLength(10)
    expect(done.body).toContain('href="/units"')
    expect((await viewer.get('/units')).statusCode).toBe(200)
    expect(await auditActions(ctx, org.organizationId)).toEqual(expect.arrayContaining(['two_factor_enabled', 'sign_in']))

    tick()
    const stays = await viewer.post('/account/two-factor/disable', { password: PASSWORD, disableCode: codeNow(secret) })
    expect(stays.statusCode).toBe(409)
    expect(stays.body).toContain('Your organization requires two-factor sign-in')
    // The next sign-in asks for the code, as for anyone with two-factor on.
    expect((await passwordStep(new Browser(ctx.app), viewerEmail)).headers.location).toBe('/login/two-factor')
  })

  it('lets an owner reset the two-factor of someone who lost their phone, signing them out', async () => {
    const org = await createTenant(ctx, 'Reset Org')
    const adminEmail = await addPerson(ctx, org, 'admin')
    const lost = await enrol(ctx, await addPerson(ctx, org, 'analyst'))
    const admin = await signedIn(ctx, adminEmail)
    const owner = await signedIn(ctx, org.owner.email)
    const people = await owner.get('/settings/security')
    const personId = people.body.match(/\/settings\/security\/people\/([0-9a-f-]{36})\/reset/)![1]!
    await admin.get('/settings/security')
    expect((await admin.post(`/settings/security/people/${personId}/reset`)).statusCode).toBe(403)
    expect((await owner.post(`/settings/security/people/${org.owner.userId}/reset`)).statusCode).toBe(409)
    expect((await owner.post('/settings/security/people/not-a-uuid/reset')).statusCode).toBe(404)
    const reset = await owner.post(`/settings/security/people/${personId}/reset`)
    expect(reset.headers.location).toBe('/settings/security?reset')
    expect((await lost.browser.get('/waves')).headers.location).toMatch(/^\/login\?next=/)
    expect((await owner.post(`/settings/security/people/${personId}/reset`)).statusCode).toBe(409)
    const entry = await ctx.database.db.selectFrom('audit_log').select(['action', 'target', 'actor_user_id']).where('organization_id', '=', org.organizationId).orderBy('id', 'desc').executeTakeFirstOrThrow()
    expect(entry).toMatchObject({ action: 'two_factor_disabled', actor_user_id: org.owner.userId })
    expect(entry.target).toContain('analyst-')
  })
})
