// npm run demo: a fresh embedded database with a demo organization — six units and four quarterly
// waves of about 2,400 responses each — then the server on it, mail worker included (invitations
// sent from the demo reach the development outbox at /outbox). The numbers follow the delivery gap:
// most staff think customers get excellent service, few customers agree, and it slowly improves; the
// story each analysis tells is in demo-data.ts.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../db/connect.js'
import { migrate } from '../repositories/migrate.js'
import { buildApp } from '../app.js'
import { loadConfigOrExit } from '../config.js'
import { seededRandom } from '../domain/analytics/random.js'
import { createOrganizationWithOwner } from '../repositories/organizations.js'
import { importResponses } from '../repositories/responses.js'
import { advanceStaffAfterStore } from '../services/release-steps.js'
import { createUnit } from '../repositories/units.js'
import { setWaveStatus } from '../repositories/waves.js'
import { createWaveFromInput } from '../services/waves.js'
import { PREDICTIONS, QUARTERS, responsesFor, UNITS } from './demo-data.js'

const EMAIL = 'demo@servicegap.example'
const PASSWORD = 'demo-password-2026'

const base = loadConfigOrExit()
const dataDir = process.env.DATA_DIR ? base.dataDir : mkdtempSync(join(tmpdir(), 'service-gap-demo-'))
const config = { ...base, dataDir, databaseUrl: null }
const db = openDatabase({ url: null, dataDir })
await migrate(db)
const { organizationId } = await createOrganizationWithOwner(db, { name: 'Harbourview Outfitters', email: EMAIL, password: PASSWORD, ownerName: 'Demo' })
const unitIds = []
for (const unit of UNITS) unitIds.push(await createUnit(db, organizationId, unit.name))
const rand = seededRandom(2026)
let total = 0
for (const [q, name] of QUARTERS.entries()) {
  const input = { name, templateKey: 'service-gap-index', status: 'open', predictions: PREDICTIONS[q]! }
  const created = await createWaveFromInput(db, organizationId, input, { unitLinks: true })
  if (!created.ok) throw new Error(JSON.stringify(created.errors))
  const rows = responsesFor(q, unitIds, rand)
  await importResponses(db, { organizationId, waveId: created.value, locale: 'en', channel: 'import' }, rows)
  // The staff rows wait in the pool like any others; the step that follows an import releases them.
  await advanceStaffAfterStore(db, organizationId, created.value, console)
  if (q < QUARTERS.length - 1) await setWaveStatus(db, organizationId, created.value, 'closed')
  total += rows.length
}

const app = await buildApp({ config: Object.freeze(config), db })
await app.listen({ host: config.host, port: config.port })
console.log(`\nService Gap demo: ${UNITS.length} units, ${QUARTERS.length} waves, ${total.toLocaleString('en')} responses (data in ${dataDir}).`)
console.log(`Open ${config.publicUrl} and sign in as ${EMAIL} with the password ${PASSWORD}\n`)
