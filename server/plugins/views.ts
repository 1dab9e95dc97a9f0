// Server-rendered pages: eta templates through @fastify/view, with the values every page needs
// (who is signed in, the CSRF token, formatting helpers) added in one place.
import view from '@fastify/view'
import { Eta } from 'eta'
import type { FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import { can } from '../domain/roles.js'
import * as format from '../format.js'
import { VIEWS_DIR } from '../paths.js'

declare module 'fastify' {
  interface FastifyReply {
    /** Renders views/pages/<name>.eta inside the layout. */
    page(name: string, data?: Record<string, unknown>): Promise<FastifyReply>
  }
}

export default fp(async function views(app: FastifyInstance) {
  await app.register(view, {
    engine: { eta: new Eta({ views: VIEWS_DIR, cache: true, autoEscape: true, autoTrim: false }) },
    root: VIEWS_DIR,
    production: true,
  })

  app.decorateReply('page', async function page(this: FastifyReply, name: string, data: Record<string, unknown> = {}) {
    const principal = this.request.principal
    const html = await this.viewAsync(`pages/${name}`, {
      ...data,
      principal,
      can: (permission: Parameters<typeof can>[1]) => principal !== null && can(principal.role, permission),
      csrf: this.csrfToken(),
      path: this.request.url.split('?')[0],
      format,
    })
    return this.type('text/html; charset=utf-8').send(html)
  })
}, { name: 'views', dependencies: ['security'] })
