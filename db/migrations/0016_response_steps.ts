// The release step each staff response joined the figures in (server/services/release-steps.ts), so
// that the responses export can keep every step's rows k-anonymous on their own: two exports taken on
// either side of a step differ by exactly that step's rows, and a combination of unit, day, language
// and channel that grew by one row would hand over that person's whole row (design §5, "over time").
// Customers answer outside the steps: null. A staff row stored outside a step (none is, by the code
// of today) may be null too; the export counts such rows together, as one step of their own.
//
// The staff rows stored before this migration are given their wave's latest step (0 for a wave with
// no step recorded: rows stored before release steps existed). Their own steps are not known any more
// (a step's rows carry only its day, and several steps can share one), and any export taken so far
// printed them all together already: treated as one step, they are kept k-anonymous as the whole they
// have been read as, and only the steps that follow are told apart from them.
// Frozen in time: written against Kysely<any>, never importing today's types.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`alter table responses add column release_step int`).execute(db)
  await sql.raw(`update responses r set release_step = coalesce(
      (select max(s.seq) from staff_releases s where s.wave_id = r.wave_id), 0)
    where r.side = 'staff'`).execute(db)
  await sql.raw(`alter table responses add constraint responses_release_step_staff
    check (release_step is null or (side = 'staff' and release_step >= 0))`).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('alter table responses drop column if exists release_step').execute(db)
}
