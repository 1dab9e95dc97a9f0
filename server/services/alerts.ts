// A wave's alerts as a reader may see them (the report page's Alerts block, GET /api/v1/waves/:id/alerts):
// those of the units in the reader's scope (a unit manager: their units), of one unit when one is
// named. Alerts are about whole units, so attribute filters do not narrow them. An alert is shown
// only while both waves' releases still show its unit's item on both sides: a release can come to
// hide what it once showed (a larger minimum group size, answers erased), and a stored alert must not
// keep showing figures — whose intervals give away n — of a group the report now hides.
import type { Db } from '../../db/connect.js'
import { findUnit } from '../domain/units.js'
import type { AlertFigures } from '../domain/gap-drift.js'
import { SIDES, type AlertRule } from '../domain/types.js'
import { HttpError } from '../http-error.js'
import { listAlerts, type StoredAlert } from '../repositories/alerts.js'
import { listUnits } from '../repositories/units.js'
import { groupOf, shows, waveRelease, type WaveRelease } from './release.js'
import { reportItems } from './report.js'
import { reportScope, unitWithinScope, type Reader } from './report-scope.js'

export interface WaveAlert {
  id: string
  rule: AlertRule
  unit: { id: string; name: string }
  itemKey: string
  /** The item's customer text, in English. */
  item: string
  previousWave: { id: string; name: string }
  figures: AlertFigures
  createdAt: string
}

/** The units whose alerts the reader gets: null for every unit; `unit` (id or name) narrows it to one. */
async function unitsOf(db: Db, reader: Reader, unit: string | null): Promise<string[] | null> {
  const scope = await reportScope(db, reader)
  if (!scope.whole) return unit === null ? scope.units.map((u) => u.id) : [unitWithinScope(scope, unit).id]
  if (unit === null) return null
  const found = findUnit(await listUnits(db, reader.organizationId), unit)
  if (!found) throw new HttpError(400, 'unknown_filter', `There is no unit "${unit}" in your organization.`)
  return [found.id]
}

/** The alerts whose unit × item both sides of both waves' current releases show. */
async function stillReleased(db: Db, organizationId: string, minGroupSize: number, waveId: string, alerts: readonly StoredAlert[]): Promise<StoredAlert[]> {
  const releases = new Map<string, Promise<WaveRelease>>()
  const releaseOf = (id: string) => releases.get(id) ?? releases.set(id, waveRelease(db, organizationId, id, minGroupSize)).get(id)!
  const out: StoredAlert[] = []
  for (const alert of alerts) {
    const [now, before] = await Promise.all([releaseOf(waveId), releaseOf(alert.previousWave.id)])
    const group = groupOf(alert.unit.id, {})
    if ([now, before].every((release) => SIDES.every((side) => shows(release, side, group)(alert.itemKey)))) out.push(alert)
  }
  return out
}

export async function waveAlerts(db: Db, organization: { id: string; name: string; minGroupSize: number }, wave: { id: string }, reader: Reader, unit: string | null): Promise<WaveAlert[]> {
  const unitIds = await unitsOf(db, reader, unit)
  const [stored, items] = await Promise.all([listAlerts(db, organization.id, wave.id, unitIds), reportItems(db, wave.id, organization.name)])
  const alerts = await stillReleased(db, organization.id, organization.minGroupSize, wave.id, stored)
  const text = new Map(items.map((item) => [item.key, item.customerText]))
  return alerts.map((alert) => ({
    id: alert.id, rule: alert.rule, unit: alert.unit, itemKey: alert.itemKey, item: text.get(alert.itemKey) ?? alert.itemKey,
    previousWave: alert.previousWave, figures: alert.figures, createdAt: alert.createdAt.toISOString(),
  }))
}
