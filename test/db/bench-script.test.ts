// The submit benchmark's pgbench scripts (test/bench/submit-scripts.ts) stand for what the app writes
// per form. Run once here with fixed answers, each must write exactly what it stands for, or the
// bench's baselines silently measure something else (as when the response row gained its answer
// vector and the script did not): 'statement' what storeResponse writes today, once folded;
// 'before-fold' the same figures into the old shapes; 'one-row' one row with the answers in it.
import { sql } from 'kysely'
import { expect, it } from 'vitest'
import type { Db } from '../../db/connect.js'
import { storeResponse } from '../../server/repositories/responses.js'
import { createScriptTables, pgbenchScript, type Item, type ScriptForm } from '../bench/submit-scripts.js'
import { foldEverything } from '../bench/lib.js'
import { apiToken, bearer, createTenant, describeEachDatabase } from '../helpers/app.js'

const VALUE = 4

/** The script as one statement with its pgbench variables filled in: every answer VALUE, slot 0. */
function statementOf(form: ScriptForm, organizationId: string, waveId: string, items: readonly Item[]) {
  const text = pgbenchScript(form, organizationId, waveId, items)
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('\\set'))
    .join('\n').replace(/(?<!:):v\d+\b/g, String(VALUE)).replace(/(?<!:):slot\b/g, '0')
}

type Tables = 'today' | 'before-fold'

/**
 * What a wave holds after its one form: the response row, its answers and the rollups, from today's
 * tables or from the scratch tables of 'before-fold' (one form, so one slot: no sums needed).
 */
async function written(db: Db, waveId: string, tables: Tables) {
  const prefix = tables === 'today' ? '' : 'bench_'
  const table = (name: string) => sql.table(`${prefix}${name}`)
  const rows = async (name: string, columns: string[]) =>
    (await sql<Record<string, unknown>>`select ${sql.raw(columns.join(', '))} from ${table(name)} where wave_id = ${waveId}::uuid order by ${sql.raw(columns.join(', '))}`.execute(db)).rows
  const answers = await sql<{ item_key: string; value: number | null }>`
    select a.item_key, a.value from ${table('answers')} a join ${table('responses')} r on r.id = a.response_id
    where r.wave_id = ${waveId}::uuid order by a.item_key`.execute(db)
  return {
    response: await rows('responses', ['organization_id', 'side', 'unit_id', 'locale', 'channel', 'attributes', 'comment', 'answer_values']),
    answers: answers.rows,
    answerRollups: await rows('answer_rollups', ['side', 'unit_key', 'item_key', 'value', 'count']),
    dimensionRollups: await rows('dimension_rollups', ['side', 'unit_key', 'dimension', 'respondents', 'agree', 'mean_sum']),
    responseRollups: await rows('response_rollups', ['side', 'unit_key', 'respondents']),
    profileRollups: await rows('profile_rollups', ['side', 'unit_key', 'attributes', 'step', 'counts']),
  }
}

/** The columns today's tables have and the old ones did not. */
async function todayOnly(db: Db, waveId: string) {
  const response = await db.selectFrom('responses').select(['not_applicable', 'staff_answers', sql<boolean>`exists (select 1 from fold_queue q where q.response_id = responses.id)`.as('queued')])
    .where('wave_id', '=', waveId).execute()
  const organizations = await sql<{ organization_id: string }>`
    select organization_id from answer_rollups where wave_id = ${waveId}::uuid union select organization_id from dimension_rollups where wave_id = ${waveId}::uuid
    union select organization_id from response_rollups where wave_id = ${waveId}::uuid union select organization_id from profile_rollups where wave_id = ${waveId}::uuid`.execute(db)
  return { response, organizations: organizations.rows.map((row) => row.organization_id) }
}

describeEachDatabase('the submit benchmark\'s pgbench scripts', (ctx) => {
  it('write what storeResponse writes for the same form, the old design\'s tables the same figures, and the fair baseline one row', async () => {
    const db = ctx.database.db
    const tenant = await createTenant(ctx)
    const key = await apiToken(ctx, tenant.owner.email)
    const wave = async (name: string) => {
      const created = await ctx.app.inject({ method: 'POST', url: '/api/v1/waves', headers: bearer(key), payload: { name, templateKey: 'service-gap-index' } })
      expect(created.statusCode).toBe(201)
      const id = (created.json() as { id: string }).id
      const { instrument_id: instrumentId } = await db.selectFrom('waves').select('instrument_id').where('id', '=', id).executeTakeFirstOrThrow()
      const items = await db.selectFrom('items').select(['key', 'dimension', 'headline']).where('instrument_id', '=', instrumentId).orderBy('position').execute()
      return { id, items }
    }
    const app = await wave('By the app')
    await storeResponse(db, {
      organizationId: tenant.organizationId, waveId: app.id, side: 'customer', unitId: null, locale: 'en', channel: 'link', attributes: {},
      comment: null, answers: Object.fromEntries(app.items.map((item) => [item.key, VALUE])), submissionKey: 'by-the-app',
    })
    const bench = await wave('By pgbench')
    await sql.raw(statementOf('statement', tenant.organizationId, bench.id, bench.items)).execute(db)
    const fold = await foldEverything(db)
    expect(fold.left).toBe(0)
    const expected = await written(db, app.id, 'today')
    expect(expected.response).toHaveLength(1)
    expect(expected.answers).toHaveLength(app.items.length)
    expect(expected.answerRollups).toHaveLength(app.items.length)
    expect(await written(db, bench.id, 'today')).toEqual(expected)
    // Every item answered: no "not applicable" positions, no staff answers; the fold took both off its queue.
    const folded = { response: [{ not_applicable: null, staff_answers: null, queued: false }], organizations: [tenant.organizationId] }
    expect(await todayOnly(db, app.id)).toEqual(folded)
    expect(await todayOnly(db, bench.id)).toEqual(folded)

    // The old design: the same figures, written at once, into its own tables only.
    const old = await wave('Before the fold')
    await createScriptTables(db, 'before-fold')
    await createScriptTables(db, 'before-fold')
    await sql.raw(statementOf('before-fold', tenant.organizationId, old.id, old.items)).execute(db)
    expect(await written(db, old.id, 'before-fold')).toEqual(expected)
    const { rows: slots } = await sql<{ slot: number }>`select distinct slot from bench_answer_rollups where wave_id = ${old.id}::uuid`.execute(db)
    expect(slots).toEqual([{ slot: 0 }])
    expect(await db.selectFrom('responses').select('id').where('wave_id', '=', old.id).execute()).toEqual([])

    await createScriptTables(db, 'one-row')
    await sql.raw(statementOf('one-row', tenant.organizationId, old.id, old.items)).execute(db)
    const { rows } = await sql<{ answers: number[] }>`select answers from bench_one_row where wave_id = ${old.id}::uuid`.execute(db)
    expect(rows.map((row) => row.answers)).toEqual([expected.response[0]!.answer_values])
  })
})
