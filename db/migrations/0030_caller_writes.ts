// Read-your-writes with a read replica (DATABASE_READ_URL): the primary's write-ahead log position
// after each person's last write request, so that their next reports read the primary until the
// replica has replayed that far. One row per person, whichever instance or credential (session or API
// token) they wrote through; nothing in it says what they wrote. Frozen in time: written against Kysely<any>.
import { sql, type Kysely } from 'kysely'

const statements = [
  `create table caller_writes (
    organization_id uuid not null references organizations (id) on delete cascade,
    user_id uuid not null references users (id) on delete cascade,
    lsn pg_lsn not null,
    primary key (organization_id, user_id)
  )`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop table if exists caller_writes').execute(db)
}
