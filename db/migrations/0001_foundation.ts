// Organizations, accounts, instruments, units, waves and their public links.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const statements = [
  `create table organizations (
    id uuid primary key default gen_random_uuid(),
    name text not null check (length(name) between 1 and 100),
    min_group_size integer not null default 5 check (min_group_size between 3 and 50),
    default_locale text not null default 'en' check (default_locale in ('en', 'es', 'de')),
    created_at timestamptz not null default now()
  )`,
  `create table users (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations on delete cascade,
    email text not null check (email = lower(email)),
    name text not null default '',
    role text not null check (role in ('owner', 'admin', 'analyst', 'viewer')),
    password_hash text not null,
    created_at timestamptz not null default now(),
    last_login_at timestamptz
  )`,
  `create unique index users_email_key on users (email)`,
  `create index users_organization_idx on users (organization_id)`,
  `create table sessions (
    id_hash text primary key,
    user_id uuid not null references users on delete cascade,
    organization_id uuid not null references organizations on delete cascade,
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    expires_at timestamptz not null
  )`,
  `create index sessions_user_idx on sessions (user_id)`,
  `create table api_tokens (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations on delete cascade,
    user_id uuid not null references users on delete cascade,
    name text not null check (length(name) between 1 and 100),
    token_hash text not null unique,
    prefix text not null,
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at timestamptz
  )`,
  `create index api_tokens_user_idx on api_tokens (user_id)`,
  `create table instruments (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid references organizations on delete cascade,
    key text not null check (key ~ '^[a-z][a-z0-9-]*$'),
    version integer not null check (version > 0),
    name text not null,
    locales text[] not null,
    staff_question jsonb not null,
    customer_question jsonb not null,
    created_at timestamptz not null default now()
  )`,
  `create unique index instruments_builtin_key on instruments (key, version) where organization_id is null`,
  `create unique index instruments_own_key on instruments (organization_id, key, version) where organization_id is not null`,
  `create table items (
    id uuid primary key default gen_random_uuid(),
    instrument_id uuid not null references instruments on delete cascade,
    position integer not null,
    key text not null check (key ~ '^[a-z][a-z0-9_]*$'),
    dimension text not null,
    scale text not null check (scale in ('agree5', 'likelihood11')),
    headline boolean not null default false,
    staff_text jsonb not null,
    customer_text jsonb not null,
    staff_predict_text jsonb,
    unique (instrument_id, key),
    unique (instrument_id, position)
  )`,
  `create unique index items_one_headline on items (instrument_id) where headline`,
  `create table units (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations on delete cascade,
    name text not null check (length(name) between 1 and 100),
    created_at timestamptz not null default now(),
    unique (id, organization_id)
  )`,
  `create unique index units_name_key on units (organization_id, lower(name))`,
  `create table waves (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations on delete cascade,
    instrument_id uuid not null references instruments,
    name text not null check (length(name) between 1 and 100),
    status text not null check (status in ('draft', 'open', 'closed')),
    opens_at timestamptz,
    closes_at timestamptz,
    locales text[] not null,
    created_at timestamptz not null default now(),
    unique (id, organization_id),
    check (opens_at is null or closes_at is null or closes_at > opens_at)
  )`,
  `create unique index waves_name_key on waves (organization_id, lower(name))`,
  `create index waves_instrument_idx on waves (instrument_id)`,
  `create table links (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null,
    wave_id uuid not null,
    side text not null check (side in ('staff', 'customer')),
    unit_id uuid,
    token text not null unique,
    created_at timestamptz not null default now(),
    foreign key (wave_id, organization_id) references waves (id, organization_id) on delete cascade,
    foreign key (unit_id, organization_id) references units (id, organization_id)
  )`,
  `create unique index links_wave_side_key on links (wave_id, side) where unit_id is null`,
  `create unique index links_wave_side_unit_key on links (wave_id, side, unit_id) where unit_id is not null`,
  `create index links_unit_idx on links (unit_id)`,
  // Once a wave uses an instrument version, that version is frozen so that quarters stay comparable.
  `create function instrument_in_use(instrument uuid) returns boolean language sql stable as
    'select exists (select 1 from waves where instrument_id = instrument)'`,
  `create function forbid_change_to_used_instrument() returns trigger language plpgsql as $$
  begin
    -- Rows removed by a cascade (the organization itself is being deleted) are not edits.
    if tg_op = 'DELETE' and pg_trigger_depth() > 1 then
      return old;
    end if;
    if tg_table_name = 'instruments' then
      if instrument_in_use(old.id) then
        raise exception 'instrument % version % is used by a wave and cannot change', old.key, old.version
          using errcode = 'SG001';
      end if;
    elsif (tg_op <> 'INSERT' and instrument_in_use(old.instrument_id))
       or (tg_op <> 'DELETE' and instrument_in_use(new.instrument_id)) then
      raise exception 'the items of an instrument used by a wave cannot change' using errcode = 'SG001';
    end if;
    return coalesce(new, old);
  end $$`,
  `create trigger instruments_frozen before update or delete on instruments
    for each row execute function forbid_change_to_used_instrument()`,
  `create trigger items_frozen before insert or update or delete on items
    for each row execute function forbid_change_to_used_instrument()`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['links', 'waves', 'units', 'items', 'instruments', 'api_tokens', 'sessions', 'users', 'organizations']) {
    await sql.raw(`drop table if exists ${table} cascade`).execute(db)
  }
  await sql.raw('drop function if exists forbid_change_to_used_instrument, instrument_in_use').execute(db)
}
