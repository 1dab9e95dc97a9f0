// npm run demo: a fresh embedded database with a demo organization — six units and four quarterly
// waves of about 1,500 responses each — then the server on it, mail worker included (invitations
// sent from the demo reach the development outbox at /outbox). The numbers follow the delivery gap:
// most staff think customers get excellent service, few customers agree, and it slowly improves.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../db/connect.js'
import { migrate } from '../repositories/migrate.js'
import { buildApp } from '../app.js'
import { loadConfigOrExit } from '../config.js'
import type { Answers, ImportedResponse } from '../domain/responses.js'
import { SERVICE_GAP_INDEX_V1 } from '../domain/service-gap-index.js'
import { createOrganizationWithOwner } from '../repositories/organizations.js'
import { importResponses } from '../repositories/responses.js'
import { advanceStaffAfterStore } from '../services/release-steps.js'
import { createUnit } from '../repositories/units.js'
import { setWaveStatus } from '../repositories/waves.js'
import { createWaveFromInput } from '../services/waves.js'

const EMAIL = 'demo@servicegap.example'
const PASSWORD = 'demo-password-2026'
const UNITS = ['Harbour Street store', 'Riverside store', 'Online shop', 'Phone support', 'Delivery team', 'Trade counter']
const QUARTERS = ['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4']

/** A small, seeded random generator so every demo looks the same. */
function random(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** How likely each side is to agree with each item before unit and quarter effects. */
const BASE: Record<string, { staff: number; customer: number }> = {
  excellent_service: { staff: 0.8, customer: 0.09 },
  want_to_help: { staff: 0.86, customer: 0.34 },
  valued: { staff: 0.78, customer: 0.22 },
  can_solve: { staff: 0.74, customer: 0.41 },
  easy: { staff: 0.62, customer: 0.18 },
  promises: { staff: 0.81, customer: 0.29 },
  individual: { staff: 0.77, customer: 0.16 },
  anticipates: { staff: 0.58, customer: 0.12 },
  trust: { staff: 0.83, customer: 0.61 },
  fit: { staff: 0.71, customer: 0.52 },
  asks: { staff: 0.49, customer: 0.11 },
  supported: { staff: 0.38, customer: 0.47 },
}
const UNIT_EFFECT = [0.04, -0.02, -0.08, 0.06, -0.12, 0.02]

const COMMENTS = {
  staff: [
    'Give us the stock system on the shop floor so we stop saying "I will check and call you back".',
    'We are too few on Saturdays; customers wait and we rush.',
    'Let us refund small amounts without asking a manager.',
    'Ask customers what they think more often, not only when they complain.',
    'Training on the new products came after the launch, not before.',
    'The delivery promise on the website is shorter than what we can do.',
  ],
  customer: [
    'The person at the counter was kind but could not tell me when my order would arrive.',
    'I had to explain my problem three times to three different people.',
    'Delivery was late again and nobody told me.',
    'Friendly staff, but the returns process takes far too long.',
    'Nobody has ever asked me what I need before today.',
    'Quick, helpful, knew exactly what I meant. More of this please.',
    'The website said it was in stock; the store said it was not.',
  ],
}

function answer(rand: () => number, agreeProbability: number): number | null {
  const r = rand()
  if (r < 0.03) return null
  if (rand() < Math.min(0.97, Math.max(0.02, agreeProbability))) return rand() < 0.45 ? 5 : 4
  const low = rand()
  return low < 0.2 ? 1 : low < 0.55 ? 2 : 3
}

function responsesFor(quarter: number, unitIds: string[], rand: () => number): ImportedResponse[] {
  const rows: ImportedResponse[] = []
  unitIds.forEach((unitId, u) => {
    for (const side of ['staff', 'customer'] as const) {
      const count = side === 'staff' ? 55 + Math.floor(rand() * 25) : 160 + Math.floor(rand() * 60)
      for (let i = 0; i < count; i++) {
        const answers: Answers = {}
        for (const item of SERVICE_GAP_INDEX_V1.items) {
          const base = BASE[item.key]![side]
          // Customers' view improves a little each quarter; staff stay about as confident.
          const drift = side === 'customer' ? quarter * 0.025 : quarter * 0.005
          answers[item.key] = answer(rand, base + UNIT_EFFECT[u]! * (side === 'customer' ? 1.5 : 1) + drift + (rand() - 0.5) * 0.06)
        }
        const pool = COMMENTS[side]
        rows.push({
          side,
          unitId,
          attributes: side === 'customer'
            ? { tier: rand() < 0.7 ? 'standard' : rand() < 0.8 ? 'gold' : 'trade' }
            : { role: rand() < 0.65 ? 'frontline' : rand() < 0.7 ? 'back office' : 'manager' },
          answers,
          comment: rand() < 0.12 ? pool[Math.floor(rand() * pool.length)]! : null,
        })
      }
    }
  })
  return rows
}

const base = loadConfigOrExit()
const dataDir = process.env.DATA_DIR ? base.dataDir : mkdtempSync(join(tmpdir(), 'service-gap-demo-'))
const config = { ...base, dataDir, databaseUrl: null }
const db = openDatabase({ url: null, dataDir })
await migrate(db)
const { organizationId } = await createOrganizationWithOwner(db, { name: 'Harbourview Outfitters', email: EMAIL, password: PASSWORD, ownerName: 'Demo' })
const unitIds = []
for (const name of UNITS) unitIds.push(await createUnit(db, organizationId, name))
const rand = random(2026)
let total = 0
for (const [q, name] of QUARTERS.entries()) {
  const created = await createWaveFromInput(db, organizationId, { name, templateKey: 'service-gap-index', status: 'open' }, { unitLinks: true })
  if (!created.ok) throw new Error(JSON.stringify(created.errors))
  const rows = responsesFor(q, unitIds, rand)
  await importResponses(db, { organizationId, waveId: created.value, locale: 'en', channel: 'import' }, rows)
  // The staff rows wait in the pool like any others; the step that follows an import releases them.
  await advanceStaffAfterStore(db, created.value, console)
  if (q < QUARTERS.length - 1) await setWaveStatus(db, organizationId, created.value, 'closed')
  total += rows.length
}

const app = await buildApp({ config: Object.freeze(config), db })
await app.listen({ host: config.host, port: config.port })
console.log(`\nService Gap demo: ${UNITS.length} units, ${QUARTERS.length} waves, ${total.toLocaleString('en')} responses (data in ${dataDir}).`)
console.log(`Open ${config.publicUrl} and sign in as ${EMAIL} with the password ${PASSWORD}\n`)
