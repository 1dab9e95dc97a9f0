// Staff anonymity over subtraction and time (issue 12). Three tables:
// - profile_rollups: per wave, side, unit and attribute set, the counts the release decides on (one
//   entry per measure: respondents, each item answered, each dimension with an opinion; see
//   server/domain/measures.ts), kept current with the other rollups and backfilled here;
// - staff_pool: staff submissions waiting to join the figures. A staff answer is never written in
//   the transaction that uses its invitation, and carries no invitation, contact or time finer than
//   the day; it joins `responses` with others, in a step of their own (staff_releases);
// - staff_releases: the steps taken per wave with the release each made, which every instance reads.
// Invitations record the hash of the form key that used them, so a retry of the same form is known.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

const NIL = `'00000000-0000-0000-0000-000000000000'::uuid`

const statements = [
  `create table profile_rollups (
    wave_id uuid not null references waves on delete cascade,
    side text not null,
    unit_key uuid not null,
    attributes jsonb not null,
    -- Staff: the release step at which these answers joined the figures (0: before steps existed; customers 0).
    step integer not null default 0,
    slot int2 not null,
    counts int4[] not null,
    primary key (wave_id, side, unit_key, attributes, step, slot)
  )`,
  `create table staff_pool (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null,
    wave_id uuid not null,
    unit_id uuid,
    locale text not null,
    channel text not null check (channel in ('link', 'invitation', 'import', 'api')),
    attributes jsonb not null default '{}',
    comment text check (length(comment) <= 2000),
    -- Item key → 0 … 10 or null, the values the answers table takes.
    answers jsonb not null check (jsonb_typeof(answers) = 'object'
      and not jsonb_path_exists(answers, '$.* ? (@ != null && (@.type() != "number" || @ < 0 || @ > 10 || @ != @.floor()))')),
    submission_hash text,
    day date not null default (now() at time zone 'UTC')::date,
    foreign key (wave_id, organization_id) references waves (id, organization_id) on delete cascade,
    foreign key (unit_id, organization_id) references units (id, organization_id)
  )`,
  `create unique index staff_pool_submission on staff_pool (wave_id, submission_hash) where submission_hash is not null`,
  `create index staff_pool_wave_idx on staff_pool (wave_id)`,
  `create table staff_releases (
    wave_id uuid not null references waves on delete cascade,
    seq integer not null,
    released_at timestamptz not null default now(),
    respondents integer not null,
    -- The release this step made (the groups shown per measure, each since its first step), which
    -- readers and the next step read back.
    release jsonb not null,
    -- The minimum group size the release was made with: with another, readers decide afresh.
    min_group_size integer not null,
    primary key (wave_id, seq)
  )`,
  `alter table invitations add column used_key_hash text`,
  `alter table invitations add constraint invitations_used_key_hash check (used_key_hash is null or used)`,
  // The backfill: every response so far, in slot 0. Measures per wave: 0 the respondent, 1 … n the
  // items by position, then the non-headline dimensions in the order they first appear.
  `insert into profile_rollups (wave_id, side, unit_key, attributes, slot, counts)
  with measures as (
    select w.id as wave_id, m.ord, m.kind, m.key
    from waves w cross join lateral (
      select 0::bigint as ord, 'respondents' as kind, null::text as key
      union all
      select row_number() over (order by i.position), 'item', i.key from items i where i.instrument_id = w.instrument_id
      union all
      select (select count(*) from items c where c.instrument_id = w.instrument_id) + row_number() over (order by min(i.position)), 'dimension', i.dimension
      from items i where i.instrument_id = w.instrument_id and not i.headline group by i.dimension
    ) m
  ), groups as (
    select r.id, r.wave_id, r.side, coalesce(r.unit_id, ${NIL}) as unit_key, r.attributes from responses r
  ), counted as (
    select g.wave_id, g.side, g.unit_key, g.attributes, 0::bigint as ord, count(*) as n from groups g group by 1, 2, 3, 4
    union all
    select g.wave_id, g.side, g.unit_key, g.attributes, m.ord, count(*)
    from groups g
    join answers a on a.response_id = g.id and a.value is not null
    join measures m on m.wave_id = g.wave_id and m.kind = 'item' and m.key = a.item_key
    group by 1, 2, 3, 4, 5
    union all
    select g.wave_id, g.side, g.unit_key, g.attributes, m.ord, count(distinct g.id)
    from groups g
    join waves w on w.id = g.wave_id
    join answers a on a.response_id = g.id and a.value is not null
    join items i on i.instrument_id = w.instrument_id and i.key = a.item_key and not i.headline
    join measures m on m.wave_id = g.wave_id and m.kind = 'dimension' and m.key = i.dimension
    group by 1, 2, 3, 4, 5
  ), profiles as (
    select distinct wave_id, side, unit_key, attributes from counted
  )
  select p.wave_id, p.side, p.unit_key, p.attributes, 0, array_agg(coalesce(c.n, 0)::int4 order by m.ord)
  from profiles p
  join measures m on m.wave_id = p.wave_id
  left join counted c on c.wave_id = p.wave_id and c.side = p.side and c.unit_key = p.unit_key and c.attributes = p.attributes and c.ord = m.ord
  group by p.wave_id, p.side, p.unit_key, p.attributes`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'alter table invitations drop constraint if exists invitations_used_key_hash',
    'alter table invitations drop column if exists used_key_hash',
    'drop table if exists staff_releases',
    'drop table if exists staff_pool',
    'drop table if exists profile_rollups',
  ]) await sql.raw(statement).execute(db)
}
