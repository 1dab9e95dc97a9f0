// Waves: creating one, its links, its reminders and inviting contacts to it, shared by the forms and
// the API so both apply the same rules and messages. Where several repository calls must land
// together, the transaction is opened here and passed down.
import { isUniqueViolation, type Db } from '../../db/connect.js'
import { archivedUnitMessage, findUnit } from '../domain/units.js'
import type { Side } from '../domain/types.js'
import { checkNewWave, type Checked } from '../domain/inputs.js'
import { waveEventPayload } from '../domain/schedule.js'
import { HttpError, notFound } from '../http-error.js'
import { atomically } from '../repositories/atomically.js'
import { countContacts } from '../repositories/contacts.js'
import { listInstruments } from '../repositories/instruments.js'
import { invitationCounts, inviteContacts, sendingState } from '../repositories/invitations.js'
import { countResponses } from '../repositories/responses.js'
import { staffReleaseState } from '../repositories/staff-pool.js'
import { listActiveUnits, listUnits } from '../repositories/units.js'
import { queueWebhookEvent } from '../repositories/webhook-events.js'
import {
  createWave, findWave, insertLinks, listWaveLinks, setWaveReminders, unitsWithLinks, waveNames,
  type Wave, type WaveLink,
} from '../repositories/waves.js'

export async function createWaveFromInput(
  db: Db,
  organizationId: string,
  input: Record<string, unknown>,
  options: { unitLinks: boolean; now?: Date },
): Promise<Checked<string>> {
  const now = options.now ?? new Date()
  const instruments = await listInstruments(db, organizationId)
  const latest = (key: string) => instruments.find((row) => row.definition.key === key)
  const checked = checkNewWave(input, {
    now,
    templateKeys: [...new Set(instruments.map((row) => row.definition.key))],
    templateLocales: (key) => latest(key)?.definition.locales ?? [],
  })
  // A taken name is reported with every other problem at once, not after they are fixed.
  const wanted = typeof input.name === 'string' ? input.name.trim().toLowerCase() : ''
  const taken = (await waveNames(db, organizationId)).some((name) => name.toLowerCase() === wanted)
  const nameTaken = `A wave named "${typeof input.name === 'string' ? input.name.trim() : ''}" already exists. Choose another name.`
  if (taken) return { ok: false, errors: { ...(checked.ok ? {} : checked.errors), name: nameTaken } }
  if (!checked.ok) return checked
  const { value } = checked
  // Archived units get no new links.
  const unitIds = options.unitLinks ? (await listActiveUnits(db, organizationId)).map((unit) => unit.id) : []
  try {
    // A wave that opens at once announces it (wave_opened) with its creation; a draft when it opens.
    const id = await atomically(db, async (trx) => {
      const id = await createWave(trx, organizationId, {
        name: value.name,
        instrumentId: latest(value.templateKey)!.id,
        status: value.status,
        opensAt: value.opensAt,
        closesAt: value.closesAt,
        locales: value.locales,
        predictions: value.predictions,
        repeatEvery: value.repeatEvery,
        weeklyDigest: value.weeklyDigest,
        unitIds,
      })
      if (value.status === 'open') {
        await queueWebhookEvent(trx, organizationId, 'wave_opened', waveEventPayload({ id, ...value, repeatedFrom: null }, 'person'))
      }
      return id
    })
    return { ok: true, value: id }
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, errors: { name: nameTaken } }
    throw error
  }
}

/** Gives every unit in use (not archived) that has no link in the wave yet a staff and a customer link. */
export async function addMissingUnitLinks(db: Db, organizationId: string, waveId: string): Promise<number> {
  const units = await listActiveUnits(db, organizationId)
  // Which units have links and the links added, read and written in one transaction.
  return atomically(db, async (trx) => {
    const have = await unitsWithLinks(trx, organizationId, waveId)
    return insertLinks(trx, organizationId, waveId, units.map((unit) => unit.id).filter((id) => !have.has(id)))
  })
}

/** Sets how many reminders a wave's unanswered invitations get, and how many days apart. */
export async function setReminders(db: Db, organizationId: string, waveId: string, input: { reminders: unknown; reminderDays: unknown }) {
  const count = Number(input.reminders)
  const days = Number(input.reminderDays)
  if (!Number.isInteger(count) || count < 0 || count > 5 || !Number.isInteger(days) || days < 1 || days > 30) {
    throw new HttpError(400, 'validation_failed', 'Reminders go from 0 to 5, and from 1 to 30 days apart.')
  }
  if (!(await setWaveReminders(db, organizationId, waveId, { count, days }))) throw notFound('This wave')
}

/** A link's public address; with a language, one that opens the survey in it (a poster's QR code). */
export const linkUrl = (publicUrl: string, token: string, lang: string | null = null) => `${publicUrl}/s/${token}${lang ? `?lang=${encodeURIComponent(lang)}` : ''}`

/** The general staff and customer links of a wave, and the per-unit pairs. */
function groupLinks(links: WaveLink[]) {
  const general = { staff: links.find((l) => !l.unit && l.side === 'staff'), customer: links.find((l) => !l.unit && l.side === 'customer') }
  const byUnit = new Map<string, { unit: { id: string; name: string }; staff?: WaveLink; customer?: WaveLink }>()
  for (const link of links) {
    if (!link.unit) continue
    const entry = byUnit.get(link.unit.id) ?? { unit: link.unit }
    entry[link.side] = link
    byUnit.set(link.unit.id, entry)
  }
  return { general, units: [...byUnit.values()] }
}

/** The wave as the API shows it; links are absolute URLs. The API calls an instrument a template. */
/** Which units' links a reader may see (report-scope.ts seesLinkOf); every unit's when not given. */
type LinkFilter = (unitId: string) => boolean

function waveJson(wave: Wave, links: WaveLink[], publicUrl: string, visible: LinkFilter) {
  const { general, units } = groupLinks(links.filter((link) => link.unit === null || visible(link.unit.id)))
  const url = (link?: WaveLink) => (link ? linkUrl(publicUrl, link.token) : null)
  return {
    id: wave.id,
    name: wave.name,
    status: wave.status,
    templateKey: wave.instrumentKey,
    templateVersion: wave.instrumentVersion,
    opensAt: wave.opensAt?.toISOString() ?? null,
    closesAt: wave.closesAt?.toISOString() ?? null,
    locales: wave.locales,
    predictions: wave.predictions,
    createdAt: wave.createdAt.toISOString(),
    repeatEvery: wave.repeatEvery,
    repeatedFrom: wave.repeatedFrom?.id ?? null,
    weeklyDigest: wave.weeklyDigest,
    links: { staff: url(general.staff), customer: url(general.customer) },
    unitLinks: units.map((entry) => ({ unit: entry.unit, staff: url(entry.staff), customer: url(entry.customer) })),
  }
}

/** These waves of the organization (a page of the list) as the API shows them, with the links of all in one query. */
export async function wavesJson(db: Db, organizationId: string, waves: readonly Wave[], publicUrl: string, visible: LinkFilter = () => true) {
  const links = await listWaveLinks(db, organizationId, waves.map((wave) => wave.id))
  return waves.map((wave) => waveJson(wave, links.get(wave.id)!, publicUrl, visible))
}

/** One wave as the API shows it, or undefined when it is not the organization's. */
export async function oneWaveJson(db: Db, organizationId: string, waveId: string, publicUrl: string, visible: LinkFilter = () => true) {
  const wave = await findWave(db, organizationId, waveId)
  if (!wave) return undefined
  const links = await listWaveLinks(db, organizationId, [wave.id])
  return waveJson(wave, links.get(wave.id)!, publicUrl, visible)
}

/**
 * What the wave page shows besides the report: links, units, responses so far (staff: those released),
 * the staff figures' last step and the answers waiting for the next, invitations and sending.
 */
export async function waveOverview(db: Db, organizationId: string, wave: Wave) {
  const [links, units, responses, delivery, sending, contacts, staffRelease] = await Promise.all([
    listWaveLinks(db, organizationId, [wave.id]),
    listActiveUnits(db, organizationId),
    countResponses(db, organizationId, wave.id),
    invitationCounts(db, organizationId, wave.id),
    sendingState(db, organizationId),
    countContacts(db, organizationId),
    staffReleaseState(db, organizationId, wave.id),
  ])
  const { general, units: unitLinks } = groupLinks(links.get(wave.id)!)
  // An archived unit keeps its links (and they keep answering until the wave closes) but gets no new ones.
  const linked = new Set(unitLinks.map((entry) => entry.unit.id))
  const missingUnitLinks = units.filter((unit) => !linked.has(unit.id)).length
  return { general, unitLinks, missingUnitLinks, units, responses, delivery, sending, contacts, staffRelease }
}

/**
 * Invites the organization's matching, subscribed contacts to a wave, for the form and the API alike.
 * Answers 404 for a wave that is not the organization's, 409 for a closed one and 400 for a unit (id or
 * name) that is not one of its units. Returns how many invitations were queued.
 */
export async function inviteToWave(
  db: Db,
  secret: string,
  organizationId: string,
  waveId: string,
  choice: { side: Side | null; unit: string | null },
): Promise<number> {
  const wave = await findWave(db, organizationId, waveId)
  if (!wave) throw notFound('This wave')
  if (wave.status === 'closed') throw new HttpError(409, 'wave_closed', 'This wave is closed; reopen it before inviting anyone.')
  let unitId: string | null = null
  if (choice.unit) {
    const unit = findUnit(await listUnits(db, organizationId), choice.unit)
    if (!unit) throw new HttpError(400, 'validation_failed', `There is no unit "${choice.unit}".`, [{ field: 'unit', message: 'is not one of your units' }])
    if (unit.archived) throw new HttpError(400, 'validation_failed', `The ${archivedUnitMessage(unit)}: it gets no new invitations.`, [{ field: 'unit', message: archivedUnitMessage(unit) }])
    unitId = unit.id
  }
  return inviteContacts(db, secret, { organizationId, waveId: wave.id, side: choice.side, unitId })
}
