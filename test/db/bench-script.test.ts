// The submit benchmark's pgbench scripts (test/bench/submit.ts) stand for what the app writes per
// form. Run once here with fixed answers, each must write exactly what storeResponse writes for the
// same answers, or the bench's baselines silently measure something else (as when the response row
// gained its answer vector and the script did not).
import { sql } from 'kysely'
import { expect, it } from 'vitest'
import type { Db } from '../../db/connect.js'
import { storeResponse } from '../../server/repositories/responses.js'
import { pgbenchScript, ONE_ROW_TABLE, type ScriptForm } from '../bench/submit.js'
import { apiToken, bearer, createTenant, describeEachDatabase } from '../helpers/app.js'

const VALUE = 4

/** The script as one statement with its pgbench variables filled in: every answer VALUE, slot 0. */
function statementOf(form: ScriptForm, organizationId: string, waveId: string, items: { key: string; dimension: string; headline: boolean }[]) {
  const text = pgbenchScript(form, organizationId, waveId, items)
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('\\set'))
    .join('\n').replace(/(?<!:):v\d+\b/g, String(VALUE)).replace(/(?<!:):slot\b/g, '0')
}

/** What a wave holds after its one form: the response row and the rollups summed over their slots. */
async function written(db: Db, waveId: string) {
  const response = await db.selectFrom('responses').select(['side', 'unit_id', 'locale', 'attributes', 'comment', 'answer_values'])
    .where('wave_id', '=', waveId).execute()
  const answers = await db.selectFrom('answers').innerJoin('responses', 'responses.id', 'answers.response_id')
    .select(['item_key', 'value']).where('wave_id', '=', waveId).orderBy('item_key').execute()
  const sums = async (table: 'answer_rollups' | 'dimension_rollups' | 'response_rollups' | 'profile_rollups', columns: string[]) =>
    (await sql<Record<string, unknown>>`select ${sql.raw(columns.join(', '))} from ${sql.table(table)} where wave_id = ${waveId}::uuid order by ${sql.raw(columns.join(', '))}`.execute(db)).rows
  return {
    response,
    answers,
    answerRollups: await sums('answer_rollups', ['side', 'unit_key', 'item_key', 'value', 'count']),
    dimensionRollups: await sums('dimension_rollups', ['side', 'unit_key', 'dimension', 'respondents', 'agree', 'mean_sum']),
    responseRollups: await sums('response_rollups', ['side', 'unit_key', 'respondents']),
    profileRollups: await sums('profile_rollups', ['side', 'unit_key', 'attributes', 'step', 'counts']),
  }
}

describeEachDatabase('the submit benchmark\'s pgbench scripts', (ctx) => {
  it('write what storeResponse writes for the same form, and the fair baseline one row with the answers in it', async () => {
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
    const expected = await written(db, app.id)
    expect(expected.response).toHaveLength(1)

    const bench = await wave('By pgbench')
    await sql.raw(statementOf('statement', tenant.organizationId, bench.id, bench.items)).execute(db)
    expect(await written(db, bench.id)).toEqual(expected)

    // Without rollups: the same response row and answer rows, and no rollups at all.
    const bare = await wave('No rollups')
    await sql.raw(statementOf('no-rollups', tenant.organizationId, bare.id, bare.items)).execute(db)
    const bareWritten = await written(db, bare.id)
    expect({ response: bareWritten.response, answers: bareWritten.answers }).toEqual({ response: expected.response, answers: expected.answers })
    expect(bareWritten.answerRollups).toEqual([])

    await sql.raw(ONE_ROW_TABLE).execute(db)
    await sql.raw(statementOf('one-row', tenant.organizationId, bare.id, bare.items)).execute(db)
    const { rows } = await sql<{ answers: number[] }>`select answers from bench_one_row where wave_id = ${bare.id}::uuid`.execute(db)
    expect(rows.map((row) => row.answers)).toEqual([expected.response[0]!.answer_values])
  })
})
