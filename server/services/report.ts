// The gap report of one wave for one set of filters, as the API returns it and the dashboard shows it.
import { sql } from 'kysely'
import type { Db } from '../../db/connect.js'
import type { Scale, Side } from '../domain/types.js'
import { localize } from '../domain/instrument.js'
import { buildReport, type ReportFilters, type ReportItem } from '../domain/report.js'
import { HttpError } from '../http-error.js'
import { findUnit } from '../domain/units.js'
import { sideCounts, sideCountsPerUnit } from '../repositories/reports.js'
import { listUnits } from '../repositories/units.js'

export async function reportItems(db: Db, waveId: string, orgName: string): Promise<ReportItem[]> {
  const rows = await db.selectFrom('items').innerJoin('waves', 'waves.instrument_id', 'items.instrument_id')
    .select(['items.key', 'items.dimension', 'items.scale', 'items.headline', 'items.staff_text', 'items.customer_text'])
    .where('waves.id', '=', waveId).orderBy('items.position').execute()
  return rows.map((row) => ({
    key: row.key, dimension: row.dimension, scale: row.scale, headline: row.headline,
    staffText: localize(row.staff_text, 'en', orgName), customerText: localize(row.customer_text, 'en', orgName),
  }))
}

/** Turns the filters into a unit id and checks that every attribute named occurs on its side. */
async function resolveFilters(db: Db, organizationId: string, waveId: string, filters: ReportFilters) {
  let unit: { id: string; name: string } | null = null
  if (filters.unit !== null) {
    const wanted = filters.unit
    const found = findUnit(await listUnits(db, organizationId), wanted)
    unit = found ? { id: found.id, name: found.name } : null
    if (!unit) throw new HttpError(400, 'unknown_filter', `There is no unit "${wanted}" in your organization.`)
  }
  for (const side of ['staff', 'customer'] as const) {
    for (const name of Object.keys(filters[side])) {
      const exists = await db.selectFrom('responses').select(sql<number>`1`.as('one'))
        .where('wave_id', '=', waveId).where('side', '=', side).where(sql<boolean>`jsonb_exists(attributes, ${name})`)
        .limit(1).executeTakeFirst()
      if (!exists) throw new HttpError(400, 'unknown_filter', `No ${side} response in this wave has the attribute "${name}".`)
    }
  }
  return unit
}

export async function waveReport(
  db: Db,
  organization: { id: string; name: string; minGroupSize: number },
  wave: { id: string; name: string },
  filters: ReportFilters,
) {
  const unit = await resolveFilters(db, organization.id, wave.id, filters)
  const items = await reportItems(db, wave.id, organization.name)
  const scales = new Map<string, Scale>(items.map((item) => [item.key, item.scale]))
  const counts = async (side: Side) => sideCounts(db, wave.id, side, { unitId: unit?.id ?? null, attributes: filters[side] }, scales)
  // Both sides at once: on PostgreSQL their queries run side by side on separate connections.
  const [staff, customer] = await Promise.all([counts('staff'), counts('customer')])
  const report = buildReport({ minGroupSize: organization.minGroupSize, items, sides: { staff, customer } })
  return {
    wave: { id: wave.id, name: wave.name },
    minGroupSize: organization.minGroupSize,
    filters: { unit, staff: filters.staff, customer: filters.customer },
    ...report,
  }
}

/** The report of each unit, without attribute filters, from one pass over the wave's rollups. */
export async function unitReports(db: Db, organization: { name: string; minGroupSize: number }, waveId: string, unitIds: readonly string[]) {
  const items = await reportItems(db, waveId, organization.name)
  const scales = new Map<string, Scale>(items.map((item) => [item.key, item.scale]))
  const [staff, customer] = await Promise.all([sideCountsPerUnit(db, waveId, 'staff', scales), sideCountsPerUnit(db, waveId, 'customer', scales)])
  return new Map(unitIds.map((id) => [id, buildReport({ minGroupSize: organization.minGroupSize, items, sides: { staff: staff(id), customer: customer(id) } })]))
}
