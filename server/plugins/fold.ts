// The fold as a named plugin: every moment it takes the public forms queued since the last pass into
// the rollups (repositories/rollups.ts foldRollups). Every instance runs it; each pass leaves the
// entries another instance is folding to that instance. Readers never wait for it: until a form is
// folded they count it from its row, so how often this runs changes how much they read, never what
// they show.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Db } from '../../db/connect.js'
import { foldRollups } from '../repositories/rollups.js'
import { runPeriodically } from './periodic.js'

export interface FoldOptions {
  /** Milliseconds between passes (default 200). */
  intervalMs?: number
}

/** Rows one fold transaction takes at most, and folds one pass runs at most before yielding to the timer. */
const BATCH = 5000
const BATCHES_PER_PASS = 20

export default fp(async function fold(app: FastifyInstance, opts: FoldOptions & { db: Db }) {
  runPeriodically(app, {
    what: 'rollup fold',
    everyMs: opts.intervalMs ?? 200,
    pass: async () => {
      for (let n = 0; n < BATCHES_PER_PASS && (await foldRollups(opts.db, BATCH)) === BATCH; n++);
    },
  })
}, { name: 'fold', dependencies: ['db'] })
