// Evaluates gap drift and "customers fell unnoticed" (domain/gap-drift.ts) where a wave's staff
// release step or its closing has not been looked at yet (wave_watch), and writes what it found in one
// transaction: the alerts (each stored once), the wave's watch row, a response_released event for a
// new step, an alert_raised event per new alert, and alert mail to each subscriber who follows the
// unit and may read it. Every figure is read through the report (services/report.ts gapReport), each
// wave under its own release, as a reader of the whole organization: nothing the report hides can
// reach an alert, its mail or its event.
import type { Db } from '../../db/connect.js'
import { gapDrift, type DriftAlert, type DriftCell } from '../domain/gap-drift.js'
import { localize } from '../domain/instrument.js'
import { effectiveStatus } from '../domain/periods.js'
import { isSuppressed, type Share } from '../domain/report.js'
import type { LoopContext } from '../loop/plugin.js'
import { insertAlerts, lockWaveWatch, saveWaveWatch, watchedWaves, type WatchedWave } from '../repositories/alerts.js'
import { waveItems } from '../repositories/instruments.js'
import { queueNotificationMail } from '../repositories/notification-mails.js'
import { subscribers, type Subscriber } from '../repositories/notification-settings.js'
import { getOrganization, type OrganizationSettings } from '../repositories/organizations.js'
import { listUnits } from '../repositories/units.js'
import { earlierWaves } from '../repositories/waves.js'
import { queueWebhookEvent } from '../repositories/webhook-events.js'
import { waveRelease } from './release.js'
import { gapReport } from './report.js'
import { reportScope, type Reader, type ReportScope } from './report-scope.js'

/** The pass reads as a viewer does: the whole organization, every unit, nothing a viewer may not see. */
const wholeOrganization = (organizationId: string): Reader => ({ organizationId, userId: '', role: 'viewer' })

const counted = (share: Share) => (isSuppressed(share) ? null : { agree: share.agree, n: share.n })

/**
 * Every unit × item whose four shares (both sides, both waves) the two reports show, each wave's report
 * for the unit as a whole (no attribute filters) under that wave's own release.
 */
async function releasedCells(db: Db, organization: OrganizationSettings, wave: WatchedWave, previous: { id: string; name: string }) {
  const reader = wholeOrganization(organization.id)
  const min = organization.minGroupSize
  const [units, release, earlierRelease] = await Promise.all([listUnits(db, organization.id), waveRelease(db, organization.id, wave.id, min), waveRelease(db, organization.id, previous.id, min)])
  const cells: DriftCell[] = []
  for (const unit of units) {
    const filters = { unit: unit.id, staff: {}, customer: {} }
    const [now, before] = await Promise.all([
      gapReport(db, organization, { id: wave.id, name: wave.name, instrumentKey: wave.instrumentKey }, filters, reader, release),
      gapReport(db, organization, { ...previous, instrumentKey: wave.instrumentKey }, filters, reader, earlierRelease),
    ])
    const earlier = new Map(before.items.map((item) => [item.key, item]))
    for (const item of now.items) {
      const then = earlier.get(item.key)
      const shares = then ? [item.staff, item.customer, then.staff, then.customer].map(counted) : []
      const [s1, c1, s0, c0] = shares
      if (!s1 || !c1 || !s0 || !c0) continue
      cells.push({ unitId: unit.id, itemKey: item.key, now: { staff: s1, customer: c1 }, before: { staff: s0, customer: c0 } })
    }
  }
  return { cells, units: new Map(units.map((unit) => [unit.id, unit.name])) }
}

/** Who hears about an alert in a unit: alert mail on, the unit among those they follow and those they may read. */
function follows(subscriber: Subscriber, scope: ReportScope, unitId: string): boolean {
  const mayRead = scope.whole || scope.units.some((unit) => unit.id === unitId)
  return subscriber.alertEmail && mayRead && (subscriber.unitIds === null || subscriber.unitIds.includes(unitId))
}

async function audience(db: Db, organizationId: string, fallbackLocale: string) {
  const everyone = (await subscribers(db, organizationId, fallbackLocale)).filter((s) => s.alertEmail)
  return Promise.all(everyone.map(async (subscriber) => ({
    subscriber, scope: await reportScope(db, { organizationId, userId: subscriber.userId, role: subscriber.role }),
  })))
}

/** Evaluates one wave; returns how many things it wrote (0 when another pass got there first). */
async function evaluateWave(db: Db, wave: WatchedWave, closed: boolean, now: Date): Promise<number> {
  const organization = await getOrganization(db, wave.organizationId)
  const [previous] = await earlierWaves(db, organization.id, wave, { includeThis: false, limit: 1 })
  let found: DriftAlert[] = []
  let unitNames = new Map<string, string>()
  if (previous) {
    const { cells, units } = await releasedCells(db, organization, wave, previous)
    found = gapDrift(cells)
    unitNames = units
  }
  const [items, listeners] = found.length > 0
    ? await Promise.all([waveItems(db, wave.id), audience(db, organization.id, organization.defaultLocale)])
    : [[], []]
  const itemText = new Map(items.map((item) => [item.key, item.customerText]))

  return db.transaction().execute(async (trx) => {
    const watch = await lockWaveWatch(trx, organization.id, wave.id)
    const stepNew = wave.seq > watch.evaluatedSeq
    if (!stepNew && !(closed && watch.closedEvaluatedAt === null)) return 0
    const stored = await insertAlerts(trx, found.map((alert) => ({
      organizationId: organization.id, waveId: wave.id, previousWaveId: previous!.id, unitId: alert.unitId,
      itemKey: alert.itemKey, rule: alert.rule, figures: alert.figures, releaseSeq: wave.seq,
    })))
    await saveWaveWatch(trx, organization.id, wave.id, {
      evaluatedSeq: Math.max(wave.seq, watch.evaluatedSeq),
      // A wave opened again is looked at again when it closes again.
      closedEvaluatedAt: closed ? watch.closedEvaluatedAt ?? now : null,
    })
    if (stepNew && wave.seq > 0) {
      await queueWebhookEvent(trx, organization.id, 'response_released', { waveId: wave.id, step: wave.seq, releasedAt: wave.releasedAt?.toISOString() ?? null })
    }
    for (const alert of stored) {
      const unit = { id: alert.unitId, name: unitNames.get(alert.unitId) ?? '' }
      await queueWebhookEvent(trx, organization.id, 'alert_raised', {
        alertId: alert.id, waveId: wave.id, previousWaveId: previous!.id, unit, itemKey: alert.itemKey, rule: alert.rule, figures: alert.figures,
      })
      for (const { subscriber, scope } of listeners) {
        if (!follows(subscriber, scope, alert.unitId)) continue
        const text = itemText.get(alert.itemKey)
        await queueNotificationMail(trx, {
          organizationId: organization.id, userId: subscriber.userId, kind: 'alert', ref: `alert:${alert.id}`,
          recipient: subscriber.email, locale: subscriber.locale,
          params: {
            rule: alert.rule, unit: unit.name, item: text ? localize(text, subscriber.locale, organization.name) : alert.itemKey,
            wave: wave.name, previousWave: previous!.name, figures: alert.figures,
            path: `/waves/${wave.id}?unit=${unit.id}#alerts`,
          },
        })
      }
    }
    return 1 + stored.length
  })
}

/** One pass over every wave; returns how many things it did. */
export async function evaluateAlerts(db: Db, context: LoopContext): Promise<number> {
  const now = context.now()
  let done = 0
  for (const wave of await watchedWaves(db)) {
    const status = effectiveStatus(wave, now)
    if (status === 'draft') continue
    const closed = status === 'closed'
    if (wave.seq <= wave.evaluatedSeq && !(closed && wave.closedEvaluatedAt === null)) continue
    done += await evaluateWave(db, wave, closed, now)
  }
  return done
}
