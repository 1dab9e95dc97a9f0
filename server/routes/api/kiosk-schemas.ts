// The shapes of kiosks in the API: a unit's customer link in kiosk mode, its address and daily cap.
import { Type } from 'typebox'
import { DEFAULT_DAILY_CAP, MAX_DAILY_CAP } from '../../domain/kiosk.js'
import { PageQuery } from './schemas.js'

const dailyCap = { minimum: 1, maximum: MAX_DAILY_CAP, description: `Answers the kiosk takes per day (UTC), 1–${MAX_DAILY_CAP}; past them it thanks people and asks them to come back another day.` }

export const Kiosk = Type.Object({
  id: Type.String({ format: 'uuid' }),
  waveId: Type.String({ format: 'uuid' }),
  unitId: Type.String({ format: 'uuid' }),
  unitName: Type.String(),
  linkId: Type.String({ format: 'uuid', description: 'The unit\'s customer link whose survey the kiosk shows.' }),
  url: Type.String({ format: 'uri', description: 'The kiosk\'s own public address, to open on the tablet. Anyone with it can answer, within the kiosk\'s limits.' }),
  dailyCap: Type.Integer(),
  today: Type.Integer({ description: 'Answers taken today (UTC).' }),
  active: Type.Boolean({ description: 'false once the unit is archived: the kiosk then takes no answers.' }),
  createdAt: Type.String({ format: 'date-time' }),
}, { title: 'Kiosk' })

export const KioskQuery = Type.Object({
  ...PageQuery,
  wave: Type.Optional(Type.String({ format: 'uuid', description: 'Only the kiosks of this wave.' })),
})

export const CreateKioskBody = Type.Object({
  waveId: Type.String({ format: 'uuid' }),
  unitId: Type.String({ format: 'uuid', description: 'A unit in use with a customer link in the wave (create the wave with `unitLinks: true`).' }),
  dailyCap: Type.Optional(Type.Integer({ ...dailyCap, default: DEFAULT_DAILY_CAP })),
}, { additionalProperties: false })

export const ChangeKioskBody = Type.Object({ dailyCap: Type.Optional(Type.Integer(dailyCap)) }, { additionalProperties: false, description: 'What to change; a field left out stays as it is.' })
