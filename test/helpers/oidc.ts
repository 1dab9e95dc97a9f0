// A real OpenID Connect provider (the oidc-provider package) on 127.0.0.1 for tests, with its
// development login page, and a small client that signs in there by HTTP as a browser would:
// following redirects by hand and keeping the provider's cookies.
import { generateKeyPairSync } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider, { type Configuration } from 'oidc-provider'

export interface ProviderAccount { email: string; emailVerified?: boolean; name?: string }

/** What a test may change while the provider runs. */
export interface Behaviour {
  /** Seconds the provider's clock is off while it issues tokens (negative: it runs behind). */
  clockOffsetSeconds: number
  /** Changes the ID token's payload after it was signed, keeping the signature. */
  tamperIdToken: ((payload: Record<string, unknown>) => Record<string, unknown>) | null
  /** Replaces the whole ID token (header, payload and signature), to play a provider that signs it differently. */
  forgeIdToken: ((idToken: string) => string) | null
}

export interface TestProvider {
  issuer: string
  clientId: string
  clientSecret: string
  /** Account id (the login typed on the provider's page, and the subject) → claims. */
  accounts: Map<string, ProviderAccount>
  behaviour: Behaviour
  close(): Promise<void>
}

/**
 * Starts a provider. `issuer` may name another host than the one it listens on (127.0.0.1), to play a
 * provider whose discovery document names a different issuer than the address it is reached at.
 */
export async function startOidcProvider(options: { redirectUris: string[]; issuerHost?: string; clientId?: string; clientSecret?: string }): Promise<TestProvider> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end()
  const server: Server = createServer((req, res) => handler(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const issuer = `http://${options.issuerHost ?? '127.0.0.1'}:${port}`
  const clientId = options.clientId ?? 'service-gap'
  const clientSecret = options.clientSecret ?? 'a-client-secret-of-the-test-provider'
  const accounts = new Map<string, ProviderAccount>()
  const behaviour: Behaviour = { clockOffsetSeconds: 0, tamperIdToken: null, forgeIdToken: null }
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })

  const configuration: Configuration = {
    clients: [{
      client_id: clientId, client_secret: clientSecret, redirect_uris: options.redirectUris,
      grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [{ ...jwk, kid: 'test-key', alg: 'RS256', use: 'sig' } as never] },
    cookies: { keys: ['a cookie key of the test provider'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    async findAccount(_ctx, id) {
      const account = accounts.get(id)
      if (!account) return undefined
      return {
        accountId: id,
        claims: async () => ({ sub: id, email: account.email, email_verified: account.emailVerified ?? true, name: account.name ?? '' }),
      }
    },
    // A first-party client: consent is given at once, so the only interaction is the login page.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId)
      if (grantId) return ctx.oidc.provider.Grant.find(grantId)
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId })
      grant.addOIDCScope('openid email profile')
      await grant.save()
      return grant
    },
  }
  const provider = new Provider(issuer, configuration)
  // First in line (before the provider's own routes), so it sees the token endpoint's answer.
  provider.middleware.unshift(async (ctx, next) => {
    if (ctx.path !== '/token') return next()
    const realNow = Date.now
    // Only while the token is issued, and restored before the answer leaves: the app checks it on the real clock.
    if (behaviour.clockOffsetSeconds !== 0) Date.now = () => realNow() + behaviour.clockOffsetSeconds * 1000
    try {
      await next()
    } finally {
      Date.now = realNow
    }
    const body = ctx.body as { id_token?: string } | undefined
    if (behaviour.tamperIdToken && body?.id_token) {
      const [header, payload, signature] = body.id_token.split('.')
      const changed = behaviour.tamperIdToken(JSON.parse(Buffer.from(payload!, 'base64url').toString()))
      body.id_token = [header, Buffer.from(JSON.stringify(changed)).toString('base64url'), signature].join('.')
    }
    if (behaviour.forgeIdToken && body?.id_token) body.id_token = behaviour.forgeIdToken(body.id_token)
  })
  handler = provider.callback()
  return {
    issuer, clientId, clientSecret, accounts, behaviour,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}

/** Cookies of the provider's host, as a browser would keep them (paths ignored: the provider's are all its own). */
class Jar {
  private cookies = new Map<string, string>()
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }
  keep(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const index = pair!.indexOf('=')
      const name = pair!.slice(0, index).trim()
      const value = pair!.slice(index + 1).trim()
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }
}

/**
 * Opens the authorization URL at the provider, signs in on its login page as `login`, and returns
 * the URL the provider sends the browser back to (the app's callback, with code and state).
 */
export async function signInAtProvider(authorizationUrl: string, login: string): Promise<string> {
  const jar = new Jar()
  const origin = new URL(authorizationUrl).origin
  let url = authorizationUrl
  let body: URLSearchParams | null = null
  for (let hop = 0; hop < 12; hop++) {
    const response = await fetch(url, {
      method: body ? 'POST' : 'GET', redirect: 'manual', body: body ?? undefined,
      headers: { cookie: jar.header(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    })
    jar.keep(response)
    body = null
    if (response.status >= 300 && response.status < 400) {
      const next = new URL(response.headers.get('location')!, url)
      if (next.origin !== origin) return next.href
      url = next.href
      continue
    }
    const html = await response.text()
    if (response.status !== 200) throw new Error(`provider answered ${response.status} at ${url}: ${html.slice(0, 500)}`)
    const action = html.match(/<form[^>]*action="([^"]+)"[^>]*method="post"/)?.[1]
    if (!action || !html.includes('name="login"')) throw new Error(`no login form at ${url}: ${html.slice(0, 500)}`)
    url = new URL(action.replaceAll('&amp;', '&'), url).href
    body = new URLSearchParams({ prompt: 'login', login, password: 'anything' })
  }
  throw new Error('too many redirects at the provider')
}
