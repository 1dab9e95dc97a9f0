// Creating a wave and inviting contacts to it, shared by the forms and the API so both apply the same
// rules and messages.
import { isUniqueViolation, type Db } from '../../db/connect.js'
import { isUuid } from '../domain/formats.js'
import type { Side } from '../domain/types.js'
import { checkNewWave, type Checked } from '../domain/inputs.js'
import { HttpError, notFound } from '../http-error.js'
import { listInstruments } from '../repositories/instruments.js'
import { inviteContacts } from '../repositories/invitations.js'
import { findUnit, findUnitByName, listUnits } from '../repositories/units.js'
import { createWave, findWave, waveNames, type WaveDetail, type WaveLink } from '../repositories/waves.js'

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
  const unitIds = options.unitLinks ? (await listUnits(db, organizationId)).map((unit) => unit.id) : []
  try {
    const id = await createWave(db, organizationId, {
      name: value.name,
      instrumentId: latest(value.templateKey)!.id,
      status: value.status,
      opensAt: value.opensAt,
      closesAt: value.closesAt,
      locales: value.locales,
      unitIds,
    })
    return { ok: true, value: id }
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, errors: { name: nameTaken } }
    throw error
  }
}

export const linkUrl = (publicUrl: string, token: string) => `${publicUrl}/s/${token}`

/** The general staff and customer links of a wave, and the per-unit pairs. */
export function groupLinks(links: WaveLink[]) {
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

/** The wave as the API shows it; links are absolute URLs. */
export function waveJson(wave: WaveDetail, publicUrl: string) {
  const { general, units } = groupLinks(wave.links)
  const url = (link?: WaveLink) => (link ? linkUrl(publicUrl, link.token) : null)
  return {
    id: wave.id,
    name: wave.name,
    status: wave.status,
    templateKey: wave.templateKey,
    templateVersion: wave.templateVersion,
    opensAt: wave.opensAt?.toISOString() ?? null,
    closesAt: wave.closesAt?.toISOString() ?? null,
    locales: wave.locales,
    createdAt: wave.createdAt.toISOString(),
    links: { staff: url(general.staff), customer: url(general.customer) },
    unitLinks: units.map((entry) => ({ unit: entry.unit, staff: url(entry.staff), customer: url(entry.customer) })),
  }
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
  const wave = isUuid(waveId) ? await findWave(db, organizationId, waveId) : undefined
  if (!wave) throw notFound('This wave')
  if (wave.status === 'closed') throw new HttpError(409, 'wave_closed', 'This wave is closed; reopen it before inviting anyone.')
  let unitId: string | null = null
  if (choice.unit) {
    const unit = isUuid(choice.unit) ? await findUnit(db, organizationId, choice.unit) : await findUnitByName(db, organizationId, choice.unit)
    if (!unit) throw new HttpError(400, 'validation_failed', `There is no unit "${choice.unit}".`, [{ field: 'unit', message: 'is not one of your units' }])
    unitId = unit.id
  }
  return inviteContacts(db, secret, { organizationId, waveId: wave.id, side: choice.side, unitId })
}
