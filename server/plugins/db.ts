// Makes the database and the configuration available to every route as app.db and app.config.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Db } from '../../db/connect.js'
import type { Config } from '../config.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    config: Config
  }
}

export default fp(async function db(app: FastifyInstance, opts: { db: Db; config: Config }) {
  app.decorate('db', opts.db)
  app.decorate('config', opts.config)
}, { name: 'db' })
