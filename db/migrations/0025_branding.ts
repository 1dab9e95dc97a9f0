// An organization's branding (issue 17 part 4): its logo (the bytes themselves, so every instance
// serves the same file without a shared disk), the logo's media type, pixel size and content hash
// (the hash names the public file, so a new logo gets a new address and old copies may be cached
// forever), and an accent colour. The sender name stays where it is (organizations.sender_name, 0013).
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements = [
  `create table organization_branding (
    organization_id uuid primary key references organizations on delete cascade,
    logo bytea,
    logo_type text check (logo_type in ('image/png', 'image/jpeg', 'image/webp')),
    logo_width integer check (logo_width between 1 and 10000),
    logo_height integer check (logo_height between 1 and 10000),
    logo_hash text check (logo_hash ~ '^[0-9a-f]{32}$'),
    accent text check (accent ~ '^#[0-9a-f]{6}$'),
    updated_at timestamptz not null default now(),
    check ((logo is null) = (logo_type is null) and (logo is null) = (logo_hash is null)
      and (logo is null) = (logo_width is null) and (logo is null) = (logo_height is null)),
    check (logo is null or octet_length(logo) <= 204800)
  )`,
  `create index organization_branding_logo_hash on organization_branding (logo_hash) where logo_hash is not null`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop table if exists organization_branding').execute(db)
}
