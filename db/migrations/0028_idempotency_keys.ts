// Idempotency keys (issue "An API integrators can build on"): a creating POST sent with an
// Idempotency-Key header claims the key for its organization and caller here, atomically (the primary
// key and `insert … on conflict`), so two app instances on one database agree on who runs it. When it
// has run, the answer is kept beside the request's fingerprint for 24 hours and replayed to a retry.
// The key is stored as its hash; the answer sealed (AES-GCM, bound to organization, user and key), so
// only that caller's replay opens it. Rows are purged when they are a day old.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements = [
  `create table idempotency_keys (
    organization_id uuid not null references organizations on delete cascade,
    user_id uuid not null references users on delete cascade,
    key_hash text not null check (key_hash ~ '^[0-9a-f]{64}$'),
    claim uuid not null,
    created_at timestamptz not null default now(),
    fingerprint text check (fingerprint ~ '^[0-9a-f]{64}$'),
    status smallint check (status between 200 and 499),
    content_type text check (length(content_type) <= 200),
    body text,
    finished_at timestamptz,
    primary key (organization_id, user_id, key_hash),
    check ((finished_at is null) = (status is null) and (status is null) = (fingerprint is null)
      and (status is null) = (content_type is null) and (status is null) = (body is null))
  )`,
  `create index idempotency_keys_created_at on idempotency_keys (created_at)`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop table if exists idempotency_keys').execute(db)
}
