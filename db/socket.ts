// The embedded database offered to the commands on this machine: a server on PGlite owns the data
// directory, so `npm run admin`, `npm run migrate` and the shell reach its database through a Unix
// socket in that directory instead of opening the files a second time. pglite-socket speaks the
// wire protocol; what it runs is coordinated here with the app's own queries (see SharedSession).
import { chmodSync, lstatSync, rmSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket'
import type { PGlite } from '@electric-sql/pglite'
import { embeddedDatabase, socketPath, type Db, type EmbeddedDatabase } from './connect.js'

/** A client holding the session inside a transaction, silent for this long, is disconnected (its transaction rolled back): the app waits meanwhile. */
export const IDLE_IN_TRANSACTION_MS = 30_000
/** Commands and shells at once; they take turns on the one session. */
const MAX_CLIENTS = 8
/** Unix socket paths longer than this are refused by the kernel (sun_path is 108 bytes on Linux, 104 on macOS). */
const MAX_SOCKET_PATH = 103

export interface DatabaseSocket {
  readonly path: string
  close(): Promise<void>
}

/**
 * Serves the embedded database on `<dataDir>/.s.PGSQL.5432`, readable and writable by this user only
 * (the directory 0700, the socket 0600). Returns why not instead for PostgreSQL (the commands connect
 * to it themselves), an in-memory database, or a path too long for a socket.
 */
export async function serveDatabaseSocket(db: Db, { idleInTransactionMs = IDLE_IN_TRANSACTION_MS } = {}): Promise<DatabaseSocket | { skipped: string }> {
  const database = embeddedDatabase(db)
  if (database === null || database.dataDir === null) return { skipped: 'not the embedded database on disk' }
  const path = socketPath(database.dataDir)
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) return { skipped: `the socket path ${path} is too long for a Unix socket; use a shorter DATA_DIR` }
  chmodSync(database.dataDir, 0o700)
  // This process holds the data directory's lock, so a socket file left there is a killed server's.
  removeSocketFile(path)

  const session = new SharedSession(database, idleInTransactionMs)
  const sockets = new Map<number, Socket>()
  const server: Server = createServer((socket) => {
    if (sockets.size >= MAX_CLIENTS) {
      socket.end()
      return
    }
    const handler = new PGLiteSocketHandler({ queryQueue: session as unknown as PGLiteSocketHandlerOptions['queryQueue'], closeOnDetach: true })
    sockets.set(handler.handlerId, socket)
    session.disconnect.set(handler.handlerId, () => socket.destroy())
    socket.once('close', () => {
      sockets.delete(handler.handlerId)
      session.disconnect.delete(handler.handlerId)
    })
    handler.attach(socket).catch(() => socket.destroy())
  })
  server.maxConnections = MAX_CLIENTS
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, () => {
      server.off('error', reject)
      resolve()
    })
  })
  chmodSync(path, 0o600)
  const cleanUp = () => removeSocketFile(path)
  process.once('exit', cleanUp)
  return {
    path,
    async close() {
      process.off('exit', cleanUp)
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const socket of sockets.values()) socket.destroy()
      await closed
      // The handler learns of a closed socket on the next turn of the event loop, and only then
      // starts rolling back what its client left open; idle() waits for that.
      await new Promise((resolve) => setImmediate(resolve))
      await session.idle()
      removeSocketFile(path)
    },
  }
}

function removeSocketFile(path: string) {
  try {
    if (lstatSync(path).isSocket()) rmSync(path)
  } catch {
    // not there
  }
}

const READY_FOR_QUERY = 0x5a // 'Z'
const IDLE = 0x49 // 'I': not in a transaction
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]) // 'S', length 4

/**
 * Stands in for pglite-socket's query queue (the handler calls enqueue for every message a client
 * sends, and the two clear… methods when it disconnects). The package's own queue only takes turns
 * between socket clients; the app's queries go to the same PGlite session without it. Here a client
 * takes the database's gate, the one the app's queries take, at its first message and keeps it until
 * PGlite answers ReadyForQuery with "idle": a whole statement of the extended protocol (Parse … Sync)
 * or a whole transaction (BEGIN … COMMIT) runs without the app's queries in between, and no app
 * transaction has a client's statement in it.
 */
class SharedSession {
  /** Ends a client's connection, by handler id (set by the server). */
  readonly disconnect = new Map<number, () => void>()
  private holder: number | null = null
  private releaseGate: (() => void) | null = null
  private idleTimer: NodeJS.Timeout | null = null
  /** Each client's messages run one after another, in order; the handler may hand over two chunks at once. */
  private readonly turns = new Map<number, Promise<unknown>>()
  private readonly gone = new Set<number>()
  private readonly closing = new Set<Promise<void>>()
  private readonly pglite: PGlite

  constructor(private readonly database: EmbeddedDatabase, private readonly idleInTransactionMs: number) {
    this.pglite = database.pglite
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    const turn = (this.turns.get(handlerId) ?? Promise.resolve()).catch(() => {}).then(() => this.run(handlerId, message, onData))
    this.turns.set(handlerId, turn)
    return turn
  }

  private async run(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    if (this.gone.has(handlerId)) return 0
    if (this.holder !== handlerId) {
      const release = await this.database.gate.acquire()
      if (this.gone.has(handlerId)) {
        release()
        return 0
      }
      this.holder = handlerId
      this.releaseGate = release
    }
    this.stopIdleTimer()
    const ready = new ReadyForQueryReader()
    let bytes = 0
    try {
      await this.pglite.runExclusive(() => this.pglite.execProtocolRawStream(message, {
        onRawData: (data) => {
          ready.read(data)
          bytes += data.length
          onData(data)
        },
      }))
    } catch (error) {
      // PGlite itself failed (not an SQL error, which is an answer): the session is in no known state.
      await this.endTurn(handlerId)
      throw error
    }
    if (ready.status === IDLE) await this.handBack()
    else this.startIdleTimer(handlerId)
    return bytes
  }

  /** Called by the handler when its client disconnects: nothing more of it runs. */
  clearQueueForHandler(handlerId: number) {
    this.gone.add(handlerId)
  }

  /** Called by the handler when its client disconnects: a statement or transaction it left open is ended. */
  clearTransactionIfNeeded(handlerId: number): Promise<void> {
    const closing = this.close(handlerId).finally(() => this.closing.delete(closing))
    this.closing.add(closing)
    return closing
  }

  private async close(handlerId: number) {
    this.gone.add(handlerId)
    await (this.turns.get(handlerId) ?? Promise.resolve()).catch(() => {})
    this.turns.delete(handlerId)
    // Even a client that is not in the middle of anything may have left prepared statements or temporary tables.
    if (this.holder !== handlerId) {
      this.releaseGate = await this.database.gate.acquire()
      this.holder = handlerId
    }
    await this.endTurn(handlerId)
    this.gone.delete(handlerId)
  }

  /** Resolves once no client holds the session (for shutdown, before the database is closed). */
  async idle() {
    await Promise.all([...this.turns.values(), ...this.closing].map((turn) => turn.catch(() => {})))
  }

  private async endTurn(handlerId: number) {
    if (this.holder !== handlerId) return
    try {
      // A half-sent extended-protocol statement is closed by a Sync, then an open transaction rolled back.
      await this.pglite.runExclusive(() => this.pglite.execProtocolRaw(SYNC))
      if (this.pglite.isInTransaction()) await this.pglite.runExclusive(() => this.pglite.execProtocolRaw(simpleQuery('ROLLBACK')))
      await this.pglite.runExclusive(() => this.pglite.execProtocolRaw(simpleQuery('DISCARD ALL')))
    } catch {
      // The app's next query reports a broken database, if it is one.
    } finally {
      this.releaseHold()
    }
  }

  /**
   * The client is between statements: the session goes back to the app as the app left it. A SET of
   * the client's lasts until here (one statement, or one transaction), or a shell's `SET search_path`
   * would move the app's queries elsewhere.
   */
  private async handBack() {
    try {
      await this.pglite.runExclusive(() => this.pglite.execProtocolRaw(simpleQuery('RESET ALL')))
    } finally {
      this.releaseHold()
    }
  }

  private releaseHold() {
    this.stopIdleTimer()
    const release = this.releaseGate
    this.holder = null
    this.releaseGate = null
    release?.()
  }

  private startIdleTimer(handlerId: number) {
    this.idleTimer = setTimeout(() => this.disconnect.get(handlerId)?.(), this.idleInTransactionMs)
    this.idleTimer.unref()
  }

  private stopIdleTimer() {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer)
    this.idleTimer = null
  }
}

/** A simple-protocol Query message. */
function simpleQuery(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`)
  const message = Buffer.alloc(5 + text.length)
  message[0] = 0x51 // 'Q'
  message.writeInt32BE(4 + text.length, 1)
  text.copy(message, 5)
  return message
}

/** Follows the framing of PGlite's answer (type byte, length, body), however it is cut into chunks, and keeps the status of the last ReadyForQuery. */
class ReadyForQueryReader {
  status: number | null = null
  private header: number[] = []
  private left = 0
  private inReady = false

  read(chunk: Uint8Array) {
    let i = 0
    while (i < chunk.length) {
      if (this.left > 0) {
        if (this.inReady) this.status = chunk[i]!
        const n = Math.min(this.left, chunk.length - i)
        i += n
        this.left -= n
        continue
      }
      this.header.push(chunk[i++]!)
      if (this.header.length === 5) {
        const [type, a, b, c, d] = this.header as [number, number, number, number, number]
        this.header = []
        this.left = ((a << 24) | (b << 16) | (c << 8) | d) - 4
        this.inReady = type === READY_FOR_QUERY
      }
    }
  }
}
