// Uploaded CSV files waiting for their preview to be confirmed, for contacts and for a wave's responses
// alike, kept in the database so that any instance of the app can show the preview and do the import.
// The bytes are kept as uploaded, in parts of about a megabyte, so that neither the upload nor the
// import ever holds a large file whole. Pending response uploads move over from `imports`.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements = [
  `create table uploads (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations on delete cascade,
    kind text not null check (kind in ('contacts', 'responses')),
    wave_id uuid,
    user_id uuid references users on delete set null,
    filename text not null,
    bytes integer,
    created_at timestamptz not null default now(),
    confirmed_at timestamptz,
    foreign key (wave_id, organization_id) references waves (id, organization_id) on delete cascade,
    check ((kind = 'responses') = (wave_id is not null))
  )`,
  `create index uploads_created_idx on uploads (created_at)`,
  `create table upload_parts (
    upload_id uuid not null references uploads on delete cascade,
    position integer not null,
    data bytea not null,
    primary key (upload_id, position)
  )`,
  `insert into uploads (id, organization_id, kind, wave_id, user_id, filename, bytes, created_at, confirmed_at)
    select id, organization_id, 'responses', wave_id, user_id, filename, octet_length(convert_to(content, 'UTF8')), created_at, imported_at from imports`,
  `insert into upload_parts (upload_id, position, data)
    select id, 0, convert_to(content, 'UTF8') from imports where imported_at is null`,
  `drop table imports`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `create table imports (
      id uuid primary key default gen_random_uuid(),
      organization_id uuid not null,
      wave_id uuid not null,
      user_id uuid references users on delete set null,
      filename text not null,
      content text not null,
      row_count integer not null,
      created_at timestamptz not null default now(),
      imported_at timestamptz,
      foreign key (wave_id, organization_id) references waves (id, organization_id) on delete cascade
    )`,
    // Row counts were not kept with uploads; 0 stands for "not known".
    `insert into imports (id, organization_id, wave_id, user_id, filename, content, row_count, created_at, imported_at)
      select u.id, u.organization_id, u.wave_id, u.user_id, u.filename,
        coalesce((select convert_from(string_agg(p.data, ''::bytea order by p.position), 'UTF8') from upload_parts p where p.upload_id = u.id), ''),
        0, u.created_at, u.confirmed_at
      from uploads u where u.kind = 'responses'`,
    'drop table if exists upload_parts',
    'drop table if exists uploads',
  ]) await sql.raw(statement).execute(db)
}
