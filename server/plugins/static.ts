// Files served as they are: our stylesheet and scripts, and chart.js from the installed package.
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import { PUBLIC_DIR } from '../paths.js'

const require = createRequire(import.meta.url)

export default async function staticFiles(app: FastifyInstance) {
  // Static routes are public by nature; mark them so the access check at start-up accepts them.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: 'public' }
  })
  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/public/',
    maxAge: '1h',
    index: false,
  })
  await app.register(fastifyStatic, {
    root: join(dirname(require.resolve('chart.js')), '..', 'dist'),
    prefix: '/vendor/chart.js/',
    decorateReply: false,
    maxAge: '1d',
    allowedPath: (path) => path === '/chart.umd.min.js',
  })
  // Browsers ask for /favicon.ico on pages that name no icon (the respondent pages save those bytes).
  app.get('/favicon.ico', (_request, reply) => reply.header('cache-control', 'public, max-age=86400').redirect('/public/favicon.svg', 301))
}
