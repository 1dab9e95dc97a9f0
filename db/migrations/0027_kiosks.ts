// Kiosk mode (issue 17): a tablet on a counter that shows one unit's customer survey to one person
// after another. A kiosk has its own public token (the unit's ordinary link stays as it is, without
// the kiosk's limits), always points at a customer link of one unit (the foreign key carries the side
// and the unit, so a staff link or a unit-less link can never be one), and a daily cap.
// kiosk_days counts the responses a kiosk took per day (an atomic upsert, the cap's guard);
// kiosk_device_counts counts them per device (a random id from a signed cookie, stored hashed) in
// ten-minute buckets, which is all a rolling per-device limit needs: no response is linked to a device.
// Responses gain the channel 'kiosk'. Frozen in time: written against Kysely<any>.
import { sql, type Kysely } from 'kysely'

const statements = [
  `create unique index links_kiosk_target on links (id, organization_id, side, unit_id)`,
  `create table kiosks (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null,
    link_id uuid not null unique,
    side text not null default 'customer' check (side = 'customer'),
    unit_id uuid not null,
    token text not null unique,
    daily_cap integer not null check (daily_cap between 1 and 10000),
    created_at timestamptz not null default now(),
    foreign key (link_id, organization_id, side, unit_id) references links (id, organization_id, side, unit_id) on delete cascade
  )`,
  `create table kiosk_days (
    kiosk_id uuid not null references kiosks on delete cascade,
    day date not null,
    responses integer not null check (responses >= 0),
    primary key (kiosk_id, day)
  )`,
  `create table kiosk_device_counts (
    kiosk_id uuid not null references kiosks on delete cascade,
    device_hash text not null check (device_hash ~ '^[0-9a-f]{64}$'),
    bucket timestamptz not null,
    responses integer not null check (responses >= 0),
    primary key (kiosk_id, device_hash, bucket)
  )`,
  `alter table responses drop constraint responses_channel_check`,
  `alter table responses add constraint responses_channel_check check (channel in ('link', 'invitation', 'import', 'api', 'kiosk'))`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    'drop table if exists kiosk_device_counts', 'drop table if exists kiosk_days', 'drop table if exists kiosks',
    'drop index if exists links_kiosk_target',
    'alter table responses drop constraint responses_channel_check',
    `alter table responses add constraint responses_channel_check check (channel in ('link', 'invitation', 'import', 'api'))`,
  ]) await sql.raw(statement).execute(db)
}
