import { expect, it } from 'vitest'
import { Browser, describeEachDatabase, PASSWORD } from '../helpers/app.js'

describeEachDatabase('first run, sign-in and sign-out', (ctx) => {
  it('sends a visitor to the setup page while no organization exists', async () => {
    const browser = new Browser(ctx.app)
    const waves = await browser.get('/waves')
    expect(waves.statusCode).toBe(303)
    expect(waves.headers.location).toBe('/setup')
    const login = await browser.get('/login')
    expect(login.headers.location).toBe('/setup')
  })

  it('keeps what was typed and names each problem when the setup form is wrong', async () => {
    const browser = new Browser(ctx.app)
    await browser.get('/setup')
    const response = await browser.post('/setup', { organization: 'Acme <b>Ltd</b>', email: 'not-an-email', password: 'short', confirm: 'short' })
    expect(response.statusCode).toBe(422)
    expect(response.body).toContain('value="Acme &lt;b&gt;Ltd&lt;/b&gt;"')
    expect(response.body).toContain('value="not-an-email"')
    expect(response.body).toContain('Enter an email address like name@example.com.')
    expect(response.body).toContain('Use at least 12 characters.')
    expect(response.body).toContain('href="#email"')
    expect(response.body).not.toContain('value="short"')
  })

  it('creates the organization and owner, signs them in, then closes the setup page', async () => {
    const browser = new Browser(ctx.app)
    await browser.get('/setup')
    const response = await browser.post('/setup', { organization: 'Acme', name: 'Ada', email: 'Ada@Example.test', password: PASSWORD, confirm: PASSWORD })
    expect(response.statusCode).toBe(303)
    expect(response.headers.location).toBe('/waves/new')
    const page = await browser.get('/waves/new')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('ada@example.test')
    // The audit log starts with the first owner's sign-in.
    const entries = await ctx.database.db.selectFrom('audit_log').select(['action', 'actor_email']).execute()
    expect(entries).toEqual([{ action: 'sign_in', actor_email: 'ada@example.test' }])

    const again = await new Browser(ctx.app).get('/setup')
    expect(again.headers.location).toBe('/login')
  })

  it('rejects a wrong password without saying whether the account exists, and keeps the email', async () => {
    const browser = new Browser(ctx.app)
    await browser.get('/login')
    const wrong = await browser.post('/login', { email: 'ada@example.test', password: 'wrong password!!' })
    const unknown = await browser.post('/login', { email: 'nobody@example.test', password: 'wrong password!!' })
    expect(wrong.statusCode).toBe(422)
    expect(unknown.statusCode).toBe(422)
    expect(wrong.body).toContain('value="ada@example.test"')
    const message = 'That email and password do not match an account.'
    expect(wrong.body).toContain(message)
    expect(unknown.body).toContain(message)
  })

  it('issues a new session id at every sign-in and ends it at sign-out', async () => {
    const browser = new Browser(ctx.app)
    await browser.get('/login')
    await browser.post('/login', { email: 'ada@example.test', password: PASSWORD })
    const first = browser.cookie('sg_session')
    await browser.post('/login', { email: 'ada@example.test', password: PASSWORD })
    const second = browser.cookie('sg_session')
    expect(first).toBeTruthy()
    expect(second).toBeTruthy()
    expect(second).not.toBe(first)

    const stolen = new Browser(ctx.app)
    const old = await stolen.request({ method: 'GET', url: '/waves', headers: { cookie: `sg_session=${first}` } })
    expect(old.statusCode).toBe(303)

    await browser.get('/waves')
    const out = await browser.post('/logout')
    expect(out.headers.location).toBe('/login')
    const after = await stolen.request({ method: 'GET', url: '/waves', headers: { cookie: `sg_session=${second}` } })
    expect(after.statusCode).toBe(303)
    expect(after.headers.location).toMatch(/^\/login/)
  })

  it('sends people back to the page they asked for after signing in, but never off-site', async () => {
    const browser = new Browser(ctx.app)
    const redirect = await browser.get('/units')
    expect(redirect.headers.location).toBe('/login?next=%2Funits')
    await browser.get('/login?next=%2Funits')
    const ok = await browser.post('/login', { email: 'ada@example.test', password: PASSWORD, next: '/units' })
    expect(ok.headers.location).toBe('/units')
    const evil = await browser.post('/login', { email: 'ada@example.test', password: PASSWORD, next: '//evil.example/' })
    expect(evil.headers.location).toBe('/waves')
  })
})
