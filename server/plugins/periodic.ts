// Background passes that run every so often for as long as the app runs (the release steps, the
// daily retention run): one pass at a time, none started once closing begins, and the one in flight
// finished before the database closes. A failed pass is logged by its error's name and code only,
// never its message (which may quote data), and the next one runs on time.
import type { FastifyInstance } from 'fastify'

export interface PeriodicPass {
  /** Words for the log line when a pass fails. */
  what: string
  /** Milliseconds between the end of one pass and the start of the next. */
  everyMs: number
  /** Milliseconds from the app being ready to the first pass (default everyMs). */
  firstMs?: number
  pass: () => Promise<unknown>
}

export function runPeriodically(app: FastifyInstance, { what, everyMs, firstMs, pass }: PeriodicPass): void {
  let timer: NodeJS.Timeout | null = null
  let running: Promise<unknown> | null = null
  let stopping = false
  const loop = async () => {
    if (stopping) return
    running = pass().catch((error: { code?: string; name?: string } | null) =>
      app.log.error({ error: { name: error?.name, code: error?.code } }, `${what} failed`))
    await running
    if (!stopping) timer = setTimeout(loop, everyMs)
  }
  const stop = () => {
    stopping = true
    if (timer) clearTimeout(timer)
  }
  app.addHook('onReady', async () => {
    timer = setTimeout(loop, firstMs ?? everyMs)
  })
  app.addHook('preClose', async () => stop())
  app.addHook('onClose', async () => {
    stop()
    await running
  })
}
