// Alerts and how far the alert pass has looked at each wave (wave_watch). An alert is stored once
// per wave, unit, item and rule (the unique key): a pass that runs twice, or two at once, store and
// announce it once. The wave's watch row is locked while a pass writes what it found, so the second
// of two concurrent passes sees the first one's step and writes nothing.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { AlertFigures } from '../domain/gap-drift.js'
import type { AlertRule, WaveStatus } from '../domain/types.js'

export interface WatchedWave {
  id: string
  name: string
  organizationId: string
  instrumentKey: string
  status: WaveStatus
  opensAt: Date | null
  closesAt: Date | null
  /** The last staff release step (0 before the first) and when it was taken. */
  seq: number
  releasedAt: Date | null
  evaluatedSeq: number
  closedEvaluatedAt: Date | null
}

/** Every wave with its last staff release step and what the alert pass has looked at of it. */
export async function watchedWaves(db: Db): Promise<WatchedWave[]> {
  const { rows } = await sql<{
    id: string; name: string; organization_id: string; instrument_key: string; status: WaveStatus; opens_at: Date | null; closes_at: Date | null
    seq: number; released_at: Date | null; evaluated_seq: number | null; closed_evaluated_at: Date | null
  }>`select w.id, w.name, w.organization_id, i.key as instrument_key, w.status, w.opens_at, w.closes_at,
      coalesce(r.seq, 0)::int as seq, r.released_at, ww.evaluated_seq, ww.closed_evaluated_at
    from waves w join instruments i on i.id = w.instrument_id
    left join (select wave_id, max(seq) as seq, max(released_at) as released_at from staff_releases group by wave_id) r on r.wave_id = w.id
    left join wave_watch ww on ww.wave_id = w.id
    where w.status <> 'draft' or w.opens_at is not null
    order by w.created_at`.execute(db)
  return rows.map((row) => ({
    id: row.id, name: row.name, organizationId: row.organization_id, instrumentKey: row.instrument_key, status: row.status,
    opensAt: row.opens_at, closesAt: row.closes_at, seq: row.seq, releasedAt: row.released_at,
    evaluatedSeq: row.evaluated_seq ?? -1, closedEvaluatedAt: row.closed_evaluated_at,
  }))
}

/** The wave's watch row, made if missing and locked until the transaction ends. */
export async function lockWaveWatch(trx: Db, organizationId: string, waveId: string): Promise<{ evaluatedSeq: number; closedEvaluatedAt: Date | null }> {
  await trx.insertInto('wave_watch').values({ wave_id: waveId, organization_id: organizationId }).onConflict((oc) => oc.columns(['organization_id', 'wave_id']).doNothing()).execute()
  const row = await trx.selectFrom('wave_watch').select(['evaluated_seq', 'closed_evaluated_at'])
    .where('wave_id', '=', waveId).where('organization_id', '=', organizationId).forUpdate().executeTakeFirstOrThrow()
  return { evaluatedSeq: row.evaluated_seq, closedEvaluatedAt: row.closed_evaluated_at }
}

export async function saveWaveWatch(trx: Db, organizationId: string, waveId: string, watch: { evaluatedSeq: number; closedEvaluatedAt: Date | null }): Promise<void> {
  await trx.updateTable('wave_watch').set({ evaluated_seq: watch.evaluatedSeq, closed_evaluated_at: watch.closedEvaluatedAt, updated_at: new Date() })
    .where('wave_id', '=', waveId).where('organization_id', '=', organizationId).execute()
}

export interface NewAlert {
  organizationId: string
  waveId: string
  previousWaveId: string
  unitId: string
  itemKey: string
  rule: AlertRule
  figures: AlertFigures
  releaseSeq: number
}

/** Stores the alerts not stored before; returns those this call stored, with their ids. */
export async function insertAlerts(trx: Db, alerts: readonly NewAlert[]): Promise<Array<NewAlert & { id: string }>> {
  if (alerts.length === 0) return []
  const rows = await trx.insertInto('alerts').values(alerts.map((a) => ({
    organization_id: a.organizationId, wave_id: a.waveId, previous_wave_id: a.previousWaveId, unit_id: a.unitId,
    item_key: a.itemKey, rule: a.rule, figures: JSON.stringify(a.figures), release_seq: a.releaseSeq,
  }))).onConflict((oc) => oc.columns(['organization_id', 'wave_id', 'unit_id', 'item_key', 'rule']).doNothing())
    .returning(['id', 'unit_id', 'item_key', 'rule']).execute()
  const key = (unitId: string, itemKey: string, rule: string) => `${unitId}|${itemKey}|${rule}`
  const stored = new Map(rows.map((row) => [key(row.unit_id, row.item_key, row.rule), row.id]))
  return alerts.flatMap((a) => {
    const id = stored.get(key(a.unitId, a.itemKey, a.rule))
    return id ? [{ ...a, id }] : []
  })
}

export interface StoredAlert {
  id: string
  waveId: string
  previousWave: { id: string; name: string }
  unit: { id: string; name: string }
  itemKey: string
  rule: AlertRule
  figures: AlertFigures
  releaseSeq: number
  createdAt: Date
}

/** A wave's alerts, newest first; `unitIds` narrows them to those units (null: every unit). */
export async function listAlerts(db: Db, organizationId: string, waveId: string, unitIds: readonly string[] | null): Promise<StoredAlert[]> {
  if (unitIds !== null && unitIds.length === 0) return []
  let query = db.selectFrom('alerts as a')
    .innerJoin('units as u', (join) => join.onRef('u.id', '=', 'a.unit_id').onRef('u.organization_id', '=', 'a.organization_id'))
    .innerJoin('waves as p', (join) => join.onRef('p.id', '=', 'a.previous_wave_id').onRef('p.organization_id', '=', 'a.organization_id'))
    .select(['a.id', 'a.wave_id', 'a.previous_wave_id', 'p.name as previous_name', 'a.unit_id', 'u.name as unit_name', 'a.item_key', 'a.rule', 'a.figures', 'a.release_seq', 'a.created_at'])
    .where('a.organization_id', '=', organizationId).where('a.wave_id', '=', waveId)
  if (unitIds !== null) query = query.where('a.unit_id', 'in', [...unitIds])
  const rows = await query.orderBy('a.created_at', 'desc').orderBy('u.name').orderBy('a.item_key').orderBy('a.rule').execute()
  return rows.map((row) => ({
    id: row.id, waveId: row.wave_id, previousWave: { id: row.previous_wave_id, name: row.previous_name },
    unit: { id: row.unit_id, name: row.unit_name }, itemKey: row.item_key, rule: row.rule,
    figures: row.figures as unknown as AlertFigures, releaseSeq: row.release_seq, createdAt: row.created_at,
  }))
}
