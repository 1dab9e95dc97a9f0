// PgBouncer in transaction mode in front of PostgreSQL. CI's PostgreSQL pass runs the whole suite
// through one and says so with DATABASE_POOLER=pgbouncer (.ci/run); here the run proves that its
// DATABASE_URL really goes the way DATABASE_POOLER says, and that what depends on one server
// connection (the migration lock) holds when each transaction may get a different one.
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../db/connect.js'
import { migrateToLatest } from '../../db/migrate.js'
import { createTestDatabase, DATABASES, type TestDatabase } from '../helpers/databases.js'

const POOLER = process.env.DATABASE_POOLER ?? ''
if (!['', 'pgbouncer'].includes(POOLER)) throw new Error(`DATABASE_POOLER=${POOLER}: only pgbouncer (or nothing, for a direct connection) is known`)

/** The admin console's SHOW command on the PgBouncer at `url`'s host and port (simple protocol, which is all it speaks). */
async function pgbouncerShow(url: string, what: string): Promise<Record<string, unknown>[]> {
  const admin = new URL(url)
  admin.pathname = '/pgbouncer'
  const client = new pg.Client({ connectionString: admin.toString() })
  await client.connect()
  try {
    return (await client.query(`show ${what}`)).rows as Record<string, unknown>[]
  } finally {
    await client.end()
  }
}

for (const kind of DATABASES) {
  describe(`behind a transaction pooler [${kind}]`, () => {
    let database: TestDatabase
    let db: Db

    beforeAll(async () => {
      database = await createTestDatabase(kind)
      db = database.db
    })

    afterAll(async () => {
      await database?.drop()
    })

    if (kind === 'postgres') {
      it(POOLER ? 'reaches PostgreSQL through PgBouncer in transaction mode, as DATABASE_POOLER says' : 'reaches PostgreSQL directly, as DATABASE_POOLER (unset) says', async () => {
        const url = new URL(database.url!)
        const clientPort = Number(url.port || 5432)
        const { rows: [server] } = await sql<{ port: number | null; name: string }>`select inet_server_port() as port, current_database() as name`.execute(db)
        if (!POOLER) {
          expect(server!.port, `DATABASE_URL's port ${clientPort} is not the server's own; if a pooler is in between, set DATABASE_POOLER=pgbouncer`).toBe(clientPort)
          return
        }
        expect(server!.port, 'the server answered on the port DATABASE_URL names: the run went to PostgreSQL directly, not through PgBouncer').not.toBe(clientPort)
        const pools = await pgbouncerShow(database.url!, 'pools')
        const pool = pools.find((row) => row.database === server!.name)
        expect(pool, `PgBouncer has no pool for this file's database ${server!.name}`).toBeDefined()
        expect(pool!.pool_mode).toBe('transaction')
      })
    }

    it('lets many connections migrate at once, and leaves no migration lock held', async () => {
      // Other clients keep the server connections changing hands meanwhile: behind PgBouncer, a
      // lock taken outside a transaction would stay on whichever connection ran it.
      const other = database.url === null ? db : openDatabase({ url: database.url, dataDir: null, poolSize: 5 })
      let going = true
      const traffic = Array.from({ length: 5 }, async () => {
        while (going) await sql`select 1`.execute(other)
      })
      try {
        const stuck = new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 15_000).unref())
        const applied = await Promise.race([Promise.all(Array.from({ length: 6 }, () => migrateToLatest(db))), stuck])
        expect(applied, 'a migration waited 15 s for the migration lock: an earlier one left it held on a server connection').toEqual(Array.from({ length: 6 }, () => []))
      } finally {
        going = false
        await Promise.all(traffic)
        if (other !== db) await other.destroy()
      }
      const { rows: [held] } = await sql<{ locks: number }>`
        select count(*) as locks from pg_locks
        where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`.execute(db)
      expect(held!.locks).toBe(0)
    })
  })
}
