// Action plans: what a unit will change about one item (or dimension), made from a wave's report.
// Every query names the organization.
import { sql, type Selectable } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { ActionPlanTable } from '../../db/schema.js'
import type { Keyset } from '../domain/cursor.js'
import type { PlanStatus } from '../domain/types.js'
import { inPage, pageFrom, timeKey, type Page, type PageRequest } from './keyset.js'

export interface ActionPlan {
  id: string
  waveId: string
  unitId: string
  /** Exactly one of itemKey and dimension is set. */
  itemKey: string | null
  dimension: string | null
  owner: string
  change: string
  /** YYYY-MM-DD, or null. */
  dueOn: string | null
  status: PlanStatus
  createdBy: string | null
  createdAt: Date
  updatedAt: Date
}

// The due day as text from the database itself: drivers turn a date column into a Date at midnight
// of different time zones (node-postgres local, PGlite UTC), and a day must not move with either.
const COLUMNS = [
  'id', 'wave_id', 'unit_id', 'item_key', 'dimension', 'owner', 'change', 'status', 'created_by', 'created_at', 'updated_at',
  sql<string | null>`to_char(due_on, 'YYYY-MM-DD')`.as('due_on'),
] as const

const toPlan = (row: Omit<Selectable<ActionPlanTable>, 'organization_id'>): ActionPlan => ({
  id: row.id, waveId: row.wave_id, unitId: row.unit_id, itemKey: row.item_key, dimension: row.dimension, owner: row.owner,
  change: row.change, dueOn: row.due_on, status: row.status,
  createdBy: row.created_by, createdAt: row.created_at, updatedAt: row.updated_at,
})

export type NewActionPlan = Omit<ActionPlan, 'id' | 'createdAt' | 'updatedAt' | 'status'> & { status?: PlanStatus }

export async function insertActionPlan(db: Db, organizationId: string, plan: NewActionPlan): Promise<ActionPlan> {
  const row = await db.insertInto('action_plans').values({
    organization_id: organizationId, wave_id: plan.waveId, unit_id: plan.unitId, item_key: plan.itemKey, dimension: plan.dimension,
    owner: plan.owner, change: plan.change, due_on: plan.dueOn, status: plan.status ?? 'planned', created_by: plan.createdBy,
  }).returning(COLUMNS).executeTakeFirstOrThrow()
  return toPlan(row)
}

export async function findActionPlan(db: Db, organizationId: string, id: string): Promise<ActionPlan | undefined> {
  const row = await db.selectFrom('action_plans').select(COLUMNS).where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst()
  return row && toPlan(row)
}

/** Which of the organization's plans: of a wave, of some units (none: no plan at all), or both. */
export interface PlanFilter { waveId?: string; unitIds?: readonly string[] }

function plansQuery(db: Db, organizationId: string, where: PlanFilter) {
  let query = db.selectFrom('action_plans').select(COLUMNS).where('organization_id', '=', organizationId)
  if (where.waveId) query = query.where('wave_id', '=', where.waveId)
  if (where.unitIds) query = where.unitIds.length === 0 ? query.where(sql<boolean>`false`) : query.where('unit_id', 'in', [...where.unitIds])
  return query
}

/** The organization's plans, newest first (the id orders plans made in the same microsecond); narrowed as `where` says. */
export async function listActionPlans(db: Db, organizationId: string, where: PlanFilter = {}): Promise<ActionPlan[]> {
  if (where.unitIds?.length === 0) return []
  return (await plansQuery(db, organizationId, where).orderBy('created_at', 'desc').orderBy('id', 'desc').execute()).map(toPlan)
}

/** The API's pages of plans: newest first, as listActionPlans. */
export const PLAN_LIST: Keyset = { list: 'plans', parts: ['time', 'uuid'] }

export async function listActionPlanPage(db: Db, organizationId: string, where: PlanFilter, page: PageRequest): Promise<Page<ActionPlan>> {
  if (where.unitIds?.length === 0) return { rows: [], nextCursor: null }
  const query = plansQuery(db, organizationId, where).select(timeKey('created_at').as('key_at'))
  const rows = await inPage(query, page, [sql.ref('created_at'), sql.ref('id')], 'desc').execute()
  return pageFrom(page, rows, (row) => [row.key_at, row.id], toPlan)
}

export type ActionPlanChanges = Partial<Pick<ActionPlan, 'owner' | 'change' | 'dueOn' | 'status'>>

export async function updateActionPlan(db: Db, organizationId: string, id: string, changes: ActionPlanChanges): Promise<ActionPlan | undefined> {
  const row = await db.updateTable('action_plans').set({
    ...(changes.owner !== undefined ? { owner: changes.owner } : {}),
    ...(changes.change !== undefined ? { change: changes.change } : {}),
    ...(changes.dueOn !== undefined ? { due_on: changes.dueOn } : {}),
    ...(changes.status !== undefined ? { status: changes.status } : {}),
    updated_at: new Date(),
  }).where('organization_id', '=', organizationId).where('id', '=', id).returning(COLUMNS).executeTakeFirst()
  return row && toPlan(row)
}

export async function deleteActionPlan(db: Db, organizationId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('action_plans').where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}
