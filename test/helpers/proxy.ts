// A TCP proxy between the app and PostgreSQL, so that a test can "stop the database" without touching
// the real server (which other work shares): cut() drops every open connection and refuses new ones
// as a stopped PostgreSQL would; hang() instead takes new connections and never answers, as a
// frozen host would; restore() lets connections through again.
import { once } from 'node:events'
import { createServer, connect, type Socket } from 'node:net'

export type ProxyState = 'open' | 'cut' | 'hang'

export interface DatabaseProxy {
  /** The database URL with its host and port replaced by the proxy's. */
  readonly url: string
  readonly state: ProxyState
  /** Connections made through the proxy since it started (for checking that the pool reconnected). */
  readonly connections: number
  cut(): void
  hang(): void
  restore(): void
  close(): Promise<void>
}

export async function startDatabaseProxy(databaseUrl: string): Promise<DatabaseProxy> {
  const target = new URL(databaseUrl)
  const targetPort = Number(target.port || 5432)
  const targetHost = target.hostname
  let state: ProxyState = 'open'
  let connections = 0
  const sockets = new Set<Socket>()
  const held = new Set<Socket>()
  const track = (socket: Socket, set = sockets) => {
    set.add(socket)
    socket.on('close', () => set.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  const drop = (set: Set<Socket>) => {
    for (const socket of set) socket.destroy()
  }

  const server = createServer((client) => {
    if (state === 'cut') return client.destroy()
    // Held open, never answered: the app has to give up on its own.
    if (state === 'hang') return track(client, held)
    track(client)
    connections++
    const upstream = connect(targetPort, targetHost)
    track(upstream)
    client.pipe(upstream)
    upstream.pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  const url = new URL(databaseUrl)
  url.hostname = '127.0.0.1'
  url.port = String(port)

  return {
    url: url.toString(),
    get state() {
      return state
    },
    get connections() {
      return connections
    },
    cut() {
      state = 'cut'
      drop(sockets)
    },
    hang() {
      state = 'hang'
      drop(sockets)
    },
    restore() {
      state = 'open'
      // Connections held by hang() are dropped, so that a client still waiting on one fails now;
      // connections made since are left alone.
      drop(held)
    },
    async close() {
      drop(sockets)
      drop(held)
      await new Promise<void>((done) => server.close(() => done()))
    },
  }
}
