// The few parts of oidc-provider (which ships no types) that test/helpers/oidc.ts uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http'

  interface Grant {
    addOIDCScope(scope: string): void
    save(): Promise<string>
  }
  interface Context {
    path: string
    body: unknown
    oidc: {
      result?: { consent?: { grantId?: string } }
      session?: { accountId: string; grantIdFor(clientId: string): string | undefined }
      client?: { clientId: string }
      provider: { Grant: { new (init: { clientId: string; accountId: string }): Grant; find(id: string): Promise<Grant | undefined> } }
    }
  }
  export interface Configuration {
    clients: Array<Record<string, unknown>>
    jwks: { keys: unknown[] }
    cookies: { keys: string[] }
    claims: Record<string, string[]>
    features: Record<string, { enabled: boolean }>
    pkce: { required: () => boolean }
    findAccount(ctx: Context, id: string): Promise<{ accountId: string; claims(): Promise<Record<string, unknown>> } | undefined>
    loadExistingGrant(ctx: Context): Promise<Grant | undefined>
  }
  export default class Provider {
    constructor(issuer: string, configuration: Configuration)
    middleware: Array<(ctx: Context, next: () => Promise<void>) => Promise<unknown>>
    callback(): (req: IncomingMessage, res: ServerResponse) => void
  }
}
